/**
 * Open Inference Protocol's model repository extension (index, load, unload) on multi-model mode,
 * advertised only where its routes exist; and packages holding a symbolic link that leads outside
 * them, refused like a load path that escapes the model root.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MODELS } from './helpers';
import { expectErrorBody, injectRuntime, Injected, json, TINY_ROW } from './inject';

let root: string;
let outside: string;

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-repo-'));
  outside = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-repo-outside-'));
  for (const name of ['alpha', 'beta']) fs.cpSync(MODELS.tiny, path.join(root, name), { recursive: true });
  fs.mkdirSync(path.join(root, 'garbage'));
  fs.copyFileSync(path.join(MODELS.tiny, 'servingstack.json'), path.join(root, 'garbage', 'servingstack.json'));
  fs.writeFileSync(path.join(root, 'garbage', 'model.onnx'), 'not a protobuf');
  // A package with an extra file that is a link to a file outside it.
  fs.cpSync(MODELS.tiny, path.join(root, 'leaky'), { recursive: true });
  fs.writeFileSync(path.join(outside, 'secret.txt'), 'outside the package');
  fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(root, 'leaky', 'weights.bin'));
  // A package whose model file itself is a link outside it.
  fs.mkdirSync(path.join(root, 'linked-model'));
  fs.copyFileSync(path.join(MODELS.tiny, 'servingstack.json'), path.join(root, 'linked-model', 'servingstack.json'));
  fs.copyFileSync(path.join(MODELS.tiny, 'model.onnx'), path.join(outside, 'model.onnx'));
  fs.symlinkSync(path.join(outside, 'model.onnx'), path.join(root, 'linked-model', 'model.onnx'));
  // Links that stay inside the package are fine.
  fs.cpSync(MODELS.tiny, path.join(root, 'tidy'), { recursive: true });
  fs.renameSync(path.join(root, 'tidy', 'model.onnx'), path.join(root, 'tidy', 'real.onnx'));
  fs.symlinkSync('real.onnx', path.join(root, 'tidy', 'model.onnx'));
});
afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
  fs.rmSync(outside, { recursive: true, force: true });
});

const post = (t: Injected, url: string, payload?: unknown) =>
  t.runtime.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, ...(payload === undefined ? {} : { payload: typeof payload === 'string' ? payload : JSON.stringify(payload) }) });

describe('single-model mode', () => {
  test('does not advertise the repository extension and has none of its routes', async () => {
    const t = await injectRuntime({ modelDir: MODELS.tiny });
    try {
      expect(json(await t.runtime.app.inject({ url: '/v2' })).extensions).toEqual(['binary_tensor_data']);
      expectErrorBody(await post(t, '/v2/repository/index'), 404, 'RT_ERR_ROUTE_NOT_FOUND');
      expectErrorBody(await post(t, '/v2/repository/models/tiny/load'), 404, 'RT_ERR_ROUTE_NOT_FOUND');
    } finally {
      await t.close();
    }
  });

  test('GIVEN the served package holds a link leading outside it THEN it is a failed model (503), not served', async () => {
    const t = await injectRuntime({ modelDir: path.join(root, 'leaky') });
    try {
      const ready = await t.runtime.app.inject({ url: '/v2/models/tiny/ready' });
      expect(ready.statusCode).toBe(503);
      const r = await post(t, '/v2/models/tiny/infer', TINY_ROW);
      expectErrorBody(r, 503, 'RT_ERR_NOT_READY');
      expect(json(r).error).toMatch(/weights\.bin.*symbolic link leading outside/);
    } finally {
      await t.close();
    }
  });
});

describe('multi-model mode', () => {
  let t: Injected;
  beforeAll(async () => {
    t = await injectRuntime({ multiModel: true, modelRoot: root });
  });
  afterAll(() => t?.close());

  test('advertises model_repository; the index lists the root, nothing loaded yet', async () => {
    expect(json(await t.runtime.app.inject({ url: '/v2' })).extensions).toEqual(['binary_tensor_data', 'model_repository']);
    const index = await post(t, '/v2/repository/index');
    expect(index.statusCode).toBe(200);
    expect(json(index)).toEqual(['alpha', 'beta', 'garbage', 'leaky', 'linked-model', 'tidy'].map((name) => ({ name, state: 'UNAVAILABLE', reason: 'not loaded' })));
    expect(json(await post(t, '/v2/repository/index', { ready: true }))).toEqual([]);
  });

  test('load, infer, index, unload; loading twice is 409, unloading twice 404', async () => {
    const load = await post(t, '/v2/repository/models/alpha/load');
    expect(load.statusCode).toBe(200);
    expect(json(load)).toEqual({ name: 'alpha', load: true });
    expectErrorBody(await post(t, '/v2/repository/models/alpha/load', {}), 409, 'RT_ERR_MODEL_EXISTS', 'model_name');
    const inf = await post(t, '/v2/models/alpha/infer', TINY_ROW);
    expect(json(inf).outputs[0].data).toEqual([3, 5, 7, 9]);
    expect(json(await post(t, '/v2/repository/index', { ready: true }))).toEqual([{ name: 'alpha', version: '1.0.0', state: 'READY' }]);
    // The SageMaker multi-model view sees the same models.
    expect(json(await t.runtime.app.inject({ url: '/models' })).models.map((m: { modelName: string }) => m.modelName)).toEqual(['alpha']);

    const unload = await post(t, '/v2/repository/models/alpha/unload', {});
    expect(json(unload)).toEqual({ name: 'alpha', unload: true });
    expectErrorBody(await post(t, '/v2/repository/models/alpha/unload'), 404, 'RT_ERR_MODEL_NOT_FOUND', 'model');
    expectErrorBody(await post(t, '/v2/models/alpha/infer', TINY_ROW), 404, 'RT_ERR_MODEL_NOT_FOUND');
    expect(json(await post(t, '/v2/repository/index')).find((e: { name: string }) => e.name === 'alpha')).toEqual({ name: 'alpha', state: 'UNAVAILABLE', reason: 'not loaded' });
  });

  test('a package that fails to load is 400 and shows UNAVAILABLE in the index with its reason', async () => {
    const r = await post(t, '/v2/repository/models/garbage/load');
    expectErrorBody(r, 400, 'RT_ERR_MODEL_PATH', 'name');
    const entry = json(await post(t, '/v2/repository/index')).find((e: { name: string }) => e.name === 'garbage');
    expect(entry.state).toBe('UNAVAILABLE');
    expect(entry.reason).toMatch(/model\.onnx/);
  });

  test.each([
    ['a file inside the package linking outside it', 'leaky', /weights\.bin/],
    ['a model file linking outside the package', 'linked-model', /symbolic link/],
  ])('%s is refused like a path escaping the root (repository and SageMaker loads)', async (_what, name, message) => {
    const r = await post(t, `/v2/repository/models/${name}/load`);
    expectErrorBody(r, 400, 'RT_ERR_MODEL_PATH', 'name');
    expect(json(r).error).toMatch(message);
    const sm = await post(t, '/models', { model_name: `${name}-sm`, url: name });
    expectErrorBody(sm, 400, 'RT_ERR_MODEL_PATH', 'url');
    expect(json(sm).error).toMatch(message);
    expect(t.pool.loaded.size).toBe(0);
  });

  test('links that stay inside the package are followed', async () => {
    expect((await post(t, '/v2/repository/models/tidy/load')).statusCode).toBe(200);
    expect(json(await post(t, '/v2/models/tidy/infer', TINY_ROW)).outputs[0].data).toEqual([3, 5, 7, 9]);
    expect((await post(t, '/v2/repository/models/tidy/unload')).statusCode).toBe(200);
  });

  test('bad requests name what is wrong', async () => {
    expectErrorBody(await post(t, '/v2/repository/models/nothing-here/load'), 400, 'RT_ERR_MODEL_PATH', 'name');
    expectErrorBody(await post(t, '/v2/repository/models/..%2Fetc/load'), 400, 'RT_ERR_BAD_REQUEST', 'name');
    expectErrorBody(await post(t, '/v2/repository/models/beta/load', { parameters: { config: '{}' } }), 400, 'RT_ERR_BAD_PARAMETER', 'parameters');
    expectErrorBody(await post(t, '/v2/repository/models/beta/load', '[1]'), 400, 'RT_ERR_BAD_REQUEST', 'body');
    expectErrorBody(await post(t, '/v2/repository/index', '{"ready": "yes"}'), 400, 'RT_ERR_BAD_PARAMETER', 'ready');
    expectErrorBody(await t.runtime.app.inject({ url: '/v2/repository/index' }), 405, 'RT_ERR_METHOD_NOT_ALLOWED', 'method');
  });
});
