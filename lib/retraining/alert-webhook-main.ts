/**
 * Entry point of the retraining webhook in the runtime image (RetrainingJobTrigger runs it):
 * `node /opt/servingstack/dist/lib/retraining/alert-webhook-main.js`. Reads its settings from the
 * environment and the pod's ServiceAccount.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import { alertWebhookHandler } from './alert-webhook';

const SA = '/var/run/secrets/kubernetes.io/serviceaccount';

function required(name: string): string {
  const v = process.env[name];
  if (v === undefined || v === '') {
    process.stderr.write(`${JSON.stringify({ level: 'fatal', msg: `${name} is required`, field: name })}\n`);
    process.exit(2);
  }
  return v;
}

const cronJobName = required('SERVINGSTACK_RETRAIN_CRONJOB');
const namespace = process.env.SERVINGSTACK_RETRAIN_NAMESPACE ?? fs.readFileSync(`${SA}/namespace`, 'utf8').trim();
const cooldownSeconds = Number(process.env.SERVINGSTACK_RETRAIN_COOLDOWN_SECONDS ?? '3600');
const port = Number(process.env.SERVINGSTACK_PORT ?? '8080');
const host = required('KUBERNETES_SERVICE_HOST');
const server = http.createServer(alertWebhookHandler({
  api: {
    baseUrl: `https://${host.includes(':') ? `[${host}]` : host}:${process.env.KUBERNETES_SERVICE_PORT ?? '443'}`,
    token: () => fs.readFileSync(`${SA}/token`, 'utf8').trim(), // re-read: projected tokens rotate
    ca: fs.readFileSync(`${SA}/ca.crt`, 'utf8'),
  },
  namespace,
  cronJobName,
  cooldownSeconds: Number.isFinite(cooldownSeconds) && cooldownSeconds >= 0 ? cooldownSeconds : 3600,
}));
server.listen(port, '0.0.0.0');
const stop = (): void => {
  server.close(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
