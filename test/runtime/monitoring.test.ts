/**
 * Monitoring in the runtime, end to end over HTTP: drift windows, late labels, fairness,
 * data capture, and a malformed baseline that must not take the server down.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { computeBaseline } from '../../lib/monitoring/baseline';
import { MODELS, postJson, request, startServer, TestServer } from './helpers';

const CSV = path.resolve(__dirname, '../../examples/data/breast_cancer.csv');
const lines = fs.readFileSync(CSV, 'utf8').trim().split('\n').slice(1);
const ROWS = lines.map((l) => l.split(',').map(Number));
const FEATURES = ROWS.map((r) => r.slice(0, 30));
const LABELS = ROWS.map((r) => r[30]);
const NAMES = Array.from({ length: 30 }, (_, i) => `f${i}`);
// The CSV is in collection order: split by parity so baseline and traffic come from one distribution.
const EVEN = FEATURES.filter((_, i) => i % 2 === 0);
const ODD = FEATURES.filter((_, i) => i % 2 === 1);

/** A copy of the breast-cancer package with a baseline from the first 400 rows. */
function packageWithBaseline(baseline: unknown = computeBaseline({ rows: EVEN, featureNames: NAMES, inputName: 'input', labels: LABELS.filter((_, i) => i % 2 === 0), task: 'classification' })): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-mon-'));
  fs.copyFileSync(path.join(MODELS.breastCancer, 'model.onnx'), path.join(dir, 'model.onnx'));
  const manifest = JSON.parse(fs.readFileSync(path.join(MODELS.breastCancer, 'servingstack.json'), 'utf8')) as Record<string, unknown>;
  fs.writeFileSync(path.join(dir, 'servingstack.json'), JSON.stringify({ ...manifest, baseline: 'baseline.json' }));
  fs.writeFileSync(path.join(dir, 'baseline.json'), JSON.stringify(baseline));
  return dir;
}

function infer(s: TestServer, rows: number[][], extra: Record<string, unknown> = {}): ReturnType<typeof postJson> {
  return postJson(`${s.url}/v2/models/breast-cancer/infer`, { inputs: [{ name: 'input', shape: [rows.length, 30], datatype: 'FP32', data: rows }], ...extra });
}

function metric(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.split(' ').pop());
  }
  return undefined;
}

