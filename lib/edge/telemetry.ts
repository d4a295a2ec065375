/**
 * What the edge agent keeps between publishes: per interval, counts that merge by addition
 * (requests, server errors, rows, rejected requests, concept-drift detections, the latency
 * histogram's buckets, drift samples) plus the latest values of the runtime's rolling gauges
 * (accuracy, labelled rows). Two intervals merge into one covering both, so a device that stays
 * offline keeps a bounded number of intervals and loses no count (see {@link TelemetryBuffer}).
 *
 * Source: the runtime's `/metrics` page, scraped on the device (loopback, works offline). Counters
 * become deltas between scrapes (a counter that went down means the runtime restarted: its value
 * is the delta). Drift: at each scrape where the model served rows, the runtime's last published
 * window (`servingstack_drifted_features`) is one drift sample.
 */
import { RUNTIME_METRICS } from '../core/metrics-catalog';
import type { PromSample } from './prometheus-text';

const M = RUNTIME_METRICS;

/** Upper bounds (seconds) of the latency buckets: the runtime's histogram buckets, then +Inf. */
export const LATENCY_BUCKETS_SECONDS: readonly number[] = M.requestDuration.buckets;

/** One interval's mergeable counts. Times are epoch milliseconds. */
export interface TelemetryInterval {
  readonly start: number;
  readonly end: number;
  /** Scrapes merged into this interval. */
  readonly scrapes: number;
  readonly requests: number;
  /** Answers with a 5xx status. */
  readonly serverErrors: number;
  /** Answers with a 4xx status. */
  readonly clientErrors: number;
  /** Requests refused before inference (queue full, timeout, draining). */
  readonly rejected: number;
  readonly rows: number;
  readonly conceptDriftDetections: number;
  /** Request latency histogram: counts per bucket of {@link LATENCY_BUCKETS_SECONDS}, the last one +Inf. */
  readonly latencyBuckets: readonly number[];
  /** Scrapes that saw a published drift window while the model served rows. */
  readonly driftSamples: number;
  /** Largest drifted-feature count among them. */
  readonly maxDriftedFeatures: number;
  /** Rolling accuracy (runtime's last 1000 labelled rows) at the interval's end, when labels arrived. */
  readonly accuracy?: number;
  readonly labelledRows?: number;
}

export function emptyInterval(start: number): TelemetryInterval {
  return {
    start, end: start, scrapes: 0, requests: 0, serverErrors: 0, clientErrors: 0, rejected: 0, rows: 0, conceptDriftDetections: 0,
    latencyBuckets: new Array<number>(LATENCY_BUCKETS_SECONDS.length + 1).fill(0), driftSamples: 0, maxDriftedFeatures: 0,
  };
}

/** One interval covering `a` then `b` (`a` older): counts add; the rolling gauges are `b`'s when it has them. */
export function mergeIntervals(a: TelemetryInterval, b: TelemetryInterval): TelemetryInterval {
  return {
    start: Math.min(a.start, b.start),
    end: Math.max(a.end, b.end),
    scrapes: a.scrapes + b.scrapes,
    requests: a.requests + b.requests,
    serverErrors: a.serverErrors + b.serverErrors,
    clientErrors: a.clientErrors + b.clientErrors,
    rejected: a.rejected + b.rejected,
    rows: a.rows + b.rows,
    conceptDriftDetections: a.conceptDriftDetections + b.conceptDriftDetections,
    latencyBuckets: a.latencyBuckets.map((n, i) => n + (b.latencyBuckets[i] ?? 0)),
    driftSamples: a.driftSamples + b.driftSamples,
    maxDriftedFeatures: Math.max(a.maxDriftedFeatures, b.maxDriftedFeatures),
    accuracy: b.accuracy ?? a.accuracy,
    labelledRows: b.labelledRows ?? a.labelledRows,
  };
}

/**
 * Latency quantile `q` (0–1) in milliseconds from the bucket counts, interpolated linearly inside
 * the bucket (as Prometheus' histogram_quantile); in the +Inf bucket, the largest finite bound.
 * Undefined without requests.
 */
export function latencyQuantileMillis(buckets: readonly number[], q: number): number | undefined {
  const total = buckets.reduce((a, b) => a + b, 0);
  if (total === 0) return undefined;
  const rank = q * total;
  let cumulative = 0;
  for (let i = 0; i < buckets.length; i++) {
    const before = cumulative;
    cumulative += buckets[i]!;
    if (cumulative >= rank && buckets[i]! > 0) {
      if (i >= LATENCY_BUCKETS_SECONDS.length) return LATENCY_BUCKETS_SECONDS[LATENCY_BUCKETS_SECONDS.length - 1]! * 1000;
      const lower = i === 0 ? 0 : LATENCY_BUCKETS_SECONDS[i - 1]!;
      const upper = LATENCY_BUCKETS_SECONDS[i]!;
      return (lower + ((upper - lower) * (rank - before)) / buckets[i]!) * 1000;
    }
  }
  return LATENCY_BUCKETS_SECONDS[LATENCY_BUCKETS_SECONDS.length - 1]! * 1000;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] } & { latencyBuckets: number[] };

