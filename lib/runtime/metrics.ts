/**
 * Prometheus metrics (prom-client, one registry per server) built from the core metric
 * catalogue, plus optional CloudWatch Embedded Metric Format output for SageMaker.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { EMF_NAMESPACE, RUNTIME_METRICS } from '../core/metrics-catalog';
import type { ServedModel } from './model';
import type { SchedulerObserver } from './scheduler';

const M = RUNTIME_METRICS;

interface EmfModelStats {
  requests: number;
  rejected: number;
  rows: number;
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
    collectDefaultMetrics({ register: this.registry, prefix: 'servingstack_process_' });
  }

  private stats(model: string): EmfModelStats {
    let s = this.emf.get(model);
    if (!s) {
      s = { requests: 0, rejected: 0, rows: 0, queueSeconds: new Reservoir(), computeSeconds: new Reservoir(), batch: new Reservoir(), latencySeconds: new Reservoir() };
      this.emf.set(model, s);
    }
    return s;
  }

  public onRequest(route: string, status: number, model: string, seconds: number): void {
    this.requests.inc({ route, status: String(status), model });
    this.requestDuration.observe({ route, model }, seconds);
    if (this.emfEnabled && model) {
      const s = this.stats(model);
      s.requests++;
      s.latencySeconds.add(seconds);
    }
  }

  public onQueueDepth(_model: ServedModel): void {
    // read at scrape time (see the queueDepth gauge's collect)
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

  public removeModel(name: string): void {
    this.ready.remove({ model: name });
  }

  /**
   * One EMF document per model with what happened since the last flush, or nothing when idle.
   * Metric names match the Prometheus ones so dashboards on every target read the same.
   */
  public takeEmf(timestamp = Date.now()): string[] {
    const lines: string[] = [];
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
