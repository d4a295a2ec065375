/**
 * Seeded synthetic drift generators (monitoring.md §6), implemented from their definitions with
 * mulberry32 (not bit-exact with MOA or River): SEA concepts, rotating hyperplane, and covariate
 * shift of a real data set (bootstrap rows, selected features shifted by δ·σ).
 */

import { mulberry32 } from '../core/random';

export { mulberry32 };

export interface LabeledSample {
  readonly x: number[];
  readonly y: number;
}

/** SEA thresholds θ of concepts f1…f4 (Street & Kim 2001; River variants 0–3). */
export const SEA_THETAS = { 1: 8, 2: 9, 3: 7, 4: 9.5 } as const;
export type SeaConcept = keyof typeof SEA_THETAS;

export interface SeaOptions {
  readonly seed: number;
  /** @default 1 (θ = 8) */
  readonly concept?: SeaConcept;
  /** Label flip probability. @default 0.1 (MOA's default; River's is 0) */
  readonly noise?: number;
}

/**
 * SEA concepts: x₁, x₂, x₃ ~ U[0, 10); y = 1 iff x₁ + x₂ > θ, flipped with probability `noise`.
 * Each sample draws exactly four numbers (x₁, x₂, x₃, the flip), so two generators with the same
 * seed and different concepts see the same features and the same flips.
 */
export class SeaGenerator {
  private readonly random: () => number;
  private theta: number;
  private readonly noise: number;

  constructor(o: SeaOptions) {
    this.random = mulberry32(o.seed);
    this.theta = SEA_THETAS[o.concept ?? 1];
    this.noise = o.noise ?? 0.1;
  }

  /** Switch concept (abrupt drift). */
  public setConcept(c: SeaConcept): void {
    this.theta = SEA_THETAS[c];
  }

  public get threshold(): number {
    return this.theta;
  }

  public next(): LabeledSample {
    const x = [this.random() * 10, this.random() * 10, this.random() * 10];
    let y = x[0]! + x[1]! > this.theta ? 1 : 0;
    if (this.random() < this.noise) y = 1 - y;
    return { x, y };
  }
}

export interface HyperplaneOptions {
  readonly seed: number;
  /** @default 10 */
  readonly dimensions?: number;
  /** Attributes whose weights drift (the first k). @default 2 */
  readonly numDriftAttributes?: number;
  /** Weight change per instance for drifting attributes. @default 0 (no drift) */
  readonly magChange?: number;
  /** Probability per instance and attribute that the drift direction reverses. @default 0.1 */
  readonly sigmaPercentage?: number;
  /** Label flip probability. @default 0.05 */
  readonly noise?: number;
}

/**
 * Rotating hyperplane (Hulten et al. 2001): xᵢ ~ U[0, 1); y = 1 iff Σ wᵢxᵢ ≥ ½ Σ wᵢ (flipped with
 * probability `noise`); wᵢ ~ U[0, 1) initially. After each instance the first k weights move by
 * σᵢ·magChange, and each σᵢ reverses with probability sigmaPercentage (σᵢ starts at +1).
 */
export class HyperplaneGenerator {
  private readonly random: () => number;
  private readonly w: number[];
  private readonly sigma: number[];
  private readonly d: number;
  private readonly k: number;
  private mag: number;
  private readonly sigmaPercentage: number;
  private readonly noise: number;

  constructor(o: HyperplaneOptions) {
    this.random = mulberry32(o.seed);
    this.d = o.dimensions ?? 10;
    this.k = Math.min(o.numDriftAttributes ?? 2, this.d);
    this.mag = o.magChange ?? 0;
    this.sigmaPercentage = o.sigmaPercentage ?? 0.1;
    this.noise = o.noise ?? 0.05;
    this.w = Array.from({ length: this.d }, () => this.random());
    this.sigma = Array.from({ length: this.d }, (_, i) => (i < this.k ? 1 : 0));
  }

  public get weights(): readonly number[] {
    return [...this.w];
  }

  /** Start (or stop, with 0) the rotation. */
  public setMagChange(m: number): void {
    this.mag = m;
  }

  /** The noise-free label of x under weights w. */
  public static classify(w: readonly number[], x: readonly number[]): number {
    let s = 0;
    let total = 0;
    for (let i = 0; i < w.length; i++) {
      s += w[i]! * x[i]!;
      total += w[i]!;
    }
    return s >= 0.5 * total ? 1 : 0;
  }

  public next(): LabeledSample {
    const x = Array.from({ length: this.d }, () => this.random());
    let y = HyperplaneGenerator.classify(this.w, x);
    if (this.random() < this.noise) y = 1 - y;
    if (this.mag !== 0) {
      for (let i = 0; i < this.k; i++) {
        this.w[i]! += this.sigma[i]! * this.mag;
        if (this.random() < this.sigmaPercentage) this.sigma[i] = -this.sigma[i]!;
      }
    }
    return { x, y };
  }
}

/** Population standard deviation of each column. */
export function columnStd(rows: readonly (readonly number[])[]): number[] {
  const m = rows[0]?.length ?? 0;
  const out: number[] = [];
  for (let j = 0; j < m; j++) {
    let s = 0;
    for (const r of rows) s += r[j]!;
    const mean = s / rows.length;
    let v = 0;
    for (const r of rows) v += (r[j]! - mean) ** 2;
    out.push(Math.sqrt(v / rows.length));
  }
  return out;
}

/** Copy of `rows` with each feature in `features` shifted by δ·σⱼ (σ = column std of `rows` unless given). */
export function covariateShift(rows: readonly (readonly number[])[], features: readonly number[], delta: number, sigma: readonly number[] = columnStd(rows)): number[][] {
  return rows.map((r) => {
    const out = [...r];
    for (const j of features) out[j] = out[j]! + delta * sigma[j]!;
    return out;
  });
}

export interface CovariateShiftStreamOptions {
  readonly seed: number;
  /** Feature columns shifted after the change. */
  readonly features: readonly number[];
  /** Shift in standard deviations. */
  readonly delta: number;
}

/**
 * A stream over a real data set: rows drawn uniformly with replacement (bootstrap); once
 * `drift(true)` is called, the selected features are shifted by δ·σ (σ = the data set's column std).
 */
export class CovariateShiftStream {
  private readonly random: () => number;
  private readonly sigma: number[];
  private drifting = false;

  constructor(
    private readonly rows: readonly (readonly number[])[],
    private readonly o: CovariateShiftStreamOptions,
  ) {
    this.random = mulberry32(o.seed);
    this.sigma = columnStd(rows);
  }

  public drift(on: boolean): void {
    this.drifting = on;
  }

  public next(): number[] {
    const r = [...this.rows[Math.floor(this.random() * this.rows.length)]!];
    if (this.drifting) for (const j of this.o.features) r[j] = r[j]! + this.o.delta * this.sigma[j]!;
    return r;
  }
}
