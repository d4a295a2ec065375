import { Construct } from 'constructs';
import { MonitoringAlertPolicy, MonitoringDashboard, MonitoringNotificationChannel, Token } from '../cdktf/binding';
import { MetricDefinition, RUNTIME_METRICS } from '../../lib/core/metrics-catalog';
import { Checker, GCP_ERRORS } from './private/errors';
import { VertexServingStack } from './vertex-serving-stack';

/** Vertex AI endpoint metrics (Cloud Monitoring, resource `aiplatform.googleapis.com/Endpoint`). */
export const VERTEX_METRIC_PREFIX = 'aiplatform.googleapis.com/prediction/online/';
export const VERTEX_METRICS = {
  predictionCount: `${VERTEX_METRIC_PREFIX}prediction_count`,
  errorCount: `${VERTEX_METRIC_PREFIX}error_count`,
  predictionLatencies: `${VERTEX_METRIC_PREFIX}prediction_latencies`,
  replicas: `${VERTEX_METRIC_PREFIX}replicas`,
  targetReplicas: `${VERTEX_METRIC_PREFIX}target_replicas`,
  cpuUtilization: `${VERTEX_METRIC_PREFIX}cpu/utilization`,
  memoryBytesUsed: `${VERTEX_METRIC_PREFIX}memory/bytes_used`,
  acceleratorDutyCycle: `${VERTEX_METRIC_PREFIX}accelerator/duty_cycle`,
  networkReceivedBytes: `${VERTEX_METRIC_PREFIX}network/received_bytes_count`,
  networkSentBytes: `${VERTEX_METRIC_PREFIX}network/sent_bytes_count`,
} as const;

/** Dashboard and alert settings (everything but the endpoint). */
export interface MonitoringOptions {
  /**
   * Prefix of the dashboard and alert display names.
   * @default - the construct path
   */
  readonly displayNamePrefix?: string;
  /**
   * E-mail addresses that receive alerts; one notification channel each.
   * @default - none
   */
  readonly notificationEmails?: string[];
  /**
   * Existing notification channels (`projects/P/notificationChannels/ID`) that receive alerts.
   * @default - none
   */
  readonly notificationChannelIds?: string[];
  /**
   * Alert when errors exceed this share of predictions (0–100 %) for 5 minutes.
   * @default 1
   */
  readonly maxErrorRatePercent?: number;
  /**
   * Alert when the p99 prediction latency exceeds this (milliseconds) for 5 minutes.
   * @default 1000
   */
  readonly maxP99LatencyMillis?: number;
  /**
   * Alert when the endpoint runs this many replicas for 15 minutes (autoscaling is pinned at its
   * ceiling); usually the deployment's max replica count.
   * @default - no replica alert
   */
  readonly maxReplicaCount?: number;
  /**
   * Include the runtime's own metrics (PromQL over `servingstack_*`). They have data once the
   * runtime's Prometheus endpoint is collected into Google Cloud Managed Service for Prometheus;
   * Vertex AI itself does not scrape custom containers.
   * @default true
   */
  readonly runtimeMetrics?: boolean;
}

export interface ServingMonitoringProps extends MonitoringOptions {
  /** The Vertex endpoint ID (numeric) the dashboard and alerts watch. */
  readonly endpointId: string;
}

interface Tile {
  readonly title: string;
  readonly dataSets: readonly Record<string, unknown>[];
  readonly unit?: string;
}

const PERIOD = '60s';

/**
 * Cloud Monitoring for a Vertex endpoint: a dashboard (predictions, errors, latency
 * distribution, replicas, CPU, memory, accelerator, network, then the runtime's own metrics
 * generated from lib/core RUNTIME_METRICS) and alert policies on error rate, p99 latency and
 * replicas at the ceiling, notifying e-mail channels it creates and channels you pass.
 */
export class ServingMonitoring extends Construct {
  public readonly dashboard: MonitoringDashboard;
  public readonly alertPolicies: MonitoringAlertPolicy[] = [];
  public readonly notificationChannels: MonitoringNotificationChannel[] = [];
  private readonly resourceFilter: string;

