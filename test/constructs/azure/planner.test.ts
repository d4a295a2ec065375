/** The blue/green planner as a state machine: promote, mirror, resume, idempotent re-run, gates, rollback. */
import { DeploymentObservation, EndpointObservation, planPromote, planRollback, validatePolicy } from '../../../constructs/azure/rollout/planner';

const healthy = { requests: 500, errorRatePercent: 0.2, p99LatencyMillis: 80 };
function dep(name: string, over: Partial<DeploymentObservation> = {}): DeploymentObservation {
  return { name, provisioningState: 'Succeeded', instanceCount: 2, health: healthy, ...over };
}
function obs(traffic: Record<string, number>, mirror: Record<string, number> = {}, deployments = [dep('blue'), dep('green')]): EndpointObservation {
  return { provisioningState: 'Succeeded', traffic, mirrorTraffic: mirror, deployments };
}
/** Apply a plan to an observation, as Azure would. */
function after(o: EndpointObservation, p: { traffic: Record<string, number>; mirrorTraffic: Record<string, number> }): EndpointObservation {
  return { ...o, traffic: p.traffic, mirrorTraffic: p.mirrorTraffic };
}

describe('planPromote', () => {
  test('walks blue 100 → mirror 20 → 10 → 50 → 100, then re-running changes nothing', () => {
    let o = obs({ blue: 100, green: 0 });
    const seen: string[] = [];
    for (let i = 0; i < 6; i++) {
      const p = planPromote(o, { target: 'green', policy: { mirrorPercent: 20 } });
      expect(p.allowed).toBe(true);
      seen.push(`${p.action} ${JSON.stringify(p.traffic)} ${JSON.stringify(p.mirrorTraffic)}${p.done ? ' done' : ''}`);
      o = after(o, p);
    }
    expect(seen).toEqual([
      'mirror {"blue":100,"green":0} {"green":20}',
      'shift {"blue":90,"green":10} {}',
      'shift {"blue":50,"green":50} {}',
      'shift {"blue":0,"green":100} {} done',
      'none {"blue":0,"green":100} {} done',
      'none {"blue":0,"green":100} {} done',
    ]);
  });

  test('resumes from the split it finds (a promote stopped at 50 %)', () => {
    const p = planPromote(obs({ blue: 50, green: 50 }), { target: 'green', policy: { steps: [10, 50, 100] } });
    expect(p).toMatchObject({ action: 'shift', traffic: { blue: 0, green: 100 }, done: true });
  });

  test('a first deployment with nobody else serving takes 100 % at once', () => {
    const p = planPromote(obs({}, {}, [dep('blue', { health: undefined })]), { target: 'blue' });
    expect(p).toMatchObject({ action: 'shift', allowed: true, traffic: { blue: 100 }, done: true });
  });

  test('refuses (wait) while the target is provisioning, and when it has no metrics yet after taking traffic', () => {
    const creating = planPromote(obs({ blue: 100 }, {}, [dep('blue'), dep('green', { provisioningState: 'Creating' })]), { target: 'green' });
    expect(creating).toMatchObject({ allowed: false, unhealthy: false, traffic: { blue: 100 } });
    expect(creating.reasons[0]).toMatch(/green: provisioning state is Creating/);
    const quiet = planPromote(obs({ blue: 90, green: 10 }, {}, [dep('blue'), dep('green', { health: { requests: 0 } })]), { target: 'green', policy: { minRequests: 50 } });
    expect(quiet).toMatchObject({ allowed: false, unhealthy: false });
    expect(quiet.reasons[0]).toMatch(/0 requests observed, fewer than 50/);
  });

  test('refuses as unhealthy above the error-rate or p99 limit (the executor rolls back)', () => {
    const p = planPromote(obs({ blue: 90, green: 10 }, {}, [dep('blue'), dep('green', { health: { requests: 400, errorRatePercent: 7.5, p99LatencyMillis: 2500 } })]), { target: 'green', policy: { maxErrorRatePercent: 1, maxP99LatencyMillis: 1000 } });
    expect(p).toMatchObject({ allowed: false, unhealthy: true, traffic: { blue: 90, green: 10 } });
    expect(p.reasons).toEqual(['green: error rate 7.5 % is above 1 %', 'green: p99 latency 2500 ms is above 1000 ms']);
    expect(planPromote(obs({ blue: 90, green: 10 }, {}, [dep('blue'), dep('green', { health: { requests: 400, errorRatePercent: 7.5 } })]), { target: 'green', skipHealthCheck: true })).toMatchObject({ allowed: true, reasons: ['health gates skipped on request'] });
  });

  test('the gates default to the shared vocabulary (RolloutGateThresholds): 1 % errors, 1000 ms p99', () => {
    const at = (health: { requests: number; errorRatePercent?: number; p99LatencyMillis?: number }) => planPromote(obs({ blue: 90, green: 10 }, {}, [dep('blue'), dep('green', { health })]), { target: 'green' });
    expect(at({ requests: 100, errorRatePercent: 1, p99LatencyMillis: 1000 })).toMatchObject({ allowed: true, traffic: { blue: 50, green: 50 } });
    expect(at({ requests: 100, errorRatePercent: 1.01 }).reasons).toEqual(['green: error rate 1.01 % is above 1 %']);
    expect(at({ requests: 100, p99LatencyMillis: 1001 }).reasons).toEqual(['green: p99 latency 1001 ms is above 1000 ms']);
  });

  test('gates on the mirrored traffic before live traffic', () => {
    const p = planPromote(obs({ blue: 100, green: 0 }, { green: 20 }, [dep('blue'), dep('green', { health: { requests: 100, errorRatePercent: 50 } })]), { target: 'green', policy: { mirrorPercent: 20 } });
    expect(p).toMatchObject({ allowed: false, unhealthy: true });
  });

  test('refuses an unknown target and an ambiguous stable deployment', () => {
    expect(planPromote(obs({ blue: 100 }), { target: 'red' }).reasons[0]).toMatch(/red does not exist on this endpoint \(have: blue, green\)/);
    expect(planPromote(obs({ blue: 50, green: 0, red: 50 }, {}, [dep('blue'), dep('green'), dep('red')]), { target: 'green' }).reasons[0]).toMatch(/blue and red both take live traffic/);
  });

  test('at 100 % with a leftover mirror, turns mirroring off', () => {
    expect(planPromote(obs({ green: 100, blue: 0 }, { blue: 10 }), { target: 'green' })).toMatchObject({ action: 'shift', mirrorTraffic: {}, done: true });
  });
});

