/**
 * Baselines: computing the frozen statistics a model's traffic is compared with (baseline.json,
 * format in types.ts and docs/monitoring.md), validating untrusted baseline files, binning values
 * against a baseline, and loading tabular data files (CSV, scikit-learn CSV, JSON Lines).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import Ajv from 'ajv';
import { IssueCollector, ServingStackError, ValidationIssue } from '../core/errors';
import { issueFromSchemaError } from '../core/schema-issues';
import { TENSOR_NAME_MAX_LENGTH } from '../core/manifest';
import { mulberry32 } from '../core/random';
import { binIndex, jsDivergenceLog2, psi, shares } from './stats';
import {
  BASELINE_SCHEMA_VERSION,
  Baseline,
  BaselineThresholds,
  CategoricalDistribution,
  Distribution,
  FeatureBaseline,
  NumericDistribution,
  PredictionBaseline,
} from './types';

/** A cell of a data row: a number, a category, or missing (null / NaN). */
export type Cell = number | string | null;

export const DEFAULT_BINS = 10;
export const DEFAULT_TOP_K = 20;
/** Numeric columns with at most this many distinct values are treated as categorical. */
export const CATEGORICAL_MAX_DISTINCT = 5;
/** Tolerance on the sum of shares. */
export const SHARE_SUM_TOLERANCE = 1e-6;

export interface BaselineInput {
  /** One row per sample; `rows[i][j]` is feature `featureNames[j]`. */
  readonly rows: readonly (readonly Cell[])[];
  readonly featureNames: readonly string[];
  /** Model input the features are read from (column j = index j along its last dimension). */
  readonly inputName: string;
  /** One prediction per row (class id / label for classifiers, the value for regressors). */
  readonly predictions?: readonly (number | string)[];
  /** Output the prediction is read from. Required with `predictions`. */
  readonly predictionOutput?: string;
  /** `class` (categorical over classes) or `value` (numeric bins). @default 'class' for classification, else 'value' */
  readonly predictionMode?: 'class' | 'value';
  /** Ground-truth class ids, one per row (classification only). */
  readonly labels?: readonly (number | string)[];
  readonly task: Baseline['task'];
  readonly source?: { readonly uri: string; readonly sha256: string };
}

export interface BaselineOptions {
  /** Quantile bins per numeric feature (before duplicate edges collapse). @default 10 */
  readonly bins?: number;
  /** Categories kept per categorical feature; the rest share the "other" bin. @default 20 */
  readonly topK?: number;
  /** Feature names always treated as categorical. */
  readonly categorical?: readonly string[];
  /** Feature names always treated as numeric (when they have at least two distinct numeric values). */
  readonly numeric?: readonly string[];
}

/** Missing: null/undefined, NaN, or an empty string. */
export function isMissing(v: unknown): boolean {
  return v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v)) || v === '';
}

/** The category key of a value: strings as they are, numbers in JavaScript's canonical form (`1`, `0.5`). */
export function categoryOf(v: number | string): string {
  return typeof v === 'number' ? String(v) : v;
}

/**
 * Quantile of sorted values with linear interpolation between order statistics (NumPy's default,
 * Hyndman–Fan type 7): position p·(n−1).
 */
