/** The Vertex rollout planner on its own: state in, steps out, no API and no clock. */
import { EndpointView, judgeBake, planAliases, planCanaryRollback, planDeploy, planPromotion, planRollback, VersionView } from '../../../../constructs/gcp/rollout/planner';

const ep = (models: [string, string, boolean?][], split: Record<string, number>): EndpointView => ({
  deployedModels: models.map(([id, versionId, ours]) => ({ id, versionId, ours: ours ?? true })),
  trafficSplit: split,
});
const v = (versionId: string, ...aliases: string[]): VersionView => ({ versionId, aliases });

describe('planDeploy', () => {
  test('GIVEN an empty endpoint THEN the version is deployed with 100 % and no alias step', () => {
    expect(planDeploy(ep([], {}), [v('1')], '1', 10)).toEqual({ kind: 'deploy', split: { '0': 100 }, championId: undefined, steps: [] });
  });

  test('GIVEN a champion THEN the canary takes its share, the champion the rest, and the version becomes challenger', () => {
    expect(planDeploy(ep([['111', '1']], { '111': 100 }), [v('1', 'champion'), v('2')], '2', 10)).toEqual({
      kind: 'deploy', split: { '0': 10, '111': 90 }, championId: '111', steps: [{ kind: 'merge-aliases', versionId: '2', aliases: ['challenger'] }],
    });
    expect(planDeploy(ep([['111', '1']], { '111': 100 }), [v('1'), v('2', 'challenger')], '2', 100)).toMatchObject({ split: { '0': 100 }, steps: [] });
  });

  test('GIVEN the version already serves 100 % alone THEN nothing changes but the champion alias', () => {
    expect(planDeploy(ep([['111', '1']], { '111': 100 }), [v('1')], '1', 10)).toEqual({ kind: 'unchanged', deployedModelId: '111', steps: [{ kind: 'merge-aliases', versionId: '1', aliases: ['champion'] }] });
    expect(planDeploy(ep([['111', '1']], { '111': 100 }), [v('1', 'champion')], '1', 10)).toMatchObject({ kind: 'unchanged', steps: [] });
  });

  test('GIVEN the version is deployed with a share (an interrupted rollout) THEN the bake resumes against the incumbent', () => {
    expect(planDeploy(ep([['111', '1'], ['222', '2'], ['333', 'x', false]], { '111': 80, '222': 20 }), [v('1'), v('2')], '2', 10)).toEqual({ kind: 'resume', deployedModelId: '222', championId: '111' });
  });
});

describe('judgeBake', () => {
  const gate = { bakeTimeSeconds: 60, maxErrorRatePercent: 1 };
  test.each([
    [{ healthy: true, errorRate: 0.02 }, 10, { kind: 'roll-back', reason: 'error rate 2.00% is above 1%' }],
    [{ healthy: false }, 30, { kind: 'continue' }],
    [{ healthy: true, errorRate: 0.01 }, 60, { kind: 'promote' }],
    [{ healthy: false }, 60, { kind: 'roll-back', reason: 'not healthy after 60 s' }],
  ])('GIVEN %j at %i s of a 60 s bake with a 1 %% gate and no champion THEN %j', (h, elapsed, verdict) => {
    expect(judgeBake(h, elapsed, gate)).toEqual(verdict);
  });

  const canary = { ...gate, minPredictions: 100, maxBakeTimeSeconds: 300 };
  test.each([
    [{ healthy: true, errorRate: 0, predictions: 500 }, 30, { kind: 'continue' }], // enough traffic, bake not over
    [{ healthy: true, errorRate: 0, predictions: 100 }, 60, { kind: 'promote' }],
    [{ healthy: true, predictions: 0 }, 60, { kind: 'continue' }], // zero predictions: wait for traffic
    [{ healthy: true }, 120, { kind: 'continue' }], // unknown count is none
    [{ healthy: true, predictions: 0 }, 300, { kind: 'roll-back', reason: 'served 0 predictions in 300 s, fewer than the 100 required (minPredictions)' }],
    [{ healthy: true, predictions: 99 }, 301, { kind: 'roll-back', reason: 'served 99 predictions in 301 s, fewer than the 100 required (minPredictions)' }],
    [{ healthy: true }, 300, { kind: 'roll-back', reason: 'served 0 predictions in 300 s, fewer than the 100 required (minPredictions)' }],
    [{ healthy: false, predictions: 1000 }, 60, { kind: 'roll-back', reason: 'not healthy after 60 s' }],
  ])('GIVEN a canary with %j at %i s (min 100 predictions, 60–300 s) THEN %j', (h, elapsed, verdict) => {
    expect(judgeBake(h, elapsed, canary)).toEqual(verdict);
  });
});

describe('planPromotion', () => {
  test('GIVEN a canary next to the champion THEN traffic moves first, the loser is undeployed, previous/champion move, challenger is dropped', () => {
    const steps = planPromotion(ep([['111', '1'], ['222', '2'], ['999', 'other', false]], { '111': 90, '222': 10 }), [v('1', 'champion'), v('0', 'previous'), v('2', 'challenger')], '222', '2');
    expect(steps).toEqual([
      { kind: 'set-traffic', split: { '222': 100 } },
      { kind: 'undeploy', deployedModelId: '111', keep: { '222': 100 } },
      { kind: 'merge-aliases', versionId: '0', aliases: ['-previous'] },
      { kind: 'merge-aliases', versionId: '1', aliases: ['previous', '-champion'] },
      { kind: 'merge-aliases', versionId: '2', aliases: ['champion'] },
      { kind: 'merge-aliases', versionId: '2', aliases: ['-challenger'] },
    ]);
  });
});

describe('rollbacks', () => {
  test('GIVEN a failed canary THEN the champion gets 100 % before the canary is undeployed and loses challenger', () => {
    expect(planCanaryRollback(ep([['111', '1'], ['222', '2']], { '111': 90, '222': 10 }), [v('1', 'champion'), v('2', 'challenger')], '111', '222', '2')).toEqual([
      { kind: 'set-traffic', split: { '111': 100 } },
      { kind: 'undeploy', deployedModelId: '222', keep: { '111': 100 } },
      { kind: 'merge-aliases', versionId: '2', aliases: ['-challenger'] },
    ]);
    expect(planCanaryRollback(ep([], {}), [v('2')], undefined, undefined, '2')).toEqual([]);
  });

  test('GIVEN `rollback` THEN the champion keeps serving; without a deployed champion the plan says what is missing', () => {
    expect(planRollback(ep([['111', '1'], ['222', '2']], { '111': 50, '222': 50 }), [v('1', 'champion'), v('2', 'challenger')])).toEqual({
      championVersion: '1',
      deployedModelId: '111',
      steps: [
        { kind: 'set-traffic', split: { '111': 100 } },
        { kind: 'undeploy', deployedModelId: '222', keep: { '111': 100 } },
        { kind: 'merge-aliases', versionId: '2', aliases: ['-challenger'] },
      ],
    });
    expect(planRollback(ep([], {}), [v('1')])).toEqual({ missing: 'no version carries the champion alias' });
    expect(planRollback(ep([], {}), [v('1', 'champion')])).toEqual({ missing: 'version 1 (champion) is not deployed' });
  });
});

test('planAliases moves an alias from its holder, and removes with -alias', () => {
  expect(planAliases([v('1', 'golden'), v('2')], '2', ['golden', '-old'])).toEqual([
    { kind: 'merge-aliases', versionId: '1', aliases: ['-golden'] },
    { kind: 'merge-aliases', versionId: '2', aliases: ['golden', '-old'] },
  ]);
});