/**
 * Turns successive scrapes of the runtime's metrics into interval counts for one model. Memory:
 * one number per counter series of that model (routes × statuses, histogram buckets), whatever the
 * traffic.
 */
export class ScrapeAccumulator {
  private readonly previous = new Map<string, number>();
  private current: Mutable<TelemetryInterval>;
  private primed = false;

  constructor(
    /** The model's name in the runtime's metrics (`model` label). */
    private readonly model: string,
    now: number,
  ) {
    this.current = { ...emptyInterval(now), latencyBuckets: [...emptyInterval(now).latencyBuckets] };
  }

  /** Delta of a counter series since the previous scrape (the first scrape only records values). */
  private delta(key: string, value: number): number {
    const prev = this.previous.get(key);
    this.previous.set(key, value);
    if (prev === undefined) return this.primed ? value : 0;
    return value >= prev ? value - prev : value; // went down: the runtime restarted
  }

  /** Add one scrape (`samples` of `/metrics`) taken at `now`. */
  public observe(samples: readonly PromSample[], now: number): void {
    const c = this.current;
    const buckets = new Map<string, number>();
    let rowsDelta = 0;
    let drifted: number | undefined;
    for (const s of samples) {
      if (s.labels.model !== this.model) continue;
      switch (s.name) {
        case M.requests.name: {
          const d = this.delta(`r|${s.labels.route}|${s.labels.status}`, s.value);
          c.requests += d;
          const status = Number(s.labels.status);
          if (status >= 500) c.serverErrors += d;
          else if (status >= 400) c.clientErrors += d;
          break;
        }
        case M.inferenceRows.name:
          rowsDelta += this.delta('rows', s.value);
          break;
        case M.rejected.name:
          c.rejected += this.delta(`rej|${s.labels.reason}`, s.value);
          break;
        case M.conceptDrift.name:
          c.conceptDriftDetections += this.delta(`cd|${s.labels.detector}`, s.value);
          break;
        case `${M.requestDuration.name}_bucket`: {
          // Cumulative per route: delta per (route, le), summed over routes below.
          const d = this.delta(`lat|${s.labels.route}|${s.labels.le}`, s.value);
          buckets.set(s.labels.le!, (buckets.get(s.labels.le!) ?? 0) + d);
          break;
        }
        case M.driftedFeatures.name:
          drifted = s.value;
          break;
        case M.modelAccuracy.name:
          if (Number.isFinite(s.value)) c.accuracy = s.value;
          break;
        case M.labelledRows.name:
          if (Number.isFinite(s.value)) c.labelledRows = s.value;
          break;
        default:
      }
    }
    // Cumulative bucket deltas → per-bucket counts.
    const lat = c.latencyBuckets;
    let below = 0;
    LATENCY_BUCKETS_SECONDS.forEach((le, i) => {
      const cum = buckets.get(String(le)) ?? below;
      lat[i]! += Math.max(0, cum - below);
      below = Math.max(below, cum);
    });
    const inf = buckets.get('+Inf') ?? below;
    lat[LATENCY_BUCKETS_SECONDS.length]! += Math.max(0, inf - below);
    c.rows += rowsDelta;
    if (drifted !== undefined && rowsDelta > 0) {
      c.driftSamples++;
      c.maxDriftedFeatures = Math.max(c.maxDriftedFeatures, drifted);
    }
    c.scrapes++;
    c.end = now;
    this.primed = true;
  }

  /** The interval so far, and start the next one at `now`. */
  public close(now: number): TelemetryInterval {
    const done: TelemetryInterval = { ...this.current, end: Math.max(this.current.end, now) };
    this.current = { ...emptyInterval(now), latencyBuckets: [...emptyInterval(now).latencyBuckets] };
    return done;
  }
}

/**
 * Closed intervals waiting to be published, oldest first, at most `capacity`: when full, the two
 * oldest merge into one. Memory is bounded by `capacity` intervals of fixed size (one number per
 * field and per latency bucket: under 1 KiB each), however long the device stays offline; no
 * count is ever dropped, only the time resolution of the oldest interval coarsens.
 */
export class TelemetryBuffer {
  private readonly items: TelemetryInterval[] = [];
  /** Merges done because the buffer was full. */
  public merges = 0;

  constructor(public readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 2) throw new Error(`buffer capacity must be a whole number ≥ 2, got ${capacity}`);
  }

  public push(interval: TelemetryInterval): void {
    this.items.push(interval);
    while (this.items.length > this.capacity) {
      const [a, b] = this.items.splice(0, 2) as [TelemetryInterval, TelemetryInterval];
      this.items.unshift(mergeIntervals(a, b));
      this.merges++;
    }
  }

  public get size(): number {
    return this.items.length;
  }

  public peek(): TelemetryInterval | undefined {
    return this.items[0];
  }

  public shift(): TelemetryInterval | undefined {
    return this.items.shift();
  }

  /** Every buffered interval, oldest first (for inspection). */
  public toArray(): readonly TelemetryInterval[] {
    return [...this.items];
  }
}