export function quantileSorted(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new Error('quantile of an empty sample');
  const pos = p * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  if (lo === hi) return sorted[lo]!;
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Quantile edges q(k/bins), k = 0…bins, with duplicate edges collapsed (strictly ascending). */
export function quantileEdges(sorted: readonly number[], bins: number): number[] {
  const edges: number[] = [];
  for (let k = 0; k <= bins; k++) {
    // Inner edges rounded to 12 significant digits (no float noise such as 15.056000000000001 in
    // the file); the first and last edges are the sample's min and max exactly.
    const e = k === 0 ? sorted[0]! : k === bins ? sorted[sorted.length - 1]! : Number(quantileSorted(sorted, k / bins).toPrecision(12));
    if (edges.length === 0 || e > edges[edges.length - 1]!) edges.push(e);
  }
  return edges;
}

/**
 * Bin of a numeric value against frozen edges: 0 = underflow (x < min), 1…edges.length−1 = inner
 * bins [edgeᵢ₋₁, edgeᵢ) with the last one closed (x = max falls in it), edges.length = overflow
 * (x > max). Missing values have no bin (−1).
 */
export function numericBin(edges: readonly number[], x: number): number {
  if (Number.isNaN(x)) return -1;
  if (x === edges[edges.length - 1]) return edges.length - 1;
  return binIndex(edges, x);
}

/**
 * Bin of any cell against a feature's distribution, in the layout of `expected`; −1 for a missing
 * value. A categorical bin is the value's index in `values`, else "other" (last); a numeric
 * distribution receiving a non-numeric string counts it as missing.
 */
export function binOf(dist: Distribution, v: Cell | undefined): number {
  if (isMissing(v)) return -1;
  if (dist.kind === 'categorical') {
    const i = dist.values.indexOf(categoryOf(v as number | string));
    return i >= 0 ? i : dist.values.length;
  }
  const x = typeof v === 'number' ? v : Number(String(v).trim());
  if (typeof v === 'string' && !Number.isFinite(x)) return -1;
  return numericBin(dist.edges, x);
}

/** Fast categorical lookup for hot loops (binOf scans `values`). */
export function categoricalIndex(dist: CategoricalDistribution): Map<string, number> {
  return new Map(dist.values.map((v, i) => [v, i]));
}

/** Counts per bin of `values` against `dist`, and the number of missing values. */
export function binCounts(dist: Distribution, values: Iterable<Cell | undefined>): { counts: number[]; missing: number; total: number } {
  const counts = new Array<number>(dist.expected.length).fill(0);
  let missing = 0;
  let total = 0;
  const lookup = dist.kind === 'categorical' ? categoricalIndex(dist) : undefined;
  for (const v of values) {
    total++;
    let b: number;
    if (lookup) {
      if (isMissing(v)) b = -1;
      else b = lookup.get(categoryOf(v as number | string)) ?? counts.length - 1;
    } else {
      b = binOf(dist, v);
    }
    if (b < 0) missing++;
    else counts[b]!++;
  }
  return { counts, missing, total };
}

function sharesOf(counts: readonly number[], total: number): number[] {
  return counts.map((c) => (total > 0 ? c / total : 0));
}

function numericDistribution(values: readonly number[], bins: number): NumericDistribution {
  const sorted = [...values].sort((a, b) => a - b);
  const edges = quantileEdges(sorted, bins);
  const counts = new Array<number>(edges.length + 1).fill(0);
  let sum = 0;
  for (const x of values) {
    counts[numericBin(edges, x)]!++;
    sum += x;
  }
  const mean = sum / values.length;
  let m2 = 0;
  for (const x of values) m2 += (x - mean) * (x - mean);
  return {
    kind: 'numeric',
    edges,
    expected: sharesOf(counts, values.length),
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
    mean,
    // Population standard deviation of the baseline sample.
    std: Math.sqrt(m2 / values.length),
  };
}

function categoricalDistribution(values: readonly string[], topK: number): CategoricalDistribution {
  const freq = new Map<string, number>();
  for (const v of values) freq.set(v, (freq.get(v) ?? 0) + 1);
  // Most frequent first; ties in code-unit order of the value, so the result is deterministic.
  const ranked = [...freq.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const kept = ranked.slice(0, topK);
  const keptCount = kept.reduce((s, [, c]) => s + c, 0);
  const n = values.length;
  return {
    kind: 'categorical',
    values: kept.map(([v]) => v),
    // An empty column (every value missing) puts its whole (nominal) share in "other".
    expected: n > 0 ? [...kept.map(([, c]) => c / n), (n - keptCount) / n] : [1],
  };
}

interface ColumnSummary {
  readonly present: (number | string)[];
  readonly missing: number;
  readonly allNumeric: boolean;
  readonly distinct: number;
}

function summarise(values: readonly (Cell | undefined)[]): ColumnSummary {
  const present: (number | string)[] = [];
  let missing = 0;
  let allNumeric = true;
  for (const v of values) {
    if (isMissing(v)) {
      missing++;
      continue;
    }
    if (typeof v === 'number') {
      present.push(v);
    } else {
      const x = Number(v);
      if (Number.isFinite(x) && String(v).trim() !== '') present.push(x);
      else {
        allNumeric = false;
        present.push(String(v));
      }
    }
  }
  const distinct = new Set(present.map((v) => categoryOf(v))).size;
  return { present, missing, allNumeric, distinct };
}

/**
 * Decide numeric vs categorical. Categorical when: listed in `categorical`; or any value is not a
 * number; or, unless listed in `numeric`, the column has at most CATEGORICAL_MAX_DISTINCT distinct
 * values (flags and small codes: quantile bins would merge them). A column with fewer than two
 * distinct values (constant or empty) is always categorical: it has no bins to freeze.
 */
function distributionOf(name: string, values: readonly (Cell | undefined)[], o: Required<Pick<BaselineOptions, 'bins' | 'topK'>> & BaselineOptions): { dist: Distribution; missing: number } {
  const s = summarise(values);
  const forcedCategorical = o.categorical?.includes(name) ?? false;
  const forcedNumeric = o.numeric?.includes(name) ?? false;
  const categorical = forcedCategorical || !s.allNumeric || s.distinct < 2 || (!forcedNumeric && s.distinct <= CATEGORICAL_MAX_DISTINCT);
  const dist = categorical ? categoricalDistribution(s.present.map(categoryOf), o.topK) : numericDistribution(s.present as number[], o.bins);
  return { dist, missing: s.missing };
}

/** Compute the baseline of a data set (see types.ts for the layout). */
export function computeBaseline(input: BaselineInput, options: BaselineOptions = {}): Baseline {
  const bins = options.bins ?? DEFAULT_BINS;
  const topK = options.topK ?? DEFAULT_TOP_K;
  const issues = new IssueCollector();
  issues.check(Number.isInteger(bins) && bins >= 1 && bins <= 1000, { field: 'bins', message: 'must be an integer from 1 to 1000', received: bins, allowed: '1…1000' });
  issues.check(Number.isInteger(topK) && topK >= 1 && topK <= 10000, { field: 'topK', message: 'must be an integer from 1 to 10000', received: topK, allowed: '1…10000' });
  const n = input.rows.length;
  issues.check(n > 0, { field: 'rows', message: 'is empty', received: 0, allowed: 'at least one row' });
  input.rows.forEach((r, i) => {
    if (r.length !== input.featureNames.length && issues.issues.length < 10) {
      issues.add({ field: `rows[${i}]`, message: `has ${r.length} values for ${input.featureNames.length} features`, received: r.length, allowed: String(input.featureNames.length) });
    }
  });
  if (input.predictions) {
    issues.check(input.predictions.length === n, { field: 'predictions', message: 'must have one value per row', received: input.predictions.length, allowed: String(n) });
    issues.check(input.predictionOutput !== undefined, { field: 'predictionOutput', message: 'is required with predictions', allowed: 'the model output the predictions come from' });
  }
  if (input.labels) {
    issues.check(input.labels.length === n, { field: 'labels', message: 'must have one value per row', received: input.labels.length, allowed: String(n) });
  }
  const names = new Set<string>();
  input.featureNames.forEach((name, j) => {
    issues.check(!names.has(name), { field: `featureNames[${j}]`, message: 'duplicates another feature name', received: name, allowed: 'unique names' });
    names.add(name);
  });
  issues.throwIfAny('SS_ERR_BASELINE_DATA', 'cannot compute a baseline from this data');

  const o = { ...options, bins, topK };
  const features: FeatureBaseline[] = input.featureNames.map((name, j) => {
    const { dist, missing } = distributionOf(
      name,
      input.rows.map((r) => r[j]),
      o,
    );
    return { name, input: input.inputName, column: j, missingRate: missing / n, distribution: dist };
  });

  let prediction: PredictionBaseline | undefined;
  if (input.predictions && input.predictionOutput) {
    const mode = input.predictionMode ?? (input.task === 'classification' ? 'class' : 'value');
    const preds = input.predictions;
    const distribution: Distribution =
      mode === 'class'
        ? categoricalDistribution(preds.filter((p) => !isMissing(p)).map(categoryOf), topK)
        : distributionOf('(prediction)', preds, { ...o, numeric: ['(prediction)'], categorical: [] }).dist;
    prediction = { output: input.predictionOutput, mode, distribution };
  }

  let labels: CategoricalDistribution | undefined;
  if (input.labels && input.task === 'classification') {
    labels = categoricalDistribution(input.labels.filter((l) => !isMissing(l)).map(categoryOf), topK);
  }

  return {
    schemaVersion: BASELINE_SCHEMA_VERSION,
    rowCount: n,
    task: input.task,
    features,
    ...(prediction ? { prediction } : {}),
    ...(labels ? { labels } : {}),
    ...(input.source ? { source: input.source } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Validation

const shareArray = { type: 'array', minItems: 1, items: { type: 'number', minimum: 0, maximum: 1 } } as const;

const numericSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'edges', 'expected', 'min', 'max', 'mean', 'std'],
  properties: {
    kind: { const: 'numeric' },
    edges: { type: 'array', minItems: 2, items: { type: 'number' } },
    expected: shareArray,
    min: { type: 'number' },
    max: { type: 'number' },
    mean: { type: 'number' },
    std: { type: 'number', minimum: 0 },
  },
} as const;

const categoricalSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'values', 'expected'],
  properties: {
    kind: { const: 'categorical' },
    values: { type: 'array', items: { type: 'string' } },
    expected: shareArray,
  },
} as const;

const distributionSchema = {
  type: 'object',
  required: ['kind'],
  properties: { kind: { enum: ['numeric', 'categorical'] } },
  if: { type: 'object', properties: { kind: { const: 'numeric' } } },
  then: numericSchema,
  else: categoricalSchema,
} as const;

/** JSON Schema (draft-07) of baseline.json. */
export const baselineJsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://servingstack.dev/schemas/baseline.json',
  title: 'ServingStack baseline',
  type: 'object',
  additionalProperties: false,
  required: ['schemaVersion', 'rowCount', 'task', 'features'],
  properties: {
    schemaVersion: { const: BASELINE_SCHEMA_VERSION },
    rowCount: { type: 'integer', minimum: 1 },
    task: { enum: ['classification', 'regression', 'other'] },
    features: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'input', 'column', 'missingRate', 'distribution'],
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 256 },
          input: { type: 'string', minLength: 1, maxLength: TENSOR_NAME_MAX_LENGTH },
          column: { type: 'integer', minimum: 0 },
          missingRate: { type: 'number', minimum: 0, maximum: 1 },
          distribution: distributionSchema,
        },
      },
    },
    prediction: {
      type: 'object',
      additionalProperties: false,
      required: ['output', 'mode', 'distribution'],
      properties: {
        output: { type: 'string', minLength: 1, maxLength: TENSOR_NAME_MAX_LENGTH },
        mode: { enum: ['class', 'value'] },
        distribution: distributionSchema,
      },
    },
    labels: categoricalSchema,
    source: {
      type: 'object',
      additionalProperties: false,
      required: ['uri', 'sha256'],
      properties: { uri: { type: 'string', minLength: 1, maxLength: 2048 }, sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' } },
    },
    thresholds: {
      type: 'object',
      additionalProperties: false,
      required: ['windowRows', 'psi', 'jsDivergenceLog2', 'quantile', 'rounds'],
      properties: {
        windowRows: { type: 'integer', minimum: 1 },
        psi: { type: 'number', minimum: 0 },
        jsDivergenceLog2: { type: 'number', minimum: 0, maximum: 1 },
        quantile: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
        rounds: { type: 'integer', minimum: 1 },
      },
    },
  },
} as const;

