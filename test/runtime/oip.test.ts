/**
 * Open Inference Protocol v2 over real HTTP: health, server and model metadata, inference with
 * and without versions, ids, requested outputs, nested vs flat data, and real predictions from
 * the breast-cancer example model.
 */
import { breastCancerRows, expectError, MODELS, postJson, request, startServer, TestServer } from './helpers';

let s: TestServer;

beforeAll(async () => {
  s = await startServer({ modelDir: MODELS.breastCancer });
});
afterAll(async () => {
  await s?.close();
});

const rows = breastCancerRows();

function inferBody(features: number[][], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { inputs: [{ name: 'input', datatype: 'FP32', shape: [features.length, 30], data: features.flat() }], ...extra };
}

describe('server endpoints', () => {
  test('live and ready answer 200 with JSON bodies', async () => {
    const live = await request(`${s.url}/v2/health/live`);
    expect(live.status).toBe(200);
    expect(live.json).toEqual({ live: true });
    const ready = await request(`${s.url}/v2/health/ready`);
    expect(ready.status).toBe(200);
    expect(ready.json).toEqual({ ready: true });
    expect(s.runtime.ready).toBe(true);
  });

  test('server metadata names the binary tensor extension', async () => {
    const r = await request(`${s.url}/v2`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/application\/json/);
    expect(r.json.name).toBe('servingstack');
    expect(typeof r.json.version).toBe('string');
    expect(r.json.extensions).toContain('binary_tensor_data');
  });

  test('GET /v2/models lists the loaded model', async () => {
    const r = await request(`${s.url}/v2/models`);
    expect(r.status).toBe(200);
    expect(r.json.models).toEqual(['breast-cancer']);
  });
});

describe('model metadata and readiness', () => {
  test('metadata has platform onnx_onnxv1, versions and -1 for dynamic dims', async () => {
    const r = await request(`${s.url}/v2/models/breast-cancer`);
    expect(r.status).toBe(200);
    expect(r.json).toEqual({
      name: 'breast-cancer',
      versions: ['1.0.0'],
      platform: 'onnx_onnxv1',
      inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 30] }],
      outputs: [
        { name: 'probabilities', datatype: 'FP32', shape: [-1, 2] },
        { name: 'label', datatype: 'INT64', shape: [-1] },
      ],
    });
  });

  test('metadata with the right version answers, a wrong one is 404', async () => {
    const ok = await request(`${s.url}/v2/models/breast-cancer/versions/1.0.0`);
    expect(ok.status).toBe(200);
    expect(ok.json.name).toBe('breast-cancer');
    const bad = await request(`${s.url}/v2/models/breast-cancer/versions/9`);
    expectError(bad, 404, 'RT_ERR_MODEL_NOT_FOUND', 'version');
    expect(bad.json.received).toBe('9');
    expect(bad.json.allowed).toBe('1.0.0');
  });

  test('model ready, with and without version', async () => {
    const r = await request(`${s.url}/v2/models/breast-cancer/ready`);
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ name: 'breast-cancer', ready: true });
    const v = await request(`${s.url}/v2/models/breast-cancer/versions/1.0.0/ready`);
    expect(v.status).toBe(200);
    expect(v.json.ready).toBe(true);
    expectError(await request(`${s.url}/v2/models/nope/ready`), 404, 'RT_ERR_MODEL_NOT_FOUND', 'model');
  });
});

