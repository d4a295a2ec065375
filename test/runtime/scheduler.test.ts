/**
 * The dynamic batching scheduler on its own, against an in-process pool: Triton's batching rules
 * (arrival order, maxBatchSize, compatible shapes only, queue delay), the bounded queue, request
 * timeouts, and inference failures answered RT_ERR_INFERENCE_FAILED.
 */
import { RuntimeError } from '../../lib/runtime/errors';
import { ModelResult, ServedModel } from '../../lib/runtime/model';
import { Scheduler, SchedulerObserver } from '../../lib/runtime/scheduler';
import type { Tensor } from '../../lib/runtime/tensor';
import { FakePool } from './fake-pool';

class Observer implements SchedulerObserver {
  public readonly batches: number[] = [];
  public readonly rejected: string[] = [];
  public readonly waits: number[] = [];
  public onQueueDepth(): void {}
  public onBatch(_m: ServedModel, rows: number): void {
    this.batches.push(rows);
  }
  public onQueueWait(_m: ServedModel, seconds: number): void {
    this.waits.push(seconds);
  }
  public onRejected(_m: ServedModel, reason: string): void {
    this.rejected.push(reason);
  }
}

function model(maxBatchSize = 8, maxQueueDelayMicros = 0, name = 'tiny'): ServedModel {
  const m = new ServedModel(name, '1', `${name}#1`, '/nowhere', '/nowhere/model.onnx', undefined, [{ name: 'input', datatype: 'FP32', shape: [-1, 4], allowNonFinite: false }], [{ name: 'output', datatype: 'FP32', shape: [-1, 4], allowNonFinite: false }], maxBatchSize, maxQueueDelayMicros);
  m.state = 'ready';
  return m;
}

function rows(n: number, start: number): { inputs: Tensor[]; rows: number; outputs: string[]; batchKey: string } {
  const data = Float32Array.from({ length: n * 4 }, (_, i) => start + i);
  return { inputs: [{ name: 'input', datatype: 'FP32', shape: [n, 4], data }], rows: n, outputs: ['output'], batchKey: '4;' };
}

function setup(opts: { workers?: number; maxQueueSize?: number; requestTimeoutMs?: number } = {}): { pool: FakePool; sched: Scheduler; obs: Observer } {
  const obs = new Observer();
  const holder: { sched?: Scheduler } = {};
  const pool = new FakePool(opts.workers ?? 1, { onIdle: () => holder.sched?.pump(), onWorkerExit: () => undefined });
  const sched = new Scheduler(pool, { maxQueueSize: opts.maxQueueSize ?? 100, requestTimeoutMs: opts.requestTimeoutMs ?? 10_000 }, obs);
  holder.sched = sched;
  return { pool, sched, obs };
}

const data = (r: ModelResult): number[] => Array.from(r.outputs[0].data as Float32Array);
const errorOf = async (p: Promise<unknown>): Promise<RuntimeError> => {
  try {
    await p;
  } catch (e) {
    return e as RuntimeError;
  }
  throw new Error('expected a rejection');
};

