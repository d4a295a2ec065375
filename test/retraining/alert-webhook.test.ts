/**
 * The on-prem retraining webhook over real sockets: Alertmanager's notification in, a Job created
 * from the named CronJob's template on a fake Kubernetes API (which checks path, verb and token).
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { alertWebhookHandler } from '../../lib/retraining/alert-webhook';

interface Recorded { method: string; url: string; auth: string; body?: any } // eslint-disable-line @typescript-eslint/no-explicit-any

const CRONJOB = {
  metadata: { name: 'retrain-fraud', namespace: 'serving' },
  spec: {
    suspend: true,
    jobTemplate: {
      metadata: { labels: { team: 'ml' } },
      spec: { backoffLimit: 1, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'train', image: 'registry.lab/train:3', args: ['--data', 's3://capture/fraud/'] }] } } },
    },
  },
};

const firing = (status = 'firing') => ({
  version: '4', status, groupKey: '{}:{alertname="ServingStackAccuracyLow"}', receiver: 'servingstack-retraining',
  commonLabels: { alertname: 'ServingStackAccuracyLow', model: 'fraud', severity: 'critical' },
  alerts: [{ status, labels: { alertname: 'ServingStackAccuracyLow', model: 'fraud' } }, { status, labels: { alertname: 'ServingStackConceptDrift', model: 'fraud' } }],
});

let api: http.Server;
let webhook: http.Server;
let calls: Recorded[];
let apiBehaviour: { cronStatus: number; jobStatus: number };
let clock: number;

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function post(url: string, body: unknown): Promise<{ status: number; body: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

let hook: string;
beforeEach(async () => {
  calls = [];
  apiBehaviour = { cronStatus: 200, jobStatus: 201 };
  clock = 1_000_000;
  api = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      calls.push({ method: req.method!, url: req.url!, auth: String(req.headers.authorization), body: text ? JSON.parse(text) : undefined });
      if (req.headers.authorization !== 'Bearer sa-token') return res.writeHead(401).end('{"message":"Unauthorized"}');
      if (req.method === 'GET' && req.url === '/apis/batch/v1/namespaces/serving/cronjobs/retrain-fraud') {
        return res.writeHead(apiBehaviour.cronStatus, { 'content-type': 'application/json' }).end(JSON.stringify(apiBehaviour.cronStatus === 200 ? CRONJOB : { message: 'cronjobs.batch "retrain-fraud" not found' }));
      }
      if (req.method === 'POST' && req.url === '/apis/batch/v1/namespaces/serving/jobs') {
        const job = JSON.parse(text);
        return res.writeHead(apiBehaviour.jobStatus, { 'content-type': 'application/json' }).end(JSON.stringify({ ...job, metadata: { ...job.metadata, name: `${job.metadata.generateName}x7k2p` } }));
      }
      return res.writeHead(403).end('{"message":"forbidden"}');
    });
  });
  const base = await listen(api);
  webhook = http.createServer(alertWebhookHandler({ api: { baseUrl: base, token: () => 'sa-token' }, namespace: 'serving', cronJobName: 'retrain-fraud', cooldownSeconds: 600, now: () => clock, log: () => undefined }));
  hook = `${await listen(webhook)}/alerts`;
});

afterEach(async () => {
  await new Promise((r) => webhook.close(r));
  await new Promise((r) => api.close(r));
});

test('a firing notification creates one Job from the CronJob template, labelled with what fired', async () => {
  const res = await post(hook, firing());
  expect(res).toEqual({ status: 201, body: { started: true, job: 'retrain-fraud-retrain-x7k2p' } });
  expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual(['GET /apis/batch/v1/namespaces/serving/cronjobs/retrain-fraud', 'POST /apis/batch/v1/namespaces/serving/jobs']);
  const job = calls[1].body;
  expect(job).toMatchObject({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      generateName: 'retrain-fraud-retrain-',
      labels: { team: 'ml', 'servingstack.io/trigger': 'model-quality-alert', 'servingstack.io/model': 'fraud' },
      annotations: { 'servingstack.io/alerts': 'ServingStackAccuracyLow,ServingStackConceptDrift', 'cronjob.kubernetes.io/instantiate': 'manual' },
    },
    spec: CRONJOB.spec.jobTemplate.spec,
  });
});

test('resolved notifications and repeats within the cool-down start nothing; after it, the next firing does', async () => {
  expect((await post(hook, firing('resolved'))).body).toEqual({ started: false, reason: 'status resolved' });
  expect((await post(hook, firing())).status).toBe(201);
  clock += 599_000;
  expect((await post(hook, firing())).body).toEqual({ started: false, reason: 'cool-down: a retraining Job started less than 600 s ago' });
  clock += 2_000;
  expect((await post(hook, firing())).status).toBe(201);
  expect(calls.filter((c) => c.method === 'POST')).toHaveLength(2);
});

test('bad bodies get a 4xx JSON error naming the field; API failures a 502 that does not start the cool-down', async () => {
  expect(await post(hook, '{not json')).toEqual({ status: 400, body: { error: 'body is not JSON', field: 'body', allowed: 'an Alertmanager webhook notification' } });
  expect((await post(hook, { status: 'firing' })).body).toMatchObject({ field: 'alerts' });
  apiBehaviour.cronStatus = 404;
  expect(await post(hook, firing())).toEqual({ status: 502, body: { error: 'cannot read CronJob serving/retrain-fraud (HTTP 404)' } });
  apiBehaviour.cronStatus = 200;
  apiBehaviour.jobStatus = 403;
  expect((await post(hook, firing())).status).toBe(502);
  apiBehaviour.jobStatus = 201;
  expect((await post(hook, firing())).status).toBe(201); // failures did not start the cool-down
  const health = await fetch(hook.replace('/alerts', '/healthz'));
  expect(health.status).toBe(200);
});
