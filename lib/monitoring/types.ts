/**
 * The baseline format (`baseline.json` in a model package, named by the manifest's `baseline`).
 * Documented in docs/monitoring.md; validated by `validateBaseline` (baseline.ts).
 *
 * Numeric features: frozen quantile bin edges `edges` (ascending, edges[0] = baseline min,
 * edges[last] = baseline max) give `edges.length - 1` inner bins plus an underflow bin (x < min)
 * and an overflow bin (x > max): `expected` has `edges.length + 1` shares in that order
 * (underflow, inner…, overflow). Categorical features: the baseline's top-K values plus "other":
 * `expected` has `values.length + 1` shares (other last).
 */

export const BASELINE_SCHEMA_VERSION = 1;

/** Tolerance on the sum of shares. */
export const SHARE_SUM_TOLERANCE = 1e-6;

export interface NumericDistribution {
  readonly kind: 'numeric';
  readonly edges: readonly number[];
  readonly expected: readonly number[];
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly std: number;
}

export interface CategoricalDistribution {
  readonly kind: 'categorical';
  readonly values: readonly string[];
  readonly expected: readonly number[];
}

export type Distribution = NumericDistribution | CategoricalDistribution;

export interface FeatureBaseline {
  /** Feature name (from the CSV header, the manifest or `f<i>`). */
  readonly name: string;
  /** Model input the feature is read from, and its column (index along the last dimension). */
  readonly input: string;
  readonly column: number;
  /** Share of rows where the value was missing (NaN / null) in the baseline data. */
  readonly missingRate: number;
  readonly distribution: Distribution;
}

export interface PredictionBaseline {
  /** Model output the prediction is read from. */
  readonly output: string;
  /** For classifiers: predicted class = argmax over the output's last dimension (or the value itself for a label output). */
  readonly mode: 'class' | 'value';
  readonly distribution: Distribution;
}

/**
 * Drift thresholds calibrated for a window size: the `quantile` of the largest per-feature PSI (and
 * JS divergence) over `rounds` windows of `windowRows` rows resampled from the baseline data, i.e.
 * the scores no-drift traffic reaches in about (1 − quantile) of windows per statistic.
 */
export interface BaselineThresholds {
  readonly windowRows: number;
  readonly psi: number;
  readonly jsDivergenceLog2: number;
  readonly quantile: number;
  readonly rounds: number;
}

export interface Baseline {
  readonly schemaVersion: number;
  readonly rowCount: number;
  readonly task: 'classification' | 'regression' | 'other';
  readonly features: readonly FeatureBaseline[];
  readonly prediction?: PredictionBaseline;
  /** Class shares of the labels in the baseline data, when labels were given (classification). */
  readonly labels?: CategoricalDistribution;
  readonly source?: { readonly uri: string; readonly sha256: string };
  /** Calibrated drift thresholds (`servingstack baseline --window-rows`). */
  readonly thresholds?: BaselineThresholds;
}
