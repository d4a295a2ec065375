/** `servingstack baseline` end to end (child processes). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { validateManifest } from '../../../lib/core/manifest';
import { readBaseline } from '../../../lib/monitoring/baseline';
import { cli, DATA, prepareMonitoringWork, ROOT, Run } from '../../support/monitoring-cli';

let work: string;
let pkg: string;

beforeAll(() => {
  ({ work, pkg } = prepareMonitoringWork());
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

  it('--json prints the result as JSON on stdout, progress on stderr', () => {
    const out = path.join(work, 'json.json');
    const r = cli('baseline', '--data', DATA, '--model', pkg, '--out', out, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ file: out, manifestBaseline: null, rows: 569, features: 30, prediction: { output: 'label', mode: 'class' }, labelledRows: 569, thresholds: { windowRows: 1000 } });
    expect(r.stderr).toMatch(/^reading .*breast_cancer\.csv\nrunning breast-cancer over 569 rows/);
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
