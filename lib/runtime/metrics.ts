/**
 * Prometheus metrics (prom-client, one registry per server) built from the core metric
 * catalogue, plus optional CloudWatch Embedded Metric Format output for SageMaker.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { EMF_NAMESPACE, RUNTIME_METRICS } from '../core/metrics-catalog';
import type { MonitorEvents, PerformanceReport, SkipReason, WindowReport } from '../monitoring/monitor';
import type { ServedModel } from './model';
import type { SchedulerObserver } from './scheduler';

const M = RUNTIME_METRICS;

interface EmfModelStats {
  requests: number;
  rejected: number;
  rows: number;
  maxQueueDepth: number;
  queueSeconds: Reservoir;
  computeSeconds: Reservoir;
  batch: Reservoir;
  latencySeconds: Reservoir;
}

const EMF_SAMPLE_LIMIT = 100; // CloudWatch takes up to 100 values per metric per line

export class RuntimeMetrics implements SchedulerObserver {
  public readonly registry = new Registry();
  private readonly requests: Counter<string>;
  private readonly requestDuration: Histogram<string>;
  private readonly queueDuration: Histogram<string>;
  private readonly computeDuration: Histogram<string>;
  private readonly batchSize: Histogram<string>;
  private readonly rows: Counter<string>;
  private readonly rejected: Counter<string>;
  /** Live state, read at scrape time (set by the server). */
  public models: () => Iterable<ServedModel> = () => [];
  public inflightNow: () => number = () => 0;
  private readonly loadDuration: Gauge<string>;
  private readonly ready: Gauge<string>;
  private readonly emf = new Map<string, EmfModelStats>();
  private readonly monitoringGauges = new Map<string, Gauge<string>>();
  private readonly conceptDrift: Counter<string>;
  private readonly skipped: Counter<string>;
  /** EMF documents from the monitor, flushed with the rest. */
  private readonly emfExtra: string[] = [];

  constructor(private readonly emfEnabled: boolean) {
    const r = [this.registry];
    this.requests = new Counter({ name: M.requests.name, help: M.requests.help, labelNames: [...M.requests.labels], registers: r });
    this.requestDuration = new Histogram({ name: M.requestDuration.name, help: M.requestDuration.help, labelNames: [...M.requestDuration.labels], buckets: [...M.requestDuration.buckets], registers: r });
    this.queueDuration = new Histogram({ name: M.queueDuration.name, help: M.queueDuration.help, labelNames: [...M.queueDuration.labels], buckets: [...M.queueDuration.buckets], registers: r });
    this.computeDuration = new Histogram({ name: M.computeDuration.name, help: M.computeDuration.help, labelNames: [...M.computeDuration.labels], buckets: [...M.computeDuration.buckets], registers: r });
    this.batchSize = new Histogram({ name: M.batchSize.name, help: M.batchSize.help, labelNames: [...M.batchSize.labels], buckets: [...M.batchSize.buckets], registers: r });
    this.rows = new Counter({ name: M.inferenceRows.name, help: M.inferenceRows.help, labelNames: [...M.inferenceRows.labels], registers: r });
    this.rejected = new Counter({ name: M.rejected.name, help: M.rejected.help, labelNames: [...M.rejected.labels], registers: r });
    // Gauges of live state are read when scraped, not written on every request.
    const models = (): Iterable<ServedModel> => this.models();
    const inflightNow = (): number => this.inflightNow();
    new Gauge({
      name: M.queueDepth.name,
      help: M.queueDepth.help,
      labelNames: [...M.queueDepth.labels],
      registers: r,
      collect() {
        this.reset();
        for (const m of models()) this.set({ model: m.name }, m.queueLength);
      },
    });
    new Gauge({
      name: M.inflight.name,
      help: M.inflight.help,
      registers: r,
      collect() {
        this.set(inflightNow());
      },
    });
    this.loadDuration = new Gauge({ name: M.modelLoadDuration.name, help: M.modelLoadDuration.help, labelNames: [...M.modelLoadDuration.labels], registers: r });
    this.ready = new Gauge({ name: M.modelReady.name, help: M.modelReady.help, labelNames: [...M.modelReady.labels], registers: r });
    for (const def of Object.values(M)) {
      if (def.kind === 'gauge' && def.name.match(/^servingstack_(drift|feature|drifted|model_(accuracy|precision|recall|f1|mae|rmse)|labelled|fairness)/)) {
        this.monitoringGauges.set(def.name, new Gauge({ name: def.name, help: def.help, labelNames: [...def.labels], registers: r }));
      }
    }
    this.conceptDrift = new Counter({ name: M.conceptDrift.name, help: M.conceptDrift.help, labelNames: [...M.conceptDrift.labels], registers: r });
    this.skipped = new Counter({ name: M.monitoringSkipped.name, help: M.monitoringSkipped.help, labelNames: [...M.monitoringSkipped.labels], registers: r });
    collectDefaultMetrics({ register: this.registry, prefix: 'servingstack_process_' });
  }

  private stats(model: string): EmfModelStats {
    let s = this.emf.get(model);
    if (!s) {
      s = { requests: 0, rejected: 0, rows: 0, maxQueueDepth: 0, queueSeconds: new Reservoir(), computeSeconds: new Reservoir(), batch: new Reservoir(), latencySeconds: new Reservoir() };
      this.emf.set(model, s);
    }
    return s;
  }

  /** Label-bound children, so the hot path does not hash label objects on every request. */
  private readonly requestChildren = new Map<string, { count: { inc(): void }; duration: { observe(v: number): void } }>();

  public onRequest(route: string, status: number, model: string, seconds: number): void {
    const key = `${route}\u0000${status}\u0000${model}`;
    let c = this.requestChildren.get(key);
    if (!c) {
      c = { count: this.requests.labels({ route, status: String(status), model }), duration: this.requestDuration.labels({ route, model }) };
      // Unmatched routes carry the raw URL in no label (route is the pattern), so this stays small.
      if (this.requestChildren.size < 10_000) this.requestChildren.set(key, c);
    }
    c.count.inc();
    c.duration.observe(seconds);
    if (this.emfEnabled && model) {
      const s = this.stats(model);
      s.requests++;
      s.latencySeconds.add(seconds);
    }
  }

  public onQueueDepth(model: ServedModel): void {
    // Prometheus reads the depth at scrape time (the gauge's collect); EMF keeps the interval's peak.
    if (this.emfEnabled) {
      const s = this.stats(model.name);
      if (model.queueLength > s.maxQueueDepth) s.maxQueueDepth = model.queueLength;
    }
  }

  public onQueueWait(model: ServedModel, seconds: number): void {
    this.queueDuration.observe({ model: model.name }, seconds);
    if (this.emfEnabled) this.stats(model.name).queueSeconds.add(seconds);
  }

  public onBatch(model: ServedModel, rows: number, computeSeconds: number): void {
    this.computeDuration.observe({ model: model.name }, computeSeconds);
    this.batchSize.observe({ model: model.name }, rows);
    this.rows.inc({ model: model.name }, rows);
    if (this.emfEnabled) {
      const s = this.stats(model.name);
      s.rows += rows;
      s.computeSeconds.add(computeSeconds);
      s.batch.add(rows);
    }
  }

  public onRejected(model: ServedModel, reason: string): void {
    this.rejected.inc({ model: model.name, reason });
    if (this.emfEnabled) this.stats(model.name).rejected++;
  }

  public onRejectedByName(model: string, reason: string): void {
    this.rejected.inc({ model, reason });
  }

  public onModelState(model: ServedModel): void {
    this.ready.set({ model: model.name }, model.state === 'ready' ? 1 : 0);
    if (model.state === 'ready') this.loadDuration.set({ model: model.name }, model.loadSeconds);
  }

  private gauge(name: string): Gauge<string> {
    return this.monitoringGauges.get(name)!;
  }

  /** Monitor events → Prometheus gauges (and EMF documents when EMF is on). */
  public monitorEvents(log: (obj: object, msg: string) => void): MonitorEvents {
    return {
      onWindow: (w: WindowReport) => {
        log({ model: w.model, window: w.window, rows: w.rows, published: w.published, drifted: w.driftedFeatures, fairness: w.fairness }, 'monitoring window closed');
        this.gauge(M.driftWindowRows.name).set({ model: w.model }, w.rows);
        if (!w.published) return;
        this.gauge(M.driftedFeatures.name).set({ model: w.model }, w.driftedFeatures.length);
        const all = w.prediction ? [...w.features, w.prediction] : w.features;
        for (const f of all) {
          const labels = { model: w.model, feature: f.name };
          if (Number.isFinite(f.psi)) this.gauge(M.driftPsi.name).set(labels, f.psi);
          if (Number.isFinite(f.jsDivergenceLog2)) this.gauge(M.driftJsDivergence.name).set(labels, f.jsDivergenceLog2);
          if (f.lInfinity !== undefined) this.gauge(M.driftLInfinity.name).set(labels, f.lInfinity);
          this.gauge(M.featureMissingRate.name).set(labels, f.missingRate);
          this.gauge(M.featureOutOfRangeRate.name).set(labels, f.outOfRangeRate);
          if (this.emfEnabled) {
            const doc: Record<string, unknown> = { model: w.model, feature: f.name, [M.driftPsi.name]: f.psi, [M.driftJsDivergence.name]: f.jsDivergenceLog2, [M.featureMissingRate.name]: f.missingRate, [M.featureOutOfRangeRate.name]: f.outOfRangeRate };
            const metrics = [M.driftPsi.name, M.driftJsDivergence.name, M.featureMissingRate.name, M.featureOutOfRangeRate.name].filter((n) => Number.isFinite(doc[n] as number));
            doc._aws = { Timestamp: Date.now(), CloudWatchMetrics: [{ Namespace: EMF_NAMESPACE, Dimensions: [['model', 'feature']], Metrics: metrics.map((Name) => ({ Name, Unit: 'None' })) }] };
            this.emfExtra.push(JSON.stringify(doc));
          }
        }
        const fair = w.fairness;
        const modelDoc: Record<string, unknown> = { model: w.model, [M.driftedFeatures.name]: w.driftedFeatures.length, [M.driftWindowRows.name]: w.rows };
        if (fair) {
          for (const [group, rate] of Object.entries(fair.selectionRates)) this.gauge(M.fairnessSelectionRate.name).set({ model: w.model, group }, rate);
          const put = (def: { name: string }, v: number | undefined): void => {
            if (v === undefined) return;
            this.gauge(def.name).set({ model: w.model }, v);
            modelDoc[def.name] = v;
          };
          put(M.fairnessDemographicParityDifference, fair.demographicParityDifference);
          put(M.fairnessDisparateImpactRatio, fair.disparateImpactRatio);
          put(M.fairnessEqualizedOddsDifference, fair.equalizedOddsDifference);
        }
        if (this.emfEnabled) this.pushModelEmf(modelDoc);
      },
      onPerformance: (model: string, p: PerformanceReport) => {
        const doc: Record<string, unknown> = { model };
        const put = (def: { name: string }, v: number | undefined): void => {
          if (v === undefined) return;
          this.gauge(def.name).set({ model }, v);
          doc[def.name] = v;
        };
        put(M.labelledRows, p.labelled);
        put(M.modelAccuracy, p.accuracy);
        put(M.modelPrecision, p.precision);
        put(M.modelRecall, p.recall);
        put(M.modelF1, p.f1);
        put(M.modelMae, p.mae);
        put(M.modelRmse, p.rmse);
        put(M.fairnessEqualizedOddsDifference, p.equalizedOddsDifference);
        this.latestPerformanceEmf.set(model, doc);
      },
      onConceptDrift: (model: string, detector: string) => {
        log({ model, detector }, 'concept drift detected on the error stream');
        this.conceptDrift.inc({ model, detector });
        if (this.emfEnabled) this.pushModelEmf({ model, [M.conceptDrift.name]: 1 });
      },
      onSkip: (model: string, reason: SkipReason, detail: string) => {
        log({ model, reason, detail }, 'monitoring input skipped');
        this.skipped.inc({ model, reason });
      },
    };
  }

  /** Feedback refused before it reached a monitor (no token or id, unknown model, bad token). */
  public onFeedbackRefused(model: string, reason: string): void {
    this.skipped.inc({ model, reason });
  }

  private readonly latestPerformanceEmf = new Map<string, Record<string, unknown>>();

  private pushModelEmf(doc: Record<string, unknown>): void {
    const names = Object.keys(doc).filter((k) => k !== 'model');
    doc._aws = { Timestamp: Date.now(), CloudWatchMetrics: [{ Namespace: EMF_NAMESPACE, Dimensions: [['model']], Metrics: names.map((Name) => ({ Name, Unit: 'None' })) }] };
    this.emfExtra.push(JSON.stringify(doc));
  }

  public removeModel(name: string): void {
    for (const key of [...this.requestChildren.keys()]) if (key.endsWith(`\u0000${name}`)) this.requestChildren.delete(key);
    this.ready.remove({ model: name });
  }

  /**
   * One EMF document per model with what happened since the last flush, or nothing when idle.
   * Metric names match the Prometheus ones so dashboards on every target read the same.
   */
  public takeEmf(timestamp = Date.now()): string[] {
    const lines: string[] = this.emfExtra.splice(0);
    for (const doc of this.latestPerformanceEmf.values()) this.pushModelEmf(doc);
    this.latestPerformanceEmf.clear();
    lines.push(...this.emfExtra.splice(0));
    for (const [model, s] of this.emf) {
      if (s.requests === 0 && s.rows === 0 && s.rejected === 0) continue;
      const metrics: { Name: string; Unit: string }[] = [];
      const doc: Record<string, unknown> = { model };
      const put = (name: string, unit: string, value: number | Reservoir): void => {
        const v = value instanceof Reservoir ? value.values : value;
        if (Array.isArray(v) && v.length === 0) return;
        metrics.push({ Name: name, Unit: unit });
        doc[name] = v;
      };
      put(M.requests.name, 'Count', s.requests);
      put(M.rejected.name, 'Count', s.rejected);
      put(M.queueDepth.name, 'Count', s.maxQueueDepth);
      put(M.inferenceRows.name, 'Count', s.rows);
      put(M.requestDuration.name, 'Seconds', s.latencySeconds);
      put(M.queueDuration.name, 'Seconds', s.queueSeconds);
      put(M.computeDuration.name, 'Seconds', s.computeSeconds);
      put(M.batchSize.name, 'Count', s.batch);
      doc._aws = { Timestamp: timestamp, CloudWatchMetrics: [{ Namespace: EMF_NAMESPACE, Dimensions: [['model']], Metrics: metrics }] };
      lines.push(JSON.stringify(doc));
      this.emf.delete(model);
    }
    return lines;
  }
}

/** Uniform reservoir sample (algorithm R) of at most EMF_SAMPLE_LIMIT values. */
class Reservoir {
  public readonly values: number[] = [];
  private seen = 0;

  public add(v: number): void {
    this.seen++;
    if (this.values.length < EMF_SAMPLE_LIMIT) this.values.push(v);
    else {
      const j = Math.floor(Math.random() * this.seen);
      if (j < EMF_SAMPLE_LIMIT) this.values[j] = v;
    }
  }
}
