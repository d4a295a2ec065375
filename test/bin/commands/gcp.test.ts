/**
 * `servingstack gcp …` in-process, with its connection swapped for the local fake Vertex server.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gcpDependencies } from '../../../bin/commands/gcp';
import { ENDPOINT_ID, FIXTURE, Harness, startHarness } from '../../support/vertex-rollout-harness';
import { runCli } from '../../support/cli';

let h: Harness;
let outputsFile: string;
const connect = gcpDependencies.connect;

const run = runCli;

beforeAll(async () => {
  h = await startHarness();
  gcpDependencies.connect = () => ({ clients: { ...h.clients, close: async () => undefined }, artifacts: h.artifacts, health: h.health });
  // what `cdktf output --json` prints for the example stack
  outputsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gcp-cli-')), 'outputs.json');
  fs.writeFileSync(outputsFile, JSON.stringify({
    'vertex-serving': {
      Tiny_rollout: {
        kind: 'servingstack.gcp.rollout', schemaVersion: 1, project: 'demo-project', region: 'europe-west4', endpointId: ENDPOINT_ID, modelId: 'tiny',
        artifactPrefix: 'gs://demo-project-servingstack-models/models', imageUri: 'europe-west4-docker.pkg.dev/demo-project/servingstack-runtime/servingstack-runtime:0.1.0',
        runtimeServiceAccount: 'servingstack-runtime@demo-project.iam.gserviceaccount.com',
        deployment: { machineType: 'n1-standard-4', minReplicaCount: 1 }, policy: { bakeTimeSeconds: 0 }, env: {},
      },
    },
  }));
});

afterAll(async () => {
  gcpDependencies.connect = connect;
  await h.close();
});

test('deploy reads the stack outputs, then versions and alias work on the result', async () => {
  const deploy = await run('gcp', 'deploy', FIXTURE, '--outputs', outputsFile);
  expect(deploy.code).toBe(0);
  expect(deploy.stdout).toMatch(/^creating model projects\/demo-project\/locations\/europe-west4\/models\/tiny$/m); // progress
  expect(deploy.stdout).toMatch(/\ndeployed: version 1 \(deployed model \d+\)\n$/);
  const again = await run('gcp', 'deploy', FIXTURE, '--outputs', outputsFile);
  expect(again.stdout).toMatch(/\nunchanged: version 1/);
  const versions = await run('gcp', 'versions', '--outputs', outputsFile);
  expect(versions.stdout).toMatch(/^1\s+100%\s+default,champion\s+1_0_0$/m);
  const alias = await run('gcp', 'alias', '1', 'golden', '--outputs', outputsFile);
  expect(alias.stdout).toBe('version 1: default, champion, golden\n');
});

test('--json: the result alone on stdout, progress on stderr', async () => {
  const deploy = await run('gcp', 'deploy', FIXTURE, '--outputs', outputsFile, '--json');
  expect(deploy.code).toBe(0);
  expect(JSON.parse(deploy.stdout)).toEqual({ outcome: 'unchanged', modelVersion: '1', deployedModelId: expect.any(String), uploaded: false });
  expect(deploy.stderr).toMatch(/already holds tiny/);
  const versions = await run('gcp', 'versions', '--outputs', outputsFile, '--json');
  expect(JSON.parse(versions.stdout)).toEqual([expect.objectContaining({ versionId: '1', trafficPercent: 100 })]);
  const alias = await run('gcp', 'alias', '--outputs', outputsFile, '--json', '--', '1', '-golden', 'silver');
  expect(JSON.parse(alias.stdout)).toEqual({ version: '1', aliases: ['default', 'champion', 'silver'] });
});

test('flags override outputs and are validated before any API call', async () => {
  h.fake.calls.length = 0;
  const r = await run('gcp', 'deploy', FIXTURE, '--outputs', outputsFile, '--machine-type', 'n1-standard-4', '--accelerator-type', 'NVIDIA_L4', '--min-replicas', '3', '--max-replicas', '1', '--canary-percent', '0', '--min-predictions', '0', '--region', 'moon-1');
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('error SS_ERR_GCP_ROLLOUT_INPUT_INVALID');
  for (const field of ['region', 'policy.canaryTrafficPercent', 'policy.minPredictions', 'deployment.acceleratorType', 'deployment.maxReplicaCount']) expect(r.stderr).toContain(`  - ${field}:`);
  expect(h.fake.calls).toEqual([]);
});

test('traffic splits not summing to 100 are refused before any API call', async () => {
  h.fake.calls.length = 0;
  const r = await run('gcp', 'traffic', '111=60,222=30', '--outputs', outputsFile);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/trafficSplit: sums to 90, not 100/);
  expect(h.fake.calls).toEqual([]);
});

test('missing settings name every field to pass', async () => {
  const r = await run('gcp', 'versions');
  expect(r.code).toBe(2);
  for (const field of ['project', 'region', 'endpointId', 'modelId']) expect(r.stderr).toContain(`  - ${field}: is required`);
});
