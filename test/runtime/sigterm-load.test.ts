/**
 * Nothing lost on shutdown, the way platforms shut a replica down during a rolling update: a real
 * `servingstack serve` process under keep-alive load from 64 clients (Node's fetch, i.e. undici,
 * one request after another on each connection), SIGTERM, repeated for many rounds. Every request
 * that was written must get a complete answer — 2xx, or 503 with Retry-After (the clients honour
 * it, as SageMaker's and Kubernetes' front ends do) — and the only connection errors allowed are
 * refused connections once the listener has closed.
 *
 * The grace period and drain timeout are shortened (0.5 s / 5 s) to keep the rounds quick; the
 * mechanism is the same as with the defaults.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { breastCancerRows, freePort, MODELS, ROOT, waitFor } from './helpers';

const ROUNDS = Number(process.env.SIGTERM_ROUNDS ?? 20);
const CLIENTS = 64;
const LOAD_BEFORE_SIGTERM_MS = 600;

jest.setTimeout(ROUNDS * 12_000 + 30_000);

interface Served {
  readonly child: ChildProcess;
  readonly url: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  readonly out: { stdout: string; stderr: string };
}

async function serve(): Promise<Served> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'bin/servingstack.ts', 'serve', '--model-dir', MODELS.breastCancer, '--port', String(port), '--host', '127.0.0.1', '--workers', '1', '--log-level', 'warn'],
    {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_ENV: 'production',
        SERVINGSTACK_SHUTDOWN_GRACE_MS: '500',
        SERVINGSTACK_DRAIN_TIMEOUT_MS: '5000',
        SERVINGSTACK_MONITORING: 'false',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const out = { stdout: '', stderr: '' };
  child.stdout!.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out.stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  const url = `http://127.0.0.1:${port}`;
  const ready = await waitFor(async () => (await fetch(`${url}/v2/health/ready`)).status === 200, 60_000, 100);
  if (!ready) {
    child.kill('SIGKILL');
    throw new Error(`server never became ready\nstdout: ${out.stdout}\nstderr: ${out.stderr}`);
  }
  return { child, url, exited, out };
}

interface Tally {
  ok: number;
  retryAfter503: number;
  refused: number;
  /** Written requests that got no complete answer, by error code. */
  lost: Record<string, number>;
  /** Answers that are neither 2xx nor 503 + Retry-After. */
  bad: Record<string, number>;
}

function errorCode(e: unknown): string {
  const err = e as { code?: string; cause?: { code?: string; message?: string } };
  return err.cause?.code ?? err.code ?? err.cause?.message ?? String(e);
}

/** One keep-alive client: requests back to back until told to stop, waiting Retry-After on a 503. */
async function client(url: string, body: string, tally: Tally, stop: { now: boolean; wake: Promise<void> }): Promise<void> {
  while (!stop.now) {
    try {
      const r = await fetch(`${url}/v2/models/breast-cancer/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const text = await r.text();
      if (r.status === 200 && text.includes('"outputs"')) tally.ok++;
      else if (r.status === 503 && r.headers.get('retry-after') !== null) {
        tally.retryAfter503++;
        const wait = Math.min(5, Number(r.headers.get('retry-after'))) * 1000;
        await Promise.race([new Promise((res) => setTimeout(res, wait)), stop.wake]);
      } else tally.bad[`${r.status} ${text.slice(0, 80)}`] = (tally.bad[`${r.status} ${text.slice(0, 80)}`] ?? 0) + 1;
    } catch (e) {
      const code = errorCode(e);
      if (code === 'ECONNREFUSED') {
        tally.refused++;
        await Promise.race([new Promise((res) => setTimeout(res, 20)), stop.wake]);
      } else tally.lost[code] = (tally.lost[code] ?? 0) + 1;
    }
  }
}

test(`${ROUNDS} rounds of SIGTERM under load from ${CLIENTS} keep-alive clients: every written request is answered, the process exits 0`, async () => {
  const row = breastCancerRows()[0].features;
  const body = JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 30], data: row }] });
  const total: Tally = { ok: 0, retryAfter503: 0, refused: 0, lost: {}, bad: {} };
  const rounds: { ok: number; lost: number; exitMs: number; code: number | null }[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const s = await serve();
    const tally: Tally = { ok: 0, retryAfter503: 0, refused: 0, lost: {}, bad: {} };
    let wakeAll: () => void = () => undefined;
    const stop = { now: false, wake: new Promise<void>((res) => (wakeAll = res)) };
    try {
      const clients = Array.from({ length: CLIENTS }, () => client(s.url, body, tally, stop));
      await new Promise((res) => setTimeout(res, LOAD_BEFORE_SIGTERM_MS));
      const okBeforeSignal = tally.ok;
      const t0 = Date.now();
      s.child.kill('SIGTERM');
      const exit = await Promise.race([s.exited, new Promise<'timeout'>((res) => setTimeout(() => res('timeout'), 30_000))]);
      stop.now = true;
      wakeAll();
      await Promise.all(clients);
      if (exit === 'timeout') throw new Error(`round ${round}: no exit within 30 s of SIGTERM\n${s.out.stdout.slice(-2000)}\n${s.out.stderr.slice(-2000)}`);
      expect(okBeforeSignal).toBeGreaterThan(0); // the server was under load when the signal came
      rounds.push({ ok: tally.ok, lost: Object.values(tally.lost).reduce((a, b) => a + b, 0), exitMs: exit.at - t0, code: exit.code });
    } finally {
      stop.now = true;
      wakeAll();
      if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
    }
    total.ok += tally.ok;
    total.retryAfter503 += tally.retryAfter503;
    total.refused += tally.refused;
    for (const [k, v] of Object.entries(tally.lost)) total.lost[k] = (total.lost[k] ?? 0) + v;
    for (const [k, v] of Object.entries(tally.bad)) total.bad[k] = (total.bad[k] ?? 0) + v;
  }
  process.stdout.write(`SIGTERM rounds: ${JSON.stringify({ total, rounds })}\n`);
  expect({ lost: total.lost, bad: total.bad }).toEqual({ lost: {}, bad: {} });
  expect(rounds.every((r) => r.code === 0)).toBe(true);
  // Inside SageMaker's and Kubernetes' 30 s window, with room to spare at these settings.
  expect(Math.max(...rounds.map((r) => r.exitMs))).toBeLessThan(15_000);
  expect(total.ok).toBeGreaterThan(ROUNDS * CLIENTS);
});
