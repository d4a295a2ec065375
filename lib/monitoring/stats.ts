/**
 * Distribution distances over the same bins (baseline shares e, current shares a).
 * Names say exactly what is computed (monitoring.md §4): PSI, Jensen–Shannon divergence in log
 * base 2 (range [0, 1]), L-infinity. Empty bins are smoothed to EPSILON for PSI only.
 */

/** Smoothing for empty bins in PSI (Evidently's 1e-4). */
export const PSI_EPSILON = 1e-4;

/** Shares from counts (all zeros stay zeros). */
export function shares(counts: ArrayLike<number>): number[] {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i];
  const out = new Array<number>(counts.length);
  for (let i = 0; i < counts.length; i++) out[i] = total > 0 ? counts[i] / total : 0;
  return out;
}

/** Population stability index: Σ (aᵢ − eᵢ)·ln(aᵢ/eᵢ), empty shares smoothed to PSI_EPSILON. */
export function psi(expected: readonly number[], actual: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.max(expected[i], PSI_EPSILON);
    const a = Math.max(actual[i], PSI_EPSILON);
    sum += (a - e) * Math.log(a / e);
  }
  return sum;
}

/** Jensen–Shannon divergence with log base 2: ½KL(e‖m) + ½KL(a‖m), m = ½(e + a); in [0, 1]. */
export function jsDivergenceLog2(expected: readonly number[], actual: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i];
    const a = actual[i];
    const m = (e + a) / 2;
    if (e > 0) sum += 0.5 * e * Math.log2(e / m);
    if (a > 0) sum += 0.5 * a * Math.log2(a / m);
  }
  return Math.max(0, Math.min(1, sum));
}

/** L-infinity distance: maxᵢ |aᵢ − eᵢ| (Vertex AI's categorical distance). */
export function lInfinity(expected: readonly number[], actual: readonly number[]): number {
  let max = 0;
  for (let i = 0; i < expected.length; i++) max = Math.max(max, Math.abs(actual[i] - expected[i]));
  return max;
}

/** Index of the bin holding x for sorted inner edges: 0 = underflow (< edges[0]), edges.length = overflow (≥ last edge). */
export function binIndex(edges: readonly number[], x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x < edges[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
