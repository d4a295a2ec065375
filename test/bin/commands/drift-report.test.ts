/** `servingstack drift-report` end to end (child processes). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DriftReport } from '../../../lib/monitoring/report';
import { cli, prepareMonitoringWork } from '../../support/monitoring-cli';

let work: string;
let pkg: string;
let shiftedCsv: string;
let sameJsonl: string;

beforeAll(() => {
  ({ work, pkg, shiftedCsv, sameJsonl } = prepareMonitoringWork());
});

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('servingstack drift-report', () => {
  it('finds no drift in the baseline data (JSON Lines, named columns), exit 0', () => {
    const r = cli('drift-report', '--baseline', path.join(pkg, 'baseline.json'), '--data', sameJsonl);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/no drift: 0 of 30 features/);
  });

  it('flags the shifted feature, reports missing values, writes the HTML report, exit 0', () => {
    const html = path.join(work, 'report.html');
    const r = cli('drift-report', '--baseline', path.join(pkg, 'baseline.json'), '--data', shiftedCsv, '--html', html);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/DRIFT: 1 of 31 features drifted .*: f2\n$/);
    const f2 = r.stdout.split('\n').find((l) => /^!\s+f2\s/.test(l));
    expect(f2).toBeDefined();
    expect(r.stdout).toMatch(/f5 .*0\.251 \(0\).*missing rate 0\.251 vs 0/);
    const page = fs.readFileSync(html, 'utf8');
    expect(page).toContain('Drift detected in 1 of 31 columns');
    expect(page.indexOf('id="f-f2"')).toBeLessThan(page.indexOf('id="f-f0"'));
    expect(page).toMatch(/<section class="card drifted" id="f-f2">/);
  });

  it('prints JSON with --json; lower thresholds flag more', () => {
    const r = cli('drift-report', '--baseline', path.join(pkg, 'baseline.json'), '--data', shiftedCsv, '--json', '--psi-threshold', '0.0001', '--js-threshold', '0.5');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as DriftReport;
    expect(report.thresholds).toEqual({ psi: 0.0001, js: 0.5 });
    expect(report.features[0]!.name).toBe('f2');
    expect(report.features[0]!.psi).toBeGreaterThan(0.25);
    expect(report.driftedFeatures).toContain('f5'); // missing rows change its shares slightly
    expect(report.driftedFeatures).not.toContain('f0');
  });

  it('refuses a malformed baseline, naming each bad field (exit 2)', () => {
    const b = JSON.parse(fs.readFileSync(path.join(pkg, 'baseline.json'), 'utf8')) as { features: { distribution: { edges?: number[]; expected: number[] } }[] };
    b.features[1]!.distribution.edges!.reverse();
    b.features[4]!.distribution.expected.pop();
    const bad = path.join(work, 'bad-baseline.json');
    fs.writeFileSync(bad, JSON.stringify(b));
    const r = cli('drift-report', '--baseline', bad, '--data', shiftedCsv);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('SS_ERR_BASELINE_INVALID');
    expect(r.stderr).toContain('features[1].distribution.edges: must be strictly ascending');
    expect(r.stderr).toContain('features[4].distribution.expected: has 11 shares');
  });
});
