/**
 * Prometheus alert rules for serving on-prem, generated from the metric catalogues
 * (RUNTIME_METRICS, DCGM_METRICS), never from hand-typed names. Thresholds and severities are the
 * shared vocabulary of lib/core (`maxP99LatencyMillis`, `maxErrorRatePercent`…; `Severity`),
 * translated into PromQL; the on-prem extras (queue wait, GPU memory and temperature) follow
 * the same naming.
 *
 * Model-quality alerts: model monitoring publishes its gauges (drifted features, fairness,
 * rolling accuracy, concept-drift detections) through the same catalogue; `modelQualityRuleGroup()`
 * builds opt-in rules from it (ServingMonitoringProps.modelQualityAlerts). Anything else plugs in
 * through `additionalAlertRules`, appended unchanged as group `servingstack-extra`.
 */
import { RouteAccess, RuntimeContract } from '../../lib/core/contract/container';
import { Severity } from '../../lib/core/contract/severity';
import { ModelQualityThresholds, ServingThresholds, ThresholdGroup, Thresholds } from '../../lib/core/contract/thresholds';
import { RUNTIME_METRICS } from '../../lib/core/metrics-catalog';
import { DCGM_METRICS } from './dcgm-metrics';

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
   * @default Severity.WARNING
   */
  readonly severity?: Severity;
  /** One-line summary annotation (may use `{{ $labels.app }}`). */
  readonly summary: string;
  /**
   * Longer description annotation.
   * @default - none
   */
  readonly description?: string;
}

/**
 * Alert thresholds: the shared vocabulary (p99 latency → `ServingStackHighLatencyP99`, 5xx rate →
 * `ServingStackHighErrorRate`, minutes at the HPA's maximum → `ServingStackAtMaxReplicas`) and the
 * on-prem extras; every one has a stated default.
 */
export interface AlertThresholds extends ServingThresholds {
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
  readonly rules: readonly RenderedRule[];
}

/**
 * The `route` label values that are not inference: the runtime's health and admin routes (from
 * the container contract), so probes, scrapes and feedback never count as traffic.
 */
export const NON_INFERENCE_ROUTES = [...new Set([...RuntimeContract.routesFor(RouteAccess.HEALTH), ...RuntimeContract.routesFor(RouteAccess.ADMIN)].map((r) => r.path))].sort().join('|');

/** Defaults of the on-prem extras. */
const EXTRA_DEFAULTS = {
  maxP95QueueSeconds: 0.5,
  maxGpuMemoryUsedPercent: 90,
  maxGpuTemperatureCelsius: 85,
};

const R = RUNTIME_METRICS;
const D = DCGM_METRICS;

export function renderRule(rule: AlertRule): RenderedRule {
  return {
    alert: rule.alert,
    expr: rule.expr,
    for: rule.forDuration ?? '5m',
    labels: { severity: (rule.severity ?? Severity.WARNING).name, source: 'servingstack' },
    annotations: { summary: rule.summary, ...(rule.description ? { description: rule.description } : {}) },
  };
}

