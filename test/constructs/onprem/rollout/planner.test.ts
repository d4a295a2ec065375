import { RolloutState, TrackHealth, describeRollout, planPromote, planRollback, rolloutPhase, validateRolloutState, validateSteps } from '../../../../constructs/onprem/rollout/planner';

const STABLE: RolloutState = { stableVersion: '3', stableModelUri: 's3://models/fraud/3/' };
const V4 = { version: '4', modelUri: 's3://models/fraud/4/' };
const healthy: TrackHealth = { desiredReplicas: 2, readyReplicas: 2, updatedReplicas: 2, errorRatePercent: 0.1, p99LatencyMillis: 200 };

describe('planPromote: the canary state machine', () => {
  test('stable → start a canary at the first step', () => {
    const plan = planPromote(STABLE, { target: V4 });
    expect(plan).toMatchObject({ action: 'start', allowed: true });
    expect(plan.to).toEqual({ ...STABLE, canaryVersion: '4', canaryModelUri: 's3://models/fraud/4/', canaryWeight: 10 });
  });

  test('advances through the steps while the canary is healthy', () => {
    let state: RolloutState = planPromote(STABLE, { target: V4 }).to;
    const weights: number[] = [];
    for (let i = 0; i < 3; i++) {
      const plan = planPromote(state, { observation: { canary: healthy } });
      expect(plan).toMatchObject({ action: 'advance', allowed: true });
      state = plan.to;
      weights.push(state.canaryWeight!);
    }
    expect(weights).toEqual([25, 50, 100]);
  });

  test('custom steps', () => {
    const start = planPromote(STABLE, { target: V4, gates: { steps: [5, 100] } }).to;
    expect(start.canaryWeight).toBe(5);
    expect(planPromote(start, { observation: { canary: healthy }, gates: { steps: [5, 100] } }).to.canaryWeight).toBe(100);
  });

  test('at 100 %: finalize rolls stable to the new version while the canary still serves; then complete removes the canary', () => {
    const at100: RolloutState = { ...STABLE, canaryVersion: '4', canaryModelUri: V4.modelUri, canaryWeight: 100 };
    const fin = planPromote(at100, { observation: { canary: healthy } });
    expect(fin.action).toBe('finalize');
    expect(fin.to).toEqual({ stableVersion: '4', stableModelUri: V4.modelUri, canaryVersion: '4', canaryModelUri: V4.modelUri, canaryWeight: 100, previousStableVersion: '3', previousStableModelUri: STABLE.stableModelUri });
    expect(rolloutPhase(fin.to)).toBe('finalizing');
    // Stable still rolling: refused.
    const rolling = planPromote(fin.to, { observation: { stable: { ...healthy, updatedReplicas: 1 } } });
    expect(rolling).toMatchObject({ action: 'complete', allowed: false });
    expect(rolling.reasons).toEqual(['stable: 1/2 replicas updated (rollout in progress)']);
    const done = planPromote(fin.to, { observation: { stable: healthy } });
    expect(done).toMatchObject({ action: 'complete', allowed: true });
    expect(done.to).toEqual({ stableVersion: '4', stableModelUri: V4.modelUri, previousStableVersion: '3', previousStableModelUri: STABLE.stableModelUri });
    expect(rolloutPhase(done.to)).toBe('stable');
  });

  test('health gates refuse to shift traffic to an unhealthy canary, saying why', () => {
    const canary = planPromote(STABLE, { target: V4 }).to;
    const plan = planPromote(canary, { observation: { canary: { desiredReplicas: 2, readyReplicas: 1, updatedReplicas: 2, errorRatePercent: 7.5, p99LatencyMillis: 2000 } } });
    expect(plan.allowed).toBe(false);
    expect(plan.to).toBe(canary);
    expect(plan.reasons).toEqual(['canary: 1/2 replicas ready', 'canary: error rate 7.5% is above 1%', 'canary: p99 latency 2000 ms is above 1000 ms']);
    expect(planPromote(canary, { observation: { canary: { ...healthy, errorRatePercent: 7.5 } }, gates: { maxErrorRatePercent: 10 } }).allowed).toBe(true);
  });

  test('no observation blocks, unless health checks are skipped on purpose', () => {
    const canary = planPromote(STABLE, { target: V4 }).to;
    expect(planPromote(canary).reasons[0]).toContain('no health observation for the canary track');
    const skipped = planPromote(canary, { skipHealthCheck: true });
    expect(skipped).toMatchObject({ allowed: true, reasons: ['health gates skipped on request'] });
  });

  test('preconditions: nothing to promote, already stable, another canary in progress', () => {
    expect(planPromote(STABLE).reasons).toEqual(['no canary is in progress; name the version to start one with']);
    expect(planPromote(STABLE, { target: { version: '3', modelUri: 's3://models/fraud/3/' } }).reasons).toEqual(['version 3 is already stable']);
    const canary = planPromote(STABLE, { target: V4 }).to;
    expect(planPromote(canary, { target: { version: '5', modelUri: 's3://models/fraud/5/' }, observation: { canary: healthy } }).reasons).toEqual(['canary 4 is in progress; promote or roll it back before starting 5']);
  });
});

