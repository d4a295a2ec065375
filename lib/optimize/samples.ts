/**
 * The sample set every optimization step is checked on, in order of preference: a data file the
 * user names (`--data`), the package's own training data (`lineage.trainingData.uri` when it is a
 * local file), rows drawn from the package's drift baseline, or seeded random rows. Labels come
 * with data files that carry them (scikit-learn CSV, a `label` column, JSONL `label`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ServingStackError, ValidationIssue } from '../core/errors';
import type { ModelManifest, TensorSpec } from '../core/manifest';
import type { ModelPackage } from '../core/model-package';
import { mulberry32 } from '../core/random';
import { Cell, isMissing, readBaseline } from '../monitoring/baseline';
import { loadRows } from '../monitoring/data-file';
import type { WireFeed, WireTensorIn } from './ort-protocol';

export interface SampleSet {
  /** Where the rows came from, for the report and the lineage. */
  readonly source: string;
  /** One feed per row: every input with batch dimension 1. */
  readonly rows: readonly WireFeed[];
  /** Class id per row, when the rows are labelled and the model is a classifier. */
  readonly labels?: readonly number[];
}

export interface SampleOptions {
  /** Data file (.csv or .jsonl). */
  readonly data?: string;
  readonly labelColumn?: string;
  /** Rows to use at most (data files) or to draw (baseline, random). @default 1000 */
  readonly maxRows?: number;
  /** @default 1 */
  readonly seed?: number;
}

const ONNX_TYPES: Record<string, string> = { FP32: 'float32', FP64: 'float64', INT32: 'int32', INT64: 'int64' };

function sampleError(field: string, message: string, received: unknown, allowed: string): ServingStackError {
  return new ServingStackError('SS_ERR_OPTIMIZE_SAMPLES', `cannot build the sample set: ${field} ${message}`, [{ field, message, received, allowed }]);
}

function tensor(spec: TensorSpec, values: readonly number[], dims: readonly number[]): WireTensorIn {
  switch (spec.datatype) {
    case 'FP32':
      return { type: 'float32', dims, data: Float32Array.from(values) };
    case 'FP64':
      return { type: 'float64', dims, data: Float64Array.from(values) };
    case 'INT32':
      return { type: 'int32', dims, data: Int32Array.from(values, Math.trunc) };
    case 'INT64':
      return { type: 'int64', dims, data: BigInt64Array.from(values, (v) => BigInt(Math.trunc(v))) };
    default:
      throw sampleError(`signature.inputs ${spec.name}`, `has datatype ${spec.datatype}`, spec.datatype, Object.keys(ONNX_TYPES).join(' | '));
  }
}

/** The single [-1, F] input a data file feeds, or an error naming what the model has. */
function tabularInput(m: ModelManifest, what: string): TensorSpec {
  const inputs = m.signature.inputs;
  const only = inputs[0]!;
  if (inputs.length !== 1 || only.shape.length !== 2 || only.shape[1] === -1) {
    throw sampleError('--data', `cannot feed this model (${what})`, inputs.map((t) => `${t.name} [${t.shape.join(', ')}]`), 'one input shaped [-1, F] with F fixed; other models are checked on random rows (omit --data)');
  }
  return only;
}

function labelIds(labels: readonly Cell[], m: ModelManifest, file: string): number[] {
  const issues: ValidationIssue[] = [];
  const ids = labels.map((l, i) => {
    if (typeof l === 'number' && Number.isInteger(l)) return l;
    const k = typeof l === 'string' ? (m.classLabels?.indexOf(l) ?? -1) : -1;
    if (k >= 0) return k;
    if (issues.length < 10) issues.push({ field: `${file}: row ${i + 1}, label`, message: 'is not a class id or class label', received: l, allowed: m.classLabels ? m.classLabels.join(' | ') : 'an integer class id' });
    return -1;
  });
  if (issues.length) throw new ServingStackError('SS_ERR_OPTIMIZE_SAMPLES', `${file} has invalid labels`, issues);
  return ids;
}

function fromFile(file: string, shown: string, pkg: ModelPackage, o: SampleOptions): SampleSet {
  const m = pkg.manifest;
  const input = tabularInput(m, shown);
  const data = loadRows(file, o.labelColumn ? { labelColumn: o.labelColumn } : {});
  const width = input.shape[1]!;
  if (data.featureNames.length !== width) {
    throw sampleError(shown, `has ${data.featureNames.length} feature columns but input "${input.name}" takes ${width}`, data.featureNames.length, `${width} feature columns plus an optional label column`);
  }
  const max = o.maxRows ?? 1000;
  const take = data.rows.slice(0, max);
  const bad = take.findIndex((r) => r.some((v) => typeof v === 'string'));
  if (bad >= 0) throw sampleError(`${shown}: row ${bad + 1}`, 'holds a value that is not a number', take[bad], `numbers (input "${input.name}" is ${input.datatype})`);
  const rows = take.map((r) => ({ [input.name]: tensor(input, r.map((v) => (isMissing(v) ? NaN : (v as number))), [1, width]) }));
  const labelled = data.labels !== undefined && (m.task === 'classification' || (m.task === undefined && m.classLabels !== undefined));
  return { source: shown, rows, ...(labelled ? { labels: labelIds(data.labels!.slice(0, max), m, shown) } : {}) };
}

