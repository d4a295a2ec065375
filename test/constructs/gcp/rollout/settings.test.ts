/** Reading the rollout settings back from `cdktf output --json`. */
import { findRolloutSettings } from '../../../../constructs/gcp/rollout/settings';

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
