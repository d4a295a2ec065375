/**
 * Graceful shutdown end to end: a real `servingstack serve` process, ready over HTTP, SIGTERM,
 * exit code 0 well inside SageMaker's 30 s window.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { float32Request, freePort, metricSum, MODELS, parseMetrics, request, ROOT, waitFor } from './helpers';

jest.setTimeout(90_000);

/**
 * The test's own polls close their connections: an idle keep-alive connection is held open until
 * the drain deadline, never closed under a client that might be writing onto it.
 */
const NO_KEEP_ALIVE = { connection: 'close' };

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once('close', (code: number | null, signal: NodeJS.Signals | null) => resolve({ code, signal })); // 'close': stdio drained too
  });
}

interface Served {
  readonly child: ChildProcess;
  readonly url: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly out: { stdout: string; stderr: string };
}

/** `node --import tsx bin/servingstack.ts serve …` (tsx 4 registers through --import on Node >= 20.6), ready. */
async function serve(modelDir: string): Promise<Served> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/servingstack.ts', 'serve', '--model-dir', modelDir, '--port', String(port), '--host', '127.0.0.1', '--workers', '1'], {
    cwd: ROOT,
    // A short grace period: these tests are about draining in-flight work (sigterm-load.test.ts covers the grace period).
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production', SERVINGSTACK_SHUTDOWN_GRACE_MS: '1000' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  child.stdout!.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out.stderr += d.toString()));
  const exited = exitOf(child);
  const url = `http://127.0.0.1:${port}`;
  const ready = await waitFor(async () => (await fetch(`${url}/v2/health/ready`, { headers: NO_KEEP_ALIVE })).status === 200, 45_000, 200);
  if (!ready) {
    child.kill('SIGKILL');
    throw new Error(`server never became ready\nstdout: ${out.stdout}\nstderr: ${out.stderr}`);
  }
  return { child, url, exited, out };
}

async function killIfAlive(s: Served | undefined): Promise<void> {
  if (s && s.child.exitCode === null && s.child.signalCode === null) {
    s.child.kill('SIGKILL');
    await s.exited;
  }
}

test('serve answers ready, then exits 0 on SIGTERM within 30 s', async () => {
  const { child, url, exited, out } = await serve(MODELS.tiny);
  try {
    const r = await fetch(`${url}/v2/models/tiny/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', connection: 'close' },
      body: JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }] }),
    });
    expect(r.status).toBe(200);
    expect(((await r.json()) as { outputs: { data: number[] }[] }).outputs[0].data).toEqual([3, 5, 7, 9]);

    const t0 = Date.now();
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const result = await Promise.race([exited, new Promise<'timeout'>((res) => (timer = setTimeout(() => res('timeout'), 30_000)))]);
    clearTimeout(timer);
    expect(result).not.toBe('timeout');
    expect(result).toEqual({ code: 0, signal: null });
    expect(Date.now() - t0).toBeLessThan(30_000);
    // The JSON log lines tell the story.
    expect(out.stdout).toMatch(/"msg":"listening"/);
    expect(out.stdout).toMatch(/"signal":"SIGTERM"/);
    expect(out.stdout).toMatch(/"msg":"stopped"/);
    await expect(fetch(`${url}/v2/health/live`)).rejects.toThrow();
  } finally {
    await killIfAlive({ child, url, exited, out });
  }
});

test('SIGTERM during a slow request: it completes with 200, then the process exits 0 quickly', async () => {
  const s = await serve(MODELS.mlpBench);
  try {
    const slow = float32Request('input', 2048, 256, () => 0.5);
    const inflight = request(`${s.url}/v2/models/mlp-bench/infer`, { method: 'POST', headers: slow.headers, body: slow.body });
    const entered = await waitFor(async () => metricSum(parseMetrics(await (await fetch(`${s.url}/metrics`, { headers: NO_KEEP_ALIVE })).text()), 'servingstack_inflight_requests') === 1, 10_000, 5);
    expect(entered).toBe(true);
    const t0 = Date.now();
    s.child.kill('SIGTERM');
    const r = await inflight;
    expect(r.status).toBe(200);
    expect(r.raw.length - Number(r.headers.get('inference-header-content-length'))).toBe(2048 * 256 * 4);
    expect(await s.exited).toEqual({ code: 0, signal: null });
    // Far below the 25 s drain timeout: the keep-alive connection of the finished request does not hold the server open.
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(s.out.stdout).toMatch(/"msg":"stopped"/);
  } finally {
    await killIfAlive(s);
  }
});
