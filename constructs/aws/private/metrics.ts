/** Where SageMaker publishes an endpoint's metrics, and with which dimensions. */
import * as cw from 'aws-cdk-lib/aws-cloudwatch';

/** Invocation, latency and async metrics. */
export const SAGEMAKER_NAMESPACE = 'AWS/SageMaker';
/** Instance metrics (CPU, GPU, memory, disk). */
export const INSTANCE_NAMESPACE = '/aws/sagemaker/Endpoints';
/** Async backlog metrics carry only the `EndpointName` dimension. */
const ENDPOINT_ONLY_METRICS = new Set(['ApproximateBacklogSize', 'ApproximateBacklogSizePerInstance', 'HasBacklogWithoutCapacity', 'ApproximateAgeOfOldestRequest']);

/** The namespace of a SageMaker endpoint metric: instance metrics end in `Utilization`. */
export function namespaceOf(metricName: string): string {
  return /Utilization$/.test(metricName) ? INSTANCE_NAMESPACE : SAGEMAKER_NAMESPACE;
}

/** One metric of an endpoint variant (or of the endpoint, for the async backlog metrics). */
export function endpointMetric(endpointName: string, variantName: string | undefined, metricName: string, options: cw.MetricOptions = {}): cw.Metric {
  const endpointOnly = ENDPOINT_ONLY_METRICS.has(metricName) || variantName === undefined;
  return new cw.Metric({
    namespace: namespaceOf(metricName),
    metricName,
    dimensionsMap: endpointOnly ? { EndpointName: endpointName } : { EndpointName: endpointName, VariantName: variantName },
    ...options,
  });
}
