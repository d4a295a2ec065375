/**
 * Constant-memory counts of one monitoring window: per feature, counts over the baseline's frozen
 * bins (numeric) or top-K values + other (categorical), plus missing and out-of-range counts.
 * Windows from several workers or pods merge by adding counts.
 */
import { numericBin } from './baseline';
import { jsDivergenceLog2, lInfinity, psi, shares } from './stats';
import type { Distribution } from './types';

export class DistributionCounter {
  public readonly counts: Float64Array;
  public missing = 0;
  public total = 0;
  private readonly index?: Map<string, number>;
  private readonly edges?: readonly number[];

  /**
   * @param float32 the values arrive as float32 (an FP32 model input): compare them with the
   *   edges rounded to float32 too, so a value equal to an edge in the (float64) baseline data
   *   lands in the same bin at run time.
   */
  constructor(
    public readonly distribution: Distribution,
    float32 = false,
  ) {
    if (distribution.kind === 'numeric') {
      this.counts = new Float64Array(distribution.edges.length + 1);
      this.edges = float32 ? distribution.edges.map((e) => Math.fround(e)) : distribution.edges;
    }
    else {
      this.counts = new Float64Array(distribution.values.length + 1);
      this.index = new Map(distribution.values.map((v, i) => [v, i]));
    }
  }

  /** Count one value; NaN, null and undefined count as missing. */
  public add(x: number | string | null | undefined): void {
    this.total++;
    const d = this.distribution;
    if (d.kind === 'numeric') {
      const v = typeof x === 'string' ? Number(x) : x;
      if (v === null || v === undefined || Number.isNaN(v)) {
        this.missing++;
        return;
      }
      this.counts[numericBin(this.edges!, v)]++; // the baseline's binning rule (x = max: last inner bin)
    } else {
      if (x === null || x === undefined || (typeof x === 'number' && Number.isNaN(x))) {
        this.missing++;
        return;
      }
      const i = this.index!.get(String(x));
      this.counts[i ?? this.counts.length - 1]++;
    }
  }

  /** Add another counter's counts (same baseline). */
  public merge(other: DistributionCounter): void {
    if (other.counts.length !== this.counts.length) throw new Error('cannot merge counters of different baselines');
    for (let i = 0; i < this.counts.length; i++) this.counts[i] += other.counts[i];
    this.missing += other.missing;
    this.total += other.total;
  }

  public reset(): void {
    this.counts.fill(0);
    this.missing = 0;
    this.total = 0;
  }

  /** Rows with a value (not missing). */
  public get present(): number {
    return this.total - this.missing;
  }

  public scores(): DriftScores {
    const d = this.distribution;
    const actual = shares(this.counts);
    const expected = [...d.expected];
    const present = this.present;
    const outOfRange = d.kind === 'numeric' && present > 0 ? (this.counts[0] + this.counts[this.counts.length - 1]) / present : 0;
    return {
      rows: this.total,
      psi: present > 0 ? psi(expected, actual) : NaN,
      jsDivergenceLog2: present > 0 ? jsDivergenceLog2(expected, actual) : NaN,
      lInfinity: d.kind === 'categorical' && present > 0 ? lInfinity(expected, actual) : undefined,
      missingRate: this.total > 0 ? this.missing / this.total : 0,
      outOfRangeRate: outOfRange,
      actual,
    };
  }
}

export interface DriftScores {
  readonly rows: number;
  readonly psi: number;
  readonly jsDivergenceLog2: number;
  /** Categorical features only. */
  readonly lInfinity?: number;
  readonly missingRate: number;
  /** Numeric features: share of present values outside the baseline's [min, max]. */
  readonly outOfRangeRate: number;
  readonly actual: readonly number[];
}
