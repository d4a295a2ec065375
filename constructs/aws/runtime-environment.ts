/**
 * Settings of the ServingStack runtime on SageMaker, passed to its container as `SERVINGSTACK_*`
 * variables from the runtime's environment catalogue (lib/core/contract). The rendering lives in
 * private/runtime-environment.ts.
 */
import { Duration, Size } from 'aws-cdk-lib';

/** Settings of the ServingStack runtime, passed to its container as `SERVINGSTACK_*` variables. */
export interface RuntimeSettings {
  /**
   * Largest batch the runtime forms (`SERVINGSTACK_MAX_BATCH_SIZE`).
   * @default - the manifest's `batching.maxBatchSize` (runtime default 32)
   */
  readonly maxBatchSize?: number;
  /**
   * How long a request may wait for others to join its batch (`SERVINGSTACK_MAX_QUEUE_DELAY_MICROSECONDS`).
   * @default - the manifest's `batching.maxQueueDelayMicroseconds` (runtime default 0)
   */
  readonly maxQueueDelay?: Duration;
  /**
   * Requests allowed to wait in the queue before the runtime answers 503 with `Retry-After`
   * (`SERVINGSTACK_MAX_QUEUE_SIZE`; never 429, see the container contract).
   * @default - the runtime's default, 1024
   */
  readonly maxQueueSize?: number;
  /**
   * Inference worker threads (`SERVINGSTACK_WORKERS`).
   * @default - the runtime's default (one per vCPU)
   */
  readonly workers?: number;
  /**
   * Per-request timeout (`SERVINGSTACK_REQUEST_TIMEOUT_MS`). Real-time SageMaker endpoints give up after 60 s.
   * @default - the runtime's default
   */
  readonly requestTimeout?: Duration;
  /**
   * Largest request body (`SERVINGSTACK_BODY_LIMIT_BYTES`).
   * @default - 6 MiB for real-time endpoints, 4 MiB for serverless, 1 GiB for asynchronous endpoints
   */
  readonly bodyLimit?: Size;
  /**
   * ONNX Runtime execution providers in order of preference (`SERVINGSTACK_EXECUTION_PROVIDERS`).
   * @default - `cuda,cpu` on GPU instances, the runtime's default (cpu) elsewhere
   */
  readonly executionProviders?: readonly string[];
  /**
   * Log level (`SERVINGSTACK_LOG_LEVEL`).
   * @default - the runtime's default (info)
   */
  readonly logLevel?: string;
  /**
   * Emit CloudWatch Embedded Metric Format lines to stdout (`SERVINGSTACK_EMF`), which the
   * endpoint's log group turns into `ServingStack/Runtime` metrics.
   * @default true
   */
  readonly emf?: boolean;
}