describe('Scheduler', () => {
  let env: ReturnType<typeof setup>;
  afterEach(() => env?.sched.close());

  test('GIVEN requests arriving in one turn WHEN a worker is free THEN they share one batch, and each gets its own rows back', async () => {
    env = setup();
    const m = model();
    env.sched.add(m);
    const results = await Promise.all([env.sched.submit(m, rows(1, 0)), env.sched.submit(m, rows(2, 100)), env.sched.submit(m, rows(1, 200))]);
    expect(env.pool.runs).toHaveLength(1);
    expect(env.pool.runs[0].feeds.input.dims).toEqual([4, 4]);
    expect(env.obs.batches).toEqual([4]);
    expect(data(results[0])).toEqual([1, 3, 5, 7]);
    expect(results[1].outputs[0].shape).toEqual([2, 4]);
    expect(data(results[1])).toEqual([201, 203, 205, 207, 209, 211, 213, 215]);
    expect(data(results[2])).toEqual([401, 403, 405, 407]);
    for (const r of results) expect(r.batchRows).toBe(4);
  });

  test('batches never exceed maxBatchSize and keep arrival order', async () => {
    env = setup();
    const m = model(2);
    env.sched.add(m);
    env.pool.hold = true;
    const pending = [0, 1, 2, 3, 4].map((i) => env.sched.submit(m, rows(1, i * 10)));
    await new Promise((r) => setImmediate(r));
    expect(env.pool.runs.map((r) => r.feeds.input.dims[0])).toEqual([2]); // one worker: the first batch is running
    env.pool.hold = false;
    env.pool.release();
    const results = await Promise.all(pending);
    expect(env.pool.runs.map((r) => r.feeds.input.dims[0])).toEqual([2, 2, 1]);
    expect(results.map((r) => data(r)[0])).toEqual([1, 21, 41, 61, 81]);
  });

  test('a model that cannot batch (maxBatchSize 1) runs one request per batch', async () => {
    env = setup();
    const m = model(1);
    env.sched.add(m);
    await Promise.all([env.sched.submit(m, rows(1, 0)), env.sched.submit(m, rows(1, 1)), env.sched.submit(m, rows(1, 2))]);
    expect(env.pool.runs.map((r) => r.feeds.input.dims)).toEqual([[1, 4], [1, 4], [1, 4]]);
  });

  test('requests whose non-batch dimensions differ are never batched together', async () => {
    env = setup();
    const m = model();
    env.sched.add(m);
    await Promise.all([env.sched.submit(m, rows(1, 0)), env.sched.submit(m, { ...rows(1, 0), batchKey: 'other;' }), env.sched.submit(m, rows(1, 0))]);
    expect(env.pool.runs.map((r) => r.feeds.input.dims[0])).toEqual([1, 1, 1]);
  });

  test('with two workers, two batches run at once', async () => {
    env = setup({ workers: 2 });
    const m = model(1);
    env.sched.add(m);
    env.pool.hold = true;
    const pending = [env.sched.submit(m, rows(1, 0)), env.sched.submit(m, rows(1, 1)), env.sched.submit(m, rows(1, 2))];
    await new Promise((r) => setImmediate(r));
    expect(env.pool.runs.map((r) => r.worker)).toEqual([0, 1]);
    env.pool.hold = false;
    env.pool.release();
    await Promise.all(pending);
    expect(env.pool.runs).toHaveLength(3);
  });

  test('a partial batch waits for maxQueueDelayMicroseconds, a full one goes at once', async () => {
    env = setup();
    const short = model(4, 150_000, 'short');
    const long = model(4, 5_000_000, 'long');
    env.sched.add(short);
    env.sched.add(long);
    const t0 = Date.now();
    await env.sched.submit(short, rows(1, 0));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    const t1 = Date.now();
    await Promise.all([0, 1, 2, 3].map((i) => env.sched.submit(long, rows(1, i))));
    expect(Date.now() - t1).toBeLessThan(4000); // far from the 5 s delay
    expect(env.pool.runs.map((r) => r.feeds.input.dims[0])).toEqual([1, 4]);
  });

  test('GIVEN a full queue WHEN another request comes THEN RT_ERR_QUEUE_FULL (503, Retry-After 1) at once', async () => {
    env = setup({ maxQueueSize: 2 });
    const m = model(1);
    env.sched.add(m);
    env.pool.hold = true;
    const running = env.sched.submit(m, rows(1, 0));
    await new Promise((r) => setImmediate(r));
    const queued = [env.sched.submit(m, rows(1, 1)), env.sched.submit(m, rows(1, 2))];
    expect(env.sched.isFull(m)).toBe(true);
    const e = await errorOf(env.sched.submit(m, rows(1, 3)));
    expect(e.code).toBe('RT_ERR_QUEUE_FULL');
    expect(e.status).toBe(503);
    expect(e.details.retryAfterSeconds).toBe(1);
    expect(env.obs.rejected).toEqual(['queue_full']);
    env.pool.hold = false;
    env.pool.release();
    await Promise.all([running, ...queued]);
  });

  test('requests that outlive the request timeout are answered RT_ERR_TIMEOUT, queued or running', async () => {
    env = setup({ requestTimeoutMs: 80 });
    const m = model(1);
    env.sched.add(m);
    env.pool.hold = true;
    const running = env.sched.submit(m, rows(1, 0));
    const queued = env.sched.submit(m, rows(1, 1));
    const [a, b] = await Promise.all([errorOf(running), errorOf(queued)]);
    expect([a.code, b.code]).toEqual(['RT_ERR_TIMEOUT', 'RT_ERR_TIMEOUT']);
    expect(a.status).toBe(503);
    expect(env.obs.rejected).toEqual(['timeout', 'timeout']);
    env.pool.release(); // the late result is dropped
  });

  test('GIVEN the model fails to run THEN every request of the batch gets RT_ERR_INFERENCE_FAILED (500), and the next batch runs', async () => {
    env = setup();
    const m = model();
    env.sched.add(m);
    env.pool.failRun = 'Non-zero status code returned while running Gemm node';
    const errors = await Promise.all([errorOf(env.sched.submit(m, rows(1, 0))), errorOf(env.sched.submit(m, rows(1, 1)))]);
    for (const e of errors) {
      expect(e.code).toBe('RT_ERR_INFERENCE_FAILED');
      expect(e.status).toBe(500);
      expect(e.message).toMatch(/Gemm/);
    }
    env.pool.failRun = undefined;
    expect(data(await env.sched.submit(m, rows(1, 0)))).toEqual([1, 3, 5, 7]);
  });

  test('removing a model rejects what it has queued with the reason given', async () => {
    env = setup();
    const m = model(1);
    env.sched.add(m);
    env.pool.hold = true;
    const running = env.sched.submit(m, rows(1, 0));
    await new Promise((r) => setImmediate(r));
    const queued = env.sched.submit(m, rows(1, 1));
    env.sched.remove(m, new RuntimeError('RT_ERR_MODEL_NOT_FOUND', 'unloaded'));
    expect((await errorOf(queued)).code).toBe('RT_ERR_MODEL_NOT_FOUND');
    env.pool.hold = false;
    env.pool.release();
    await running;
  });
});
