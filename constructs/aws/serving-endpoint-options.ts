import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
/**
 * The options of a {@link ServingEndpoint}, grouped by the part they configure: the model, the
 * variants, the endpoint kind, autoscaling, the registry, monitoring and model quality.
 */
import { Duration, Size } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { ContainerImage } from './container-image';
import { DeploymentStrategy } from './deployment-strategy';
import { GuardrailAlarmOptions } from './endpoint';
import { AsyncInferenceProps, DataCaptureProps } from './endpoint-config';
import { EndpointAlarmThresholds } from './endpoint-monitoring';
import { InstanceType } from './instance-type';
import { ModelData } from './model-data';
import { ModelQualityThresholds, RetrainingTarget } from './model-quality-monitoring';
import { IModelRegistry } from './model-registry';
import { RuntimeSettings } from './runtime-environment';
import { RoutingStrategy } from './variant';
import { ScheduledCapacity } from './variant-auto-scaling';

/** The container every variant runs (what `Model` takes, but the model data). */
export interface ServingModelOptions {
  /**
   * Serving image.
   * @default - ServingStack runtime (framework image for TensorFlow/PyTorch packages); the CUDA
   * runtime image (`docker/Dockerfile.cuda`) on GPU instance types
   */
  readonly image?: ContainerImage;
  /**
   * Accept an image without GPU support on GPU instance types (otherwise synth fails).
   * @default false
   */
  readonly allowCpuImageOnGpu?: boolean;
  /**
   * @default - EMF on, batching from the manifest
   */
  readonly runtime?: RuntimeSettings;
  /**
   * @default - none
   */
  readonly environment?: Record<string, string>;
  /**
   * Multi-model container (needs ModelData.fromS3Prefix).
   * @default false
   */
  readonly multiModel?: boolean;
  /**
   * @default - no VPC
   */
  readonly vpc?: ec2.IVpc;
  /**
   * @default - private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * @default - a new security group
   */
  readonly securityGroups?: readonly ec2.ISecurityGroup[];
  /**
   * @default false
   */
  readonly networkIsolation?: boolean;
}

/** The first production variant, whose shape the additional and shadow variants share. */
export interface ServingVariantOptions {
  /**
   * Name of the first variant.
   * @default 'AllTraffic'
   */
  readonly variantName?: string;
  /**
   * Instance type. GPU types (g4dn, g5, g6, p3, p4, p5…) get the CUDA runtime image by default,
   * CPU types the CPU image.
   * @default InstanceType.M5_LARGE
   */
  readonly instanceType?: InstanceType;
  /**
   * @default 1
   */
  readonly initialInstanceCount?: number;
  /**
   * Weight of the first variant when `additionalVariants` are set.
   * @default 1
   */
  readonly weight?: number;
  /**
   * ML storage volume of every variant.
   * @default - SageMaker's default
   */
  readonly volumeSize?: Size;
  /**
   * @default - SageMaker's default
   */
  readonly containerStartupHealthCheckTimeout?: Duration;
  /**
   * @default - SageMaker's default
   */
  readonly modelDataDownloadTimeout?: Duration;
  /**
   * Routing of every variant.
   * @default RoutingStrategy.LEAST_OUTSTANDING_REQUESTS (real-time); SageMaker's default for async
   */
  readonly routingStrategy?: RoutingStrategy;
}

/** One more production variant (A/B) or the shadow variant. */
export interface AdditionalVariantOptions {
  /** Variant name (kept across updates). */
  readonly variantName: string;
  /**
   * Artifacts of this variant.
   * @default - the endpoint's modelData
   */
  readonly modelData?: ModelData;
  /**
   * Image of this variant.
   * @default - the endpoint's image
   */
  readonly image?: ContainerImage;
  /**
   * @default - the first variant's instanceType
   */
  readonly instanceType?: InstanceType;
  /**
   * @default - the first variant's initialInstanceCount
   */
  readonly initialInstanceCount?: number;
  /**
   * Traffic weight relative to the other variants.
   * @default 1
   */
  readonly weight?: number;
}

/** Serverless endpoint options. */
export interface ServerlessOptions {
  /**
   * @default Size.mebibytes(2048)
   */
  readonly memorySize?: Size;
  /**
   * @default 20
   */
  readonly maxConcurrency?: number;
  /**
   * @default - none
   */
  readonly provisionedConcurrency?: number;
}

/** Autoscaling of every production variant. */
export interface ServingAutoScalingOptions {
  /**
   * Turn autoscaling off (required for burstable instance types).
   * @default true for instance and async endpoints; serverless only when provisionedConcurrency is set
   */
  readonly enabled?: boolean;
  /**
   * Fewest instances (serverless: provisioned concurrency).
   * @default - the variant's initial count; 0 for asynchronous endpoints (scale to zero)
   */
  readonly minCapacity?: number;
  /**
   * Most instances (serverless: provisioned concurrency).
   * @default 4 (serverless: maxConcurrency)
   */
  readonly maxCapacity?: number;
  /**
   * Invocations per instance per minute to hold.
   * @default 1000 when no other real-time target is given
   */
  readonly targetInvocationsPerInstancePerMinute?: number;
  /**
   * Concurrent requests per model to hold (high-resolution metric).
   * @default - not used
   */
  readonly targetConcurrentRequests?: number;
  /**
   * Whole-instance CPU utilisation in percent to hold.
   * @default - not used
   */
  readonly targetCpuUtilizationPercent?: number;
  /**
   * Whole-instance GPU utilisation in percent to hold.
   * @default - not used
   */
  readonly targetGpuUtilizationPercent?: number;
  /**
   * Async: queued requests per instance to hold.
   * @default 5
   */
  readonly targetBacklogPerInstance?: number;
  /**
   * Serverless: provisioned-concurrency utilisation to hold.
   * @default 0.7
   */
  readonly targetProvisionedConcurrencyUtilization?: number;
  /**
   * Scheduled capacity changes (e.g. business hours).
   * @default - none
   */
  readonly schedules?: readonly ScheduledCapacity[];
  /**
   * @default Duration.minutes(5)
   */
  readonly scaleInCooldown?: Duration;
  /**
   * @default Duration.minutes(1)
   */
  readonly scaleOutCooldown?: Duration;
}

