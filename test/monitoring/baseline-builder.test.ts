/** The `servingstack baseline` pipeline as a library: prediction output choice, steps, files written. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ModelManifest } from '../../lib/core/manifest';
import { BaselineBuildStep, buildBaseline, choosePredictionOutput } from '../../lib/monitoring/baseline-builder';
import { readBaseline } from '../../lib/monitoring/baseline';
import { rejectionOf } from '../support/errors';

const ROOT = path.join(__dirname, '../..');

const manifest = (task: string, outputs: { name: string; datatype: string; shape: number[] }[]): ModelManifest =>
  ({ schemaVersion: 1, name: 'm', version: '1', format: 'onnx', task, signature: { inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 2] }], outputs } }) as unknown as ModelManifest;

describe('choosePredictionOutput', () => {
  test('GIVEN a classifier THEN an integer label output wins over probabilities, which win over other numbers', () => {
    const probs = { name: 'probabilities', datatype: 'FP32', shape: [-1, 3] };
    const label = { name: 'label', datatype: 'INT64', shape: [-1] };
    expect(choosePredictionOutput(manifest('classification', [probs, label]))).toEqual({ output: label, mode: 'class' });
    expect(choosePredictionOutput(manifest('classification', [probs]))).toEqual({ output: probs, mode: 'class' });
    expect(choosePredictionOutput(manifest('regression', [{ name: 'y', datatype: 'FP64', shape: [-1, 1] }])).mode).toBe('value');
  });

  test('GIVEN an output name that is not in the signature THEN the error lists the outputs', () => {
    expect(() => choosePredictionOutput(manifest('classification', [{ name: 'p', datatype: 'FP32', shape: [-1, 2] }]), 'q')).toThrow(/predictionOutput: is not an output of the model; received "q"; allowed: p/);
  });
});

describe('buildBaseline', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-builder-'));
    fs.cpSync(path.join(ROOT, 'examples/models/breast-cancer'), path.join(dir, 'pkg'), { recursive: true });
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('GIVEN the breast-cancer data THEN it runs the model in a worker, reports each step, writes the baseline and points the manifest at it', async () => {
    const steps: BaselineBuildStep[] = [];
    const r = await buildBaseline({ data: path.join(ROOT, 'examples/data/breast_cancer.csv'), model: path.join(dir, 'pkg'), out: path.join(dir, 'pkg', 'monitoring', 'b.json'), windowRows: 500 }, (s) => steps.push(s));
    expect(steps.map((s) => s.step)).toEqual(['data', 'predict', 'statistics', 'calibrate', 'write']);
    expect(r).toMatchObject({ manifestBaseline: 'monitoring/b.json', predictionOutput: 'label', predictionMode: 'class', labelledRows: 569, dataFormat: 'sklearn-csv', namedColumns: false, bins: 10 });
    expect(readBaseline(r.file)).toEqual(r.baseline);
    expect(r.thresholds.windowRows).toBe(500);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'pkg', 'servingstack.json'), 'utf8')).baseline).toBe('monitoring/b.json');
  });

  test('GIVEN options out of range THEN nothing runs and the field is named', async () => {
    const e = await rejectionOf(buildBaseline({ data: 'unused.csv', model: path.join(dir, 'pkg'), bins: 0 }), 'SS_ERR_BASELINE_OPTIONS');
    expect(e.issues.map((i) => i.field)).toEqual(['bins']);
  });
});
