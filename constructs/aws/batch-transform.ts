import { Duration, Size, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { InstanceType } from './instance-type';
import { Model } from './model';
import { AwsErrorCodes } from './errors';
import { Checker } from './private/errors';
import { INLINE_POLICY_REASON, acknowledge, acknowledgeInlinePolicy, flatten } from './private/nag-acknowledgements';
import { SecureBucket } from './secure-bucket';

/** How SageMaker groups records into one `/invocations` request. */
export class BatchStrategy {
  /** As many records as fit in the payload limit (the runtime batches them). */
  public static readonly MULTI_RECORD = new BatchStrategy(tasks.BatchStrategy.MULTI_RECORD);
  /** One record per request. */
  public static readonly SINGLE_RECORD = new BatchStrategy(tasks.BatchStrategy.SINGLE_RECORD);
  private constructor(public readonly value: tasks.BatchStrategy) {}
}

/** How input files are split into records. */
export class RecordSplit {
  /** One record per line (CSV, JSON Lines). */
  public static readonly LINE = new RecordSplit(tasks.SplitType.LINE);
  /** Each file is one request. */
  public static readonly NONE = new RecordSplit(tasks.SplitType.NONE);
  private constructor(public readonly value: tasks.SplitType) {}
}

/** Properties of {@link BatchTransform}. */
export interface BatchTransformProps {
  /** The model to score with: the same package the endpoint serves (e.g. `servingEndpoint.models[0]`). */
  readonly model: Model;
  /** Bucket of the records to score. */
  readonly inputBucket: s3.IBucket;
  /** Key prefix of the records to score (every object below it). */
  readonly inputPrefix: string;
  /**
   * Bucket for the scores (`<outputPrefix><execution name>/<input key>.out`).
   * @default - a new KMS-encrypted, versioned, TLS-only, access-logged bucket
   */
  readonly outputBucket?: s3.IBucket;
  /**
   * Key prefix of the scores.
   * @default 'batch-transform/'
   */
  readonly outputPrefix?: string;
  /**
   * Content type of the records (the runtime reads CSV, JSON Lines and JSON).
   * @default 'text/csv'
   */
  readonly contentType?: string;
  /**
   * @default RecordSplit.LINE
   */
  readonly splitType?: RecordSplit;
  /**
   * @default InstanceType.M5_LARGE
   */
  readonly instanceType?: InstanceType;
  /**
   * @default 1
   */
  readonly instanceCount?: number;
  /**
   * Records per request. Leave unset and SageMaker asks the runtime (`GET /execution-parameters`,
   * derived from its batching limits).
   * @default - the runtime's answer
   */
  readonly batchStrategy?: BatchStrategy;
  /**
   * Largest request body, 1–100 MB.
   * @default - the runtime's answer
   */
  readonly maxPayload?: Size;
  /**
   * Parallel requests per instance.
   * @default - the runtime's answer
   */
  readonly maxConcurrentTransforms?: number;
  /**
   * Per-request timeout, 1–3600 s.
   * @default Duration.seconds(60)
   */
  readonly invocationTimeout?: Duration;
  /**
   * Start the job on a schedule (e.g. `events.Schedule.cron({ hour: '2', minute: '0' })`).
   * @default - started on demand (Step Functions StartExecution, e.g. from a pipeline step)
   */
  readonly schedule?: events.Schedule;
  /**
   * Key for the output, the ML volume and the state machine's logs.
   * @default - the output bucket's key, or a new key with rotation
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * Offline scoring of an S3 prefix with the same model package as the endpoint. CloudFormation has
 * no transform-job resource (a job is an API call), so this is a Step Functions state machine
 * whose one task, `SageMakerCreateTransformJob`, runs the job to completion; start it on a
 * schedule, from a delivery pipeline step (`aws stepfunctions start-execution`), or by hand. The
 * model's execution role reads the input prefix and writes the output prefix; each execution
 * writes under its own folder.
 */
export class BatchTransform extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  public readonly outputBucket: s3.IBucket;
  public readonly outputPrefix: string;

  constructor(scope: Construct, id: string, props: BatchTransformProps) {
    super(scope, id);
    const checker = new Checker(this, 'BatchTransform', AwsErrorCodes.BATCH_TRANSFORM);
    const instanceType = props.instanceType ?? InstanceType.M5_LARGE;
    const payloadMb = props.maxPayload?.toMebibytes();
    checker.check(instanceType.isToken || instanceType.isWellFormed, { field: 'instanceType', message: 'is not a SageMaker instance type', received: instanceType.toString(), allowed: 'ml.<family>.<size>, e.g. ml.m5.large' });
    checker.intRange('instanceCount', props.instanceCount, 1, 100);
    checker.intRange('maxPayload', payloadMb, 1, 100, 'MB');
    checker.intRange('maxConcurrentTransforms', props.maxConcurrentTransforms, 1, 100);
    checker.intRange('invocationTimeout', props.invocationTimeout?.toSeconds(), 1, 3600, 's');
    if (payloadMb !== undefined && props.maxConcurrentTransforms !== undefined) {
      checker.check(payloadMb * props.maxConcurrentTransforms <= 100, {
        field: 'maxConcurrentTransforms', message: 'times maxPayload exceeds SageMaker\'s 100 MB', received: `${props.maxConcurrentTransforms} × ${payloadMb} MB`, allowed: 'maxConcurrentTransforms × maxPayload ≤ 100 MB',
      });
    }
    checker.check(!props.model.multiModel, { field: 'model', message: 'a multi-model container cannot run a batch transform of one model', received: 'multiModel: true', allowed: 'a single-model Model' });
    checker.check(props.splitType !== RecordSplit.NONE || props.batchStrategy !== BatchStrategy.MULTI_RECORD, {
      field: 'batchStrategy', message: 'MultiRecord needs records split by line', received: 'MultiRecord with RecordSplit.NONE', allowed: 'RecordSplit.LINE, or BatchStrategy.SINGLE_RECORD',
    });
    checker.throwIfAny();

    const outputBucket = props.outputBucket ?? new SecureBucket(this, 'Output', { encryptionKey: props.encryptionKey }).bucket;
    this.outputBucket = outputBucket;
    this.outputPrefix = props.outputPrefix ?? 'batch-transform/';
    const key = props.encryptionKey ?? outputBucket.encryptionKey ?? new kms.Key(this, 'Key', { enableKeyRotation: true, description: `ServingStack batch transform ${this.node.path}` });

    // SageMaker reads and writes with the model's execution role.
    const role = props.model.role;
    props.inputBucket.grantRead(role, `${props.inputPrefix}*`);
    outputBucket.grantReadWrite(role, `${this.outputPrefix}*`);
    key.grantEncryptDecrypt(role);
    const stack = Stack.of(this);
    acknowledge(role, {
      [`AwsSolutions-IAM5[Resource::${flatten(stack.resolve(props.inputBucket.arnForObjects(`${props.inputPrefix}*`)))}]`]: 'a transform job reads every object below the input prefix it scores; the grant names that prefix only',
      [`AwsSolutions-IAM5[Resource::${flatten(stack.resolve(outputBucket.arnForObjects(`${this.outputPrefix}*`)))}]`]: 'a transform job writes one <input>.out object per input under a per-execution folder of the output prefix; the grant names that prefix only',
    });

    const task = new tasks.SageMakerCreateTransformJob(this, 'Transform', {
      integrationPattern: sfn.IntegrationPattern.RUN_JOB,
      transformJobName: sfn.JsonPath.format('ss-batch-{}', sfn.JsonPath.uuid()),
      modelName: props.model.modelName,
      // CreateTransformJob takes no role; naming the model's role keeps the task from creating
      // an unused one with AmazonSageMakerFullAccess.
      role,
      transformInput: {
        transformDataSource: { s3DataSource: { s3Uri: props.inputBucket.s3UrlForObject(props.inputPrefix), s3DataType: tasks.S3DataType.S3_PREFIX } },
        contentType: props.contentType ?? 'text/csv',
        splitType: (props.splitType ?? RecordSplit.LINE).value,
      },
      transformOutput: {
        s3OutputPath: sfn.JsonPath.format(`s3://{}/${this.outputPrefix}{}/`, outputBucket.bucketName, sfn.JsonPath.executionName),
        encryptionKey: key,
        accept: 'application/json',
        assembleWith: tasks.AssembleWith.LINE,
      },
      transformResources: { instanceCount: props.instanceCount ?? 1, instanceType: new ec2.InstanceType(instanceType.toString().replace(/^ml\./, '')), volumeEncryptionKey: key },
      batchStrategy: props.batchStrategy?.value,
      maxPayload: props.maxPayload,
      maxConcurrentTransforms: props.maxConcurrentTransforms,
      modelClientOptions: { invocationsTimeout: props.invocationTimeout ?? Duration.seconds(60), invocationsMaxRetries: 1 },
    });

    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_YEAR, encryptionKey: key instanceof kms.Key ? key : undefined });
    if (key instanceof kms.Key) {
      key.addToResourcePolicy(new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.${stack.urlSuffix}`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
      }));
    }
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      definitionBody: sfn.DefinitionBody.fromChainable(task),
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
      timeout: Duration.hours(24),
    });
    acknowledgeInlinePolicy(this.stateMachine.role);
    acknowledge(this.stateMachine.role, {
      'AwsSolutions-IAM5[Resource::*]': 'Step Functions log delivery and X-Ray actions support no resource-level permissions; sagemaker:ListTags is read-only',
      [`AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sagemaker:${stack.region}:${stack.account}:transform-job/*]`]: 'transform job names are generated per execution (ss-batch-<uuid>)',
    });

    if (props.schedule) {
      acknowledge(this.stateMachine, { 'NIST.800.53.R5-IAMNoInlinePolicy': INLINE_POLICY_REASON, 'HIPAA.Security-IAMNoInlinePolicy': INLINE_POLICY_REASON });
      new events.Rule(this, 'Schedule', {
        description: `Scores ${props.inputPrefix} with ${props.model.node.path}`,
        schedule: props.schedule,
        targets: [new targets.SfnStateMachine(this.stateMachine)],
      });
    }
  }

  /** Allow `grantee` to start a scoring run (e.g. a pipeline step). */
  public grantStartExecution(grantee: iam.IGrantable): iam.Grant {
    return this.stateMachine.grantStartExecution(grantee);
  }
}
