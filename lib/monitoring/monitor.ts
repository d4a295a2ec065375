/**
 * Continuous monitoring of one served model, fed by the runtime with every request:
 * - data drift: per feature and for predictions, windowed counts against the baseline's frozen
 *   bins (by count and by time), PSI, Jensen–Shannon divergence (log2) and L∞ for categoricals,
 *   missing and out-of-range rates;
 * - accuracy and concept drift: late labels by request id (bounded cache with a TTL), rolling
 *   accuracy/precision/recall/F1 or MAE/RMSE, Page–Hinkley (and DDM for classifiers) on the errors;
 * - fairness: per-group selection rates, demographic parity difference, disparate impact ratio
 *   (four-fifths rule) and equalised-odds difference, each published only above a minimum count.
 * Everything is O(features × bins + cache size) memory, whatever the traffic.
 */
import { Ddm, PageHinkley } from './detectors';
import { classificationFigures, Confusion, countOutcome, equalizedOdds, FairnessReport, pairKey, parity, PerformanceReport } from './figures';

export type { FairnessReport, PerformanceReport } from './figures';
import type { Baseline, FeatureBaseline } from './types';
import { DistributionCounter, DriftScores } from './window';

export interface MonitorOptions {
  /** A window closes after this many rows… @default 1000 */
  readonly windowRows?: number;
  /** …or this many seconds, whichever comes first. @default 300 */
  readonly windowSeconds?: number;
  /** Windows with fewer rows publish no drift scores (too noisy). @default 100 */
  readonly minWindowRows?: number;
  /** A feature is drifted when its PSI reaches this. @default 0.25 */
  readonly psiThreshold?: number;
  /** …or its Jensen–Shannon divergence (log2) reaches this. @default 0.1 */
  readonly jsThreshold?: number;
  /** Request ids kept for late labels. @default 100000 */
  readonly feedbackCacheSize?: number;
  /** How long a request id waits for its label. @default 3600 */
  readonly feedbackTtlSeconds?: number;
  /** Labelled rows in the rolling accuracy window. @default 1000 */
  readonly performanceWindow?: number;
  /** Group attribute for fairness: a request parameter or a baseline feature name. */
  readonly groupAttribute?: string;
  /** Class counted as the favourable outcome (selection). @default '1' */
  readonly positiveClass?: string;
  /** Groups with fewer rows publish no fairness values. @default 30 */
  readonly minGroupCount?: number;
  /**
   * Where predictions are read when the baseline has no prediction section.
   * @default the first output, as a class (argmax) for classifiers
   */
  readonly predictionOutput?: { readonly output: string; readonly mode: 'class' | 'value' };
  /** Model inputs whose values arrive as float32 (their bin edges are compared in float32). */
  readonly float32Inputs?: readonly string[];
}

export type SkipReason = 'unknown_id' | 'expired_id' | 'bad_label' | 'row_mismatch' | 'group_missing' | 'already_labelled' | 'invalid_token' | 'expired_token' | 'wrong_model';

export interface FeatureReport extends Omit<DriftScores, 'actual'> {
  readonly name: string;
  readonly drifted: boolean;
}

export interface WindowReport {
  readonly model: string;
  readonly window: number;
  readonly rows: number;
  /** False when the window had fewer than minWindowRows rows (scores withheld). */
  readonly published: boolean;
  readonly features: readonly FeatureReport[];
  readonly prediction?: FeatureReport;
  readonly driftedFeatures: readonly string[];
  readonly fairness?: FairnessReport;
}

export interface MonitorEvents {
  onWindow?(report: WindowReport): void;
  onPerformance?(model: string, report: PerformanceReport): void;
  onConceptDrift?(model: string, detector: string): void;
  onSkip?(model: string, reason: SkipReason, detail: string): void;
}

interface Remembered {
  readonly predictions: readonly string[];
  readonly groups?: readonly string[];
  readonly expires: number;
  labelled: boolean;
}

interface LabelledRow {
  readonly prediction: string;
  readonly label: string;
  readonly group?: string;
}

/** Where a feature's values sit in the request tensors. */
export interface FeatureLocator {
  readonly input: string;
  readonly column: number;
}

/** What the monitor reads of a request: row-major values per input, with the row width. */
export interface ObservedTensor {
  readonly name: string;
  readonly data: ArrayLike<number | bigint | string | boolean>;
  /** Elements per row (product of dims after the first). */
  readonly rowSize: number;
}

const num = (v: number | bigint | string | boolean): number | string => (typeof v === 'bigint' ? Number(v) : typeof v === 'boolean' ? Number(v) : v);