const ajv = new Ajv({ allErrors: true, verbose: true, strict: true });
const validateSchema = ajv.compile(baselineJsonSchema);

function checkShares(issues: IssueCollector, field: string, expected: readonly number[], expectedLength: number, lengthRule: string): void {
  issues.check(expected.length === expectedLength, {
    field,
    message: `has ${expected.length} shares; ${lengthRule}`,
    received: expected.length,
    allowed: String(expectedLength),
  });
  const finite = expected.every((x) => Number.isFinite(x));
  if (!issues.check(finite, { field, message: 'contains a non-finite share', received: expected, allowed: 'finite numbers in [0, 1]' })) return;
  const sum = expected.reduce((s, x) => s + x, 0);
  issues.check(Math.abs(sum - 1) <= SHARE_SUM_TOLERANCE, {
    field,
    message: 'shares must sum to 1',
    received: sum,
    allowed: `1 ± ${SHARE_SUM_TOLERANCE}`,
  });
}

function checkDistribution(issues: IssueCollector, field: string, d: Distribution): void {
  if (d.kind === 'numeric') {
    const edges = d.edges;
    const finite = edges.every((x) => Number.isFinite(x));
    issues.check(finite, { field: `${field}.edges`, message: 'contains a non-finite edge', received: edges, allowed: 'finite numbers' });
    if (finite) {
      const bad = edges.findIndex((x, i) => i > 0 && !(x > edges[i - 1]!));
      issues.check(bad < 0, {
        field: `${field}.edges`,
        message: `must be strictly ascending (edges[${bad}] = ${edges[bad]} follows ${edges[bad - 1]})`,
        received: edges,
        allowed: 'strictly ascending numbers (duplicate quantiles collapsed)',
      });
      issues.check(d.min === edges[0], { field: `${field}.min`, message: 'must equal the first edge', received: d.min, allowed: String(edges[0]) });
      issues.check(d.max === edges[edges.length - 1], { field: `${field}.max`, message: 'must equal the last edge', received: d.max, allowed: String(edges[edges.length - 1]) });
    }
    for (const key of ['min', 'max', 'mean', 'std'] as const) {
      issues.check(Number.isFinite(d[key]), { field: `${field}.${key}`, message: 'must be a finite number', received: d[key], allowed: 'a finite number' });
    }
    checkShares(issues, `${field}.expected`, d.expected, edges.length + 1, `a numeric distribution has edges.length + 1 (underflow, ${Math.max(0, edges.length - 1)} inner bins, overflow)`);
  } else {
    const seen = new Set<string>();
    d.values.forEach((v, i) => {
      issues.check(!seen.has(v), { field: `${field}.values[${i}]`, message: 'duplicates another value', received: v, allowed: 'unique values' });
      seen.add(v);
    });
    checkShares(issues, `${field}.expected`, d.expected, d.values.length + 1, 'a categorical distribution has values.length + 1 (the values, then "other")');
  }
}

