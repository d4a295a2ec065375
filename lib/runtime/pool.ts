/**
 * A pool of inference worker threads. Every worker holds a session for every loaded model, so
 * any idle worker can take the next batch of any model. A worker that dies is replaced and its
 * models reloaded; the batches it held fail with a 500 instead of hanging.
 */
import { Worker } from 'node:worker_threads';
import * as path from 'node:path';
import type { FromWorker, SessionSettings, TensorMetadata, ToWorker, WireTensor } from './worker-protocol';

export interface LoadedSignature {
  readonly inputs: readonly TensorMetadata[];
  readonly outputs: readonly TensorMetadata[];
  readonly provider: string;
  readonly warnings: readonly string[];
}

export interface RunResult {
  readonly outputs: Record<string, WireTensor>;
  readonly computeMicros: number;
}

/** What the scheduler sees of a worker: its position and whether it is running a batch. */
export interface WorkerSlot {
  readonly index: number;
  busy: boolean;
}

/**
 * The inference back end the scheduler and the repository drive. {@link WorkerPool} is the real
 * one; tests may pass another to `createRuntime` (RuntimeOptions.pool).
 */
export interface InferencePool {
  /** Number of workers (one batch each at a time). */
  readonly size: number;
  load(key: string, modelPath: string, settings: SessionSettings): Promise<LoadedSignature>;
  unload(key: string): Promise<void>;
  idleWorker(): WorkerSlot | undefined;
  run(worker: WorkerSlot, key: string, feeds: Record<string, WireTensor>, outputs: readonly string[], transfer: ArrayBuffer[]): Promise<RunResult>;
  close(graceMs?: number): Promise<void>;
}

interface PendingRun {
  resolve(r: RunResult): void;
  reject(e: Error): void;
}

interface PendingLoad {
  resolve(r: LoadedSignature): void;
  reject(e: Error): void;
}

export class WorkerHandle implements WorkerSlot {
  public busy = false;
  public readonly runs = new Map<number, PendingRun>();
  public readonly loads = new Map<string, PendingLoad>();
  public readonly unloads = new Map<string, () => void>();

  constructor(
    public readonly index: number,
    public readonly worker: Worker,
  ) {}

  public send(msg: ToWorker, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(msg, transfer);
  }
}

function spawnWorker(): Worker {
  const file = path.join(__dirname, `worker${path.extname(__filename)}`);
  if (file.endsWith('.ts')) {
    // Running from TypeScript sources (tests, `tsx`): load the worker through tsx.
    const code = `require('tsx/cjs/api').register(); require(${JSON.stringify(file)});`;
    return new Worker(code, { eval: true });
  }
  return new Worker(file);
}

export interface PoolEvents {
  /** A worker became idle (dispatch the next batch). */
  onIdle(): void;
  /** A worker died unexpectedly. */
  onWorkerExit(index: number, code: number): void;
}

export class WorkerPool implements InferencePool {
  public readonly workers: WorkerHandle[] = [];
  private readonly loadSpecs = new Map<string, { path: string; settings: SessionSettings }>();
  private nextRunId = 1;
  private closing = false;

  constructor(
    size: number,
    private readonly events: PoolEvents,
  ) {
    for (let i = 0; i < size; i++) this.workers.push(this.start(i));
  }

  public get size(): number {
    return this.workers.length;
  }

  private start(index: number): WorkerHandle {
    const handle = new WorkerHandle(index, spawnWorker());
    handle.worker.on('message', (msg: FromWorker) => this.onMessage(handle, msg));
    handle.worker.on('error', () => {
      /* followed by 'exit' */
    });
    handle.worker.on('exit', (code) => this.onExit(handle, code));
    handle.worker.unref();
    return handle;
  }

