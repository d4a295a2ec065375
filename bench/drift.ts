/**
 * Drift-detection benchmark (monitoring.md §7): thresholds calibrated on no-drift streams from
 * separate seeds, then false alarms, detection delay and misses measured on fresh seeds.
 *
 *   npx tsx bench/drift.ts            (writes bench/results/drift.json)
 *   DRIFT_SEEDS=20 npx tsx bench/drift.ts   (quicker, fewer seeds)
 *   DRIFT_THROUGHPUT_ROUNDS=5 DRIFT_THROUGHPUT_SECONDS=5 (tokens on/off runs; DRIFT_SKIP_THROUGHPUT=1 skips)
 *
 * Views:
 * - feature windows: the baseline machinery (bins frozen from a reference, tumbling windows of W
 *   requests, PSI and JS divergence per feature; a window alarms when the max over features of
 *   either exceeds its threshold, each threshold the 99.75th percentile of that max on calibration
 *   windows, so that the two together false-alarm in ≤ 0.5 % of windows);
 * - label windows: the same on the label column (needs labels);
 * - error stream: Page–Hinkley (threshold calibrated, other parameters River's defaults) and DDM
 *   (defaults) on the 0/1 errors of a model fitted to the pre-change concept (needs labels).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadDatasetCsv } from '../scripts/lib/dataset';
import { Cell, categoricalIndex, computeBaseline, numericBin } from '../lib/monitoring/baseline';
import { calibrateThresholds } from '../lib/monitoring/calibration';
import { Ddm, PageHinkley } from '../lib/monitoring/detectors';
import { columnStd, CovariateShiftStream, HyperplaneGenerator, mulberry32, SeaGenerator } from '../lib/monitoring/generators';
import { jsDivergenceLog2, psi } from '../lib/monitoring/stats';
import type { Baseline } from '../lib/monitoring/types';
import { countsAcrossReplicas, detectorsFor, driftAcrossReplicas, throughputTokens } from './drift-replicas';

const SEEDS = Number(process.env.DRIFT_SEEDS ?? 50);
const CAL_SEEDS = Number(process.env.DRIFT_CAL_SEEDS ?? 200);
const CAL_WINDOWS = 40; // windows per calibration stream
const PRE_WINDOWS = 40; // no-drift windows before the change, per measured stream
const HORIZON_WINDOWS = 10; // a change not detected within this many windows is a miss
const QUANTILE = 0.995;
/** Two statistics (PSI, JS) alarm together: each gets half the false-alarm budget (Bonferroni). */
const WINDOW_QUANTILE = 1 - (1 - QUANTILE) / 2;
const BINS = 10;

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const pos = q * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

function summary(xs: number[]): { median: number | null; p25: number | null; p75: number | null; max: number | null } {
  if (xs.length === 0) return { median: null, p25: null, p75: null, max: null };
  return { median: quantile(xs, 0.5), p25: quantile(xs, 0.25), p75: quantile(xs, 0.75), max: Math.max(...xs) };
}

// ---------------------------------------------------------------------------------------------
// Windowed monitor over frozen baseline bins

class WindowMonitor {
  private readonly counts: number[][];
  private readonly lookups: (Map<string, number> | undefined)[];
  private n = 0;

  constructor(
    private readonly baseline: Baseline,
    private readonly window: number,
  ) {
    this.counts = baseline.features.map((f) => new Array<number>(f.distribution.expected.length).fill(0));
    this.lookups = baseline.features.map((f) => (f.distribution.kind === 'categorical' ? categoricalIndex(f.distribution) : undefined));
  }

