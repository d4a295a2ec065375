import { Construct } from 'constructs';
import { Token } from '../cdktf/binding';
import { MonitoringAlertPolicy, MonitoringDashboard, MonitoringNotificationChannel } from '../cdktf/google';
import { Severity } from '../../lib/core/contract/severity';
import { ModelQualityThresholds, ServingThresholds, ThresholdGroup, Thresholds } from '../../lib/core/contract/thresholds';
import { MetricDefinition, RUNTIME_METRICS } from '../../lib/core/metrics-catalog';
import { Checker, GCP_ERRORS } from './private/errors';
import { AlertSpec, qualityAlerts, qualityTiles } from './private/quality-alerts';
import { RuntimeLogMetrics } from './private/runtime-log-metrics';
import { promQl, VERTEX_METRICS } from './private/vertex-metrics';
import { RetrainingTrigger, RetrainingTriggerOptions } from './retraining-trigger';
import { VertexServingStack } from './vertex-serving-stack';

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
  readonly notificationEmails?: readonly string[];
  /**
   * Existing notification channels (`projects/P/notificationChannels/ID`) that receive alerts.
   * @default - none
   */
  readonly notificationChannelIds?: readonly string[];
  /**
   * Alert thresholds, in the vocabulary every target shares (docs/monitoring.md): error rate
   * (errors ÷ predictions, 5 minutes), p99 prediction latency (5 minutes) and minutes at the
   * replica ceiling.
   * @default - the vocabulary's defaults: 1000 ms, 5 %, 15 minutes
   */
  readonly thresholds?: ServingThresholds;
  /**
   * The autoscaling ceiling: the capacity alert fires when the endpoint runs this many replicas
   * for `thresholds.maxMinutesAtMaxReplicas`; usually the deployment's max replica count.
   * @default - no capacity alert
   */
  readonly maxReplicaCount?: number;
  /**
   * Also chart every runtime metric as PromQL over `servingstack_*`. Those tiles stay empty
   * unless you collect the runtime's Prometheus endpoint into Google Cloud Managed Service for
   * Prometheus yourself: Vertex AI does not scrape custom containers. The model-quality tiles
   * (log-based metrics, {@link modelQualityMonitoring}) have data without it.
   * @default false
   */
  readonly runtimeMetrics?: boolean;
  /**
   * Turn the runtime's monitoring verdicts (drift, accuracy, concept drift, fairness; its
   * stdout JSON lines, `SERVINGSTACK_EMF=true`) into log-based metrics, chart them and alert on
   * them with {@link modelQuality}. `VertexServing` sets `SERVINGSTACK_EMF=true` when this is on.
   * @default true
   */
  readonly modelQualityMonitoring?: boolean;
  /**
   * Model-quality alert thresholds, in the shared vocabulary (docs/monitoring.md).
   * @default - the vocabulary's defaults: 1 drifted feature, accuracy 0.9, 1 concept-drift detection per 15 minutes, disparate impact 0.8, parity difference 0.1
   */
  readonly modelQuality?: ModelQualityThresholds;
  /**
   * Start a Vertex AI pipeline run when a model-quality alert opens (alert → Pub/Sub → Workflows).
   * @default - no retraining trigger
   */
  readonly retraining?: RetrainingTriggerOptions;
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
  /** The runtime's verdicts as log-based metrics (unless `modelQualityMonitoring` is false). */
  public readonly runtimeLogMetrics?: RuntimeLogMetrics;
  /** The retraining trigger, when `retraining` is set. */
  public readonly retraining?: RetrainingTrigger;
  private readonly policies: MonitoringAlertPolicy[] = [];
  private readonly channels: MonitoringNotificationChannel[] = [];
  private readonly resourceFilter: string;

  constructor(scope: Construct, id: string, props: ServingMonitoringProps) {
    super(scope, id);
    VertexServingStack.of(this);
    const c = new Checker(GCP_ERRORS.MONITORING, `ServingMonitoring at ${this.node.path} is invalid`, (v) => Token.isUnresolved(v));
    c.pattern('endpointId', props.endpointId, /^[1-9][0-9]{0,9}$/, 'a numeric endpoint ID');
    (props.notificationEmails ?? []).forEach((e, i) => c.pattern(`notificationEmails[${i}]`, e, /^[^@\s]+@[^@\s]+\.[^@\s]+$/, 'an e-mail address'));
    (props.notificationChannelIds ?? []).forEach((n, i) => c.pattern(`notificationChannelIds[${i}]`, n, /^projects\/[^/]+\/notificationChannels\/[0-9]+$/, 'projects/PROJECT/notificationChannels/ID'));
    for (const issue of Thresholds.validate(ThresholdGroup.SERVING, props.thresholds, 'thresholds', (v) => Token.isUnresolved(v))) c.add(issue);
    c.intRange('maxReplicaCount', props.maxReplicaCount, 1, 1000);
    for (const issue of Thresholds.validate(ThresholdGroup.MODEL_QUALITY, props.modelQuality, 'modelQuality', (v) => Token.isUnresolved(v))) c.add(issue);
    const quality = props.modelQualityMonitoring ?? true;
    c.check(quality || (props.modelQuality === undefined && props.retraining === undefined), {
      field: 'modelQualityMonitoring',
      message: 'is false, but modelQuality thresholds or retraining are set: both need the model-quality alerts',
      received: props.modelQualityMonitoring,
      allowed: 'true (the default), or leave modelQuality and retraining unset',
    });
    c.throwIfAny();
    const t = Thresholds.resolveServing(props.thresholds);
    const maxErrorRate = t.maxErrorRatePercent;
    const maxP99 = t.maxP99LatencyMillis;

    const prefix = props.displayNamePrefix ?? this.node.path;
    this.resourceFilter = `resource.type="aiplatform.googleapis.com/Endpoint" AND resource.labels.endpoint_id="${props.endpointId}"`;
    (props.notificationEmails ?? []).forEach((email, i) => {
      this.channels.push(new MonitoringNotificationChannel(this, `Email${i}`, { type: 'email', displayName: `${prefix} ${email}`, labels: { email_address: email } }));
    });
    const channels = [...this.channels.map((ch) => ch.name), ...(props.notificationChannelIds ?? [])];
    if (quality) this.runtimeLogMetrics = new RuntimeLogMetrics(this, 'RuntimeLogMetrics', props.endpointId);
    if (props.retraining) this.retraining = new RetrainingTrigger(this, 'Retraining', props.retraining);

    this.dashboard = new MonitoringDashboard(this, 'Dashboard', {
      dashboardJson: JSON.stringify(this.renderDashboard(`${prefix} serving`, props.runtimeMetrics ?? false)),
    });

    const severity = (name: string): Severity => Thresholds.severityOf(ThresholdGroup.SERVING, name);
    const alerts: AlertSpec[] = [
      {
        key: 'ErrorRate',
        severity: severity('maxErrorRatePercent'),
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
        severity: severity('maxP99LatencyMillis'),
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
        severity: severity('maxMinutesAtMaxReplicas'),
        title: `replicas at the ceiling (${props.maxReplicaCount})`,
        doc: `The endpoint ran ${props.maxReplicaCount} replicas for ${t.maxMinutesAtMaxReplicas} minutes: autoscaling cannot add capacity. Raise maxReplicaCount or the quota.`,
        condition: {
          conditionThreshold: {
            filter: this.filter(VERTEX_METRICS.replicas),
            aggregations: [{ alignmentPeriod: PERIOD, perSeriesAligner: 'ALIGN_MEAN', crossSeriesReducer: 'REDUCE_SUM', groupByFields: ['resource.label.endpoint_id'] }],
            comparison: 'COMPARISON_GT',
            thresholdValue: props.maxReplicaCount - 0.5,
            duration: `${t.maxMinutesAtMaxReplicas * 60}s`,
            trigger: { count: 1 },
          },
        },
      });
    }
    if (this.runtimeLogMetrics) alerts.push(...qualityAlerts(this.runtimeLogMetrics, (type) => this.filter(type), Thresholds.resolveModelQuality(props.modelQuality)));
    for (const a of alerts) {
      // Model-quality incidents also go to the retraining channel; serving incidents never do.
      const notify = a.modelQuality && this.retraining ? [...channels, this.retraining.notificationChannelName] : channels;
      this.policies.push(new MonitoringAlertPolicy(this, a.key, {
        displayName: `${prefix}: ${a.title}`,
        combiner: 'OR',
        severity: cloudMonitoringSeverity(a.severity),
        conditions: [{ displayName: a.title, ...a.condition }],
        notificationChannels: notify.length > 0 ? notify : undefined,
        documentation: { content: a.doc, mimeType: 'text/markdown' },
        alertStrategy: { autoClose: '1800s' },
      }));
    }
  }

  /** The alert policies (error rate, p99 latency, replicas at the ceiling when autoscaling, then model quality). */
  public get alertPolicies(): readonly MonitoringAlertPolicy[] {
    return [...this.policies];
  }

  /** The e-mail notification channels created. */
  public get notificationChannels(): readonly MonitoringNotificationChannel[] {
    return [...this.channels];
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
    if (this.runtimeLogMetrics) tiles.push(...qualityTiles(this.runtimeLogMetrics, (type) => this.filter(type)));
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

/** The shared severity as a Cloud Monitoring alert policy severity (which has no INFO: left unset). */
function cloudMonitoringSeverity(s: Severity): string | undefined {
  if (s === Severity.CRITICAL) return 'CRITICAL';
  if (s === Severity.WARNING) return 'WARNING';
  return undefined;
}
