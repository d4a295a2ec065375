/**
 * Monitoring for on-prem serving: kube-prometheus-stack (or an existing Prometheus) scraping
 * the serving pods and DCGM, alert rules, and the Grafana dashboard as a sidecar ConfigMap.
 * Everything goes through Helm values and core ConfigMaps, so no custom resource has to exist
 * at plan time (`kubernetes_manifest` would need the CRDs during planning).
 */
import { Construct } from 'constructs';
import { ThresholdGroup, Thresholds } from '../../lib/core/contract/thresholds';
import { ConfigMapV1, Fn, HelmRelease, NamespaceV1, SecretV1 } from './private/binding';
import { AlertRoutingOptions, checkAlertRouting, ExtraRoute, renderAlertmanagerConfig } from './alert-routing';
import { AlertRule, AlertThresholds, OnPremModelQualityThresholds, RenderedRuleGroup, modelQualityRuleGroup, servingAlertRuleGroups } from './alert-rules';
import { servingDashboard } from './grafana-dashboard';
import { OnPremServingStack } from './onprem-serving-stack';
import { randomToken } from './private/tokens';
import { deepMerge, helmValues } from './private/helm';
import { Checker, ONPREM_ERRORS } from './private/checker';
import { servingScrapeConfig } from './scrape-config';

export const KUBE_PROMETHEUS_STACK_REPOSITORY = 'https://prometheus-community.github.io/helm-charts';
export const KUBE_PROMETHEUS_STACK_VERSION = '88.5.3';
/** The Secret holding the serving scrape token, in the monitoring namespace. */
export const SCRAPE_TOKEN_SECRET = 'servingstack-scrape-token';
const SCRAPE_TOKEN_KEY = 'token';
/** Where kube-prometheus-stack mounts `prometheusSpec.secrets`. */
const PROMETHEUS_SECRETS_DIR = '/etc/prometheus/secrets';

export interface ServingMonitoringProps {
  /**
   * Install kube-prometheus-stack. `false` targets an existing Prometheus: the scrape job and
   * rules are then written to the ConfigMap `servingstack-prometheus` for it to load.
   * @default true
   */
  readonly installPrometheusStack?: boolean;
  /**
   * Monitoring namespace (created when the stack is installed).
   * @default 'monitoring'
   */
  readonly namespace?: string;
  /**
   * Helm release name (also the chart's fullname, ≤ 26 characters).
   * @default 'kube-prometheus-stack'
   */
  readonly releaseName?: string;
  /**
   * kube-prometheus-stack chart version.
   * @default '88.5.3'
   */
  readonly chartVersion?: string;
  /**
   * Namespaces whose pods the serving scrape job discovers.
   * @default - all namespaces (pods still opt in by annotation)
   */
  readonly scrapeNamespaces?: readonly string[];
  /**
   * Scrape interval of the serving job.
   * @default '15s'
   */
  readonly scrapeInterval?: string;
  /**
   * Prometheus retention.
   * @default '15d'
   */
  readonly retention?: string;
  /**
   * Alert thresholds (the shared vocabulary, docs/monitoring.md, and the on-prem extras).
   * @default - see AlertThresholds
   */
  readonly thresholds?: AlertThresholds;
  /**
   * Add the model-quality rules (feature drift, fairness, rolling accuracy, concept drift) as
   * group `servingstack-model-monitoring`. Turn on when the runtime is configured to monitor.
   * @default false
   */
  readonly modelQualityAlerts?: boolean;
  /**
   * Thresholds of the model-quality rules (the shared vocabulary, plus an optional PSI band).
   * @default - the vocabulary's defaults
   */
  readonly modelQualityThresholds?: OnPremModelQualityThresholds;
  /**
   * Extra alert rules, appended unchanged as group `servingstack-extra`: the seam for alerts
   * this package does not build (custom drift detectors, business metrics).
   * @default - none
   */
  readonly additionalAlertRules?: readonly AlertRule[];
  /**
   * Existing Secret with Grafana's admin credentials (keys `admin-user`, `admin-password`);
   * the chart's well-known default password is never used.
   * @default 'grafana-admin'
   */
  readonly grafanaAdminSecretName?: string;
  /**
   * Where alerts go: Alertmanager receivers (webhook, Slack, PagerDuty, e-mail; secrets from
   * Kubernetes Secrets of the monitoring namespace) and routes by severity.
   * @default - the chart's default: alerts reach Alertmanager and go nowhere
   */
  readonly alertRouting?: AlertRoutingOptions;
  /**
   * In-cluster URL of a retraining webhook (`RetrainingJobTrigger.webhookUrl`): every firing
   * model-quality alert (drift, accuracy, concept drift, fairness) is also sent there. Needs
   * `modelQualityAlerts`.
   * @default - no retraining
   */
  readonly retrainingWebhookUrl?: string;
  /**
   * Extra kube-prometheus-stack values, deep-merged last.
   * @default - none
   */
  readonly extraValues?: { readonly [key: string]: unknown };
}

