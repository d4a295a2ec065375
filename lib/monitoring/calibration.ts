/**
 * Drift thresholds calibrated for a window size by resampling the baseline data.
 */
import { IssueCollector } from '../core/errors';
import { mulberry32 } from '../core/random';
import { binOf, categoricalIndex, categoryOf, isMissing } from './baseline';
import { jsDivergenceLog2, psi, shares } from './stats';
import { Baseline, BaselineThresholds } from './types';
import type { Cell } from './baseline';

export interface CalibrationOptions {
  /** Rows per monitoring window the thresholds are for. @default 1000 */
  readonly windowRows?: number;
  /** Resampled no-drift windows. @default 400 */
  readonly rounds?: number;
  /** Quantile of the per-window maximum over features, per statistic. @default 0.9975 (≈ 0.5 % false-alarm windows for PSI or JS together) */
  readonly quantile?: number;
  /** @default 1 */
  readonly seed?: number;
}

/**
 * Calibrate drift thresholds for a window size by resampling windows (with replacement) from the
 * baseline data itself: for each window, the largest PSI and JS divergence over the features; the
 * thresholds are the `quantile` of those maxima. Fixed bands (PSI 0.25) ignore that PSI's noise
 * grows with bins × features and shrinks with window size (monitoring.md §4); calibrated values
 * hold the false-alarm rate instead. Resampling the baseline sample does not include the error
 * of the baseline's own shares: with small baselines, allow a margin (bench:drift measures it).
 */
export function calibrateThresholds(baseline: Baseline, rows: readonly (readonly Cell[])[], options: CalibrationOptions = {}): BaselineThresholds {
  const windowRows = options.windowRows ?? 1000;
  const rounds = options.rounds ?? 400;
  const q = options.quantile ?? 0.9975;
  const issues = new IssueCollector();
  issues.check(Number.isInteger(windowRows) && windowRows >= 10 && windowRows <= 10_000_000, { field: 'windowRows', message: 'must be a whole number from 10', received: windowRows, allowed: '10…10000000' });
  issues.check(Number.isInteger(rounds) && rounds >= 20 && rounds <= 100_000, { field: 'rounds', message: 'must be a whole number from 20', received: rounds, allowed: '20…100000' });
  issues.check(q > 0.5 && q < 1, { field: 'quantile', message: 'must be between 0.5 and 1', received: q, allowed: '(0.5, 1)' });
  issues.check(rows.length > 0, { field: 'rows', message: 'is empty', received: 0, allowed: 'the baseline data' });
  issues.throwIfAny('SS_ERR_BASELINE_OPTIONS', 'Threshold calibration options are invalid');
  // Pre-bin every row once; windows then only count bin indexes.
  const feats = baseline.features.map((f) => {
    const lookup = f.distribution.kind === 'categorical' ? categoricalIndex(f.distribution) : undefined;
    const bins = rows.map((r) => {
      const v = r[f.column];
      if (lookup) return isMissing(v) ? -1 : (lookup.get(categoryOf(v as number | string)) ?? f.distribution.expected.length - 1);
      return binOf(f.distribution, v);
    });
    return { expected: [...f.distribution.expected], bins };
  });
  const rng = mulberry32(options.seed ?? 1);
  const psiMax: number[] = [];
  const jsMax: number[] = [];
  const picks = new Uint32Array(windowRows);
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < windowRows; i++) picks[i] = Math.floor(rng() * rows.length);
    let pMax = 0;
    let jMax = 0;
    for (const f of feats) {
      const counts = new Array<number>(f.expected.length).fill(0);
      for (let i = 0; i < windowRows; i++) {
        const b = f.bins[picks[i]];
        if (b >= 0) counts[b]++;
      }
      const actual = shares(counts);
      if (counts.every((c) => c === 0)) continue;
      pMax = Math.max(pMax, psi(f.expected, actual));
      jMax = Math.max(jMax, jsDivergenceLog2(f.expected, actual));
    }
    psiMax.push(pMax);
    jsMax.push(jMax);
  }
  const at = (xs: number[]): number => {
    const sorted = [...xs].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  };
  const round6 = (x: number): number => Number(x.toPrecision(6));
  return { windowRows, psi: round6(at(psiMax)), jsDivergenceLog2: round6(at(jsMax)), quantile: q, rounds };
}
