/**
 * `servingstack baseline` and `servingstack drift-report` end to end, run as child processes:
 * ONNX Runtime must not run inside jest's sandbox (the CLI runs it in a worker thread).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { validateManifest } from '../../lib/core/manifest';
import { readBaseline } from '../../lib/monitoring/baseline';
import type { DriftReport } from '../../lib/monitoring/report';
import { loadDatasetCsv } from '../../scripts/lib/dataset';
import { columnStd } from '../../lib/monitoring/generators';

const ROOT = path.join(__dirname, '../..');
const DATA = path.join(ROOT, 'examples/data/breast_cancer.csv');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(...args: string[]): Run {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bin/servingstack.ts'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

let work: string;
let pkg: string;
let shiftedCsv: string;
let sameJsonl: string;

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-monitoring-cli-'));
  pkg = path.join(work, 'breast-cancer');
  fs.cpSync(path.join(ROOT, 'examples/models/breast-cancer'), pkg, { recursive: true });
  const ds = loadDatasetCsv(DATA);
  const sigma = columnStd(ds.features.map((r) => [...r]));
  const header = Array.from({ length: 30 }, (_, j) => `f${j}`).join(',');
  // f2 shifted by +1σ, f5 missing in every fourth row; labels kept.
  const lines = ds.features.map((r, i) => r.map((v, j) => (j === 2 ? v + sigma[2]! : j === 5 && i % 4 === 0 ? '' : v)).join(',') + `,${ds.labels[i]}`);
  shiftedCsv = path.join(work, 'shifted.csv');
  fs.writeFileSync(shiftedCsv, `${header},label\n${lines.join('\n')}\n`);
  sameJsonl = path.join(work, 'same.jsonl');
  fs.writeFileSync(sameJsonl, ds.features.map((r) => JSON.stringify(Object.fromEntries(r.map((v, j) => [`f${j}`, v])))).join('\n'));
});

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('servingstack baseline', () => {
  let run: Run;
  beforeAll(() => {
    run = cli('baseline', '--data', DATA, '--model', pkg);
  });

  it('writes baseline.json into the package and points the manifest at it, keeping key order', () => {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('baseline.json');
    expect(run.stdout).toMatch(/thresholds {3}PSI [\d.]+, JS divergence \(log2\) [\d.]+ for 1000-row windows/);
    const written = JSON.parse(fs.readFileSync(path.join(pkg, 'baseline.json'), 'utf8')) as { thresholds: { windowRows: number; psi: number; jsDivergenceLog2: number } };
    expect(written.thresholds.windowRows).toBe(1000);
    // 30 features × 12 bins at 1000 rows: far below the fixed 0.25 band (bench:drift: ≈ 0.035)
    expect(written.thresholds.psi).toBeGreaterThan(0.01);
    expect(written.thresholds.psi).toBeLessThan(0.1);
    const text = fs.readFileSync(path.join(pkg, 'servingstack.json'), 'utf8');
    const manifest = validateManifest(JSON.parse(text));
    expect(manifest.baseline).toBe('baseline.json');
    const original = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples/models/breast-cancer/servingstack.json'), 'utf8')) as object;
    const keys = Object.keys(JSON.parse(text) as object);
    expect(keys.filter((k) => k !== 'baseline')).toEqual(Object.keys(original).filter((k) => k !== 'baseline'));
    expect(keys.indexOf('baseline')).toBe(keys.indexOf('lineage') - 1);
    expect(text.endsWith('}\n')).toBe(true);
  });

  it('records 30 numeric features named f0… with 10 quantile bins, the labels and the model predictions', () => {
    const b = readBaseline(path.join(pkg, 'baseline.json'));
    expect(b.rowCount).toBe(569);
    expect(b.task).toBe('classification');
    expect(b.features.map((f) => f.name)).toEqual(Array.from({ length: 30 }, (_, j) => `f${j}`));
    const f0 = b.features[0]!;
    expect(f0).toMatchObject({ input: 'input', column: 0, missingRate: 0 });
    expect(f0.distribution).toMatchObject({ kind: 'numeric', min: 6.981, max: 28.11 });
    if (f0.distribution.kind !== 'numeric') throw new Error('numeric');
    expect(f0.distribution.edges).toHaveLength(11);
    expect(f0.distribution.expected[0]).toBe(0);
    expect(f0.distribution.expected[11]).toBe(0);
    // 212 malignant (0), 357 benign (1)
    expect(b.labels).toEqual({ kind: 'categorical', values: ['1', '0'], expected: [357 / 569, 212 / 569, 0] });
    // The model's own predictions: INT64 label output, ≈ 98 % accurate, so close to the label shares but not equal.
    expect(b.prediction).toMatchObject({ output: 'label', mode: 'class' });
    const pd = b.prediction!.distribution;
    if (pd.kind !== 'categorical') throw new Error('categorical');
    expect(pd.values).toEqual(['1', '0']);
    const benign = Math.round(pd.expected[0]! * 569);
    expect(Math.abs(benign - 357)).toBeLessThan(15);
    expect(pd.expected[0]! * 569).toBeCloseTo(benign, 9);
    expect(b.source).toEqual({ uri: 'examples/data/breast_cancer.csv', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('gives the same predicted classes from the argmax of the probabilities output', () => {
    const out = path.join(work, 'argmax.json');
    const r = cli('baseline', '--data', DATA, '--model', pkg, '--prediction-output', 'probabilities', '--out', out, '--bins', '5');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('unchanged');
    const a = readBaseline(out);
    const b = readBaseline(path.join(pkg, 'baseline.json'));
    expect(a.prediction!.output).toBe('probabilities');
    expect(a.prediction!.distribution).toEqual(b.prediction!.distribution);
    expect(a.features[0]!.distribution.kind === 'numeric' && a.features[0]!.distribution.edges.length).toBe(6);
  });

  it('refuses data that does not fit the model input', () => {
    const bad = path.join(work, 'narrow.csv');
    fs.writeFileSync(bad, 'a,b\n1,2\n3,4\n');
    const r = cli('baseline', '--data', bad, '--model', pkg, '--out', path.join(work, 'x.json'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('SS_ERR_DATA_INVALID');
    expect(r.stderr).toContain('takes 30');
    expect(fs.existsSync(path.join(work, 'x.json'))).toBe(false);
  });
});

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
