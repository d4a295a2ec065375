/**
 * `servingstack baseline --data <csv|jsonl> --model <package-dir>`: run the model over a data set
 * (in an ONNX Runtime worker thread), compute the baseline statistics of its features, predictions
 * and labels, write baseline.json into the package and point the manifest's `baseline` at it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { ServingStackError, ValidationIssue } from '../../lib/core/errors';
import { MANIFEST_FILE, ModelManifest, TensorSpec, validateManifest } from '../../lib/core/manifest';
import { loadModelPackage } from '../../lib/core/model-package';
import { Cell, computeBaseline, DEFAULT_BINS, DEFAULT_TOP_K, isMissing, serializeBaseline } from '../../lib/monitoring/baseline';
import { calibrateThresholds } from '../../lib/monitoring/calibration';
import { loadRows, LoadedRows } from '../../lib/monitoring/data-file';
import type { Baseline } from '../../lib/monitoring/types';
import { WorkerPool } from '../../lib/runtime/pool';
import type { WireTensor } from '../../lib/runtime/worker-protocol';

interface BaselineOptions {
  readonly data: string;
  readonly model: string;
  readonly labelColumn?: string;
  readonly bins: string;
  readonly topK: string;
  readonly out?: string;
  readonly predictionOutput?: string;
  readonly categorical?: string[];
  readonly windowRows: string;
}

const BATCH_ROWS = 512;

function optionError(field: string, message: string, received: unknown, allowed: string): ServingStackError {
  return new ServingStackError('SS_ERR_BASELINE_OPTIONS', `cannot compute the baseline: ${field} ${message}`, [{ field, message, received, allowed }]);
}

function intOption(name: string, raw: string, min: number, max: number): number {
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min || v > max) throw optionError(name, `must be an integer from ${min} to ${max}`, raw, `${min}…${max}`);
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
    if (!t) throw optionError('--prediction-output', 'is not an output of the model', requested, outputs.map((o) => o.name).join(', '));
    const mode = m.task === 'classification' ? 'class' : 'value';
    return { output: t, mode };
  }
  if (m.task === 'classification') {
    const label = outputs.find(labelLike);
    if (label) return { output: label, mode: 'class' };
    const probs = outputs.find((t) => isFloat(t) && t.shape.length === 2 && t.shape[1] !== 1);
    if (probs) return { output: probs, mode: 'class' };
  }
  const numeric = outputs.find((t) => isFloat(t) || isInt(t));
  if (!numeric) throw optionError('--prediction-output', 'cannot be chosen: the model has no numeric output', outputs.map((o) => o.name), 'a numeric output');
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
      throw new ServingStackError('SS_ERR_BASELINE_OPTIONS', `cannot feed data to an input of datatype ${datatype}`, [
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
async function predict(modelPath: string, input: TensorSpec, output: TensorSpec, mode: 'class' | 'value', rows: readonly (readonly Cell[])[]): Promise<number[]> {
  const pool = new WorkerPool(1, { onIdle: () => undefined, onWorkerExit: () => undefined });
  // The pool unrefs its workers (a server keeps the loop alive); a CLI must wait for them.
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
 * Set `baseline` in the package's servingstack.json, keeping the other keys in their order (a new
 * key goes before `lineage`, else last), validate, and write atomically.
 */
