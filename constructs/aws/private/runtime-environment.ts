/** Render RuntimeSettings as the container environment, validating them against SageMaker's limits. */
import { Token } from 'aws-cdk-lib';
import { renderRuntimeEnvironment } from '../../../lib/core/contract/environment';
import { IssueCollector } from '../../../lib/core/errors';
import { ModelManifest } from '../../../lib/core/manifest';
import type { RuntimeEnvironmentContext, RuntimeSettings } from '../runtime-environment';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const MIB = 1024 * 1024;
/** Largest payload per endpoint kind (SageMaker runtime limits). */
const PAYLOAD_LIMITS = { realtime: 6 * MIB, serverless: 4 * MIB, async: 1024 * MIB } as const;

/** Validate settings (issues go to `issues`) and render the container environment. */
export function runtimeEnvironment(
  settings: RuntimeSettings,
  manifest: ModelManifest | undefined,
  context: RuntimeEnvironmentContext,
  issues: IssueCollector,
): Record<string, string> {
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
  // Typed by the runtime's environment catalogue: a misspelt name does not compile.
  return renderRuntimeEnvironment({
    SERVINGSTACK_EMF: settings.emf ?? true,
    SERVINGSTACK_MAX_BATCH_SIZE: settings.maxBatchSize ?? manifest?.batching?.maxBatchSize,
    SERVINGSTACK_MAX_QUEUE_DELAY_MICROSECONDS: delayMicros,
    SERVINGSTACK_MAX_QUEUE_SIZE: settings.maxQueueSize,
    SERVINGSTACK_WORKERS: settings.workers,
    SERVINGSTACK_REQUEST_TIMEOUT_MS: timeoutMs,
    SERVINGSTACK_BODY_LIMIT_BYTES: bodyLimit ?? limit,
    SERVINGSTACK_EXECUTION_PROVIDERS: settings.executionProviders?.join(',') ?? (context.gpu ? 'cuda,cpu' : undefined),
    SERVINGSTACK_LOG_LEVEL: settings.logLevel,
  });
}
