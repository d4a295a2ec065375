/**
 * SageMaker's container contracts over real HTTP: /ping and /invocations (JSON instances, CSV,
 * Accept negotiation, custom attributes), and the multi-model endpoint API confined to a model root.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expectError, MODELS, postJson, request, startServer, TestServer } from './helpers';

describe('single model', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ modelDir: MODELS.tiny });
  });
  afterAll(async () => {
    await s?.close();
  });

  test('/ping is 200 when the model is ready', async () => {
    const r = await request(`${s.url}/ping`);
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ status: 'healthy' });
  });

  test('JSON {instances} → {predictions}', async () => {
    const r = await postJson(`${s.url}/invocations`, { instances: [[1, 2, 3, 4], [0, 0, 0, -1]] });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    expect(r.json).toEqual({ predictions: [[3, 5, 7, 9], [1, 1, 1, -1]] });
  });

  test('a bare JSON array of rows also works', async () => {
    const r = await postJson(`${s.url}/invocations`, [[0.5, 0.5, 0.5, 0.5]]);
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ predictions: [[2, 2, 2, 2]] });
  });

  test('CSV in, Accept text/csv → CSV out', async () => {
    const r = await request(`${s.url}/invocations`, { method: 'POST', headers: { 'content-type': 'text/csv', accept: 'text/csv' }, body: '1,2,3,4\n0,0,0,0\r\n\n10,20,30,40\n' });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(r.text).toBe('3,5,7,9\n1,1,1,1\n21,41,61,81\n');
  });

  test('CSV in, Accept application/json → JSON predictions', async () => {
    const r = await request(`${s.url}/invocations`, { method: 'POST', headers: { 'content-type': 'text/csv', accept: 'application/json' }, body: '1,1,1,1\n' });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    expect(r.json).toEqual({ predictions: [[3, 3, 3, 3]] });
  });

  test('JSON in, Accept text/csv → CSV out', async () => {
    const r = await postJson(`${s.url}/invocations`, { instances: [[0, 1, 2, 3]] }, { accept: 'text/csv' });
    expect(r.status).toBe(200);
    expect(r.text).toBe('1,3,5,7\n');
  });

  test('an Accept the server cannot produce → 406', async () => {
    const r = await postJson(`${s.url}/invocations`, { instances: [[0, 1, 2, 3]] }, { accept: 'application/xml' });
    expectError(r, 406, 'RT_ERR_NOT_ACCEPTABLE', 'Accept');
    expect(r.json.received).toBe('application/xml');
    expect(r.json.allowed).toMatch(/application\/json/);
    expect(r.json.allowed).toMatch(/text\/csv/);
  });

  test('ragged or non-numeric CSV is a 400 naming the cell', async () => {
    const ragged = await request(`${s.url}/invocations`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: '1,2,3,4\n1,2,3\n' });
    expectError(ragged, 400, 'RT_ERR_BAD_CSV', 'body[1]');
    const word = await request(`${s.url}/invocations`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: '1,2,x,4\n' });
    expectError(word, 400, 'RT_ERR_BAD_CSV', 'body[0][2]');
    const width = await request(`${s.url}/invocations`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: '1,2,3\n' });
    expectError(width, 400, 'RT_ERR_SHAPE', 'body[0]');
  });

  test('X-Amzn-SageMaker-Custom-Attributes is echoed, on success and on error', async () => {
    const attrs = 'trace-id=abc123,tenant=7';
    const ok = await postJson(`${s.url}/invocations`, { instances: [[0, 0, 0, 0]] }, { 'x-amzn-sagemaker-custom-attributes': attrs });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-amzn-sagemaker-custom-attributes')).toBe(attrs);
    const bad = await postJson(`${s.url}/invocations`, { instances: [[0, 0, 0]] }, { 'x-amzn-sagemaker-custom-attributes': attrs });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('x-amzn-sagemaker-custom-attributes')).toBe(attrs);
    const none = await postJson(`${s.url}/invocations`, { instances: [[0, 0, 0, 0]] });
    expect(none.headers.get('x-amzn-sagemaker-custom-attributes')).toBeNull();
  });

  test('an OIP request on /invocations gets an OIP response', async () => {
    const r = await postJson(`${s.url}/invocations`, { id: 'x1', inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: [1, 1, 1, 1] }] });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ model_name: 'tiny', model_version: '1.0.0', id: 'x1', outputs: [{ name: 'output', datatype: 'FP32', shape: [1, 4], data: [3, 3, 3, 3] }] });
  });

  test('Inference-Header-Content-Length: 0 sends raw tensor bytes to a single-input model', async () => {
    const body = Buffer.from(new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]).buffer);
    const r = await request(`${s.url}/v2/models/tiny/infer`, { method: 'POST', headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': '0' }, body });
    expect(r.status).toBe(200);
    const len = Number(r.headers.get('inference-header-content-length'));
    const header = JSON.parse(r.raw.subarray(0, len).toString());
    expect(header.outputs[0].shape).toEqual([2, 4]);
    expect(header.outputs[0].parameters.binary_data_size).toBe(32);
    const out = new Float32Array(new Uint8Array(r.raw.subarray(len)).buffer);
    expect(Array.from(out)).toEqual([3, 5, 7, 9, 11, 13, 15, 17]);
    const odd = await request(`${s.url}/v2/models/tiny/infer`, { method: 'POST', headers: { 'inference-header-content-length': '0' }, body: Buffer.alloc(12) });
    expectError(odd, 400, 'RT_ERR_BINARY', 'body');
  });

  test('the multi-model routes do not exist in single-model mode', async () => {
    expectError(await request(`${s.url}/models`), 404, 'RT_ERR_ROUTE_NOT_FOUND', 'path');
    expectError(await postJson(`${s.url}/models`, { model_name: 'x', url: '/etc' }), 404, 'RT_ERR_ROUTE_NOT_FOUND', 'path');
  });

  test('an unsupported Content-Type on /invocations is 415', async () => {
    const r = await request(`${s.url}/invocations`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: 'xx' });
    expectError(r, 415, 'RT_ERR_UNSUPPORTED_MEDIA_TYPE', 'Content-Type');
  });
});

describe('multi-model endpoint', () => {
  let s: TestServer;
  let root: string;
  let outside: string;

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-mme-'));
    outside = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-outside-'));
    for (const name of ['alpha', 'beta']) fs.cpSync(MODELS.tiny, path.join(root, name, 'model'), { recursive: true });
    fs.cpSync(MODELS.tiny, path.join(outside, 'model'), { recursive: true });
    fs.symlinkSync(path.join(outside, 'model'), path.join(root, 'sneaky'));
    fs.mkdirSync(path.join(root, 'garbage'));
    fs.copyFileSync(path.join(MODELS.tiny, 'servingstack.json'), path.join(root, 'garbage', 'servingstack.json'));
    fs.writeFileSync(path.join(root, 'garbage', 'model.onnx'), 'this is not an onnx protobuf');
    s = await startServer({ multiModel: true, modelRoot: root });
  });
  afterAll(async () => {
    await s?.close();
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(outside, { recursive: true, force: true });
  });

  test('/ping is 200 with no model loaded; GET /models is empty', async () => {
    expect((await request(`${s.url}/ping`)).status).toBe(200);
    const list = await request(`${s.url}/models`);
    expect(list.status).toBe(200);
    expect(list.json).toEqual({ models: [] });
  });

  test('load, duplicate, list, describe, invoke, unload', async () => {
    const load = await postJson(`${s.url}/models`, { model_name: 'alpha', url: path.join(root, 'alpha', 'model') });
    expect(load.status).toBe(200);
    expect(load.json.message).toMatch(/alpha/);
    const again = await postJson(`${s.url}/models`, { model_name: 'alpha', url: path.join(root, 'alpha', 'model') });
    expectError(again, 409, 'RT_ERR_MODEL_EXISTS', 'model_name');
    const loadB = await postJson(`${s.url}/models`, { model_name: 'beta', url: 'beta/model' }); // relative to the root
    expect(loadB.status).toBe(200);

    const list = await request(`${s.url}/models`);
    expect(list.status).toBe(200);
    const names = list.json.models.map((m: { modelName: string }) => m.modelName).sort();
    expect(names).toEqual(['alpha', 'beta']);
    for (const m of list.json.models) expect(typeof m.modelUrl).toBe('string');

    const one = await request(`${s.url}/models/alpha`);
    expect(one.status).toBe(200);
    expect(one.json.modelName).toBe('alpha');
    expect(one.json.modelUrl).toBe(fs.realpathSync(path.join(root, 'alpha', 'model')));
    expect(one.json.state).toBe('ready');

    const inv = await postJson(`${s.url}/models/alpha/invoke`, { instances: [[1, 2, 3, 4]] });
    expect(inv.status).toBe(200);
    expect(inv.json).toEqual({ predictions: [[3, 5, 7, 9]] });
    const target = await postJson(`${s.url}/invocations`, { instances: [[0, 0, 0, 0]] }, { 'x-amzn-sagemaker-target-model': 'beta' });
    expect(target.status).toBe(200);
    expect(target.json).toEqual({ predictions: [[1, 1, 1, 1]] });
    const ambiguous = await postJson(`${s.url}/invocations`, { instances: [[0, 0, 0, 0]] });
    expectError(ambiguous, 404, 'RT_ERR_MODEL_NOT_FOUND', 'model');

    const del = await request(`${s.url}/models/alpha`, { method: 'DELETE' });
    expect(del.status).toBe(200);
    expectError(await request(`${s.url}/models/alpha`), 404, 'RT_ERR_MODEL_NOT_FOUND', 'model');
    expectError(await postJson(`${s.url}/models/alpha/invoke`, { instances: [[1, 2, 3, 4]] }), 404, 'RT_ERR_MODEL_NOT_FOUND', 'model');
    expectError(await request(`${s.url}/models/alpha`, { method: 'DELETE' }), 404, 'RT_ERR_MODEL_NOT_FOUND', 'model');
    const after = await request(`${s.url}/models`);
    expect(after.json.models.map((m: { modelName: string }) => m.modelName)).toEqual(['beta']);

    // Unloaded names can be loaded again.
    const reload = await postJson(`${s.url}/models`, { model_name: 'alpha', url: 'alpha/model' });
    expect(reload.status).toBe(200);
    expect((await postJson(`${s.url}/models/alpha/invoke`, { instances: [[1, 1, 1, 1]] })).json).toEqual({ predictions: [[3, 3, 3, 3]] });
  });

  test('PATCH /models/:name is 405 with Allow: GET, DELETE', async () => {
    const r = await request(`${s.url}/models/alpha`, { method: 'PATCH', body: '{}', headers: { 'content-type': 'application/json' } });
    expectError(r, 405, 'RT_ERR_METHOD_NOT_ALLOWED', 'method');
    expect(r.headers.get('allow')).toBe('GET, DELETE');
  });

  test('unknown models are 404 on every route', async () => {
    expectError(await request(`${s.url}/models/ghost`), 404, 'RT_ERR_MODEL_NOT_FOUND', 'model');
    expectError(await request(`${s.url}/models/ghost`, { method: 'DELETE' }), 404, 'RT_ERR_MODEL_NOT_FOUND', 'model');
    expectError(await postJson(`${s.url}/models/ghost/invoke`, { instances: [[1, 2, 3, 4]] }), 404, 'RT_ERR_MODEL_NOT_FOUND', 'model');
    expectError(await postJson(`${s.url}/invocations`, { instances: [[1, 2, 3, 4]] }, { 'x-amzn-sagemaker-target-model': 'ghost.tar.gz' }), 404, 'RT_ERR_MODEL_NOT_FOUND', 'model');
  });

  test.each([
    ['a relative path escaping the root', '../..'],
    ['a relative path escaping through a subdir', 'alpha/../../etc'],
    ['an absolute path outside the root', '/etc'],
    ['a system directory', '/proc/self'],
    ['a symlink inside the root pointing outside', 'sneaky'],
    ['a path that does not exist', 'nothing-here'],
  ])('a url that is %s → 400 naming url', async (_what, url) => {
    const r = await postJson(`${s.url}/models`, { model_name: 'evil', url });
    expectError(r, 400, 'RT_ERR_MODEL_PATH', 'url');
    expect(r.json.received).toBe(url);
    expect((await request(`${s.url}/models/evil`)).status).toBe(404);
  });

  test('malformed load requests name the bad field', async () => {
    expectError(await postJson(`${s.url}/models`, { url: 'beta/model' }), 400, 'RT_ERR_BAD_REQUEST', 'model_name');
    expectError(await postJson(`${s.url}/models`, { model_name: '../x', url: 'beta/model' }), 400, 'RT_ERR_BAD_REQUEST', 'model_name');
    expectError(await postJson(`${s.url}/models`, { model_name: 'gamma' }), 400, 'RT_ERR_BAD_REQUEST', 'url');
    expectError(await postJson(`${s.url}/models`, '{"model_name": '), 400, 'RT_ERR_BAD_JSON', 'body');
  });

  test('a directory inside the root with no model is refused naming url', async () => {
    fs.mkdirSync(path.join(root, 'empty-dir'), { recursive: true });
    const r = await postJson(`${s.url}/models`, { model_name: 'empty', url: 'empty-dir' });
    expectError(r, 400, 'RT_ERR_MODEL_PATH', 'url');
  });

  test('a package whose model.onnx is garbage fails with 400 and the server keeps serving', async () => {
    const r = await postJson(`${s.url}/models`, { model_name: 'broken', url: 'garbage' });
    expectError(r, 400, 'RT_ERR_MODEL_PATH', 'url');
    expect(r.json.error).toMatch(/failed to load/);
    expect((await request(`${s.url}/ping`)).status).toBe(200);
    const ok = await postJson(`${s.url}/models/beta/invoke`, { instances: [[2, 2, 2, 2]] });
    expect(ok.json).toEqual({ predictions: [[5, 5, 5, 5]] });
    // The failed name can be loaded from a good package afterwards.
    const fixed = await postJson(`${s.url}/models`, { model_name: 'broken', url: 'beta/model' });
    expect(fixed.status).toBe(200);
  });
});
