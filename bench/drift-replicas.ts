/**
 * bench:drift across replicas (issue 15):
 * - quality counts: labels spread at random over 2 and 4 replicas (predictions on one replica,
 *   the label on any, as prediction tokens allow); accuracy, precision, recall, F1 and fairness
 *   from the counts summed across replicas against one ModelMonitor fed the whole stream;
 * - concept drift per replica: each replica runs its own Page–Hinkley / DDM on the errors of the
 *   labels it receives (what the runtime does), the fleet alarms when any replica does; detection
 *   delay and false-alarm rate beside the single-replica (= aggregated error stream) figures;
 * - throughput with monitoring and signed tokens on vs monitoring off, same run, alternating.
 */
import autocannon from 'autocannon';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { Ddm, PageHinkley } from '../lib/monitoring/detectors';
import { mulberry32 } from '../lib/monitoring/generators';
import { QualityCounts } from '../lib/monitoring/counts';
import { ModelMonitor } from '../lib/monitoring/monitor';
import type { Baseline } from '../lib/monitoring/types';

const ROOT = path.resolve(__dirname, '..');

// ---------------------------------------------------------------------------------------------
// Quality counts summed across replicas

export interface CountsResult {
  replicas: number;
  labelledRows: number;
  figures: Record<string, number | undefined>;
  single: Record<string, number | undefined>;
  maxAbsDifference: number;
}

export function countsAcrossReplicas(baseline: Baseline, rows: readonly number[][], labels: readonly number[], replicas: number, n = 5000, seed = 1): CountsResult {
  const rnd = mulberry32(seed);
  // A fixed, imperfect classifier: mean radius above the median is malignant (0).
  const f0 = rows.map((r) => r[0]!).sort((a, b) => a - b)[Math.floor(rows.length / 2)]!;
  const single = new ModelMonitor('bench', baseline, { windowRows: n + 1, performanceWindow: n, groupAttribute: 'segment', minGroupCount: 30, predictionOutput: { output: 'label', mode: 'value' } });
  const parts = Array.from({ length: replicas }, () => new QualityCounts('classification', '1', 30));
  const pending: { id: string; pred: string; label: number; group: string }[] = [];
  for (let i = 0; i < n; i++) {
    const j = Math.floor(rnd() * rows.length);
    const group = j % 3 === 0 ? 'b' : 'a';
    const pred = rows[j]![0]! > f0 ? '0' : '1';
    // Group b's labels are noisier: the groups' error rates differ.
    const label = group === 'b' && rnd() < 0.2 ? 1 - labels[j]! : labels[j]!;
    const id = `r${i}`;
    single.observe(id, [{ name: 'input', data: rows[j]!, rowSize: rows[j]!.length }], 1, [{ name: 'label', data: [Number(pred)], rowSize: 1 }], group);
    parts[Math.floor(rnd() * replicas)]!.predicted(pred, group);
    pending.push({ id, pred, label, group });
  }
  // Labels arrive late, in another order, each on any replica.
  for (let i = pending.length - 1; i > 0; i--) {
    const k = Math.floor(rnd() * (i + 1));
    [pending[i], pending[k]] = [pending[k]!, pending[i]!];
  }
  for (const p of pending) {
    single.feedback(p.id, p.label);
    parts[Math.floor(rnd() * replicas)]!.labelledRow(p.pred, String(p.label), p.group);
  }
  const total = parts.reduce((acc, c) => acc.add(c), new QualityCounts('classification', '1', 30));
  const pick = (perf: ReturnType<QualityCounts['performance']>, fair: ReturnType<QualityCounts['fairness']>): Record<string, number | undefined> => ({
    accuracy: perf.accuracy,
    precision: perf.precision,
    recall: perf.recall,
    f1: perf.f1,
    demographicParityDifference: fair.demographicParityDifference,
    disparateImpactRatio: fair.disparateImpactRatio,
    equalizedOddsDifference: fair.equalizedOddsDifference,
  });
  const figures = pick(total.performance(), total.fairness());
  const s = pick(single.performance(), single.fairness()!);
  const maxAbsDifference = Math.max(...Object.keys(s).map((k) => (s[k] === undefined || figures[k] === undefined ? (s[k] === figures[k] ? 0 : Infinity) : Math.abs(s[k]! - figures[k]!))));
  return { replicas, labelledRows: total.labelled, figures, single: s, maxAbsDifference };
}

// ---------------------------------------------------------------------------------------------
// Concept drift: detectors per replica

export interface ErrorStreamLike {
  next(): number;
  drift(): void;
}

export interface ReplicaDriftResult {
  scenario: string;
  detector: string;
  replicas: number;
  combination: string;
  falseAlarmsPer1000: number;
  misses: number;
  seeds: number;
  delayMedianRequests: number | null;
}

