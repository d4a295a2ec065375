/**
 * The baseline of a model package from a data set (what `servingstack baseline` runs): run the
 * model over the rows in an ONNX Runtime worker thread, compute the statistics of features,
 * predictions and labels, calibrate the drift thresholds for a window size, write baseline.json
 * and point the manifest at it when it lies inside the package.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ServingStackError, ValidationIssue } from '../core/errors';
import { ModelManifest, TensorSpec } from '../core/manifest';
import { setManifestBaseline } from '../core/manifest-update';
import { loadModelPackage } from '../core/model-package';
import { WorkerPool } from '../runtime/pool';
import type { WireTensor } from '../runtime/worker-protocol';
import { Cell, computeBaseline, DEFAULT_BINS, DEFAULT_TOP_K, isMissing } from './baseline';
import { serializeBaseline } from './baseline-file';
import { calibrateThresholds } from './calibration';
import { DataFormat, LoadedRows, loadRows } from './data-file';
import type { Baseline, BaselineThresholds } from './types';

/** What to build a baseline from. */
export interface BaselineBuildOptions {
  /** Data set: CSV (header or scikit-learn format) or JSON Lines. */
  readonly data: string;
  /** Model package directory (one input shaped [-1, F]). */
  readonly model: string;
  /** CSV column holding the label. @default - a column named `label` */
  readonly labelColumn?: string;
  /** Quantile bins per numeric feature. @default 10 */
  readonly bins?: number;
  /** Values kept per categorical feature. @default 20 */
  readonly topK?: number;
  /** Features treated as categorical. @default - inferred */
  readonly categorical?: readonly string[];
  /** The model output the prediction is read from. @default - chosen as docs/monitoring.md says */
  readonly predictionOutput?: string;
  /** Where to write the baseline. @default `<model>/baseline.json` */
  readonly out?: string;
  /** Window size the drift thresholds are calibrated for. @default 1000 */
  readonly windowRows?: number;
}

/** A step of the build, for progress output. */
export interface BaselineBuildStep {
  /** `data`, `predict`, `statistics`, `calibrate`, `write`. */
  readonly step: string;
  readonly message: string;
}

export interface BaselineBuildResult {
  /** The baseline as written (with calibrated thresholds). */
  readonly baseline: Baseline;
  readonly thresholds: BaselineThresholds;
  /** Absolute path of the written file. */
  readonly file: string;
  /** The manifest's new `baseline` value, when the file lies inside the package; else undefined (manifest unchanged). */
  readonly manifestBaseline?: string;
  readonly manifest: ModelManifest;
  readonly dataFormat: DataFormat;
  readonly namedColumns: boolean;
  readonly predictionOutput: string;
  readonly predictionMode: 'class' | 'value';
  /** Labelled rows, when the data has labels and the model is a classifier. */
  readonly labelledRows?: number;
  readonly bins: number;
}

const BATCH_ROWS = 512;
const OPTIONS_CODE = 'SS_ERR_BASELINE_OPTIONS';

function optionError(field: string, message: string, received: unknown, allowed: string): ServingStackError {
  return new ServingStackError(OPTIONS_CODE, `cannot compute the baseline: ${field} ${message}`, [{ field, message, received, allowed }]);
}

function checkInt(field: string, v: number, min: number, max: number): number {
  if (!Number.isInteger(v) || v < min || v > max) throw optionError(field, `must be an integer from ${min} to ${max}`, v, `${min}…${max}`);
  return v;
}

/** Which output gives the prediction, and how (see docs/monitoring.md). */
export function choosePredictionOutput(m: ModelManifest, requested?: string): { output: TensorSpec; mode: 'class' | 'value' } {
  const outputs = m.signature.outputs;
  const isInt = (t: TensorSpec): boolean => /^U?INT(8|16|32|64)$/.test(t.datatype);
  const isFloat = (t: TensorSpec): boolean => /^FP(16|32|64)$/.test(t.datatype);
  const labelLike = (t: TensorSpec): boolean => isInt(t) && (t.shape.length === 1 || (t.shape.length === 2 && t.shape[1] === 1));
  if (requested) {
    const t = outputs.find((o) => o.name === requested);
    if (!t) throw optionError('predictionOutput', 'is not an output of the model', requested, outputs.map((o) => o.name).join(', '));
    return { output: t, mode: m.task === 'classification' ? 'class' : 'value' };
  }
  if (m.task === 'classification') {
    const label = outputs.find(labelLike);
    if (label) return { output: label, mode: 'class' };
    const probs = outputs.find((t) => isFloat(t) && t.shape.length === 2 && t.shape[1] !== 1);
    if (probs) return { output: probs, mode: 'class' };
  }
  const numeric = outputs.find((t) => isFloat(t) || isInt(t));
  if (!numeric) throw optionError('predictionOutput', 'cannot be chosen: the model has no numeric output', outputs.map((o) => o.name), 'a numeric output');
  return { output: numeric, mode: m.task === 'classification' ? 'class' : 'value' };
}