function fromBaseline(file: string, pkg: ModelPackage, o: SampleOptions): SampleSet {
  const m = pkg.manifest;
  const baseline = readBaseline(file);
  const input = tabularInput(m, 'baseline');
  const width = input.shape[1]!;
  const random = mulberry32(o.seed ?? 1);
  const n = o.maxRows ?? 1000;
  const rows: WireFeed[] = [];
  for (let r = 0; r < n; r++) {
    const values = new Array<number>(width).fill(0);
    for (const f of baseline.features) {
      if (f.input !== input.name || f.column >= width) continue;
      const d = f.distribution;
      let u = random();
      let bin = 0;
      while (bin < d.expected.length - 1 && u >= d.expected[bin]!) u -= d.expected[bin++]!;
      if (d.kind === 'numeric') {
        // Shares: underflow, inner bins, overflow. Draw uniformly inside the chosen inner bin.
        const inner = Math.min(Math.max(bin - 1, 0), d.edges.length - 2);
        const lo = d.edges[inner]!;
        const hi = d.edges[inner + 1]!;
        values[f.column] = lo + random() * (hi - lo);
      } else {
        const v = Number(d.values[Math.min(bin, d.values.length - 1)]);
        values[f.column] = Number.isFinite(v) ? v : 0;
      }
    }
    rows.push({ [input.name]: tensor(input, values, [1, width]) });
  }
  return { source: `${n} rows drawn from the drift baseline ${path.basename(file)} (seed ${o.seed ?? 1})`, rows };
}

function standardNormal(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

function fromRandom(pkg: ModelPackage, o: SampleOptions): SampleSet {
  const random = mulberry32(o.seed ?? 1);
  const n = o.maxRows ?? 1000;
  const rows: WireFeed[] = [];
  for (const spec of pkg.manifest.signature.inputs) {
    const rest = spec.shape.slice(1);
    if (spec.shape[0] !== -1 || rest.some((d) => d === -1)) {
      throw sampleError(`signature.inputs ${spec.name}.shape`, 'has dynamic dimensions besides the batch dimension: random rows cannot be shaped', spec.shape, 'give rows with --data');
    }
  }
  for (let r = 0; r < n; r++) {
    const feed: WireFeed = {};
    for (const spec of pkg.manifest.signature.inputs) {
      const rest = spec.shape.slice(1);
      const count = rest.reduce((a, b) => a * b, 1);
      const values = Array.from({ length: count }, () => (spec.datatype.startsWith('FP') ? standardNormal(random) : Math.floor(random() * 10)));
      feed[spec.name] = tensor(spec, values, [1, ...rest]);
    }
    rows.push(feed);
  }
  return { source: `${n} random rows (standard normal, seed ${o.seed ?? 1})`, rows };
}

/** The package's training data file, when `lineage.trainingData.uri` names a readable local file (.csv, .jsonl). */
function trainingDataFile(pkg: ModelPackage): string | undefined {
  const uri = pkg.manifest.lineage?.trainingData?.uri;
  if (!uri || /^[a-z][a-z0-9+.-]*:\/\//i.test(uri) || !/\.(csv|jsonl|ndjson)$/i.test(uri)) return undefined;
  // Relative to the working directory, the package, or a directory above the package (lineage
  // URIs are often relative to the repository root).
  const candidates = [path.resolve(uri)];
  for (let dir = pkg.dir; ; dir = path.dirname(dir)) {
    candidates.push(path.resolve(dir, uri));
    if (path.dirname(dir) === dir) break;
  }
  return candidates.find((c) => fs.existsSync(c) && fs.statSync(c).isFile());
}

export function buildSampleSet(pkg: ModelPackage, o: SampleOptions = {}): SampleSet {
  for (const spec of pkg.manifest.signature.inputs) {
    if (!(spec.datatype in ONNX_TYPES)) throw sampleError(`signature.inputs ${spec.name}.datatype`, 'cannot be sampled', spec.datatype, Object.keys(ONNX_TYPES).join(' | '));
  }
  if (o.data !== undefined) {
    if (!fs.existsSync(o.data)) throw sampleError('--data', 'does not exist', o.data, 'a .csv or .jsonl file');
    return fromFile(o.data, o.data, pkg, o);
  }
  const training = trainingDataFile(pkg);
  if (training) return fromFile(training, pkg.manifest.lineage!.trainingData!.uri, pkg, o);
  if (pkg.baselinePath) return fromBaseline(pkg.baselinePath, pkg, o);
  return fromRandom(pkg, o);
}

/** Rows grouped into batches of up to `size` (dimension 0 concatenated), as dynamic batching forms them. */
export function batchFeeds(rows: readonly WireFeed[], size: number): WireFeed[] {
  const out: WireFeed[] = [];
  for (let start = 0; start < rows.length; start += size) {
    const group = rows.slice(start, start + size);
    const feed: WireFeed = {};
    for (const name of Object.keys(group[0]!)) {
      const first = group[0]![name]!;
      const per = first.data.length;
      const data = new (first.data.constructor as { new (n: number): WireTensorIn['data'] })(per * group.length);
      group.forEach((row, i) => (data as unknown as { set(a: ArrayLike<unknown>, o: number): void }).set(row[name]!.data as ArrayLike<unknown>, i * per));
      feed[name] = { type: first.type, dims: [group.length, ...first.dims.slice(1)], data };
    }
    out.push(feed);
  }
  return out;
}
