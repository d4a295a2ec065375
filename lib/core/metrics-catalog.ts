/**
 * The one catalogue of metric names the runtime exports. Dashboards and alert rules on every
 * target are generated from it, so a renamed metric cannot silently break a dashboard.
 */
import { ThresholdGroup, Thresholds } from './contract/thresholds';

export type MetricKind = 'counter' | 'gauge' | 'histogram';

export interface MetricDefinition {
  /** Prometheus name (unit suffix included). */
  readonly name: string;
  readonly kind: MetricKind;
  readonly help: string;
  readonly labels: readonly string[];
  /** Unit for CloudWatch EMF (`Seconds`, `Count`, `Bytes`, `None`). */
  readonly emfUnit: 'Seconds' | 'Milliseconds' | 'Count' | 'Bytes' | 'None';
  /** Histogram buckets, where kind is histogram. */
  readonly buckets?: readonly number[];
}

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096];

export const RUNTIME_METRICS = {
  requests: {
    name: 'servingstack_requests_total',
    kind: 'counter',
    help: 'HTTP requests answered, by route, status code and model.',
    labels: ['route', 'status', 'model'],
    emfUnit: 'Count',
  },
  requestDuration: {
    name: 'servingstack_request_duration_seconds',
    kind: 'histogram',
    help: 'Time from request received to response sent.',
    labels: ['route', 'model'],
    emfUnit: 'Seconds',
    buckets: LATENCY_BUCKETS,
  },
  queueDuration: {
    name: 'servingstack_queue_duration_seconds',
    kind: 'histogram',
    help: 'Time a request waited in the batching queue before its batch started.',
    labels: ['model'],
    emfUnit: 'Seconds',
    buckets: LATENCY_BUCKETS,
  },
  computeDuration: {
    name: 'servingstack_compute_duration_seconds',
    kind: 'histogram',
    help: 'Time of one model execution (one batch): ONNX Runtime session.run in the worker thread.',
    labels: ['model'],
    emfUnit: 'Seconds',
    buckets: LATENCY_BUCKETS,
  },
  batchSize: {
    name: 'servingstack_batch_size_rows',
    kind: 'histogram',
    help: 'Rows per model execution.',
    labels: ['model'],
    emfUnit: 'Count',
    buckets: BATCH_BUCKETS,
  },
  inferenceRows: {
    name: 'servingstack_inference_rows_total',
    kind: 'counter',
    help: 'Rows (batch elements) inferred.',
    labels: ['model'],
    emfUnit: 'Count',
  },
  rejected: {
    name: 'servingstack_rejected_requests_total',
    kind: 'counter',
    help: 'Requests refused before inference, by reason (queue_full, timeout, not_ready, draining).',
    labels: ['model', 'reason'],
    emfUnit: 'Count',
  },
  queueDepth: {
    name: 'servingstack_queue_depth',
    kind: 'gauge',
    help: 'Requests waiting in the batching queue.',
    labels: ['model'],
    emfUnit: 'Count',
  },
  inflight: {
    name: 'servingstack_inflight_requests',
    kind: 'gauge',
    help: 'Inference requests accepted and not yet answered.',
    labels: [],
    emfUnit: 'Count',
  },
  modelLoadDuration: {
    name: 'servingstack_model_load_duration_seconds',
    kind: 'gauge',
    help: 'Time the last load of a model took, warm-up included.',
    labels: ['model'],
    emfUnit: 'Seconds',
  },
  modelReady: {
    name: 'servingstack_model_ready',
    kind: 'gauge',
    help: '1 when the model is loaded and warmed up, else 0.',
    labels: ['model'],
    emfUnit: 'None',
  },
  // --- Model monitoring (published when a drift window closes or a label arrives) ---------------
  driftPsi: {
    name: 'servingstack_drift_psi',
    kind: 'gauge',
    help: 'Population stability index of a feature (or "prediction") over the last closed window against the baseline bins.',
    labels: ['model', 'feature'],
    emfUnit: 'None',
  },
  driftJsDivergence: {
    name: 'servingstack_drift_js_divergence_log2',
    kind: 'gauge',
    help: 'Jensen-Shannon divergence (log base 2, range 0-1) of a feature over the last closed window against the baseline.',
    labels: ['model', 'feature'],
    emfUnit: 'None',
  },
  driftLInfinity: {
    name: 'servingstack_drift_linf',
    kind: 'gauge',
    help: 'L-infinity distance of a categorical feature over the last closed window against the baseline.',
    labels: ['model', 'feature'],
    emfUnit: 'None',
  },
  featureMissingRate: {
    name: 'servingstack_feature_missing_rate',
    kind: 'gauge',
    help: 'Share of rows in the last closed window where the feature was missing (NaN/null).',
    labels: ['model', 'feature'],
    emfUnit: 'None',
  },
  featureOutOfRangeRate: {
    name: 'servingstack_feature_out_of_range_rate',
    kind: 'gauge',
    help: "Share of present values in the last closed window outside the baseline's [min, max].",
    labels: ['model', 'feature'],
    emfUnit: 'None',
  },
  driftedFeatures: {
    name: 'servingstack_drifted_features',
    kind: 'gauge',
    help: 'Features at or above the drift thresholds in the last closed window.',
    labels: ['model'],
    emfUnit: 'Count',
  },
  driftWindowRows: {
    name: 'servingstack_drift_window_rows',
    kind: 'gauge',
    help: 'Rows in the last closed monitoring window.',
    labels: ['model'],
    emfUnit: 'Count',
  },
  modelAccuracy: {
    name: 'servingstack_model_accuracy',
    kind: 'gauge',
    help: 'Rolling accuracy over the last labelled rows (classifiers).',
    labels: ['model'],
    emfUnit: 'None',
  },
  modelPrecision: {
    name: 'servingstack_model_precision',
    kind: 'gauge',
    help: 'Rolling precision (positive class for binary classifiers, macro average otherwise).',
    labels: ['model'],
    emfUnit: 'None',
  },
  modelRecall: {
    name: 'servingstack_model_recall',
    kind: 'gauge',
    help: 'Rolling recall (positive class for binary classifiers, macro average otherwise).',
    labels: ['model'],
    emfUnit: 'None',
  },
  modelF1: {
    name: 'servingstack_model_f1',
    kind: 'gauge',
    help: 'Rolling F1 (positive class for binary classifiers, macro average otherwise).',
    labels: ['model'],
    emfUnit: 'None',
  },
  modelMae: {
    name: 'servingstack_model_mae',
    kind: 'gauge',
    help: 'Rolling mean absolute error over the last labelled rows (regressors).',
    labels: ['model'],
    emfUnit: 'None',
  },
  modelRmse: {
    name: 'servingstack_model_rmse',
    kind: 'gauge',
    help: 'Rolling root mean squared error over the last labelled rows (regressors).',
    labels: ['model'],
    emfUnit: 'None',
  },
  labelledRows: {
    name: 'servingstack_labelled_rows',
    kind: 'gauge',
    help: 'Labelled rows in the rolling performance window.',
    labels: ['model'],
    emfUnit: 'Count',
  },
  conceptDrift: {
    name: 'servingstack_concept_drift_detections_total',
    kind: 'counter',
    help: 'Changes detected on the error stream, by detector (page_hinkley, ddm).',
    labels: ['model', 'detector'],
    emfUnit: 'Count',
  },
  fairnessSelectionRate: {
    name: 'servingstack_fairness_selection_rate',
    kind: 'gauge',
    help: 'Share of rows predicted as the positive class, per group (groups above the minimum count).',
    labels: ['model', 'group'],
    emfUnit: 'None',
  },
  fairnessDemographicParityDifference: {
    name: 'servingstack_fairness_demographic_parity_difference',
    kind: 'gauge',
    help: 'Largest minus smallest group selection rate.',
    labels: ['model'],
    emfUnit: 'None',
  },
  fairnessDisparateImpactRatio: {
    name: 'servingstack_fairness_disparate_impact_ratio',
    kind: 'gauge',
    help: 'Smallest over largest group selection rate (four-fifths rule: alarm below 0.8).',
    labels: ['model'],
    emfUnit: 'None',
  },
  fairnessEqualizedOddsDifference: {
    name: 'servingstack_fairness_equalized_odds_difference',
    kind: 'gauge',
    help: 'Worst-case difference in true or false positive rates between groups (labelled rows).',
    labels: ['model'],
    emfUnit: 'None',
  },
  monitoringSkipped: {
    name: 'servingstack_monitoring_skipped_total',
    kind: 'counter',
    help: 'Feedback or fairness inputs skipped or refused, by reason (unknown_id, expired_id, bad_label, row_mismatch, group_missing, already_labelled, invalid_token, expired_token, wrong_model, missing_token, unknown_model, no_key).',
    labels: ['model', 'reason'],
    emfUnit: 'Count',
  },
} as const satisfies Record<string, MetricDefinition>;

