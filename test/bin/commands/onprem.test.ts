/**
 * `servingstack onprem promote|rollback|status` in-process: the state file is real; kubectl,
 * Prometheus and MLflow are the executor's fakes where a command observes (the executor's own
 * calls are pinned in test/constructs/onprem/rollout/executor.test.ts).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli as run } from '../../support/cli';


let dir: string;
let state: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onprem-cli-'));
  state = path.join(dir, 'rollout.json');
  fs.writeFileSync(state, JSON.stringify({ stableVersion: '3', stableModelUri: 's3://models/fraud/3/' }));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const readState = (): unknown => JSON.parse(fs.readFileSync(state, 'utf8'));

describe('servingstack onprem', () => {
  test('status prints the phase and tracks', async () => {
    const r = await run('onprem', 'status', '--state', state);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('phase    stable\nstable   3  s3://models/fraud/3/\n');
  });

  test('promote is a dry run unless --write', async () => {
    const r = await run('onprem', 'promote', '--state', state, '--model-version', '4', '--model-uri', 's3://models/fraud/4/');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('plan: start — start canary 4 at 10% next to stable 3');
    expect(r.stdout).toContain('dry run');
    expect(readState()).toEqual({ stableVersion: '3', stableModelUri: 's3://models/fraud/3/' });
  });

  test('promote --write walks the whole rollout; rollback removes a canary', async () => {
    expect((await run('onprem', 'promote', '--state', state, '--model-version', '4', '--model-uri', 's3://models/fraud/4/', '--steps', '50,100', '--write')).code).toBe(0);
    expect(readState()).toEqual({ stableVersion: '3', stableModelUri: 's3://models/fraud/3/', canaryVersion: '4', canaryModelUri: 's3://models/fraud/4/', canaryWeight: 50 });
    const step = await run('onprem', 'promote', '--state', state, '--steps', '50,100', '--skip-health-check', '--write');
    expect(step.stdout).toContain('health gates skipped on request');
    expect(step.stdout).toContain('next: cdktf deploy');
    expect((readState() as { canaryWeight: number }).canaryWeight).toBe(100);
    const rb = await run('onprem', 'rollback', '--state', state, '--write');
    expect(rb.code).toBe(0);
    expect(readState()).toEqual({ stableVersion: '3', stableModelUri: 's3://models/fraud/3/' });
  });

  test('a refused promotion exits non-zero with the reasons and leaves the state alone', async () => {
    await run('onprem', 'promote', '--state', state, '--model-version', '4', '--model-uri', 's3://models/fraud/4/', '--write');
    const before = readState();
    const r = await run('onprem', 'promote', '--state', state, '--write');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error SS_ERR_ONPREM_ROLLOUT_REFUSED');
    expect(r.stderr).toContain('no health observation for the canary track');
    expect(readState()).toEqual(before);
  });

  test('a model URI the init container cannot fetch is refused before anything is written', async () => {
    const r = await run('onprem', 'promote', '--state', state, '--model-version', '4', '--model-uri', 'mlflow-artifacts:/1/abc/artifacts', '--write');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error SS_ERR_ONPREM_ROLLOUT_INVALID');
    expect(r.stderr).toContain('next state.canaryModelUri');
    expect(readState()).toEqual({ stableVersion: '3', stableModelUri: 's3://models/fraud/3/' });
  });

  test('bad options and bad state files are named', async () => {
    const bad = await run('onprem', 'promote', '--state', state, '--steps', '50,10', '--max-p99-latency-millis', 'fast');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--steps: are not ascending whole percentages ending at 100');
    expect(bad.stderr).toContain('--max-p99-latency-millis: is not a positive number');
    fs.writeFileSync(state, JSON.stringify({ stableVersion: '3', stableModelUri: 'gs://models/3' }));
    const invalid = await run('onprem', 'status', '--state', state);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain('state.stableModelUri: is not a model URI the init container can fetch');
    const registry = await run('onprem', 'promote', '--state', path.join(dir, 'missing.json'));
    expect(registry.stderr).toContain('cannot be read');
  });

  test('resolving a version needs the registry options', async () => {
    const r = await run('onprem', 'promote', '--state', state, '--model-version', '4');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--mlflow-url/--model: are missing');
  });
});
