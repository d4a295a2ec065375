/**
 * Batch figures equal streaming figures on the same data: a runtime serves traffic with data
 * capture on and takes labels; its /metrics and logged windows are read; then `quality-report`
 * (and `drift-report --capture`) run over its capture files, and over the same traffic written
 * in SageMaker's data-capture format, and must give the same drift windows, accuracy, concept
 * drift and fairness.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { QualityReport } from '../../../lib/monitoring/quality';
import type { DriftReport } from '../../../lib/monitoring/report';
import { breastCancerPackage, ROWS } from '../../runtime/feedback-fixtures';
import { metricSum, pool, postJson, request, scrape, Sample, startServer, TestServer } from '../../runtime/helpers';
import { cli } from '../../support/monitoring-cli';

jest.setTimeout(180_000);

const ENV = { SERVINGSTACK_FAIRNESS_GROUP: 'segment', SERVINGSTACK_FAIRNESS_MIN_GROUP_COUNT: '5', SERVINGSTACK_MONITORING_WINDOW_ROWS: '100', SERVINGSTACK_MONITORING_MIN_WINDOW_ROWS: '50', SERVINGSTACK_MONITORING_WINDOW_SECONDS: '86400' };
const FLAGS = ['--group', 'segment', '--min-group-count', '5', '--window-rows', '100', '--min-window-rows', '50', '--window-seconds', '86400'];

describe('quality-report equals the runtime on the same traffic', () => {
  let work: string;
  let pkg: string;
  let s: TestServer;
  let metrics: Sample[];
  let windows: { window: number; rows: number; drifted: string[]; fairness?: Record<string, unknown> }[];
  let labelsCsv: string;
  let sagemakerDir: string;

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-quality-'));
    pkg = breastCancerPackage();
    const capture = path.join(work, 'capture');
    sagemakerDir = path.join(work, 'datacapture', 'my-endpoint', 'AllTraffic', '2026', '12', '06', '23');
    fs.mkdirSync(sagemakerDir, { recursive: true });
    // Small capture files: the reader must follow the rotation order.
    s = await startServer({ modelDir: pkg }, { env: { ...ENV, SERVINGSTACK_CAPTURE_DIR: capture, SERVINGSTACK_CAPTURE_MAX_BYTES: '40000', SERVINGSTACK_CAPTURE_MAX_FILES: '1000' } });
    const smLines: string[] = [];
    const sent: { id: string; labels: number[] }[] = [];
    // 120 requests of 1–5 rows; from request 40 on, f0 is shifted (drift) and group b gets wrong labels.
    const jobs = Array.from({ length: 120 }, (_, i) => i);
    await pool(jobs, 6, async (i) => {
      const n = 1 + (i % 5);
      const rows = Array.from({ length: n }, (_, k) => ROWS[(i * 5 + k) % ROWS.length]);
      const features = rows.map((r) => (i >= 40 ? [r.features[0] * 1.8, ...r.features.slice(1)] : r.features));
      const segment = i % 3 ? 'a' : 'b';
      const csv = i % 7 === 0;
      const body = csv ? features.map((f) => f.join(',')).join('\n') : JSON.stringify({ instances: features, parameters: { segment } });
      const res = await request(`${s.url}/invocations`, { method: 'POST', headers: csv ? { 'content-type': 'text/csv', accept: 'text/csv' } : { 'content-type': 'application/json' }, body });
      expect(res.status).toBe(200);
      const id = res.headers.get('x-request-id')!;
      const b64 = i % 2 === 0;
      smLines.push(
        JSON.stringify({
          captureData: {
            endpointInput: { observedContentType: csv ? 'text/csv' : 'application/json', mode: 'INPUT', data: b64 ? Buffer.from(body).toString('base64') : body, encoding: b64 ? 'BASE64' : csv ? 'CSV' : 'JSON' },
            endpointOutput: { observedContentType: res.headers.get('content-type'), mode: 'OUTPUT', data: b64 ? res.raw.toString('base64') : res.text, encoding: b64 ? 'BASE64' : csv ? 'CSV' : 'JSON' },
          },
          eventMetadata: { eventId: `evt-${i}`, inferenceId: id, inferenceTime: new Date().toISOString() },
          eventVersion: '0',
        }),
      );
      sent.push({ id, labels: rows.map((r) => (i >= 40 && segment === 'b' ? 1 - r.label : r.label)) });
    });
    // Labels after the traffic, in one order, sent in that order (the concept-drift detectors see the same error stream).
    for (let i = 0; i < sent.length; i += 10) {
      const r = await postJson(`${s.url}/feedback`, { feedback: sent.slice(i, i + 10).map((x) => ({ id: x.id, labels: x.labels })) });
      expect(r.json.accepted).toBe(Math.min(10, sent.length - i));
    }
    metrics = await scrape(s.url);
    windows = s.logs.records.filter((r) => r.msg === 'monitoring window closed') as typeof windows;
    await s.close();
    labelsCsv = path.join(work, 'labels.csv');
    fs.writeFileSync(labelsCsv, `id,label\n${sent.flatMap((x) => x.labels.map((l) => `${x.id},${l}`)).join('\n')}\n`);
    // SageMaker writes one file per hour, lines in arrival order: split the lines over two files.
    fs.writeFileSync(path.join(sagemakerDir, '00-00-000-aaaa.jsonl'), `${smLines.slice(0, 40).join('\n')}\n`);
    fs.writeFileSync(path.join(sagemakerDir, '30-00-000-bbbb.jsonl'), `${smLines.slice(40).join('\n')}\n`);
    expect(fs.readdirSync(capture).length).toBeGreaterThan(1); // rotated
  });

  afterAll(() => {
    fs.rmSync(work, { recursive: true, force: true });
    fs.rmSync(pkg, { recursive: true, force: true });
  });

  const expectSame = (q: QualityReport): void => {
    const m = (name: string, labels: Record<string, string> = {}): number => metricSum(metrics, name, { model: 'breast-cancer', ...labels });
    // Windows: the runtime closed these; the batch also closes the last partial one.
    expect(windows.length).toBeGreaterThanOrEqual(3);
    expect(q.windows.slice(0, windows.length).map((w) => ({ window: w.window, rows: w.rows, drifted: w.driftedFeatures }))).toEqual(windows.map((w) => ({ window: w.window, rows: w.rows, drifted: w.drifted })));
    expect(q.windows.slice(0, windows.length).map((w) => w.fairness)).toEqual(windows.map((w) => w.fairness));
    const last = q.windows[windows.length - 1];
    expect(last.driftedFeatures).toContain('f0');
    for (const f of last.prediction ? [...last.features, last.prediction] : last.features) {
      expect(f.psi).toBeCloseTo(m('servingstack_drift_psi', { feature: f.name }), 12);
      expect(f.jsDivergenceLog2).toBeCloseTo(m('servingstack_drift_js_divergence_log2', { feature: f.name }), 12);
    }
    expect(q.performance.labelled).toBe(m('servingstack_labelled_rows'));
    for (const [k, name] of [['accuracy', 'servingstack_model_accuracy'], ['precision', 'servingstack_model_precision'], ['recall', 'servingstack_model_recall'], ['f1', 'servingstack_model_f1']] as const) {
      expect(q.performance[k]).toBeCloseTo(m(name), 12);
    }
    expect(q.fairness!.equalizedOddsDifference).toBeCloseTo(m('servingstack_fairness_equalized_odds_difference'), 12);
    for (const d of ['page_hinkley', 'ddm']) expect(q.conceptDrift.filter((c) => c.detector === d).length).toBe(m('servingstack_concept_drift_detections_total', { detector: d }));
    expect(q.conceptDrift.length).toBeGreaterThan(0); // group b's flipped labels raise the error rate
    expect(q.labels.unmatched).toBe(0);
  };

  test("the runtime's own capture files", () => {
    const html = path.join(work, 'quality.html');
    const r = cli('quality-report', '--model', pkg, '--capture', path.join(work, 'capture'), '--labels', labelsCsv, ...FLAGS, '--json', '--html', html);
    expect(r.stderr).toMatch(/wrote/);
    expect(r.code).toBe(0);
    const q = JSON.parse(r.stdout) as QualityReport & { drift: DriftReport };
    expectSame(q);
    expect(q.drift.driftedFeatures).toContain('f0');
    const page = fs.readFileSync(html, 'utf8');
    expect(page).toContain('Model quality: breast-cancer');
    expect(page).toMatch(/<span class="badge">DRIFT<\/span> f0/);
  });

  test('SageMaker data capture (BASE64, JSON and CSV encodings, a folder tree), labels as SageMaker ground truth', () => {
    const lines = fs.readFileSync(labelsCsv, 'utf8').trim().split('\n').slice(1);
    const byId = new Map<string, string[]>();
    for (const l of lines) {
      const [id, label] = l.split(',');
      byId.set(id, [...(byId.get(id) ?? []), label]);
    }
    const gt = path.join(work, 'ground-truth.jsonl');
    fs.writeFileSync(gt, [...byId].map(([id, labels]) => JSON.stringify({ groundTruthData: { data: labels.join('\n'), encoding: 'CSV' }, eventMetadata: { eventId: id }, eventVersion: '0' })).join('\n'));
    const r = cli('quality-report', '--model', pkg, '--capture', path.join(work, 'datacapture'), '--labels', gt, ...FLAGS, '--json');
    expect(r.code).toBe(0);
    expectSame(JSON.parse(r.stdout) as QualityReport);
  });

  test('drift-report --capture reads both formats; bad input is refused naming the field', () => {
    const a = cli('drift-report', '--model', pkg, '--capture', path.join(work, 'capture'), '--json');
    const b = cli('drift-report', '--model', pkg, '--capture', path.join(work, 'datacapture'), '--json');
    expect(a.code).toBe(0);
    const ra = JSON.parse(a.stdout) as DriftReport;
    expect(ra.driftedFeatures).toContain('f0');
    expect(JSON.parse(b.stdout)).toEqual(ra);
    const none = cli('drift-report', '--model', pkg);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/--data or --capture/);
    const badLabels = path.join(work, 'bad.csv');
    fs.writeFileSync(badLabels, 'request,y\n1,2\n');
    const bad = cli('quality-report', '--model', pkg, '--capture', path.join(work, 'capture'), '--labels', badLabels);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/needs the columns id and label/);
  });
});
