/**
 * Batch transform: a Step Functions state machine whose one task runs a SageMaker transform job
 * over an S3 prefix with the endpoint's own model; started on demand or on a schedule.
 */
import { App, Duration, Size, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks } from 'cdk-nag';
import { BatchStrategy, BatchTransform, InstanceType, Model, ModelData, RecordSplit, ServingEndpoint } from '../../../constructs/aws';
import { ENV, FIXTURE_PACKAGE, newStack } from './helpers';
import { allows, roleStatements } from './iam-eval';

function definition(t: Template): Record<string, unknown> {
  const sm = Object.values(t.findResources('AWS::StepFunctions::StateMachine'))[0] as { Properties: { DefinitionString: unknown } };
  const raw = sm.Properties.DefinitionString;
  // Fn::Join of strings and tokens: keep the tokens as placeholders, parse the JSON.
  const text = typeof raw === 'string' ? raw : (raw as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1].map((p) => (typeof p === 'string' ? p : '<token>')).join('');
  return JSON.parse(text) as Record<string, unknown>;
}

describe('BatchTransform', () => {
  test('GIVEN the endpoint\'s model and an S3 prefix THEN a transform job task with the runtime answering the execution parameters, encrypted output, least privilege', () => {
    const { stack } = newStack();
    const serving = new ServingEndpoint(stack, 'Fraud', { modelData: ModelData.fromAsset(FIXTURE_PACKAGE), registry: { enabled: false } });
    const input = s3.Bucket.fromBucketName(stack, 'In', 'fraud-scoring-input');
    const batch = new BatchTransform(stack, 'Nightly', { model: serving.models[0], inputBucket: input, inputPrefix: 'daily/', schedule: events.Schedule.cron({ hour: '2', minute: '0' }) });
    const t = Template.fromStack(stack);
    const states = definition(t).States as Record<string, { Resource: string; Parameters: Record<string, unknown> }>;
    const task = states.Transform;
    expect(task.Resource).toMatch(/:states:::sagemaker:createTransformJob\.sync$/);
    expect(task.Parameters).toMatchObject({
      TransformInput: { ContentType: 'text/csv', SplitType: 'Line', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://fraud-scoring-input/daily/' } } },
      TransformOutput: { Accept: 'application/json', AssembleWith: 'Line' },
      TransformResources: { InstanceCount: 1, InstanceType: 'ml.m5.large' },
      ModelClientConfig: { InvocationsTimeoutInSeconds: 60, InvocationsMaxRetries: 1 },
      'TransformJobName.$': "States.Format('ss-batch-{}', States.UUID())",
    });
    // left to the runtime's GET /execution-parameters
    expect(task.Parameters).not.toHaveProperty('BatchStrategy');
    expect(task.Parameters).not.toHaveProperty('MaxPayloadInMB');
    expect(task.Parameters).not.toHaveProperty('MaxConcurrentTransforms');
    expect(JSON.stringify(t.toJSON())).not.toContain('AmazonSageMakerFullAccess');
    t.hasResourceProperties('AWS::StepFunctions::StateMachine', { TracingConfiguration: { Enabled: true }, LoggingConfiguration: Match.objectLike({ Level: 'ALL' }) });
    t.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(0 2 * * ? *)', Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^NightlyStateMachine') } })] });
    // The model's execution role reads the input prefix and writes the output prefix.
    const roleId = Object.keys(t.findResources('AWS::IAM::Role')).find((id) => id.startsWith('FraudModelRole')) as string;
    const outId = Object.keys(t.findResources('AWS::S3::Bucket')).find((id) => /^NightlyOutput[0-9A-F]{8}$/.test(id)) as string;
    const exec = roleStatements(t, roleId);
    const attrs = { [`${outId}.Arn`]: 'arn:aws:s3:::out-bucket' };
    expect(allows(exec, 's3:GetObject', 'arn:aws:s3:::fraud-scoring-input/daily/2026-12-01.csv', attrs)).toBe(true);
    expect(allows(exec, 's3:GetObject', 'arn:aws:s3:::fraud-scoring-input/other/x.csv', attrs)).toBe(false);
    expect(allows(exec, 's3:PutObject', `arn:aws:s3:::out-bucket/${batch.outputPrefix}exec-1/2026-12-01.csv.out`, attrs)).toBe(true);
  });

  test('explicit execution parameters, record splitting and instances are passed through', () => {
    const { stack } = newStack();
    const model = new Model(stack, 'M', { modelData: ModelData.fromAsset(FIXTURE_PACKAGE) });
    new BatchTransform(stack, 'B', {
      model, inputBucket: s3.Bucket.fromBucketName(stack, 'In', 'scoring-input'), inputPrefix: 'p/', contentType: 'application/jsonlines',
      batchStrategy: BatchStrategy.MULTI_RECORD, maxPayload: Size.mebibytes(6), maxConcurrentTransforms: 4, instanceType: InstanceType.C6I_XLARGE, instanceCount: 3, invocationTimeout: Duration.minutes(5),
    });
    const task = (definition(Template.fromStack(stack)).States as Record<string, { Parameters: Record<string, unknown> }>).Transform;
    expect(task.Parameters).toMatchObject({ BatchStrategy: 'MultiRecord', MaxPayloadInMB: 6, MaxConcurrentTransforms: 4, TransformResources: { InstanceCount: 3, InstanceType: 'ml.c6i.xlarge' }, ModelClientConfig: { InvocationsTimeoutInSeconds: 300 } });
  });

  test('bad input fails at synth with one error naming every field, value and what is allowed', () => {
    const { stack } = newStack();
    const model = new Model(stack, 'M', { modelData: ModelData.fromAsset(FIXTURE_PACKAGE) });
    const inputBucket = s3.Bucket.fromBucketName(stack, 'In', 'scoring-input');
    let n = 0;
    const bad = (): BatchTransform => new BatchTransform(stack, `Bad${n++}`, {
      model, inputBucket, inputPrefix: 'p/', maxPayload: Size.mebibytes(60), maxConcurrentTransforms: 2, instanceCount: 0,
      splitType: RecordSplit.NONE, batchStrategy: BatchStrategy.MULTI_RECORD, invocationTimeout: Duration.hours(2),
    });
    expect(bad).toThrow(/SS_ERR_AWS_BATCH_TRANSFORM_INVALID|BatchTransform at Test\/Bad0 is invalid/);
    expect(bad).toThrow(/instanceCount: is out of range; received 0; allowed: a whole number from 1 to 100/);
    expect(bad).toThrow(/maxConcurrentTransforms: times maxPayload exceeds SageMaker's 100 MB; received "2 × 60 MB"/);
    expect(bad).toThrow(/batchStrategy: MultiRecord needs records split by line/);
    expect(bad).toThrow(/invocationTimeout: is out of range; received 7200/);
  });

  test('cdk-nag: AwsSolutions, NIST 800-53 R5 and HIPAA have no unacknowledged error', () => {
    const app = new App();
    const packs = [new AwsSolutionsChecks(app), new NIST80053R5Checks(app), new HIPAASecurityChecks(app)];
    const stack = new Stack(app, 'Batch', { env: ENV });
    const model = new Model(stack, 'M', { modelData: ModelData.fromAsset(FIXTURE_PACKAGE) });
    new BatchTransform(stack, 'B', { model, inputBucket: s3.Bucket.fromBucketName(stack, 'In', 'scoring-input'), inputPrefix: 'p/', schedule: events.Schedule.rate(Duration.days(1)) });
    Template.fromStack(stack);
    const errors = packs.flatMap((p) => p.validateScope(app).violations.filter((v) => v.severity === 'error').map((v) => `${v.ruleName} @ ${v.violatingResources.map((c) => (c as unknown as { constructPath?: string }).constructPath ?? c.resourceLogicalId).join(', ')}`));
    expect(errors).toEqual([]);
  });
});
