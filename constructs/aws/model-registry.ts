import { RemovalPolicy, Resource, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { IModelPackageGroup, ModelPackageGroup } from './model-package-group';
import { AWS_ERRORS, Checker } from './private/errors';
import { REGISTRY_KEY_PREFIX } from './registry/keys';
import { SecureBucket } from './secure-bucket';

export { REGISTRY_KEY_PREFIX } from './registry/keys';

/** A model registry: a model package group and the bucket holding its versions' archives. */
export interface IModelRegistry {
  /** The group of versions. */
  readonly group: IModelPackageGroup;
  /** The bucket holding every version's `model.tar.gz`. */
  readonly artifactBucket: s3.IBucket;
  /** Key prefix of this group's archives (`model-packages/<group>/`). */
  readonly artifactPrefix: string;
  /** Read every version's archive (and nothing else in the bucket). */
  grantReadArtifacts(grantee: iam.IGrantable): iam.Grant;
  /** Upload archives under the prefix and create versions in the group (`servingstack register`). */
  grantRegister(grantee: iam.IGrantable): iam.Grant;
  /** Read versions and change their approval status (an approval step). */
  grantApprove(grantee: iam.IGrantable): iam.Grant;
}

/** Properties of {@link ModelRegistry}. */
export interface ModelRegistryProps {
  /**
   * Group name.
   * @default - derived from the construct path
   */
  readonly modelPackageGroupName?: string;
  /**
   * Description of the group.
   * @default - none
   */
  readonly description?: string;
  /**
   * Accounts allowed to read the group, its versions and their archives (production accounts
   * deploying versions registered in a tooling account).
   * @default - none
   */
  readonly crossAccountReadAccounts?: string[];
  /**
   * Bucket for the archives.
   * @default - a new KMS-encrypted, versioned, TLS-only, access-logged bucket, retained
   */
  readonly artifactBucket?: s3.IBucket;
  /**
   * What happens to the group and the new bucket on stack deletion. The registry is history.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** Attributes of a registry defined elsewhere (another stack or account). */
export interface ModelRegistryAttributes {
  readonly modelPackageGroupName: string;
  readonly artifactBucketName: string;
  /**
   * Key of the bucket, for decrypt grants.
   * @default - no key grant (SSE-S3 or a key policy that already allows the readers)
   */
  readonly artifactKey?: kms.IKey;
}

abstract class RegistryBase extends Resource implements IModelRegistry {
  public abstract readonly group: IModelPackageGroup;
  public abstract readonly artifactBucket: s3.IBucket;

  public get artifactPrefix(): string {
    return `${REGISTRY_KEY_PREFIX}${this.group.modelPackageGroupName}/`;
  }

  public grantReadArtifacts(grantee: iam.IGrantable): iam.Grant {
    this.artifactBucket.encryptionKey?.grantDecrypt(grantee);
    return iam.Grant.addToPrincipal({ grantee, actions: ['s3:GetObject'], resourceArns: [this.artifactBucket.arnForObjects(`${this.artifactPrefix}*`)] });
  }

  public grantRegister(grantee: iam.IGrantable): iam.Grant {
    this.artifactBucket.encryptionKey?.grantEncryptDecrypt(grantee);
    iam.Grant.addToPrincipal({ grantee, actions: ['s3:PutObject', 's3:GetObject'], resourceArns: [this.artifactBucket.arnForObjects(`${this.artifactPrefix}*`)] });
    iam.Grant.addToPrincipal({ grantee, actions: ['sagemaker:CreateModelPackage', 'sagemaker:DescribeModelPackage', 'sagemaker:AddTags'], resourceArns: [this.group.modelPackageArnPattern] });
    iam.Grant.addToPrincipal({ grantee, actions: ['sagemaker:DescribeModelPackageGroup'], resourceArns: [this.group.modelPackageGroupArn] });
    // ListModelPackages has no resource-level permissions.
    return iam.Grant.addToPrincipal({ grantee, actions: ['sagemaker:ListModelPackages'], resourceArns: ['*'] });
  }

  public grantApprove(grantee: iam.IGrantable): iam.Grant {
    iam.Grant.addToPrincipal({ grantee, actions: ['sagemaker:ListModelPackages'], resourceArns: ['*'] });
    return iam.Grant.addToPrincipal({ grantee, actions: ['sagemaker:DescribeModelPackage', 'sagemaker:UpdateModelPackage'], resourceArns: [this.group.modelPackageArnPattern] });
  }
}

/**
 * The model registry of one model: a model package group (retained) and the bucket its versions'
 * archives live in. `servingstack register` uploads a package's archive under
 * `model-packages/<group>/<version>/<sha256>/model.tar.gz` and creates the version (pending
 * approval) with the manifest's lineage; `ModelData.fromRegistry(registry)` serves the newest
 * approved version, and an `ApprovalRollout` rolls approvals out. Execution roles get read access
 * to the group's prefix only.
 */
export class ModelRegistry extends RegistryBase {
  /** A registry defined elsewhere. */
  public static fromRegistryAttributes(scope: Construct, id: string, attrs: ModelRegistryAttributes): IModelRegistry {
    class Import extends RegistryBase {
      public readonly group = ModelPackageGroup.fromModelPackageGroupName(this, 'Group', attrs.modelPackageGroupName);
      public readonly artifactBucket = s3.Bucket.fromBucketAttributes(this, 'Bucket', { bucketName: attrs.artifactBucketName, encryptionKey: attrs.artifactKey });
    }
    return new Import(scope, id);
  }

  public readonly group: ModelPackageGroup;
  public readonly artifactBucket: s3.IBucket;

  constructor(scope: Construct, id: string, props: ModelRegistryProps = {}) {
    super(scope, id);
    const checker = new Checker(this, AWS_ERRORS.REGISTRY, 'ModelRegistry');
    (props.crossAccountReadAccounts ?? []).forEach((a, i) => checker.pattern(`crossAccountReadAccounts[${i}]`, a, /^\d{12}$/, '12 digits', 'is not an AWS account ID'));
    checker.throwIfAny();
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.group = new ModelPackageGroup(this, 'Group', {
      modelPackageGroupName: props.modelPackageGroupName,
      description: props.description,
      crossAccountReadAccounts: props.crossAccountReadAccounts,
      removalPolicy,
    });
    this.artifactBucket = props.artifactBucket ?? new SecureBucket(this, 'Artifacts', { removalPolicy }).bucket;
    const readers = props.crossAccountReadAccounts ?? [];
    if (readers.length > 0) {
      const principals = readers.map((a) => new iam.AccountPrincipal(a));
      this.artifactBucket.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'CrossAccountReadArtifacts',
        principals,
        actions: ['s3:GetObject'],
        resources: [this.artifactBucket.arnForObjects(`${this.artifactPrefix}*`)],
      }));
      const key = this.artifactBucket.encryptionKey;
      if (key instanceof kms.Key) {
        key.addToResourcePolicy(new iam.PolicyStatement({
          principals,
          actions: ['kms:Decrypt'],
          resources: ['*'],
          conditions: { StringEquals: { 'kms:ViaService': `s3.${Stack.of(this).region}.${Stack.of(this).urlSuffix}` } },
        }));
      }
    }
  }
}
