import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import { Severity } from '../../../lib/core/contract/severity';
import { RUNTIME_METRICS } from '../../../lib/core/metrics-catalog';
import { GpuOperator, ModelServer, ModelSource, OnPremErrorCodes, PrometheusAdapter, ServingContainer, ServingMonitoring, ServingNamespace } from '../../../constructs/onprem';
import { modelQualityRuleGroup, servingAlertRuleGroups } from '../../../constructs/onprem/alert-rules';
import { DCGM_METRICS } from '../../../constructs/onprem/dcgm-metrics';
import { DASHBOARD_METRICS, servingDashboard } from '../../../constructs/onprem/grafana-dashboard';
import { healthQueries } from '../../../constructs/onprem/rollout/executor';
import { Json, TerraformTemplate } from '../../support/terraform-template';
import { issueFor, issuesOf } from '../../support/errors';
import { newStack } from '../../support/onprem';

const SCHEMAS = path.join(__dirname, '..', '..', 'fixtures', 'k8s-schemas');
const ajv = new Ajv({ allErrors: true, strict: false });
const validator = (file: string) => ajv.compile(JSON.parse(fs.readFileSync(path.join(SCHEMAS, file), 'utf8')));
const validateConfigMap = validator('configmap-v1.schema.json');
const validateRuleSpec = validator('prometheusrule-spec.schema.json');
const validateScrapeConfig = validator('scrape-config.schema.json');
const validateDashboard = validator('grafana-dashboard.schema.json');

/** A synthesized kubernetes_config_map_v1 as the Kubernetes object it creates. */
function asConfigMap(resource: Json): Json {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: resource.metadata, data: resource.data };
}

function synthMonitoring(props: ConstructorParameters<typeof ServingMonitoring>[2] = {}): { synth: TerraformTemplate; monitoring: ServingMonitoring } {
  const stack = newStack();
  const monitoring = new ServingMonitoring(stack, 'Monitoring', props);
  return { synth: TerraformTemplate.synth(stack), monitoring };
}

