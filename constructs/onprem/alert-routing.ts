/**
 * Where on-prem alerts go: Alertmanager routing by the shared severity vocabulary, with webhook,
 * Slack, PagerDuty and e-mail receivers whose secrets stay in Kubernetes Secrets. The chart mounts
 * each named Secret at `/etc/alertmanager/secrets/<name>/` (`alertmanagerSpec.secrets`) and the
 * configuration points at the files (`url_file`, `api_url_file`, `routing_key_file`,
 * `auth_password_file`, Alertmanager ≥ 0.27): no secret value is in the synthesized JSON.
 */
import { Severity } from '../../lib/core/contract/severity';
import type { Checker } from './private/checker';

export const ALERTMANAGER_SECRETS_DIR = '/etc/alertmanager/secrets';

/** A key of a Secret in the monitoring namespace. */
export interface SecretKeyReference {
  readonly secretName: string;
  readonly key: string;
}

export interface WebhookReceiverOptions {
  /** The Secret key holding the URL alerts are POSTed to. */
  readonly urlSecret: SecretKeyReference;
  /** @default true */
  readonly sendResolved?: boolean;
}

export interface SlackReceiverOptions {
  /** The Secret key holding the incoming-webhook URL. */
  readonly apiUrlSecret: SecretKeyReference;
  /** Channel, e.g. `#ml-alerts`. */
  readonly channel: string;
}

export interface PagerDutyReceiverOptions {
  /** The Secret key holding the Events API v2 routing (integration) key. */
  readonly routingKeySecret: SecretKeyReference;
}

export interface EmailReceiverOptions {
  readonly to: string;
  readonly from: string;
  /** SMTP server, `host:port`. */
  readonly smarthost: string;
  /** @default - no SMTP authentication */
  readonly authUsername?: string;
  /** The Secret key holding the SMTP password. @default - none */
  readonly authPasswordSecret?: SecretKeyReference;
}

/** One Alertmanager receiver (pick one with a static factory). */
export class AlertReceiver {
  /** POST the alert groups (Alertmanager webhook JSON) to a URL kept in a Secret. */
  public static webhook(name: string, options: WebhookReceiverOptions): AlertReceiver {
    return new AlertReceiver(name, 'webhook', [options.urlSecret], (file) => ({ webhook_configs: [{ url_file: file(options.urlSecret), send_resolved: options.sendResolved ?? true }] }));
  }

  public static slack(name: string, options: SlackReceiverOptions): AlertReceiver {
    return new AlertReceiver(name, 'slack', [options.apiUrlSecret], (file) => ({
      slack_configs: [{
        api_url_file: file(options.apiUrlSecret),
        channel: options.channel,
        send_resolved: true,
        title: '[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }} ({{ .CommonLabels.severity }})',
        text: '{{ range .Alerts }}{{ .Annotations.summary }}\n{{ end }}',
      }],
    }), { channel: options.channel });
  }

  public static pagerDuty(name: string, options: PagerDutyReceiverOptions): AlertReceiver {
    return new AlertReceiver(name, 'pagerduty', [options.routingKeySecret], (file) => ({
      pagerduty_configs: [{ routing_key_file: file(options.routingKeySecret), severity: '{{ .CommonLabels.severity }}', send_resolved: true }],
    }));
  }

  public static email(name: string, options: EmailReceiverOptions): AlertReceiver {
    const secrets = options.authPasswordSecret ? [options.authPasswordSecret] : [];
    return new AlertReceiver(name, 'email', secrets, (file) => ({
      email_configs: [{
        to: options.to,
        from: options.from,
        smarthost: options.smarthost,
        ...(options.authUsername !== undefined ? { auth_username: options.authUsername } : {}),
        ...(options.authPasswordSecret ? { auth_password_file: file(options.authPasswordSecret) } : {}),
        send_resolved: true,
      }],
    }), { to: options.to, from: options.from, smarthost: options.smarthost });
  }

  private constructor(
    public readonly name: string,
    /** `webhook`, `slack`, `pagerduty` or `email`. */
    public readonly kind: string,
    private readonly secrets: readonly SecretKeyReference[],
    private readonly render: (file: (ref: SecretKeyReference) => string) => Record<string, unknown>,
    private readonly plain: Readonly<Record<string, string>> = {},
  ) {}

  /** @internal */
  public _secrets(): readonly SecretKeyReference[] {
    return this.secrets;
  }

