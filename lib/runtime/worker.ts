/**
 * An inference worker thread: owns one ONNX Runtime session per loaded model and runs what
 * the main thread sends. `run()` blocks this thread, never the HTTP event loop.
 */
import { parentPort } from 'node:worker_threads';
import { hideFloat16ArrayFromOrt } from './ort-float16';
import * as ort from 'onnxruntime-node';
import type { FromWorker, SessionSettings, TensorMetadata, ToWorker, WireTensor } from './worker-protocol';

// Before any tensor exists (onnxruntime-node and Node 26's Float16Array: see ort-float16.ts).
hideFloat16ArrayFromOrt();

const sessions = new Map<string, ort.InferenceSession>();

function post(msg: FromWorker, transfer: ArrayBuffer[] = []): void {
  try {
    parentPort!.postMessage(msg, transfer);
  } catch {
    parentPort!.postMessage(msg); // buffers that cannot be transferred are copied
  }
}

function metadata(list: readonly ort.InferenceSession.ValueMetadata[]): TensorMetadata[] {
  return list.map((m) =>
    m.isTensor
      ? { name: m.name, type: m.type, shape: m.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : -1)) }
      : { name: m.name, shape: [] },
  );
}

async function createSession(path: string, settings: SessionSettings, workerIndex: number): Promise<{ session: ort.InferenceSession; provider: string; warnings: string[] }> {
  const warnings: string[] = [];
  const base: ort.InferenceSession.SessionOptions = {
    intraOpNumThreads: settings.intraOpNumThreads,
    interOpNumThreads: 1,
    graphOptimizationLevel: settings.graphOptimizationLevel,
    executionMode: 'sequential',
  };
  const providers = settings.executionProviders.filter((p) => p !== 'cpu');
  const deviceId = settings.deviceIds.length ? settings.deviceIds[workerIndex % settings.deviceIds.length] : 0;
  for (const provider of providers) {
    try {
      const ep = provider === 'cuda' || provider === 'tensorrt' ? { name: provider, deviceId } : provider;
      const session = await ort.InferenceSession.create(path, { ...base, executionProviders: [ep as ort.InferenceSession.ExecutionProviderConfig, 'cpu'] });
      return { session, provider, warnings };
    } catch (e) {
      warnings.push(`execution provider '${provider}' could not be loaded, falling back: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  const session = await ort.InferenceSession.create(path, { ...base, executionProviders: ['cpu'] });
  return { session, provider: 'cpu', warnings };
}

interface RawResult {
  readonly type: string;
  readonly dims: readonly number[];
  readonly data: unknown;
}

/** onnxruntime-node's session handler (the object `InferenceSession.run` delegates to). */
interface SessionHandler {
  run(feeds: Record<string, ort.Tensor>, fetches: Record<string, null>, options: object): Promise<Record<string, RawResult>>;
}

/** Names that an ordinary object already answers (`__proto__`, `hasOwnProperty`, …). */
const PROTOTYPE_NAMES = new Set([...Object.getOwnPropertyNames(Object.prototype), '__proto__']);
const collides = (name: string): boolean => PROTOTYPE_NAMES.has(name);

/**
 * Run a session and return its outputs by name. ONNX allows any tensor name, but
 * `InferenceSession.run` keeps feeds, fetches and results in ordinary objects, and the native
 * binding looks names up through the prototype chain: an output named `hasOwnProperty` fails and
 * one named `__proto__` is lost. The handler takes prototype-free objects; the binding still
 * stores an output named `__proto__` as the result object's prototype, where it is read back.
 */
async function runSession(session: ort.InferenceSession, feeds: Record<string, ort.Tensor>, outputs: readonly string[]): Promise<[string, RawResult][]> {
  const handler = (session as unknown as { handler?: SessionHandler }).handler;
  // The public API for every ordinary model; the handler only where a name would collide.
  if (!handler || typeof handler.run !== 'function' || !(outputs.some(collides) || Object.keys(feeds).some(collides))) {
    const results = await session.run(feeds, outputs as string[]);
    return Object.entries(results);
  }
  const fetches = Object.create(null) as Record<string, null>;
  for (const name of outputs) fetches[name] = null;
  const results = await handler.run(feeds, fetches, {});
  const out: [string, RawResult][] = [];
  for (const name of outputs) {
    let r = Object.hasOwn(results, name) ? results[name] : undefined;
    if (!r && name === '__proto__') {
      const proto = Object.getPrototypeOf(results) as RawResult | null;
      if (proto && proto !== Object.prototype && 'dims' in proto) r = proto;
    }
    if (r) out.push([name, r]);
  }
  return out;
}

/** Set by 'exit': messages after it are not handled (the main thread fails their batches when the thread ends). */
let exiting = false;

async function handle(msg: ToWorker): Promise<void> {
  if (exiting) return;
  switch (msg.op) {
    case 'load': {
      try {
        const { session, provider, warnings } = await createSession(msg.path, msg.settings, msg.workerIndex);
        const previous = sessions.get(msg.key);
        sessions.set(msg.key, session);
        if (previous) await previous.release();
        post({ op: 'loaded', key: msg.key, inputs: metadata(session.inputMetadata), outputs: metadata(session.outputMetadata), provider, warnings });
      } catch (e) {
        post({ op: 'load-failed', key: msg.key, message: (e as Error).message });
      }
      return;
    }
    case 'unload': {
      const s = sessions.get(msg.key);
      sessions.delete(msg.key);
      if (s) await s.release();
      post({ op: 'unloaded', key: msg.key });
      return;
    }
    case 'exit': {
      exiting = true;
      for (const s of sessions.values()) await s.release();
      sessions.clear();
      process.exit(0);
    }
    // eslint-disable-next-line no-fallthrough
    case 'run': {
      const session = sessions.get(msg.key);
      if (!session) {
        post({ op: 'run-failed', id: msg.id, message: `model ${msg.key} is not loaded in this worker` });
        return;
      }
      try {
        const feeds: Record<string, ort.Tensor> = Object.create(null) as Record<string, ort.Tensor>;
        for (const [name, t] of Object.entries(msg.feeds)) {
          feeds[name] = new ort.Tensor(t.type as ort.Tensor.Type, t.data as ort.Tensor.DataType, t.dims as number[]);
        }
        const start = process.hrtime.bigint();
        const results = await runSession(session, feeds, msg.outputs);
        const computeMicros = Number((process.hrtime.bigint() - start) / 1000n);
        const outputs: Record<string, WireTensor> = Object.create(null) as Record<string, WireTensor>;
        const transfer: ArrayBuffer[] = [];
        for (const [name, t] of results) {
          const data = t.data as unknown;
          outputs[name] = { type: t.type, dims: t.dims, data };
          if (ArrayBuffer.isView(data) && data.buffer instanceof ArrayBuffer && !transfer.includes(data.buffer)) transfer.push(data.buffer);
        }
        post({ op: 'result', id: msg.id, outputs, computeMicros }, transfer);
      } catch (e) {
        post({ op: 'run-failed', id: msg.id, message: (e as Error).message });
      }
      return;
    }
  }
}

parentPort!.on('message', (msg: ToWorker) => {
  void handle(msg);
});
