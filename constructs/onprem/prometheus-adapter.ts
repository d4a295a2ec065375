/**
 * prometheus-adapter: serves the runtime's per-pod queue and in-flight gauges on
 * `custom.metrics.k8s.io`, for ModelServer's HorizontalPodAutoscaler.
 */
import { Construct } from 'constructs';
import { HelmRelease } from './private/binding';
import { RUNTIME_METRICS } from '../../lib/core/metrics-catalog';
import { OnPremServingStack } from './onprem-serving-stack';
import { Checker, ONPREM_ERRORS } from './private/checker';
import { helmValues } from './private/helm';
import type { ServingMonitoring } from './serving-monitoring';

export const PROMETHEUS_ADAPTER_VERSION = '5.3.0';

/** Runtime gauges exposed as per-pod custom metrics (the HPA refers to them by these names). */
export const ADAPTED_METRICS = [RUNTIME_METRICS.inflight.name, RUNTIME_METRICS.queueDepth.name] as const;

export interface PrometheusAdapterProps {
  /**
   * The monitoring whose Prometheus the adapter queries (also orders this release after it).
   * @default - `prometheusUrl` must be given
   */
  readonly monitoring?: ServingMonitoring;
  /**
   * Prometheus URL, for an existing Prometheus.
   * @default - `monitoring.prometheusUrl`
   */
  readonly prometheusUrl?: string;
  /**
   * Namespace of the release.
   * @default - `monitoring.namespace`, else 'monitoring'
   */
  readonly namespace?: string;
  /**
   * Chart version.
   * @default '5.3.0'
   */
  readonly chartVersion?: string;
}

export class PrometheusAdapter extends Construct {
  public readonly release: HelmRelease;
  public readonly values: Record<string, unknown>;

  constructor(scope: Construct, id: string, props: PrometheusAdapterProps = {}) {
    super(scope, id);
    const stack = OnPremServingStack.of(this);
    const checker = new Checker(this, ONPREM_ERRORS.ADAPTER, 'PrometheusAdapter');
    const url = props.prometheusUrl ?? props.monitoring?.prometheusUrl;
    const m = url === undefined ? null : /^(https?:\/\/[^:/\s]+)(?::(\d+))?(\/\S*)?$/.exec(url);
    checker.check(m !== null, { field: 'prometheusUrl', message: url === undefined ? 'is missing (and no monitoring was given)' : 'is not an http(s) URL', received: url, allowed: 'http(s)://host[:port][/path], or pass monitoring' });
    const namespace = props.namespace ?? props.monitoring?.namespace ?? 'monitoring';
    checker.dnsLabel('namespace', namespace);
    checker.throwIfAny();
    const rules = ADAPTED_METRICS.map((name) => ({
      seriesQuery: `${name}{namespace!="",pod!=""}`,
      resources: { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } },
      name: { matches: '^(.*)$', as: '$1' },
      metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)',
    }));
    this.values = {
      prometheus: { url: m![1], port: Number(m![2] ?? (m![1].startsWith('https') ? 443 : 80)), path: m![3] ?? '' },
      rules: { default: false, custom: rules },
    };
    this.release = new HelmRelease(this, 'Resource', {
      provider: stack.helmProvider,
      dependsOn: props.monitoring?.release ? [props.monitoring.release] : undefined,
      name: 'prometheus-adapter',
      namespace,
      repository: 'https://prometheus-community.github.io/helm-charts',
      chart: 'prometheus-adapter',
      version: props.chartVersion ?? PROMETHEUS_ADAPTER_VERSION,
      atomic: true,
      values: helmValues(this.values),
    });
  }
}