  constructor(scope: Construct, id: string, props: ServingMonitoringProps) {
    super(scope, id);
    VertexServingStack.of(this);
    const c = new Checker(GCP_ERRORS.MONITORING, `ServingMonitoring at ${this.node.path} is invalid`, (v) => Token.isUnresolved(v));
    c.pattern('endpointId', props.endpointId, /^[1-9][0-9]{0,9}$/, 'a numeric endpoint ID');
    (props.notificationEmails ?? []).forEach((e, i) => c.pattern(`notificationEmails[${i}]`, e, /^[^@\s]+@[^@\s]+\.[^@\s]+$/, 'an e-mail address'));
    (props.notificationChannelIds ?? []).forEach((n, i) => c.pattern(`notificationChannelIds[${i}]`, n, /^projects\/[^/]+\/notificationChannels\/[0-9]+$/, 'projects/PROJECT/notificationChannels/ID'));
    const maxErrorRate = props.maxErrorRatePercent ?? 1;
    const maxP99 = props.maxP99LatencyMillis ?? 1000;
    if (!Token.isUnresolved(maxErrorRate)) c.check(maxErrorRate > 0 && maxErrorRate <= 100, { field: 'maxErrorRatePercent', message: 'is out of range', received: maxErrorRate, allowed: 'a number above 0 and at most 100' });
    c.intRange('maxP99LatencyMillis', maxP99, 1, 3_600_000, 'ms');
    c.intRange('maxReplicaCount', props.maxReplicaCount, 1, 1000);
    c.throwIfAny();

    const prefix = props.displayNamePrefix ?? this.node.path;
    this.resourceFilter = `resource.type="aiplatform.googleapis.com/Endpoint" AND resource.labels.endpoint_id="${props.endpointId}"`;
    (props.notificationEmails ?? []).forEach((email, i) => {
      this.notificationChannels.push(new MonitoringNotificationChannel(this, `Email${i}`, { type: 'email', displayName: `${prefix} ${email}`, labels: { email_address: email } }));
    });
    const channels = [...this.notificationChannels.map((ch) => ch.name), ...(props.notificationChannelIds ?? [])];

    this.dashboard = new MonitoringDashboard(this, 'Dashboard', {
      dashboardJson: JSON.stringify(this.renderDashboard(`${prefix} serving`, props.runtimeMetrics ?? true)),
    });

    const alerts: { key: string; title: string; condition: Record<string, unknown>; doc: string }[] = [
      {
        key: 'ErrorRate',
        title: `error rate above ${maxErrorRate}%`,
        doc: `Errors exceeded ${maxErrorRate}% of predictions for 5 minutes. Check the deployed model's logs; roll back with \`servingstack gcp rollback\`.`,
        condition: {
          conditionThreshold: {
            filter: this.filter(VERTEX_METRICS.errorCount),
            denominatorFilter: this.filter(VERTEX_METRICS.predictionCount),
            aggregations: [{ alignmentPeriod: PERIOD, perSeriesAligner: 'ALIGN_RATE', crossSeriesReducer: 'REDUCE_SUM', groupByFields: ['resource.label.endpoint_id'] }],
            denominatorAggregations: [{ alignmentPeriod: PERIOD, perSeriesAligner: 'ALIGN_RATE', crossSeriesReducer: 'REDUCE_SUM', groupByFields: ['resource.label.endpoint_id'] }],
            comparison: 'COMPARISON_GT',
            thresholdValue: maxErrorRate / 100,
            duration: '300s',
            trigger: { count: 1 },
          },
        },
      },
      {
        key: 'P99Latency',
        title: `p99 latency above ${maxP99} ms`,
        doc: `The p99 prediction latency exceeded ${maxP99} ms for 5 minutes. Check replicas at max, CPU/accelerator saturation and the runtime's queue duration.`,
        condition: {
          conditionThreshold: {
            filter: this.filter(VERTEX_METRICS.predictionLatencies),
            aggregations: [{ alignmentPeriod: PERIOD, perSeriesAligner: 'ALIGN_DELTA', crossSeriesReducer: 'REDUCE_PERCENTILE_99', groupByFields: ['resource.label.endpoint_id'] }],
            comparison: 'COMPARISON_GT',
            thresholdValue: maxP99,
            duration: '300s',
            trigger: { count: 1 },
          },
        },
      },
    ];
    if (props.maxReplicaCount !== undefined) {
      alerts.push({
        key: 'ReplicasAtMax',
        title: `replicas at the ceiling (${props.maxReplicaCount})`,
        doc: `The endpoint ran ${props.maxReplicaCount} replicas for 15 minutes: autoscaling cannot add capacity. Raise maxReplicaCount or the quota.`,
        condition: {
          conditionThreshold: {
            filter: this.filter(VERTEX_METRICS.replicas),
            aggregations: [{ alignmentPeriod: PERIOD, perSeriesAligner: 'ALIGN_MEAN', crossSeriesReducer: 'REDUCE_SUM', groupByFields: ['resource.label.endpoint_id'] }],
            comparison: 'COMPARISON_GT',
            thresholdValue: props.maxReplicaCount - 0.5,
            duration: '900s',
            trigger: { count: 1 },
          },
        },
      });
    }
    for (const a of alerts) {
      this.alertPolicies.push(new MonitoringAlertPolicy(this, a.key, {
        displayName: `${prefix}: ${a.title}`,
        combiner: 'OR',
        severity: 'ERROR',
        conditions: [{ displayName: a.title, ...a.condition }],
        notificationChannels: channels.length > 0 ? channels : undefined,
        documentation: { content: a.doc, mimeType: 'text/markdown' },
        alertStrategy: { autoClose: '1800s' },
      }));
    }
  }

