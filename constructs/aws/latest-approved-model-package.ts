import { Validations } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsCustomResource, AwsCustomResourcePolicy, AwsSdkCall, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { IModelPackageRef } from './model-data';
import { IModelPackageGroup } from './model-package-group';

/** Properties of {@link LatestApprovedModelPackage}. */
export interface LatestApprovedModelPackageProps {
  /** The group to read. */
  readonly group: IModelPackageGroup;
  /**
   * Change this value to look the latest approved version up again on the next deploy (e.g. a
   * date or a release number). CloudFormation re-runs the lookup only when its inputs change.
   * @default '1'
   */
  readonly refreshToken?: string;
  /**
   * Bucket holding the versions' model data, read by models hosting the version.
   * @default - no S3 grant (grant it yourself)
   */
  readonly artifactBucket?: s3.IBucket;
  /**
   * Repository holding the versions' images, pulled by models hosting the version.
   * @default - no ECR grant (grant it yourself)
   */
  readonly imageRepository?: ecr.IRepository;
}

/**
 * The newest `Approved` version of a model package group, resolved at deploy time (a
 * `ListModelPackages` custom resource): `ModelData.fromModelPackage(new LatestApprovedModelPackage(…))`
 * deploys "the latest approved version". Fails the deployment when the group has no approved
 * version. The lookup runs when the group or `refreshToken` changes.
 */
export class LatestApprovedModelPackage extends Construct implements IModelPackageRef {
  public readonly modelPackageArn: string;
  private readonly props: LatestApprovedModelPackageProps;

  constructor(scope: Construct, id: string, props: LatestApprovedModelPackageProps) {
    super(scope, id);
    this.props = props;
    const call: AwsSdkCall = {
      service: 'SageMaker',
      action: 'ListModelPackages',
      parameters: {
        ModelPackageGroupName: props.group.modelPackageGroupName,
        ModelApprovalStatus: 'Approved',
        SortBy: 'CreationTime',
        SortOrder: 'Descending',
        MaxResults: 1,
      },
      physicalResourceId: PhysicalResourceId.of(`latest-approved-${props.refreshToken ?? '1'}`),
      outputPaths: ['ModelPackageSummaryList.0.ModelPackageArn'],
    };
    const lookup = new AwsCustomResource(this, 'Lookup', {
      onCreate: call,
      onUpdate: call,
      installLatestAwsSdk: false,
      // ListModelPackages supports no resource-level permissions.
      policy: AwsCustomResourcePolicy.fromStatements([new iam.PolicyStatement({ actions: ['sagemaker:ListModelPackages'], resources: ['*'] })]),
    });
    Validations.of(lookup).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: 'sagemaker:ListModelPackages supports no resource-level permissions; the call is read-only' });
    this.modelPackageArn = lookup.getResponseField('ModelPackageSummaryList.0.ModelPackageArn');
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
