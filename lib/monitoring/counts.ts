/**
 * Model-quality counts that add up across replicas: per group, the selections and the confusion
 * matrix of labelled rows (classification), or the error sums (regression). Accuracy, precision,
 * recall, F1, MAE/RMSE and the fairness figures are computed from the sums, so N replicas'
 * counts summed give exactly the figures one replica would give on the whole stream (the figures
 * themselves — ratios — do not add up). This is what the runtime's rolling figures equal when the
 * rolling window holds every labelled row (bench:drift checks it).
 */
import type { FairnessReport, PerformanceReport } from './monitor';

interface GroupCounts {
  n: number;
  positive: number;
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

export class QualityCounts {
  /** Per predicted/label class pair (classification): `${prediction}\u0000${label}` → rows. */
  public readonly pairs = new Map<string, number>();
  public readonly groups = new Map<string, GroupCounts>();
  public labelled = 0;
  public absError = 0;
  public sqError = 0;

  constructor(
    public readonly task: 'classification' | 'regression' | 'other',
    public readonly positiveClass = '1',
    public readonly minGroupCount = 30,
  ) {}

  private group(g: string): GroupCounts {
    let c = this.groups.get(g);
    if (!c) this.groups.set(g, (c = { n: 0, positive: 0, tp: 0, fp: 0, fn: 0, tn: 0 }));
    return c;
  }

  /** A prediction served (selection rates). */
  public predicted(prediction: string, group?: string): void {
    if (group === undefined) return;
    const c = this.group(group);
    c.n++;
    if (prediction === this.positiveClass) c.positive++;
  }

  /** A labelled row. */
  public labelledRow(prediction: string, label: string, group?: string): void {
    this.labelled++;
    if (this.task === 'regression') {
      const e = Number(prediction) - Number(label);
      this.absError += Math.abs(e);
      this.sqError += e * e;
      return;
    }
    const key = `${prediction}\u0000${label}`;
    this.pairs.set(key, (this.pairs.get(key) ?? 0) + 1);
    if (group === undefined) return;
    const c = this.group(group);
    const pp = prediction === this.positiveClass;
    const lp = label === this.positiveClass;
    if (lp && pp) c.tp++;
    else if (lp) c.fn++;
    else if (pp) c.fp++;
    else c.tn++;
  }

  /** Add another replica's counts. */
  public add(o: QualityCounts): this {
    this.labelled += o.labelled;
    this.absError += o.absError;
    this.sqError += o.sqError;
    for (const [k, v] of o.pairs) this.pairs.set(k, (this.pairs.get(k) ?? 0) + v);
    for (const [g, c] of o.groups) {
      const m = this.group(g);
      for (const f of ['n', 'positive', 'tp', 'fp', 'fn', 'tn'] as const) m[f] += c[f];
    }
    return this;
  }

  /** The same figures, by the same rules, as ModelMonitor.performance(). */
  public performance(): PerformanceReport {
    if (this.labelled === 0) return { labelled: 0 };
    if (this.task === 'regression') return { labelled: this.labelled, mae: this.absError / this.labelled, rmse: Math.sqrt(this.sqError / this.labelled) };
    const classes = new Set<string>();
    let correct = 0;
    for (const [k, v] of this.pairs) {
      const [p, l] = k.split('\u0000');
      classes.add(p);
      classes.add(l);
      if (p === l) correct += v;
    }
    const pos = this.positiveClass;
    const targets = classes.size <= 2 && classes.has(pos) ? [pos] : [...classes];
    let pr = 0;
    let rc = 0;
    let f = 0;
    for (const c of targets) {
      let tp = 0;
      let fp = 0;
      let fn = 0;
      for (const [k, v] of this.pairs) {
        const [p, l] = k.split('\u0000');
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
    return { labelled: this.labelled, accuracy: correct / this.labelled, precision: pr / targets.length, recall: rc / targets.length, f1: f / targets.length };
  }

  /** The same figures, by the same rules, as ModelMonitor.fairness(). */
  public fairness(): FairnessReport {
    const selectionRates: Record<string, number> = {};
    const groupCounts: Record<string, number> = {};
    const tprs: number[] = [];
    const fprs: number[] = [];
    for (const [g, c] of this.groups) {
      groupCounts[g] = c.n;
      if (c.n >= this.minGroupCount) selectionRates[g] = c.positive / c.n;
      if (c.tp + c.fn + c.fp + c.tn >= this.minGroupCount && c.tp + c.fn > 0 && c.fp + c.tn > 0) {
        tprs.push(c.tp / (c.tp + c.fn));
        fprs.push(c.fp / (c.fp + c.tn));
      }
    }
    const rates = Object.values(selectionRates);
    const r: { -readonly [K in keyof FairnessReport]: FairnessReport[K] } = { selectionRates, groupCounts };
    if (rates.length >= 2) {
      const max = Math.max(...rates);
      const min = Math.min(...rates);
      r.demographicParityDifference = max - min;
      r.disparateImpactRatio = max > 0 ? min / max : 1;
    }
    if (tprs.length >= 2) r.equalizedOddsDifference = Math.max(Math.max(...tprs) - Math.min(...tprs), Math.max(...fprs) - Math.min(...fprs));
    return r;
  }
}
