/**
 * The inference worker pool with real worker threads and ONNX Runtime: every worker holds every
 * loaded model, a failing run or load is reported, and a worker that dies is replaced, its models
 * reloaded and its batch failed rather than left hanging.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { WorkerPool } from '../../lib/runtime/pool';
import type { SessionSettings, WireTensor } from '../../lib/runtime/worker-protocol';
import { MODELS, waitFor } from './helpers';

jest.setTimeout(60_000);

const SETTINGS: SessionSettings = { executionProviders: ['cpu'], intraOpNumThreads: 1, graphOptimizationLevel: 'all', deviceIds: [0] };
const TINY = path.join(MODELS.tiny, 'model.onnx');

function feeds(rows: number, cols: number, value: number): { feeds: Record<string, WireTensor>; transfer: ArrayBuffer[] } {
  const data = new Float32Array(rows * cols).fill(value);
  return { feeds: { input: { type: 'float32', dims: [rows, cols], data } }, transfer: [data.buffer] };
}

describe('WorkerPool', () => {
  let pool: WorkerPool;
  const exits: { index: number; code: number }[] = [];
  let idle = 0;

  beforeAll(async () => {
    pool = new WorkerPool(2, { onIdle: () => idle++, onWorkerExit: (index, code) => exits.push({ index, code }) });
    const sig = await pool.load('tiny#1', TINY, SETTINGS);
    expect(sig.inputs).toEqual([{ name: 'input', type: 'float32', shape: [-1, 4] }]);
    expect(sig.provider).toBe('cpu');
  });
  afterAll(async () => {
    await pool?.close();
  });

  test('every worker runs the loaded model', async () => {
    for (const w of pool.workers) {
      const f = feeds(2, 4, 1);
      const r = await pool.run(w, 'tiny#1', f.feeds, ['output'], f.transfer);
      expect(Array.from(r.outputs.output.data as Float32Array)).toEqual(new Array(8).fill(3));
      expect(w.busy).toBe(false);
    }
    expect(pool.size).toBe(2);
  });

  test('a run that ONNX Runtime refuses is rejected with its message, and the worker stays usable', async () => {
    const w = pool.workers[0];
    const bad = feeds(1, 5, 1); // the model takes 4 columns
    await expect(pool.run(w, 'tiny#1', bad.feeds, ['output'], bad.transfer)).rejects.toThrow(/dimension|shape|Got/i);
    await expect(pool.run(w, 'nothing#9', feeds(1, 4, 1).feeds, ['output'], [])).rejects.toThrow(/not loaded/);
    const ok = feeds(1, 4, 0);
    expect(Array.from((await pool.run(w, 'tiny#1', ok.feeds, ['output'], ok.transfer)).outputs.output.data as Float32Array)).toEqual([1, 1, 1, 1]);
  });

  test('a model file that is not ONNX fails to load on every worker, and nothing stays loaded', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-pool-'));
    try {
      fs.writeFileSync(path.join(dir, 'model.onnx'), 'not a protobuf');
      await expect(pool.load('garbage#1', path.join(dir, 'model.onnx'), SETTINGS)).rejects.toThrow();
      await expect(pool.run(pool.workers[1], 'garbage#1', feeds(1, 4, 1).feeds, ['output'], [])).rejects.toThrow(/not loaded/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('GIVEN a worker dies during a batch THEN the batch fails, the worker is replaced with its models, and the next batch runs on it', async () => {
    const victim = pool.workers[0];
    // The thread ends before it takes the batch (terminate() inside a native ONNX Runtime call
    // would abort the whole process, so the pool itself never does that either).
    victim.send({ op: 'exit' });
    const f = feeds(1, 4, 2);
    const inflight = pool.run(victim, 'tiny#1', f.feeds, ['output'], f.transfer);
    await expect(inflight).rejects.toThrow(/worker 0 exited/);
    expect(exits).toEqual([{ index: 0, code: 0 }]);
    const replacement = pool.workers[0];
    expect(replacement).not.toBe(victim);
    // Busy until the models are loaded again, then idle and serving.
    expect(await waitFor(() => !replacement.busy, 30_000, 20)).toBe(true);
    const g = feeds(1, 4, 2);
    const r = await pool.run(replacement, 'tiny#1', g.feeds, ['output'], g.transfer);
    expect(Array.from(r.outputs.output.data as Float32Array)).toEqual([5, 5, 5, 5]);
    expect(idle).toBeGreaterThan(0);
  });

  test('unload removes the model from every worker', async () => {
    await pool.load('tiny#2', TINY, SETTINGS);
    await pool.unload('tiny#2');
    for (const w of pool.workers) await expect(pool.run(w, 'tiny#2', feeds(1, 4, 1).feeds, ['output'], [])).rejects.toThrow(/not loaded/);
  });
});
