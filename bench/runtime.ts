/**
 * `npm run bench:runtime`: the runtime against its ceiling and its limit, side by side in one run.
 * Prints a table and writes bench/results/runtime.json with machine info.
 *
 * - ceiling: a bare node:http server answering a constant JSON at the same concurrency;
 * - limit: ONNX Runtime in-process on the same worker pool size, at the best batch size;
 * - runtime: tiny and MLP models, V2 JSON, V2 binary and SageMaker JSON, concurrency 1/16/64/256;
 * - overload, monitoring on/off, and SIGTERM under load (requests lost: must be 0).
 * The load generator (autocannon, in this process) shares the 2 cores with the server, so CPU
 * efficiency (rows per server CPU-second, read from /proc) is compared as well as raw rates.
 */
import { ChildProcess, execFileSync, fork, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import autocannon from 'autocannon';
import { sigtermRound, SigtermRound } from './sigterm';

const ROOT = path.resolve(__dirname, '..');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const WARMUP_SECONDS = 1;
const CONCURRENCY = [1, 16, 64, 256];
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
const MLP = path.join(ROOT, 'examples/models/mlp-bench');
const TINY = path.join(ROOT, 'examples/models/tiny');
const BC = path.join(ROOT, 'examples/models/breast-cancer');
const SIGTERM_ROUNDS = Number(process.env.BENCH_SIGTERM_ROUNDS ?? 3);

interface LoadResult {
  requestsPerSecond: number;
  rowsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  statusCounts: Record<string, number>;
  okP99Ms: number;
  rejectedP99Ms: number;
  rejectedMaxMs: number;
  serverCpuSeconds: number;
  rowsPerServerCpuSecond: number;
  maxRssMiB: number;
  errors: number;
}

interface Row extends Partial<LoadResult> {
  scenario: string;
  concurrency?: number;
  note?: string;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function procCpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // utime + stime
}

function procRssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function waitFor(url: string, timeoutMs: number): Promise<number> {
  const start = performance.now();
  for (;;) {
    try {
      const r = await fetch(url);
      if (r.status === 200) return performance.now() - start;
    } catch {
      /* not listening yet */
    }
    if (performance.now() - start > timeoutMs) throw new Error(`${url} not ready after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

interface Server {
  proc: ChildProcess;
  url: string;
  spawnToReadyMs: number;
  stop(): Promise<void>;
}

async function startRuntime(modelDir: string, env: Record<string, string> = {}, port = 18180): Promise<Server> {
  const t0 = performance.now();
  const proc = spawn(process.execPath, [path.join(ROOT, 'dist/bin/servingstack.js'), 'serve', '--model-dir', modelDir, '--port', String(port), '--host', '127.0.0.1'], {
    env: { ...process.env, SERVINGSTACK_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}/v2/health/ready`, 30_000);
  const spawnToReadyMs = performance.now() - t0;
  return { proc, url, spawnToReadyMs, stop: () => stopProc(proc) };
}

/** SIGINT: stop without the shutdown grace period (the SIGTERM scenario measures that). */
function stopProc(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    proc.once('exit', () => resolve());
    proc.kill('SIGINT');
  });
}

async function startBare(): Promise<Server> {
  const proc = fork(path.join(__dirname, 'bare-server.js'), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve) => proc.once('message', (m: { port: number }) => resolve(m.port)));
  return { proc, url: `http://127.0.0.1:${port}`, spawnToReadyMs: NaN, stop: () => stopProc(proc) };
}

interface RequestSpec {
  path: string;
  headers: Record<string, string>;
  body: string | Buffer;
  rowsPerRequest: number;
}

