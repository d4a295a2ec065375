/**
 * The delivery pipeline's post-deploy integration test, run for real against the local runtime
 * (a child process serving the breast-cancer package) and through the SageMaker invoker against
 * a mocked SageMaker runtime that forwards to the same local runtime.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { exampleRequest, httpInvoker, percentile, predictedClass, runIntegrationTest } from '../../../../constructs/aws/delivery/integration-test';
import { sageMakerInvoker } from '../../../../constructs/aws/delivery/sagemaker-invoker';
import { ServingStackError } from '../../../../lib/core/errors';
import { parseManifest } from '../../../../lib/core/manifest';

const ROOT = path.join(__dirname, '..', '..', '..', '..');
const PACKAGE = path.join(ROOT, 'examples', 'models', 'breast-cancer');
const HOLDOUT = path.join(ROOT, 'examples', 'data', 'breast_cancer.csv');

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

let child: ChildProcess;
let url = '';
let logs = '';

beforeAll(async () => {
  const port = await freePort();
  child = spawn(process.execPath, ['--import', 'tsx', 'bin/servingstack.ts', 'serve', '--model-dir', PACKAGE, '--port', String(port), '--host', '127.0.0.1', '--workers', '1'], {
    cwd: ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, SERVINGSTACK_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (logs += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (logs += d.toString()));
  url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/ping`)).status === 200) break;
    } catch {
      // starting
    }
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`runtime did not start\n${logs}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}, 90_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child.on('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
});

const codeOf = async (p: Promise<unknown>): Promise<{ code?: string; message: string }> => {
  try {
    await p;
  } catch (e) {
    return { code: ServingStackError.isServingStackError(e) ? e.code : undefined, message: String((e as Error).message) };
  }
  return { message: 'did not throw' };
};

test('against the local runtime: 200s, p99 within the limit, holdout accuracy within the manifest\'s', async () => {
  const report = await runIntegrationTest(httpInvoker(url), { packageDir: PACKAGE, requests: 40, concurrency: 4, maxP99LatencyMs: 5000, holdoutFile: HOLDOUT });
  expect(report.passed).toBe(true);
  expect(report.checks.map((c) => c.name)).toEqual(['status', 'p99LatencyMs', 'accuracy']);
  expect(report.expectedAccuracy).toBe(0.9823);
  expect(report.accuracy).toBeGreaterThan(0.96);
  expect(report.p99LatencyMs).toBeGreaterThan(0);
}, 120_000);

test('a model worse than its manifest says, and a latency limit it cannot meet, fail with the check, value and limit', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-it-'));
  fs.cpSync(PACKAGE, dir, { recursive: true });
  const file = path.join(dir, 'servingstack.json');
  const manifest = JSON.parse(fs.readFileSync(file, 'utf8'));
  manifest.lineage.metrics.accuracy = 0.9999;
  fs.writeFileSync(file, JSON.stringify(manifest));
  const failed = await codeOf(runIntegrationTest(httpInvoker(url), { packageDir: dir, requests: 8, maxP99LatencyMs: 0.001, holdoutFile: HOLDOUT, accuracyTolerance: 0.001 }));
  expect(failed.code).toBe('SS_ERR_AWS_INTEGRATION_TEST_FAILED');
  expect(failed.message).toMatch(/p99LatencyMs: p99 .* ms over 8 requests \(limit 0\.001 ms\); received [\d.]+; allowed: ≤ 0\.001 ms/);
  expect(failed.message).toMatch(/accuracy: holdout accuracy 0\.9\d+ over 569 rows; manifest accuracy 0\.9999 \(tolerance 0\.001\); received 0\.9\d+; allowed: ≥ 0\.9999 − 0\.001/);
  fs.rmSync(dir, { recursive: true, force: true });
}, 120_000);

test('a bad request body fails the status check', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-it-'));
  fs.cpSync(PACKAGE, dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'example-request.json'), JSON.stringify({ instances: [[1, 2, 3]] }));
  const failed = await codeOf(runIntegrationTest(httpInvoker(url), { packageDir: dir, requests: 3 }));
  expect(failed.message).toMatch(/status: 3 of 3 did not answer 200 \(first: 4\d\d /);
  fs.rmSync(dir, { recursive: true, force: true });
}, 60_000);

test('through the SageMaker invoker: InvokeEndpoint with the endpoint name and content type (forwarded to the local runtime)', async () => {
  const client = new SageMakerRuntimeClient({ region: 'us-east-1' });
  const sm = mockClient(client);
  sm.on(InvokeEndpointCommand).callsFake(async (input: { EndpointName: string; ContentType: string; Body: Uint8Array }) => {
    expect(input.EndpointName).toBe('fraud-staging');
    const res = await fetch(`${url}/invocations`, { method: 'POST', headers: { 'content-type': input.ContentType }, body: Buffer.from(input.Body) });
    if (res.status !== 200) throw Object.assign(new Error(await res.text()), { $metadata: { httpStatusCode: res.status } });
    return { Body: new Uint8Array(Buffer.from(await res.text())), ContentType: 'application/json' };
  });
  const report = await runIntegrationTest(sageMakerInvoker(client, 'fraud-staging'), { packageDir: PACKAGE, requests: 10, maxP99LatencyMs: 5000, holdoutFile: HOLDOUT });
  expect(report.passed).toBe(true);
  expect(sm.commandCalls(InvokeEndpointCommand).length).toBe(10 + Math.ceil(569 / 64));
}, 120_000);

test('helpers: example request from the signature, percentiles, predicted classes', () => {
  const manifest = parseManifest(fs.readFileSync(path.join(PACKAGE, 'servingstack.json'), 'utf8'), 'servingstack.json');
  expect(JSON.parse(exampleRequest(PACKAGE, manifest).body).instances[0]).toHaveLength(30);
  expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
  expect(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 99)).toBe(99);
  expect(predictedClass({ probabilities: [0.2, 0.8], label: 1 }, manifest.signature.outputs)).toBe(1);
  expect(predictedClass({ probabilities: [0.9, 0.1] }, [manifest.signature.outputs[0]])).toBe(0);
});
