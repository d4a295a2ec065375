/** RuntimeSettings rendered as the container environment: names from the runtime's one catalogue, SageMaker's limits checked. */
import { Duration, Size } from 'aws-cdk-lib';
import { runtimeEnvironment } from '../../../constructs/aws/private/runtime-environment';
import { ENVIRONMENT } from '../../../lib/core/contract/environment';
import { IssueCollector } from '../../../lib/core/errors';

describe('runtimeEnvironment', () => {
  test('GIVEN every setting THEN each variable is one the runtime reads, rendered as a string', () => {
    const issues = new IssueCollector();
    const env = runtimeEnvironment(
      { maxBatchSize: 16, maxQueueDelay: Duration.millis(2), maxQueueSize: 64, workers: 3, requestTimeout: Duration.seconds(30), bodyLimit: Size.mebibytes(2), executionProviders: ['cuda', 'cpu'], logLevel: 'debug', emf: false },
      undefined,
      { gpu: true },
      issues,
    );
    expect(issues.ok).toBe(true);
    expect(env).toEqual({
      SERVINGSTACK_BODY_LIMIT_BYTES: '2097152', SERVINGSTACK_EMF: 'false', SERVINGSTACK_EXECUTION_PROVIDERS: 'cuda,cpu', SERVINGSTACK_LOG_LEVEL: 'debug', SERVINGSTACK_MAX_BATCH_SIZE: '16',
      SERVINGSTACK_MAX_QUEUE_DELAY_MICROSECONDS: '2000', SERVINGSTACK_MAX_QUEUE_SIZE: '64', SERVINGSTACK_REQUEST_TIMEOUT_MS: '30000', SERVINGSTACK_WORKERS: '3',
    });
    expect(Object.keys(env).filter((k) => !(k in ENVIRONMENT))).toEqual([]);
  });

  test('GIVEN a timeout SageMaker would abandon and a body it would not deliver THEN both are named', () => {
    const issues = new IssueCollector();
    runtimeEnvironment({ requestTimeout: Duration.seconds(90), bodyLimit: Size.mebibytes(8) }, undefined, { serverless: true }, issues);
    expect(issues.issues.map((i) => i.field)).toEqual(['runtime.bodyLimit', 'runtime.requestTimeout']);
  });
});
