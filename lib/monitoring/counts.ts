/**
 * Model-quality counts that add up across replicas: per group, the selections and the confusion
 * matrix of labelled rows (classification), or the error sums (regression). Accuracy, precision,
 * recall, F1, MAE/RMSE and the fairness figures are computed from the sums, so N replicas'
 * counts summed give exactly the figures one replica would give on the whole stream (the figures
 * themselves — ratios — do not add up). This is what the runtime's rolling figures equal when the
 * rolling window holds every labelled row (bench:drift checks it).
 */
import { classificationFigures, Confusion, countOutcome, equalizedOdds, pairKey, parity } from './figures';
import type { FairnessReport, PerformanceReport } from './monitor';

interface GroupCounts extends Confusion {
  n: number;
  positive: number;
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
    const key = pairKey(prediction, label);
    this.pairs.set(key, (this.pairs.get(key) ?? 0) + 1);
    if (group !== undefined) countOutcome(this.group(group), prediction, label, this.positiveClass);
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
    return classificationFigures(this.pairs, this.labelled, this.positiveClass);
  }

  /** The same figures, by the same rules, as ModelMonitor.fairness(). */
  public fairness(): FairnessReport {
    const r = parity(this.groups, this.minGroupCount);
    const eod = equalizedOdds(this.groups.values(), this.minGroupCount);
    if (eod !== undefined) r.equalizedOddsDifference = eod;
    return r;
  }
}
