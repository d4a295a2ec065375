import { ArnFormat, Duration, Lazy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CfnEndpoint } from 'aws-cdk-lib/aws-sagemaker';
import { IEndpoint } from './endpoint-base';
import { IModelPackageGroup } from './model-package-group';
import { handlerFunctionProps } from './private/lambda-code';
import { toApiShape } from './private/api-shape';
import { acknowledgeInlinePolicy, acknowledgeServingStackWildcards } from './private/nag-acknowledgements';
import { ROLLOUT_API_CALLS } from './rollout/api-calls';

/** Properties of {@link ApprovalRollout}. */
export interface ApprovalRolloutProps {
  /** The endpoint that receives approved versions (its guardrails, when it has them, gate every rollout). */
  readonly endpoint: IEndpoint;
  /** The group whose approvals start a rollout. */
  readonly group: IModelPackageGroup;
  /**
   * Variants that receive the new version.
   * @default - every production variant serving a model
   */
  readonly variantNames?: readonly string[];
  /**
   * Execution roles the rollout may pass to the models it creates.
   * @default - the roles of the endpoint's models and its execution role
   */
  readonly executionRoles?: readonly iam.IRole[];
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
 * Keeps an endpoint on the newest approved version of `group`. Every approval status change of
 * the group (EventBridge "SageMaker Model Package State Change") invokes a small TypeScript Lambda
 * (bundled, no Docker) whose planner (rollout/plan.ts) compares the newest approved version with
 * what the endpoint serves: an approval rolls the version out, a rejection of the served version
 * rolls back to the newest approved one. The executor creates a model with the version's archive
 * and the served model's image, role, network and environment, a copy of the endpoint config, and
 * updates the endpoint with its deployment guardrails (blue/green or rolling, auto-rollback alarms)
 * while retaining variant properties; it waits (retries) while the endpoint is updating or a
 * guardrail alarm fires, and refuses events of other groups.
 *
 * The created model and config live outside CloudFormation. A later `cdk deploy` keeps the
 * approved version when the endpoint's model data comes from `ModelData.fromRegistry` (the
 * deploy-time lookup resolves the same newest approved version).
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
    // The endpoint's deployment config (guardrails included) as the API takes it, rendered again at
    // synth so variants added after the rollout count; an imported endpoint has none.
    const resource = endpoint.node.defaultChild;
    const apiDeployment = (): ApiDeployment | undefined => {
      const config = resource instanceof CfnEndpoint ? resource.deploymentConfig : undefined;
      return config ? (toApiShape(stack.resolve(config)) as ApiDeployment) : undefined;
    };
    // The guardrail alarms (the endpoint's and any additional ones): the health signal of the planner.
    const alarmNames = (apiDeployment()?.AutoRollbackConfiguration?.Alarms ?? []).map((a) => a.AlarmName).filter((n): n is string => typeof n === 'string');
    this.function = new lambda.Function(this, 'Function', {
      ...handlerFunctionProps('rollout', role, logGroup, `Rolls approved ${props.group.modelPackageGroupName} versions out to ${endpoint.endpointName}`),
      deadLetterQueue: this.deadLetterQueue,
      reservedConcurrentExecutions: props.reservedConcurrency,
      environment: {
        ENDPOINT_NAME: endpoint.endpointName,
        MODEL_PACKAGE_GROUP_NAME: props.group.modelPackageGroupName,
        VARIANT_NAMES: (props.variantNames ?? []).join(','),
        NAME_PREFIX: prefix,
        DEPLOYMENT_CONFIG: Lazy.string({ produce: () => { const d = apiDeployment(); return d ? stack.toJsonString(d) : ''; } }),
        ALARM_NAMES: alarmNames.join(','),
      },
    });

    const sm = (resource: string, resourceName: string): string => stack.formatArn({ service: 'sagemaker', resource, resourceName });
    const endpointName = Token.isUnresolved(endpoint.endpointName) ? endpoint.endpointName : endpoint.endpointName.toLowerCase();
    const granted = new Set<string>();
    const allow = (sid: string, actions: string[], resources: string[]): void => {
      actions.forEach((a) => granted.add(a));
      role.addToPrincipalPolicy(new iam.PolicyStatement({ sid, actions, resources }));
    };
    // ListModelPackages supports no resource-level permissions.
    allow('ListVersions', ['sagemaker:ListModelPackages'], ['*']);
    allow('ReadVersions', ['sagemaker:DescribeModelPackage'], [props.group.modelPackageArnPattern]);
    allow('Endpoint', ['sagemaker:DescribeEndpoint', 'sagemaker:UpdateEndpoint'], [sm('endpoint', endpointName)]);
    allow('ReadCurrent', ['sagemaker:DescribeEndpointConfig', 'sagemaker:DescribeModel'], [sm('endpoint-config', '*'), sm('model', '*')]);
    allow('CreateNext', ['sagemaker:CreateModel', 'sagemaker:AddTags', 'sagemaker:CreateEndpointConfig', 'sagemaker:UpdateEndpoint'], [sm('model', `${prefix}-m-*`), sm('endpoint-config', `${prefix}-c-*`)]);
    const alarmArns = alarmNames.map((n) => stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: n, arnFormat: ArnFormat.COLON_RESOURCE_NAME }));
    if (alarmArns.length > 0) allow('RollbackAlarms', ['cloudwatch:DescribeAlarms'], alarmArns);
    const missing = ROLLOUT_API_CALLS.rollout.filter((a) => !granted.has(a) && !(a === 'cloudwatch:DescribeAlarms' && alarmArns.length === 0));
    if (missing.length > 0) throw new Error(`ApprovalRollout grants no ${missing.join(', ')}: keep the grants in step with rollout/api-calls.ts`);
    const roles = props.executionRoles ? [...props.executionRoles] : endpoint.variants.map((v) => v.model?.role).filter((r): r is iam.IRole => r !== undefined);
    if (!props.executionRoles && endpoint.executionRole) roles.push(endpoint.executionRole);
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
      description: `Approval status changes of ${props.group.modelPackageGroupName} reconcile ${endpoint.endpointName}`,
      eventPattern: {
        source: ['aws.sagemaker'],
        detailType: ['SageMaker Model Package State Change'],
        // Every status change of the group: approvals roll out, rejections of the served version roll back.
        detail: { ModelPackageGroupName: [props.group.modelPackageGroupName], ModelApprovalStatus: ['Approved', 'Rejected', 'PendingManualApproval'] },
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

interface ApiDeployment {
  readonly AutoRollbackConfiguration?: { readonly Alarms?: ReadonlyArray<{ readonly AlarmName: unknown }> };
}