  /** Add one row; returns the window's max-over-features PSI and JS when the window completes. */
  public push(row: readonly Cell[]): { psi: number; js: number } | undefined {
    const fs_ = this.baseline.features;
    for (let j = 0; j < fs_.length; j++) {
      const v = row[j];
      if (v === null || v === undefined) continue;
      const d = fs_[j]!.distribution;
      const c = this.counts[j]!;
      if (d.kind === 'numeric') c[numericBin(d.edges, v as number)]!++;
      else c[this.lookups[j]!.get(String(v)) ?? c.length - 1]!++;
    }
    if (++this.n < this.window) return undefined;
    let maxPsi = 0;
    let maxJs = 0;
    for (let j = 0; j < fs_.length; j++) {
      const c = this.counts[j]!;
      const total = c.reduce((s, x) => s + x, 0);
      const a = c.map((x) => (total > 0 ? x / total : 0));
      const e = fs_[j]!.distribution.expected;
      maxPsi = Math.max(maxPsi, psi(e, a));
      maxJs = Math.max(maxJs, jsDivergenceLog2(e, a));
      c.fill(0);
    }
    this.n = 0;
    return { psi: maxPsi, js: maxJs };
  }
}

interface RowStream {
  next(): Cell[];
  drift(): void;
}

interface WindowScenario {
  readonly name: string;
  readonly view: string;
  readonly change: string;
  readonly windows: readonly number[];
  /** Population PSI of the change on the monitored column it affects (0: invisible to this view). */
  readonly changePsi: number;
  /** Also measure with the fixed thresholds (PSI 0.25, JS 0.1). */
  readonly fixedToo?: boolean;
  /** Also measure with the thresholds `servingstack baseline` stores (calibrateThresholds on the baseline data). */
  readonly cliCalibration?: (windowRows: number) => { psi: number; js: number };
  /** The baseline the stream of this seed is compared with. */
  baseline(seed: number): Baseline;
  stream(seed: number): RowStream;
}

interface WindowResult {
  scenario: string;
  view: string;
  change: string;
  changePsi: number;
  window: number;
  thresholdKind: string;
  thresholds: { psi: number; js: number };
  calibrationWindows: number;
  preChangeWindows: number;
  falseAlarmWindows: number;
  falseAlarmRate: number;
  seeds: number;
  detected: number;
  detectedWithin2Windows: number;
  misses: number;
  delayRequests: ReturnType<typeof summary>;
  delayWindows: ReturnType<typeof summary>;
}

function runWindowScenario(sc: WindowScenario): WindowResult[] {
  const results: WindowResult[] = [];
  for (const W of sc.windows) {
    // Calibration: max-over-features scores per window on no-drift streams from separate seeds.
    const calPsi: number[] = [];
    const calJs: number[] = [];
    for (let s = 0; s < CAL_SEEDS; s++) {
      const seed = 100_000 + s;
      const mon = new WindowMonitor(sc.baseline(seed), W);
      const st = sc.stream(seed);
      for (let i = 0; i < CAL_WINDOWS * W; i++) {
        const r = mon.push(st.next());
        if (r) {
          calPsi.push(r.psi);
          calJs.push(r.js);
        }
      }
    }
    results.push(measureWindows(sc, W, { psi: quantile(calPsi, WINDOW_QUANTILE), js: quantile(calJs, WINDOW_QUANTILE) }, 'calibrated', calPsi.length));
    if (sc.cliCalibration) results.push(measureWindows(sc, W, sc.cliCalibration(W), 'servingstack baseline (bootstrap)', 400));
    if (sc.fixedToo) results.push(measureWindows(sc, W, { psi: 0.25, js: 0.1 }, 'fixed (PSI 0.25, JS 0.1)', 0));
  }
  return results;
}