async function load(server: Server, spec: RequestSpec, connections: number, seconds = SECONDS): Promise<LoadResult> {
  const opts = { url: server.url + spec.path, method: 'POST' as const, headers: spec.headers, body: spec.body, connections, pipelining: 1 };
  await autocannon({ ...opts, duration: WARMUP_SECONDS });
  const latOk: number[] = [];
  const latRejected: number[] = [];
  const all: number[] = [];
  const statusCounts: Record<string, number> = {};
  let maxRss = 0;
  const pid = server.proc.pid!;
  const rssTimer = setInterval(() => {
    maxRss = Math.max(maxRss, procRssMiB(pid));
  }, 100);
  const cpu0 = procCpuSeconds(pid);
  const result = await autocannon({
    ...opts,
    duration: seconds,
    setupClient: (client) => {
      client.on('response', (status: number, _bytes: number, ms: number) => {
        statusCounts[status] = (statusCounts[status] ?? 0) + 1;
        all.push(ms);
        if (status === 200) latOk.push(ms);
        else latRejected.push(ms);
      });
    },
  });
  const cpu = procCpuSeconds(pid) - cpu0;
  clearInterval(rssTimer);
  maxRss = Math.max(maxRss, procRssMiB(pid));
  all.sort((a, b) => a - b);
  latOk.sort((a, b) => a - b);
  latRejected.sort((a, b) => a - b);
  const ok = statusCounts['200'] ?? 0;
  const rps = all.length / seconds;
  return {
    requestsPerSecond: rps,
    rowsPerSecond: (ok * spec.rowsPerRequest) / seconds,
    p50Ms: percentile(all, 50),
    p99Ms: percentile(all, 99),
    statusCounts,
    okP99Ms: percentile(latOk, 99),
    rejectedP99Ms: percentile(latRejected, 99),
    rejectedMaxMs: latRejected.length ? latRejected[latRejected.length - 1] : NaN,
    serverCpuSeconds: cpu,
    rowsPerServerCpuSecond: cpu > 0 ? (ok * spec.rowsPerRequest) / cpu : NaN,
    maxRssMiB: maxRss,
    errors: result.errors + result.timeouts,
  };
}

function ortLimit(modelFile: string, batch: number, workers: number, width: number): { rowsPerSecond: number; rowsPerCpuSecond: number } {
  const out = execFileSync(process.execPath, [path.join(__dirname, 'ort-limit.js'), modelFile, String(batch), String(workers), String(SECONDS), String(width)], { cwd: ROOT }).toString();
  const r = JSON.parse(out.trim().split('\n').pop()!) as { rows: number; wallSeconds: number; cpuSeconds: number };
  return { rowsPerSecond: r.rows / r.wallSeconds, rowsPerCpuSecond: r.rows / r.cpuSeconds };
}


function v2Json(name: string, width: number): RequestSpec {
  const data = Array.from({ length: width }, (_, i) => (i % 13) / 13);
  return { path: `/v2/models/${name}/infer`, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ inputs: [{ name: 'input', shape: [1, width], datatype: 'FP32', data }] }), rowsPerRequest: 1 };
}

function v2Binary(name: string, width: number): RequestSpec {
  const bytes = Buffer.from(new Float32Array(width).map((_, i) => (i % 13) / 13).buffer);
  const header = Buffer.from(JSON.stringify({ inputs: [{ name: 'input', shape: [1, width], datatype: 'FP32', parameters: { binary_data_size: bytes.length } }], parameters: { binary_data_output: true } }));
  return {
    path: `/v2/models/${name}/infer`,
    headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(header.length) },
    body: Buffer.concat([header, bytes]),
    rowsPerRequest: 1,
  };
}

function sagemakerJson(width: number): RequestSpec {
  const data = Array.from({ length: width }, (_, i) => (i % 13) / 13);
  return { path: '/invocations', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ instances: [data] }), rowsPerRequest: 1 };
}

