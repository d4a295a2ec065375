/**
 * The on-prem rollout executor against fakes of kubectl, HTTP and files: the exact commands and
 * queries it sends, what it makes of the answers, and what it commits. (A fake proves the calls,
 * not that a cluster answers so: kubectl's JSON and Prometheus' answer shapes are pinned here.)
 */
import { OnPremRollout, RolloutIo, healthQueries, parseDeploymentStatus, parseMlflowModelVersion, parsePrometheusScalar } from '../../../../constructs/onprem/rollout/executor';
import { errorOf, rejectionOf } from '../../../support/errors';

interface FakeIo extends RolloutIo {
  readonly kubectlCalls: string[][];
  readonly urls: string[];
  readonly files: Map<string, string>;
}

function fakeIo(answers: { deployments?: Record<string, unknown>; prometheus?: (query: string) => string | undefined; mlflow?: unknown } = {}): FakeIo {
  const kubectlCalls: string[][] = [];
  const urls: string[] = [];
  const files = new Map<string, string>([['rollout.json', JSON.stringify({ stableVersion: '3', stableModelUri: 's3://models/fraud/3/', canaryVersion: '4', canaryModelUri: 's3://models/fraud/4/', canaryWeight: 10 })]]);
  return {
    kubectlCalls,
    urls,
    files,
    async kubectl(args) {
      kubectlCalls.push([...args]);
      const d = answers.deployments?.[args[args.indexOf('deployment') + 1]!];
      return d === undefined ? '' : JSON.stringify(d);
    },
    async getJson(url) {
      urls.push(url);
      if (url.includes('/api/v1/query')) {
        const value = answers.prometheus?.(new URL(url).searchParams.get('query')!);
        return { status: 'success', data: { resultType: 'vector', result: value === undefined ? [] : [{ metric: {}, value: [1, value] }] } };
      }
      return answers.mlflow;
    },
    readFile(file) {
      const text = files.get(file);
      if (text === undefined) throw new Error(`ENOENT: ${file}`);
      return text;
    },
    writeFile(file, text) {
      files.set(file, text);
    },
  };
}

const READY = { spec: { replicas: 2 }, status: { readyReplicas: 2, updatedReplicas: 2 } };

describe('OnPremRollout', () => {
  test('GIVEN a name THEN it reads both Deployments with kubectl and the gates from Prometheus, p99 in ms', async () => {
    const io = fakeIo({ deployments: { fraud: READY, 'fraud-canary': READY }, prometheus: (q) => (q.startsWith('histogram_quantile') ? '0.25' : '0.5') });
    const observation = await new OnPremRollout(io).observe({ name: 'fraud', namespace: 'serving', context: 'lab', prometheusUrl: 'http://prom:9090/' });
    expect(io.kubectlCalls).toEqual([
      ['--context', 'lab', '-n', 'serving', 'get', 'deployment', 'fraud', '-o', 'json', '--ignore-not-found'],
      ['--context', 'lab', '-n', 'serving', 'get', 'deployment', 'fraud-canary', '-o', 'json', '--ignore-not-found'],
    ]);
    expect(io.urls.every((u) => u.startsWith('http://prom:9090/api/v1/query?query='))).toBe(true);
    expect(io.urls.map((u) => new URL(u).searchParams.get('query'))).toContain(healthQueries('serving', 'fraud', 'canary').errorRatePercent);
    expect(observation.canary).toEqual({ desiredReplicas: 2, readyReplicas: 2, updatedReplicas: 2, errorRatePercent: 0.5, p99LatencyMillis: 250 });
  });

  test('GIVEN a canary whose p99 is above the gate THEN the promotion is refused with the reason, and commit throws', async () => {
    const io = fakeIo({ deployments: { fraud: READY, 'fraud-canary': READY }, prometheus: (q) => (q.startsWith('histogram_quantile') ? '1.5' : '0') });
    const rollout = new OnPremRollout(io);
    const plan = await rollout.planPromote('rollout.json', {}, { name: 'fraud', namespace: 'serving', prometheusUrl: 'http://prom:9090' }, { gates: {} });
    expect(plan).toMatchObject({ action: 'advance', allowed: false, reasons: ['canary: p99 latency 1500 ms is above 1000 ms'] });
    expect(errorOf(() => rollout.commit(plan, 'rollout.json', true), 'SS_ERR_ONPREM_ROLLOUT_REFUSED').issues[0]!.message).toBe('canary: p99 latency 1500 ms is above 1000 ms');
    expect(JSON.parse(io.files.get('rollout.json')!).canaryWeight).toBe(10);
  });

  test('GIVEN a healthy canary THEN it advances and the next state is written', async () => {
    const io = fakeIo({ deployments: { fraud: READY, 'fraud-canary': READY }, prometheus: () => '0.1' });
    const rollout = new OnPremRollout(io);
    const plan = await rollout.planPromote('rollout.json', {}, { name: 'fraud', namespace: 'serving', prometheusUrl: 'http://prom:9090' }, { gates: {} });
    rollout.commit(plan, 'rollout.json', true);
    expect(JSON.parse(io.files.get('rollout.json')!)).toMatchObject({ canaryVersion: '4', canaryWeight: 25 });
  });

  test('GIVEN an alias THEN MLflow is asked for it, and its source becomes the canary URI', async () => {
    const io = fakeIo({ mlflow: { model_version: { version: '5', source: 's3://mlflow/1/abc/artifacts/model' } } });
    expect(await new OnPremRollout(io).resolveTarget({ alias: 'champion', mlflowUrl: 'http://mlflow:5000/', model: 'fraud detector' })).toEqual({ version: '5', modelUri: 's3://mlflow/1/abc/artifacts/model' });
    expect(io.urls).toEqual(['http://mlflow:5000/api/2.0/mlflow/registered-models/alias?name=fraud%20detector&alias=champion']);
  });

  test('GIVEN kubectl failing THEN the error says the cluster is unreachable', async () => {
    const io = { ...fakeIo(), kubectl: async () => Promise.reject(new Error('connection refused')) };
    const e = await rejectionOf(new OnPremRollout(io).observe({ name: 'fraud', namespace: 'serving' }), 'SS_ERR_ONPREM_ROLLOUT_UNREACHABLE');
    expect(e.issues[0]).toMatchObject({ field: 'kubectl', message: 'connection refused' });
  });

  test('GIVEN a state file that is missing or invalid THEN the field is named', () => {
    const io = fakeIo();
    io.files.set('bad.json', JSON.stringify({ stableVersion: '3', stableModelUri: 'gs://x/3' }));
    expect(errorOf(() => new OnPremRollout(io).readState('nope.json'), 'SS_ERR_ONPREM_ROLLOUT_INVALID').message).toContain('cannot be read');
    expect(errorOf(() => new OnPremRollout(io).readState('bad.json'), 'SS_ERR_ONPREM_ROLLOUT_INVALID').issues.map((i) => i.field)).toEqual(['state.stableModelUri']);
  });
});

