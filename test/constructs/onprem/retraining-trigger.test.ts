/** The on-prem retraining trigger: Alertmanager webhook → a Kubernetes Job from the CronJob template you name. */
import * as fs from 'node:fs';
import { AlertReceiver, RetrainingJobTrigger, ServingMonitoring, ServingNamespace } from '../../../constructs/onprem';
import { modelQualityRuleGroup } from '../../../constructs/onprem/alert-rules';
import { Json, TerraformTemplate } from '../../support/terraform-template';
import { issuesOf } from '../../support/errors';
import { newStack } from '../../support/onprem';

const RECEIVERS = [AlertReceiver.slack('ml-slack', { apiUrlSecret: { secretName: 'slack', key: 'webhook-url' }, channel: '#ml-alerts' })];

describe('retraining: Alertmanager webhook → a Job from the named CronJob', () => {
  function withTrigger(extra: Record<string, unknown> = {}): { t: TerraformTemplate; trigger: RetrainingJobTrigger } {
    const stack = newStack();
    const namespace = new ServingNamespace(stack, 'Ns', { name: 'serving' });
    const trigger = new RetrainingJobTrigger(stack, 'Retrain', { namespace, cronJobName: 'retrain-fraud', image: 'registry.lab/servingstack/runtime:0.1.0' });
    new ServingMonitoring(stack, 'Monitoring', { modelQualityAlerts: true, retrainingWebhookUrl: trigger.webhookUrl, ...extra });
    return { t: TerraformTemplate.synth(stack), trigger };
  }

  test('every firing model-quality alert, and only those, goes to the webhook (first, and on to the people)', () => {
    const { t, trigger } = withTrigger({ alertRouting: { receivers: RECEIVERS } });
    expect(trigger.webhookUrl).toBe('http://servingstack-retraining.serving.svc/alerts');
    const config = t.helmValues('kube-prometheus-stack').alertmanager.config;
    expect(config.receivers).toContainEqual({ name: 'servingstack-retraining', webhook_configs: [{ url: 'http://servingstack-retraining.serving.svc/alerts', send_resolved: false }] });
    const first = config.route.routes[0];
    const names = [...new Set(modelQualityRuleGroup().rules.map((r) => r.alert))];
    expect(names).toEqual(expect.arrayContaining(['ServingStackFeatureDrift', 'ServingStackAccuracyLow', 'ServingStackConceptDrift', 'ServingStackDisparateImpact', 'ServingStackDemographicParity']));
    expect(first).toEqual({ receiver: 'servingstack-retraining', matchers: [`alertname=~"${names.join('|')}"`], continue: true });
    expect(config.route.routes.slice(1).every((r: Json) => r.receiver !== 'servingstack-retraining')).toBe(true);
  });

  test('least privilege: get that one CronJob, create Jobs, in one namespace; only Alertmanager\'s namespace may connect', () => {
    const { t } = withTrigger();
    const role = t.resource('kubernetes_role_v1', 'servingstack-retraining');
    expect(role.metadata.namespace).toBe('serving');
    expect(role.rule).toEqual([
      { api_groups: ['batch'], resources: ['cronjobs'], resource_names: ['retrain-fraud'], verbs: ['get'] },
      { api_groups: ['batch'], resources: ['jobs'], verbs: ['create'] },
    ]);
    expect(t.resources('kubernetes_cluster_role_v1')).toEqual([]);
    const binding = t.resource('kubernetes_role_binding_v1', 'servingstack-retraining');
    expect(binding).toMatchObject({ role_ref: { kind: 'Role', name: 'servingstack-retraining' }, subject: [{ kind: 'ServiceAccount', name: 'servingstack-retraining', namespace: 'serving' }] });
    const pod = t.resource('kubernetes_deployment_v1', 'servingstack-retraining').spec.template.spec;
    expect(pod.service_account_name).toBe('servingstack-retraining');
    expect(pod.container[0].command).toEqual(['node', '/opt/servingstack/dist/lib/retraining/alert-webhook-main.js']);
    expect(pod.container[0].env).toContainEqual({ name: 'SERVINGSTACK_RETRAIN_CRONJOB', value: 'retrain-fraud' });
    expect(pod.container[0].security_context).toMatchObject({ allow_privilege_escalation: false, read_only_root_filesystem: true, capabilities: { drop: ['ALL'] } });
    const np = t.resource('kubernetes_network_policy_v1', 'servingstack-retraining');
    expect(np.spec.ingress[0].from[0].namespace_selector.match_labels).toEqual({ 'kubernetes.io/metadata.name': 'monitoring' });
  });

  test('the webhook the image runs exists where the Deployment starts it', () => {
    // tsconfig.runtime.json compiles lib/ into the image: lib/retraining/alert-webhook-main.ts → dist/lib/retraining/alert-webhook-main.js
    expect(fs.existsSync(require.resolve('../../../lib/retraining/alert-webhook-main'))).toBe(true);
    expect(JSON.parse(fs.readFileSync(require.resolve('../../../tsconfig.runtime.json'), 'utf8')).include).toContain('lib');
  });

  test('bad input fails at synth: the webhook needs the model-quality alerts; names, image', () => {
    expect(issuesOf(() => withTrigger({ modelQualityAlerts: false })).map((i) => i.field)).toEqual(['retrainingWebhookUrl']);
    const stack = newStack();
    const namespace = new ServingNamespace(stack, 'Ns', { name: 'serving' });
    const issues = issuesOf(() => new RetrainingJobTrigger(stack, 'R', { namespace, cronJobName: 'Retrain_Fraud', image: 'runtime' }), 'SS_ERR_ONPREM_RETRAINING_INVALID');
    expect(issues.map((i) => [i.field, i.received])).toEqual([['cronJobName', 'Retrain_Fraud'], ['image', 'runtime']]);
  });
});