export class ModelMonitor {
  private readonly features: { spec: FeatureBaseline; counter: DistributionCounter }[];
  private readonly prediction?: DistributionCounter;
  private readonly o: Required<Omit<MonitorOptions, 'groupAttribute' | 'predictionOutput' | 'float32Inputs'>> & Pick<MonitorOptions, 'groupAttribute' | 'predictionOutput'>;
  private windowIndex = 0;
  private windowRows = 0;
  private windowStarted = Date.now();
  private readonly cache = new Map<string, Remembered>();
  private readonly labelled: LabelledRow[] = [];
  private labelledHead = 0;
  private readonly pageHinkley = new PageHinkley();
  private readonly ddm = new Ddm();
  private readonly groupSelected = new Map<string, { n: number; positive: number }>();
  private readonly groupFeature?: { spec: FeatureBaseline };
  public lastWindow?: WindowReport;
  /** Labelled rows scored since the start (the error stream's length: concept-drift alarms name their row). */
  public labelledTotal = 0;
  public lastPerformance?: PerformanceReport;
  public readonly skipped: Record<SkipReason, number> = { unknown_id: 0, expired_id: 0, bad_label: 0, row_mismatch: 0, group_missing: 0, already_labelled: 0, invalid_token: 0, expired_token: 0, wrong_model: 0 };

  constructor(
    public readonly model: string,
    public readonly baseline: Baseline,
    options: MonitorOptions = {},
    private readonly events: MonitorEvents = {},
    private readonly now: () => number = Date.now,
  ) {
    this.o = {
      windowRows: options.windowRows ?? 1000,
      windowSeconds: options.windowSeconds ?? 300,
      minWindowRows: options.minWindowRows ?? 100,
      psiThreshold: options.psiThreshold ?? 0.25,
      jsThreshold: options.jsThreshold ?? 0.1,
      feedbackCacheSize: options.feedbackCacheSize ?? 100_000,
      feedbackTtlSeconds: options.feedbackTtlSeconds ?? 3600,
      performanceWindow: options.performanceWindow ?? 1000,
      positiveClass: options.positiveClass ?? '1',
      minGroupCount: options.minGroupCount ?? 30,
      groupAttribute: options.groupAttribute,
      predictionOutput: options.predictionOutput,
    };
    const f32 = new Set(options.float32Inputs ?? []);
    this.features = baseline.features.map((spec) => ({ spec, counter: new DistributionCounter(spec.distribution, f32.has(spec.input)) }));
    if (baseline.prediction) this.prediction = new DistributionCounter(baseline.prediction.distribution);
    const gf = options.groupAttribute ? baseline.features.find((f) => f.name === options.groupAttribute) : undefined;
    if (gf) this.groupFeature = { spec: gf };
    this.windowStarted = this.now();
  }

  public get task(): Baseline['task'] {
    return this.baseline.task;
  }

  /**
   * Count a request's rows and predictions; remember the predictions under `requestId` for late
   * labels. `groupParam` is the group attribute from the request parameters (one value, or one
   * per row). Returns the per-row predictions.
   */
  public observe(requestId: string | undefined, inputs: readonly ObservedTensor[], rows: number, outputs: readonly ObservedTensor[], groupParam?: unknown): string[] {
    return this.observeRows(requestId, inputs, rows, outputs, groupParam).predictions;
  }

  /** observe(), also returning the per-row groups (what a prediction token carries). */
  public observeRows(requestId: string | undefined, inputs: readonly ObservedTensor[], rows: number, outputs: readonly ObservedTensor[], groupParam?: unknown): { predictions: string[]; groups?: string[] } {
    for (const f of this.features) {
      const t = inputs.find((x) => x.name === f.spec.input);
      if (!t) continue;
      for (let r = 0; r < rows; r++) f.counter.add(num(t.data[r * t.rowSize + f.spec.column]));
    }
    const predictions = this.predictionsOf(outputs, rows);
    if (this.prediction) for (const p of predictions) this.prediction.add(this.baseline.prediction!.distribution.kind === 'numeric' ? Number(p) : p);
    let groups: string[] | undefined;
    if (this.o.groupAttribute) {
      groups = this.groupsOf(inputs, rows, groupParam);
      if (groups) {
        for (let r = 0; r < rows; r++) {
          const g = this.groupSelected.get(groups[r]) ?? { n: 0, positive: 0 };
          g.n++;
          if (predictions[r] === this.o.positiveClass) g.positive++;
          this.groupSelected.set(groups[r], g);
        }
      } else this.skip('group_missing', `group attribute '${this.o.groupAttribute}' is neither a request parameter nor a feature of the request`);
    }
    if (requestId !== undefined) this.remember(requestId, predictions, groups);
    this.windowRows += rows;
    if (this.windowRows >= this.o.windowRows) this.closeWindow();
    return { predictions, groups };
  }