describe('planRollback', () => {
  test('during a rollout: the deployment with more live traffic gets 100 %, mirroring off', () => {
    expect(planRollback(obs({ blue: 90, green: 10 }))).toMatchObject({ action: 'rollback', traffic: { blue: 100, green: 0 }, mirrorTraffic: {} });
    expect(planRollback(obs({ blue: 100, green: 0 }, { green: 20 }))).toMatchObject({ action: 'rollback', traffic: { blue: 100, green: 0 }, mirrorTraffic: {} });
  });

  test('re-running a rollback is a no-op; reverting a finished promote names its target', () => {
    const p = planRollback(obs({ blue: 90, green: 10 }));
    expect(planRollback(after(obs({}), p))).toMatchObject({ action: 'none', allowed: true, traffic: { blue: 100, green: 0 } });
    expect(planRollback(obs({ blue: 0, green: 100 }))).toMatchObject({ action: 'none', summary: expect.stringMatching(/--to/) });
    expect(planRollback(obs({ blue: 0, green: 100 }), { to: 'blue' })).toMatchObject({ action: 'rollback', traffic: { blue: 100, green: 0 } });
  });

  test('an even split or three deployments need --to; --to an unknown deployment is refused', () => {
    expect(planRollback(obs({ blue: 50, green: 50 }))).toMatchObject({ allowed: false });
    expect(planRollback(obs({ blue: 50, green: 50 }), { to: 'green' })).toMatchObject({ allowed: true, traffic: { blue: 0, green: 100 } });
    expect(planRollback(obs({ blue: 50, green: 50 }), { to: 'red' }).reasons[0]).toMatch(/red does not exist/);
  });
});

test('validatePolicy names each bad field', () => {
  const issues = validatePolicy({ steps: [50, 10], mirrorPercent: 60, maxErrorRatePercent: -1, maxP99LatencyMillis: 0.5, minRequests: 1.5 });
  expect(issues.map((i) => i.field)).toEqual(['steps', 'mirrorPercent', 'maxErrorRatePercent', 'maxP99LatencyMillis', 'minRequests']);
  // The vocabulary's own messages and ranges, as on every target.
  expect(issues[2]).toMatchObject({ message: 'is out of range', received: -1, allowed: 'a number from 0 to 100 %' });
  expect(issues[3]).toMatchObject({ message: 'is not a whole number', received: 0.5, allowed: 'a whole number from 1 to 3600000 ms' });
  expect(validatePolicy({})).toEqual([]);
});