  private filter(metricType: string): string {
    return `metric.type="${metricType}" AND ${this.resourceFilter}`;
  }

  private vertexSeries(metricType: string, aligner: string, reducer: string, legend: string, groupBy: string[] = []): Record<string, unknown> {
    return {
      plotType: 'LINE',
      legendTemplate: legend,
      timeSeriesQuery: {
        timeSeriesFilter: {
          filter: this.filter(metricType),
          aggregation: { alignmentPeriod: PERIOD, perSeriesAligner: aligner, crossSeriesReducer: reducer, groupByFields: groupBy },
        },
      },
    };
  }

  private renderDashboard(displayName: string, runtimeMetrics: boolean): Record<string, unknown> {
    const byModel = ['metric.label.deployed_model_id'];
    const tiles: Tile[] = [
      { title: 'Predictions / s', dataSets: [this.vertexSeries(VERTEX_METRICS.predictionCount, 'ALIGN_RATE', 'REDUCE_SUM', '$${metric.labels.deployed_model_id}', byModel)] },
      { title: 'Errors / s', dataSets: [this.vertexSeries(VERTEX_METRICS.errorCount, 'ALIGN_RATE', 'REDUCE_SUM', '$${metric.labels.deployed_model_id}', byModel)] },
      {
        title: 'Prediction latency (ms)',
        dataSets: ['50', '95', '99'].map((p) => this.vertexSeries(VERTEX_METRICS.predictionLatencies, 'ALIGN_DELTA', `REDUCE_PERCENTILE_${p}`, `p${p}`)),
      },
      {
        title: 'Replicas',
        dataSets: [
          this.vertexSeries(VERTEX_METRICS.replicas, 'ALIGN_MEAN', 'REDUCE_SUM', 'replicas'),
          this.vertexSeries(VERTEX_METRICS.targetReplicas, 'ALIGN_MEAN', 'REDUCE_SUM', 'target'),
        ],
      },
      { title: 'CPU utilisation', dataSets: [this.vertexSeries(VERTEX_METRICS.cpuUtilization, 'ALIGN_MEAN', 'REDUCE_MEAN', '$${metric.labels.deployed_model_id}', byModel)] },
      { title: 'Memory used', dataSets: [this.vertexSeries(VERTEX_METRICS.memoryBytesUsed, 'ALIGN_MEAN', 'REDUCE_MEAN', '$${metric.labels.deployed_model_id}', byModel)] },
      { title: 'Accelerator duty cycle', dataSets: [this.vertexSeries(VERTEX_METRICS.acceleratorDutyCycle, 'ALIGN_MEAN', 'REDUCE_MEAN', '$${metric.labels.deployed_model_id}', byModel)] },
      {
        title: 'Network bytes / s',
        dataSets: [
          this.vertexSeries(VERTEX_METRICS.networkReceivedBytes, 'ALIGN_RATE', 'REDUCE_SUM', 'received'),
          this.vertexSeries(VERTEX_METRICS.networkSentBytes, 'ALIGN_RATE', 'REDUCE_SUM', 'sent'),
        ],
      },
    ];
    if (runtimeMetrics) {
      for (const m of Object.values(RUNTIME_METRICS) as MetricDefinition[]) {
        tiles.push({ title: `runtime: ${m.name}`, dataSets: [{ plotType: 'LINE', timeSeriesQuery: { prometheusQuery: promQl(m) } }] });
      }
    }
    const width = 24;
    return {
      displayName,
      mosaicLayout: {
        columns: 48,
        tiles: tiles.map((t, i) => ({
          xPos: (i % 2) * width,
          yPos: Math.floor(i / 2) * 16,
          width,
          height: 16,
          widget: { title: t.title, xyChart: { dataSets: t.dataSets, timeshiftDuration: '0s' } },
        })),
      },
    };
  }
}

/** The PromQL a runtime metric is charted with, by kind. */
export function promQl(m: MetricDefinition): string {
  const by = m.labels.filter((l) => l !== 'le' && l !== 'route').join(', ');
  const grouping = by ? ` by (${by})` : '';
  switch (m.kind) {
    case 'counter':
      return `sum${grouping}(rate(${m.name}[5m]))`;
    case 'histogram':
      return `histogram_quantile(0.99, sum by (le${by ? `, ${by}` : ''})(rate(${m.name}_bucket[5m])))`;
    default:
      return `sum${grouping}(${m.name})`;
  }
}
