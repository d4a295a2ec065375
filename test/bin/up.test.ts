/**
 * The README's main command, end to end in child processes: synthesize (in a child of its own),
 * serve, answer the curl — and serve from a process as small as `servingstack serve`.
 */
import { ChildProcess, execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { freePort, waitFor } from '../runtime/helpers';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'bin/servingstack.ts');

interface Running {
  readonly child: ChildProcess;
  readonly out: { stdout: string; stderr: string };
  readonly exited: Promise<number | null>;
}

function start(args: string[]): Running {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, env: { ...process.env, SERVINGSTACK_WORKERS: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  child.stdout!.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out.stderr += d.toString()));
  return { child, out, exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
}

async function until(what: () => boolean, timeoutMs: number, r: Running): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!what()) {
    if (Date.now() > end || r.child.exitCode !== null) throw new Error(`timed out or exited early\nstdout: ${r.out.stdout}\nstderr: ${r.out.stderr}`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m![1]) / 1024;
}

async function stop(r: Running): Promise<number | null> {
  if (r.child.exitCode === null) r.child.kill('SIGINT'); // Ctrl-C: no grace period
  return r.exited;
}

test('servingstack up synthesizes the blueprints in a child process, serves the example model from a process as small as `serve`, and answers its own curl', async () => {
  const up = start(['up', '--port', '0']);
  let serve: Running | undefined;
  try {
    await until(() => /Self-check \(\d+\)/.test(up.out.stdout), 150_000, up);
    const upRss = rssMiB(up.child.pid!);
    const port = await freePort();
    serve = start(['serve', '--model-dir', path.join(ROOT, 'examples/models/breast-cancer'), '--port', String(port), '--host', '127.0.0.1', '--log-level', 'warn']);
    expect(await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/v2/health/ready`, { headers: { connection: 'close' } })).status === 200, 60_000, 200)).toBe(true);
    // Both have loaded the model, run a warm-up and answered a request.
    expect((await fetch(`http://127.0.0.1:${port}/v2/models/breast-cancer`, { headers: { connection: 'close' } })).status).toBe(200);
    const serveRss = rssMiB(serve.child.pid!);
    process.stdout.write(`RSS while serving: up ${upRss.toFixed(0)} MiB, serve ${serveRss.toFixed(0)} MiB\n`);
    // Before synthesis moved to a child process, up served from ~640 MB against serve's ~170 MB.
    expect(upRss).toBeLessThan(serveRss + 60);

    expect(up.out.stdout).toMatch(/Synthesized AWS SageMaker examples \(AWS CDK\): 5 stacks, \d+ resources/);
    expect(up.out.stdout).toMatch(/Synthesized Google Vertex AI example \(CDK for Terraform\): \d+ Terraform resources/);
    expect(up.out.stdout).toMatch(/Synthesized Azure Machine Learning example \(CDK for Terraform\): \d+ Terraform resources/);
    expect(up.out.stdout).toMatch(/Synthesized On-premise GPU Kubernetes example \(CDK for Terraform\): \d+ Terraform resources/);
    expect(up.out.stdout).toMatch(/curl -s -H 'Content-Type: application\/json' -d '\{"inputs":\[\{"name":"input","shape":\[1,30\]/);
    expect(up.out.stdout).toMatch(/Self-check \(200\): \{"model_name":"breast-cancer"/);
    expect(fs.existsSync(path.join(ROOT, 'cdk.out', 'ServingStack-RealtimeCanary.template.json'))).toBe(true);
    expect(/Error/.test(up.out.stderr)).toBe(false);
    expect(await stop(up)).toBe(0);
  } finally {
    if (up.child.exitCode === null) up.child.kill('SIGKILL');
    if (serve && serve.child.exitCode === null) serve.child.kill('SIGKILL');
  }
}, 240_000);

test('servingstack up --exit-after-check stops after its self-check with status 0', async () => {
  const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', CLI, 'up', '--no-synth', '--port', '0', '--exit-after-check'],
      { cwd: ROOT, env: { ...process.env, SERVINGSTACK_WORKERS: '1' }, timeout: 120_000 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
  expect({ code: out.code, stderrHasError: /Error/.test(out.stderr) }).toEqual({ code: 0, stderrHasError: false });
  expect(out.stdout).toMatch(/Self-check \(200\): \{"model_name":"breast-cancer"/);
  expect(out.stdout).not.toMatch(/Synthesized/);
}, 150_000);