/**
 * Validate an untrusted baseline object: the JSON Schema (every error at once), then the
 * semantics (edges strictly ascending, shares per layout and summing to 1, finite numbers,
 * unique names and columns). Throws one ServingStackError `SS_ERR_BASELINE_INVALID`.
 */
export function validateBaseline(raw: unknown, source = 'baseline'): Baseline {
  const issues = new IssueCollector();
  const summary = `${source} is not a valid ServingStack baseline`;
  if (!validateSchema(raw)) {
    for (const e of validateSchema.errors ?? []) {
      const issue = issueFromSchemaError(e, { root: '(baseline)' });
      if (issue) issues.add(issue);
    }
    issues.throwIfAny('SS_ERR_BASELINE_INVALID', summary);
  }
  const b = raw as Baseline;
  const names = new Set<string>();
  const columns = new Map<string, number>();
  b.features.forEach((f, i) => {
    const field = `features[${i}]`;
    issues.check(!names.has(f.name), { field: `${field}.name`, message: 'duplicates another feature name', received: f.name, allowed: 'unique names' });
    names.add(f.name);
    const key = `${f.input}\u0000${f.column}`;
    issues.check(!columns.has(key), {
      field: `${field}.column`,
      message: `reads the same input column as features[${columns.get(key)}]`,
      received: { input: f.input, column: f.column },
      allowed: 'one feature per input column',
    });
    if (!columns.has(key)) columns.set(key, i);
    issues.check(Number.isFinite(f.missingRate), { field: `${field}.missingRate`, message: 'must be a finite number', received: f.missingRate, allowed: '0…1' });
    checkDistribution(issues, `${field}.distribution`, f.distribution);
  });
  if (b.prediction) checkDistribution(issues, 'prediction.distribution', b.prediction.distribution);
  if (b.labels) checkDistribution(issues, 'labels', b.labels);
  issues.throwIfAny('SS_ERR_BASELINE_INVALID', summary);
  return b;
}