describe('runtime monitoring', () => {
  let s: TestServer;
  let dir: string;
  beforeAll(async () => {
    dir = packageWithBaseline();
    s = await startServer(
      { modelDir: dir, monitoringWindowRows: 250, monitoringMinWindowRows: 200 },
      { env: { SERVINGSTACK_FAIRNESS_GROUP: 'segment', SERVINGSTACK_FAIRNESS_MIN_GROUP_COUNT: '10' } },
    );
  });
  afterAll(async () => {
    await s.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('GIVEN in-distribution traffic THEN the window closes with low drift; GIVEN a shifted feature THEN it is flagged', async () => {
    // 250-row windows: with 10 bins, PSI's sampling noise stays well under 0.25 (100 rows do not).
    expect((await infer(s, ODD.slice(0, 250), { parameters: { segment: 'a' } })).status).toBe(200);
    let m = (await request(`${s.url}/metrics`)).text;
    expect(metric(m, 'servingstack_drift_window_rows', { model: 'breast-cancer' })).toBe(250);
    // 30 features × 12 bins on ~250-row samples: PSI's sampling noise alone can reach 0.25 on one
    // or two features (the reason bench:drift calibrates thresholds); f0 itself must be quiet.
    expect(metric(m, 'servingstack_drifted_features', { model: 'breast-cancer' })!).toBeLessThanOrEqual(2);
    expect(metric(m, 'servingstack_drift_psi', { feature: 'f0' })!).toBeLessThan(0.25);
    const before = s.logs.records.filter((r) => r.msg === 'monitoring window closed').pop() as { drifted: string[] };
    expect(before.drifted).not.toContain('f0');

    const shifted = ODD.slice(0, 250).map((r) => [r[0] * 1.6, ...r.slice(1)]);
    expect((await infer(s, shifted, { parameters: { segment: 'b' } })).status).toBe(200);
    m = (await request(`${s.url}/metrics`)).text;
    expect(metric(m, 'servingstack_drift_psi', { feature: 'f0' })!).toBeGreaterThan(0.25);
    expect(metric(m, 'servingstack_drift_js_divergence_log2', { feature: 'f0' })!).toBeGreaterThan(0.1);
    expect(metric(m, 'servingstack_drifted_features', { model: 'breast-cancer' })!).toBeGreaterThanOrEqual(1);
    expect(metric(m, 'servingstack_feature_out_of_range_rate', { feature: 'f0' })!).toBeGreaterThan(0);
    const log = s.logs.find((r) => r.msg === 'monitoring window closed' && Array.isArray(r.drifted) && (r.drifted as string[]).includes('f0'));
    expect(log).toBeDefined();
  });

  test('fairness: per-group selection rates and the disparate impact ratio from the group parameter', async () => {
    await infer(s, FEATURES.slice(0, 125), { parameters: { segment: 'x' } });
    await infer(s, FEATURES.slice(125, 250), { parameters: { segment: 'y' } });
    const m = (await request(`${s.url}/metrics`)).text;
    const x = metric(m, 'servingstack_fairness_selection_rate', { group: 'x' });
    const y = metric(m, 'servingstack_fairness_selection_rate', { group: 'y' });
    expect(x).toBeDefined();
    expect(y).toBeDefined();
    const di = metric(m, 'servingstack_fairness_disparate_impact_ratio', { model: 'breast-cancer' })!;
    expect(di).toBeCloseTo(Math.min(x!, y!) / Math.max(x!, y!), 6);
    expect(metric(m, 'servingstack_fairness_demographic_parity_difference', { model: 'breast-cancer' })).toBeCloseTo(Math.abs(x! - y!), 6);
  });

  test('a request without the group attribute is a counted, logged skip', async () => {
    await infer(s, FEATURES.slice(0, 2));
    const m = (await request(`${s.url}/metrics`)).text;
    expect(metric(m, 'servingstack_monitoring_skipped_total', { reason: 'group_missing' })!).toBeGreaterThanOrEqual(1);
    expect(s.logs.find((r) => r.msg === 'monitoring input skipped' && r.reason === 'group_missing')).toBeDefined();
  });

  test('late labels by request id give rolling accuracy; bad feedback is refused naming the field', async () => {
    const rows = FEATURES.slice(500, 560);
    const res = await infer(s, rows, { id: 'batch-500', parameters: { segment: 'a' } });
    expect(res.status).toBe(200);
    const viaHeader = await infer(s, FEATURES.slice(0, 1), { parameters: { segment: 'a' } });
    const headerId = viaHeader.headers.get('x-request-id')!;

    const ok = await postJson(`${s.url}/v2/models/breast-cancer/feedback`, { feedback: [{ id: 'batch-500', labels: LABELS.slice(500, 560) }, { id: headerId, labels: [LABELS[0]] }, { id: 'nope', labels: [1] }] });
    expect(ok.status).toBe(200);
    expect(ok.json.accepted).toBe(2);
    expect(ok.json.skipped).toEqual([expect.objectContaining({ id: 'nope', reason: 'unknown_id' })]);
    const m = (await request(`${s.url}/metrics`)).text;
    expect(metric(m, 'servingstack_labelled_rows', { model: 'breast-cancer' })).toBe(61);
    expect(metric(m, 'servingstack_model_accuracy', { model: 'breast-cancer' })!).toBeGreaterThan(0.85);
    expect(metric(m, 'servingstack_model_f1', { model: 'breast-cancer' })!).toBeGreaterThan(0.85);

    const again = await postJson(`${s.url}/feedback`, { id: 'batch-500', labels: LABELS.slice(500, 560) });
    expect(again.status).toBe(400);
    expect(again.json).toMatchObject({ code: 'RT_ERR_BAD_FEEDBACK', field: 'id' });

    await infer(s, FEATURES.slice(0, 2), { id: 'two-rows', parameters: { segment: 'a' } });
    const wrongType = await postJson(`${s.url}/feedback`, { id: 'two-rows', labels: [{ cls: 1 }, 0] });
    expect(wrongType.status).toBe(400);
    expect(wrongType.json).toMatchObject({ code: 'RT_ERR_BAD_FEEDBACK', field: 'labels' });
    const wrongRows = await postJson(`${s.url}/feedback`, { id: 'two-rows', labels: [1] });
    expect(wrongRows.json).toMatchObject({ code: 'RT_ERR_BAD_FEEDBACK', field: 'labels' });
    const malformed = await postJson(`${s.url}/feedback`, [1, 2]);
    expect(malformed.json).toMatchObject({ code: 'RT_ERR_BAD_FEEDBACK', field: 'body' });
    const m2 = (await request(`${s.url}/metrics`)).text;
    expect(metric(m2, 'servingstack_monitoring_skipped_total', { reason: 'bad_label' })).toBe(1);
    expect(metric(m2, 'servingstack_monitoring_skipped_total', { reason: 'row_mismatch' })).toBe(1);
  });
});

describe('drift thresholds', () => {
  const withThresholds = (): string => {
    const b = computeBaseline({ rows: EVEN, featureNames: NAMES, inputName: 'input', task: 'classification' });
    return packageWithBaseline({ ...b, thresholds: { windowRows: 50, psi: 0.9, jsDivergenceLog2: 0.2, quantile: 0.9975, rounds: 400 } });
  };
  const monitoringOn = (s: TestServer): Record<string, unknown> => s.logs.find((r) => r.msg === 'monitoring on')!;

  test.each([
    ['the baseline calibration and its window', {}, { windowRows: 50, psiThreshold: 0.9, jsThreshold: 0.2, thresholds: 'calibrated' }],
    ['calibration rescaled to a configured window (noise ∝ 1/rows)', { SERVINGSTACK_MONITORING_WINDOW_ROWS: '100' }, { windowRows: 100, psiThreshold: 0.45, jsThreshold: 0.1 }],
    ['explicit thresholds', { SERVINGSTACK_DRIFT_PSI_THRESHOLD: '0.3', SERVINGSTACK_DRIFT_JS_THRESHOLD: '0.05' }, { psiThreshold: 0.3, jsThreshold: 0.05, thresholds: 'configured' }],
  ])('uses %s', async (_name, env, expected) => {
    const dir = withThresholds();
    const s = await startServer({ modelDir: dir }, { env });
    try {
      expect(monitoringOn(s)).toMatchObject(expected);
    } finally {
      await s.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('without calibration: the fixed bands and a 1000-row window', async () => {
    const dir = packageWithBaseline();
    const s = await startServer({ modelDir: dir });
    try {
      expect(monitoringOn(s)).toMatchObject({ windowRows: 1000, psiThreshold: 0.25, jsThreshold: 0.1, thresholds: 'fixed defaults' });
    } finally {
      await s.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('monitoring edge cases', () => {
  test('GIVEN a malformed baseline THEN the model serves, the cause is logged, and feedback says monitoring is off', async () => {
    const dir = packageWithBaseline({ schemaVersion: 1, rowCount: 'many', features: [] });
    const s = await startServer({ modelDir: dir });
    try {
      expect((await infer(s, FEATURES.slice(0, 1))).status).toBe(200);
      expect(s.logs.find((r) => r.msg === 'baseline unusable: the model serves without monitoring')).toBeDefined();
      const fb = await postJson(`${s.url}/feedback`, { id: 'x', labels: [1] });
      expect(fb.status).toBe(409);
      expect(fb.json.code).toBe('RT_ERR_MONITORING_OFF');
    } finally {
      await s.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('data capture writes sampled JSONL records and rotates at the size limit', async () => {
    const capture = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-cap-'));
    const s = await startServer({ modelDir: MODELS.tiny }, { env: { SERVINGSTACK_CAPTURE_DIR: capture, SERVINGSTACK_CAPTURE_MAX_BYTES: '2048', SERVINGSTACK_CAPTURE_MAX_FILES: '3' } });
    try {
      for (let i = 0; i < 40; i++) {
        const r = await postJson(`${s.url}/v2/models/tiny/infer`, { id: `r${i}`, inputs: [{ name: 'input', shape: [1, 4], datatype: 'FP32', data: [i, 1, 2, 3] }] });
        expect(r.status).toBe(200);
      }
    } finally {
      await s.close();
    }
    const files = fs.readdirSync(capture).sort();
    expect(files).toContain('capture.jsonl');
    const rotated = files.filter((f) => f.startsWith('capture-'));
    expect(rotated.length).toBe(3); // older ones deleted
    const records = files.flatMap((f) => fs.readFileSync(path.join(capture, f), 'utf8').trim().split('\n')).map((l) => JSON.parse(l) as { requestId: string; inputs: { input: { data: number[] } }; outputs: { output: { data: number[] } } });
    const last = records.find((r) => r.requestId === 'r39')!;
    expect(last.inputs.input.data).toEqual([39, 1, 2, 3]);
    expect(last.outputs.output.data).toEqual([79, 3, 5, 7]);
    for (const f of files) expect(fs.statSync(path.join(capture, f)).size).toBeLessThanOrEqual(2048 + 300);
    fs.rmSync(capture, { recursive: true, force: true });
  });
});