describe('inference', () => {
  test('infer returns every output with model name and version', async () => {
    const r = await postJson(`${s.url}/v2/models/breast-cancer/infer`, inferBody([rows[0].features, rows[19].features]));
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/application\/json/);
    expect(r.json.model_name).toBe('breast-cancer');
    expect(r.json.model_version).toBe('1.0.0');
    expect(r.json.id).toBeUndefined();
    const names = r.json.outputs.map((o: { name: string }) => o.name);
    expect(names).toEqual(['probabilities', 'label']);
    const probs = r.json.outputs[0];
    expect(probs.datatype).toBe('FP32');
    expect(probs.shape).toEqual([2, 2]);
    expect(probs.data).toHaveLength(4);
    for (let i = 0; i < 2; i++) expect(probs.data[2 * i] + probs.data[2 * i + 1]).toBeCloseTo(1, 4);
    const label = r.json.outputs[1];
    expect(label.datatype).toBe('INT64');
    expect(label.shape).toEqual([2]);
  });

  test('infer under /versions/<v> works and a wrong version is 404', async () => {
    const body = inferBody([rows[0].features]);
    const ok = await postJson(`${s.url}/v2/models/breast-cancer/versions/1.0.0/infer`, body);
    expect(ok.status).toBe(200);
    expect(ok.json.outputs).toHaveLength(2);
    const bad = await postJson(`${s.url}/v2/models/breast-cancer/versions/2.0.0/infer`, body);
    expectError(bad, 404, 'RT_ERR_MODEL_NOT_FOUND', 'version');
    const unknown = await postJson(`${s.url}/v2/models/no-such-model/infer`, body);
    expectError(unknown, 404, 'RT_ERR_MODEL_NOT_FOUND', 'model');
  });

  test('the request id is echoed', async () => {
    const r = await postJson(`${s.url}/v2/models/breast-cancer/infer`, inferBody([rows[1].features], { id: 'req-42-abc' }));
    expect(r.status).toBe(200);
    expect(r.json.id).toBe('req-42-abc');
  });

  test('requested outputs: only the named subset, in the requested order', async () => {
    const only = await postJson(`${s.url}/v2/models/breast-cancer/infer`, inferBody([rows[2].features], { outputs: [{ name: 'label' }] }));
    expect(only.status).toBe(200);
    expect(only.json.outputs.map((o: { name: string }) => o.name)).toEqual(['label']);
    const both = await postJson(`${s.url}/v2/models/breast-cancer/infer`, inferBody([rows[2].features], { outputs: [{ name: 'label' }, { name: 'probabilities' }] }));
    expect(both.json.outputs.map((o: { name: string }) => o.name)).toEqual(['label', 'probabilities']);
    expect(both.json.outputs[0].data).toEqual(only.json.outputs[0].data);
    const bad = await postJson(`${s.url}/v2/models/breast-cancer/infer`, inferBody([rows[2].features], { outputs: [{ name: 'logits' }] }));
    expectError(bad, 400, 'RT_ERR_UNKNOWN_OUTPUT', 'outputs[0].name');
  });

  test('nested and flat data give the same result', async () => {
    const features = [rows[3].features, rows[100].features, rows[300].features];
    const flat = await postJson(`${s.url}/v2/models/breast-cancer/infer`, inferBody(features));
    const nested = await postJson(`${s.url}/v2/models/breast-cancer/infer`, {
      inputs: [{ name: 'input', datatype: 'FP32', shape: [3, 30], data: features }],
    });
    expect(flat.status).toBe(200);
    expect(nested.status).toBe(200);
    expect(nested.json.outputs).toEqual(flat.json.outputs);
  });

  test('breast-cancer predictions match the data set labels on chosen rows', async () => {
    // Five malignant and five benign rows spread over the file.
    const malignant = rows.map((r, i) => ({ ...r, i })).filter((r) => r.label === 0);
    const benign = rows.map((r, i) => ({ ...r, i })).filter((r) => r.label === 1);
    const chosen = [0, 40, 80, 120, 160].map((k) => malignant[k]).concat([0, 70, 140, 210, 280].map((k) => benign[k]));
    expect(chosen.every((c) => c !== undefined)).toBe(true);
    const r = await postJson(`${s.url}/v2/models/breast-cancer/infer`, inferBody(chosen.map((c) => c.features), { outputs: [{ name: 'label' }] }));
    expect(r.status).toBe(200);
    const labels: number[] = r.json.outputs[0].data;
    expect(labels).toHaveLength(10);
    const correct = labels.filter((l, k) => l === chosen[k].label).length;
    expect(correct).toBeGreaterThanOrEqual(9);
    // Both classes are predicted (a constant model would not pass).
    expect(new Set(labels).size).toBe(2);
  });

  test('rows sent one by one give the same labels as one batch', async () => {
    const features = [rows[5].features, rows[6].features, rows[7].features, rows[8].features];
    const batch = await postJson(`${s.url}/v2/models/breast-cancer/infer`, inferBody(features, { outputs: [{ name: 'label' }] }));
    const singles = await Promise.all(features.map((f) => postJson(`${s.url}/v2/models/breast-cancer/infer`, inferBody([f], { outputs: [{ name: 'label' }] }))));
    expect(singles.map((x) => x.json.outputs[0].data[0])).toEqual(batch.json.outputs[0].data);
  });
});