export function setManifestBaseline(pkgDir: string, rel: string): void {
  const file = path.join(pkgDir, MANIFEST_FILE);
  const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  let next: Record<string, unknown>;
  if ('baseline' in raw) {
    next = { ...raw, baseline: rel };
  } else {
    next = {};
    for (const [k, v] of Object.entries(raw)) {
      if (k === 'lineage') next.baseline = rel;
      next[k] = v;
    }
    if (!('baseline' in next)) next.baseline = rel;
  }
  validateManifest(next, file);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(next, null, 2)}\n`);
  fs.renameSync(tmp, file);
}

export async function runBaseline(o: BaselineOptions): Promise<Baseline> {
  const bins = intOption('--bins', o.bins, 1, 1000);
  const topK = intOption('--top-k', o.topK, 1, 10000);
  const pkg = await loadModelPackage(o.model);
  const m = pkg.manifest;
  if (m.format !== 'onnx') throw optionError('--model', `is a ${m.format} package`, m.format, 'an onnx model package');
  const inputs = m.signature.inputs;
  if (inputs.length !== 1 || inputs[0]!.shape.length !== 2) {
    throw optionError('--model', 'must have a single input shaped [-1, F]', inputs.map((t) => `${t.name} [${t.shape.join(', ')}]`), 'one input of rank 2 (rows × features)');
  }
  const input = inputs[0]!;
  const data = loadRows(o.data, o.labelColumn ? { labelColumn: o.labelColumn } : {});
  if (data.rows.length === 0) throw optionError('--data', 'has no rows', o.data, 'a data set with rows');
  checkData(data, input, o.data);
  const { output, mode } = choosePredictionOutput(m, o.predictionOutput);
  const predictions = await predict(pkg.modelPath, input, output, mode, data.rows);
  const task = m.task ?? 'other';
  const labels = data.labels && task === 'classification' ? labelIds(data.labels, m, o.data) : undefined;
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
    { bins, topK, ...(o.categorical ? { categorical: o.categorical } : {}) },
  );
  const windowRows = intOption('--window-rows', o.windowRows, 10, 10_000_000);
  const thresholds = calibrateThresholds(baseline, data.rows, { windowRows });
  const calibrated = { ...baseline, thresholds };
  const out = path.resolve(o.out ?? path.join(pkg.dir, 'baseline.json'));
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, serializeBaseline(calibrated));
  const realOut = path.join(fs.realpathSync(path.dirname(out)), path.basename(out));
  const rel = path.relative(pkg.dir, realOut);
  const inside = rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
  const relPosix = rel.split(path.sep).join('/');
  if (inside) setManifestBaseline(pkg.dir, relPosix);

  const numeric = baseline.features.filter((f) => f.distribution.kind === 'numeric').length;
  const predShares = baseline.prediction?.distribution.kind === 'categorical'
    ? baseline.prediction.distribution.values.map((v, i) => `${m.classLabels?.[Number(v)] ?? v} ${(baseline.prediction!.distribution.expected[i]! * 100).toFixed(1)}%`).join(', ')
    : 'numeric';
  const lines = [
    `wrote ${path.relative(process.cwd(), out) || out}`,
    `  rows         ${baseline.rowCount} (${data.format}${data.namedColumns ? '' : ', features named f0…'})`,
    `  features     ${baseline.features.length} (${numeric} numeric with ≤ ${bins} quantile bins, ${baseline.features.length - numeric} categorical)`,
    `  prediction   ${output.name} (${mode}): ${predShares}`,
    `  labels       ${labels ? `${labels.length} (class shares recorded)` : 'none'}`,
    `  thresholds   PSI ${thresholds.psi}, JS divergence (log2) ${thresholds.jsDivergenceLog2} for ${windowRows}-row windows (${thresholds.quantile * 100}th percentile of ${thresholds.rounds} resampled no-drift windows)`,
    inside ? `  manifest     ${MANIFEST_FILE} "baseline": "${relPosix}"` : `  manifest     unchanged (${out} is outside the package)`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return calibrated;
}

export function registerBaselineCommand(program: Command): void {
  program
    .command('baseline')
    .summary('compute the drift baseline of a model package from a data set')
    .description(
      [
        'Run the model over a data set (CSV with a header row, scikit-learn CSV, or JSON Lines keyed by feature name) and record the baseline that drift is measured against: per feature, frozen quantile bin edges and the share of values per bin (numeric) or the top-K values and their shares (categorical), the missing rate, mean and standard deviation; the distribution of the predictions; the class shares of the labels.',
        'The baseline is written to <package>/baseline.json unless --out says otherwise, and the manifest\'s "baseline" field is set when the file lies inside the package. Format: docs/monitoring.md.',
      ].join('\n\n'),
    )
    .requiredOption('--data <file>', 'data set: .csv (header or scikit-learn format) or .jsonl')
    .requiredOption('--model <dir>', 'model package directory (single input shaped [-1, F])')
    .option('--label-column <name>', 'CSV column holding the label (default: a column named "label")')
    .option('--bins <n>', 'quantile bins per numeric feature', String(DEFAULT_BINS))
    .option('--top-k <n>', 'values kept per categorical feature', String(DEFAULT_TOP_K))
    .option('--categorical <names...>', 'features to treat as categorical')
    .option('--prediction-output <name>', 'model output the prediction is read from')
    .option('--out <file>', 'where to write the baseline (default: <model>/baseline.json)')
    .option('--window-rows <n>', 'monitoring window size the drift thresholds are calibrated for (the runtime uses it as its window)', '1000')
    .addHelpText(
      'after',
      ['', 'Examples:', '  $ servingstack baseline --data examples/data/breast_cancer.csv --model examples/models/breast-cancer', '  $ servingstack baseline --data train.jsonl --model ./my-model --out /tmp/baseline.json'].join('\n'),
    )
    .action(async (options: BaselineOptions) => {
      await runBaseline(options);
    });
}