  /** @internal */
  public _check(c: Checker, field: string): void {
    c.check(RECEIVER_NAME.test(this.name) && this.name !== NULL_RECEIVER, { field: `${field}.name`, message: 'is not a valid receiver name', received: this.name, allowed: `letters, digits, _ and -, not "${NULL_RECEIVER}"` });
    this.secrets.forEach((s) => {
      c.dnsLabel(`${field}.secretName`, s.secretName);
      c.pattern(`${field}.key`, s.key, /^[-._a-zA-Z0-9]{1,253}$/, 'a Secret key: letters, digits, -, _ and .');
    });
    if (this.kind === 'slack') c.pattern(`${field}.channel`, this.plain.channel, /^[#@]?[a-z0-9._-]{1,80}$/, 'a Slack channel such as #ml-alerts');
    if (this.kind === 'email') {
      for (const k of ['to', 'from']) c.pattern(`${field}.${k}`, this.plain[k], /^[^@\s]+@[^@\s]+\.[^@\s]+$/, 'an e-mail address');
      c.pattern(`${field}.smarthost`, this.plain.smarthost, /^[a-z0-9.-]+:[0-9]{1,5}$/, 'host:port, e.g. smtp.example.com:587');
    }
  }

  /** @internal */
  public _render(): Record<string, unknown> {
    return { name: this.name, ...this.render((ref) => `${ALERTMANAGER_SECRETS_DIR}/${ref.secretName}/${ref.key}`) };
  }
}

/** Which receivers get alerts of one severity. */
export interface AlertRoute {
  readonly severity: Severity;
  readonly receivers: readonly string[];
}

export interface AlertRoutingOptions {
  readonly receivers: readonly AlertReceiver[];
  /**
   * Routes by severity (the `severity` label of every ServingStack rule).
   * @default - critical and warning to every receiver; info to nobody (the vocabulary's meaning)
   */
  readonly routes?: readonly AlertRoute[];
}

const RECEIVER_NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** Where unrouted alerts go: nowhere. */
export const NULL_RECEIVER = 'null';

/** Check receivers and routes; issues are recorded on `c`. */
export function checkAlertRouting(c: Checker, field: string, o: AlertRoutingOptions): void {
  const names = new Set<string>();
  o.receivers.forEach((r, i) => {
    r._check(c, `${field}.receivers[${i}]`);
    c.check(!names.has(r.name), { field: `${field}.receivers[${i}].name`, message: 'repeats a receiver name', received: r.name, allowed: 'unique names' });
    names.add(r.name);
  });
  (o.routes ?? []).forEach((route, i) => {
    c.check(Severity.all().includes(route.severity), { field: `${field}.routes[${i}].severity`, message: 'is not a severity of the shared vocabulary', received: String(route.severity), allowed: Severity.all().map((s) => s.name).join(', ') });
    route.receivers.forEach((n, j) => c.check(names.has(n), { field: `${field}.routes[${i}].receivers[${j}]`, message: 'names no receiver', received: n, allowed: [...names].join(', ') || 'a receiver name' }));
  });
}

/** An extra route placed first (the retraining webhook: model-quality alerts by name). */
export interface ExtraRoute {
  readonly receiver: Record<string, unknown>;
  readonly matchers: readonly string[];
}

/** The Alertmanager configuration and the Secrets the chart must mount. */
export function renderAlertmanagerConfig(o: AlertRoutingOptions, extra: readonly ExtraRoute[] = []): { config: Record<string, unknown>; secrets: string[] } {
  const everyone = o.receivers.map((r) => r.name);
  const routes = o.routes ?? [Severity.CRITICAL, Severity.WARNING].map((severity) => ({ severity, receivers: everyone }));
  const routeEntries = [
    ...extra.map((e) => ({ receiver: String(e.receiver.name), matchers: [...e.matchers], continue: true })),
    ...routes.flatMap((r) => r.receivers.map((receiver) => ({ receiver, matchers: [`severity="${r.severity.name}"`], continue: true }))),
  ];
  const secrets = [...new Set(o.receivers.flatMap((r) => r._secrets().map((s) => s.secretName)))].sort();
  return {
    config: {
      route: { receiver: NULL_RECEIVER, group_by: ['alertname', 'namespace', 'app', 'model'], group_wait: '30s', group_interval: '5m', repeat_interval: '4h', routes: routeEntries },
      receivers: [{ name: NULL_RECEIVER }, ...extra.map((e) => e.receiver), ...o.receivers.map((r) => r._render())],
      // A critical alert silences the warnings of the same app.
      inhibit_rules: [{ source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ['alertname', 'namespace', 'app'] }],
    },
    secrets,
  };
}
