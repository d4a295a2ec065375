/**
 * The data plane's error paths through the real HTTP layer, socket-free (inject()) with an
 * in-process pool: inference failures, draining, out-of-resources loads, packages that fail the
 * package check (failed models, not unknown ones), request ids and execution parameters.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expectErrorBody, injectRuntime, Injected, json, TINY_ROW } from './inject';
import { MODELS } from './helpers';

const infer = (t: Injected, body: unknown = TINY_ROW, headers: Record<string, string> = {}) =>
  t.runtime.app.inject({ method: 'POST', url: '/v2/models/tiny/infer', headers: { 'content-type': 'application/json', ...headers }, payload: JSON.stringify(body) });

describe('inference through the data plane', () => {
  let t: Injected;
  beforeEach(async () => {
    t = await injectRuntime({ modelDir: MODELS.tiny });
  });
  afterEach(() => t.close());

  test('a request runs on the pool and comes back in OIP form', async () => {
    const r = await infer(t);
    expect(r.statusCode).toBe(200);
    expect(json(r).outputs[0].data).toEqual([3, 5, 7, 9]);
    expect(t.pool.runs.at(-1)!.key).toMatch(/^tiny#/);
  });

  test('GIVEN the model fails to run THEN 500 RT_ERR_INFERENCE_FAILED with the cause, logged as an error, and the server serves on', async () => {
    t.pool.failRun = 'Non-zero status code returned while running Add node';
    const r = await infer(t);
    expectErrorBody(r, 500, 'RT_ERR_INFERENCE_FAILED');
    expect(json(r).error).toMatch(/Add node/);
    const logged = t.logs.find((l) => l.code === 'RT_ERR_INFERENCE_FAILED');
    expect(logged).toMatchObject({ level: 50, model: 'tiny' });
    t.pool.failRun = undefined;
    expect((await infer(t)).statusCode).toBe(200);
  });

  test('draining: readiness off while requests are still served, each answer closing its connection', async () => {
    t.runtime.plane.lifecycle = 'draining';
    const ready = await t.runtime.app.inject({ url: '/v2/health/ready' });
    expect(ready.statusCode).toBe(503);
    expect((await t.runtime.app.inject({ url: '/ping' })).statusCode).toBe(503);
    expect((await t.runtime.app.inject({ url: '/v2/health/live' })).statusCode).toBe(200);
    const r = await infer(t);
    expect(r.statusCode).toBe(200);
    expect(r.headers.connection).toBe('close');
    const unknown = await t.runtime.app.inject({ url: '/v3/nothing' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.headers.connection).toBe('close');
  });

  test('refusing (after the grace period): 503 RT_ERR_DRAINING with Retry-After and Connection: close, before the body is decoded', async () => {
    t.runtime.plane.lifecycle = 'refusing';
    const runs = t.pool.runs.length;
    for (const body of [TINY_ROW, { inputs: 'not even valid' }]) {
      const r = await infer(t, body);
      expectErrorBody(r, 503, 'RT_ERR_DRAINING');
      expect(r.headers['retry-after']).toBe('5');
      expect(r.headers.connection).toBe('close');
    }
    const sm = await t.runtime.app.inject({ method: 'POST', url: '/invocations', headers: { 'content-type': 'application/json' }, payload: '{"instances":[[1,2,3,4]]}' });
    expectErrorBody(sm, 503, 'RT_ERR_DRAINING');
    expect(t.pool.runs.length).toBe(runs);
  });

  test('request ids: the client’s X-Request-Id is echoed; otherwise (or when it is unreasonable) a random UUID', async () => {
    expect((await infer(t, TINY_ROW, { 'x-request-id': 'trace-42' })).headers['x-request-id']).toBe('trace-42');
    const ids = await Promise.all([infer(t), infer(t), infer(t, TINY_ROW, { 'x-request-id': 'x'.repeat(500) })].map(async (p) => (await p).headers['x-request-id'] as string));
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(3);
  });
});

describe('GET /execution-parameters (SageMaker batch transform)', () => {
  test.each([
    ['a batchable model, 6 MiB bodies, 3 workers', MODELS.tiny, { workers: 3 }, { MaxConcurrentTransforms: 3, BatchStrategy: 'MULTI_RECORD', MaxPayloadInMB: 6 }],
    ['a model with a fixed batch dimension', MODELS.staticShape, { workers: 1 }, { MaxConcurrentTransforms: 1, BatchStrategy: 'SINGLE_RECORD', MaxPayloadInMB: 6 }],
    ['a body limit above SageMaker’s 100 MB maximum', MODELS.tiny, { workers: 2, bodyLimitBytes: 512 * 1024 * 1024 }, { MaxConcurrentTransforms: 2, BatchStrategy: 'MULTI_RECORD', MaxPayloadInMB: 100 }],
    ['a body limit under 1 MiB', MODELS.tiny, { workers: 2, bodyLimitBytes: 256 * 1024 }, { MaxConcurrentTransforms: 2, BatchStrategy: 'MULTI_RECORD', MaxPayloadInMB: 1 }],
  ])('%s', async (_what, modelDir, overrides, expected) => {
    const t = await injectRuntime({ modelDir, ...overrides });
    try {
      const r = await t.runtime.app.inject({ url: '/execution-parameters' });
      expect(r.statusCode).toBe(200);
      expect(json(r)).toEqual(expected);
    } finally {
      await t.close();
    }
  });
});

describe('the package check at load (loadModelPackageSync)', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-mismatch-'));
    fs.copyFileSync(path.join(MODELS.tiny, 'model.onnx'), path.join(dir, 'model.onnx'));
    const manifest = JSON.parse(fs.readFileSync(path.join(MODELS.tiny, 'servingstack.json'), 'utf8'));
    manifest.signature.inputs[0].datatype = 'FP64'; // the model says FP32
    fs.writeFileSync(path.join(dir, 'servingstack.json'), JSON.stringify(manifest));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('GIVEN a manifest that disagrees with its model THEN the model is listed as failed (503, ready false) with the mismatch, not unknown (404)', async () => {
    const t = await injectRuntime({ modelDir: dir });
    try {
      const ready = await t.runtime.app.inject({ url: '/v2/models/tiny/ready' });
      expect(ready.statusCode).toBe(503);
      expect(json(ready)).toEqual({ name: 'tiny', ready: false });
      expect((await t.runtime.app.inject({ url: '/v2/health/ready' })).statusCode).toBe(503);
      const r = await infer(t);
      expectErrorBody(r, 503, 'RT_ERR_NOT_READY');
      expect(json(r).error).toMatch(/signature does not match.*datatype/);
      expect(t.pool.loaded.size).toBe(0); // refused before any session was created
      expect(t.logs.find((l) => l.msg === 'model failed to load')).toMatchObject({ level: 50, model: 'tiny' });
    } finally {
      await t.close();
    }
  });
});

describe('multi-model loads', () => {
  let root: string;
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-mme-oom-'));
    fs.cpSync(MODELS.tiny, path.join(root, 'alpha'), { recursive: true });
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  test('GIVEN the load runs out of memory THEN 507 RT_ERR_OUT_OF_RESOURCES (SageMaker evicts a model and retries), and a later load succeeds', async () => {
    const t = await injectRuntime({ multiModel: true, modelRoot: root });
    try {
      t.pool.failLoad = 'std::bad_alloc: failed to allocate memory for the session';
      const load = () => t.runtime.app.inject({ method: 'POST', url: '/models', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ model_name: 'alpha', url: 'alpha' }) });
      const r = await load();
      expectErrorBody(r, 507, 'RT_ERR_OUT_OF_RESOURCES', 'url');
      expect(json(r).error).toMatch(/not enough memory/);
      t.pool.failLoad = undefined;
      expect((await load()).statusCode).toBe(200);
      const inv = await t.runtime.app.inject({ method: 'POST', url: '/models/alpha/invoke', headers: { 'content-type': 'application/json' }, payload: '{"instances":[[0,0,0,0]]}' });
      expect(json(inv)).toEqual({ predictions: [[1, 1, 1, 1]] });
    } finally {
      await t.close();
    }
  });
});
