/**
 * On-prem alerts reach people and the retraining trigger: Alertmanager routing by the shared
 * severities, receivers whose secrets stay in Kubernetes Secrets (files the chart mounts).
 */
import { Severity } from '../../../lib/core/contract/severity';
import { AlertReceiver, ServingMonitoring } from '../../../constructs/onprem';
import { Json, TerraformTemplate } from '../../support/terraform-template';
import { issuesOf } from '../../support/errors';
import { newStack } from '../../support/onprem';

const RECEIVERS = [
  AlertReceiver.pagerDuty('oncall', { routingKeySecret: { secretName: 'pagerduty', key: 'routing-key' } }),
  AlertReceiver.slack('ml-slack', { apiUrlSecret: { secretName: 'slack', key: 'webhook-url' }, channel: '#ml-alerts' }),
  AlertReceiver.email('ml-mail', { to: 'ml@example.com', from: 'alertmanager@example.com', smarthost: 'smtp.example.com:587', authUsername: 'alertmanager', authPasswordSecret: { secretName: 'smtp', key: 'password' } }),
  AlertReceiver.webhook('chatops', { urlSecret: { secretName: 'chatops', key: 'url' } }),
];

function synth(props: Record<string, unknown>): { t: TerraformTemplate; values: Json } {
  const stack = newStack();
  new ServingMonitoring(stack, 'Monitoring', props);
  const t = TerraformTemplate.synth(stack);
  return { t, values: t.helmValues('kube-prometheus-stack') };
}

describe('Alertmanager routing', () => {
  test('receivers read their secrets from files of mounted Secrets; no secret value is in the synthesized JSON', () => {
    const { t, values } = synth({ alertRouting: { receivers: RECEIVERS } });
    const am = values.alertmanager;
    expect(am.alertmanagerSpec.secrets).toEqual(['chatops', 'pagerduty', 'slack', 'smtp']);
    const byName = Object.fromEntries(am.config.receivers.map((r: Json) => [r.name, r]));
    expect(byName.null).toEqual({ name: 'null' });
    expect(byName.oncall.pagerduty_configs[0]).toMatchObject({ routing_key_file: '/etc/alertmanager/secrets/pagerduty/routing-key', severity: '{{ .CommonLabels.severity }}' });
    expect(byName['ml-slack'].slack_configs[0]).toMatchObject({ api_url_file: '/etc/alertmanager/secrets/slack/webhook-url', channel: '#ml-alerts' });
    expect(byName['ml-mail'].email_configs[0]).toMatchObject({ to: 'ml@example.com', smarthost: 'smtp.example.com:587', auth_username: 'alertmanager', auth_password_file: '/etc/alertmanager/secrets/smtp/password' });
    expect(byName.chatops.webhook_configs[0]).toEqual({ url_file: '/etc/alertmanager/secrets/chatops/url', send_resolved: true });
    const raw = JSON.stringify(t.json);
    for (const k of ['api_url"', 'routing_key"', 'auth_password"', '"url"']) expect(raw).not.toContain(k);
  });

  test('default routes: critical and warning to every receiver, info to nobody; the severities are the shared vocabulary', () => {
    const { values } = synth({ alertRouting: { receivers: RECEIVERS } });
    const route = values.alertmanager.config.route;
    expect(route.receiver).toBe('null');
    const pairs = route.routes.map((r: Json) => `${r.matchers[0]} → ${r.receiver}`);
    for (const s of [Severity.CRITICAL, Severity.WARNING]) for (const r of RECEIVERS) expect(pairs).toContain(`severity="${s.name}" → ${r.name}`);
    expect(pairs.some((p: string) => p.startsWith('severity="info"'))).toBe(false);
    expect(route.routes.every((r: Json) => r.continue === true)).toBe(true);
  });

  test('explicit routes send each severity where asked', () => {
    const { values } = synth({ alertRouting: { receivers: RECEIVERS, routes: [{ severity: Severity.CRITICAL, receivers: ['oncall', 'ml-slack'] }, { severity: Severity.WARNING, receivers: ['ml-slack'] }] } });
    expect(values.alertmanager.config.route.routes.map((r: Json) => [r.matchers[0], r.receiver])).toEqual([
      ['severity="critical"', 'oncall'], ['severity="critical"', 'ml-slack'], ['severity="warning"', 'ml-slack'],
    ]);
  });

  test('without a chart install the configuration is written beside the rules', () => {
    const stack = newStack();
    new ServingMonitoring(stack, 'Monitoring', { installPrometheusStack: false, alertRouting: { receivers: RECEIVERS } });
    const cm = TerraformTemplate.synth(stack).resource('kubernetes_config_map_v1', 'servingstack-prometheus');
    expect(JSON.parse(cm.data['alertmanager.yaml']).receivers.map((r: Json) => r.name)).toEqual(['null', 'oncall', 'ml-slack', 'ml-mail', 'chatops']);
  });

  test('bad receivers and routes fail at synth naming field, value and what is allowed', () => {
    const issues = issuesOf(() => synth({ alertRouting: {
      receivers: [
        AlertReceiver.slack('null', { apiUrlSecret: { secretName: 'Slack_Secret', key: 'url' }, channel: 'not a channel' }),
        AlertReceiver.email('mail', { to: 'nobody', from: 'a@b.c', smarthost: 'smtp' }),
        AlertReceiver.webhook('mail', { urlSecret: { secretName: 'hook', key: 'url' } }),
      ],
      routes: [{ severity: Severity.CRITICAL, receivers: ['pagerduty'] }],
    } }), 'SS_ERR_ONPREM_MONITORING_INVALID');
    expect(issues.map((i) => [i.field, i.received])).toEqual([
      ['alertRouting.receivers[0].name', 'null'],
      ['alertRouting.receivers[0].secretName', 'Slack_Secret'],
      ['alertRouting.receivers[0].channel', 'not a channel'],
      ['alertRouting.receivers[1].to', 'nobody'],
      ['alertRouting.receivers[1].smarthost', 'smtp'],
      ['alertRouting.receivers[2].name', 'mail'],
      ['alertRouting.routes[0].receivers[0]', 'pagerduty'],
    ]);
  });
});
