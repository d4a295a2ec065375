/**
 * Baselines: computing the frozen statistics a model's traffic is compared with (baseline.json,
 * format in types.ts and docs/monitoring.md) and binning values against a baseline. Reading and
 * validating baseline files: baseline-file.ts; data files: data-file.ts; drift thresholds:
 * calibration.ts; the `servingstack baseline` pipeline: baseline-builder.ts.
 */
import { IssueCollector } from '../core/errors';
import { binIndex } from './stats';
import {
  BASELINE_SCHEMA_VERSION,
  Baseline,
  CategoricalDistribution,
  Distribution,
  FeatureBaseline,
  NumericDistribution,
  PredictionBaseline } from './types';

/** A cell of a data row: a number, a category, or missing (null / NaN). */
export type Cell = number | string | null;

export const DEFAULT_BINS = 10;
export const DEFAULT_TOP_K = 20;
/** Numeric columns with at most this many distinct values are treated as categorical. */
export const CATEGORICAL_MAX_DISTINCT = 5;

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

export { readBaseline, serializeBaseline, validateBaseline } from './baseline-file';
export { SHARE_SUM_TOLERANCE } from './types';
