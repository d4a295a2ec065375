/**
 * The ONNX Runtime side of `servingstack optimize`, in its own worker thread: offline graph
 * optimization (the session option `optimizedModelFilePath` writes the optimized graph), batch
 * inference for the comparisons and single-row latency for `bench:edge`. ONNX Runtime blocks the
 * thread it runs on and cannot run inside Jest's realm; this thread is its only home.
 */
import { parentPort } from 'node:worker_threads';
import { hideFloat16ArrayFromOrt } from '../runtime/ort-float16';
import * as ort from 'onnxruntime-node';
import type { OrtReply, OrtRequest, WireFeed, WireTensorOut } from './ort-protocol';

// Before any tensor exists (onnxruntime-node and Node 26's Float16Array: see ort-float16.ts).
hideFloat16ArrayFromOrt();

const sessions = new Map<string, ort.InferenceSession>();

async function session(model: string, intraOpNumThreads: number): Promise<ort.InferenceSession> {
  const key = `${model}\0${intraOpNumThreads}`;
  let s = sessions.get(key);
  if (!s) {
    s = await ort.InferenceSession.create(model, { intraOpNumThreads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' });
    sessions.set(key, s);
  }
  return s;
}

function tensors(feed: WireFeed): Record<string, ort.Tensor> {
  const out: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(feed)) out[name] = new ort.Tensor(t.type as 'float32', t.data as Float32Array, [...t.dims]);
  return out;
}

async function handle(msg: OrtRequest): Promise<OrtReply> {
  switch (msg.op) {
    case 'optimize': {
      const s = await ort.InferenceSession.create(msg.input, {
        graphOptimizationLevel: msg.level,
        optimizedModelFilePath: msg.output,
        intraOpNumThreads: 1,
        executionProviders: ['cpu'],
        logSeverityLevel: 3,
      });
      await s.release();
      return { id: msg.id, ok: true, op: 'optimize' };
    }
    case 'run': {
      const s = await session(msg.model, 1);
      const results = [];
      for (const feed of msg.feeds) {
        const r = await s.run(tensors(feed));
        const outputs: Record<string, WireTensorOut> = {};
        for (const [name, t] of Object.entries(r)) {
          const data = t.data as ArrayLike<number | bigint | string>;
          outputs[name] = { type: t.type, dims: t.dims, data: t.type === 'string' ? Array.from(data as ArrayLike<string>) : Array.from(data as ArrayLike<number | bigint>, Number) };
        }
        results.push(outputs);
      }
      return { id: msg.id, ok: true, op: 'run', results };
    }
    case 'latency': {
      const s = await session(msg.model, msg.intraOpNumThreads);
      const feeds = msg.feeds.map(tensors);
      for (let i = 0; i < msg.warmup; i++) await s.run(feeds[i % feeds.length]!);
      const micros: number[] = [];
      for (let i = 0; i < msg.iterations; i++) {
        const start = process.hrtime.bigint();
        await s.run(feeds[i % feeds.length]!);
        micros.push(Number(process.hrtime.bigint() - start) / 1000);
      }
      return { id: msg.id, ok: true, op: 'latency', micros };
    }
    case 'release': {
      for (const [key, s] of sessions) {
        if (key.startsWith(`${msg.model}\0`)) {
          await s.release();
          sessions.delete(key);
        }
      }
      return { id: msg.id, ok: true, op: 'release' };
    }
  }
}

parentPort!.on('message', (msg: OrtRequest) => {
  handle(msg).then(
    (reply) => parentPort!.postMessage(reply),
    (e: unknown) => parentPort!.postMessage({ id: msg.id, ok: false, message: (e as Error).message ?? String(e) } satisfies OrtReply),
  );
});