async function main(): Promise<void> {
  if (!fs.existsSync(path.join(ROOT, 'dist/bin/servingstack.js'))) throw new Error('run `npm run build` first (npm run bench:runtime does)');
  const workers = Number(process.env.SERVINGSTACK_WORKERS ?? Math.max(1, os.availableParallelism()));
  const loadAtStart = os.loadavg().map((l) => Number(l.toFixed(2)));
  const rows: Row[] = [];
  const log = (r: Row): void => {
    rows.push(r);
    const f = (n: number | undefined, d = 1): string => (n === undefined || Number.isNaN(n) ? '-' : n.toFixed(d));
    process.stdout.write(
      `${r.scenario.padEnd(34)} c=${String(r.concurrency ?? '-').padEnd(4)} req/s ${f(r.requestsPerSecond, 0).padStart(7)}  rows/s ${f(r.rowsPerSecond, 0).padStart(7)}  p50 ${f(r.p50Ms, 2).padStart(7)} ms  p99 ${f(r.p99Ms, 2).padStart(7)} ms  rows/cpu-s ${f(r.rowsPerServerCpuSecond, 0).padStart(7)}  rss ${f(r.maxRssMiB, 0).padStart(4)} MiB ${r.note ?? ''}\n`,
    );
  };

  // 1. Ceiling
  const bare = await startBare();
  for (const c of CONCURRENCY) log({ scenario: 'ceiling: bare node:http', concurrency: c, ...(await load(bare, v2Json('tiny', 4), c)) });
  await bare.stop();

  // 2. Limit (in-process ONNX Runtime, same worker count)
  const limits: Record<number, { rowsPerSecond: number; rowsPerCpuSecond: number }> = {};
  for (const b of [1, 16, 64]) {
    limits[b] = ortLimit(path.join(MLP, 'model.onnx'), b, workers, 256);
    log({ scenario: `limit: ORT in-process MLP batch ${b}`, rowsPerSecond: limits[b].rowsPerSecond, rowsPerServerCpuSecond: limits[b].rowsPerCpuSecond });
  }
  const bestLimit = Object.values(limits).reduce((a, b) => (b.rowsPerCpuSecond > a.rowsPerCpuSecond ? b : a));

  // 3. Runtime: tiny model
  const spawnTimes: number[] = [];
  for (let i = 0; i < 5; i++) {
    const s = await startRuntime(TINY, {}, 18190 + i);
    spawnTimes.push(s.spawnToReadyMs);
    await s.stop();
  }
  spawnTimes.sort((a, b) => a - b);
  const spawnToReadyMs = spawnTimes[2];
  log({ scenario: 'runtime: tiny spawn-to-ready (median of 5)', note: `${spawnToReadyMs.toFixed(0)} ms` });
  const tiny = await startRuntime(TINY);
  const tinyRows: Record<number, LoadResult> = {};
  for (const c of CONCURRENCY) {
    tinyRows[c] = await load(tiny, v2Json('tiny', 4), c);
    log({ scenario: 'runtime: tiny V2 JSON', concurrency: c, ...tinyRows[c] });
  }
  await tiny.stop();

  // 4. Runtime: MLP
  const mlp = await startRuntime(MLP);
  const mlpBinary: Record<number, LoadResult> = {};
  for (const c of CONCURRENCY) log({ scenario: 'runtime: MLP V2 JSON', concurrency: c, ...(await load(mlp, v2Json('mlp-bench', 256), c)) });
  for (const c of CONCURRENCY) {
    mlpBinary[c] = await load(mlp, v2Binary('mlp-bench', 256), c);
    log({ scenario: 'runtime: MLP V2 binary', concurrency: c, ...mlpBinary[c] });
  }
  for (const c of CONCURRENCY) log({ scenario: 'runtime: MLP SageMaker JSON', concurrency: c, ...(await load(mlp, sagemakerJson(256), c)) });
  await mlp.stop();

  // 5. Dynamic batching vs batch-1 serving, same load
  const mlp1 = await startRuntime(MLP, { SERVINGSTACK_MAX_BATCH_SIZE: '1' });
  const unbatched = await load(mlp1, v2Binary('mlp-bench', 256), 64);
  log({ scenario: 'runtime: MLP V2 binary, batching off', concurrency: 64, ...unbatched });
  await mlp1.stop();

  // 6. Monitoring overhead: the breast-cancer classifier (30 features, baseline in its package)
  //    with monitoring on and off, same load, alternating runs so drift in machine load hits both.
  const bcRow = fs.readFileSync(path.join(ROOT, 'examples/data/breast_cancer.csv'), 'utf8').split('\n')[1].split(',').slice(0, 30).map(Number);
  const bcSpec: RequestSpec = { path: '/v2/models/breast-cancer/infer', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ inputs: [{ name: 'input', shape: [1, 30], datatype: 'FP32', data: bcRow }] }), rowsPerRequest: 1 };
  const hasBaseline = Boolean((JSON.parse(fs.readFileSync(path.join(BC, 'servingstack.json'), 'utf8')) as { baseline?: string }).baseline);
  let monitoringRatio = NaN;
  if (hasBaseline) {
    const on: number[] = [];
    const off: number[] = [];
    for (let round = 0; round < 5; round++) {
      for (const monitoring of ['true', 'false']) {
        const srv = await startRuntime(BC, { SERVINGSTACK_MONITORING: monitoring, SERVINGSTACK_MONITORING_WINDOW_SECONDS: '5' }, 18200 + round);
        const r = await load(srv, bcSpec, 64);
        (monitoring === 'true' ? on : off).push(r.requestsPerSecond);
        log({ scenario: `runtime: breast-cancer monitoring ${monitoring === 'true' ? 'on' : 'off'}`, concurrency: 64, ...r });
        await srv.stop();
      }
    }
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    monitoringRatio = median(on) / median(off);
  }

  // 7. Overload: 4x the saturating concurrency against a queue sized for the saturating load
  const best = Math.max(...CONCURRENCY.map((c) => mlpBinary[c].requestsPerSecond));
  const saturating = CONCURRENCY.find((c) => mlpBinary[c].requestsPerSecond >= 0.9 * best)!;
  const overloadC = saturating * 4;
  const mlpQ = await startRuntime(MLP, { SERVINGSTACK_MAX_QUEUE_SIZE: String(saturating) });
  const atSaturation = await load(mlpQ, v2Binary('mlp-bench', 256), saturating);
  log({ scenario: 'runtime: MLP binary, queue = sat. load', concurrency: saturating, ...atSaturation });
  const overload = await load(mlpQ, v2Binary('mlp-bench', 256), overloadC);
  log({ scenario: 'runtime: MLP binary, 4x saturating load', concurrency: overloadC, ...overload, note: `status ${JSON.stringify(overload.statusCounts)} ok p99 ${overload.okP99Ms.toFixed(2)} ms, rejected p99 ${overload.rejectedP99Ms.toFixed(2)} ms` });
  await mlpQ.stop();

  // 8. SIGTERM under load: requests written but never answered (must be 0)
  const sigterm: SigtermRound[] = [];
  for (let round = 0; round < SIGTERM_ROUNDS; round++) {
    const r = await sigtermRound(ROOT, BC, 'breast-cancer', bcSpec.body as string, 18300 + round);
    sigterm.push(r);
    log({ scenario: 'runtime: SIGTERM under load (64 clients)', concurrency: 64, note: `ok ${r.ok}, 503 ${r.draining503}, refused after close ${r.refused}, lost ${r.lost}${r.lost ? ` ${JSON.stringify(r.lostByCode)}` : ''}, exit ${r.exitCode} after ${r.exitMs} ms` });
  }
  const lostRequests = sigterm.reduce((n, r) => n + r.lost, 0);

  const ceiling64 = rows.find((r) => r.scenario.startsWith('ceiling') && r.concurrency === 64)!;
  // Zero-overhead bound for one row per request: the model's in-process CPU cost plus bare HTTP's.
  const bound = 1 / (1 / bestLimit.rowsPerCpuSecond + 1 / ceiling64.rowsPerServerCpuSecond!);
  const bars = [
    { bar: 'tiny V2 JSON c=64: req/s >= 0.6 x bare node:http', value: tinyRows[64].requestsPerSecond / ceiling64.requestsPerSecond!, target: 0.6, higherIsBetter: true, detail: `${tinyRows[64].requestsPerSecond.toFixed(0)} / ${ceiling64.requestsPerSecond!.toFixed(0)} req/s` },
    { bar: 'tiny V2 JSON c=16: p99 <= 5 ms', value: tinyRows[16].p99Ms, target: 5, higherIsBetter: false, detail: '' },
    {
      bar: 'MLP binary 1 row/req c=64: rows per server CPU-s >= 0.8 x zero-overhead bound',
      value: mlpBinary[64].rowsPerServerCpuSecond / bound,
      target: 0.8,
      higherIsBetter: true,
      detail: `${mlpBinary[64].rowsPerServerCpuSecond.toFixed(0)} / ${bound.toFixed(0)} (limit ${bestLimit.rowsPerCpuSecond.toFixed(0)}, ceiling ${ceiling64.rowsPerServerCpuSecond!.toFixed(0)} per CPU-s); raw ${mlpBinary[64].rowsPerSecond.toFixed(0)} rows/s`,
    },
    { bar: 'dynamic batching >= 3x batch-1 serving (MLP binary c=64, rows/s)', value: mlpBinary[64].rowsPerSecond / unbatched.rowsPerSecond, target: 3, higherIsBetter: true, detail: `${mlpBinary[64].rowsPerSecond.toFixed(0)} / ${unbatched.rowsPerSecond.toFixed(0)} rows/s` },
    { bar: 'monitoring on >= 0.95 x off (breast-cancer c=64, median of alternating rounds)', value: monitoringRatio, target: 0.95, higherIsBetter: true, detail: '' },
    { bar: `overload (c=${overloadC}, 4x saturating): rejections p99 <= 5 ms`, value: overload.rejectedP99Ms, target: 5, higherIsBetter: false, detail: `status ${JSON.stringify(overload.statusCounts)}, server RSS ${overload.maxRssMiB.toFixed(0)} MiB` },
    { bar: 'overload: accepted p99 <= 2 x p99 at saturation', value: overload.okP99Ms / atSaturation.p99Ms, target: 2, higherIsBetter: false, detail: `${overload.okP99Ms.toFixed(1)} / ${atSaturation.p99Ms.toFixed(1)} ms` },
    { bar: 'overload: server RSS <= 250 MiB', value: overload.maxRssMiB, target: 250, higherIsBetter: false, detail: '' },
    { bar: 'RSS under load (MLP) <= 250 MiB', value: Math.max(...Object.values(mlpBinary).map((r) => r.maxRssMiB)), target: 250, higherIsBetter: false, detail: '' },
    { bar: 'spawn-to-ready (tiny, median of 5) <= 1000 ms', value: spawnToReadyMs, target: 1000, higherIsBetter: false, detail: '' },
    { bar: `SIGTERM under load: requests lost = 0 (${SIGTERM_ROUNDS} rounds, 64 clients)`, value: lostRequests, target: 0, higherIsBetter: false, detail: `exit after ${Math.max(...sigterm.map((r) => r.exitMs))} ms at most (grace 1 s)` },
  ].map((b) => ({ ...b, met: Number.isNaN(b.value) ? false : b.higherIsBetter ? b.value >= b.target : b.value <= b.target }));
  process.stdout.write('\nBars\n');
  process.stdout.write(`| ${'Bar'.padEnd(82)} | ${'Value'.padStart(9)} | ${'Target'.padStart(6)} | Met  | Detail\n`);
  process.stdout.write(`|${'-'.repeat(84)}|${'-'.repeat(11)}|${'-'.repeat(8)}|------|-------\n`);
  for (const b of bars) process.stdout.write(`| ${b.bar.padEnd(82)} | ${b.value.toFixed(3).padStart(9)} | ${String(b.target).padStart(6)} | ${b.met ? 'MET ' : 'MISS'} | ${b.detail}\n`);

  const machine = {
    os: `${os.type()} ${os.release()}`,
    arch: os.arch(),
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    memoryGiB: Number((os.totalmem() / 1024 ** 3).toFixed(1)),
    node: process.version,
    workers,
    secondsPerRun: SECONDS,
    // The machine may be shared: the load average says how much else was running.
    loadAverageAtStart: loadAtStart,
    loadAverageAtEnd: os.loadavg().map((l) => Number(l.toFixed(2))),
  };
  const out = path.join(ROOT, 'bench/results/runtime.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), machine, rows: rows.map((r) => ({ ...r, ...(r.requestsPerSecond !== undefined ? { p50Ms: r.p50Ms, p99Ms: r.p99Ms } : {}) })), bars, spawnToReadyMs: spawnTimes, limits, zeroOverheadBound: bound, sigterm }, null, 2));
  process.stdout.write(`\nwrote ${path.relative(ROOT, out)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
