/**
 * Prometheus alert rules for serving on-prem, generated from the metric catalogues
 * (RUNTIME_METRICS, DCGM_METRICS), never from hand-typed names. Thresholds encode their
 * direction in the name (`maxP99LatencySeconds`, `maxErrorRatePercent`…).
 *
 * Drift alerts: model monitoring publishes its gauges (PSI per feature, fairness ratios, rolling
 * accuracy) through the same catalogue; `modelMonitoringRuleGroup()` builds opt-in rules from it
 * (ServingMonitoringProps.modelMonitoringAlerts). Anything else plugs in through
 * `additionalAlertRules`, appended unchanged as group `servingstack-extra`.
 */
import { MONITORING_THRESHOLDS, RUNTIME_METRICS } from '../../lib/core/metrics-catalog';
import { DCGM_METRICS } from './dcgm-metrics';

/** Severity label values. */
export class AlertSeverity {
  public static readonly CRITICAL = new AlertSeverity('critical');
  public static readonly WARNING = new AlertSeverity('warning');
  public static readonly INFO = new AlertSeverity('info');
  private constructor(public readonly value: string) {}
}

/** One alerting rule, as in a Prometheus rule file. */
export interface AlertRule {
  /** Alert name, e.g. `ServingStackFeatureDrift`. */
  readonly alert: string;
  /** PromQL expression; the alert fires for every series it returns. */
  readonly expr: string;
  /**
   * How long the expression must hold, e.g. `10m`.
   * @default '5m'
   */
  readonly forDuration?: string;
  /**
   * Severity label.
   * @default AlertSeverity.WARNING
   */
  readonly severity?: AlertSeverity;
  /** One-line summary annotation (may use `{{ $labels.app }}`). */
  readonly summary: string;
  /**
   * Longer description annotation.
   * @default - none
   */
  readonly description?: string;
}

/** Alert thresholds; every one has a stated default. */
export interface AlertThresholds {
  /**
   * p99 request latency per app above which `ServingStackHighLatencyP99` fires.
   * @default 1
   */
  readonly maxP99LatencySeconds?: number;
  /**
   * Share of 5xx answers per app above which `ServingStackHighErrorRate` fires, percent.
   * @default 5
   */
  readonly maxErrorRatePercent?: number;
  /**
   * p95 batching-queue wait above which `ServingStackQueueBacklog` fires.
   * @default 0.5
   */
  readonly maxP95QueueSeconds?: number;
  /**
   * GPU framebuffer use above which `ServingStackGpuMemoryHigh` fires, percent.
   * @default 90
   */
  readonly maxGpuMemoryUsedPercent?: number;
  /**
   * GPU temperature above which `ServingStackGpuHot` fires, °C.
   * @default 85
   */
  readonly maxGpuTemperatureCelsius?: number;
}

/** A rule as rendered into Prometheus YAML (snake_case keys of the rule file format). */
export interface RenderedRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: { [key: string]: string };
  readonly annotations: { [key: string]: string };
}

export interface RenderedRuleGroup {
  readonly name: string;
  readonly rules: RenderedRule[];
}

/** Requests that are inference, not probes or scrapes. */
export const NON_INFERENCE_ROUTES = '/v2/health/.*|/metrics|/ping|/health';

export const DEFAULT_THRESHOLDS = {
  maxP99LatencySeconds: 1,
  maxErrorRatePercent: 5,
  maxP95QueueSeconds: 0.5,
  maxGpuMemoryUsedPercent: 90,
  maxGpuTemperatureCelsius: 85,
} as const;

const R = RUNTIME_METRICS;
const D = DCGM_METRICS;

export function renderRule(rule: AlertRule): RenderedRule {
  return {
    alert: rule.alert,
    expr: rule.expr,
    for: rule.forDuration ?? '5m',
    labels: { severity: (rule.severity ?? AlertSeverity.WARNING).value, source: 'servingstack' },
    annotations: { summary: rule.summary, ...(rule.description ? { description: rule.description } : {}) },
  };
}

