import { RemovalPolicy, Resource } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CfnModelPackage } from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';
import { ModelManifest } from '../../lib/core/manifest';
import { lineageMetadata } from './registry/lineage';
import { ContainerImage } from './container-image';
import { InstanceType } from './instance-type';
import { IModelPackageRef, ModelData } from './model-data';
import { IModelPackageGroup } from './model-package-group';
import { AwsErrorCodes } from './errors';
import { Checker } from './private/errors';

/** Approval status of a model package version. */
export class ApprovalStatus {
  public static readonly APPROVED = new ApprovalStatus('Approved');
  public static readonly REJECTED = new ApprovalStatus('Rejected');
  public static readonly PENDING_MANUAL_APPROVAL = new ApprovalStatus('PendingManualApproval');
  private constructor(public readonly value: string) {}
}

/** Properties of {@link ModelPackage}. */
export interface ModelPackageProps {
  /** The group this version belongs to. */
  readonly group: IModelPackageGroup;
  /** The artifacts (a local package, or S3). */
  readonly modelData: ModelData;
  /**
   * Serving image.
   * @default - as for Model: framework image for TensorFlow/PyTorch packages, else the ServingStack runtime
   */
  readonly image?: ContainerImage;
  /**
   * Approval status. Approving a version (here or in the console) starts the rollout of an
   * endpoint subscribed with ApprovalRollout.
   * @default ApprovalStatus.PENDING_MANUAL_APPROVAL
   */
  readonly approvalStatus?: ApprovalStatus;
  /**
   * Description.
   * @default - the manifest's description
   */
  readonly description?: string;
  /**
   * Request content types.
   * @default ['application/json']
   */
  readonly supportedContentTypes?: readonly string[];
  /**
   * Response MIME types.
   * @default ['application/json']
   */
  readonly supportedResponseMimeTypes?: readonly string[];
  /**
   * Instance types the version is validated for.
   * @default - any
   */
  readonly supportedInstanceTypes?: readonly InstanceType[];
  /**
   * Container environment stored with the version.
   * @default - none
   */
  readonly environment?: Record<string, string>;
  /**
   * What happens to the version on stack deletion.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}


/**
 * A versioned model package in a group: the artifacts and image with approval status and the
 * manifest's lineage as metadata. Retained on stack deletion so the registry keeps its history.
 */
export class ModelPackage extends Resource implements IModelPackageRef {
  /** Import a version by ARN. */
  public static fromModelPackageArn(modelPackageArn: string): IModelPackageRef {
    return new ImportedModelPackage(modelPackageArn);
  }

  public readonly modelPackageArn: string;
  public readonly manifest?: ModelManifest;
  public readonly resource: CfnModelPackage;
  private readonly modelData: ModelData;
  private readonly image: ContainerImage;

  constructor(scope: Construct, id: string, props: ModelPackageProps) {
    super(scope, id);
    const checker = new Checker(this, 'ModelPackage', AwsErrorCodes.REGISTRY);
    checker.check(!props.modelData.isModelPackage, { field: 'modelData', message: 'a model package cannot wrap another model package', received: 'ModelData.fromModelPackage', allowed: 'ModelData.fromAsset or ModelData.fromS3' });
    checker.check(!props.modelData.isPrefix, { field: 'modelData', message: 'model packages need a .tar.gz', received: 'an S3 prefix', allowed: 'ModelData.fromAsset or ModelData.fromS3(bucket, "model.tar.gz")' });
    checker.throwIfAny();
    this.manifest = props.modelData.manifest;
    this.modelData = props.modelData;
    const gpu = (props.supportedInstanceTypes ?? []).some((t) => (t.gpuCount ?? 0) > 0);
    this.image = props.image ?? (this.manifest && ContainerImage.hasFrameworkImage(this.manifest.format) ? ContainerImage.fromFramework(this.manifest.format, { gpu }) : ContainerImage.fromRuntimeAsset({ gpu }));
    const data = props.modelData.bind(this);
    const image = this.image.bind(this);
    const lineage = this.manifest?.lineage;
    this.resource = new CfnModelPackage(this, 'Resource', {
      modelPackageGroupName: props.group.modelPackageGroupName,
      modelPackageDescription: props.description ?? this.manifest?.description,
      modelApprovalStatus: (props.approvalStatus ?? ApprovalStatus.PENDING_MANUAL_APPROVAL).value,
      inferenceSpecification: {
        containers: [{ image: image.imageUri, modelDataUrl: data.modelDataUrl, environment: props.environment }],
        supportedContentTypes: [...(props.supportedContentTypes ?? ['application/json'])],
        supportedResponseMimeTypes: [...(props.supportedResponseMimeTypes ?? ['application/json'])],
        supportedRealtimeInferenceInstanceTypes: props.supportedInstanceTypes?.map((t) => t.toString()),
      },
      customerMetadataProperties: lineageMetadata(this.manifest),
      metadataProperties: lineage?.codeCommit || lineage?.codeRepository ? { commitId: lineage.codeCommit, repository: lineage.codeRepository } : undefined,
    });
    this.resource.applyRemovalPolicy(props.removalPolicy ?? RemovalPolicy.RETAIN);
    // The group must exist before its first version.
    if (props.group instanceof Resource) this.resource.node.addDependency(props.group);
    this.modelPackageArn = this.resource.attrModelPackageArn;
  }

  /** Grant `grantee` what hosting this version needs: read the model data, pull the image. */
  public grantHost(grantee: iam.IGrantable): void {
    this.modelData.bind(this, grantee);
    this.image.bind(this, grantee);
  }
}

/** A version known by ARN only: the role that hosts it already reads it. */
class ImportedModelPackage implements IModelPackageRef {
  constructor(public readonly modelPackageArn: string) {}

  public grantHost(): void {
    // Nothing known to grant: the version's data and image are in another account or stack.
  }
}
