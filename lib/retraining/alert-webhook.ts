/**
 * The on-prem retraining trigger: an Alertmanager webhook receiver that starts a Kubernetes Job
 * from a CronJob template the user names, as `kubectl create job --from=cronjob/NAME` does. One Job
 * per firing notification, at most one per cool-down (Alertmanager repeats notifications every
 * `repeat_interval`); resolved notifications start nothing. It talks to the API server with its
 * ServiceAccount token: `get` on that one CronJob and `create` on Jobs of its namespace.
 *
 * Started in the runtime image as `node dist/lib/retraining/alert-webhook-main.js`.
 */
import * as http from 'node:http';
import * as https from 'node:https';

/** How the webhook reaches the Kubernetes API. */
export interface KubernetesApi {
  /** `https://HOST:PORT` (in a pod: from KUBERNETES_SERVICE_HOST/PORT). */
  readonly baseUrl: string;
  readonly token: () => string;
  /** CA bundle (PEM) of the API server; undefined: the system's (tests use plain http). */
  readonly ca?: string;
}

export interface AlertWebhookOptions {
  readonly api: KubernetesApi;
  readonly namespace: string;
  /** The CronJob whose jobTemplate each retraining Job copies. */
  readonly cronJobName: string;
  /** No new Job within this many seconds of the last one. */
  readonly cooldownSeconds: number;
  readonly now?: () => number;
  readonly log?: (obj: Record<string, unknown>, msg: string) => void;
}

/** The Alertmanager webhook body (version 4), the parts read here. */
interface AlertGroup {
  readonly status?: string;
  readonly groupKey?: string;
  readonly commonLabels?: Record<string, string>;
  readonly alerts?: readonly { readonly status?: string; readonly labels?: Record<string, string> }[];
}

interface ApiResponse {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

function call(api: KubernetesApi, method: string, path: string, body?: unknown): Promise<ApiResponse> {
  const url = new URL(path, api.baseUrl);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(url, {
      method,
      ca: api.ca,
      headers: { authorization: `Bearer ${api.token()}`, accept: 'application/json', ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}) },
      timeout: 10_000,
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: Record<string, unknown> = {};
        try {
          parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
        } catch {
          parsed = { message: text.slice(0, 500) };
        }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url.pathname} timed out`)));
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

/** Kubernetes label values: ≤ 63 characters of [A-Za-z0-9._-], alphanumeric at both ends. */
function labelValue(v: string): string {
  return v.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 63).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
}

/** The Job a firing group starts: the CronJob's jobTemplate, labelled with what fired. */
export function retrainingJob(cronJob: Record<string, any>, group: AlertGroup, cronJobName: string): Record<string, unknown> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const template = (cronJob.spec?.jobTemplate ?? {}) as { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: unknown };
  const firing = (group.alerts ?? []).filter((a) => a.status === 'firing');
  const alertnames = [...new Set(firing.map((a) => a.labels?.alertname ?? '').filter(Boolean))].sort();
  const model = group.commonLabels?.model ?? group.commonLabels?.app ?? '';
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      generateName: `${cronJobName.slice(0, 40)}-retrain-`,
      labels: { ...template.metadata?.labels, 'app.kubernetes.io/part-of': 'servingstack', 'servingstack.io/trigger': 'model-quality-alert', ...(model ? { 'servingstack.io/model': labelValue(model) } : {}) },
      annotations: { ...template.metadata?.annotations, 'servingstack.io/alerts': alertnames.join(','), 'servingstack.io/group-key': String(group.groupKey ?? '').slice(0, 1000), 'cronjob.kubernetes.io/instantiate': 'manual' },
    },
    spec: template.spec,
  };
}

/** The webhook's HTTP handler: `POST /alerts` (Alertmanager), `GET /healthz`. */
export function alertWebhookHandler(o: AlertWebhookOptions): http.RequestListener {
  const now = o.now ?? Date.now;
  const log = o.log ?? ((obj, msg) => process.stdout.write(`${JSON.stringify({ ...obj, msg, time: new Date(now()).toISOString() })}\n`));
  let lastStarted = -Infinity;
  const ns = encodeURIComponent(o.namespace);
  const reply = (res: http.ServerResponse, status: number, body: Record<string, unknown>): void => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  return (req, res) => {
    if (req.method === 'GET' && req.url === '/healthz') return reply(res, 200, { status: 'ok' });
    if (req.method !== 'POST' || req.url !== '/alerts') return reply(res, 404, { error: 'not found', allowed: 'POST /alerts, GET /healthz' });
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= 1_048_576) chunks.push(c);
    });
    req.on('end', () => {
      void (async () => {
        if (size > 1_048_576) return reply(res, 413, { error: 'body too large', allowed: 'at most 1 MiB' });
        let group: AlertGroup;
        try {
          group = JSON.parse(Buffer.concat(chunks).toString('utf8')) as AlertGroup;
        } catch {
          return reply(res, 400, { error: 'body is not JSON', field: 'body', allowed: 'an Alertmanager webhook notification' });
        }
        if (typeof group !== 'object' || group === null || !Array.isArray(group.alerts)) {
          return reply(res, 400, { error: 'not an Alertmanager notification', field: 'alerts', allowed: 'an array of alerts' });
        }
        if (group.status !== 'firing') return reply(res, 200, { started: false, reason: `status ${String(group.status)}` });
        if (now() - lastStarted < o.cooldownSeconds * 1000) {
          return reply(res, 200, { started: false, reason: `cool-down: a retraining Job started less than ${o.cooldownSeconds} s ago` });
        }
        try {
          const cron = await call(o.api, 'GET', `/apis/batch/v1/namespaces/${ns}/cronjobs/${encodeURIComponent(o.cronJobName)}`);
          if (cron.status !== 200) {
            log({ status: cron.status, cronJob: o.cronJobName, error: cron.body.message }, 'cannot read the retraining template');
            return reply(res, 502, { error: `cannot read CronJob ${o.namespace}/${o.cronJobName} (HTTP ${cron.status})` });
          }
          const created = await call(o.api, 'POST', `/apis/batch/v1/namespaces/${ns}/jobs`, retrainingJob(cron.body, group, o.cronJobName));
          if (created.status !== 201) {
            log({ status: created.status, error: created.body.message }, 'cannot create the retraining Job');
            return reply(res, 502, { error: `cannot create the retraining Job (HTTP ${created.status})` });
          }
          lastStarted = now();
          const name = String((created.body.metadata as { name?: string } | undefined)?.name ?? '');
          log({ job: name, alerts: (created.body.metadata as { annotations?: Record<string, string> } | undefined)?.annotations?.['servingstack.io/alerts'] }, 'retraining Job started');
          return reply(res, 201, { started: true, job: name });
        } catch (e) {
          log({ error: (e as Error).message }, 'Kubernetes API unreachable');
          return reply(res, 502, { error: `Kubernetes API unreachable: ${(e as Error).message}` });
        }
      })();
    });
  };
}