/** The built-in rule groups (serving and GPU), plus `servingstack-extra` when extras are given. */
export function servingAlertRuleGroups(thresholds: AlertThresholds = {}, additional: readonly AlertRule[] = []): RenderedRuleGroup[] {
  const t = { ...DEFAULT_THRESHOLDS, ...stripUndefined(thresholds) };
  const inference = `route!~"${NON_INFERENCE_ROUTES}"`;
  const serving: AlertRule[] = [
    {
      alert: 'ServingStackHighLatencyP99',
      expr: `histogram_quantile(0.99, sum by (namespace, app, le) (rate(${R.requestDuration.name}_bucket{${inference}}[5m]))) > ${t.maxP99LatencySeconds}`,
      severity: AlertSeverity.WARNING,
      summary: `p99 latency of {{ $labels.app }} is above ${t.maxP99LatencySeconds}s`,
    },
    {
      alert: 'ServingStackHighErrorRate',
      expr: `100 * sum by (namespace, app) (rate(${R.requests.name}{${inference},status=~"5.."}[5m])) / sum by (namespace, app) (rate(${R.requests.name}{${inference}}[5m])) > ${t.maxErrorRatePercent}`,
      severity: AlertSeverity.CRITICAL,
      summary: `more than ${t.maxErrorRatePercent}% of {{ $labels.app }} requests fail with 5xx`,
    },
    {
      alert: 'ServingStackRequestsRejected',
      expr: `sum by (namespace, app, reason) (rate(${R.rejected.name}{reason=~"queue_full|timeout"}[5m])) > 0`,
      forDuration: '10m',
      severity: AlertSeverity.WARNING,
      summary: '{{ $labels.app }} rejects requests ({{ $labels.reason }}): scale out or raise limits',
    },
    {
      alert: 'ServingStackQueueBacklog',
      expr: `histogram_quantile(0.95, sum by (namespace, app, le) (rate(${R.queueDuration.name}_bucket[5m]))) > ${t.maxP95QueueSeconds}`,
      severity: AlertSeverity.WARNING,
      summary: `p95 batching-queue wait of {{ $labels.app }} is above ${t.maxP95QueueSeconds}s`,
    },
    {
      alert: 'ServingStackModelNotReady',
      expr: `min by (namespace, app, pod) (${R.modelReady.name}) == 0`,
      forDuration: '10m',
      severity: AlertSeverity.CRITICAL,
      summary: '{{ $labels.pod }} has not had a ready model for 10 minutes',
    },
  ];
  const gpu: AlertRule[] = [
    {
      alert: 'ServingStackGpuMemoryHigh',
      expr: `100 * ${D.fbUsed} / (${D.fbUsed} + ${D.fbFree}) > ${t.maxGpuMemoryUsedPercent}`,
      forDuration: '10m',
      severity: AlertSeverity.WARNING,
      summary: `GPU {{ $labels.gpu }} on {{ $labels.Hostname }} uses more than ${t.maxGpuMemoryUsedPercent}% of its memory`,
    },
    {
      alert: 'ServingStackGpuXidError',
      expr: `${D.xidErrors} > 0`,
      forDuration: '0m',
      severity: AlertSeverity.CRITICAL,
      summary: 'GPU {{ $labels.gpu }} on {{ $labels.Hostname }} reported XID error {{ $value }}',
    },
    {
      alert: 'ServingStackGpuRowRemapFailure',
      expr: `${D.rowRemapFailure} > 0 or ${D.uncorrectableRemappedRows} > 0`,
      forDuration: '0m',
      severity: AlertSeverity.CRITICAL,
      summary: 'GPU {{ $labels.gpu }} on {{ $labels.Hostname }} has uncorrectable memory errors; drain the node',
    },
    {
      alert: 'ServingStackGpuHot',
      expr: `${D.gpuTemp} > ${t.maxGpuTemperatureCelsius}`,
      forDuration: '10m',
      severity: AlertSeverity.WARNING,
      summary: `GPU {{ $labels.gpu }} on {{ $labels.Hostname }} is above ${t.maxGpuTemperatureCelsius}°C`,
    },
  ];
  const groups: RenderedRuleGroup[] = [
    { name: 'servingstack-serving', rules: serving.map(renderRule) },
    { name: 'servingstack-gpu', rules: gpu.map(renderRule) },
  ];
  if (additional.length > 0) groups.push({ name: 'servingstack-extra', rules: additional.map(renderRule) });
  return groups;
}

/** Thresholds of the opt-in model-monitoring rules (defaults from lib/core MONITORING_THRESHOLDS). */
export interface ModelMonitoringThresholds {
  /**
   * PSI at or above which `ServingStackFeatureDrift` fires on any feature.
   * @default - no fixed PSI band: the rule fires when the runtime counts a drifted feature
   *   (`servingstack_drifted_features` ≥ 1), judged with the baseline's calibrated thresholds
   */
  readonly maxPsi?: number;
  /**
   * Disparate impact ratio below which `ServingStackDisparateImpact` fires.
   * @default MONITORING_THRESHOLDS.disparateImpactRatio (0.8)
   */
  readonly minDisparateImpactRatio?: number;
  /**
   * Rolling accuracy below which `ServingStackAccuracyLow` fires (set it per model).
   * @default MONITORING_THRESHOLDS.minAccuracy (0.9)
   */
  readonly minAccuracy?: number;
}

/** Rules over the runtime's model-monitoring gauges (published only when monitoring is configured). */
export function modelMonitoringRuleGroup(thresholds: ModelMonitoringThresholds = {}): RenderedRuleGroup {
  const psi = thresholds.maxPsi;
  const di = thresholds.minDisparateImpactRatio ?? MONITORING_THRESHOLDS.disparateImpactRatio;
  const acc = thresholds.minAccuracy ?? MONITORING_THRESHOLDS.minAccuracy;
  const rules: AlertRule[] = [
    psi === undefined
      ? {
          alert: 'ServingStackFeatureDrift',
          expr: `max by (namespace, app, model) (${R.driftedFeatures.name}) >= 1`,
          forDuration: '0m',
          severity: AlertSeverity.WARNING,
          summary: '{{ $value }} features of {{ $labels.app }} drifted from the baseline (calibrated thresholds)',
        }
      : {
          alert: 'ServingStackFeatureDrift',
          expr: `max by (namespace, app, model, feature) (${R.driftPsi.name}) >= ${psi}`,
          forDuration: '0m',
          severity: AlertSeverity.WARNING,
          summary: `feature {{ $labels.feature }} of {{ $labels.app }} drifted (PSI ≥ ${psi})`,
        },
    {
      alert: 'ServingStackDisparateImpact',
      expr: `min by (namespace, app, model) (${R.fairnessDisparateImpactRatio.name}) < ${di}`,
      forDuration: '0m',
      severity: AlertSeverity.WARNING,
      summary: `disparate impact ratio of {{ $labels.app }} is below ${di}`,
    },
    {
      alert: 'ServingStackAccuracyLow',
      expr: `min by (namespace, app, model) (${R.modelAccuracy.name}) < ${acc}`,
      forDuration: '15m',
      severity: AlertSeverity.WARNING,
      summary: `rolling accuracy of {{ $labels.app }} is below ${acc}`,
    },
  ];
  return { name: 'servingstack-model-monitoring', rules: rules.map(renderRule) };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
