/**
 * How far a candidate model's outputs are from the original's on the sample set: the largest
 * absolute difference over every floating point output, and for classifiers the share of rows
 * with the same predicted class and the accuracy on labelled rows.
 */
import type { ModelManifest, TensorSpec } from '../core/manifest';
import type { WireTensorOut } from './ort-protocol';

/** Outputs of one model on the sample set: one result per row, and per batch. */
export interface SampleOutputs {
  readonly rows: readonly Record<string, WireTensorOut>[];
  readonly batches: readonly Record<string, WireTensorOut>[];
}

export interface Comparison {
  readonly maxAbsDiff: number;
  /** Output where the largest difference was seen. */
  readonly maxAbsDiffOutput?: string;
  readonly agreement?: number;
  readonly accuracy?: number;
}

const isFloat = (t: TensorSpec): boolean => t.datatype.startsWith('FP');
const isInt = (t: TensorSpec): boolean => /^U?INT(8|16|32|64)$/.test(t.datatype);

/** The output a classifier's class is read from, and how: a label output, else argmax of a score output. */
export function classOutput(m: ModelManifest): { name: string; mode: 'label' | 'argmax' } | undefined {
  if (m.task !== 'classification' && !(m.task === undefined && m.classLabels)) return undefined;
  const label = m.signature.outputs.find((t) => isInt(t) && (t.shape.length === 1 || (t.shape.length === 2 && t.shape[1] === 1)));
  if (label) return { name: label.name, mode: 'label' };
  const scores = m.signature.outputs.find((t) => isFloat(t) && t.shape.length === 2 && t.shape[1] !== 1);
  return scores ? { name: scores.name, mode: 'argmax' } : undefined;
}

function predicted(t: WireTensorOut, mode: 'label' | 'argmax'): number {
  const d = t.data as readonly number[];
  if (mode === 'label') return d[0]!;
  let best = 0;
  for (let k = 1; k < d.length; k++) if (d[k]! > d[best]!) best = k;
  return best;
}

export function classesOf(m: ModelManifest, outputs: SampleOutputs): number[] | undefined {
  const c = classOutput(m);
  return c ? outputs.rows.map((r) => predicted(r[c.name]!, c.mode)) : undefined;
}

export function accuracyOf(classes: readonly number[], labels: readonly number[]): number {
  let right = 0;
  classes.forEach((c, i) => (right += c === labels[i] ? 1 : 0));
  return classes.length ? right / classes.length : 0;
}

function maxDiff(m: ModelManifest, a: readonly Record<string, WireTensorOut>[], b: readonly Record<string, WireTensorOut>[]): [number, string | undefined] {
  let max = 0;
  let where: string | undefined;
  for (const spec of m.signature.outputs.filter(isFloat)) {
    for (let i = 0; i < a.length; i++) {
      const x = a[i]![spec.name]?.data as readonly number[] | undefined;
      const y = b[i]![spec.name]?.data as readonly number[] | undefined;
      if (!x || !y) continue;
      for (let k = 0; k < x.length; k++) {
        const xa = x[k]!;
        const yb = y[k]!;
        const d = Number.isNaN(xa) && Number.isNaN(yb) ? 0 : xa === yb ? 0 : Math.abs(xa - yb);
        if (!(d <= max)) {
          max = Number.isNaN(d) ? Infinity : d;
          where = spec.name;
        }
      }
    }
  }
  return [max, where];
}

/** Compare a candidate with the original on the same rows and batches. */
export function compareOutputs(m: ModelManifest, original: SampleOutputs, candidate: SampleOutputs, labels?: readonly number[]): Comparison {
  const [rowDiff, rowWhere] = maxDiff(m, original.rows, candidate.rows);
  const [batchDiff, batchWhere] = maxDiff(m, original.batches, candidate.batches);
  const maxAbsDiff = Math.max(rowDiff, batchDiff);
  const where = rowDiff >= batchDiff ? rowWhere : batchWhere;
  const mine = classesOf(m, candidate);
  const theirs = classesOf(m, original);
  const agreement = mine && theirs ? accuracyOf(mine, theirs) : undefined;
  const accuracy = mine && labels ? accuracyOf(mine, labels) : undefined;
  return { maxAbsDiff, ...(where ? { maxAbsDiffOutput: where } : {}), ...(agreement !== undefined ? { agreement } : {}), ...(accuracy !== undefined ? { accuracy } : {}) };
}
