import { Duration, Size, Token } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import { CfnInferenceComponent } from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';
import { IEndpoint } from './endpoint-base';
import { AwsErrorCodes } from './errors';
import { IModel, Model } from './model';
import { Checker } from './private/errors';
import { sageMakerScalingRole } from './private/execution-role';
import { SAGEMAKER_NAMESPACE } from './private/metrics';
import { deterministicName } from './private/names';
import { ProductionVariant } from './variant';

/** Resources reserved for each copy of a model. */
export interface ComputeResourceRequirements {
  /** Memory reserved per copy (≥ 128 MiB). */
  readonly minMemory: Size;
  /**
   * Memory limit per copy.
   * @default - no limit
   */
  readonly maxMemory?: Size;
  /**
   * vCPUs per copy (may be fractional, e.g. 0.5).
   * @default - SageMaker's default
   */
  readonly cpuCores?: number;
  /**
   * GPUs (or Neuron devices) per copy (≥ 1).
   * @default - none
   */
  readonly acceleratorDevices?: number;
}

/** Properties of {@link InferenceComponent}. */
export interface InferenceComponentProps {
  /** Endpoint whose variant hosts the component (a variant without a model). */
  readonly endpoint: IEndpoint;
  /**
   * The hosting variant.
   * @default - the first production variant
   */
  readonly variantName?: string;
  /** The model served. */
  readonly model: IModel;
  /** Resources per copy. */
  readonly computeResources: ComputeResourceRequirements;
  /**
   * Copies at creation (SageMaker rejects 0 at creation; scale to zero afterwards with autoscaling).
   * @default 1
   */
  readonly copyCount?: number;
  /**
   * Time allowed for a copy's container to pass `/ping` (60–3600 s).
   * @default - SageMaker's default
   */
  readonly containerStartupHealthCheckTimeout?: Duration;
  /**
   * Time allowed to download the model (60–3600 s).
   * @default - SageMaker's default
   */
  readonly modelDataDownloadTimeout?: Duration;
}

/** Copy-count autoscaling of an inference component. */
export interface CopyAutoScalingProps {
  /**
   * Fewest copies; 0 scales the model to zero (the variant's managed instance scaling then
   * releases the instances when its minInstanceCount is 0).
   * @default 1
   */
  readonly minCopies?: number;
  /** Most copies. */
  readonly maxCopies: number;
  /**
   * Invocations per copy per minute to hold (`SageMakerInferenceComponentInvocationsPerCopy`).
   * @default - not used
   */
  readonly targetInvocationsPerCopy?: number;
  /**
   * Concurrent requests per copy to hold (high resolution).
   * @default - not used
   */
  readonly targetConcurrentRequestsPerCopy?: number;
  /**
   * @default Duration.minutes(5)
   */
  readonly scaleInCooldown?: Duration;
  /**
   * @default Duration.minutes(1)
   */
  readonly scaleOutCooldown?: Duration;
}

/**
 * An inference component: one model with reserved resources on a variant that hosts several
 * models; copies scale independently, to zero where the variant allows it.
 */
export class InferenceComponent extends Construct {
  public readonly inferenceComponentName: string;
  public readonly resource: CfnInferenceComponent;
  private readonly variant: ProductionVariant;
  private readonly initialCopies: number;

  constructor(scope: Construct, id: string, props: InferenceComponentProps) {
    super(scope, id);
    const checker = new Checker(this, 'InferenceComponent', AwsErrorCodes.COMPONENT);
    const variantName = props.variantName ?? props.endpoint.primaryVariantName;
    const variant = props.endpoint.variants.find((v) => v.variantName === variantName && !v.shadow);
    checker.check(variant !== undefined, { field: 'variantName', message: 'is not a variant of the endpoint', received: variantName, allowed: props.endpoint.variants.map((v) => v.variantName).join(' | ') }, AwsErrorCodes.VARIANT_NOT_FOUND);
    checker.check(variant === undefined || variant.hostsInferenceComponents === true, { field: 'variantName', message: 'the variant serves a model directly and cannot host inference components', received: variantName, allowed: 'a variant declared without a model' }, AwsErrorCodes.COMPONENT_HOST);
    const copies = props.copyCount ?? 1;
    checker.intRange('copyCount', copies, 1, 1000);
    const c = props.computeResources;
    const minMiB = c.minMemory.toMebibytes();
    const maxMiB = c.maxMemory?.toMebibytes();
    checker.intRange('computeResources.minMemory', minMiB, 128, 10_000_000, 'MiB');
    if (maxMiB !== undefined) checker.check(maxMiB >= minMiB, { field: 'computeResources.maxMemory', message: 'is below minMemory', received: `${maxMiB} MiB`, allowed: `at least ${minMiB} MiB` });
    checker.intRange('computeResources.acceleratorDevices', c.acceleratorDevices, 1, 64);
    checker.numberRange('computeResources.cpuCores', c.cpuCores, 0.25, 512);
    const gpus = variant?.instanceType?.gpuCount;
    if (c.acceleratorDevices !== undefined && gpus !== undefined && variant?.instanceType?.family.startsWith('inf') !== true) {
      checker.check(c.acceleratorDevices <= gpus, { field: 'computeResources.acceleratorDevices', message: 'exceeds the GPUs of the instance type', received: c.acceleratorDevices, allowed: `at most ${gpus} on ${variant?.instanceType}` });
    }
    checker.intRange('containerStartupHealthCheckTimeout', props.containerStartupHealthCheckTimeout?.toSeconds(), 60, 3600, 's');
    checker.intRange('modelDataDownloadTimeout', props.modelDataDownloadTimeout?.toSeconds(), 60, 3600, 's');
    checker.throwIfAny();
    this.variant = variant!;
    this.initialCopies = copies;
    // The model learns what it serves on (GPUs of the hosting variant: the CUDA image by default).
    if (props.model instanceof Model) props.model._bindVariant({ instanceType: this.variant.instanceType, serverless: false, async: props.endpoint.isAsync, field: 'model', scope: this });

    // CloudFormation returns no name attribute; a stable name lets autoscaling address the component.
    const name = deterministicName(scope, id);
    this.resource = new CfnInferenceComponent(this, 'Resource', {
      inferenceComponentName: name,
      endpointName: props.endpoint.endpointName,
      variantName,
      specification: {
        modelName: props.model.modelName,
        computeResourceRequirements: {
          minMemoryRequiredInMb: minMiB,
          maxMemoryRequiredInMb: maxMiB,
          numberOfCpuCoresRequired: c.cpuCores,
          numberOfAcceleratorDevicesRequired: c.acceleratorDevices,
        },
        startupParameters: props.containerStartupHealthCheckTimeout || props.modelDataDownloadTimeout ? {
          containerStartupHealthCheckTimeoutInSeconds: props.containerStartupHealthCheckTimeout?.toSeconds(),
          modelDataDownloadTimeoutInSeconds: props.modelDataDownloadTimeout?.toSeconds(),
        } : undefined,
      },
      runtimeConfig: { copyCount: copies },
    });
    const endpointResource = props.endpoint.node.defaultChild;
    if (endpointResource) this.resource.node.addDependency(endpointResource);
    if (props.model instanceof Model) this.resource.node.addDependency(props.model);
    this.inferenceComponentName = name;
  }