  /** Rows in the open window. */
  public get openWindowRows(): number {
    return this.windowRows;
  }

  /** Close the window if it is older than windowSeconds (call periodically). */
  public tick(): void {
    if (this.windowRows > 0 && this.now() - this.windowStarted >= this.o.windowSeconds * 1000) this.closeWindow();
  }

  private predictionsOf(outputs: readonly ObservedTensor[], rows: number): string[] {
    const spec = this.baseline.prediction ?? this.o.predictionOutput ?? (outputs[0] ? { output: outputs[0].name, mode: this.task === 'classification' ? 'class' : 'value' } : undefined);
    const out = spec ? outputs.find((o) => o.name === spec.output) : undefined;
    const preds = new Array<string>(rows);
    if (!out) return preds.fill('');
    for (let r = 0; r < rows; r++) {
      if (spec?.mode === 'class' && out.rowSize > 1) {
        let best = 0;
        let bestV = -Infinity;
        for (let k = 0; k < out.rowSize; k++) {
          const v = Number(num(out.data[r * out.rowSize + k]));
          if (v > bestV) {
            bestV = v;
            best = k;
          }
        }
        preds[r] = String(best);
      } else preds[r] = String(num(out.data[r * out.rowSize]));
    }
    return preds;
  }

  private groupsOf(inputs: readonly ObservedTensor[], rows: number, groupParam: unknown): string[] | undefined {
    if (groupParam !== undefined && groupParam !== null) {
      if (Array.isArray(groupParam)) return groupParam.length === rows ? groupParam.map((g) => String(g)) : undefined;
      if (typeof groupParam === 'string' || typeof groupParam === 'number' || typeof groupParam === 'boolean') return new Array<string>(rows).fill(String(groupParam));
      return undefined;
    }
    if (this.groupFeature) {
      const f = this.groupFeature.spec;
      const t = inputs.find((x) => x.name === f.input);
      if (!t) return undefined;
      const out = new Array<string>(rows);
      for (let r = 0; r < rows; r++) out[r] = String(num(t.data[r * t.rowSize + f.column]));
      return out;
    }
    return undefined;
  }

  private remember(id: string, predictions: string[], groups?: string[]): void {
    if (this.cache.has(id)) this.cache.delete(id);
    this.cache.set(id, { predictions, groups, expires: this.now() + this.o.feedbackTtlSeconds * 1000, labelled: false });
    while (this.cache.size > this.o.feedbackCacheSize) {
      const oldest = this.cache.keys().next().value as string;
      this.cache.delete(oldest);
    }
  }

  /** Count a skip that was decided outside the monitor (a refused token). */
  public skip(reason: SkipReason, detail: string): void {
    this.skipped[reason]++;
    this.events.onSkip?.(this.model, reason, detail);
  }

  /**
   * Ground truth for an earlier request. Returns null when accepted, else the skip reason
   * (counted and reported, never silently folded into a metric).
   */
  public feedback(id: string, labels: unknown): { reason: SkipReason; detail: string } | null {
    const entry = this.cache.get(id);
    if (!entry) {
      const detail = `request id '${id}' is unknown or was evicted (cache keeps the last ${this.o.feedbackCacheSize} ids for ${this.o.feedbackTtlSeconds} s)`;
      this.skip('unknown_id', detail);
      return { reason: 'unknown_id', detail };
    }
    if (entry.expires < this.now()) {
      this.cache.delete(id);
      const detail = `request id '${id}' expired (labels are accepted for ${this.o.feedbackTtlSeconds} s)`;
      this.skip('expired_id', detail);
      return { reason: 'expired_id', detail };
    }
    if (entry.labelled) {
      const detail = `request id '${id}' already has labels`;
      this.skip('already_labelled', detail);
      return { reason: 'already_labelled', detail };
    }
    const r = this.label(entry.predictions, entry.groups, labels, `request '${id}'`);
    if (r === null) entry.labelled = true;
    return r;
  }