describe('parsers for what the executor fetches', () => {
  test('kubectl get deployment -o json', () => {
    expect(parseDeploymentStatus({ spec: { replicas: 3 }, status: { replicas: 4, readyReplicas: 3, updatedReplicas: 1 } })).toEqual({ desiredReplicas: 3, readyReplicas: 3, updatedReplicas: 1 });
    expect(parseDeploymentStatus({ spec: { replicas: 1 }, status: {} })).toEqual({ desiredReplicas: 1, readyReplicas: 0, updatedReplicas: 0 });
  });

  test('Prometheus instant query', () => {
    expect(parsePrometheusScalar({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [1700000000, '0.25'] }] } })).toBe(0.25);
    expect(parsePrometheusScalar({ status: 'success', data: { resultType: 'vector', result: [] } })).toBeUndefined();
    expect(parsePrometheusScalar({ status: 'success', data: { resultType: 'vector', result: [{ value: [1, 'NaN'] }] } })).toBeUndefined();
    expect(parsePrometheusScalar({ status: 'error' })).toBeUndefined();
  });

  test('MLflow model version (by version or alias)', () => {
    expect(parseMlflowModelVersion({ model_version: { name: 'fraud', version: '4', source: 's3://mlflow/1/abc/artifacts/model', current_stage: 'None' } })).toEqual({ version: '4', modelUri: 's3://mlflow/1/abc/artifacts/model' });
    expect(() => parseMlflowModelVersion({ error_code: 'RESOURCE_DOES_NOT_EXIST' })).toThrow('without a model_version');
    expect(() => parseMlflowModelVersion({ model_version: { version: '4' } })).toThrow('has no source');
  });

  test('health queries select the track by the labels the scrape job sets, excluding health and admin routes', () => {
    const q = healthQueries('serving', 'fraud', 'canary');
    expect(q.errorRatePercent).toContain('namespace="serving",app="fraud",track="canary"');
    expect(q.errorRatePercent).toContain('status=~"5.."');
    expect(q.errorRatePercent).toMatch(/route!~"[^"]*\/metrics[^"]*"/);
    expect(q.errorRatePercent).toMatch(/route!~"[^"]*\/v2\/models\/:model\/feedback[^"]*"/);
    expect(q.p99LatencySeconds).toMatch(/^histogram_quantile\(0\.99, /);
  });
});
