import { CustomResource, Lazy, Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { IModelPackageRef } from './model-data';
import type { IModelPackageGroup } from './model-package-group';
import { servingFingerprint } from './private/fingerprint';
import { handlerFunctionProps } from './private/lambda-code';
import { acknowledge, acknowledgeInlinePolicy, acknowledgeServingStackWildcards } from './private/nag-acknowledgements';
import { ROLLOUT_API_CALLS } from './rollout/api-calls';

/** Properties of {@link LatestApprovedModelPackage}. */
export interface LatestApprovedModelPackageProps {
  /** The group to read. */
  readonly group: IModelPackageGroup;
  /**
   * A version pinned by the app (e.g. the build a delivery pipeline registered) instead of the
   * newest approved one. It is still checked at deploy time (see `requireApproved`).
   * @default - the newest approved version
   */
  readonly modelPackageArn?: string;
  /**
   * Whether a pinned version must be `Approved` (production) or may be pending (staging).
   * Rejected versions never deploy.
   * @default true
   */
  readonly requireApproved?: boolean;
  /**
   * Model data served while the group has no approved version (the app's own package).
   * @default - none: a deployment fails while the group has no approved version
   */
  readonly fallbackModelDataUrl?: string;
  /**
   * Change this value to force a lookup on the next deploy. Lookups already run whenever the
   * stack's SageMaker models, endpoint configs or endpoints change.
   * @default '1'
   */
  readonly refreshToken?: string;
  /**
   * Bucket holding the versions' model data, read by models hosting the version.
   * @default - no S3 grant (grant it yourself)
   */
  readonly artifactBucket?: s3.IBucket;
  /**
   * Repository holding the versions' images, pulled by models hosting the version through `ModelPackageName`.
   * @default - no ECR grant (grant it yourself)
   */
  readonly imageRepository?: ecr.IRepository;
}

/**
 * The version a stack serves, resolved at deploy time by a custom resource: the newest `Approved`
 * version of a group (or a pinned version, checked to be approved), by the same rule the
 * approval rollout follows, so `cdk deploy` and approvals never disagree. Pending and rejected
 * versions never resolve.
 *
 * CloudFormation re-runs a custom resource only when its properties change, so the lookup carries
 * a fingerprint of the stack's SageMaker models, endpoint configs and endpoints: whenever a deploy
 * would touch an endpoint, the lookup runs first and the endpoint keeps (or gets) the newest approved
 * version; when nothing about the endpoint changes, CloudFormation leaves it serving what the
 * rollout deployed.
 */
export class LatestApprovedModelPackage extends Construct implements IModelPackageRef {
  /** ARN of the resolved version (empty when the fallback is served). */
  public readonly modelPackageArn: string;
  /** `s3://` URL of the resolved version's archive (or the fallback). */
  public readonly modelDataUrl: string;
  /** Number of the resolved version (empty when the fallback is served). */
  public readonly modelPackageVersion: string;
  public readonly resource: CustomResource;
  private readonly props: LatestApprovedModelPackageProps;

  constructor(scope: Construct, id: string, props: LatestApprovedModelPackageProps) {
    super(scope, id);
    this.props = props;
    const stack = Stack.of(this);
    const fn = lookupFunction(stack);
    const role = fn.role as iam.Role;
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sagemaker:DescribeModelPackage'], resources: [props.group.modelPackageArnPattern] }));
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: fn.functionArn,
      resourceType: 'Custom::ServingStackModelVersion',
      properties: {
        ModelPackageGroupName: props.group.modelPackageGroupName,
        PinnedModelPackageArn: props.modelPackageArn ?? '',
        RequireApproved: String(props.requireApproved ?? true),
        FallbackModelDataUrl: props.fallbackModelDataUrl ?? '',
        RefreshToken: props.refreshToken ?? '1',
        ServingFingerprint: Lazy.string({ produce: () => servingFingerprint(stack) }),
      },
    });
    this.resource.node.addDependency(role);
    this.modelPackageArn = this.resource.getAttString('ModelPackageArn');
    this.modelDataUrl = this.resource.getAttString('ModelDataUrl');
    this.modelPackageVersion = this.resource.getAttString('ModelPackageVersion');
  }

  /** Read the group, the versions' model data and images. */
  public grantHost(grantee: iam.IGrantable): void {
    this.props.group.grantRead(grantee);
    if (this.props.artifactBucket) {
      iam.Grant.addToPrincipal({ grantee, actions: ['s3:GetObject'], resourceArns: [this.props.artifactBucket.arnForObjects('*')] });
      this.props.artifactBucket.encryptionKey?.grantDecrypt(grantee);
    }
    this.props.imageRepository?.grantPull(grantee);
  }
}

/** One lookup function per stack (the rollout handler bundle; it answers custom resource requests). */
function lookupFunction(stack: Stack): lambda.Function {
  const id = 'ServingStackModelVersionLookup';
  const existing = stack.node.tryFindChild(id) as Construct | undefined;
  if (existing) return existing.node.findChild('Function') as lambda.Function;
  const scope = new Construct(stack, id);
  const role = new iam.Role(scope, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description: 'ServingStack deploy-time model version lookup' });
  acknowledgeInlinePolicy(role);
  const logGroup = new logs.LogGroup(scope, 'Logs', { retention: logs.RetentionDays.ONE_YEAR });
  role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'Logs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));
  // ListModelPackages supports no resource-level permissions; DescribeModelPackage is added per group.
  role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'ListVersions', actions: ROLLOUT_API_CALLS.lookup.filter((a) => a === 'sagemaker:ListModelPackages'), resources: ['*'] }));
  const fn = new lambda.Function(scope, 'Function', handlerFunctionProps('rollout', role, logGroup, 'ServingStack: resolves the model package version a stack serves at deploy time'));
  const why = {
    vpc: 'the function only calls the SageMaker control-plane API and touches no VPC resource',
    concurrency: 'invoked only by CloudFormation during deployments of this stack; reserving concurrency fails in accounts at the 10-execution minimum',
    dlq: 'invoked synchronously by CloudFormation, which records a failed lookup as a failed resource; there is no asynchronous event to keep',
    logs: 'the log lines hold only model package ARNs, S3 URLs of archives and status, no request data; the group is encrypted by CloudWatch Logs',
  };
  acknowledge(fn, {
    'NIST.800.53.R5-LambdaInsideVPC': why.vpc, 'HIPAA.Security-LambdaInsideVPC': why.vpc,
    'NIST.800.53.R5-LambdaConcurrency': why.concurrency, 'HIPAA.Security-LambdaConcurrency': why.concurrency,
    'NIST.800.53.R5-LambdaDLQ': why.dlq, 'HIPAA.Security-LambdaDLQ': why.dlq,
  });
  acknowledge(logGroup, { 'NIST.800.53.R5-CloudWatchLogGroupEncrypted': why.logs, 'HIPAA.Security-CloudWatchLogGroupEncrypted': why.logs });
  acknowledge(role, { 'AwsSolutions-IAM5[Resource::*]': 'sagemaker:ListModelPackages supports no resource-level permissions; the call is read-only' });
  acknowledgeServingStackWildcards(scope);
  return fn;
}
