/**
 * Odd tensor and feature names wherever they surface, escaped and intact: JSON log lines,
 * Prometheus labels of monitoring metrics (feature keys from a baseline of a PyTorch-style model
 * whose input is `onnx::Gemm_0`), data-capture JSON Lines (an output named `__proto__`), the HTML
 * drift report and CSV headers of data files.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { computeBaseline } from '../../lib/monitoring/baseline';
import { loadRows } from '../../lib/monitoring/data-file';
import { compareWithBaseline, renderDriftHtml } from '../../lib/monitoring/report';
import { corpusModels, oipJson, PYTORCH_MLP_FEATURES, writeCorpusModel } from './corpus';
import { mulberry32, parseMetrics, postJson, request, startServer, waitFor } from './helpers';

jest.setTimeout(60_000);

/** Feature names a CSV header or a user may give; they become Prometheus label values. */
const FEATURES = ['a"b', 'back\\slash', 'new\nline', '<script>x</script>', 'ünï 名', 'onnx::Gemm_0[5]'].slice(0, PYTORCH_MLP_FEATURES);

let work: string;
beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-names-'));
});
afterAll(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

const models = corpusModels();

function rows(n: number, seed: number): number[][] {
  const r = mulberry32(seed);
  return Array.from({ length: n }, () => Array.from({ length: PYTORCH_MLP_FEATURES }, () => Math.fround((r() - 0.5) * 4)));
}

test('log lines stay one JSON record each when a refused request names a tensor with quotes and newlines', async () => {
  const m = models.find((x) => x.name === 'odd-names')!;
  const s = await startServer({ modelDir: writeCorpusModel(work, m), workers: 1, logLevel: 'info' });
  try {
    const name = 'evil"\n{"level":60,"msg":"forged"}';
    const res = await postJson(`${s.url}/v2/models/odd-names/infer`, { inputs: [{ name, datatype: 'FP32', shape: [1, 2], data: [1, 2] }] }, { 'x-request-id': 'names-1' });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: 'RT_ERR_UNKNOWN_INPUT', received: name });
    for (const line of s.logs.lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(s.logs.records.some((r) => r.msg === 'forged')).toBe(false);
    const logged = s.logs.find((r) => r.reqId === 'names-1' && r.code === 'RT_ERR_UNKNOWN_INPUT');
    expect(String(logged?.msg)).toContain(name);
  } finally {
    await s.close();
  }
});

test('monitoring of onnx::Gemm_0 keys features by baseline names, escaped in Prometheus labels', async () => {
  const m = models.find((x) => x.name === 'pytorch-mlp')!;
  const dir = writeCorpusModel(work, m);
  const baseline = computeBaseline({ rows: rows(400, 1), featureNames: FEATURES, inputName: 'onnx::Gemm_0', task: 'other' });
  fs.writeFileSync(path.join(dir, 'baseline.json'), JSON.stringify(baseline));
  fs.writeFileSync(path.join(dir, 'servingstack.json'), JSON.stringify({ ...m.manifest, baseline: 'baseline.json' }));
  const s = await startServer({ modelDir: dir, workers: 1, monitoringWindowRows: 100, monitoringMinWindowRows: 50 });
  try {
    const data = rows(120, 2);
    const res = await postJson(`${s.url}/v2/models/pytorch-mlp/infer`, { inputs: [{ name: 'onnx::Gemm_0', datatype: 'FP32', shape: [data.length, PYTORCH_MLP_FEATURES], data }] });
    expect(res.status).toBe(200);
    let samples: ReturnType<typeof parseMetrics> = [];
    expect(
      await waitFor(async () => {
        samples = parseMetrics((await request(`${s.url}/metrics`)).text).filter((x) => x.name === 'servingstack_drift_psi');
        return samples.length >= FEATURES.length;
      }, 10_000),
    ).toBe(true);
    // Prometheus escapes \, " and newline in label values; unescaped, the names are intact.
    const unescape = (v: string): string => v.replace(/\\(n|\\|")/g, (_, c: string) => (c === 'n' ? '\n' : c));
    const features = samples.filter((x) => x.labels.model === 'pytorch-mlp').map((x) => unescape(x.labels.feature!));
    expect(features).toEqual(expect.arrayContaining(FEATURES));
  } finally {
    await s.close();
  }
});

test('data capture writes an output named __proto__ as a JSON key', async () => {
  const m = models.find((x) => x.name === 'proto-output')!;
  const captureDir = path.join(work, 'capture');
  const s = await startServer({ modelDir: writeCorpusModel(work, m), workers: 1, captureDir, capturePercent: 100 });
  try {
    const res = await postJson(`${s.url}/v2/models/proto-output/infer`, oipJson(m.cases[0]!));
    expect(res.status).toBe(200);
  } finally {
    await s.close();
  }
  const lines = fs.readFileSync(path.join(captureDir, 'capture.jsonl'), 'utf8').trim().split('\n');
  const record = JSON.parse(lines[lines.length - 1]!) as { inputs: Record<string, unknown>; outputs: Record<string, { data: unknown[] }> };
  expect(Object.keys(record.inputs)).toEqual(['constructor']);
  expect(Object.keys(record.outputs)).toEqual(['__proto__', 'prototype']);
  expect(record.outputs['__proto__']!.data).toEqual([-1.5, 2, -7]);
});

test('the HTML drift report escapes feature names; CSV headers keep quoted names with commas', () => {
  const baseline = computeBaseline({ rows: rows(300, 3), featureNames: FEATURES, inputName: 'onnx::Gemm_0', task: 'other' });
  const html = renderDriftHtml(compareWithBaseline(baseline, { featureNames: FEATURES, rows: rows(200, 4), namedColumns: true }));
  expect(html).not.toContain('<script>x</script>');
  expect(html).toContain('&lt;script&gt;x&lt;/script&gt;');
  expect(html).toContain('a&quot;b');

  const csv = path.join(work, 'header.csv');
  fs.writeFileSync(csv, '"a,b","say ""hi""",onnx::Gemm_0,/layer1/x,label\n1,2,3,4,0\n5,6,7,8,1\n');
  const loaded = loadRows(csv);
  expect(loaded.featureNames).toEqual(['a,b', 'say "hi"', 'onnx::Gemm_0', '/layer1/x']);
  expect(loaded.rows).toEqual([
    [1, 2, 3, 4],
    [5, 6, 7, 8],
  ]);
});