function measureWindows(sc: WindowScenario, W: number, thresholds: { psi: number; js: number }, kind: string, calibrationWindows: number): WindowResult {
  const tPsi = thresholds.psi;
  const tJs = thresholds.js;
  // Measurement on fresh seeds: PRE_WINDOWS no-drift windows, then an abrupt change at a random
  // point inside the next window.
  let pre = 0;
  let falseAlarms = 0;
  let misses = 0;
  let within2 = 0;
  const delays: number[] = [];
  for (let seed = 1; seed <= SEEDS; seed++) {
    const mon = new WindowMonitor(sc.baseline(seed), W);
    const st = sc.stream(seed);
    const t0 = PRE_WINDOWS * W + Math.floor(mulberry32(seed * 7919)() * W);
    let detected = false;
    for (let t = 0; t < t0 + HORIZON_WINDOWS * W; t++) {
      if (t === t0) st.drift();
      const r = mon.push(st.next());
      if (!r) continue;
      const end = t + 1;
      const alarm = r.psi > tPsi || r.js > tJs;
      if (end <= t0) {
        pre++;
        if (alarm) falseAlarms++;
      } else if (alarm) {
        const delay = end - t0;
        delays.push(delay);
        if (delay <= 2 * W) within2++;
        detected = true;
        break;
      }
    }
    if (!detected) misses++;
  }
  return {
    scenario: sc.name,
    view: sc.view,
    change: sc.change,
    changePsi: sc.changePsi,
    window: W,
    thresholdKind: kind,
    thresholds: { psi: tPsi, js: tJs },
    calibrationWindows,
    preChangeWindows: pre,
    falseAlarmWindows: falseAlarms,
    falseAlarmRate: falseAlarms / pre,
    seeds: SEEDS,
    detected: SEEDS - misses,
    detectedWithin2Windows: within2,
    misses,
    delayRequests: summary(delays),
    delayWindows: summary(delays.map((d) => d / W)),
  };
}

// ---------------------------------------------------------------------------------------------
// Error-stream detectors

interface ErrorStream {
  next(): number;
  drift(): void;
}

interface ErrorScenario {
  readonly name: string;
  readonly change: string;
  stream(seed: number): ErrorStream;
}

const BLOCK = 1000; // requests per "window" for error-stream false-alarm rates
const ERR_PRE = 10_000;
const ERR_HORIZON = 10_000;
const CAL_BLOCKS = 20;

interface ErrorResult {
  scenario: string;
  change: string;
  detector: string;
  threshold: number | null;
  preChangeRequests: number;
  falseAlarms: number;
  falseAlarmsPer1000: number;
  seedsWithFalseAlarm: number;
  seeds: number;
  detected: number;
  misses: number;
  delayRequests: ReturnType<typeof summary>;
}

/** Page–Hinkley threshold: 99.5th percentile of the statistic's max per 1000-request block on no-drift streams. */
function calibratePageHinkley(sc: ErrorScenario): number {
  const maxima: number[] = [];
  for (let s = 0; s < CAL_SEEDS; s++) {
    const st = sc.stream(100_000 + s);
    const ph = new PageHinkley({ threshold: Infinity });
    for (let b = 0; b < CAL_BLOCKS; b++) {
      let m = 0;
      for (let i = 0; i < BLOCK; i++) {
        ph.update(st.next());
        m = Math.max(m, ph.statistic);
      }
      maxima.push(m);
    }
  }
  return quantile(maxima, QUANTILE);
}

function runErrorDetector(sc: ErrorScenario, detector: string, threshold: number | null, make: () => { update(x: number): boolean }): ErrorResult {
  let falseAlarms = 0;
  let seedsWithFalse = 0;
  let misses = 0;
  let pre = 0;
  const delays: number[] = [];
  for (let seed = 1; seed <= SEEDS; seed++) {
    const st = sc.stream(seed);
    const det = make();
    const t0 = ERR_PRE + Math.floor(mulberry32(seed * 7919)() * BLOCK);
    pre += t0;
    let fa = 0;
    let detected = false;
    for (let t = 0; t < t0 + ERR_HORIZON; t++) {
      if (t === t0) st.drift();
      if (det.update(st.next())) {
        if (t < t0) fa++;
        else {
          delays.push(t + 1 - t0);
          detected = true;
          break;
        }
      }
    }
    falseAlarms += fa;
    if (fa > 0) seedsWithFalse++;
    if (!detected) misses++;
  }
  return {
    scenario: sc.name,
    change: sc.change,
    detector,
    threshold,
    preChangeRequests: pre,
    falseAlarms,
    falseAlarmsPer1000: (falseAlarms / pre) * 1000,
    seedsWithFalseAlarm: seedsWithFalse,
    seeds: SEEDS,
    detected: SEEDS - misses,
    misses,
    delayRequests: summary(delays),
  };
}