describe('ServingMonitoring: kube-prometheus-stack', () => {
  test('installs the chart in its own privileged namespace, pinned', () => {
    const { synth } = synthMonitoring();
    const release = synth.resource('helm_release', 'kube-prometheus-stack');
    expect(release).toMatchObject({ namespace: 'monitoring', repository: 'https://prometheus-community.github.io/helm-charts', chart: 'kube-prometheus-stack', version: '88.5.3', atomic: true, provider: 'helm' });
    expect(synth.resource('kubernetes_namespace_v1', 'monitoring').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
  });

  test('selects every ServiceMonitor/PodMonitor/rule, not only those labelled with the release', () => {
    const spec = synthMonitoring().synth.helmValues('kube-prometheus-stack').prometheus.prometheusSpec;
    for (const k of ['serviceMonitor', 'podMonitor', 'rule', 'probe', 'scrapeConfig']) expect(spec[`${k}SelectorNilUsesHelmValues`]).toBe(false);
    expect(spec.retention).toBe('15d');
  });

  test('scrapes serving pods through a plain scrape job (no CRD at plan time), with the labels dashboards use', () => {
    const values = synthMonitoring({ scrapeNamespaces: ['serving'] }).synth.helmValues('kube-prometheus-stack');
    const [job] = values.prometheus.prometheusSpec.additionalScrapeConfigs;
    expect(validateScrapeConfig(job)).toBe(true);
    expect(job.kubernetes_sd_configs).toEqual([{ role: 'pod', namespaces: { names: ['serving'] } }]);
    expect(job.relabel_configs[0]).toEqual({ source_labels: ['__meta_kubernetes_pod_annotation_servingstack_io_scrape'], regex: 'true', action: 'keep' });
    expect(job.relabel_configs.map((r: Json) => r.target_label).filter(Boolean)).toEqual(['__metrics_path__', '__address__', 'namespace', 'pod', 'app', 'track', 'model_version']);
  });

  test('scrapes with the generated scrape token: a Secret in the monitoring namespace, mounted into Prometheus, made at apply time', () => {
    const { synth } = synthMonitoring();
    const values = synth.helmValues('kube-prometheus-stack');
    expect(values.prometheus.prometheusSpec.secrets).toEqual(['servingstack-scrape-token']);
    expect(values.prometheus.prometheusSpec.additionalScrapeConfigs[0].authorization).toEqual({ type: 'Bearer', credentials_file: '/etc/prometheus/secrets/servingstack-scrape-token/token' });
    const secret = synth.resource('kubernetes_secret_v1', 'servingstack-scrape-token');
    expect(secret).toMatchObject({ metadata: { namespace: 'monitoring' }, type: 'Opaque', lifecycle: { ignore_changes: ['data'] } });
    // The synthesized JSON holds the expression, never a token.
    expect(secret.data.token).toBe('${join("", [replace(uuid(), "-", ""), replace(uuid(), "-", "")])}');
    expect(synth.resource('helm_release', 'kube-prometheus-stack').depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^kubernetes_secret_v1\./)]));
  });

  test('alert rules go in additionalPrometheusRulesMap and satisfy the PrometheusRule spec schema', () => {
    const values = synthMonitoring().synth.helmValues('kube-prometheus-stack');
    const spec = values.additionalPrometheusRulesMap.servingstack;
    expect(validateRuleSpec(spec)).toBe(true);
    expect(spec.groups.map((g: Json) => g.name)).toEqual(['servingstack-serving', 'servingstack-gpu']);
    expect(spec.groups.flatMap((g: Json) => g.rules.map((r: Json) => r.alert))).toEqual([
      'ServingStackHighLatencyP99', 'ServingStackHighErrorRate', 'ServingStackAtMaxReplicas', 'ServingStackRequestsRejected', 'ServingStackQueueBacklog', 'ServingStackModelNotReady',
      'ServingStackGpuMemoryHigh', 'ServingStackGpuXidError', 'ServingStackGpuRowRemapFailure', 'ServingStackGpuHot',
    ]);
  });

  test('Grafana: dashboards sidecar on, admin from an existing Secret (never the chart default password)', () => {
    const grafana = synthMonitoring().synth.helmValues('kube-prometheus-stack').grafana;
    expect(grafana.sidecar.dashboards).toEqual({ enabled: true, label: 'grafana_dashboard', labelValue: '1', searchNamespace: 'ALL' });
    expect(grafana.admin).toEqual({ existingSecret: 'grafana-admin', userKey: 'admin-user', passwordKey: 'admin-password' });
  });

  test('the dashboard ConfigMap carries the sidecar label and a valid dashboard', () => {
    const { synth } = synthMonitoring();
    const cm = synth.resource('kubernetes_config_map_v1', 'servingstack-dashboard');
    expect(validateConfigMap(asConfigMap(cm))).toBe(true);
    expect(cm.metadata.labels.grafana_dashboard).toBe('1');
    const dashboard = JSON.parse(cm.data['servingstack-onprem.json']);
    expect(validateDashboard(dashboard)).toBe(true);
    expect(dashboard.uid).toBe('servingstack-onprem');
  });

  test('thresholds are stated in the rules', () => {
    const values = synthMonitoring({ thresholds: { maxP99LatencyMillis: 250, maxErrorRatePercent: 2, maxGpuMemoryUsedPercent: 80, maxMinutesAtMaxReplicas: 20 } }).synth.helmValues('kube-prometheus-stack');
    const rules = values.additionalPrometheusRulesMap.servingstack.groups.flatMap((g: Json) => g.rules);
    const byName = (n: string): Json => rules.find((r: Json) => r.alert === n);
    expect(byName('ServingStackHighLatencyP99').expr).toMatch(/\) > 0\.25$/);
    expect(byName('ServingStackHighErrorRate').expr).toMatch(/ > 2$/);
    expect(byName('ServingStackHighErrorRate').labels).toEqual({ severity: 'critical', source: 'servingstack' });
    expect(byName('ServingStackGpuMemoryHigh').expr).toBe('100 * DCGM_FI_DEV_FB_USED / (DCGM_FI_DEV_FB_USED + DCGM_FI_DEV_FB_FREE) > 80');
    expect(byName('ServingStackAtMaxReplicas')).toMatchObject({ for: '20m', labels: { severity: 'warning' } });
    expect(byName('ServingStackAtMaxReplicas').expr).toContain('kube_horizontalpodautoscaler_labels{label_app_kubernetes_io_part_of="servingstack"}');
    // kube-state-metrics exports the label the rule keys on
    expect(values['kube-state-metrics']).toEqual({ metricLabelsAllowlist: ['horizontalpodautoscalers=[app.kubernetes.io/part-of]'] });
  });

  test('the shared defaults: p99 above 1000 ms (1 s of the histogram), 5 % errors, 15 minutes at the ceiling', () => {
    const rules = servingAlertRuleGroups().flatMap((g) => g.rules);
    const byName = (n: string) => rules.find((r) => r.alert === n)!;
    expect(byName('ServingStackHighLatencyP99').expr).toMatch(/\) > 1$/);
    expect(byName('ServingStackHighErrorRate').expr).toMatch(/ > 5$/);
    expect(byName('ServingStackAtMaxReplicas').for).toBe('15m');
  });

  test('model-quality rules (drift, fairness, accuracy, concept drift) are opt-in, from the catalogue and the shared thresholds', () => {
    expect(synthMonitoring().synth.helmValues('kube-prometheus-stack').additionalPrometheusRulesMap.servingstack.groups).toHaveLength(2);
    const values = synthMonitoring({ modelQualityAlerts: true, modelQualityThresholds: { minAccuracy: 0.95 } }).synth.helmValues('kube-prometheus-stack');
    const spec = values.additionalPrometheusRulesMap.servingstack;
    expect(validateRuleSpec(spec)).toBe(true);
    const group = spec.groups[2];
    expect(group.name).toBe('servingstack-model-monitoring');
    // Drift by default: the runtime's own verdict (calibrated thresholds from the baseline).
    expect(group.rules.map((r: Json) => r.expr)).toEqual([
      'max by (namespace, app, model) (servingstack_drifted_features) >= 1',
      'min by (namespace, app, model) (servingstack_fairness_disparate_impact_ratio) < 0.8',
      'max by (namespace, app, model) (servingstack_fairness_demographic_parity_difference) >= 0.1',
      'min by (namespace, app, model) (servingstack_model_accuracy) < 0.95',
      'sum by (namespace, app, model) (increase(servingstack_concept_drift_detections_total[15m])) >= 1',
    ]);
    // Severities from the vocabulary: accuracy pages.
    expect(group.rules.map((r: Json) => [r.alert, r.labels.severity])).toEqual([
      ['ServingStackFeatureDrift', 'warning'], ['ServingStackDisparateImpact', 'warning'], ['ServingStackDemographicParity', 'warning'], ['ServingStackAccuracyLow', 'critical'], ['ServingStackConceptDrift', 'warning'],
    ]);
    // A fixed PSI band only when asked for.
    const fixed = synthMonitoring({ modelQualityAlerts: true, modelQualityThresholds: { maxPsi: 0.3 } }).synth.helmValues('kube-prometheus-stack');
    expect(fixed.additionalPrometheusRulesMap.servingstack.groups[2].rules[0].expr).toBe('max by (namespace, app, model, feature) (servingstack_drift_psi) >= 0.3');
  });

  test('drift seam: additional alert rules are appended unchanged in their own group', () => {
    const values = synthMonitoring({
      additionalAlertRules: [{ alert: 'ServingStackFeatureDrift', expr: 'vector(1) > 0', forDuration: '30m', severity: Severity.INFO, summary: 'drift placeholder' }],
    }).synth.helmValues('kube-prometheus-stack');
    const groups = values.additionalPrometheusRulesMap.servingstack.groups;
    expect(groups[2]).toEqual({ name: 'servingstack-extra', rules: [{ alert: 'ServingStackFeatureDrift', expr: 'vector(1) > 0', for: '30m', labels: { severity: 'info', source: 'servingstack' }, annotations: { summary: 'drift placeholder' } }] });
    expect(validateRuleSpec(values.additionalPrometheusRulesMap.servingstack)).toBe(true);
  });

  test('existing Prometheus: no chart, the scrape job and rules in a ConfigMap to load', () => {
    const { synth, monitoring } = synthMonitoring({ installPrometheusStack: false, namespace: 'observability' });
    expect(synth.resources('helm_release')).toEqual([]);
    expect(synth.resources('kubernetes_namespace_v1')).toEqual([]);
    const cm = synth.resource('kubernetes_config_map_v1', 'servingstack-prometheus');
    expect(validateConfigMap(asConfigMap(cm))).toBe(true);
    expect(cm.metadata.namespace).toBe('observability');
    expect(JSON.parse(cm.data['scrape-configs.yaml'])).toEqual([monitoring.scrapeConfig]);
    expect(validateRuleSpec(JSON.parse(cm.data['alert-rules.yaml']))).toBe(true);
    expect(synth.resource('kubernetes_config_map_v1', 'servingstack-dashboard').metadata.namespace).toBe('observability');
  });

  test('bad input: durations, thresholds, duplicate extra alerts, all at once', () => {
    const issues = issuesOf(
      () =>
        synthMonitoring({
          retention: '15 days',
          thresholds: { maxErrorRatePercent: 150 },
          releaseName: 'a-very-long-release-name-for-prometheus',
          additionalAlertRules: [
            { alert: 'Drift', expr: 'x > 1', summary: 's' },
            { alert: 'Drift', expr: '', summary: 's', forDuration: 'soon' },
          ],
        }),
      OnPremErrorCodes.MONITORING,
    );
    expect(issues.map((i) => i.field)).toEqual([
      'releaseName', 'retention', 'thresholds.maxErrorRatePercent', 'additionalAlertRules[1].alert', 'additionalAlertRules[1].expr', 'additionalAlertRules[1].forDuration',
    ]);
    expect(issueFor(issues, 'retention').received).toBe('15 days');
  });
});

