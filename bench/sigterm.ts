/**
 * SIGTERM under load, for `npm run bench:runtime`: the built `servingstack serve` under keep-alive
 * load from 64 clients (undici, one connection each, requests back to back, honouring
 * Retry-After), SIGTERM after a few seconds, repeated. Reports requests written but never
 * answered (must be 0), answers by kind and the time from the signal to exit.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { Agent, fetch } from 'undici';

export interface SigtermRound {
  readonly ok: number;
  readonly draining503: number;
  readonly refused: number;
  readonly lost: number;
  readonly lostByCode: Record<string, number>;
  readonly exitMs: number;
  readonly exitCode: number | null;
}

function code(e: unknown): string {
  const err = e as { code?: string; cause?: { code?: string; syscall?: string } };
  if (err.cause?.syscall === 'connect' || err.cause?.code === 'ECONNREFUSED') return 'REFUSED';
  return err.cause?.code ?? err.code ?? 'unknown';
}

export async function sigtermRound(root: string, modelDir: string, modelName: string, body: string, port: number, opts: { clients?: number; loadMs?: number; graceMs?: number } = {}): Promise<SigtermRound> {
  const clients = opts.clients ?? 64;
  const proc = spawn(process.execPath, [path.join(root, 'dist/bin/servingstack.js'), 'serve', '--model-dir', modelDir, '--port', String(port), '--host', '127.0.0.1'], {
    env: { ...process.env, SERVINGSTACK_LOG_LEVEL: 'warn', SERVINGSTACK_SHUTDOWN_GRACE_MS: String(opts.graceMs ?? 1000), SERVINGSTACK_DRAIN_TIMEOUT_MS: '10000' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<{ code: number | null; at: number }>((resolve) => proc.once('exit', (c) => resolve({ code: c, at: Date.now() })));
  const url = `http://127.0.0.1:${port}`;
  for (const end = Date.now() + 30_000; ; ) {
    try {
      if ((await fetch(`${url}/v2/health/ready`, { headers: { connection: 'close' } })).status === 200) break;
    } catch {
      /* not yet */
    }
    if (Date.now() > end) throw new Error('server not ready');
    await new Promise((r) => setTimeout(r, 20));
  }
  const tally = { ok: 0, draining503: 0, refused: 0, lost: 0, lostByCode: {} as Record<string, number> };
  let stop = false;
  let signalled = false;
  const loop = async (): Promise<void> => {
    const dispatcher = new Agent({ connections: 1, pipelining: 1 });
    while (!stop) {
      try {
        const r = await fetch(`${url}/v2/models/${modelName}/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, dispatcher });
        await r.arrayBuffer();
        if (r.status === 200) tally.ok++;
        else if (r.status === 503 && r.headers.get('retry-after')) {
          tally.draining503++;
          await new Promise((res) => setTimeout(res, Number(r.headers.get('retry-after')) * 1000));
        } else {
          tally.lost++;
          tally.lostByCode[`HTTP ${r.status}`] = (tally.lostByCode[`HTTP ${r.status}`] ?? 0) + 1;
        }
      } catch (e) {
        const c = code(e);
        if (c === 'REFUSED' && signalled) {
          tally.refused++;
          await new Promise((res) => setTimeout(res, 20));
        } else {
          tally.lost++;
          tally.lostByCode[c] = (tally.lostByCode[c] ?? 0) + 1;
        }
      }
    }
    await dispatcher.destroy();
  };
  const loops = Array.from({ length: clients }, loop);
  await new Promise((r) => setTimeout(r, opts.loadMs ?? 3000));
  const t0 = Date.now();
  signalled = true;
  proc.kill('SIGTERM');
  const exit = await exited;
  stop = true;
  await Promise.all(loops);
  return { ...tally, exitMs: exit.at - t0, exitCode: exit.code };
}
