/** Reading the rollout settings back from `cdktf output --json`. */
import { findRolloutSettings, resolveRolloutSettings } from '../../../../constructs/gcp/rollout/settings';
import { issueFor, issuesOf } from '../../../support/errors';

describe('findRolloutSettings', () => {
  const settings = { kind: 'servingstack.gcp.rollout', schemaVersion: 1, endpointId: '1' };

  test.each([
    ['the object itself', settings],
    ['terraform output -json', { Tiny_rollout: { value: settings, sensitive: false } }],
    ['cdktf output --json', { serving: { Tiny_rollout: settings } }],
  ])('finds the settings in %s', (_name, raw) => {
    expect(findRolloutSettings(raw)).toEqual(settings);
  });

  test('several outputs need --output-name; none is an error naming what to pass', () => {
    const two = { s: { A_rollout: settings, B_rollout: { ...settings, endpointId: '2' } } };
    expect(() => findRolloutSettings(two)).toThrow(/holds several VertexServing rollout outputs; received \["A_rollout","B_rollout"\]/);
    expect(findRolloutSettings(two, 'B_rollout')).toEqual({ ...settings, endpointId: '2' });
    expect(() => findRolloutSettings({ s: { other: 1 } })).toThrow(/holds no VertexServing rollout output/);
  });
});

describe('resolveRolloutSettings: the canary gate', () => {
  const raw = (policy: Record<string, unknown>): Record<string, unknown> => ({
    kind: 'servingstack.gcp.rollout',
    schemaVersion: 1,
    project: 'demo-project',
    region: 'europe-west4',
    endpointId: '123',
    modelId: 'tiny',
    artifactPrefix: 'gs://demo-bucket/models',
    imageUri: 'europe-west4-docker.pkg.dev/demo-project/repo/servingstack-runtime:0.1.0',
    deployment: { machineType: 'n1-standard-4' },
    policy,
    env: {},
  });

  test('defaults: 600 s minimum bake, 100 predictions, at most 4200 s', () => {
    expect(resolveRolloutSettings(raw({}))).toMatchObject({ bakeTimeSeconds: 600, minPredictions: 100, maxBakeTimeSeconds: 4200, maxErrorRatePercent: 1 });
    expect(resolveRolloutSettings(raw({ bakeTimeSeconds: 60, minPredictions: 5 }))).toMatchObject({ bakeTimeSeconds: 60, minPredictions: 5, maxBakeTimeSeconds: 3660 });
  });

  test('zero predictions, a fraction, and a maximum below the minimum bake are refused naming field, value and what is allowed', () => {
    const issues = issuesOf(() => resolveRolloutSettings(raw({ bakeTimeSeconds: 600, minPredictions: 0, maxBakeTimeSeconds: 300 })), 'SS_ERR_GCP_ROLLOUT_INPUT_INVALID');
    expect(issueFor(issues, 'policy.minPredictions')).toMatchObject({ received: 0, allowed: expect.stringContaining('1') });
    expect(issueFor(issues, 'policy.maxBakeTimeSeconds')).toMatchObject({ received: 300, message: 'is shorter than the minimum bake time', allowed: 'at least policy.bakeTimeSeconds (600 s)' });
    expect(issueFor(issuesOf(() => resolveRolloutSettings(raw({ minPredictions: 2.5 }))), 'policy.minPredictions').received).toBe(2.5);
  });
});
