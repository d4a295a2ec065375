/**
 * Nothing lost on shutdown, the way platforms shut a replica down during a rolling update: a real
 * server process — the image's entrypoint `bin/serve.ts`, compiled as the image compiles it (here
 * bundled with esbuild, so a round pays for the server's start, not the TypeScript loader's) —
 * under keep-alive load from 64 clients (undici fetch, one connection each, one request after
 * another), SIGTERM, repeated for many rounds. (sigterm.test.ts runs `servingstack serve` itself.) Every request
 * that was written must get a complete answer — 2xx, or 503 with Retry-After (the clients honour
 * it) — and the only connection errors allowed are connections refused (or reset while connecting,
 * before anything was written) after the signal, once the listener has closed.
 *
 * The grace period and drain timeout are shortened (0.4 s / 5 s) to keep the rounds quick; the
 * mechanism is the same as with the defaults.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { Agent, fetch } from 'undici';
import { breastCancerRows, freePort, MODELS, ROOT, waitFor } from './helpers';

const ROUNDS = Number(process.env.SIGTERM_ROUNDS ?? 20);
const CLIENTS = 64;
const SPAWN_AHEAD = 3;
/** Load before the signal, once every client has had an answer (the machine may be loaded). */
const LOAD_BEFORE_SIGTERM_MS = 300;

jest.setTimeout(ROUNDS * 12_000 + 30_000);

interface Served {
  readonly child: ChildProcess;
  readonly url: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  readonly out: { stdout: string; stderr: string };
}

/** The compiled entrypoint and its worker, under node_modules so their imports resolve. */
const BUILD = path.join(ROOT, 'node_modules', '.cache', `servingstack-serve-${process.pid}`);
beforeAll(() => {
  buildSync({ entryPoints: { serve: 'bin/serve.ts', worker: 'lib/runtime/worker.ts' }, absWorkingDir: ROOT, bundle: true, platform: 'node', target: 'node20', format: 'cjs', outdir: BUILD, packages: 'external', logLevel: 'warning' });
});
afterAll(() => fs.rmSync(BUILD, { recursive: true, force: true }));