/** Model registry options. */
export interface ServingRegistryOptions {
  /**
   * Serve from a model registry: the endpoint serves the newest approved version of the group
   * (resolved at deploy time), the app's package only until a version is approved; approvals and
   * rejections roll out through an `ApprovalRollout`. New versions are registered with
   * `servingstack register`, separately from `cdk deploy`.
   * @default true for local packages and S3 .tar.gz data (not for prefixes or model packages);
   * with a finished endpoint, true when `registry` is given
   */
  readonly enabled?: boolean;
  /**
   * The registry (group and artifact bucket).
   * @default - a new ModelRegistry, retained on stack deletion
   */
  readonly registry?: IModelRegistry;
  /**
   * Roll approval status changes out to the endpoint (EventBridge + Lambda) with the guardrails.
   * @default true
   */
  readonly rolloutOnApproval?: boolean;
  /**
   * Accounts allowed to read the new registry.
   * @default - none
   */
  readonly crossAccountReadAccounts?: readonly string[];
}

/** Dashboard and alarms of a {@link ServingEndpoint}. */
export interface ServingMonitoringOptions {
  /**
   * @default - see EndpointAlarmThresholds
   */
  readonly thresholds?: EndpointAlarmThresholds;
  /**
   * @default - a new encrypted topic
   */
  readonly alarmTopic?: sns.ITopic;
}

/** Model-quality monitoring of a {@link ServingEndpoint}. */
export interface ServingModelQualityOptions {
  /**
   * @default - true when the package has a baseline and the endpoint runs the ServingStack runtime
   */
  readonly enabled?: boolean;
  /** @default - the shared vocabulary's defaults (see ModelQualityThresholds) */
  readonly thresholds?: ModelQualityThresholds;
  /**
   * Started when the drift, accuracy or concept-drift alarm fires.
   * @default - none
   */
  readonly retraining?: RetrainingTarget;
  /**
   * The secret whose value signs prediction tokens (at least 32 bytes), so a label sent back through
   * `/invocations` with its token reaches the monitor on any instance. Bring your own to share one
   * key between endpoints or to rotate it yourself.
   * @default - a new secret: a generated 64-character key, encrypted with its own KMS key (rotation
   * on), retained when the stack is deleted
   */
  readonly feedbackKey?: secretsmanager.ISecret;
}

/** Everything of a {@link ServingEndpoint} but its model data (what a delivery pipeline's stages share). */
export interface ServingEndpointOptions {
  /**
   * The container.
   * @default - see ServingModelOptions
   */
  readonly model?: ServingModelOptions;
  /**
   * The first production variant (and the shape of the others).
   * @default - see ServingVariantOptions
   */
  readonly variant?: ServingVariantOptions;
  /**
   * More production variants (A/B tests).
   * @default - none
   */
  readonly additionalVariants?: readonly AdditionalVariantOptions[];
  /**
   * Shadow variant.
   * @default - none
   */
  readonly shadowVariant?: AdditionalVariantOptions;
  /**
   * Serve serverless instead of on instances.
   * @default - instances
   */
  readonly serverless?: ServerlessOptions;
  /**
   * Serve asynchronously.
   * @default - real-time
   */
  readonly asyncInference?: AsyncInferenceProps;
  /**
   * Capture requests and responses (may contain personal data: opt in).
   * @default - no capture
   */
  readonly dataCapture?: DataCaptureProps;
  /**
   * @default - a new key with rotation (left off the endpoint config for local-NVMe instance types)
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * @default - derived from the construct path
   */
  readonly endpointName?: string;
  /**
   * @default DeploymentStrategy.blueGreen()
   */
  readonly deployment?: DeploymentStrategy;
  /**
   * @default - see GuardrailAlarmOptions
   */
  readonly guardrailAlarms?: GuardrailAlarmOptions;
  /**
   * @default - see ServingAutoScalingOptions
   */
  readonly autoScaling?: ServingAutoScalingOptions;
  /**
   * @default - see ServingRegistryOptions
   */
  readonly registry?: ServingRegistryOptions;
  /**
   * @default - see ServingMonitoringOptions
   */
  readonly monitoring?: ServingMonitoringOptions;
  /**
   * Model-quality alarms (drift, accuracy, concept drift, fairness) on the runtime's monitoring,
   * and what to start for retraining.
   * @default - on when the model package has a baseline and runs the ServingStack runtime; no retraining trigger
   */
  readonly modelQuality?: ServingModelQualityOptions;
}