/**
 * The runtime's fixed drift bands (used when a baseline has no calibrated thresholds), and the
 * model-quality alarm defaults, which now live in the threshold vocabulary.
 * @deprecated alarm thresholds: use `Thresholds` (lib/core/contract), the one vocabulary of every target.
 */
export const MONITORING_THRESHOLDS = {
  /** PSI at or above: significant drift (practitioner convention, monitoring.md §4). */
  psi: 0.25,
  /** Jensen-Shannon divergence (log2) at or above. */
  jsDivergenceLog2: 0.1,
  /** Disparate impact ratio below: four-fifths rule. */
  disparateImpactRatio: Thresholds.defaultOf(ThresholdGroup.MODEL_QUALITY, 'minDisparateImpactRatio'),
  /** Demographic parity difference at or above. */
  demographicParityDifference: Thresholds.defaultOf(ThresholdGroup.MODEL_QUALITY, 'maxDemographicParityDifference'),
  /** Accuracy below. */
  minAccuracy: Thresholds.defaultOf(ThresholdGroup.MODEL_QUALITY, 'minAccuracy'),
};

export type RuntimeMetricKey = keyof typeof RUNTIME_METRICS;

/** CloudWatch namespace used by the runtime's Embedded Metric Format output. */
export const EMF_NAMESPACE = 'ServingStack/Runtime';
