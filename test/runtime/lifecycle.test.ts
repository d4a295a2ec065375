/**
 * Backpressure, dynamic batching, timeouts, failed loads and draining, over real HTTP with one
 * inference worker.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expectError, float32Request, metricSum, MODELS, postJson, request, Res, scrape, startServer, TestServer, waitFor } from './helpers';

const MLP = (s: TestServer) => `${s.url}/v2/models/mlp-bench/infer`;

describe('backpressure', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ modelDir: MODELS.mlpBench, workers: 1, maxQueueSize: 2 });
  });
  afterAll(async () => {
    await s?.close();
  });

  test('a full queue answers 503 + Retry-After at once; every request gets an answer', async () => {
    // 1024-row requests keep the single worker busy for tens of ms each (no two fit one batch,
    // max 64), so a burst overflows the 2-slot queue even on a loaded CI machine.
    const req = float32Request('input', 1024, 256, (i) => ((i * 7919) % 1000) / 1000 - 0.5);
    const reference = await request(MLP(s), { method: 'POST', headers: req.headers, body: req.body });
    expect(reference.status).toBe(200);
    const N = 32;
    const results: Res[] = await Promise.all(Array.from({ length: N }, () => request(MLP(s), { method: 'POST', headers: req.headers, body: req.body })));
    expect(results).toHaveLength(N);
    const ok = results.filter((r) => r.status === 200);
    const full = results.filter((r) => r.status === 503);
    expect(ok.length + full.length).toBe(N); // nothing else, nothing lost
    expect(full.length).toBeGreaterThan(0);
    expect(ok.length).toBeGreaterThanOrEqual(3); // the running one and the two queued
    for (const r of full) {
      expectError(r, 503, 'RT_ERR_QUEUE_FULL');
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(r.json.allowed).toMatch(/at most 2 queued/);
    }
    for (const r of ok) expect(r.raw.equals(reference.raw)).toBe(true);
    const m = await scrape(s.url);
    expect(metricSum(m, 'servingstack_rejected_requests_total', { model: 'mlp-bench', reason: 'queue_full' })).toBe(full.length);
    expect(metricSum(m, 'servingstack_requests_total', { model: 'mlp-bench', status: '503' })).toBe(full.length);
  });

  test('after the burst the server serves normally', async () => {
    const req = float32Request('input', 1, 256, () => 0.1);
    const r = await request(MLP(s), { method: 'POST', headers: req.headers, body: req.body });
    expect(r.status).toBe(200);
    expect((await request(`${s.url}/v2/health/ready`)).status).toBe(200);
  });
});

describe('dynamic batching', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ modelDir: MODELS.mlpBench, workers: 1 });
  });
  afterAll(async () => {
    await s?.close();
  });

  test('concurrent single-row requests are batched together and each gets its own row back', async () => {
    const N = 24;
    const rowsOf = (k: number) => Array.from({ length: 256 }, (_, i) => Math.sin(k * 31 + i) / 2);
    // Reference: all rows in one request.
    const all = await postJson(MLP(s), { inputs: [{ name: 'input', datatype: 'FP32', shape: [N, 256], data: Array.from({ length: N }, (_, k) => rowsOf(k)) }] });
    expect(all.status).toBe(200);
    const ref: number[] = all.json.outputs[0].data;
    const before = await scrape(s.url);
    const batchesBefore = metricSum(before, 'servingstack_batch_size_rows_count', { model: 'mlp-bench' });
    const singlesBefore = metricSum(before, 'servingstack_batch_size_rows_bucket', { model: 'mlp-bench', le: '1' });

    // A slow request first so the singles queue up behind it, then N singles at once (1024 rows:
    // long enough on a quiet machine too, where 256 rows could finish before the singles arrived).
    const slow = float32Request('input', 1024, 256, () => 0.01);
    const slowP = request(MLP(s), { method: 'POST', headers: slow.headers, body: slow.body });
    const singles = await Promise.all(Array.from({ length: N }, (_, k) => postJson(MLP(s), { id: `row-${k}`, inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 256], data: rowsOf(k) }] })));
    expect((await slowP).status).toBe(200);

    singles.forEach((r, k) => {
      expect(r.status).toBe(200);
      expect(r.json.id).toBe(`row-${k}`);
      expect(r.json.outputs[0].shape).toEqual([1, 256]);
      const got: number[] = r.json.outputs[0].data;
      const want = ref.slice(k * 256, (k + 1) * 256);
      const maxErr = Math.max(...got.map((v, i) => Math.abs(v - want[i])));
      expect(maxErr).toBeLessThan(1e-3);
    });

    const after = await scrape(s.url);
    const batches = metricSum(after, 'servingstack_batch_size_rows_count', { model: 'mlp-bench' }) - batchesBefore;
    const singleBatches = metricSum(after, 'servingstack_batch_size_rows_bucket', { model: 'mlp-bench', le: '1' }) - singlesBefore;
    // N + 1 requests ran in fewer executions, and at least one execution had more than one row.
    expect(batches).toBeLessThan(N + 1);
    expect(batches - singleBatches).toBeGreaterThan(1); // the slow one plus at least one multi-row batch of singles
    expect(metricSum(after, 'servingstack_inference_rows_total', { model: 'mlp-bench' }) - metricSum(before, 'servingstack_inference_rows_total', { model: 'mlp-bench' })).toBe(1024 + N);
  });
});

describe('request timeout', () => {
  let s: TestServer;
  beforeAll(async () => {
    // No warm-up: it would run under the same tiny timeout.
    s = await startServer({ modelDir: MODELS.mlpBench, workers: 1, requestTimeoutMs: 10, warmup: false });
  });
  afterAll(async () => {
    await s?.close();
  });

  test('requests that outlive requestTimeoutMs get 503 RT_ERR_TIMEOUT, and the server recovers', async () => {
    const req = float32Request('input', 512, 256, () => 0.5);
    const results = await Promise.all(Array.from({ length: 4 }, () => request(MLP(s), { method: 'POST', headers: req.headers, body: req.body })));
    const timedOut = results.filter((r) => r.status === 503);
    expect(timedOut.length).toBeGreaterThan(0);
    for (const r of timedOut) {
      expectError(r, 503, 'RT_ERR_TIMEOUT');
      expect(r.headers.get('retry-after')).toBe('1');
      expect(r.json.allowed).toMatch(/10 ms/);
    }
    for (const r of results) expect([200, 503]).toContain(r.status);
    expect(metricSum(await scrape(s.url), 'servingstack_rejected_requests_total', { model: 'mlp-bench', reason: 'timeout' })).toBeGreaterThanOrEqual(timedOut.length);
    expect((await request(`${s.url}/v2/health/live`)).status).toBe(200);
    // A one-row request fits the timeout once the worker is free again.
    const small = float32Request('input', 1, 256, () => 0.5);
    const recovered = await waitFor(async () => (await request(MLP(s), { method: 'POST', headers: small.headers, body: small.body })).status === 200, 10_000, 100);
    expect(recovered).toBe(true);
  });
});

describe('a model that fails to load', () => {
  let s: TestServer;
  let dir: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-garbage-'));
    fs.copyFileSync(path.join(MODELS.tiny, 'servingstack.json'), path.join(dir, 'servingstack.json'));
    fs.writeFileSync(path.join(dir, 'model.onnx'), Buffer.from('garbage, not a protobuf \x00\x01\x02'));
    s = await startServer({ modelDir: dir });
  });
  afterAll(async () => {
    await s?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the server is alive but not ready, and says why', async () => {
    const live = await request(`${s.url}/v2/health/live`);
    expect(live.status).toBe(200);
    const ready = await request(`${s.url}/v2/health/ready`);
    expect(ready.status).toBe(503);
    expect(ready.json).toEqual({ ready: false });
    expect((await request(`${s.url}/ping`)).status).toBe(503);
    expect((await request(`${s.url}/ready`)).status).toBe(503);
    const mready = await request(`${s.url}/v2/models/tiny/ready`);
    expect(mready.status).toBe(503);
    expect(mready.json).toEqual({ name: 'tiny', ready: false });
    expect(s.runtime.live).toBe(true);
    expect(s.runtime.ready).toBe(false);
    // The cause is in the log, and in the answer to an inference request.
    const logged = s.logs.find((r) => r.msg === 'model failed to load');
    expect(logged).toBeDefined();
    expect(logged!.level).toBe(50);
    expect(logged!.model).toBe('tiny');
    expect(String(logged!.err).length).toBeGreaterThan(0);
    const inf = await postJson(`${s.url}/v2/models/tiny/infer`, { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }] });
    expectError(inf, 503, 'RT_ERR_NOT_READY');
    expect(inf.json.error).toMatch(/failed/);
    expect(inf.headers.get('retry-after')).toBe('30');
    const m = await scrape(s.url);
    expect(metricSum(m, 'servingstack_model_ready', { model: 'tiny' })).toBe(0);
  });
});

describe('a missing model directory', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ modelDir: path.join(os.tmpdir(), 'ss-does-not-exist-', String(process.pid)) });
  });
  afterAll(async () => {
    await s?.close();
  });

  test('alive, not ready, cause logged', async () => {
    expect((await request(`${s.url}/v2/health/live`)).status).toBe(200);
    expect((await request(`${s.url}/v2/health/ready`)).status).toBe(503);
    const logged = s.logs.find((r) => r.msg === 'startup model failed to load; the server stays up and not ready');
    expect(logged).toBeDefined();
    expect(String(logged!.err)).toMatch(/does not exist/);
    expectError(await postJson(`${s.url}/invocations`, { instances: [[1, 2, 3, 4]] }), 404, 'RT_ERR_MODEL_NOT_FOUND', 'model');
  });
});

describe('not ready until the startup model is loaded', () => {
  test('ready is 503 before loadStartupModels and 200 after', async () => {
    const s = await startServer({ modelDir: MODELS.tiny }, { noLoad: true });
    try {
      expect((await request(`${s.url}/v2/health/live`)).status).toBe(200);
      expect((await request(`${s.url}/v2/health/ready`)).status).toBe(503);
      expect((await request(`${s.url}/ping`)).status).toBe(503);
      await s.runtime.loadStartupModels();
      expect((await request(`${s.url}/v2/health/ready`)).status).toBe(200);
      expect((await request(`${s.url}/ping`)).status).toBe(200);
    } finally {
      await s.close();
    }
  });
});

describe('drain', () => {
  test('shutdown lets the in-flight request finish with 200 and turns readiness off', async () => {
    const s = await startServer({ modelDir: MODELS.mlpBench, workers: 1, drainTimeoutMs: 20_000 });
    let shut: Promise<void> | undefined;
    try {
      const slow = float32Request('input', 1024, 256, () => 0.25);
      const inflight = request(MLP(s), { method: 'POST', headers: slow.headers, body: slow.body });
      // Wait until the request is inside the runtime.
      const entered = await waitFor(async () => s.runtime.metrics.inflightNow() === 1, 5000, 2);
      expect(entered).toBe(true);
      expect(s.runtime.ready).toBe(true);
      shut = s.runtime.shutdown();
      expect(s.runtime.ready).toBe(false);
      expect(s.runtime.live).toBe(true);
      const r = await inflight;
      expect(r.status).toBe(200);
      const len = Number(r.headers.get('inference-header-content-length'));
      expect(JSON.parse(r.raw.subarray(0, len).toString()).outputs[0].shape).toEqual([1024, 256]);
      expect(r.raw.length - len).toBe(1024 * 256 * 4);
      const t0 = Date.now();
      await shut;
      // Well inside the drain timeout (20 s): finished requests do not hold the listener open.
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(s.logs.find((x) => x.msg === 'draining')).toBeDefined();
      expect(s.logs.find((x) => x.msg === 'stopped')).toBeDefined();
      // The listener is closed: new connections are refused.
      await expect(fetch(`${s.url}/v2/health/live`)).rejects.toThrow();
    } finally {
      await (shut ?? s.close());
    }
  });
});