/** Read and validate a baseline file. */
export function readBaseline(file: string): Baseline {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ServingStackError('SS_ERR_BASELINE_INVALID', `cannot read baseline ${file}`, [
      { field: 'file', message: (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : (e as Error).message, received: file, allowed: 'a baseline.json file' },
    ]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ServingStackError('SS_ERR_BASELINE_INVALID', `${file} is not valid JSON`, [{ field: '(baseline)', message: (e as Error).message, allowed: 'a JSON object' }]);
  }
  return validateBaseline(raw, file);
}

/** Baseline JSON text, as written to baseline.json (2-space indent, trailing newline). */
export function serializeBaseline(b: Baseline): string {
  return `${JSON.stringify(b, null, 2)}\n`;
}

// ---------------------------------------------------------------------------------------------
// Data files

export type DataFormat = 'csv' | 'sklearn-csv' | 'jsonl';

export interface LoadedRows {
  readonly format: DataFormat;
  /** Column names: the CSV header or JSONL keys (first-seen order); `f0…` for scikit-learn CSV. */
  readonly featureNames: string[];
  /** Whether the names came from the file (false for scikit-learn CSV). */
  readonly namedColumns: boolean;
  readonly rows: Cell[][];
  /** Label per row when the file has one (scikit-learn CSV's last column, the label column, JSONL `label`). */
  readonly labels?: Cell[];
  /** Class names from a scikit-learn CSV header. */
  readonly classNames?: string[];
  readonly sha256: string;
}

export interface LoadRowsOptions {
  /** Header CSV: the label column. @default `label` when the header has it */
  readonly labelColumn?: string;
}

/** Strings read as missing in CSV files (besides the empty field). */
export const MISSING_TOKENS = new Set(['NA', 'N/A', 'NaN', 'nan', 'null', 'NULL', 'None']);

function parseCell(raw: string, quoted: boolean): Cell {
  if (quoted) return raw === '' ? null : raw;
  const t = raw.trim();
  if (t === '' || MISSING_TOKENS.has(t)) return null;
  const x = Number(t);
  return Number.isFinite(x) ? x : t;
}

/** Split one CSV line (RFC 4180 quotes, no newlines inside fields). */
export function splitCsvLine(line: string): { value: string; quoted: boolean }[] {
  const out: { value: string; quoted: boolean }[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= line.length) break;
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += line[i++];
      }
      out.push({ value, quoted: true });
      while (i < line.length && line[i] !== ',') i++;
    } else {
      const next = line.indexOf(',', i);
      const end = next < 0 ? line.length : next;
      out.push({ value: line.slice(i, end), quoted: false });
      i = end;
    }
    if (i >= line.length) break;
    i++; // the comma
    if (i === line.length) {
      out.push({ value: '', quoted: false });
      break;
    }
  }
  return out;
}