async function serve(): Promise<Served> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [path.join(BUILD, 'serve.js'), 'serve', '--model-dir', MODELS.breastCancer, '--port', String(port), '--host', '127.0.0.1', '--workers', '1', '--log-level', process.env.SIGTERM_DEBUG ? 'info' : 'warn'],
    {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_ENV: 'production',
        SERVINGSTACK_SHUTDOWN_GRACE_MS: '400',
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
  // Polled without keeping a connection open: an idle keep-alive connection is held until the drain deadline.
  const ready = await waitFor(async () => (await fetch(`${url}/v2/health/ready`, { headers: { connection: 'close' } })).status === 200, 60_000, 100);
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

/** The error's code; `REFUSED` when the connection failed before the request could be written. */
function errorCode(e: unknown): string {
  const err = e as { code?: string; cause?: { code?: string; message?: string; syscall?: string } };
  if (err.cause?.syscall === 'connect' || err.cause?.code === 'ECONNREFUSED') return 'REFUSED';
  return err.cause?.code ?? err.code ?? err.cause?.message ?? String(e);
}

/**
 * One keep-alive client with its own connection (an undici Agent limited to one connection per
 * origin): requests back to back until told to stop, waiting Retry-After on a 503.
 */
async function client(url: string, body: string, tally: Tally, stop: { now: boolean; signalled: boolean; wake: Promise<void> }): Promise<void> {
  const dispatcher = new Agent({ connections: 1, pipelining: 1 });
  let previous = 'none';
  let sentAt = 0;
  while (!stop.now) {
    try {
      sentAt = Date.now();
      const r = await fetch(`${url}/v2/models/breast-cancer/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, dispatcher });
      const text = await r.text();
      previous = `${r.status} ${r.headers.get('connection')}`;
      if (r.status === 200 && text.includes('"outputs"')) tally.ok++;
      else if (r.status === 503 && r.headers.get('retry-after') !== null) {
        tally.retryAfter503++;
        const wait = Math.min(5, Number(r.headers.get('retry-after'))) * 1000;
        await Promise.race([new Promise((res) => setTimeout(res, wait)), stop.wake]);
      } else tally.bad[`${r.status} ${text.slice(0, 80)}`] = (tally.bad[`${r.status} ${text.slice(0, 80)}`] ?? 0) + 1;
    } catch (e) {
      const code = errorCode(e);
      if (code === 'REFUSED' && stop.signalled) {
        tally.refused++;
        await Promise.race([new Promise((res) => setTimeout(res, 20)), stop.wake]);
      } else {
        tally.lost[code] = (tally.lost[code] ?? 0) + 1;
        if (process.env.SIGTERM_DEBUG) process.stdout.write(`lost ${code} at ${Date.now() - (globalThis as { t0?: number }).t0!} ms (sent at ${sentAt - (globalThis as { t0?: number }).t0!}, previous ${previous}) ${(e as { cause?: { message?: string } }).cause?.message}\n`);
        previous = `error ${code}`;
      }
    }
  }
  await dispatcher.destroy();
}

test(`${ROUNDS} rounds of SIGTERM under load from ${CLIENTS} keep-alive clients: every written request is answered, the process exits 0`, async () => {
  const row = breastCancerRows()[0].features;
  const body = JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 30], data: row }] });
  const total: Tally = { ok: 0, retryAfter503: 0, refused: 0, lost: {}, bad: {} };
  const rounds: { ok: number; lost: number; exitMs: number; code: number | null }[] = [];
  // Servers start ahead of their round (starting one costs seconds of wall time on a loaded machine).
  const ahead: Promise<Served>[] = [];
  const refill = (next: number): void => {
    while (ahead.length < SPAWN_AHEAD && next + ahead.length < ROUNDS) ahead.push(serve());
  };
  refill(0);
  try {
  for (let round = 0; round < ROUNDS; round++) {
    const tWait = Date.now();
    const s = await ahead.shift()!;
    const waitedMs = Date.now() - tWait;
    refill(round + 1);
    const tally: Tally = { ok: 0, retryAfter503: 0, refused: 0, lost: {}, bad: {} };
    let wakeAll: () => void = () => undefined;
    const stop = { now: false, signalled: false, wake: new Promise<void>((res) => (wakeAll = res)) };
    try {
      const clients = Array.from({ length: CLIENTS }, () => client(s.url, body, tally, stop));
      expect(await waitFor(() => tally.ok >= CLIENTS, 30_000, 10)).toBe(true);
      await new Promise((res) => setTimeout(res, LOAD_BEFORE_SIGTERM_MS));
      const okBeforeSignal = tally.ok;
      const t0 = Date.now();
      (globalThis as { t0?: number }).t0 = t0;
      stop.signalled = true;
      s.child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const exit = await Promise.race([s.exited, new Promise<'timeout'>((res) => (timer = setTimeout(() => res('timeout'), 30_000)))]);
      clearTimeout(timer);
      stop.now = true;
      wakeAll();
      await Promise.all(clients);
      if (exit === 'timeout') throw new Error(`round ${round}: no exit within 30 s of SIGTERM\n${s.out.stdout.slice(-2000)}\n${s.out.stderr.slice(-2000)}`);
      expect(okBeforeSignal).toBeGreaterThan(CLIENTS); // the server was under load when the signal came
      if (process.env.SIGTERM_DEBUG && Object.keys(tally.lost).length) process.stdout.write(`waited ${waitedMs} ms for the server, load ${t0 - tWait - waitedMs} ms, clients done ${Date.now() - t0} ms after SIGTERM\nt0=${t0}\n${s.out.stdout.split('\n').filter((l) => /draining|listener|stopped|shutdown|drain timeout/.test(l)).join('\n')}\n`);
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
  } finally {
    // Servers started for rounds that did not run (a round failed).
    await Promise.all(ahead.map((p) => p.then((s) => void s.child.kill('SIGKILL'), () => undefined)));
  }
  process.stdout.write(`SIGTERM rounds: ${JSON.stringify({ total, rounds })}\n`);
  expect({ lost: total.lost, bad: total.bad }).toEqual({ lost: {}, bad: {} });
  expect(rounds.every((r) => r.code === 0)).toBe(true);
  // Inside SageMaker's and Kubernetes' 30 s window, with room to spare at these settings.
  expect(Math.max(...rounds.map((r) => r.exitMs))).toBeLessThan(15_000);
  expect(total.ok).toBeGreaterThan(ROUNDS * CLIENTS);
});