function typedArrayFor(datatype: string, n: number): { type: string; data: Float32Array | Float64Array | Int32Array | BigInt64Array } {
  switch (datatype) {
    case 'FP32':
      return { type: 'float32', data: new Float32Array(n) };
    case 'FP64':
      return { type: 'float64', data: new Float64Array(n) };
    case 'INT32':
      return { type: 'int32', data: new Int32Array(n) };
    case 'INT64':
      return { type: 'int64', data: new BigInt64Array(n) };
    default:
      throw new ServingStackError(OPTIONS_CODE, `cannot feed data to an input of datatype ${datatype}`, [
        { field: 'signature.inputs[0].datatype', message: 'is not supported by `servingstack baseline`', received: datatype, allowed: 'FP32 | FP64 | INT32 | INT64' },
      ]);
  }
}

/** Predictions from one output of a batch: class ids (argmax or label value) or values. */
function predictionsOf(t: WireTensor, rows: number, mode: 'class' | 'value'): number[] {
  const data = t.data as ArrayLike<number | bigint>;
  const width = rows > 0 ? data.length / rows : 0;
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    if (mode === 'class' && width > 1) {
      let best = 0;
      for (let k = 1; k < width; k++) if (Number(data[r * width + k]) > Number(data[r * width + best])) best = k;
      out.push(best);
    } else {
      out.push(Number(data[r * width]));
    }
  }
  return out;
}

/** Run the model over the rows in a worker thread (ONNX Runtime never runs on the calling thread). */
export async function predictRows(modelPath: string, input: TensorSpec, output: TensorSpec, mode: 'class' | 'value', rows: readonly (readonly Cell[])[]): Promise<number[]> {
  const pool = new WorkerPool(1, { onIdle: () => undefined, onWorkerExit: () => undefined });
  // The pool unrefs its workers (a server keeps the loop alive); a command must wait for them.
  for (const h of pool.workers) h.worker.ref();
  try {
    await pool.load('baseline', modelPath, { executionProviders: ['cpu'], intraOpNumThreads: 1, graphOptimizationLevel: 'all', deviceIds: [] });
    const width = rows[0]?.length ?? 0;
    const preds: number[] = [];
    for (let start = 0; start < rows.length; start += BATCH_ROWS) {
      const batch = rows.slice(start, start + BATCH_ROWS);
      const { type, data } = typedArrayFor(input.datatype, batch.length * width);
      batch.forEach((r, i) =>
        r.forEach((v, j) => {
          const x = isMissing(v) ? NaN : (v as number);
          if (data instanceof BigInt64Array) data[i * width + j] = BigInt(Math.trunc(Number.isNaN(x) ? 0 : x));
          else data[i * width + j] = x;
        }),
      );
      const worker = pool.idleWorker()!;
      const res = await pool.run(worker, 'baseline', { [input.name]: { type, dims: [batch.length, width], data } }, [output.name], [data.buffer as ArrayBuffer]);
      preds.push(...predictionsOf(res.outputs[output.name]!, batch.length, mode));
    }
    return preds;
  } finally {
    await pool.close();
  }
}

function checkData(data: LoadedRows, input: TensorSpec, file: string): void {
  const issues: ValidationIssue[] = [];
  const width = input.shape[1];
  if (width !== undefined && width !== -1 && data.featureNames.length !== width) {
    issues.push({
      field: 'columns',
      message: `${file} has ${data.featureNames.length} feature columns but input "${input.name}" takes ${width}`,
      received: data.featureNames.length > 12 ? `${data.featureNames.length} columns` : data.featureNames,
      allowed: `${width} feature columns (plus an optional label column)`,
    });
  }
  for (let i = 0; i < data.rows.length && issues.length < 10; i++) {
    const j = data.rows[i]!.findIndex((v) => typeof v === 'string');
    if (j >= 0) issues.push({ field: `${file}: row ${i + 1}, column ${data.featureNames[j]}`, message: 'is not a number', received: data.rows[i]![j], allowed: `a number (input "${input.name}" is ${input.datatype})` });
  }
  if (issues.length > 0) throw new ServingStackError('SS_ERR_DATA_INVALID', `${file} does not fit the model's input`, issues);
}

