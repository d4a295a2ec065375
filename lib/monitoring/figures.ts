/**
 * The model-quality figures from counts, shared by the streaming monitor (monitor.ts) and the
 * counts that add up across replicas (counts.ts), so both compute them by the same rules.
 */

/** Classification or regression figures from the labelled rows. */
export interface PerformanceReport {
  readonly labelled: number;
  readonly accuracy?: number;
  readonly precision?: number;
  readonly recall?: number;
  readonly f1?: number;
  readonly mae?: number;
  readonly rmse?: number;
  /** Fairness from the labelled rows (published with each label, not only at window close). */
  readonly equalizedOddsDifference?: number;
}

export interface FairnessReport {
  readonly selectionRates: Readonly<Record<string, number>>;
  readonly groupCounts: Readonly<Record<string, number>>;
  readonly demographicParityDifference?: number;
  readonly disparateImpactRatio?: number;
  readonly equalizedOddsDifference?: number;
}

export interface Confusion {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

export const pairKey = (prediction: string, label: string): string => `${prediction}\u0000${label}`;

/**
 * Accuracy and, for binary problems with the positive class present, precision/recall/F1 of the
 * positive class; else macro averages. `pairs`: `pairKey(prediction, label)` → rows.
 */
export function classificationFigures(pairs: ReadonlyMap<string, number>, labelled: number, positiveClass: string): PerformanceReport {
  const classes = new Set<string>();
  let correct = 0;
  const split = [...pairs].map(([k, v]) => {
    const [p, l] = k.split('\u0000') as [string, string];
    classes.add(p);
    classes.add(l);
    if (p === l) correct += v;
    return { p, l, v };
  });
  const targets = classes.size <= 2 && classes.has(positiveClass) ? [positiveClass] : [...classes];
  let pr = 0;
  let rc = 0;
  let f = 0;
  for (const c of targets) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (const { p, l, v } of split) {
      if (p === c && l === c) tp += v;
      else if (p === c) fp += v;
      else if (l === c) fn += v;
    }
    const prec = tp + fp > 0 ? tp / (tp + fp) : 0;
    const rec = tp + fn > 0 ? tp / (tp + fn) : 0;
    pr += prec;
    rc += rec;
    f += prec + rec > 0 ? (2 * prec * rec) / (prec + rec) : 0;
  }
  return { labelled, accuracy: correct / labelled, precision: pr / targets.length, recall: rc / targets.length, f1: f / targets.length };
}

/** Selection rates per group (groups of at least `minGroupCount`), demographic parity difference and disparate impact ratio. */
export function parity(groups: Iterable<readonly [string, { readonly n: number; readonly positive: number }]>, minGroupCount: number): { -readonly [K in keyof FairnessReport]: FairnessReport[K] } {
  const selectionRates: Record<string, number> = {};
  const groupCounts: Record<string, number> = {};
  for (const [g, s] of groups) {
    groupCounts[g] = s.n;
    if (s.n >= minGroupCount) selectionRates[g] = s.positive / s.n;
  }
  const rates = Object.values(selectionRates);
  const r: { -readonly [K in keyof FairnessReport]: FairnessReport[K] } = { selectionRates, groupCounts };
  if (rates.length >= 2) {
    const max = Math.max(...rates);
    const min = Math.min(...rates);
    r.demographicParityDifference = max - min;
    r.disparateImpactRatio = max > 0 ? min / max : 1;
  }
  return r;
}

/** Equalised odds: the worst-case difference in TPR or FPR between groups with at least `minGroupCount` labelled rows and both classes. */
export function equalizedOdds(groups: Iterable<Confusion>, minGroupCount: number): number | undefined {
  const tprs: number[] = [];
  const fprs: number[] = [];
  for (const c of groups) {
    if (c.tp + c.fn + c.fp + c.tn < minGroupCount || c.tp + c.fn === 0 || c.fp + c.tn === 0) continue;
    tprs.push(c.tp / (c.tp + c.fn));
    fprs.push(c.fp / (c.fp + c.tn));
  }
  return tprs.length >= 2 ? Math.max(Math.max(...tprs) - Math.min(...tprs), Math.max(...fprs) - Math.min(...fprs)) : undefined;
}

/** Count one labelled row into a group's confusion matrix. */
export function countOutcome(c: Confusion, prediction: string, label: string, positiveClass: string): void {
  const pp = prediction === positiveClass;
  const lp = label === positiveClass;
  if (lp && pp) c.tp++;
  else if (lp) c.fn++;
  else if (pp) c.fp++;
  else c.tn++;
}
