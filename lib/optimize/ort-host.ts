/**
 * The calling side of the ONNX Runtime worker (ort-worker.ts): one worker thread per host,
 * request/reply by id. Nothing of ONNX Runtime is loaded on the calling thread.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { ServingStackError } from '../core/errors';
import type { GraphOptimizationLevel, OrtReply, OrtRequest, WireFeed, WireTensorOut } from './ort-protocol';

type Pending = { resolve(r: OrtReply): void; reject(e: Error): void };
type Body<T> = T extends unknown ? Omit<T, 'id'> : never;

function spawn(): Worker {
  const file = path.join(__dirname, `ort-worker${path.extname(__filename)}`);
  if (file.endsWith('.ts')) {
    // From TypeScript sources (tests, tsx): load the worker through tsx.
    return new Worker(`require('tsx/cjs/api').register(); require(${JSON.stringify(file)});`, { eval: true });
  }
  return new Worker(file);
}

export class OrtHost {
  private readonly worker = spawn();
  private readonly pending = new Map<number, Pending>();
  private next = 1;
  private failure?: Error;

  constructor() {
    this.worker.on('message', (reply: OrtReply) => {
      const p = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      p?.resolve(reply);
    });
    const fail = (e: Error): void => {
      this.failure = e;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`the ONNX Runtime worker exited (code ${code})`)));
  }

  private async call(body: Body<OrtRequest>, what: string): Promise<OrtReply & { ok: true }> {
    if (this.failure) throw this.failure;
    const id = this.next++;
    const reply = await new Promise<OrtReply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...body, id } as OrtRequest);
    });
    if (!reply.ok) {
      throw new ServingStackError('SS_ERR_OPTIMIZE_RUNTIME', `ONNX Runtime could not ${what}`, [
        { field: 'onnxruntime', message: reply.message.split('\n')[0]!, allowed: 'a model ONNX Runtime 1.30 (CPU) can load and run' },
      ]);
    }
    return reply as OrtReply & { ok: true };
  }

  /** Write the model as optimized by ONNX Runtime at `level` (session option `optimizedModelFilePath`). */
  public async optimize(input: string, output: string, level: GraphOptimizationLevel): Promise<void> {
    await this.call({ op: 'optimize', input, output, level }, `optimize ${path.basename(input)}`);
  }

  /** Run the model once per feed; outputs by name, per feed. */
  public async run(model: string, feeds: readonly WireFeed[]): Promise<Record<string, WireTensorOut>[]> {
    const reply = await this.call({ op: 'run', model, feeds }, `run ${path.basename(model)}`);
    return (reply as { results: Record<string, WireTensorOut>[] }).results;
  }

  /** Latency of `iterations` runs (µs each) on a session with `intraOpNumThreads` threads, after `warmup` runs. */
  public async latency(model: string, feeds: readonly WireFeed[], iterations: number, warmup: number, intraOpNumThreads = 1): Promise<number[]> {
    const reply = await this.call({ op: 'latency', model, feeds, iterations, warmup, intraOpNumThreads }, `time ${path.basename(model)}`);
    return (reply as { micros: number[] }).micros;
  }

  public async release(model: string): Promise<void> {
    await this.call({ op: 'release', model }, 'release a session');
  }

  public async close(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}