function dataError(file: string, issues: ValidationIssue[]): ServingStackError {
  return new ServingStackError('SS_ERR_DATA_INVALID', `${file} is not a readable data file`, issues);
}

function isSklearnHeader(cells: readonly string[], nextLine: string | undefined): boolean {
  if (cells.length < 3) return false;
  const n = Number(cells[0]);
  const m = Number(cells[1]);
  if (!Number.isInteger(n) || !Number.isInteger(m) || n < 1 || m < 1 || cells[0]!.trim() === '' || cells[1]!.trim() === '') return false;
  return nextLine === undefined || splitCsvLine(nextLine).length === m + 1;
}

function parseCsv(text: string, file: string, o: LoadRowsOptions, sha256: string): LoadedRows {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0) throw dataError(file, [{ field: file, message: 'is empty', allowed: 'a header line and data rows' }]);
  const headerCells = splitCsvLine(lines[0]!).map((c) => c.value.trim());
  const sklearn = isSklearnHeader(headerCells, lines[1]);
  const issues: ValidationIssue[] = [];
  let names: string[];
  let labelIndex = -1;
  let classNames: string[] | undefined;
  if (sklearn) {
    const m = Number(headerCells[1]);
    names = Array.from({ length: m }, (_, j) => `f${j}`);
    labelIndex = m;
    classNames = headerCells.slice(2);
    if (Number(headerCells[0]) !== lines.length - 1) {
      issues.push({ field: `${file}:1`, message: `header says ${headerCells[0]} rows, the file has ${lines.length - 1}`, received: lines.length - 1, allowed: headerCells[0] });
    }
  } else {
    names = headerCells;
    const wanted = o.labelColumn ?? (headerCells.includes('label') ? 'label' : undefined);
    if (wanted !== undefined) {
      labelIndex = headerCells.indexOf(wanted);
      if (labelIndex < 0) issues.push({ field: 'labelColumn', message: `is not a column of ${file}`, received: wanted, allowed: headerCells.join(', ') });
    }
  }
  const width = sklearn ? names.length + 1 : names.length;
  const rows: Cell[][] = [];
  const labels: Cell[] = [];
  for (let i = 1; i < lines.length; i++) {
    const cells = splitCsvLine(lines[i]!);
    if (cells.length !== width) {
      if (issues.length < 10) issues.push({ field: `${file}:${i + 1}`, message: `has ${cells.length} fields`, received: cells.length, allowed: String(width) });
      continue;
    }
    const parsed = cells.map((c) => parseCell(c.value, c.quoted));
    if (labelIndex >= 0) labels.push(parsed[labelIndex]!);
    rows.push(labelIndex >= 0 ? parsed.filter((_, j) => j !== labelIndex) : parsed);
  }
  if (issues.length > 0) throw dataError(file, issues);
  const featureNames = labelIndex >= 0 && !sklearn ? names.filter((_, j) => j !== labelIndex) : names;
  return {
    format: sklearn ? 'sklearn-csv' : 'csv',
    featureNames,
    namedColumns: !sklearn,
    rows,
    ...(labelIndex >= 0 ? { labels } : {}),
    ...(classNames ? { classNames } : {}),
    sha256,
  };
}

