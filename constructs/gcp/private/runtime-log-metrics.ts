/**
 * The runtime's monitoring verdicts as Cloud Monitoring metrics. Vertex AI does not scrape custom
 * containers, but it does send their stdout to Cloud Logging: with `SERVINGSTACK_EMF=true` the
 * runtime writes one JSON line per model and flush interval whose top-level fields are named after
 * lib/core RUNTIME_METRICS (`servingstack_drifted_features`, `servingstack_model_accuracy`, …; the
 * same lines CloudWatch reads on AWS). Each field becomes a log-based metric here; alert policies
 * and dashboard tiles read those.
 */
import { Construct } from 'constructs';
import { LoggingMetric } from '../../cdktf/google';
import { MetricDefinition, RUNTIME_METRICS } from '../../../lib/core/metrics-catalog';

/** One verdict the runtime writes and how it is turned into a metric. */
export interface RuntimeLogMetricDefinition {
  /** The catalogue entry; its name is the JSON field of the runtime's line. */
  readonly metric: MetricDefinition;
  /**
   * `value`: a DISTRIBUTION of the field's values (charted and alerted on by percentile);
   * `count`: an INT64 count of the lines carrying the field (each line is one event).
   */
  readonly kind: 'value' | 'count';
  /** Linear buckets for `value` metrics: [count, width]. */
  readonly buckets?: readonly [number, number];
  readonly title: string;
}

const M = RUNTIME_METRICS;

/** The verdicts turned into metrics, by key. */
export const RUNTIME_LOG_METRICS = {
  driftedFeatures: { metric: M.driftedFeatures, kind: 'value', buckets: [100, 1], title: 'Drifted features per closed window' },
  accuracy: { metric: M.modelAccuracy, kind: 'value', buckets: [100, 0.01], title: 'Rolling accuracy (labelled rows)' },
  conceptDrift: { metric: M.conceptDrift, kind: 'count', title: 'Concept-drift detections' },
  disparateImpactRatio: { metric: M.fairnessDisparateImpactRatio, kind: 'value', buckets: [100, 0.01], title: 'Disparate impact ratio' },
  demographicParityDifference: { metric: M.fairnessDemographicParityDifference, kind: 'value', buckets: [100, 0.01], title: 'Demographic parity difference' },
} as const satisfies Record<string, RuntimeLogMetricDefinition>;

export type RuntimeLogMetricKey = keyof typeof RUNTIME_LOG_METRICS;

/** Log-based metric name for a runtime metric of one endpoint (≤ 100 characters). */
export function logMetricName(endpointId: string, metric: MetricDefinition): string {
  return `servingstack/${endpointId}/${metric.name}`;
}

/** The Cloud Logging filter selecting the runtime lines that carry `field`, for one endpoint. */
export function runtimeLogFilter(endpointId: string, field: string): string {
  return `resource.type="aiplatform.googleapis.com/Endpoint" AND resource.labels.endpoint_id="${endpointId}" AND jsonPayload.${field}:*`;
}

/** The log-based metrics of one endpoint; `type(key)` is what alert policies and tiles filter on. */
export class RuntimeLogMetrics extends Construct {
  private readonly metrics = new Map<RuntimeLogMetricKey, LoggingMetric>();

  constructor(scope: Construct, id: string, endpointId: string) {
    super(scope, id);
    for (const [key, def] of Object.entries(RUNTIME_LOG_METRICS) as [RuntimeLogMetricKey, RuntimeLogMetricDefinition][]) {
      const field = def.metric.name;
      const value = def.kind === 'value';
      this.metrics.set(key, new LoggingMetric(this, key, {
        name: logMetricName(endpointId, def.metric),
        description: `${def.metric.help} From the ServingStack runtime's stdout line field ${field} (SERVINGSTACK_EMF=true).`,
        filter: runtimeLogFilter(endpointId, field),
        metricDescriptor: {
          metricKind: 'DELTA',
          valueType: value ? 'DISTRIBUTION' : 'INT64',
          unit: '1',
          displayName: `servingstack ${def.title.toLowerCase()}`,
          labels: [{ key: 'model', valueType: 'STRING', description: 'Model name (the runtime line\'s model field).' }],
        },
        labelExtractors: { model: 'EXTRACT(jsonPayload.model)' },
        valueExtractor: value ? `EXTRACT(jsonPayload.${field})` : undefined,
        bucketOptions: value && def.buckets ? { linearBuckets: { numFiniteBuckets: def.buckets[0], width: def.buckets[1], offset: 0 } } : undefined,
      }));
    }
  }

  /** `logging.googleapis.com/user/NAME` (through the resource: policies wait for the metric). */
  public type(key: RuntimeLogMetricKey): string {
    return `logging.googleapis.com/user/${this.metrics.get(key)!.name}`;
  }

  public get resources(): readonly LoggingMetric[] {
    return [...this.metrics.values()];
  }
}
