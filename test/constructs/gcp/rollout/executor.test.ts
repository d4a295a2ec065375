/**
 * The rollout against a local fake of the Vertex AI services speaking the real gRPC protocol: the
 * real @google-cloud/aiplatform clients upload, poll long-running operations, deploy, update
 * traffic and undeploy. No test calls Google Cloud.
 */
import * as fs from 'node:fs';
import { rejectionOf } from '../../../support/errors';
import { ENVIRONMENT } from '../../../../lib/runtime/config';
import { DeployResult } from '../../../../constructs/gcp/rollout';
import { ENDPOINT_ID, FIXTURE, Harness, packageVersion, startHarness } from '../../../support/vertex-rollout-harness';

// Requests as the fake received them (proto-loader objects, camelCase).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Req = Record<string, any>;

const ENDPOINT = `projects/demo-project/locations/europe-west4/endpoints/${ENDPOINT_ID}`;
const MODEL = 'projects/demo-project/locations/europe-west4/models/tiny';

let h: Harness;
const tmpDirs: string[] = [];

beforeEach(async () => {
  h = await startHarness();
});

afterEach(async () => {
  await h.close();
});

afterAll(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

function pkg(version: string): string {
  const dir = packageVersion(version);
  tmpDirs.push(dir);
  return dir;
}

function endpoint() {
  return h.fake.endpoints.get(ENDPOINT)!;
}

function aliases(): Record<string, string[]> {
  return Object.fromEntries((h.fake.models.get(MODEL) ?? []).map((v) => [v.versionId, [...v.versionAliases].sort()]));
}

/** Deploy version 1 as the champion; clear the call log. */
async function withChampion(): Promise<DeployResult> {
  const first = await h.rollout().deploy({ packagePath: FIXTURE });
  h.fake.calls.length = 0;
  h.lines.length = 0;
  return first;
}

describe('first deployment', () => {
  test('creates the model, uploads the archive, deploys with 100 % and names it champion', async () => {
    // WHEN
    const result = await h.rollout().deploy({ packagePath: FIXTURE });
    // THEN
    expect(result).toMatchObject({ outcome: 'deployed', modelVersion: '1', uploaded: true });
    expect([...h.artifacts.objects.keys()]).toEqual([expect.stringMatching(/^gs:\/\/demo-project-servingstack-models\/models\/tiny\/1_0_0-[0-9a-f]{12}\/model\.tar\.gz$/)]);
    const upload = h.fake.calls.find((c) => c.method === 'UploadModel')!.request as Req;
    expect(upload).toMatchObject({ parent: 'projects/demo-project/locations/europe-west4', modelId: 'tiny', serviceAccount: 'servingstack-runtime@demo-project.iam.gserviceaccount.com' });
    expect(upload.model.containerSpec).toMatchObject({
      imageUri: 'europe-west4-docker.pkg.dev/demo-project/servingstack-runtime/servingstack-runtime:0.1.0',
      ports: [{ containerPort: 8080 }],
      predictRoute: '/predict',
      healthRoute: '/health',
      env: [{ name: 'SERVINGSTACK_WORKERS', value: '2' }],
    });
    expect(upload.model.labels).toMatchObject({ 'servingstack-version': '1_0_0', 'servingstack-sha256': expect.stringMatching(/^[0-9a-f]{32}$/) });
    const deploy = h.fake.calls.find((c) => c.method === 'DeployModel')!.request as Req;
    expect(deploy.trafficSplit).toEqual({ '0': 100 });
    expect(deploy.deployedModel).toMatchObject({
      model: `${MODEL}@1`,
      displayName: 'tiny-v1',
      serviceAccount: 'servingstack-runtime@demo-project.iam.gserviceaccount.com',
      dedicatedResources: {
        machineSpec: { machineType: 'g2-standard-8', acceleratorType: 'NVIDIA_L4', acceleratorCount: 1 },
        minReplicaCount: 1,
        maxReplicaCount: 3,
        autoscalingMetricSpecs: [{ metricName: 'aiplatform.googleapis.com/prediction/online/accelerator/duty_cycle', target: 70 }],
      },
    });
    expect(h.fake.callNames()).toContain('GetOperation'); // the client polled the long-running operations
    expect(endpoint().deployedModels.map((d) => d.modelVersionId)).toEqual(['1']);
    expect(Object.values(endpoint().trafficSplit)).toEqual([100]);
    expect(aliases()).toEqual({ 1: ['champion', 'default'] });
  });

  test('the env the container spec sets is made of runtime variables the runtime knows', async () => {
    await h.rollout({ env: { SERVINGSTACK_WORKERS: '2', SERVINGSTACK_LOG_LEVEL: 'warn' } }).deploy({ packagePath: FIXTURE });
    const upload = h.fake.calls.find((c) => c.method === 'UploadModel')!.request as Req;
    for (const e of upload.model.containerSpec.env as { name: string }[]) expect(Object.keys(ENVIRONMENT)).toContain(e.name);
  });

  test('with a CMEK key the model version is encrypted with it', async () => {
    const kmsKeyName = 'projects/demo-project/locations/europe-west4/keyRings/serving/cryptoKeys/models';
    await h.rollout({ kmsKeyName }).deploy({ packagePath: FIXTURE });
    expect((h.fake.calls.find((c) => c.method === 'UploadModel')!.request as Req).model.encryptionSpec).toEqual({ kmsKeyName });
  });

  test('a health check that never turns green undeploys the model and leaves the endpoint empty', async () => {
    h.fake.behaviour.availableReplicas = 0;
    const e = await rejectionOf(h.rollout().deploy({ packagePath: FIXTURE }));
    expect(e.code).toBe('SS_ERR_GCP_ROLLOUT_FAILED');
    expect(e.message).toMatch(/version 1 was rolled back: not healthy after 60 s/);
    expect(endpoint().deployedModels).toEqual([]);
    expect(endpoint().trafficSplit).toEqual({});
    expect(h.lines.filter((l) => l.includes('health @'))).toHaveLength(4); // 0, 20, 40, 60 s
  });
});

describe('idempotency', () => {
  test('re-running with the same package changes nothing', async () => {
    const first = await withChampion();
    const again = await h.rollout().deploy({ packagePath: FIXTURE });
    expect(again).toEqual({ outcome: 'unchanged', modelVersion: '1', deployedModelId: first.deployedModelId, uploaded: false });
    expect(h.fake.callNames().filter((m) => !m.startsWith('Get') && !m.startsWith('List'))).toEqual([]);
    expect(h.artifacts.uploads).toBe(1);
  });
});

describe('canary rollout', () => {
  test('deploys next to the champion with the canary share, bakes, promotes, undeploys the loser and moves aliases', async () => {
    const first = await withChampion();
    const result = await h.rollout().deploy({ packagePath: pkg('1.1.0') });
    expect(result).toMatchObject({ outcome: 'promoted', modelVersion: '2', uploaded: true });
    const deploy = h.fake.calls.find((c) => c.method === 'DeployModel')!.request as Req;
    expect(deploy.trafficSplit).toEqual({ '0': 10, [first.deployedModelId!]: 90 });
    expect(h.fake.calls.find((c) => c.method === 'UploadModel')!.request).toMatchObject({ parentModel: MODEL });
    // traffic moved before the undeploy
    const mutations = h.fake.callNames().filter((m) => ['DeployModel', 'UpdateEndpoint', 'UndeployModel'].includes(m));
    expect(mutations).toEqual(['DeployModel', 'UpdateEndpoint', 'UndeployModel']);
    expect(endpoint().deployedModels.map((d) => d.modelVersionId)).toEqual(['2']);
    expect(endpoint().trafficSplit).toEqual({ [result.deployedModelId!]: 100 });
    expect(aliases()).toEqual({ 1: ['default', 'previous'], 2: ['champion'] });
    expect(h.lines.some((l) => /health @20s\/60s: healthy; replicas 1\/1 available/.test(l))).toBe(true);
  });

  test('canary 100 % replaces the champion without a split', async () => {
    await withChampion();
    await h.rollout({ policy: { canaryTrafficPercent: 100, bakeTimeSeconds: 0 } }).deploy({ packagePath: pkg('1.2.0') });
    expect((h.fake.calls.find((c) => c.method === 'DeployModel')!.request as Req).trafficSplit).toEqual({ '0': 100 });
    expect(endpoint().deployedModels.map((d) => d.modelVersionId)).toEqual(['2']);
  });

  test('a failed deploy leaves the champion serving 100 % and drops the challenger alias', async () => {
    const first = await withChampion();
    h.fake.behaviour.failNextDeploy = 'quota exceeded for NVIDIA_L4 in europe-west4';
    const e = await rejectionOf(h.rollout().deploy({ packagePath: pkg('2.0.0') }));
    expect(e.code).toBe('SS_ERR_GCP_ROLLOUT_FAILED');
    expect(e.message).toMatch(/deploying version 2 failed; the endpoint still serves deployed model \d+/);
    expect(e.message).toContain('quota exceeded for NVIDIA_L4');
    expect(endpoint().deployedModels.map((d) => d.id)).toEqual([first.deployedModelId]);
    expect(endpoint().trafficSplit).toEqual({ [first.deployedModelId!]: 100 });
    expect(aliases()).toEqual({ 1: ['champion', 'default'], 2: [] });
  });

  test('a canary whose replicas never become available is rolled back', async () => {
    const first = await withChampion();
    h.fake.behaviour.availableReplicas = 0;
    const e = await rejectionOf(h.rollout().deploy({ packagePath: pkg('2.0.0') }));
    expect(e.message).toMatch(/rolled back: not healthy after 60 s/);
    expect(endpoint().deployedModels.map((d) => d.id)).toEqual([first.deployedModelId]);
    expect(endpoint().trafficSplit).toEqual({ [first.deployedModelId!]: 100 });
    expect(h.fake.callNames().filter((m) => ['UpdateEndpoint', 'UndeployModel'].includes(m))).toEqual(['UpdateEndpoint', 'UndeployModel']);
  });

  test('an error rate above the gate rolls back at once', async () => {
    const first = await withChampion();
    h.health.errorRates = [0, 0.07];
    const before = h.health.checks;
    const e = await rejectionOf(h.rollout().deploy({ packagePath: pkg('2.0.0') }));
    expect(e.message).toMatch(/error rate 7\.00% is above 1%/);
    expect(h.health.checks - before).toBe(2); // stopped at the first bad reading, before the bake ended
    expect(endpoint().trafficSplit).toEqual({ [first.deployedModelId!]: 100 });
  });
});

describe('the canary gate: minimum predictions and bake time', () => {
  test('a canary that served no predictions is not promoted: it bakes to maxBakeTimeSeconds, then rolls back', async () => {
    const first = await withChampion();
    h.health.defaultPredictions = 0;
    const before = h.health.checks;
    const e = await rejectionOf(h.rollout().deploy({ packagePath: pkg('2.0.0') }), 'SS_ERR_GCP_ROLLOUT_FAILED');
    expect(e.message).toMatch(/served 0 predictions in 120 s, fewer than the 50 required \(minPredictions\)/);
    expect(h.health.checks - before).toBe(7); // 0, 20 … 120 s: past the 60 s minimum, waiting for traffic
    expect(endpoint().deployedModels.map((d) => d.id)).toEqual([first.deployedModelId]);
    expect(endpoint().trafficSplit).toEqual({ [first.deployedModelId!]: 100 });
    expect(aliases()).toEqual({ 1: ['champion', 'default'], 2: [] });
  });

  test('a health source that cannot count predictions counts as none', async () => {
    await withChampion();
    h.health.defaultPredictions = undefined;
    await expect(h.rollout().deploy({ packagePath: pkg('2.0.0') })).rejects.toThrow(/served 0 predictions/);
  });

  test('a canary that reaches the minimum after the minimum bake is promoted then, not before 60 s', async () => {
    await withChampion();
    h.health.predictions = [0, 10, 30, 40, 55];
    const before = h.health.checks;
    const result = await h.rollout().deploy({ packagePath: pkg('2.0.0') });
    expect(result.outcome).toBe('promoted');
    expect(h.health.checks - before).toBe(5); // 0, 20, 40, 60 (40 predictions), 80 s (55)
    expect(h.lines.some((l) => /baking deployed model \d+ for 60 s and at least 50 predictions \(at most 120 s\)/.test(l))).toBe(true);
  });

  test('enough predictions early still wait for the minimum bake time', async () => {
    await withChampion();
    h.health.defaultPredictions = 10_000;
    const before = h.health.checks;
    await h.rollout().deploy({ packagePath: pkg('2.0.0') });
    expect(h.health.checks - before).toBe(4); // 0, 20, 40, 60 s
  });

  test('a first deployment has no champion to fall back to: judged on health and errors only', async () => {
    h.health.defaultPredictions = 0;
    const result = await h.rollout().deploy({ packagePath: FIXTURE });
    expect(result.outcome).toBe('deployed');
  });
});

describe('interrupted rollouts', () => {
  async function interruptedCanary(): Promise<DeployResult> {
    const first = await withChampion();
    h.health.interruptAt = h.health.checks + 2;
    await expect(h.rollout().deploy({ packagePath: pkg('3.0.0') })).rejects.toThrow(/interrupted/);
    expect(Object.values(endpoint().trafficSplit).sort((a, b) => a - b)).toEqual([10, 90]);
    h.health.interruptAt = undefined;
    h.fake.calls.length = 0;
    return first;
  }

  test('re-running deploy resumes the bake without deploying again, then promotes', async () => {
    await interruptedCanary();
    const result = await h.rollout().deploy({ packagePath: pkg('3.0.0') });
    expect(result).toMatchObject({ outcome: 'promoted', modelVersion: '2', uploaded: false });
    expect(h.fake.callNames()).not.toContain('DeployModel');
    expect(h.fake.callNames()).not.toContain('UploadModel');
    expect(endpoint().deployedModels.map((d) => d.modelVersionId)).toEqual(['2']);
  });

  test('rollback restores the champion and undeploys the challenger, never leaving traffic on an undeployed model', async () => {
    const first = await interruptedCanary();
    const result = await h.rollout().rollback();
    expect(result).toMatchObject({ outcome: 'rolled-back', modelVersion: '1', deployedModelId: first.deployedModelId });
    expect(endpoint().deployedModels.map((d) => d.id)).toEqual([first.deployedModelId]);
    expect(endpoint().trafficSplit).toEqual({ [first.deployedModelId!]: 100 });
    expect(aliases()).toEqual({ 1: ['champion', 'default'], 2: [] });
    expect(h.fake.callNames().filter((m) => ['UpdateEndpoint', 'UndeployModel'].includes(m))).toEqual(['UpdateEndpoint', 'UndeployModel']);
  });

  test('promote finishes the challenger by hand', async () => {
    await interruptedCanary();
    const result = await h.rollout().promote();
    expect(result).toMatchObject({ outcome: 'promoted', modelVersion: '2' });
    expect(aliases()).toEqual({ 1: ['default', 'previous'], 2: ['champion'] });
  });

  test('the fake, like Vertex, refuses to undeploy a model that still receives traffic', async () => {
    await interruptedCanary();
    const [challenger] = endpoint().deployedModels.filter((d) => d.modelVersionId === '2');
    await expect(h.clients.endpoints.undeployModel({ endpoint: ENDPOINT, deployedModelId: challenger.id })).rejects.toThrow(/still receives 10% of the traffic/);
  });
});

describe('registry operations', () => {
  test('versions lists aliases, package versions and traffic', async () => {
    await withChampion();
    h.fake.behaviour.availableReplicas = 0;
    await rejectionOf(h.rollout().deploy({ packagePath: pkg('2.0.0') }));
    expect(await h.rollout().versions()).toEqual([
      { versionId: '1', aliases: ['default', 'champion'], packageVersion: '1_0_0', sha256: expect.any(String), deployedModelIds: [expect.any(String)], trafficPercent: 100 },
      { versionId: '2', aliases: [], packageVersion: '2_0_0', sha256: expect.any(String), deployedModelIds: [], trafficPercent: 0 },
    ]);
  });

  test('an alias held by another version moves; -alias removes; bad aliases fail before any call', async () => {
    await withChampion();
    h.fake.behaviour.availableReplicas = 0;
    await rejectionOf(h.rollout().deploy({ packagePath: pkg('2.0.0') }));
    expect(await h.rollout().setAliases('2', ['champion', 'golden'])).toEqual(['champion', 'golden']);
    expect(aliases()).toEqual({ 1: ['default'], 2: ['champion', 'golden'] });
    await h.rollout().setAliases('golden', ['-golden']);
    expect(aliases()[2]).toEqual(['champion']);
    h.fake.calls.length = 0;
    await expect(h.rollout().setAliases('1', ['Bad_Alias'])).rejects.toThrow(/alias: has the wrong form; received "Bad_Alias"/);
    expect(h.fake.calls).toEqual([]);
    expect((await rejectionOf(h.rollout().setAliases('1', ['Bad_Alias']))).code).toBe('SS_ERR_GCP_ALIAS_INVALID');
    expect((await rejectionOf(h.rollout().setAliases('7', ['golden']))).code).toBe('SS_ERR_GCP_VERSION_NOT_FOUND');
  });

  test('deploy --version redeploys a known version (rollback after a promotion)', async () => {
    await withChampion();
    await h.rollout({ policy: { bakeTimeSeconds: 0 } }).deploy({ packagePath: pkg('2.0.0') });
    const result = await h.rollout({ policy: { bakeTimeSeconds: 0 } }).deploy({ version: 'previous' });
    expect(result).toMatchObject({ outcome: 'promoted', modelVersion: '1', uploaded: false });
    expect(aliases()).toEqual({ 1: ['champion', 'default'], 2: ['previous'] });
  });

  test('traffic splits must name deployed models and sum to 100', async () => {
    const first = await withChampion();
    await expect(h.rollout().setTrafficSplit({ [first.deployedModelId!]: 90 })).rejects.toThrow(/trafficSplit: sums to 90, not 100/);
    expect((await rejectionOf(h.rollout().setTrafficSplit({ [first.deployedModelId!]: 90 }))).code).toBe('SS_ERR_GCP_TRAFFIC_SPLIT_INVALID');
    await expect(h.rollout().setTrafficSplit({ [first.deployedModelId!]: 50, '999': 50 })).rejects.toThrow(/trafficSplit.999: names no model deployed/);
    expect(h.fake.callNames()).not.toContain('UpdateEndpoint');
  });
});

describe('bad input fails before the first API call', () => {
  test('a package with an invalid manifest', async () => {
    const dir = pkg('1.0.0');
    fs.writeFileSync(`${dir}/servingstack.json`, JSON.stringify({ schemaVersion: 1, name: 'tiny', version: 'one', format: 'onnx', signature: { inputs: [], outputs: [] } }));
    const e = await rejectionOf(h.rollout().deploy({ packagePath: dir }));
    expect(e.code).toBe('SS_ERR_MANIFEST_INVALID');
    expect(e.issues.map((i) => i.field)).toEqual(expect.arrayContaining(['version']));
    expect(h.fake.calls).toEqual([]);
    expect(h.artifacts.uploads).toBe(0);
  });

  test('settings: unknown region, replica bounds, machine/accelerator mismatch, canary share, reserved env', () => {
    expect(() => h.rollout({ region: 'mars-north1', deployment: { machineType: 'e2-standard-4', acceleratorType: 'NVIDIA_L4', minReplicaCount: 2, maxReplicaCount: 1 }, policy: { canaryTrafficPercent: 120 }, env: { AIP_PREDICT_ROUTE: '/x' } })).toThrow(
      expect.objectContaining({
        code: 'SS_ERR_GCP_ROLLOUT_INPUT_INVALID',
        issues: [
          expect.objectContaining({ field: 'region', received: 'mars-north1' }),
          expect.objectContaining({ field: 'env.AIP_PREDICT_ROUTE' }),
          expect.objectContaining({ field: 'policy.canaryTrafficPercent', received: 120 }),
          expect.objectContaining({ field: 'deployment.acceleratorType' }),
          expect.objectContaining({ field: 'deployment.maxReplicaCount' }),
        ],
      }),
    );
    expect(h.fake.calls).toEqual([]);
  });
});