function jsonCell(v: unknown): Cell | undefined {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string') return v === '' ? null : v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return undefined;
}

function parseJsonl(text: string, file: string, sha256: string): LoadedRows {
  const objects: Record<string, unknown>[] = [];
  const issues: ValidationIssue[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      const o = JSON.parse(line) as unknown;
      if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new Error('not a JSON object');
      objects.push(o as Record<string, unknown>);
    } catch (e) {
      if (issues.length < 10) issues.push({ field: `${file}:${i + 1}`, message: (e as Error).message, allowed: 'one JSON object per line, keyed by feature name' });
    }
  });
  if (objects.length === 0 && issues.length === 0) issues.push({ field: file, message: 'has no rows', allowed: 'one JSON object per line' });
  if (issues.length > 0) throw dataError(file, issues);
  const names: string[] = [];
  const seen = new Set<string>();
  let hasLabel = false;
  for (const o of objects) {
    for (const k of Object.keys(o)) {
      if (k === 'label') {
        hasLabel = true;
        continue;
      }
      if (!seen.has(k)) {
        seen.add(k);
        names.push(k);
      }
    }
  }
  const rows: Cell[][] = [];
  const labels: Cell[] = [];
  objects.forEach((o, i) => {
    rows.push(
      names.map((k) => {
        const c = jsonCell(o[k]);
        if (c === undefined) {
          if (issues.length < 10) issues.push({ field: `${file}:${i + 1}.${k}`, message: 'is not a number, string, boolean or null', received: o[k], allowed: 'a scalar value' });
          return null;
        }
        return c;
      }),
    );
    if (hasLabel) labels.push(jsonCell(o.label) ?? null);
  });
  if (issues.length > 0) throw dataError(file, issues);
  return { format: 'jsonl', featureNames: names, namedColumns: true, rows, ...(hasLabel ? { labels } : {}), sha256 };
}

/**
 * Load a tabular data file. `.jsonl`/`.ndjson`: one object per line keyed by feature name, with an
 * optional `label`. Anything else is CSV: either scikit-learn's format (first line
 * `n_rows,n_features,class0,class1…`, the last column is the integer label, features named
 * `f0…`) or a header line of column names (the label column is `labelColumn`, or `label`).
 * Empty fields and NA/NaN/null/None are missing; numeric-looking fields are numbers.
 */