  /**
   * Autoscale the copy count. With `minCopies: 0` a step policy on `NoCapacityInvocationFailures`
   * adds the first copy when a request arrives for a model scaled to zero.
   */
  public autoScaleCopies(props: CopyAutoScalingProps): appscaling.ScalableTarget {
    const checker = new Checker(this, 'InferenceComponent autoscaling', AwsErrorCodes.COMPONENT_SCALING);
    const min = props.minCopies ?? 1;
    checker.intRange('minCopies', min, 0, 1000);
    checker.intRange('maxCopies', props.maxCopies, 1, 1000);
    if (!Token.isUnresolved(min) && !Token.isUnresolved(props.maxCopies)) {
      checker.check(min <= this.initialCopies && this.initialCopies <= props.maxCopies, { field: 'minCopies/maxCopies', message: 'needs min ≤ initial ≤ max', received: `min ${min}, initial ${this.initialCopies}, max ${props.maxCopies}`, allowed: 'minCopies ≤ copyCount ≤ maxCopies' });
    }
    checker.check(props.targetInvocationsPerCopy !== undefined || props.targetConcurrentRequestsPerCopy !== undefined, { field: 'autoScaleCopies', message: 'needs a target', received: undefined, allowed: 'targetInvocationsPerCopy and/or targetConcurrentRequestsPerCopy' });
    checker.throwIfAny();
    const target = new appscaling.ScalableTarget(this, 'CopyScaling', {
      serviceNamespace: appscaling.ServiceNamespace.SAGEMAKER,
      role: sageMakerScalingRole(this),
      resourceId: `inference-component/${this.inferenceComponentName}`,
      scalableDimension: 'sagemaker:inference-component:DesiredCopyCount',
      minCapacity: min,
      maxCapacity: props.maxCopies,
    });
    target.node.addDependency(this.resource);
    const cooldowns = { scaleInCooldown: props.scaleInCooldown ?? Duration.minutes(5), scaleOutCooldown: props.scaleOutCooldown ?? Duration.minutes(1) };
    if (props.targetInvocationsPerCopy !== undefined) {
      target.scaleToTrackMetric('Invocations', { targetValue: props.targetInvocationsPerCopy, predefinedMetric: appscaling.PredefinedMetric.SAGEMAKER_INFERENCE_COMPONENT_INVOCATIONS_PER_COPY, ...cooldowns });
    }
    if (props.targetConcurrentRequestsPerCopy !== undefined) {
      target.scaleToTrackMetric('ConcurrentRequests', { targetValue: props.targetConcurrentRequestsPerCopy, predefinedMetric: appscaling.PredefinedMetric.SAGEMAKER_INFERENCE_COMPONENT_CONCURRENT_REQUESTS_PER_COPY_HIGH_RESOLUTION, ...cooldowns });
    }
    if (min === 0) {
      target.scaleOnMetric('FromZero', {
        metric: new cw.Metric({ namespace: SAGEMAKER_NAMESPACE, metricName: 'NoCapacityInvocationFailures', dimensionsMap: { InferenceComponentName: this.inferenceComponentName }, statistic: 'Maximum', period: Duration.minutes(1) }),
        scalingSteps: [{ upper: 0.5, change: 0 }, { lower: 0.5, change: 1 }],
        adjustmentType: appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
        cooldown: cooldowns.scaleOutCooldown,
        evaluationPeriods: 1,
      });
    }
    return target;
  }

  /** The variant hosting this component. */
  public get hostVariant(): ProductionVariant {
    return this.variant;
  }
}
