/**
 * The one catalogue of metric names the runtime exports. Dashboards and alert rules on every
 * target are generated from it, so a renamed metric cannot silently break a dashboard.
 */

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
} as const satisfies Record<string, MetricDefinition>;

export type RuntimeMetricKey = keyof typeof RUNTIME_METRICS;

/** CloudWatch namespace used by the runtime's Embedded Metric Format output. */
export const EMF_NAMESPACE = 'ServingStack/Runtime';