export function loadRows(file: string, options: LoadRowsOptions = {}): LoadedRows {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (e) {
    throw dataError(file, [{ field: 'file', message: (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : (e as Error).message, received: file, allowed: 'a .csv or .jsonl file' }]);
  }
  const sha256 = createHash('sha256').update(buf).digest('hex');
  const text = buf.toString('utf8').replace(/^\uFEFF/, '');
  return /\.(jsonl|ndjson)$/i.test(file) ? parseJsonl(text, file, sha256) : parseCsv(text, file, options, sha256);
}

// ---------------------------------------------------------------------------------------------
// Threshold calibration

export interface CalibrationOptions {
  /** Rows per monitoring window the thresholds are for. @default 1000 */
  readonly windowRows?: number;
  /** Resampled no-drift windows. @default 400 */
  readonly rounds?: number;
  /** Quantile of the per-window maximum over features, per statistic. @default 0.9975 (≈ 0.5 % false-alarm windows for PSI or JS together) */
  readonly quantile?: number;
  /** @default 1 */
  readonly seed?: number;
}

/**
 * Calibrate drift thresholds for a window size by resampling windows (with replacement) from the
 * baseline data itself: for each window, the largest PSI and JS divergence over the features; the
 * thresholds are the `quantile` of those maxima. Fixed bands (PSI 0.25) ignore that PSI's noise
 * grows with bins × features and shrinks with window size (monitoring.md §4); calibrated values
 * hold the false-alarm rate instead. Resampling the baseline sample does not include the error
 * of the baseline's own shares: with small baselines, allow a margin (bench:drift measures it).
 */
export function calibrateThresholds(baseline: Baseline, rows: readonly (readonly Cell[])[], options: CalibrationOptions = {}): BaselineThresholds {
  const windowRows = options.windowRows ?? 1000;
  const rounds = options.rounds ?? 400;
  const q = options.quantile ?? 0.9975;
  const issues = new IssueCollector();
  issues.check(Number.isInteger(windowRows) && windowRows >= 10 && windowRows <= 10_000_000, { field: 'windowRows', message: 'must be a whole number from 10', received: windowRows, allowed: '10…10000000' });
  issues.check(Number.isInteger(rounds) && rounds >= 20 && rounds <= 100_000, { field: 'rounds', message: 'must be a whole number from 20', received: rounds, allowed: '20…100000' });
  issues.check(q > 0.5 && q < 1, { field: 'quantile', message: 'must be between 0.5 and 1', received: q, allowed: '(0.5, 1)' });
  issues.check(rows.length > 0, { field: 'rows', message: 'is empty', received: 0, allowed: 'the baseline data' });
  issues.throwIfAny('SS_ERR_BASELINE_OPTIONS', 'Threshold calibration options are invalid');
  // Pre-bin every row once; windows then only count bin indexes.
  const feats = baseline.features.map((f) => {
    const lookup = f.distribution.kind === 'categorical' ? categoricalIndex(f.distribution) : undefined;
    const bins = rows.map((r) => {
      const v = r[f.column];
      if (lookup) return isMissing(v) ? -1 : (lookup.get(categoryOf(v as number | string)) ?? f.distribution.expected.length - 1);
      return binOf(f.distribution, v);
    });
    return { expected: [...f.distribution.expected], bins };
  });
  const rng = mulberry32(options.seed ?? 1);
  const psiMax: number[] = [];
  const jsMax: number[] = [];
  const picks = new Uint32Array(windowRows);
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < windowRows; i++) picks[i] = Math.floor(rng() * rows.length);
    let pMax = 0;
    let jMax = 0;
    for (const f of feats) {
      const counts = new Array<number>(f.expected.length).fill(0);
      for (let i = 0; i < windowRows; i++) {
        const b = f.bins[picks[i]];
        if (b >= 0) counts[b]++;
      }
      const actual = shares(counts);
      if (counts.every((c) => c === 0)) continue;
      pMax = Math.max(pMax, psi(f.expected, actual));
      jMax = Math.max(jMax, jsDivergenceLog2(f.expected, actual));
    }
    psiMax.push(pMax);
    jsMax.push(jMax);
  }
  const at = (xs: number[]): number => {
    const sorted = [...xs].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  };
  const round6 = (x: number): number => Number(x.toPrecision(6));
  return { windowRows, psi: round6(at(psiMax)), jsDivergenceLog2: round6(at(jsMax)), quantile: q, rounds };
}