/** Class ids from labels: integers as they are, class names through the manifest's classLabels. */
function labelIds(labels: readonly Cell[], m: ModelManifest, file: string): number[] {
  const issues: ValidationIssue[] = [];
  const ids = labels.map((l, i) => {
    if (typeof l === 'number' && Number.isInteger(l)) return l;
    if (typeof l === 'string') {
      const k = m.classLabels?.indexOf(l) ?? -1;
      if (k >= 0) return k;
    }
    if (issues.length < 10) issues.push({ field: `${file}: row ${i + 1}, label`, message: 'is not a class id or class label', received: l, allowed: m.classLabels ? `0…${m.classLabels.length - 1} or ${m.classLabels.join(' | ')}` : 'an integer class id' });
    return -1;
  });
  if (issues.length > 0) throw new ServingStackError('SS_ERR_DATA_INVALID', `${file} has invalid labels`, issues);
  return ids;
}

/**
 * Build, calibrate and write the baseline. `onStep` hears each step as it starts (progress
 * output); nothing is printed here.
 */
export async function buildBaseline(o: BaselineBuildOptions, onStep: (s: BaselineBuildStep) => void = () => undefined): Promise<BaselineBuildResult> {
  const bins = checkInt('bins', o.bins ?? DEFAULT_BINS, 1, 1000);
  const topK = checkInt('topK', o.topK ?? DEFAULT_TOP_K, 1, 10000);
  const windowRows = checkInt('windowRows', o.windowRows ?? 1000, 10, 10_000_000);
  const pkg = await loadModelPackage(o.model);
  const m = pkg.manifest;
  if (m.format !== 'onnx') throw optionError('model', `is a ${m.format} package`, m.format, 'an onnx model package');
  const inputs = m.signature.inputs;
  if (inputs.length !== 1 || inputs[0]!.shape.length !== 2) {
    throw optionError('model', 'must have a single input shaped [-1, F]', inputs.map((t) => `${t.name} [${t.shape.join(', ')}]`), 'one input of rank 2 (rows × features)');
  }
  const input = inputs[0]!;
  onStep({ step: 'data', message: `reading ${o.data}` });
  const data = loadRows(o.data, o.labelColumn ? { labelColumn: o.labelColumn } : {});
  if (data.rows.length === 0) throw optionError('data', 'has no rows', o.data, 'a data set with rows');
  checkData(data, input, o.data);
  const { output, mode } = choosePredictionOutput(m, o.predictionOutput);
  onStep({ step: 'predict', message: `running ${m.name} over ${data.rows.length} rows (output ${output.name})` });
  const predictions = await predictRows(pkg.modelPath, input, output, mode, data.rows);
  const task = m.task ?? 'other';
  const labels = data.labels && task === 'classification' ? labelIds(data.labels, m, o.data) : undefined;
  onStep({ step: 'statistics', message: `computing the statistics of ${data.featureNames.length} features` });
  const baseline = computeBaseline(
    {
      rows: data.rows,
      featureNames: data.featureNames,
      inputName: input.name,
      predictions,
      predictionOutput: output.name,
      predictionMode: mode,
      ...(labels ? { labels } : {}),
      task,
      source: { uri: path.relative(process.cwd(), path.resolve(o.data)) || o.data, sha256: data.sha256 },
    },
    { bins, topK, ...(o.categorical ? { categorical: [...o.categorical] } : {}) },
  );
  onStep({ step: 'calibrate', message: `calibrating drift thresholds for ${windowRows}-row windows` });
  const thresholds = calibrateThresholds(baseline, data.rows, { windowRows });
  const calibrated = { ...baseline, thresholds };
  const file = path.resolve(o.out ?? path.join(pkg.dir, 'baseline.json'));
  onStep({ step: 'write', message: `writing ${file}` });
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, serializeBaseline(calibrated));
  const realOut = path.join(fs.realpathSync(path.dirname(file)), path.basename(file));
  const rel = path.relative(pkg.dir, realOut);
  const inside = rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
  const relPosix = rel.split(path.sep).join('/');
  if (inside) setManifestBaseline(pkg.dir, relPosix);
  return {
    baseline: calibrated,
    thresholds,
    file,
    manifestBaseline: inside ? relPosix : undefined,
    manifest: m,
    dataFormat: data.format,
    namedColumns: data.namedColumns,
    predictionOutput: output.name,
    predictionMode: mode,
    labelledRows: labels?.length,
    bins,
  };
}

