import { Duration, Size } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ApprovalRollout } from './approval-rollout';
import { ContainerImage } from './container-image';
import { DeploymentStrategy } from './deployment-strategy';
import {
  AsyncInferenceProps, DataCaptureProps, Endpoint, GuardrailAlarmOptions, InstanceVariantProps, RoutingStrategy,
} from './endpoint';
import { EndpointAlarmThresholds, EndpointMonitoring } from './endpoint-monitoring';
import { ModelQualityMonitoring, ModelQualityThresholds, RetrainingTarget } from './model-quality-monitoring';
import { InstanceType } from './instance-type';
import { Model } from './model';
import { ModelData, RegistryModelData } from './model-data';
import { IModelPackageGroup } from './model-package-group';
import { IModelRegistry, ModelRegistry } from './model-registry';
import { AWS_ERRORS, Checker } from './private/errors';
import { ServingStackError } from '../../lib/core/errors';
import { RuntimeSettings } from './runtime-environment';
import { ScheduledCapacity, VariantAutoScaling } from './variant-auto-scaling';

/** One more production variant (A/B) or the shadow variant. */
export interface ServingVariantOptions {
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
   * @default - the endpoint's instanceType
   */
  readonly instanceType?: InstanceType;
  /**
   * @default - the endpoint's initialInstanceCount
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
  readonly schedules?: ScheduledCapacity[];
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
   * @default true for local packages and S3 .tar.gz data (not for prefixes or model packages)
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
  readonly crossAccountReadAccounts?: string[];
}

/** Model-quality monitoring of a {@link ServingEndpoint}. */
export interface ServingModelQualityOptions {
  /**
   * @default - true when the package has a baseline and the endpoint runs the ServingStack runtime
   */
  readonly enabled?: boolean;
  /** @default - MONITORING_THRESHOLDS (see ModelQualityThresholds) */
  readonly thresholds?: ModelQualityThresholds;
  /**
   * Started when the drift, accuracy or concept-drift alarm fires.
   * @default - none
   */
  readonly retraining?: RetrainingTarget;
}

/** Everything of a {@link ServingEndpoint} but its model data (what a delivery pipeline's stages share). */
export interface ServingEndpointOptions {
  /**
   * Serving image.
   * @default - ServingStack runtime (framework image for TensorFlow/PyTorch packages)
   */
  readonly image?: ContainerImage;
  /**
   * Instance type of the variants. GPU types (g4dn, g5, g6, p3, p4, p5…) get the CUDA runtime
   * image (`docker/Dockerfile.cuda`) by default, CPU types the CPU image (`Dockerfile`).
   * @default InstanceType.M5_LARGE
   */
  readonly instanceType?: InstanceType;
  /**
   * Accept an image without GPU support on GPU instance types (otherwise synth fails).
   * @default false
   */
  readonly allowCpuImageOnGpu?: boolean;
  /**
   * @default 1
   */
  readonly initialInstanceCount?: number;
  /**
   * Name of the first variant.
   * @default 'AllTraffic'
   */
  readonly variantName?: string;
  /**
   * Weight of the first variant when `additionalVariants` are set.
   * @default 1
   */
  readonly weight?: number;
  /**
   * More production variants (A/B tests).
   * @default - none
   */
  readonly additionalVariants?: ServingVariantOptions[];
  /**
   * Shadow variant.
   * @default - none
   */
  readonly shadowVariant?: ServingVariantOptions;
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
   * Multi-model container (needs ModelData.fromS3Prefix).
   * @default false
   */
  readonly multiModel?: boolean;
  /**
   * @default - see ServingAutoScalingOptions
   */
  readonly autoScaling?: ServingAutoScalingOptions;
  /**
   * @default DeploymentStrategy.blueGreen()
   */
  readonly deployment?: DeploymentStrategy;
  /**
   * @default - see GuardrailAlarmOptions
   */
  readonly guardrailAlarms?: GuardrailAlarmOptions;
  /**
   * @default - see EndpointAlarmThresholds
   */
  readonly alarmThresholds?: EndpointAlarmThresholds;
  /**
   * @default - a new encrypted topic
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * @default - see ServingRegistryOptions
   */
  readonly registry?: ServingRegistryOptions;
  /**
   * Model-quality alarms (drift, accuracy, concept drift, fairness) on the runtime's monitoring,
   * and what to start for retraining.
   * @default - on when the model package has a baseline and runs the ServingStack runtime; no retraining trigger
   */
  readonly modelQuality?: ServingModelQualityOptions;
  /**
   * @default - EMF on, batching from the manifest
   */
  readonly runtime?: RuntimeSettings;
  /**
   * @default - none
   */
  readonly environment?: Record<string, string>;
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
  readonly securityGroups?: ec2.ISecurityGroup[];
  /**
   * @default false
   */
  readonly networkIsolation?: boolean;
  /**
   * @default - a new key with rotation (left off the endpoint config for local-NVMe instance types)
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * @default - SageMaker's default
   */
  readonly containerStartupHealthCheckTimeout?: Duration;
  /**
   * @default - SageMaker's default
   */
  readonly modelDataDownloadTimeout?: Duration;
  /**
   * @default - SageMaker's default
   */
  readonly volumeSize?: Size;
  /**
   * @default RoutingStrategy.LEAST_OUTSTANDING_REQUESTS (real-time); SageMaker's default for async
   */
  readonly routingStrategy?: RoutingStrategy;
  /**
   * @default - derived from the construct path
   */
  readonly endpointName?: string;
}

/** Properties of {@link ServingEndpoint}. */
export interface ServingEndpointProps extends ServingEndpointOptions {
  /** The model: `ModelData.fromAsset('path/to/package')`, S3, a registry, or a registered version. */
  readonly modelData: ModelData;
}

/**
 * A model package directory in; a guarded, autoscaled, monitored, registered SageMaker endpoint
 * out. Composes Model, Endpoint, VariantAutoScaling, ModelPackageGroup/ModelPackage,
 * ApprovalRollout and EndpointMonitoring with production defaults.
 */
export class ServingEndpoint extends Construct {
  public readonly endpoint: Endpoint;
  public readonly models: readonly Model[];
  public readonly autoScaling: readonly VariantAutoScaling[];
  public readonly monitoring: EndpointMonitoring;
  /** Model-quality alarms and the retraining trigger, when on. */
  public readonly modelQuality?: ModelQualityMonitoring;
  /** The registry the endpoint follows, when it serves from one. */
  public readonly registry?: IModelRegistry;
  /** The registry's model package group. */
  public readonly group?: IModelPackageGroup;
  public readonly rollout?: ApprovalRollout;