  private onMessage(h: WorkerHandle, msg: FromWorker): void {
    switch (msg.op) {
      case 'result': {
        const p = h.runs.get(msg.id);
        h.runs.delete(msg.id);
        h.busy = false;
        p?.resolve({ outputs: msg.outputs, computeMicros: msg.computeMicros });
        this.events.onIdle();
        return;
      }
      case 'run-failed': {
        const p = h.runs.get(msg.id);
        h.runs.delete(msg.id);
        h.busy = false;
        p?.reject(new Error(msg.message));
        this.events.onIdle();
        return;
      }
      case 'loaded': {
        const p = h.loads.get(msg.key);
        h.loads.delete(msg.key);
        p?.resolve({ inputs: msg.inputs, outputs: msg.outputs, provider: msg.provider, warnings: msg.warnings });
        return;
      }
      case 'load-failed': {
        const p = h.loads.get(msg.key);
        h.loads.delete(msg.key);
        p?.reject(new Error(msg.message));
        return;
      }
      case 'unloaded': {
        h.unloads.get(msg.key)?.();
        h.unloads.delete(msg.key);
        return;
      }
    }
  }

  private onExit(h: WorkerHandle, code: number): void {
    const err = new Error(`inference worker ${h.index} exited with code ${code}`);
    for (const p of h.runs.values()) p.reject(err);
    for (const p of h.loads.values()) p.reject(err);
    for (const done of h.unloads.values()) done();
    h.runs.clear();
    h.loads.clear();
    h.unloads.clear();
    if (this.closing) return;
    this.events.onWorkerExit(h.index, code);
    const replacement = this.start(h.index);
    this.workers[h.index] = replacement;
    replacement.busy = true; // until its models are back
    const reloads = [...this.loadSpecs.entries()].map(([key, spec]) => this.loadOn(replacement, key, spec.path, spec.settings).catch(() => undefined));
    void Promise.all(reloads).then(() => {
      replacement.busy = false;
      this.events.onIdle();
    });
  }

  private loadOn(h: WorkerHandle, key: string, modelPath: string, settings: SessionSettings): Promise<LoadedSignature> {
    return new Promise<LoadedSignature>((resolve, reject) => {
      h.loads.set(key, { resolve, reject });
      h.send({ op: 'load', key, path: modelPath, settings, workerIndex: h.index });
    });
  }

  /** Load a model on every worker; resolves with the first worker's view of its signature. */
  public async load(key: string, modelPath: string, settings: SessionSettings): Promise<LoadedSignature> {
    const results = await Promise.allSettled(this.workers.map((h) => this.loadOn(h, key, modelPath, settings)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await this.unload(key);
      throw failed.reason as Error;
    }
    this.loadSpecs.set(key, { path: modelPath, settings });
    return (results[0] as PromiseFulfilledResult<LoadedSignature>).value;
  }

  public async unload(key: string): Promise<void> {
    this.loadSpecs.delete(key);
    await Promise.all(
      this.workers.map(
        (h) =>
          new Promise<void>((resolve) => {
            h.unloads.set(key, resolve);
            h.send({ op: 'unload', key });
          }),
      ),
    );
  }

  public idleWorker(): WorkerHandle | undefined {
    for (const h of this.workers) if (!h.busy) return h;
    return undefined;
  }

  /** Run one batch on a worker the caller found idle. */
  public run(slot: WorkerSlot, key: string, feeds: Record<string, WireTensor>, outputs: readonly string[], transfer: ArrayBuffer[]): Promise<RunResult> {
    const h = slot as WorkerHandle;
    const id = this.nextRunId++;
    h.busy = true;
    return new Promise<RunResult>((resolve, reject) => {
      h.runs.set(id, { resolve, reject });
      try {
        h.send({ op: 'run', id, key, feeds, outputs }, transfer);
      } catch (e) {
        h.runs.delete(id);
        h.busy = false;
        reject(e as Error);
      }
    });
  }

  /**
   * Stop every worker once its current batch is done (terminating a thread inside a native
   * ONNX Runtime call aborts the process), forcing termination after `graceMs`.
   */
  public async close(graceMs = 2000): Promise<void> {
    this.closing = true;
    const deadline = Date.now() + graceMs;
    await Promise.all(
      this.workers.map(async (h) => {
        while (h.busy && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
        const exited = new Promise<void>((resolve) => h.worker.once('exit', () => resolve()));
        try {
          h.send({ op: 'exit' });
        } catch {
          /* already gone */
        }
        const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), Math.max(100, deadline - Date.now())).unref());
        if ((await Promise.race([exited, timer])) === 'timeout') await h.worker.terminate();
      }),
    );
  }
}