function runErrorScenario(sc: ErrorScenario): ErrorResult[] {
  const lambda = calibratePageHinkley(sc);
  return [
    runErrorDetector(sc, 'page-hinkley (calibrated)', lambda, () => new PageHinkley({ threshold: lambda })),
    runErrorDetector(sc, 'page-hinkley (default λ=50)', 50, () => new PageHinkley()),
    runErrorDetector(sc, 'ddm (defaults)', null, () => new Ddm()),
  ];
}

// ---------------------------------------------------------------------------------------------
// Scenarios

const SEA_REFERENCE = 5000;

function seaStream(seed: number): { gen: SeaGenerator; drift(): void } {
  const gen = new SeaGenerator({ seed, concept: 1, noise: 0.1 });
  return { gen, drift: () => gen.setConcept(3) };
}

/** P(y = 1) of SEA with threshold θ and label noise p: the area above x₁ + x₂ = θ in [0, 10)², flipped. */
function seaPositiveShare(theta: number, noise: number): number {
  const below = theta <= 10 ? (theta * theta) / 200 : 1 - ((20 - theta) * (20 - theta)) / 200;
  const p = 1 - below;
  return p * (1 - noise) + (1 - p) * noise;
}

/** PSI of the label distribution between f1 and f3 (10 % noise). */
function seaLabelPsi(): number {
  const a = seaPositiveShare(8, 0.1);
  const b = seaPositiveShare(7, 0.1);
  return psi([a, 1 - a], [b, 1 - b]);
}

/** SEA, feature view: x₁, x₂, x₃ are uniform before and after the change (a concept change). */
const seaFeatures: WindowScenario = {
  name: 'SEA f1→f3',
  view: 'features x1..x3 (PSI/JS windows)',
  change: 'concept θ 8 → 7 (features unchanged)',
  windows: [500, 1000],
  changePsi: 0,
  baseline(seed) {
    const g = new SeaGenerator({ seed: seed + 500_000, concept: 1, noise: 0.1 });
    const rows = Array.from({ length: SEA_REFERENCE }, () => g.next().x);
    return computeBaseline({ rows, featureNames: ['x1', 'x2', 'x3'], inputName: 'input', task: 'classification' }, { bins: BINS });
  },
  stream(seed) {
    const s = seaStream(seed);
    return { next: () => s.gen.next().x, drift: s.drift };
  },
};

/** SEA, label view: the share of class 1 moves from ≈ 0.644 to ≈ 0.704 (with 10 % noise). */
const seaLabels: WindowScenario = {
  name: 'SEA f1→f3',
  view: 'label share (PSI/JS windows)',
  change: 'concept θ 8 → 7',
  windows: [500, 1000, 2000],
  changePsi: seaLabelPsi(),
  baseline(seed) {
    const g = new SeaGenerator({ seed: seed + 500_000, concept: 1, noise: 0.1 });
    const rows = Array.from({ length: SEA_REFERENCE }, () => [g.next().y]);
    return computeBaseline({ rows, featureNames: ['label'], inputName: 'label', task: 'classification' }, { categorical: ['label'] });
  },
  stream(seed) {
    const s = seaStream(seed);
    return { next: () => [s.gen.next().y], drift: s.drift };
  },
};

const seaErrors: ErrorScenario = {
  name: 'SEA f1→f3',
  change: 'concept θ 8 → 7; model = concept f1',
  stream(seed) {
    const s = seaStream(seed);
    return {
      next: () => {
        const { x, y } = s.gen.next();
        return (x[0]! + x[1]! > 8 ? 1 : 0) === y ? 0 : 1;
      },
      drift: s.drift,
    };
  },
};