  constructor(scope: Construct, id: string, props: ServingEndpointProps) {
    super(scope, id);
    const checker = new Checker(this, AWS_ERRORS.ENDPOINT, 'ServingEndpoint');
    const serverless = props.serverless !== undefined;
    checker.check(!(serverless && (props.additionalVariants?.length || props.shadowVariant)), {
      field: 'serverless', message: 'serverless endpoints have exactly one variant', received: 'additionalVariants/shadowVariant', allowed: 'no additional or shadow variants',
    });
    checker.throwIfAny();
    const instanceType = props.instanceType ?? InstanceType.M5_LARGE;
    // --- registry: the endpoint serves the newest approved version, the app's package until then.
    const r = props.registry ?? {};
    let modelData = props.modelData;
    if (modelData instanceof RegistryModelData) {
      this.registry = modelData.registry;
    } else if ((r.enabled ?? true) && !modelData.isModelPackage && !modelData.isPrefix) {
      this.registry = r.registry ?? new ModelRegistry(this, 'Registry', {
        description: modelData.manifest ? `ServingStack model ${modelData.manifest.name}` : undefined,
        crossAccountReadAccounts: r.crossAccountReadAccounts,
      });
      modelData = ModelData.fromRegistry(this.registry, { fallback: modelData });
    }
    this.group = this.registry?.group;
    const models: Model[] = [];
    const makeModel = (mid: string, modelData: ModelData, image: ContainerImage | undefined, type: InstanceType | undefined): Model => {
      const m = new Model(this, mid, {
        modelData,
        image,
        environment: props.environment,
        runtime: props.runtime,
        gpu: (type?.gpuCount ?? 0) > 0,
        allowCpuImageOnGpu: props.allowCpuImageOnGpu,
        async: props.asyncInference !== undefined,
        serverless,
        multiModel: props.multiModel,
        vpc: props.vpc,
        vpcSubnets: props.vpcSubnets,
        securityGroups: props.securityGroups,
        networkIsolation: props.networkIsolation,
      });
      models.push(m);
      return m;
    };
    const variantProps = (o: ServingVariantOptions, mid: string): InstanceVariantProps => {
      const type = o.instanceType ?? instanceType;
      return {
        variantName: o.variantName,
        model: o.modelData || o.image ? makeModel(mid, o.modelData ?? modelData, o.image ?? props.image, type) : primaryModel,
        instanceType: type,
        initialInstanceCount: o.initialInstanceCount ?? props.initialInstanceCount,
        initialVariantWeight: o.weight,
        volumeSize: props.volumeSize,
        modelDataDownloadTimeout: props.modelDataDownloadTimeout,
        containerStartupHealthCheckTimeout: props.containerStartupHealthCheckTimeout,
        // Routing applies to real-time requests; async endpoints dequeue from their own queue.
        routingStrategy: props.routingStrategy ?? (props.asyncInference ? undefined : RoutingStrategy.LEAST_OUTSTANDING_REQUESTS),
      };
    };
    const primaryModel = makeModel('Model', modelData, props.image, serverless ? undefined : instanceType);
    const primary: ServingVariantOptions = { variantName: props.variantName ?? 'AllTraffic', weight: props.weight, initialInstanceCount: props.initialInstanceCount };
    this.endpoint = new Endpoint(this, 'Endpoint', {
      endpointName: props.endpointName,
      variants: serverless ? undefined : [variantProps(primary, 'Model'), ...(props.additionalVariants ?? []).map((v, i) => variantProps(v, `Model${i + 2}`))],
      serverlessVariant: props.serverless ? { variantName: props.variantName, model: primaryModel, ...props.serverless } : undefined,
      shadowVariant: props.shadowVariant ? variantProps(props.shadowVariant, 'ShadowModel') : undefined,
      asyncInference: props.asyncInference,
      dataCapture: props.dataCapture,
      encryptionKey: props.encryptionKey,
      deployment: props.deployment,
      guardrailAlarms: props.guardrailAlarms,
    });
    this.models = models;

    // --- autoscaling ----------------------------------------------------------------------
    const a = props.autoScaling ?? {};
    const scaling: VariantAutoScaling[] = [];
    const enabled = a.enabled ?? (!serverless || props.serverless?.provisionedConcurrency !== undefined);
    if (enabled) {
      for (const v of this.endpoint.variants.filter((x) => !x.shadow)) {
        const isAsync = this.endpoint.isAsync;
        const s = new VariantAutoScaling(this, `Scaling${v.variantName}`, {
          endpoint: this.endpoint,
          variantName: v.variantName,
          minCapacity: a.minCapacity ?? (isAsync ? 0 : undefined),
          maxCapacity: a.maxCapacity ?? (v.serverless ? (v.maxConcurrency ?? 20) : Math.max(4, v.initialInstanceCount ?? 1)),
        });
        const cooldowns = { scaleInCooldown: a.scaleInCooldown, scaleOutCooldown: a.scaleOutCooldown };
        if (v.serverless) {
          s.scaleOnProvisionedConcurrency('ProvisionedConcurrency', { targetUtilization: a.targetProvisionedConcurrencyUtilization, ...cooldowns });
        } else if (isAsync) {
          s.scaleOnBacklog('Backlog', { targetBacklogPerInstance: a.targetBacklogPerInstance ?? 5, ...cooldowns });
        } else {
          const anyOther = a.targetConcurrentRequests ?? a.targetCpuUtilizationPercent ?? a.targetGpuUtilizationPercent;
          const invocations = a.targetInvocationsPerInstancePerMinute ?? (anyOther === undefined ? 1000 : undefined);
          if (invocations !== undefined) s.scaleOnInvocations('Invocations', { targetInvocationsPerInstancePerMinute: invocations, ...cooldowns });
          if (a.targetConcurrentRequests !== undefined) s.scaleOnConcurrentRequests('ConcurrentRequests', { targetConcurrentRequests: a.targetConcurrentRequests, ...cooldowns });
          if (a.targetCpuUtilizationPercent !== undefined) s.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: a.targetCpuUtilizationPercent, ...cooldowns });
          if (a.targetGpuUtilizationPercent !== undefined) s.scaleOnGpuUtilization('Gpu', { targetUtilizationPercent: a.targetGpuUtilizationPercent, ...cooldowns });
        }
        (a.schedules ?? []).forEach((sched, i) => s.scaleOnSchedule(`Schedule${i}`, sched));
        scaling.push(s);
      }
    }
    this.autoScaling = scaling;

