import * as path from 'path';
import * as fs from 'fs';
import { createHash } from 'crypto';
import { ArnFormat, DockerImage, Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { Endpoint } from './endpoint';
import { IModelPackageGroup } from './model-package-group';
import { acknowledgeInlinePolicy, acknowledgeServingStackWildcards } from './private/nag-acknowledgements';

/** Properties of {@link ApprovalRollout}. */
export interface ApprovalRolloutProps {
  /** The endpoint that receives approved versions. */
  readonly endpoint: Endpoint;
  /** The group whose approvals start a rollout. */
  readonly group: IModelPackageGroup;
  /**
   * Variants that receive the new version.
   * @default - every production variant serving a model
   */
  readonly variantNames?: string[];
  /**
   * Key for the function's log group and dead-letter queue.
   * @default - the endpoint's key, or a new key with rotation
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Reserved concurrency. 1 serialises rollouts; it needs an account with more than 10 of
   * unreserved concurrency (new accounts have 10, and Lambda refuses to go below it).
   * @default - unreserved (a rollout finding the endpoint Updating fails and is retried)
   */
  readonly reservedConcurrency?: number;
  /**
   * Retention of the function's logs.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * When a version in `group` is approved, an EventBridge rule invokes a small TypeScript Lambda
 * (bundled with esbuild at synth, no Docker) that creates a model from the version and updates the endpoint with
 * its deployment guardrails (blue/green or rolling, auto-rollback alarms) while retaining
 * variant properties. The created model and config live outside CloudFormation: pin the
 * approved version in the app (ModelData.fromModelPackage) before the next `cdk deploy`.
 */
export class ApprovalRollout extends Construct {
  public readonly function: lambda.Function;
  public readonly rule: events.Rule;
  public readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: ApprovalRolloutProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const endpoint = props.endpoint;
    const key = props.encryptionKey ?? endpoint.encryptionKey ?? new kms.Key(this, 'Key', { enableKeyRotation: true, description: `ServingStack rollout ${this.node.path}` });
    if (key instanceof kms.Key) {
      key.addToResourcePolicy(new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.${stack.urlSuffix}`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) } },
      }));
    }
    if (key instanceof kms.Key) {
      // EventBridge delivers failed events to the encrypted dead-letter queue itself.
      key.addToResourcePolicy(new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }));
    }
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR, encryptionKey: key });
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description: 'ServingStack approval rollout' });
    acknowledgeInlinePolicy(role);
    role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'Logs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));

    const prefix = `ss-${endpoint.endpointName}`.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 30).replace(/-+$/, '');
    const deploymentConfig = endpoint.resource.deploymentConfig;
    this.function = new lambda.Function(this, 'Function', {
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: bundledHandler(),
      memorySize: 256,
      timeout: Duration.minutes(1),
      role,
      logGroup,
      deadLetterQueue: this.deadLetterQueue,
      reservedConcurrentExecutions: props.reservedConcurrency,
      description: `Rolls approved ${props.group.modelPackageGroupName} versions out to ${endpoint.endpointName}`,
      environment: {
        ENDPOINT_NAME: endpoint.endpointName,
        MODEL_PACKAGE_GROUP_NAME: props.group.modelPackageGroupName,
        VARIANT_NAMES: (props.variantNames ?? []).join(','),
        NAME_PREFIX: prefix,
        DEPLOYMENT_CONFIG: deploymentConfig ? stack.toJsonString(toApiShape(stack.resolve(deploymentConfig))) : '',
      },
    });

    const sm = (resource: string, resourceName: string): string => stack.formatArn({ service: 'sagemaker', resource, resourceName });
    const endpointName = Token.isUnresolved(endpoint.endpointName) ? endpoint.endpointName : endpoint.endpointName.toLowerCase();
    role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'ReadPackage', actions: ['sagemaker:DescribeModelPackage'], resources: [props.group.modelPackageArnPattern] }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'Endpoint', actions: ['sagemaker:DescribeEndpoint', 'sagemaker:UpdateEndpoint'], resources: [sm('endpoint', endpointName)] }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'ReadCurrent', actions: ['sagemaker:DescribeEndpointConfig', 'sagemaker:DescribeModel'], resources: [sm('endpoint-config', '*'), sm('model', '*')] }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'CreateNext',
      actions: ['sagemaker:CreateModel', 'sagemaker:CreateEndpointConfig', 'sagemaker:UpdateEndpoint'],
      resources: [sm('model', `${prefix}-m-*`), sm('endpoint-config', `${prefix}-c-*`)],
    }));
    const alarmArns = endpoint.guardrailAlarms.map((a) => a.alarmArn);
    if (alarmArns.length > 0) role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'RollbackAlarms', actions: ['cloudwatch:DescribeAlarms'], resources: alarmArns }));
    const roles = endpoint.variants.map((v) => v.model?.role).filter((r): r is iam.IRole => r !== undefined);
    if (endpoint.executionRole) roles.push(endpoint.executionRole);
    if (roles.length > 0) {
      role.addToPrincipalPolicy(new iam.PolicyStatement({
        sid: 'PassExecutionRole',
        actions: ['iam:PassRole'],
        resources: [...new Set(roles.map((r) => r.roleArn))],
        conditions: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
      }));
    }
    endpoint.encryptionKey?.grant(role, 'kms:CreateGrant', 'kms:DescribeKey');

    this.rule = new events.Rule(this, 'OnApproval', {
      description: `Approved versions of ${props.group.modelPackageGroupName} roll out to ${endpoint.endpointName}`,
      eventPattern: {
        source: ['aws.sagemaker'],
        detailType: ['SageMaker Model Package State Change'],
        detail: { ModelPackageGroupName: [props.group.modelPackageGroupName], ModelApprovalStatus: ['Approved'] },
      },
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 4, maxEventAge: Duration.hours(2), deadLetterQueue: this.deadLetterQueue })],
    });

    acknowledgeServingStackWildcards(this);
    const acks: Array<[string, string]> = [
      ['NIST.800.53.R5-LambdaInsideVPC', 'the function only calls the SageMaker control-plane API and touches no VPC resource'],
      ['HIPAA.Security-LambdaInsideVPC', 'the function only calls the SageMaker control-plane API and touches no VPC resource'],
      ['NIST.800.53.R5-LambdaConcurrency', 'reserving concurrency fails in accounts at the 10-execution minimum; set reservedConcurrency: 1 to serialise rollouts where the account allows it'],
      ['HIPAA.Security-LambdaConcurrency', 'reserving concurrency fails in accounts at the 10-execution minimum; set reservedConcurrency: 1 to serialise rollouts where the account allows it'],
    ];
    for (const [ackId, reason] of acks) {
      if (ackId.endsWith('Concurrency') && props.reservedConcurrency !== undefined) continue;
      Validations.of(this.function).acknowledge({ id: ackId, reason });
    }
  }
}

/** The handler source next to this file (TypeScript sources), or the compiled .js (dist). */
function handlerEntry(): string {
  for (const f of ['handler.ts', 'handler.js']) {
    const p = path.join(__dirname, 'rollout', f);
    if (fs.existsSync(p)) return p;
  }
  throw new Error(`rollout handler not found under ${path.join(__dirname, 'rollout')}`);
}

const ESBUILD_OPTIONS = { bundle: true, platform: 'node', target: 'node22', format: 'cjs', minify: true, external: ['@aws-sdk/*'] } as const;
let cachedCode: { hash: string; entry: string } | undefined;

/**
 * The handler bundled with esbuild's JS API inside a local bundler (no Docker). The asset hash is
 * computed from the handler source, the esbuild version and the options, so a repeated
 * `cdk synth` into the same cdk.out skips bundling. (NodejsFunction does the same job but spawns
 * a shell and an `esbuild --version` probe per synth, ~0.3 s of every synth.) The SDK v3 comes
 * from the Lambda runtime (`@aws-sdk/*` external).
 */
function bundledHandler(): lambda.Code {
  if (!cachedCode) {
    const entry = handlerEntry();
    const esbuildVersion = (loadEsbuild()?.version) ?? 'none';
    const hash = createHash('sha256').update(fs.readFileSync(entry)).update(esbuildVersion).update(JSON.stringify(ESBUILD_OPTIONS)).digest('hex');
    cachedCode = { hash, entry };
  }
  const { hash, entry } = cachedCode;
  return lambda.Code.fromAsset(path.dirname(entry), {
    assetHash: hash,
    bundling: {
      image: DockerImage.fromRegistry('servingstack/no-docker-needed'),
      local: {
        tryBundle(outputDir: string): boolean {
          const esbuild = loadEsbuild();
          if (!esbuild) throw new Error('bundling the rollout Lambda needs the esbuild package (npm i -D esbuild)');
          esbuild.buildSync({ ...ESBUILD_OPTIONS, external: [...ESBUILD_OPTIONS.external], entryPoints: [entry], outfile: path.join(outputDir, 'index.js') });
          return true;
        },
      },
    },
  });
}

interface EsbuildApi {
  readonly version: string;
  buildSync(options: Record<string, unknown>): unknown;
}

function loadEsbuild(): EsbuildApi | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('esbuild') as EsbuildApi;
  } catch {
    return undefined;
  }
}

/** Convert an L1 (camelCase) structure to the SageMaker API shape (PascalCase). */
export function toApiShape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toApiShape);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k.charAt(0).toUpperCase() + k.slice(1), toApiShape(v)]));
  }
  return value;
}