describe('the schemas reject what Kubernetes/Prometheus would', () => {
  test('a rule with a prose duration, a ConfigMap with a non-string value, a relabel without target', () => {
    expect(validateRuleSpec({ groups: [{ name: 'g', rules: [{ alert: 'A', expr: 'up == 0', for: '5 minutes' }] }] })).toBe(false);
    expect(validateConfigMap({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { n: 1 } })).toBe(false);
    expect(validateConfigMap({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'X_Y' } })).toBe(false);
    expect(validateScrapeConfig({ job_name: 'j', relabel_configs: [{ source_labels: ['a'], action: 'replace' }] })).toBe(false);
  });
});

describe('one source of truth for metric names', () => {
  const histogramSuffixes = ['_bucket', '_sum', '_count'];
  const runtimeNames = new Set<string>(
    Object.values(RUNTIME_METRICS).flatMap((m) => (m.kind === 'histogram' ? histogramSuffixes.map((s) => `${m.name}${s}`) : [m.name])),
  );
  const dcgmNames = new Set<string>(Object.values(DCGM_METRICS));
  const referenced = (text: string): string[] => [...new Set(text.match(/\b(servingstack_[a-z0-9_]+|DCGM_[A-Z0-9_]+)\b/g) ?? [])];

  function everything(): { name: string; text: string }[] {
    const stack = newStack();
    const monitoring = new ServingMonitoring(stack, 'Monitoring', { modelQualityAlerts: true });
    new GpuOperator(stack, 'Gpu', { monitoring });
    new PrometheusAdapter(stack, 'Adapter', { monitoring });
    const ns = new ServingNamespace(stack, 'Ns');
    new ModelServer(stack, 'Srv', { namespace: ns, container: ServingContainer.servingStackRuntime('r/rt:1'), model: ModelSource.fromS3('s3://models/x/'), autoscaling: {} });
    const synth = TerraformTemplate.synth(stack);
    const values = synth.helmValues('kube-prometheus-stack');
    return [
      { name: 'alert rules', text: JSON.stringify(values.additionalPrometheusRulesMap) },
      { name: 'dashboard', text: synth.resource('kubernetes_config_map_v1', 'servingstack-dashboard').data['servingstack-onprem.json'] },
      { name: 'prometheus-adapter rules', text: JSON.stringify(synth.helmValues('prometheus-adapter').rules) },
      { name: 'HPA', text: JSON.stringify(synth.resource('kubernetes_horizontal_pod_autoscaler_v2', 'srv').spec.metric) },
      { name: 'rollout health queries', text: JSON.stringify(healthQueries('serving', 'srv', 'canary')) },
    ];
  }

  test('every metric referenced by the dashboard, alerts, adapter, HPA and rollout gates exists in RUNTIME_METRICS or DCGM', () => {
    for (const { name, text } of everything()) {
      const names = referenced(text);
      expect({ name, count: names.length > 0 }).toEqual({ name, count: true });
      const unknown = names.filter((n) => !runtimeNames.has(n) && !dcgmNames.has(n));
      expect({ name, unknown }).toEqual({ name, unknown: [] });
    }
  });

  test('the dashboard shows every serving metric it declares, and declares every serving-path metric', () => {
    const text = JSON.stringify(servingDashboard());
    const missing = DASHBOARD_METRICS.map((k) => RUNTIME_METRICS[k].name).filter((n) => !text.includes(n));
    expect(missing).toEqual([]);
    expect([...DASHBOARD_METRICS].sort()).toEqual(
      ['requests', 'requestDuration', 'queueDuration', 'computeDuration', 'batchSize', 'inferenceRows', 'rejected', 'queueDepth', 'inflight', 'modelLoadDuration', 'modelReady'].sort(),
    );
  });

  test('HPA custom metrics are exactly what prometheus-adapter serves', () => {
    const stack = newStack();
    const adapter = new PrometheusAdapter(stack, 'Adapter', { prometheusUrl: 'http://prometheus.obs.svc:9090' });
    const served = (adapter.values.rules as Json).custom.map((r: Json) => r.seriesQuery.split('{')[0]);
    const ns = new ServingNamespace(stack, 'Ns');
    new ModelServer(stack, 'Srv', { namespace: ns, container: ServingContainer.servingStackRuntime('r/rt:1'), model: ModelSource.fromS3('s3://models/x/'), autoscaling: {} });
    const hpa = TerraformTemplate.synth(stack).resource('kubernetes_horizontal_pod_autoscaler_v2', 'srv');
    const used = hpa.spec.metric.filter((m: Json) => m.type === 'Pods').map((m: Json) => m.pods.metric.name);
    expect(used.sort()).toEqual([...served].sort());
  });

  test('runtime-metric rules group only by labels the scrape job or the metric provides', () => {
    const stack = newStack();
    const monitoring = new ServingMonitoring(stack, 'M');
    const targetLabels = (monitoring.scrapeConfig.relabel_configs as Json[]).map((r) => r.target_label).filter((l: string) => l && !l.startsWith('__'));
    for (const group of [...servingAlertRuleGroups(), modelQualityRuleGroup()]) {
      for (const rule of group.rules) {
        const metric = Object.values(RUNTIME_METRICS).find((m) => rule.expr.includes(m.name));
        if (!metric) continue;
        const byLabels = [...rule.expr.matchAll(/by \(([^)]*)\)/g)].flatMap((m) => m[1]!.split(',').map((s) => s.trim()));
        const allowed = new Set<string>([...targetLabels, ...metric.labels, 'le']);
        expect({ alert: rule.alert, unknown: byLabels.filter((l) => !allowed.has(l)) }).toEqual({ alert: rule.alert, unknown: [] });
      }
    }
  });
});
