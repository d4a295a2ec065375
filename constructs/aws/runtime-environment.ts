import { Duration, Size, Token } from 'aws-cdk-lib';
import { ModelManifest } from '../../lib/core/manifest';
import { IssueCollector } from '../../lib/core/errors';

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
   * Requests allowed to wait in the queue before the runtime answers 429 (`SERVINGSTACK_MAX_QUEUE_SIZE`).
   * @default - the runtime's default
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
  readonly executionProviders?: string[];
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

/** The endpoint facts that choose runtime defaults. */
export interface RuntimeEnvironmentContext {
  /** The container runs on an instance with NVIDIA GPUs. */
  readonly gpu?: boolean;
  /** The endpoint is asynchronous (1 GiB payloads). */
  readonly async?: boolean;
  /** The endpoint is serverless (4 MiB payloads). */
  readonly serverless?: boolean;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const MIB = 1024 * 1024;
/** Largest payload per endpoint kind (SageMaker runtime limits). */
export const PAYLOAD_LIMITS = { realtime: 6 * MIB, serverless: 4 * MIB, async: 1024 * MIB } as const;

/** Validate settings (issues go to `issues`) and render the container environment. */
export function runtimeEnvironment(
  settings: RuntimeSettings,
  manifest: ModelManifest | undefined,
  context: RuntimeEnvironmentContext,
  issues: IssueCollector,
): Record<string, string> {
  const env: Record<string, string> = {};
  const set = (key: string, value: string | number | undefined): void => {
    if (value !== undefined) env[key] = String(value);
  };
  const int = (field: string, value: number | undefined, min: number, max: number): void => {
    if (value === undefined || Token.isUnresolved(value)) return;
    issues.check(Number.isInteger(value) && value >= min && value <= max, { field, message: 'is out of range', received: value, allowed: `a whole number from ${min} to ${max}` });
  };
  int('runtime.maxBatchSize', settings.maxBatchSize, 1, 4096);
  int('runtime.maxQueueSize', settings.maxQueueSize, 1, 1_000_000);
  int('runtime.workers', settings.workers, 1, 256);
  if (settings.logLevel !== undefined) {
    issues.check(LOG_LEVELS.includes(settings.logLevel), { field: 'runtime.logLevel', message: 'is not a log level', received: settings.logLevel, allowed: LOG_LEVELS.join(' | ') });
  }
  const limit = context.async ? PAYLOAD_LIMITS.async : context.serverless ? PAYLOAD_LIMITS.serverless : PAYLOAD_LIMITS.realtime;
  const bodyLimit = settings.bodyLimit?.toBytes();
  if (bodyLimit !== undefined && !Token.isUnresolved(bodyLimit)) {
    issues.check(bodyLimit >= 1024 && bodyLimit <= limit, {
      field: 'runtime.bodyLimit',
      message: 'exceeds what SageMaker delivers to this kind of endpoint',
      received: `${bodyLimit} bytes`,
      allowed: `1 KiB to ${limit} bytes (${context.async ? 'asynchronous' : context.serverless ? 'serverless' : 'real-time'})`,
    });
  }
  const timeoutMs = settings.requestTimeout?.toMilliseconds();
  if (timeoutMs !== undefined && !context.async) {
    issues.check(timeoutMs >= 1 && timeoutMs <= 60_000, {
      field: 'runtime.requestTimeout',
      message: 'SageMaker abandons real-time invocations after 60 s',
      received: `${timeoutMs} ms`,
      allowed: '1 ms to 60 s (asynchronous endpoints: up to 1 h)',
    });
  }
  if (timeoutMs !== undefined && context.async) {
    issues.check(timeoutMs >= 1 && timeoutMs <= 3_600_000, { field: 'runtime.requestTimeout', message: 'is out of range', received: `${timeoutMs} ms`, allowed: '1 ms to 1 h' });
  }
  const delayMicros = settings.maxQueueDelay ? settings.maxQueueDelay.toMilliseconds() * 1000 : manifest?.batching?.maxQueueDelayMicroseconds;
  set('SERVINGSTACK_EMF', settings.emf ?? true ? 'true' : 'false');
  set('SERVINGSTACK_MAX_BATCH_SIZE', settings.maxBatchSize ?? manifest?.batching?.maxBatchSize);
  set('SERVINGSTACK_MAX_QUEUE_DELAY_MICROSECONDS', delayMicros);
  set('SERVINGSTACK_MAX_QUEUE_SIZE', settings.maxQueueSize);
  set('SERVINGSTACK_WORKERS', settings.workers);
  set('SERVINGSTACK_REQUEST_TIMEOUT_MS', timeoutMs);
  set('SERVINGSTACK_BODY_LIMIT_BYTES', bodyLimit ?? limit);
  set('SERVINGSTACK_EXECUTION_PROVIDERS', settings.executionProviders?.join(',') ?? (context.gpu ? 'cuda,cpu' : undefined));
  set('SERVINGSTACK_LOG_LEVEL', settings.logLevel);
  return env;
}
