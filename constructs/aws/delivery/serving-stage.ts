import { CfnOutput, Environment, Stack, Stage, StageProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ModelData } from '../model-data';
import { IModelRegistry, ModelRegistry } from '../model-registry';
import { ServingEndpoint } from '../serving-endpoint';
import { ServingEndpointOptions } from '../serving-endpoint-options';

/** Properties of {@link ServingStage}. */
export interface ServingStageProps extends StageProps {
  /** Name of the registry's model package group. */
  readonly modelPackageGroupName: string;
  /** Name of the registry's artifact bucket (a literal: stages cannot reference another stage's tokens). */
  readonly artifactBucketName: string;
  /**
   * Account whose KMS key encrypts the artifact bucket.
   * @default - the stage's own account
   */
  readonly artifactKeyAccount?: string;
  /**
   * The version this stage serves (the build's registration).
   * @default - the newest approved version
   */
  readonly modelPackageArn?: string;
  /** Production stages refuse a version that is not approved at deploy time; staging takes pending ones. */
  readonly requireApproved: boolean;
  /**
   * The endpoint, as for every stage.
   * @default - ServingEndpoint defaults
   */
  readonly endpoint?: ServingEndpointOptions;
  /** Environment of the stage's stack. @default - the pipeline's */
  readonly env?: Environment;
}

/**
 * One deployment target of a {@link ModelDeliveryPipeline}: a stack with a ServingEndpoint fed by
 * the registry. The model travels as an S3 reference (the version's ModelDataUrl, looked up and
 * checked at deploy time), never inside the cloud assembly. Approvals do not roll out by event
 * here: the pipeline drives every stage's version.
 */
export class ServingStage extends Stage {
  public readonly stack: Stack;
  public readonly serving: ServingEndpoint;
  public readonly registry: IModelRegistry;
  /** The endpoint name (a literal, known at synth). */
  public readonly endpointName: string;
  public readonly endpointNameOutput: CfnOutput;

  constructor(scope: Construct, id: string, props: ServingStageProps) {
    super(scope, id, props);
    this.stack = new Stack(this, 'Serving', { env: props.env, description: `ServingStack ${id} stage of ${props.modelPackageGroupName}` });
    this.registry = ModelRegistry.fromRegistryAttributes(this.stack, 'Registry', {
      modelPackageGroupName: props.modelPackageGroupName,
      artifactBucketName: props.artifactBucketName,
      artifactKeyAccount: props.artifactKeyAccount ?? this.stack.account,
    });
    this.serving = new ServingEndpoint(this.stack, 'Endpoint', {
      ...props.endpoint,
      modelData: ModelData.fromRegistry(this.registry, { modelPackageArn: props.modelPackageArn, requireApproved: props.requireApproved }),
      registry: { registry: this.registry, rolloutOnApproval: false },
    });
    this.endpointName = this.serving.endpoint.endpointName;
    this.endpointNameOutput = new CfnOutput(this.stack, 'EndpointName', { value: this.endpointName });
  }
}
