/**
 * Runtime configuration: every bad environment value reported at once, the platforms' port
 * variables honoured, and execution-provider fallback to CPU on this CPU-only machine.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ServingStackError } from '../../lib/core/errors';
import { loadConfig } from '../../lib/runtime/config';
import { MODELS, postJson, startServer } from './helpers';

const base = { SERVINGSTACK_MODEL_DIR: MODELS.tiny };

function configError(env: Record<string, string>): ServingStackError {
  try {
    loadConfig(env);
  } catch (e) {
    expect(ServingStackError.isServingStackError(e)).toBe(true);
    return e as ServingStackError;
  }
  throw new Error('loadConfig accepted a bad configuration');
}

describe('loadConfig', () => {
  test('AZUREML_MODEL_DIR: the package itself, or the one package folder inside the mount; SERVINGSTACK_MODEL_DIR wins', () => {
    const mount = fs.mkdtempSync(path.join(os.tmpdir(), 'azureml-'));
    try {
      expect(loadConfig({ AZUREML_MODEL_DIR: MODELS.tiny }).modelDir).toBe(MODELS.tiny);
      fs.cpSync(MODELS.tiny, path.join(mount, 'package'), { recursive: true });
      expect(loadConfig({ AZUREML_MODEL_DIR: mount }).modelDir).toBe(path.join(mount, 'package'));
      expect(loadConfig({ AZUREML_MODEL_DIR: mount, SERVINGSTACK_MODEL_DIR: MODELS.tiny }).modelDir).toBe(MODELS.tiny);
      fs.cpSync(MODELS.tiny, path.join(mount, 'second'), { recursive: true });
      const e = configError({ AZUREML_MODEL_DIR: mount });
      expect(e.code).toBe('RT_ERR_CONFIG');
      expect(e.issues).toEqual([expect.objectContaining({ field: 'AZUREML_MODEL_DIR', message: 'holds several model packages', received: ['package', 'second'] })]);
      expect(configError({ AZUREML_MODEL_DIR: path.join(mount, 'missing') }).issues[0]).toEqual(expect.objectContaining({ field: 'AZUREML_MODEL_DIR', message: 'is not a directory' }));
    } finally {
      fs.rmSync(mount, { recursive: true, force: true });
    }
  });

  test('rejects bad values, listing every bad field in one error', () => {
    const e = configError({
      ...base,
      SERVINGSTACK_WORKERS: 'abc',
      SERVINGSTACK_EXECUTION_PROVIDERS: 'foo',
      SERVINGSTACK_PORT: '70000',
      SERVINGSTACK_WARMUP: 'maybe',
      SERVINGSTACK_GRAPH_OPTIMIZATION: 'max',
      SERVINGSTACK_LOG_LEVEL: 'loud',
      SERVINGSTACK_BODY_LIMIT_BYTES: '10',
    });
    expect(e.code).toBe('RT_ERR_CONFIG');
    const fields = e.issues.map((i) => i.field).sort();
    expect(fields).toEqual(
      ['SERVINGSTACK_BODY_LIMIT_BYTES', 'SERVINGSTACK_EXECUTION_PROVIDERS', 'SERVINGSTACK_GRAPH_OPTIMIZATION', 'SERVINGSTACK_LOG_LEVEL', 'SERVINGSTACK_PORT', 'SERVINGSTACK_WARMUP', 'SERVINGSTACK_WORKERS'].sort(),
    );
    for (const f of fields) expect(e.message).toContain(f);
    const workers = e.issues.find((i) => i.field === 'SERVINGSTACK_WORKERS')!;
    expect(workers.received).toBe('abc');
    const ep = e.issues.find((i) => i.field === 'SERVINGSTACK_EXECUTION_PROVIDERS')!;
    expect(ep.message).toMatch(/foo/);
    expect(ep.allowed).toMatch(/cpu/);
  });

  test.each([
    ['SERVINGSTACK_WORKERS', '0'],
    ['SERVINGSTACK_WORKERS', '1.5'],
    ['SERVINGSTACK_MAX_QUEUE_SIZE', '-1'],
    ['SERVINGSTACK_REQUEST_TIMEOUT_MS', 'soon'],
    ['SERVINGSTACK_MAX_JSON_DEPTH', '1000'],
    ['SAGEMAKER_BIND_TO_PORT', 'eighty'],
    ['AIP_HTTP_PORT', '0'],
    ['AIP_PREDICT_ROUTE', 'predict'],
    ['AIP_HEALTH_ROUTE', '/health?x=1'],
    ['SERVINGSTACK_EMF', 'on-ish'],
  ])('%s=%s is rejected naming the variable', (name, value) => {
    const e = configError({ ...base, [name]: value });
    expect(e.issues.map((i) => i.field)).toContain(name);
  });

  test('no model and not multi-model is an error naming SERVINGSTACK_MODEL_DIR', () => {
    const e = configError({});
    expect(e.issues.map((i) => i.field)).toEqual(['SERVINGSTACK_MODEL_DIR']);
  });

  test('honours SAGEMAKER_BIND_TO_PORT and AIP_HTTP_PORT; SERVINGSTACK_PORT and flags win', () => {
    expect(loadConfig({ ...base }).port).toBe(8080);
    expect(loadConfig({ ...base, SAGEMAKER_BIND_TO_PORT: '9001' }).port).toBe(9001);
    expect(loadConfig({ ...base, AIP_HTTP_PORT: '7080' }).port).toBe(7080);
    expect(loadConfig({ ...base, SERVINGSTACK_PORT: '8555', AIP_HTTP_PORT: '7080' }).port).toBe(8555);
    expect(loadConfig({ ...base, AIP_HTTP_PORT: '7080' }, { port: 1234 }).port).toBe(1234);
  });

  test('reads the Vertex routes and multi-model switches', () => {
    const c = loadConfig({ AIP_HTTP_PORT: '8080', AIP_HEALTH_ROUTE: '/h', AIP_PREDICT_ROUTE: '/v1/endpoints/1/deployedModels/2:predict', SAGEMAKER_MULTI_MODEL: 'true' });
    expect(c.vertexHealthRoute).toBe('/h');
    expect(c.vertexPredictRoute).toBe('/v1/endpoints/1/deployedModels/2:predict');
    expect(c.multiModel).toBe(true);
  });

  test('parses good values and freezes the result', () => {
    const c = loadConfig({ ...base, SERVINGSTACK_WORKERS: '3', SERVINGSTACK_EXECUTION_PROVIDERS: 'CUDA, cpu', SERVINGSTACK_WARMUP: 'false', SERVINGSTACK_MAX_QUEUE_SIZE: '7' });
    expect(c.workers).toBe(3);
    expect(c.executionProviders).toEqual(['cuda', 'cpu']);
    expect(c.warmup).toBe(false);
    expect(c.maxQueueSize).toBe(7);
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.executionProviders)).toBe(true);
  });
});

describe('execution provider fallback', () => {
  test("['cuda', 'cpu'] loads on a CPU-only machine with provider cpu and a warning", async () => {
    const s = await startServer({ modelDir: MODELS.tiny, executionProviders: ['cuda', 'cpu'] });
    try {
      const model = s.runtime.repository.get('tiny');
      expect(model?.state).toBe('ready');
      expect(model?.provider).toBe('cpu');
      const warning = s.logs.find((r) => r.level === 40 && /cuda/i.test(String(r.msg)));
      expect(warning).toBeDefined();
      expect(String(warning!.msg)).toMatch(/falling back/);
      const ready = s.logs.find((r) => r.msg === 'model ready');
      expect(ready!.provider).toBe('cpu');
      const r = await postJson(`${s.url}/v2/models/tiny/infer`, { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: [0, 0, 0, 0] }] });
      expect(r.status).toBe(200);
      expect(r.json.outputs[0].data).toEqual([1, 1, 1, 1]);
    } finally {
      await s.close();
    }
  });
});