function hyperplaneErrors(mag: number): ErrorScenario {
  return {
    name: `hyperplane magChange ${mag}`,
    change: `rotation starts (2 of 10 weights, ±${mag}/request, sigma 10 %); model = initial hyperplane`,
    stream(seed) {
      const gen = new HyperplaneGenerator({ seed, dimensions: 10, numDriftAttributes: 2, magChange: 0, sigmaPercentage: 0.1, noise: 0.05 });
      const w0 = gen.weights;
      return {
        next: () => {
          const { x, y } = gen.next();
          return HyperplaneGenerator.classify(w0, x) === y ? 0 : 1;
        },
        drift: () => gen.setMagChange(mag),
      };
    },
  };
}

const breastCancer = loadDatasetCsv(path.join(__dirname, '../examples/data/breast_cancer.csv'));
const bcRows = breastCancer.features.map((r) => [...r]);
const bcNames = bcRows[0]!.map((_, j) => `f${j}`);
const bcBaseline = computeBaseline({ rows: bcRows, featureNames: bcNames, inputName: 'input', task: 'classification' }, { bins: BINS });
const SHIFTED = 0; // f0, mean radius

/** PSI of the whole data set with feature j shifted by δσ, against the baseline's bins. */
function populationPsi(j: number, delta: number): number {
  const d = bcBaseline.features[j]!.distribution;
  if (d.kind !== 'numeric') throw new Error('numeric feature expected');
  const sigma = columnStd(bcRows)[j]!;
  const counts = new Array<number>(d.expected.length).fill(0);
  for (const r of bcRows) counts[numericBin(d.edges, r[j]! + delta * sigma)]!++;
  return psi(
    d.expected,
    counts.map((c) => c / bcRows.length),
  );
}

/** The smallest δ (in σ, to 1e-4) with population PSI ≥ target, by bisection. */
function deltaForPsi(j: number, target: number): number {
  let lo = 0;
  let hi = 3;
  while (hi - lo > 1e-4) {
    const mid = (lo + hi) / 2;
    if (populationPsi(j, mid) >= target) hi = mid;
    else lo = mid;
  }
  return hi;
}

const bcDelta = deltaForPsi(SHIFTED, 0.25);

const bcShift: WindowScenario = {
  name: 'breast-cancer covariate shift',
  view: '30 features (PSI/JS windows)',
  change: `f0 (mean radius) += ${bcDelta.toFixed(3)}σ (population PSI ${populationPsi(SHIFTED, bcDelta).toFixed(3)})`,
  windows: [100, 250, 500, 1000],
  changePsi: populationPsi(SHIFTED, bcDelta),
  fixedToo: true,
  cliCalibration: (W) => {
    const t = calibrateThresholds(bcBaseline, bcRows, { windowRows: W });
    return { psi: t.psi, js: t.jsDivergenceLog2 };
  },
  baseline: () => bcBaseline,
  stream(seed) {
    const s = new CovariateShiftStream(bcRows, { seed, features: [SHIFTED], delta: bcDelta });
    return { next: () => s.next(), drift: () => s.drift(true) };
  },
};

// ---------------------------------------------------------------------------------------------

function fmt(x: number | null, d = 0): string {
  return x === null ? '-' : x.toFixed(d);
}