export function driftAcrossReplicas(
  scenario: string,
  stream: (seed: number) => ErrorStreamLike,
  detector: string,
  make: () => { update(x: number): boolean },
  replicas: number,
  o: { seeds: number; pre: number; horizon: number; block: number },
): ReplicaDriftResult {
  let falseAlarms = 0;
  let pre = 0;
  let misses = 0;
  const delays: number[] = [];
  for (let seed = 1; seed <= o.seeds; seed++) {
    const st = stream(seed);
    const dets = Array.from({ length: replicas }, make);
    const route = mulberry32(seed * 104_729);
    const t0 = o.pre + Math.floor(mulberry32(seed * 7919)() * o.block);
    pre += t0;
    let detected = false;
    // Replicas scale with the fleet: the change must be found within the horizon per replica.
    const horizon = o.horizon * replicas;
    for (let t = 0; t < t0 + horizon; t++) {
      if (t === t0) st.drift();
      const r = Math.floor(route() * replicas);
      if (dets[r]!.update(st.next())) {
        if (t < t0) {
          falseAlarms++;
          dets[r] = make(); // an alarmed replica restarts its detector
        } else {
          delays.push(t + 1 - t0);
          detected = true;
          break;
        }
      }
    }
    if (!detected) misses++;
  }
  delays.sort((a, b) => a - b);
  return {
    scenario,
    detector,
    replicas,
    combination: replicas === 1 ? 'single replica (= one detector on the aggregated error stream)' : 'a detector per replica on its labels; the fleet alarms when any replica does',
    falseAlarmsPer1000: (falseAlarms / pre) * 1000,
    misses,
    seeds: o.seeds,
    delayMedianRequests: delays.length ? delays[Math.floor(delays.length / 2)]! : null,
  };
}

export function detectorsFor(lambda: number): [string, () => { update(x: number): boolean }][] {
  return [
    ['page-hinkley (calibrated)', () => new PageHinkley({ threshold: lambda })],
    ['ddm (defaults)', () => new Ddm()],
  ];
}

// ---------------------------------------------------------------------------------------------
// Throughput: monitoring + signed tokens on vs monitoring off

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function serve(env: Record<string, string>): Promise<{ proc: ChildProcess; url: string }> {
  const port = await freePort();
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bin/servingstack.ts'), 'serve', '--model-dir', path.join(ROOT, 'examples/models/breast-cancer'), '--port', String(port), '--host', '127.0.0.1'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production', SERVINGSTACK_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const end = Date.now() + 60_000;
  while (Date.now() < end) {
    try {
      if ((await fetch(`${url}/v2/health/ready`)).status === 200) return { proc, url };
    } catch {
      /* starting */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  proc.kill('SIGKILL');
  throw new Error('bench server never became ready');
}

function stop(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    proc.once('exit', () => resolve());
    proc.kill('SIGINT');
  });
}

export interface ThroughputResult {
  rounds: number;
  secondsPerRun: number;
  connections: number;
  onRequestsPerSecond: number[];
  offRequestsPerSecond: number[];
  ratioOfMedians: number;
  target: number;
}

export async function throughputTokens(rounds = 3, seconds = 5, connections = 16): Promise<ThroughputResult> {
  const row = fs.readFileSync(path.join(ROOT, 'examples/data/breast_cancer.csv'), 'utf8').split('\n')[1]!.split(',').slice(0, 30).map(Number);
  const body = JSON.stringify({ instances: [row], parameters: { segment: 'a' } });
  const on: number[] = [];
  const off: number[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const monitoring of [true, false]) {
      const env: Record<string, string> = monitoring
        ? { SERVINGSTACK_MONITORING: 'true', SERVINGSTACK_FEEDBACK_KEY: 'bench-key-0123456789abcdef0123456789abcdef', SERVINGSTACK_FAIRNESS_GROUP: 'segment' }
        : { SERVINGSTACK_MONITORING: 'false' };
      const srv = await serve(env);
      const check = await fetch(`${srv.url}/invocations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      if (monitoring !== (check.headers.get('x-servingstack-prediction-token') !== null)) throw new Error('tokens are not as configured');
      const opts = { url: `${srv.url}/invocations`, method: 'POST' as const, headers: { 'content-type': 'application/json' }, body, connections, pipelining: 1 };
      await autocannon({ ...opts, duration: 1 });
      const r = await autocannon({ ...opts, duration: seconds });
      (monitoring ? on : off).push(r.requests.total / seconds);
      await stop(srv.proc);
    }
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return { rounds, secondsPerRun: seconds, connections, onRequestsPerSecond: on, offRequestsPerSecond: off, ratioOfMedians: median(on) / median(off), target: 0.95 };
}