  /**
   * Score labels against predictions carried elsewhere (a verified prediction token): the same
   * checks and counting as feedback by id. Duplicates are the caller's to refuse (by token id).
   */
  public label(predictions: readonly string[], groups: readonly string[] | undefined, labels: unknown, what = 'the prediction'): { reason: SkipReason; detail: string } | null {
    const list = Array.isArray(labels) ? labels : [labels];
    if (list.length !== predictions.length) {
      const detail = `${what} had ${predictions.length} rows, got ${list.length} labels`;
      this.skip('row_mismatch', detail);
      return { reason: 'row_mismatch', detail };
    }
    const regression = this.task === 'regression';
    for (const l of list) {
      const ok = regression ? typeof l === 'number' && Number.isFinite(l) : (typeof l === 'number' && Number.isInteger(l)) || (typeof l === 'string' && l.length > 0) || typeof l === 'boolean';
      if (!ok) {
        const detail = `label ${JSON.stringify(l)} is not ${regression ? 'a finite number' : 'a class (integer or string)'}`;
        this.skip('bad_label', detail);
        return { reason: 'bad_label', detail };
      }
    }
    list.forEach((l, r) => {
      const label = typeof l === 'boolean' ? String(Number(l)) : String(l);
      const row: LabelledRow = { prediction: predictions[r], label, group: groups?.[r] };
      if (this.labelled.length < this.o.performanceWindow) this.labelled.push(row);
      else {
        this.labelled[this.labelledHead] = row;
        this.labelledHead = (this.labelledHead + 1) % this.o.performanceWindow;
      }
      const error = regression ? Math.abs(Number(row.prediction) - Number(row.label)) : row.prediction === row.label ? 0 : 1;
      this.labelledTotal++;
      if (this.pageHinkley.update(error)) this.events.onConceptDrift?.(this.model, 'page_hinkley');
      if (!regression && this.ddm.update(error)) this.events.onConceptDrift?.(this.model, 'ddm');
    });
    const perf = this.performance();
    const eod = this.o.groupAttribute ? this.equalizedOdds() : undefined;
    this.lastPerformance = eod === undefined ? perf : { ...perf, equalizedOddsDifference: eod };
    this.events.onPerformance?.(this.model, this.lastPerformance);
    return null;
  }

  /** Rolling performance over the last `performanceWindow` labelled rows. */
  public performance(): PerformanceReport {
    const rows = this.labelled;
    if (rows.length === 0) return { labelled: 0 };
    if (this.task === 'regression') {
      let abs = 0;
      let sq = 0;
      for (const r of rows) {
        const e = Number(r.prediction) - Number(r.label);
        abs += Math.abs(e);
        sq += e * e;
      }
      return { labelled: rows.length, mae: abs / rows.length, rmse: Math.sqrt(sq / rows.length) };
    }
    const pairs = new Map<string, number>();
    for (const r of rows) {
      const k = pairKey(r.prediction, r.label);
      pairs.set(k, (pairs.get(k) ?? 0) + 1);
    }
    return classificationFigures(pairs, rows.length, this.o.positiveClass);
  }

  /** Fairness over the current window's selections and the rolling labelled rows. */
  public fairness(): FairnessReport | undefined {
    if (!this.o.groupAttribute) return undefined;
    const report = parity(this.groupSelected, this.o.minGroupCount);
    const eod = this.equalizedOdds();
    if (eod !== undefined) report.equalizedOddsDifference = eod;
    return report;
  }

  /** Equalised odds: max over groups of |TPR diff| and |FPR diff| (worst case), from the labelled rows. */
  private equalizedOdds(): number | undefined {
    const byGroup = new Map<string, Confusion>();
    for (const r of this.labelled) {
      if (r.group === undefined) continue;
      const c = byGroup.get(r.group) ?? { tp: 0, fn: 0, fp: 0, tn: 0 };
      countOutcome(c, r.prediction, r.label, this.o.positiveClass);
      byGroup.set(r.group, c);
    }
    return equalizedOdds(byGroup.values(), this.o.minGroupCount);
  }

  /** Publish the current window and start a new one. */
  public closeWindow(): WindowReport {
    const published = this.windowRows >= this.o.minWindowRows;
    // A window closed early (by time) is noisier: thresholds grow as 1/rows below the window size.
    const scale = Math.max(1, this.o.windowRows / Math.max(1, this.windowRows));
    const toReport = (name: string, c: DistributionCounter): FeatureReport => {
      const s = c.scores();
      const drifted = published && (s.psi >= this.o.psiThreshold * scale || s.jsDivergenceLog2 >= Math.min(1, this.o.jsThreshold * scale));
      return { name, rows: s.rows, psi: s.psi, jsDivergenceLog2: s.jsDivergenceLog2, lInfinity: s.lInfinity, missingRate: s.missingRate, outOfRangeRate: s.outOfRangeRate, drifted };
    };
    const features = this.features.map((f) => toReport(f.spec.name, f.counter));
    const report: WindowReport = {
      model: this.model,
      window: this.windowIndex++,
      rows: this.windowRows,
      published,
      features,
      prediction: this.prediction ? toReport('prediction', this.prediction) : undefined,
      driftedFeatures: features.filter((f) => f.drifted).map((f) => f.name),
      fairness: this.fairness(),
    };
    for (const f of this.features) f.counter.reset();
    this.prediction?.reset();
    this.groupSelected.clear();
    this.windowRows = 0;
    this.windowStarted = this.now();
    this.lastWindow = report;
    this.events.onWindow?.(report);
    return report;
  }
}