/** The built-in rule groups (serving and GPU), plus `servingstack-extra` when extras are given. */
export function servingAlertRuleGroups(thresholds: AlertThresholds = {}, additional: readonly AlertRule[] = []): RenderedRuleGroup[] {
  const t = { ...EXTRA_DEFAULTS, ...stripUndefined(thresholds), ...Thresholds.resolveServing(thresholds) };
  const severity = (name: string): Severity => Thresholds.severityOf(ThresholdGroup.SERVING, name);
  const inference = `route!~"${NON_INFERENCE_ROUTES}"`;
  const p99Seconds = t.maxP99LatencyMillis / 1000;
  const serving: AlertRule[] = [
    {
      alert: 'ServingStackHighLatencyP99',
      expr: `histogram_quantile(0.99, sum by (namespace, app, le) (rate(${R.requestDuration.name}_bucket{${inference}}[5m]))) > ${p99Seconds}`,
      severity: severity('maxP99LatencyMillis'),
      summary: `p99 latency of {{ $labels.app }} is above ${t.maxP99LatencyMillis} ms`,
    },
    {
      alert: 'ServingStackHighErrorRate',
      expr: `100 * sum by (namespace, app) (rate(${R.requests.name}{${inference},status=~"5.."}[5m])) / sum by (namespace, app) (rate(${R.requests.name}{${inference}}[5m])) > ${t.maxErrorRatePercent}`,
      severity: severity('maxErrorRatePercent'),
      summary: `more than ${t.maxErrorRatePercent}% of {{ $labels.app }} requests fail with 5xx`,
    },
    {
      // kube-state-metrics (part of kube-prometheus-stack) exports the HPA's replicas; its
      // metricLabelsAllowlist (set by ServingMonitoring) exports the part-of label that keeps this to ours.
      alert: 'ServingStackAtMaxReplicas',
      expr: '(max by (namespace, horizontalpodautoscaler) (kube_horizontalpodautoscaler_status_current_replicas) >= max by (namespace, horizontalpodautoscaler) (kube_horizontalpodautoscaler_spec_max_replicas)) and on (namespace, horizontalpodautoscaler) kube_horizontalpodautoscaler_labels{label_app_kubernetes_io_part_of="servingstack"}',
      forDuration: `${t.maxMinutesAtMaxReplicas}m`,
      severity: severity('maxMinutesAtMaxReplicas'),
      summary: `{{ $labels.horizontalpodautoscaler }} has run at its maximum replicas for ${t.maxMinutesAtMaxReplicas} minutes: raise maxReplicas or add nodes`,
    },
    {
      alert: 'ServingStackRequestsRejected',
      expr: `sum by (namespace, app, reason) (rate(${R.rejected.name}{reason=~"queue_full|timeout"}[5m])) > 0`,
      forDuration: '10m',
      severity: Severity.WARNING,
      summary: '{{ $labels.app }} rejects requests ({{ $labels.reason }}): scale out or raise limits',
    },
    {
      alert: 'ServingStackQueueBacklog',
      expr: `histogram_quantile(0.95, sum by (namespace, app, le) (rate(${R.queueDuration.name}_bucket[5m]))) > ${t.maxP95QueueSeconds}`,
      severity: Severity.WARNING,
      summary: `p95 batching-queue wait of {{ $labels.app }} is above ${t.maxP95QueueSeconds}s`,
    },
    {
      alert: 'ServingStackModelNotReady',
      expr: `min by (namespace, app, pod) (${R.modelReady.name}) == 0`,
      forDuration: '10m',
      severity: Severity.CRITICAL,
      summary: '{{ $labels.pod }} has not had a ready model for 10 minutes',
    },
  ];
  const gpu: AlertRule[] = [
    {
      alert: 'ServingStackGpuMemoryHigh',
      expr: `100 * ${D.fbUsed} / (${D.fbUsed} + ${D.fbFree}) > ${t.maxGpuMemoryUsedPercent}`,
      forDuration: '10m',
      severity: Severity.WARNING,
      summary: `GPU {{ $labels.gpu }} on {{ $labels.Hostname }} uses more than ${t.maxGpuMemoryUsedPercent}% of its memory`,
    },
    {
      alert: 'ServingStackGpuXidError',
      expr: `${D.xidErrors} > 0`,
      forDuration: '0m',
      severity: Severity.CRITICAL,
      summary: 'GPU {{ $labels.gpu }} on {{ $labels.Hostname }} reported XID error {{ $value }}',
    },
    {
      alert: 'ServingStackGpuRowRemapFailure',
      expr: `${D.rowRemapFailure} > 0 or ${D.uncorrectableRemappedRows} > 0`,
      forDuration: '0m',
      severity: Severity.CRITICAL,
      summary: 'GPU {{ $labels.gpu }} on {{ $labels.Hostname }} has uncorrectable memory errors; drain the node',
    },
    {
      alert: 'ServingStackGpuHot',
      expr: `${D.gpuTemp} > ${t.maxGpuTemperatureCelsius}`,
      forDuration: '10m',
      severity: Severity.WARNING,
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

/** Thresholds of the opt-in model-quality rules: the shared vocabulary, plus a fixed PSI band. */
export interface OnPremModelQualityThresholds extends ModelQualityThresholds {
  /**
   * PSI at or above which `ServingStackFeatureDrift` fires on any feature, instead of counting
   * the features the runtime judged drifted.
   * @default - no fixed PSI band: the rule fires when `servingstack_drifted_features` reaches
   *   `maxDriftedFeatures` (the runtime judges each feature with the baseline's calibrated thresholds)
   */
  readonly maxPsi?: number;
}

/** Rules over the runtime's model-monitoring gauges (published only when monitoring is configured). */
export function modelQualityRuleGroup(thresholds: OnPremModelQualityThresholds = {}): RenderedRuleGroup {
  const t = Thresholds.resolveModelQuality(thresholds);
  const severity = (name: string): Severity => Thresholds.severityOf(ThresholdGroup.MODEL_QUALITY, name);
  const psi = thresholds.maxPsi;
  const rules: AlertRule[] = [
    psi === undefined
      ? {
          alert: 'ServingStackFeatureDrift',
          expr: `max by (namespace, app, model) (${R.driftedFeatures.name}) >= ${t.maxDriftedFeatures}`,
          forDuration: '0m',
          severity: severity('maxDriftedFeatures'),
          summary: '{{ $value }} features of {{ $labels.app }} drifted from the baseline (calibrated thresholds)',
        }
      : {
          alert: 'ServingStackFeatureDrift',
          expr: `max by (namespace, app, model, feature) (${R.driftPsi.name}) >= ${psi}`,
          forDuration: '0m',
          severity: severity('maxDriftedFeatures'),
          summary: `feature {{ $labels.feature }} of {{ $labels.app }} drifted (PSI ≥ ${psi})`,
        },
    {
      alert: 'ServingStackDisparateImpact',
      expr: `min by (namespace, app, model) (${R.fairnessDisparateImpactRatio.name}) < ${t.minDisparateImpactRatio}`,
      forDuration: '0m',
      severity: severity('minDisparateImpactRatio'),
      summary: `disparate impact ratio of {{ $labels.app }} is below ${t.minDisparateImpactRatio}`,
    },
    {
      alert: 'ServingStackDemographicParity',
      expr: `max by (namespace, app, model) (${R.fairnessDemographicParityDifference.name}) >= ${t.maxDemographicParityDifference}`,
      forDuration: '0m',
      severity: severity('maxDemographicParityDifference'),
      summary: `demographic parity difference of {{ $labels.app }} is at or above ${t.maxDemographicParityDifference}`,
    },
    {
      alert: 'ServingStackAccuracyLow',
      expr: `min by (namespace, app, model) (${R.modelAccuracy.name}) < ${t.minAccuracy}`,
      forDuration: '15m',
      severity: severity('minAccuracy'),
      summary: `rolling accuracy of {{ $labels.app }} is below ${t.minAccuracy}`,
    },
    {
      alert: 'ServingStackConceptDrift',
      expr: `sum by (namespace, app, model) (increase(${R.conceptDrift.name}[15m])) >= ${t.maxConceptDriftDetectionsPer15Minutes}`,
      forDuration: '0m',
      severity: severity('maxConceptDriftDetectionsPer15Minutes'),
      summary: 'a change detector on the error stream of {{ $labels.app }} fired ({{ $value }} detections in 15 minutes)',
    },
  ];
  return { name: 'servingstack-model-monitoring', rules: rules.map(renderRule) };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