const DURATION = /^(0|([0-9]+(ms|s|m|h|d|w|y))+)$/;

export class ServingMonitoring extends Construct {
  public readonly namespace: string;
  public readonly releaseName: string;
  /** In-cluster URL of Prometheus (for prometheus-adapter and the rollout command). */
  public readonly prometheusUrl: string;
  /** The kube-prometheus-stack release, when installed. */
  public readonly release?: HelmRelease;
  public readonly dashboardConfigMap: ConfigMapV1;
  /** The rule groups as rendered (for tests and for an existing Prometheus). */
  public readonly ruleGroups: readonly RenderedRuleGroup[];
  /**
   * The Secret (in the monitoring namespace, key `token`) holding the token Prometheus sends when
   * it scrapes the serving pods; ModelServers given this monitoring use it as their admin token.
   */
  public readonly scrapeTokenSecret: SecretV1;
  /** The serving scrape job as rendered. */
  public readonly scrapeConfig: Record<string, unknown>;
  /** The Alertmanager configuration and the Secrets it reads, when alertRouting or retraining is set. */
  public readonly alertmanager?: { readonly config: Record<string, unknown>; readonly secrets: readonly string[] };

  constructor(scope: Construct, id: string, props: ServingMonitoringProps = {}) {
    super(scope, id);
    const stack = OnPremServingStack.of(this);
    const install = props.installPrometheusStack ?? true;
    this.namespace = props.namespace ?? 'monitoring';
    this.releaseName = props.releaseName ?? 'kube-prometheus-stack';
    const checker = new Checker(this, ONPREM_ERRORS.MONITORING, 'ServingMonitoring');
    checker.dnsLabel('namespace', this.namespace);
    checker.check(/^[a-z]([-a-z0-9]{0,24}[a-z0-9])?$/.test(this.releaseName), { field: 'releaseName', message: 'is not a valid release name for this chart', received: this.releaseName, allowed: 'a DNS label of at most 26 characters (the chart truncates its fullname to 26)' });
    for (const [field, v] of [['scrapeInterval', props.scrapeInterval], ['retention', props.retention]] as const) {
      if (v !== undefined) checker.check(DURATION.test(v), { field, message: 'is not a Prometheus duration', received: v, allowed: 'e.g. 15s, 1m, 15d' });
    }
    (props.scrapeNamespaces ?? []).forEach((n, i) => checker.dnsLabel(`scrapeNamespaces[${i}]`, n));
    const t = props.thresholds ?? {};
    for (const issue of Thresholds.validate(ThresholdGroup.SERVING, t, 'thresholds', (v) => checker.isUnresolved(v))) checker.add(issue);
    checker.numberRange('thresholds.maxP95QueueSeconds', t.maxP95QueueSeconds, 0.001, 600, 's');
    checker.numberRange('thresholds.maxGpuMemoryUsedPercent', t.maxGpuMemoryUsedPercent, 1, 100, '%');
    checker.numberRange('thresholds.maxGpuTemperatureCelsius', t.maxGpuTemperatureCelsius, 30, 120, '°C');
    const seen = new Set<string>();
    (props.additionalAlertRules ?? []).forEach((r, i) => {
      checker.check(/^[A-Za-z_][A-Za-z0-9_]*$/.test(r.alert ?? ''), { field: `additionalAlertRules[${i}].alert`, message: 'is not a valid alert name', received: r.alert, allowed: 'letters, digits and _, not starting with a digit' });
      checker.check(!seen.has(r.alert), { field: `additionalAlertRules[${i}].alert`, message: 'repeats an alert name', received: r.alert, allowed: 'unique names' });
      seen.add(r.alert);
      checker.check(typeof r.expr === 'string' && r.expr.trim() !== '', { field: `additionalAlertRules[${i}].expr`, message: 'is empty', received: r.expr, allowed: 'a PromQL expression' });
      if (r.forDuration !== undefined) checker.check(DURATION.test(r.forDuration), { field: `additionalAlertRules[${i}].forDuration`, message: 'is not a Prometheus duration', received: r.forDuration, allowed: 'e.g. 0m, 5m, 1h' });
    });
    const mm = props.modelQualityThresholds ?? {};
    checker.numberRange('modelQualityThresholds.maxPsi', mm.maxPsi, 0.001, 10);
    for (const issue of Thresholds.validate(ThresholdGroup.MODEL_QUALITY, mm, 'modelQualityThresholds', (v) => checker.isUnresolved(v))) checker.add(issue);
    if (props.grafanaAdminSecretName !== undefined) checker.dnsLabel('grafanaAdminSecretName', props.grafanaAdminSecretName);
    if (props.alertRouting) checkAlertRouting(checker, 'alertRouting', props.alertRouting);
    if (props.retrainingWebhookUrl !== undefined) {
      checker.pattern('retrainingWebhookUrl', props.retrainingWebhookUrl, /^https?:\/\/[a-z0-9.-]+(:[0-9]{1,5})?(\/\S*)?$/, 'an http(s) URL, e.g. RetrainingJobTrigger.webhookUrl');
      checker.check(props.modelQualityAlerts === true, { field: 'retrainingWebhookUrl', message: 'needs the model-quality alerts that trigger it', received: props.retrainingWebhookUrl, allowed: 'modelQualityAlerts: true' });
    }
    checker.throwIfAny();

    this.prometheusUrl = `http://${this.releaseName}-prometheus.${this.namespace}.svc:9090`;
    const groups = servingAlertRuleGroups(t, props.additionalAlertRules ?? []);
    if (props.modelQualityAlerts) groups.splice(2, 0, modelQualityRuleGroup(props.modelQualityThresholds));
    this.ruleGroups = groups;
    const extra: ExtraRoute[] = [];
    if (props.retrainingWebhookUrl !== undefined) {
      const names = [...new Set(modelQualityRuleGroup(props.modelQualityThresholds).rules.map((r) => r.alert))];
      extra.push({
        receiver: { name: 'servingstack-retraining', webhook_configs: [{ url: props.retrainingWebhookUrl, send_resolved: false }] },
        matchers: [`alertname=~"${names.join('|')}"`],
      });
    }
    this.alertmanager = props.alertRouting || extra.length > 0 ? renderAlertmanagerConfig(props.alertRouting ?? { receivers: [], routes: [] }, extra) : undefined;
    this.scrapeConfig = servingScrapeConfig(props.scrapeNamespaces ?? [], props.scrapeInterval ?? '15s', `${PROMETHEUS_SECRETS_DIR}/${SCRAPE_TOKEN_SECRET}/${SCRAPE_TOKEN_KEY}`);
    const provider = stack.kubernetesProvider;

    let namespaceDependency: NamespaceV1[] = [];
    if (install) {
      const ns = new NamespaceV1(this, 'Namespace', {
        provider,
        // node-exporter needs host namespaces, so this namespace cannot be `restricted`.
        metadata: { name: this.namespace, labels: { 'app.kubernetes.io/part-of': 'servingstack', 'pod-security.kubernetes.io/enforce': 'privileged' } },
      });
      namespaceDependency = [ns];
      this.scrapeTokenSecret = this.createScrapeToken([ns]);
      const noHelmSelectors = Object.fromEntries(
        ['serviceMonitor', 'podMonitor', 'rule', 'probe', 'scrapeConfig'].map((k) => [`${k}SelectorNilUsesHelmValues`, false]),
      );
      const values = deepMerge(
        {
          fullnameOverride: this.releaseName,
          prometheus: {
            prometheusSpec: {
              ...noHelmSelectors,
              retention: props.retention ?? '15d',
              additionalScrapeConfigs: [this.scrapeConfig],
              // Mounted at /etc/prometheus/secrets/<name>/: the serving job's bearer token.
              secrets: [SCRAPE_TOKEN_SECRET],
            },
          },
          // ServingStackAtMaxReplicas keeps to our HPAs by their part-of label.
          'kube-state-metrics': { metricLabelsAllowlist: ['horizontalpodautoscalers=[app.kubernetes.io/part-of]'] },
          additionalPrometheusRulesMap: { servingstack: { groups: this.ruleGroups } },
          ...(this.alertmanager
            ? { alertmanager: { config: this.alertmanager.config, alertmanagerSpec: { secrets: [...this.alertmanager.secrets] } } }
            : {}),
          grafana: {
            admin: { existingSecret: props.grafanaAdminSecretName ?? 'grafana-admin', userKey: 'admin-user', passwordKey: 'admin-password' },
            sidecar: { dashboards: { enabled: true, label: 'grafana_dashboard', labelValue: '1', searchNamespace: 'ALL' } },
          },
        },
        props.extraValues ?? {},
      );
      this.release = new HelmRelease(this, 'Resource', {
        provider: stack.helmProvider,
        dependsOn: [ns, this.scrapeTokenSecret],
        name: this.releaseName,
        namespace: this.namespace,
        repository: KUBE_PROMETHEUS_STACK_REPOSITORY,
        chart: 'kube-prometheus-stack',
        version: props.chartVersion ?? KUBE_PROMETHEUS_STACK_VERSION,
        atomic: true,
        cleanupOnFail: true,
        timeout: 900,
        values: helmValues(values),
      });
    } else {
      this.scrapeTokenSecret = this.createScrapeToken([]);
      new ConfigMapV1(this, 'PrometheusConfig', {
        provider,
        metadata: { name: 'servingstack-prometheus', namespace: this.namespace, labels: { 'app.kubernetes.io/part-of': 'servingstack' } },
        data: {
          'scrape-configs.yaml': JSON.stringify([this.scrapeConfig], null, 2),
          'alert-rules.yaml': JSON.stringify({ groups: this.ruleGroups }, null, 2),
          ...(this.alertmanager ? { 'alertmanager.yaml': JSON.stringify(this.alertmanager.config, null, 2) } : {}),
        },
      });
    }

    this.dashboardConfigMap = new ConfigMapV1(this, 'Dashboard', {
      provider,
      dependsOn: namespaceDependency,
      metadata: {
        name: 'servingstack-dashboard',
        namespace: this.namespace,
        labels: { grafana_dashboard: '1', 'app.kubernetes.io/part-of': 'servingstack' },
      },
      data: { 'servingstack-onprem.json': JSON.stringify(servingDashboard(), null, 2) },
    });
  }

  /**
   * The token Prometheus sends when it scrapes `/metrics` (an admin route of the runtime), as a
   * Terraform expression: give it to a ModelServer as its admin token (`monitoring` prop).
   */
  public get scrapeToken(): string {
    return Fn.lookup(this.scrapeTokenSecret.data, SCRAPE_TOKEN_KEY, '');
  }

  private createScrapeToken(dependsOn: NamespaceV1[]): SecretV1 {
    return new SecretV1(this, 'ScrapeToken', {
      provider: OnPremServingStack.of(this).kubernetesProvider,
      dependsOn,
      metadata: { name: SCRAPE_TOKEN_SECRET, namespace: this.namespace, labels: { 'app.kubernetes.io/part-of': 'servingstack' } },
      type: 'Opaque',
      data: { [SCRAPE_TOKEN_KEY]: randomToken() },
      // uuid() changes at every plan: the token made at creation stays.
      lifecycle: { ignoreChanges: ['data'] },
    });
  }
}
