/**
 * RuntimeSettings rendered as the container environment, checked against SageMaker's limits:
 * the settings themselves when the model is created, and against each variant it is bound to
 * (payload and timeout limits depend on the endpoint kind).
 */
import { Token } from 'aws-cdk-lib';
import { renderRuntimeEnvironment } from '../../../lib/core/contract/environment';
import { IssueCollector } from '../../../lib/core/errors';
import { ModelManifest } from '../../../lib/core/manifest';
import { IConstruct } from 'constructs';
import type { InstanceType } from '../instance-type';
import type { RuntimeSettings } from '../runtime-environment';

/** What a model learns from a variant it serves on. */
export interface ModelHosting {
  /** The container runs on an instance with NVIDIA GPUs. */
  readonly gpu?: boolean;
  /** The endpoint is asynchronous (1 GiB payloads). */
  readonly async?: boolean;
  /** The endpoint is serverless (4 MiB payloads). */
  readonly serverless?: boolean;
}

/** What a variant tells the model it serves (EndpointConfig and InferenceComponent bind models). */
export interface ModelBinding {
  readonly instanceType?: InstanceType;
  readonly serverless: boolean;
  readonly async: boolean;
  /** The binder's field naming the model, for messages (`variants[0].model`). */
  readonly field: string;
  /** The binder (its path goes into messages). */
  readonly scope: IConstruct;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const MIB = 1024 * 1024;
/** Largest payload per endpoint kind (SageMaker runtime limits). */
const PAYLOAD_LIMITS = { realtime: 6 * MIB, serverless: 4 * MIB, async: 1024 * MIB } as const;

/** The payload SageMaker delivers to an endpoint of this kind. */
export function payloadLimit(hosting: ModelHosting): number {
  return hosting.async ? PAYLOAD_LIMITS.async : hosting.serverless ? PAYLOAD_LIMITS.serverless : PAYLOAD_LIMITS.realtime;
}

/** Settings that are wrong wherever the model serves. */
export function checkRuntimeSettings(settings: RuntimeSettings, issues: IssueCollector): void {
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
}

/** Settings beyond what SageMaker delivers to an endpoint of this kind. */
export function checkRuntimeHosting(settings: RuntimeSettings, hosting: ModelHosting, issues: IssueCollector): void {
  const limit = payloadLimit(hosting);
  const bodyLimit = settings.bodyLimit?.toBytes();
  if (bodyLimit !== undefined && !Token.isUnresolved(bodyLimit)) {
    issues.check(bodyLimit >= 1024 && bodyLimit <= limit, {
      field: 'runtime.bodyLimit',
      message: 'exceeds what SageMaker delivers to this kind of endpoint',
      received: `${bodyLimit} bytes`,
      allowed: `1 KiB to ${limit} bytes (${hosting.async ? 'asynchronous' : hosting.serverless ? 'serverless' : 'real-time'})`,
    });
  }
  const timeoutMs = settings.requestTimeout?.toMilliseconds();
  if (timeoutMs !== undefined && !hosting.async) {
    issues.check(timeoutMs >= 1 && timeoutMs <= 60_000, {
      field: 'runtime.requestTimeout',
      message: 'SageMaker abandons real-time invocations after 60 s',
      received: `${timeoutMs} ms`,
      allowed: '1 ms to 60 s (asynchronous endpoints: up to 1 h)',
    });
  }
  if (timeoutMs !== undefined && hosting.async) {
    issues.check(timeoutMs >= 1 && timeoutMs <= 3_600_000, { field: 'runtime.requestTimeout', message: 'is out of range', received: `${timeoutMs} ms`, allowed: '1 ms to 1 h' });
  }
}

/**
 * The container environment for the variants a model serves: CUDA providers when any of them has
 * GPUs, the largest payload any of them delivers (real-time when there is none).
 */
export function renderRuntime(settings: RuntimeSettings, manifest: ModelManifest | undefined, hostings: readonly ModelHosting[]): Record<string, string> {
  const gpu = hostings.some((h) => h.gpu === true);
  const limit = hostings.length > 0 ? Math.max(...hostings.map(payloadLimit)) : payloadLimit({});
  const delayMicros = settings.maxQueueDelay ? settings.maxQueueDelay.toMilliseconds() * 1000 : manifest?.batching?.maxQueueDelayMicroseconds;
  // Typed by the runtime's environment catalogue: a misspelt name does not compile.
  return renderRuntimeEnvironment({
    SERVINGSTACK_EMF: settings.emf ?? true,
    SERVINGSTACK_MAX_BATCH_SIZE: settings.maxBatchSize ?? manifest?.batching?.maxBatchSize,
    SERVINGSTACK_MAX_QUEUE_DELAY_MICROSECONDS: delayMicros,
    SERVINGSTACK_MAX_QUEUE_SIZE: settings.maxQueueSize,
    SERVINGSTACK_WORKERS: settings.workers,
    SERVINGSTACK_REQUEST_TIMEOUT_MS: settings.requestTimeout?.toMilliseconds(),
    SERVINGSTACK_BODY_LIMIT_BYTES: settings.bodyLimit?.toBytes() ?? limit,
    SERVINGSTACK_EXECUTION_PROVIDERS: settings.executionProviders?.join(',') ?? (gpu ? 'cuda,cpu' : undefined),
    SERVINGSTACK_LOG_LEVEL: settings.logLevel,
  });
}

/** Check every setting against one kind of endpoint and render the environment (one call, for tests and single-variant use). */
export function runtimeEnvironment(settings: RuntimeSettings, manifest: ModelManifest | undefined, hosting: ModelHosting, issues: IssueCollector): Record<string, string> {
  checkRuntimeSettings(settings, issues);
  checkRuntimeHosting(settings, hosting, issues);
  return renderRuntime(settings, manifest, [hosting]);
}
