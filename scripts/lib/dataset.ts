/**
 * Tabular data sets in scikit-learn's bundled CSV format, a seeded PRNG and a deterministic
 * stratified train/test split. Used by the example-model generator and by the tests that
 * recompute the held-out split.
 *
 * CSV format: the first line is `n_rows,n_features,class_name_0,class_name_1[,...]`; every other
 * line is the feature values followed by the integer class label.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { mulberry32 } from '../../lib/core/random';

export interface Dataset {
  /** One row of feature values per sample. */
  readonly features: readonly (readonly number[])[];
  /** Integer class id per sample, index into `classNames`. */
  readonly labels: readonly number[];
  readonly classNames: readonly string[];
  readonly nFeatures: number;
}

export interface SplitOptions {
  /** Share of each class that goes to the test set, rounded per class. */
  readonly testFraction: number;
  readonly seed: number;
}

export interface DatasetSplit {
  readonly train: Dataset;
  readonly test: Dataset;
  /** Row indices (into the original data set) of each part, ascending. */
  readonly trainIndices: readonly number[];
  readonly testIndices: readonly number[];
}

/** Parse scikit-learn-format CSV text (read with csv-parse). Throws on any malformed line. */
export function parseDatasetCsv(text: string, source = 'dataset'): Dataset {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { bom: true, info: true, relax_column_count: true, skip_empty_lines: true, trim: true }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (e) {
    throw new Error(`${source}: ${(e as Error).message}`);
  }
  records = records.filter((r) => !(r.record.length === 1 && r.record[0] === ''));
  if (records.length === 0) throw new Error(`${source}: empty file`);
  const header = records[0]!.record;
  const nRows = Number(header[0]);
  const nFeatures = Number(header[1]);
  const classNames = header.slice(2);
  if (!Number.isInteger(nRows) || nRows < 1 || !Number.isInteger(nFeatures) || nFeatures < 1 || classNames.length < 1) {
    throw new Error(`${source}: header must be n_rows,n_features,class0[,class1...]; got "${header.join(',')}"`);
  }
  if (records.length - 1 !== nRows) throw new Error(`${source}: header says ${nRows} rows, file has ${records.length - 1}`);
  const features: number[][] = [];
  const labels: number[] = [];
  for (const { record: cells, info } of records.slice(1)) {
    const at = `${source}:${info.lines}`;
    if (cells.length !== nFeatures + 1) throw new Error(`${at}: expected ${nFeatures + 1} fields, got ${cells.length}`);
    const values = cells.map((c) => Number(c));
    if (values.some((v, j) => !Number.isFinite(v) || cells[j]! === '')) throw new Error(`${at}: non-numeric field`);
    const label = values.pop()!;
    if (!Number.isInteger(label) || label < 0 || label >= classNames.length) {
      throw new Error(`${at}: label ${label} is not a class id 0..${classNames.length - 1}`);
    }
    features.push(values);
    labels.push(label);
  }
  return { features, labels, classNames, nFeatures };
}

/** Load a scikit-learn-format CSV file. */
export function loadDatasetCsv(path: string): Dataset {
  return parseDatasetCsv(readFileSync(path, 'utf8'), path);
}

export { mulberry32 };

/** Fisher–Yates shuffle in place with the given PRNG. */
export function shuffleInPlace<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = items[i]!;
    items[i] = items[j]!;
    items[j] = tmp;
  }
  return items;
}

/** The rows at `indices`, in that order. */
export function subset(ds: Dataset, indices: readonly number[]): Dataset {
  return {
    features: indices.map((i) => ds.features[i]!),
    labels: indices.map((i) => ds.labels[i]!),
    classNames: ds.classNames,
    nFeatures: ds.nFeatures,
  };
}

/**
 * Deterministic stratified split: within each class (in class-id order) the row indices are
 * shuffled with one mulberry32 stream seeded by `seed`, and the first round(n × testFraction)
 * go to the test set. Both parts keep the original row order.
 */
export function splitDataset(ds: Dataset, options: SplitOptions): DatasetSplit {
  const { testFraction, seed } = options;
  if (!(testFraction > 0 && testFraction < 1)) throw new Error(`testFraction must be in (0, 1), got ${testFraction}`);
  const random = mulberry32(seed);
  const test = new Set<number>();
  for (let c = 0; c < ds.classNames.length; c++) {
    const rows: number[] = [];
    ds.labels.forEach((label, i) => {
      if (label === c) rows.push(i);
    });
    shuffleInPlace(rows, random);
    rows.slice(0, Math.round(rows.length * testFraction)).forEach((i) => test.add(i));
  }
  const trainIndices: number[] = [];
  const testIndices: number[] = [];
  for (let i = 0; i < ds.labels.length; i++) (test.has(i) ? testIndices : trainIndices).push(i);
  return { train: subset(ds, trainIndices), test: subset(ds, testIndices), trainIndices, testIndices };
}