describe('planRollback', () => {
  test('during a canary: remove it, stable untouched', () => {
    const canary = planPromote(STABLE, { target: V4 }).to;
    const plan = planRollback(canary);
    expect(plan).toMatchObject({ action: 'rollback', allowed: true });
    expect(plan.to).toEqual(STABLE);
  });

  test('while finalizing: stable back to the previous version, canary removed', () => {
    const finalizing = planPromote({ ...STABLE, canaryVersion: '4', canaryModelUri: V4.modelUri, canaryWeight: 100 }, { observation: { canary: healthy } }).to;
    const plan = planRollback(finalizing);
    expect(plan.action).toBe('rollback');
    expect(plan.to).toEqual({ stableVersion: '3', stableModelUri: STABLE.stableModelUri, previousStableVersion: '4', previousStableModelUri: V4.modelUri });
  });

  test('after completion: revert to the recorded previous version; without one, refused', () => {
    const completed: RolloutState = { stableVersion: '4', stableModelUri: V4.modelUri, previousStableVersion: '3', previousStableModelUri: STABLE.stableModelUri };
    expect(planRollback(completed)).toMatchObject({ action: 'revert', allowed: true, to: { stableVersion: '3' } });
    expect(planRollback(STABLE)).toMatchObject({ allowed: false, reasons: ['no canary is in progress and no previous stable version is recorded'] });
  });
});

describe('state validation and status', () => {
  test('valid states pass', () => {
    expect(validateRolloutState(STABLE)).toEqual([]);
    expect(validateRolloutState({ ...STABLE, canaryVersion: '4', canaryModelUri: 'pvc://models/fraud/4', canaryWeight: 25 })).toEqual([]);
  });

  test('names each bad field', () => {
    const issues = validateRolloutState({ stableVersion: 'v 3', stableModelUri: 'gs://models/3', canaryVersion: '4', canaryWeight: 12.5 } as RolloutState);
    expect(issues.map((i) => i.field)).toEqual(['state.stableVersion', 'state.stableModelUri', 'state.canaryModelUri', 'state.canaryWeight']);
    expect(validateRolloutState({ ...STABLE, canaryWeight: 10 }).map((i) => i.message)).toEqual(['routes traffic to a canary that is not defined']);
    expect(validateRolloutState({ ...STABLE, previousStableVersion: '2' }).map((i) => i.field)).toEqual(['state.previousStableVersion']);
  });

  test('steps must ascend to 100', () => {
    expect(validateSteps([10, 50, 100])).toEqual([]);
    expect(validateSteps([50, 10, 100])).toHaveLength(1);
    expect(validateSteps([10, 50])).toHaveLength(1);
  });

  test('describeRollout', () => {
    const canary = planPromote(STABLE, { target: V4 }).to;
    expect(describeRollout(canary, { canary: healthy })).toBe(
      ['phase    canary', 'stable   3  s3://models/fraud/3/', 'canary   4  s3://models/fraud/4/  weight 10% (2/2 ready, 0.1% errors, p99 200 ms)'].join('\n'),
    );
  });
});
