/** Metric names of Vertex AI endpoints and the PromQL runtime metrics are charted with. */
import { MetricDefinition } from '../../../lib/core/metrics-catalog';

/** Vertex AI endpoint metrics (Cloud Monitoring, resource `aiplatform.googleapis.com/Endpoint`). */
export const VERTEX_METRIC_PREFIX = 'aiplatform.googleapis.com/prediction/online/';
export const VERTEX_METRICS = {
  predictionCount: `${VERTEX_METRIC_PREFIX}prediction_count`,
  errorCount: `${VERTEX_METRIC_PREFIX}error_count`,
  predictionLatencies: `${VERTEX_METRIC_PREFIX}prediction_latencies`,
  replicas: `${VERTEX_METRIC_PREFIX}replicas`,
  targetReplicas: `${VERTEX_METRIC_PREFIX}target_replicas`,
  cpuUtilization: `${VERTEX_METRIC_PREFIX}cpu/utilization`,
  memoryBytesUsed: `${VERTEX_METRIC_PREFIX}memory/bytes_used`,
  acceleratorDutyCycle: `${VERTEX_METRIC_PREFIX}accelerator/duty_cycle`,
  networkReceivedBytes: `${VERTEX_METRIC_PREFIX}network/received_bytes_count`,
  networkSentBytes: `${VERTEX_METRIC_PREFIX}network/sent_bytes_count`,
} as const;

/** The PromQL a runtime metric is charted with, by kind. */
export function promQl(m: MetricDefinition): string {
  const by = m.labels.filter((l) => l !== 'le' && l !== 'route').join(', ');
  const grouping = by ? ` by (${by})` : '';
  switch (m.kind) {
    case 'counter':
      return `sum${grouping}(rate(${m.name}[5m]))`;
    case 'histogram':
      return `histogram_quantile(0.99, sum by (le${by ? `, ${by}` : ''})(rate(${m.name}_bucket[5m])))`;
    default:
      return `sum${grouping}(${m.name})`;
  }
}
