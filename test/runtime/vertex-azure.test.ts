/**
 * Vertex AI (routes from AIP_* environment variables, including a literal ':' in the predict
 * route) and Azure ML online endpoint routes, over real HTTP.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expectError, MODELS, postJson, request, startServer, TestServer } from './helpers';

const HEALTH = '/health/x/y';
const PREDICT = '/v1/endpoints/e/deployedModels/d:predict';

describe('Vertex AI', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ modelDir: MODELS.tiny }, { env: { AIP_HTTP_PORT: '8089', AIP_HEALTH_ROUTE: HEALTH, AIP_PREDICT_ROUTE: PREDICT } });
  });
  afterAll(async () => {
    await s?.close();
  });

  test('the configuration carries the routes', () => {
    expect(s.runtime.config.vertexHealthRoute).toBe(HEALTH);
    expect(s.runtime.config.vertexPredictRoute).toBe(PREDICT);
  });

  test('the health route answers 200 when ready', async () => {
    const r = await request(`${s.url}${HEALTH}`);
    expect(r.status).toBe(200);
    expect(r.json).toEqual({});
  });

  test('the predict route with a literal colon: {instances, parameters} → {predictions}', async () => {
    const r = await postJson(`${s.url}${PREDICT}`, { instances: [[1, 2, 3, 4], [4, 3, 2, 1]], parameters: { temperature: 0 } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    expect(r.json).toEqual({ predictions: [[3, 5, 7, 9], [9, 7, 5, 3]] });
  });

  test('the colon is literal: near-miss paths are 404, not a parameter match', async () => {
    for (const p of ['/v1/endpoints/e/deployedModels/dXpredict', '/v1/endpoints/e/deployedModels/d:predictx', '/v1/endpoints/e/deployedModels/d:explain', '/v1/endpoints/e/deployedModels/d']) {
      const r = await postJson(`${s.url}${p}`, { instances: [[1, 2, 3, 4]] });
      expectError(r, 404, 'RT_ERR_ROUTE_NOT_FOUND', 'path');
    }
  });

  test('GET on the predict route is 405 with Allow: POST', async () => {
    const r = await request(`${s.url}${PREDICT}`);
    expectError(r, 405, 'RT_ERR_METHOD_NOT_ALLOWED', 'method');
    expect(r.headers.get('allow')).toBe('POST');
  });

  test('parameters must be an object', async () => {
    const r = await postJson(`${s.url}${PREDICT}`, { instances: [[1, 2, 3, 4]], parameters: 'hot' });
    expectError(r, 400, 'RT_ERR_BAD_PARAMETER', 'parameters');
  });

  test('a body with no instances is 400 naming instances', async () => {
    const r = await postJson(`${s.url}${PREDICT}`, { rows: [[1, 2, 3, 4]] });
    expectError(r, 400, 'RT_ERR_BAD_REQUEST', 'instances');
  });

  test('Vertex reads an "inputs" key as instances, not as OIP', async () => {
    const r = await postJson(`${s.url}${PREDICT}`, { inputs: [[0, 0, 0, 0]] });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ predictions: [[1, 1, 1, 1]] });
  });
});

describe('Azure ML', () => {
  let s: TestServer;
  let mount: string;
  beforeAll(async () => {
    // Laid out as Azure mounts a folder model: AZUREML_MODEL_DIR is the version's folder, the
    // package is the uploaded folder inside it.
    mount = fs.mkdtempSync(path.join(os.tmpdir(), 'azureml-models-'));
    fs.cpSync(MODELS.breastCancer, path.join(mount, 'package'), { recursive: true });
    s = await startServer({}, { env: { AZUREML_MODEL_DIR: mount } });
  });
  afterAll(async () => {
    await s?.close();
    fs.rmSync(mount, { recursive: true, force: true });
  });

  test('the package is found one level below AZUREML_MODEL_DIR', () => {
    expect(s.runtime.config.modelDir).toBe(path.join(mount, 'package'));
  });

  test('GET / is live, GET /ready is ready', async () => {
    const live = await request(`${s.url}/`);
    expect(live.status).toBe(200);
    expect(live.json).toEqual({ live: true });
    const ready = await request(`${s.url}/ready`);
    expect(ready.status).toBe(200);
    expect(ready.json).toEqual({ ready: true });
  });

  test('POST /score with {"data": [...]} → predictions keyed by output for a multi-output model', async () => {
    const row = Array.from({ length: 30 }, () => 0);
    const r = await postJson(`${s.url}/score`, { data: [row, row] });
    expect(r.status).toBe(200);
    expect(r.json.predictions).toHaveLength(2);
    const p = r.json.predictions[0];
    expect(Object.keys(p).sort()).toEqual(['label', 'probabilities']);
    expect(p.probabilities).toHaveLength(2);
    expect(p.probabilities[0] + p.probabilities[1]).toBeCloseTo(1, 4);
    expect([0, 1]).toContain(p.label);
    expect(r.json.predictions[1]).toEqual(p);
  });

  test('POST /score with input_data also works; CSV is refused with 415', async () => {
    const row = Array.from({ length: 30 }, () => 1);
    const r = await postJson(`${s.url}/score`, { input_data: [row] });
    expect(r.status).toBe(200);
    expect(r.json.predictions).toHaveLength(1);
    const csv = await request(`${s.url}/score`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: row.join(',') });
    expectError(csv, 415, 'RT_ERR_UNSUPPORTED_MEDIA_TYPE', 'Content-Type');
  });

  test('no Vertex routes are registered without AIP_* settings', async () => {
    const r = await postJson(`${s.url}${PREDICT}`, { instances: [] });
    expectError(r, 404, 'RT_ERR_ROUTE_NOT_FOUND', 'path');
  });
});
