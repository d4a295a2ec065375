import { OnPremErrorCodes, PrometheusAdapter, ServingMonitoring } from '../../../constructs/onprem';
import { TerraformTemplate } from '../../support/terraform-template';
import { issueFor, issuesOf } from '../../support/errors';
import { newStack } from '../../support/onprem';


describe('PrometheusAdapter', () => {
  test('serves the runtime gauges as per-pod custom metrics from the stack Prometheus', () => {
    const stack = newStack();
    const monitoring = new ServingMonitoring(stack, 'Monitoring');
    new PrometheusAdapter(stack, 'Adapter', { monitoring });
    const synth = TerraformTemplate.synth(stack);
    const release = synth.resource('helm_release', 'prometheus-adapter');
    expect(release).toMatchObject({ namespace: 'monitoring', chart: 'prometheus-adapter', version: '5.3.0', repository: 'https://prometheus-community.github.io/helm-charts' });
    expect(release.depends_on).toEqual([expect.stringMatching(/^helm_release\.Monitoring/)]);
    const v = synth.helmValues('prometheus-adapter');
    expect(v.prometheus).toEqual({ url: 'http://kube-prometheus-stack-prometheus.monitoring.svc', port: 9090, path: '' });
    expect(v.rules.default).toBe(false);
    expect(v.rules.custom).toEqual(
      ['servingstack_inflight_requests', 'servingstack_queue_depth'].map((name) => ({
        seriesQuery: `${name}{namespace!="",pod!=""}`,
        resources: { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } },
        name: { matches: '^(.*)$', as: '$1' },
        metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)',
      })),
    );
  });

  test('an existing Prometheus by URL, path kept apart', () => {
    const stack = newStack();
    new PrometheusAdapter(stack, 'Adapter', { prometheusUrl: 'https://prom.obs.lab:8443/prometheus', namespace: 'obs' });
    expect(TerraformTemplate.synth(stack).helmValues('prometheus-adapter').prometheus).toEqual({ url: 'https://prom.obs.lab', port: 8443, path: '/prometheus' });
  });

  test('needs a Prometheus', () => {
    const issue = issueFor(issuesOf(() => new PrometheusAdapter(newStack(), 'Adapter'), OnPremErrorCodes.ADAPTER), 'prometheusUrl');
    expect(issue.message).toContain('is missing');
  });
});