    if (this.registry && (r.rolloutOnApproval ?? true)) {
      // Approvals reach the variant fed by the registry (the others keep their own models).
      this.rollout = new ApprovalRollout(this, 'Rollout', { endpoint: this.endpoint, group: this.registry.group, variantNames: [this.endpoint.primaryVariantName] });
    }

    this.monitoring = new EndpointMonitoring(this, 'Monitoring', {
      endpoint: this.endpoint,
      alarmTopic: props.alarmTopic,
      thresholds: props.alarmThresholds,
    });

    const first = this.models[0];
    const monitored = first?.image?.isServingStackRuntime === true && first.manifest !== undefined && modelData.baselineFeatures !== undefined;
    const mq = props.modelQuality ?? {};
    if (mq.enabled ?? monitored) {
      const modelName = first?.manifest?.name;
      if (!modelName) {
        throw new ServingStackError(AWS_ERRORS.MONITORING, `ServingEndpoint at ${this.node.path} is invalid`, [
          { field: 'modelQuality.enabled', message: 'needs a model package whose manifest is known at synth', received: true, allowed: 'ModelData.fromAsset(<package dir>) with a baseline, or modelQuality.enabled false' },
        ]);
      }
      this.modelQuality = new ModelQualityMonitoring(this, 'ModelQuality', {
        modelName,
        endpointName: this.endpoint.endpointName,
        alarmTopic: this.monitoring.alarmTopic,
        thresholds: mq.thresholds,
        retraining: mq.retraining,
        features: modelData.baselineFeatures,
        dashboard: this.monitoring.dashboard,
      });
    }
  }

  /** Allow `grantee` to invoke the endpoint. */
  public grantInvoke(grantee: iam.IGrantable): iam.Grant {
    return this.endpoint.grantInvoke(grantee);
  }
}