async function main(): Promise<void> {
  const started = Date.now();
  const windowResults = [bcShift, seaFeatures, seaLabels].flatMap((sc) => runWindowScenario(sc));
  const errorScenarios = [seaErrors, hyperplaneErrors(0.01), hyperplaneErrors(0.001)];
  const errorResults = errorScenarios.flatMap((sc) => runErrorScenario(sc));
  // Across replicas (issue 15): counts summed, detectors per replica, tokens' throughput cost.
  const bcLabels = breastCancer.labels.map((l) => Number(l));
  const countsResults = [1, 2, 4].map((k) => countsAcrossReplicas(bcBaseline, bcRows, bcLabels, k));
  const replicaDrift = errorScenarios.flatMap((sc) => {
    const lambda = errorResults.find((r) => r.scenario === sc.name && r.detector === 'page-hinkley (calibrated)')!.threshold!;
    return detectorsFor(lambda).flatMap(([name, make]) => [1, 2, 4].map((k) => driftAcrossReplicas(sc.name, (seed) => sc.stream(seed), name, make, k, { seeds: SEEDS, pre: ERR_PRE, horizon: ERR_HORIZON, block: BLOCK })));
  });
  const throughput = process.env.DRIFT_SKIP_THROUGHPUT ? undefined : await throughputTokens(Number(process.env.DRIFT_THROUGHPUT_ROUNDS ?? 5), Number(process.env.DRIFT_THROUGHPUT_SECONDS ?? 5));
  const seconds = (Date.now() - started) / 1000;

  const lines: string[] = [];
  lines.push(`Drift detection: ${SEEDS} measured seeds, ${CAL_SEEDS} calibration seeds; windowed thresholds = ${(WINDOW_QUANTILE * 100).toFixed(2)}th percentile of PSI and of JS (union ≈ ${(QUANTILE * 100).toFixed(1)}th); Page–Hinkley λ = ${QUANTILE * 100}th percentile of the per-${BLOCK}-request max; bars: ≤ 1 % false-alarm windows, detection within 2 windows, 0 misses`);
  lines.push(`breast-cancer: δ for population PSI 0.25 on f0 = ${bcDelta.toFixed(4)} σ`);
  lines.push('');
  lines.push('Windowed (frozen baseline bins; alarm when max-over-features PSI or JS exceeds its calibrated threshold)');
  const wh = ['scenario', 'view', 'change PSI', 'W', 'thresholds', 'thr PSI', 'thr JS', 'false alarms', 'rate', 'within 2W', 'misses', 'delay median [IQR] (req)', 'bars'];
  const wrows = windowResults.map((r) => {
    // The 2-window bar applies to changes of PSI ≥ 0.25; a change this view cannot see is "blind".
    const pass = r.falseAlarmRate <= 0.01 && r.misses === 0 && (r.changePsi < 0.25 || r.detectedWithin2Windows === r.seeds);
    return [
      r.scenario,
      r.view,
      r.changePsi.toFixed(3),
      String(r.window),
      r.thresholdKind,
      r.thresholds.psi.toFixed(4),
      r.thresholds.js.toFixed(4),
      `${r.falseAlarmWindows}/${r.preChangeWindows}`,
      `${(r.falseAlarmRate * 100).toFixed(2)}%`,
      `${r.detectedWithin2Windows}/${r.seeds}`,
      String(r.misses),
      `${fmt(r.delayRequests.median)} [${fmt(r.delayRequests.p25)}–${fmt(r.delayRequests.p75)}]`,
      r.changePsi === 0 ? 'blind (expected)' : pass ? 'PASS' : 'fail',
    ];
  });
  lines.push(...table([wh, ...wrows]));
  lines.push('');
  lines.push(`Error stream (0/1 errors of the pre-change model; change at ${ERR_PRE}+U[0,${BLOCK}), horizon ${ERR_HORIZON}; false-alarm rate per ${BLOCK} requests)`);
  const eh = ['scenario', 'detector', 'λ', 'false alarms', 'per 1000 req', 'seeds w/ FA', 'misses', 'delay median [IQR] (req)', 'bars'];
  const erows = errorResults.map((r) => [
    r.scenario,
    r.detector,
    r.threshold === null ? '-' : r.threshold.toFixed(2),
    String(r.falseAlarms),
    r.falseAlarmsPer1000.toFixed(4),
    `${r.seedsWithFalseAlarm}/${r.seeds}`,
    String(r.misses),
    `${fmt(r.delayRequests.median)} [${fmt(r.delayRequests.p25)}–${fmt(r.delayRequests.p75)}]`,
    r.falseAlarmsPer1000 <= 0.01 && r.misses === 0 ? 'PASS' : 'fail',
  ]);
  lines.push(...table([eh, ...erows]));
  lines.push('');
  lines.push('Labels spread over replicas at random (predictions on one replica, the label on any): figures from counts summed across replicas vs one monitor on the whole stream');
  const ch = ['replicas', 'labelled', 'accuracy', 'F1', 'DPD', 'DIR', 'EOD', 'max |Δ| vs single', 'bars'];
  lines.push(
    ...table([
      ch,
      ...countsResults.map((r) => [String(r.replicas), String(r.labelledRows), ...['accuracy', 'f1', 'demographicParityDifference', 'disparateImpactRatio', 'equalizedOddsDifference'].map((k) => fmt(r.figures[k] ?? null, 4)), r.maxAbsDifference.toExponential(1), r.maxAbsDifference <= 1e-12 ? 'PASS' : 'fail']),
    ]),
  );
  lines.push('');
  lines.push(`Concept drift across replicas (labels routed at random; horizon ${ERR_HORIZON} × replicas). Combination: each replica runs its own detectors on the labels it receives; the fleet alarms when any replica does. A detector on the aggregated error stream would equal the 1-replica row.`);
  const rh = ['scenario', 'detector', 'replicas', 'FA per 1000 req', 'misses', 'delay median (req)', 'delay × single'];
  lines.push(
    ...table([
      rh,
      ...replicaDrift.map((r) => {
        const one = replicaDrift.find((x) => x.scenario === r.scenario && x.detector === r.detector && x.replicas === 1)!;
        return [r.scenario, r.detector, String(r.replicas), r.falseAlarmsPer1000.toFixed(4), `${r.misses}/${r.seeds}`, fmt(r.delayMedianRequests), r.delayMedianRequests && one.delayMedianRequests ? (r.delayMedianRequests / one.delayMedianRequests).toFixed(2) : '-'];
      }),
    ]),
  );
  if (throughput) {
    lines.push('');
    lines.push(`Throughput, /invocations 1 row, ${throughput.connections} connections, ${throughput.rounds} alternating rounds of ${throughput.secondsPerRun} s: monitoring + signed tokens on ${throughput.onRequestsPerSecond.map((x) => x.toFixed(0)).join('/')} req/s vs monitoring off ${throughput.offRequestsPerSecond.map((x) => x.toFixed(0)).join('/')} req/s; ratio of medians ${throughput.ratioOfMedians.toFixed(3)} (target ≥ ${throughput.target}: ${throughput.ratioOfMedians >= throughput.target ? 'PASS' : 'fail'})`);
  }
  lines.push(`load: loadavg ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} on ${os.cpus().length} cores (a shared machine: quote a quiet run)`);
  lines.push('', `${seconds.toFixed(1)} s`);
  process.stdout.write(`${lines.join('\n')}\n`);

  const out = {
    generatedAt: new Date().toISOString(),
    machine: { os: `${os.type()} ${os.release()} ${os.arch()}`, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', node: process.version },
    settings: { seeds: SEEDS, calibrationSeeds: CAL_SEEDS, calibrationWindows: CAL_WINDOWS, preChangeWindows: PRE_WINDOWS, horizonWindows: HORIZON_WINDOWS, quantile: QUANTILE, windowQuantile: WINDOW_QUANTILE, bins: BINS, errorBlock: BLOCK, errorPreChange: ERR_PRE, errorHorizon: ERR_HORIZON },
    breastCancer: { shiftedFeature: 'f0', delta: bcDelta, populationPsi: populationPsi(SHIFTED, bcDelta) },
    windowed: windowResults,
    errorStream: errorResults,
    replicas: { counts: countsResults, conceptDrift: replicaDrift, throughput },
    loadAverage: os.loadavg(),
    seconds,
  };
  const dir = path.join(__dirname, 'results');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'drift.json'), `${JSON.stringify(out, null, 2)}\n`);
  process.stdout.write(`wrote ${path.relative(process.cwd(), path.join(dir, 'drift.json'))}\n`);
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => `  ${r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ')}`.trimEnd());
}

void main();
