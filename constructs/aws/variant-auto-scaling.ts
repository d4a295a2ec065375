import { Duration, TimeZone, Token } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import type { IEndpoint } from './endpoint-base';
import { AwsErrorCodes } from './errors';
import { Checker } from './private/errors';
import { sageMakerScalingRole } from './private/execution-role';
import { INSTANCE_NAMESPACE, SAGEMAKER_NAMESPACE } from './private/metrics';
import { ProductionVariant } from './variant';

/** Cooldowns of a target-tracking policy. */
export interface ScalingCooldowns {
  /**
   * Wait after a scale-in before the next one.
   * @default Duration.minutes(5)
   */
  readonly scaleInCooldown?: Duration;
  /**
   * Wait after a scale-out before the next one.
   * @default Duration.minutes(1)
   */
  readonly scaleOutCooldown?: Duration;
}

/** Target tracking on `InvocationsPerInstance`. */
export interface InvocationsScalingProps extends ScalingCooldowns {
  /** Invocations per instance per minute to hold. */
  readonly targetInvocationsPerInstancePerMinute: number;
}

/** Target tracking on the high-resolution `ConcurrentRequestsPerModel`. */
export interface ConcurrencyScalingProps extends ScalingCooldowns {
  /** Concurrent requests per model copy to hold. */
  readonly targetConcurrentRequests: number;
}

/** Target tracking on CPU or GPU utilisation. */
export interface UtilizationScalingProps extends ScalingCooldowns {
  /**
   * Target utilisation in percent of the whole instance (0–100). CloudWatch reports 100 % per
   * vCPU / GPU; the target is multiplied by the instance's vCPU or GPU count.
   */
  readonly targetUtilizationPercent: number;
}

/** Target tracking on provisioned-concurrency utilisation (serverless). */
export interface ProvisionedConcurrencyScalingProps extends ScalingCooldowns {
  /**
   * Target utilisation of the provisioned concurrency (0.1–0.9 is typical).
   * @default 0.7
   */
  readonly targetUtilization?: number;
}

/** Backlog scaling of an asynchronous endpoint. */
export interface BacklogScalingProps extends ScalingCooldowns {
  /** Queued requests per instance to hold (`ApproximateBacklogSizePerInstance`). */
  readonly targetBacklogPerInstance: number;
  /**
   * Add a step policy on `HasBacklogWithoutCapacity` that wakes a variant scaled to zero
   * (target tracking alone never scales out from zero).
   * @default true
   */
  readonly scaleOutFromZero?: boolean;
}

/** A scheduled capacity change. */
export interface ScheduledCapacity {
  /** When, e.g. `appscaling.Schedule.cron({ hour: '8', minute: '0', weekDay: 'MON-FRI' })`. */
  readonly schedule: appscaling.Schedule;
  /**
   * New minimum.
   * @default - unchanged
   */
  readonly minCapacity?: number;
  /**
   * New maximum.
   * @default - unchanged
   */
  readonly maxCapacity?: number;
  /**
   * Time zone of cron schedules.
   * @default - UTC
   */
  readonly timeZone?: string;
}

/** Properties of {@link VariantAutoScaling}. */
export interface VariantAutoScalingProps {
  /** The endpoint (one defined elsewhere declares its variants in its attributes). */
  readonly endpoint: IEndpoint;
  /**
   * Variant to scale.
   * @default - the first production variant
   */
  readonly variantName?: string;
  /**
   * Fewest instances (or provisioned concurrency for serverless). 0 only for asynchronous endpoints.
   * @default - the variant's initial instance count (serverless: its provisioned concurrency)
   */
  readonly minCapacity?: number;
  /** Most instances (or provisioned concurrency). */
  readonly maxCapacity: number;
}

/** The autoscaling of each variant, per endpoint. */
const SCALED = new WeakMap<IEndpoint, Map<string, VariantAutoScaling>>();

const DEFAULT_SCALE_IN = Duration.minutes(5);
const DEFAULT_SCALE_OUT = Duration.minutes(1);

/**
 * Application Auto Scaling of one endpoint variant: instance count for instance variants,
 * provisioned concurrency for serverless. Burstable instance types are rejected (Auto Scaling
 * refuses them), scale to zero is allowed only for asynchronous endpoints (real-time endpoints
 * scale to zero through inference components), and min ≤ initial ≤ max is enforced.
 */
export class VariantAutoScaling extends Construct {
  /** The autoscaling of a variant in this app, if it has one (a variant has one scalable target). */
  public static of(endpoint: IEndpoint, variantName: string): VariantAutoScaling | undefined {
    return SCALED.get(endpoint)?.get(variantName);
  }

  public readonly scalableTarget: appscaling.ScalableTarget;
  /** The facts of the scaled variant. */
  public readonly variant: ProductionVariant;
  private readonly endpoint: IEndpoint;

  constructor(scope: Construct, id: string, props: VariantAutoScalingProps) {
    super(scope, id);
    const checker = new Checker(this, 'VariantAutoScaling', AwsErrorCodes.SCALING_CAPACITY);
    const endpoint = props.endpoint;
    this.endpoint = endpoint;
    const variantName = props.variantName ?? endpoint.primaryVariantName;
    const variant = endpoint.variants.find((v) => v.variantName === variantName && !v.shadow);
    if (!variant) {
      checker.add({ field: 'variantName', message: 'is not a production variant of the endpoint', received: variantName, allowed: endpoint.variants.filter((v) => !v.shadow).map((v) => v.variantName).join(' | ') || 'none declared (an imported endpoint lists its variants in its attributes)' }, AwsErrorCodes.VARIANT_NOT_FOUND);
      checker.throwIfAny();
    }
    this.variant = variant!;
    const v = this.variant;
    const existing = VariantAutoScaling.of(endpoint, variantName);
    checker.check(existing === undefined, { field: 'variantName', message: 'the variant is autoscaled already (Application Auto Scaling allows one scalable target per variant)', received: variantName, allowed: `policies added to ${existing?.node.path ?? 'its VariantAutoScaling'}` }, AwsErrorCodes.SCALING_POLICY);
    checker.check(!v.hostsInferenceComponents, { field: 'variantName', message: 'variants hosting inference components scale through their components', received: variantName, allowed: 'InferenceComponent.autoScaleCopies(), managedInstanceScaling on the variant' }, AwsErrorCodes.SCALING_POLICY);
    if (v.instanceType && !v.instanceType.isToken) {
      checker.check(!v.instanceType.isBurstable, { field: 'instanceType', message: 'Application Auto Scaling rejects burstable instance types for SageMaker variants', received: v.instanceType.toString(), allowed: 'a non-burstable type, e.g. ml.m5.large or ml.c6i.large' }, AwsErrorCodes.SCALING_INSTANCE_TYPE);
    }
    const initial = v.serverless ? v.provisionedConcurrency : v.initialInstanceCount;
    if (v.serverless) {
      checker.check(v.provisionedConcurrency !== undefined, { field: 'serverlessVariant.provisionedConcurrency', message: 'serverless autoscaling scales provisioned concurrency, which is not set', received: undefined, allowed: '1–200' });
    }
    const min = props.minCapacity ?? initial ?? 1;
    checker.intRange('minCapacity', min, 0, 1000);
    checker.intRange('maxCapacity', props.maxCapacity, 1, v.serverless ? 200 : 1000);
    if (min === 0) {
      checker.check(endpoint.isAsync, {
        field: 'minCapacity', message: 'only asynchronous endpoints scale instance variants to zero', received: 0,
        allowed: 'at least 1; for real-time scale to zero use inference components with managedInstanceScaling.minInstanceCount 0',
      });
    }
    if (v.serverless && v.maxConcurrency !== undefined) {
      checker.check(props.maxCapacity <= v.maxConcurrency, { field: 'maxCapacity', message: 'provisioned concurrency cannot exceed maxConcurrency', received: props.maxCapacity, allowed: `at most ${v.maxConcurrency}` });
    }
    if (initial !== undefined && !Token.isUnresolved(min) && !Token.isUnresolved(props.maxCapacity)) {
      checker.check(min <= initial && initial <= props.maxCapacity, {
        field: 'minCapacity/maxCapacity', message: 'needs min ≤ initial ≤ max', received: `min ${min}, initial ${initial}, max ${props.maxCapacity}`, allowed: 'minCapacity ≤ initial count ≤ maxCapacity',
      });
    } else {
      checker.check(min <= props.maxCapacity, { field: 'minCapacity', message: 'exceeds maxCapacity', received: min, allowed: `at most ${props.maxCapacity}` });
    }
    checker.throwIfAny();

    if (!SCALED.has(endpoint)) SCALED.set(endpoint, new Map());
    SCALED.get(endpoint)!.set(variantName, this);
    this.scalableTarget = new appscaling.ScalableTarget(this, 'Target', {
      serviceNamespace: appscaling.ServiceNamespace.SAGEMAKER,
      role: sageMakerScalingRole(this),
      resourceId: `endpoint/${endpoint.endpointName}/variant/${variantName}`,
      scalableDimension: v.serverless ? 'sagemaker:variant:DesiredProvisionedConcurrency' : 'sagemaker:variant:DesiredInstanceCount',
      minCapacity: min,
      maxCapacity: props.maxCapacity,
    });
    // The endpoint name is fixed, so the dependency must be explicit (on the endpoint resource
    // only; an imported endpoint has none).
    const resource = endpoint.node.defaultChild;
    if (resource) this.scalableTarget.node.addDependency(resource);
  }

  private cooldowns(p: ScalingCooldowns): { scaleInCooldown: Duration; scaleOutCooldown: Duration } {
    return { scaleInCooldown: p.scaleInCooldown ?? DEFAULT_SCALE_IN, scaleOutCooldown: p.scaleOutCooldown ?? DEFAULT_SCALE_OUT };
  }

  private positive(field: string, value: number): void {
    const checker = new Checker(this, 'VariantAutoScaling', AwsErrorCodes.SCALING_TARGET);
    if (!Token.isUnresolved(value)) checker.check(value > 0 && Number.isFinite(value), { field, message: 'must be positive', received: value, allowed: 'a number > 0' });
    checker.throwIfAny();
  }

  private instanceOnly(method: string): void {
    const checker = new Checker(this, 'VariantAutoScaling', AwsErrorCodes.SCALING_POLICY);
    checker.check(!this.variant.serverless, { field: method, message: 'serverless variants scale provisioned concurrency only', received: 'a serverless variant', allowed: 'scaleOnProvisionedConcurrency()' });
    checker.throwIfAny();
  }

  /** Target tracking on invocations per instance per minute (`SageMakerVariantInvocationsPerInstance`). */
  public scaleOnInvocations(id: string, props: InvocationsScalingProps): appscaling.TargetTrackingScalingPolicy {
    this.instanceOnly('scaleOnInvocations');
    this.positive('targetInvocationsPerInstancePerMinute', props.targetInvocationsPerInstancePerMinute);
    return this.scalableTarget.scaleToTrackMetric(id, {
      targetValue: props.targetInvocationsPerInstancePerMinute,
      predefinedMetric: appscaling.PredefinedMetric.SAGEMAKER_VARIANT_INVOCATIONS_PER_INSTANCE,
      ...this.cooldowns(props),
    });
  }

  /** Target tracking on the high-resolution concurrent requests per model (reacts within a minute). */
  public scaleOnConcurrentRequests(id: string, props: ConcurrencyScalingProps): appscaling.TargetTrackingScalingPolicy {
    this.instanceOnly('scaleOnConcurrentRequests');
    this.positive('targetConcurrentRequests', props.targetConcurrentRequests);
    return this.scalableTarget.scaleToTrackMetric(id, {
      targetValue: props.targetConcurrentRequests,
      predefinedMetric: appscaling.PredefinedMetric.SAGEMAKER_VARIANT_CONCURRENT_REQUESTS_PER_MODEL_HIGH_RESOLUTION,
      ...this.cooldowns(props),
    });
  }

  /** Target tracking on CPU utilisation (target × vCPUs, since CloudWatch reports 100 % per vCPU). */
  public scaleOnCpuUtilization(id: string, props: UtilizationScalingProps): appscaling.TargetTrackingScalingPolicy {
    return this.scaleOnUtilization(id, 'CPUUtilization', this.variant.instanceType?.vcpuCount, 'vCPU', props);
  }

  /** Target tracking on GPU utilisation (target × GPUs, since CloudWatch reports 100 % per GPU). */
  public scaleOnGpuUtilization(id: string, props: UtilizationScalingProps): appscaling.TargetTrackingScalingPolicy {
    return this.scaleOnUtilization(id, 'GPUUtilization', this.variant.instanceType?.gpuCount, 'GPU', props);
  }

  private scaleOnUtilization(id: string, metricName: string, units: number | undefined, unitName: string, props: UtilizationScalingProps): appscaling.TargetTrackingScalingPolicy {
    this.instanceOnly(`scaleOn${metricName}`);
    const checker = new Checker(this, 'VariantAutoScaling', AwsErrorCodes.SCALING_TARGET);
    checker.numberRange('targetUtilizationPercent', props.targetUtilizationPercent, 1, 100);
    checker.check(units !== undefined && units > 0, {
      field: 'instanceType', message: `the ${unitName} count of the instance type is unknown or zero, so a per-instance target cannot be derived`,
      received: this.variant.instanceType?.toString(), allowed: `an instance type with known ${unitName}s${unitName === 'GPU' ? ' (ml.g4dn, ml.g5, ml.g6, ml.p3, ml.p4d, ml.p5)' : ''}`,
    }, AwsErrorCodes.SCALING_INSTANCE_TYPE);
    checker.throwIfAny();
    return this.scalableTarget.scaleToTrackMetric(id, {
      targetValue: props.targetUtilizationPercent * units!,
      customMetric: new cw.Metric({
        namespace: INSTANCE_NAMESPACE,
        metricName,
        dimensionsMap: { EndpointName: this.endpoint.endpointName, VariantName: this.variant.variantName },
        statistic: 'Average',
      }),
      ...this.cooldowns(props),
    });
  }

  /** Target tracking on provisioned-concurrency utilisation (serverless variants). */
  public scaleOnProvisionedConcurrency(id: string, props: ProvisionedConcurrencyScalingProps = {}): appscaling.TargetTrackingScalingPolicy {
    const checker = new Checker(this, 'VariantAutoScaling', AwsErrorCodes.SCALING_POLICY);
    checker.check(this.variant.serverless === true, { field: 'scaleOnProvisionedConcurrency', message: 'only serverless variants have provisioned concurrency', received: this.variant.instanceType?.toString(), allowed: 'a serverless variant' });
    checker.numberRange('targetUtilization', props.targetUtilization, 0.05, 0.95, '', AwsErrorCodes.SCALING_TARGET);
    checker.throwIfAny();
    return this.scalableTarget.scaleToTrackMetric(id, {
      targetValue: props.targetUtilization ?? 0.7,
      predefinedMetric: appscaling.PredefinedMetric.SAGEMAKER_VARIANT_PROVISIONED_CONCURRENCY_UTILIZATION,
      ...this.cooldowns(props),
    });
  }

  /**
   * Backlog scaling of an asynchronous endpoint: target tracking on
   * `ApproximateBacklogSizePerInstance`, plus a step policy on `HasBacklogWithoutCapacity`
   * that adds an instance when requests wait on a variant scaled to zero.
   */
  public scaleOnBacklog(id: string, props: BacklogScalingProps): appscaling.TargetTrackingScalingPolicy {
    const checker = new Checker(this, 'VariantAutoScaling', AwsErrorCodes.SCALING_POLICY);
    checker.check(this.endpoint.isAsync, { field: 'scaleOnBacklog', message: 'backlog metrics exist only for asynchronous endpoints', received: 'a real-time endpoint', allowed: 'an endpoint with asyncInference' });
    checker.throwIfAny();
    this.positive('targetBacklogPerInstance', props.targetBacklogPerInstance);
    const policy = this.scalableTarget.scaleToTrackMetric(id, {
      targetValue: props.targetBacklogPerInstance,
      customMetric: new cw.Metric({
        namespace: SAGEMAKER_NAMESPACE,
        metricName: 'ApproximateBacklogSizePerInstance',
        dimensionsMap: { EndpointName: this.endpoint.endpointName },
        statistic: 'Average',
      }),
      ...this.cooldowns(props),
    });
    if (props.scaleOutFromZero ?? true) {
      this.scalableTarget.scaleOnMetric(`${id}FromZero`, {
        metric: new cw.Metric({
          namespace: SAGEMAKER_NAMESPACE,
          metricName: 'HasBacklogWithoutCapacity',
          dimensionsMap: { EndpointName: this.endpoint.endpointName },
          statistic: 'Maximum',
          period: Duration.minutes(1),
        }),
        scalingSteps: [{ upper: 0.5, change: 0 }, { lower: 0.5, change: 1 }],
        adjustmentType: appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
        cooldown: props.scaleOutCooldown ?? DEFAULT_SCALE_OUT,
        evaluationPeriods: 1,
      });
    }
    return policy;
  }

  /** Change min/max capacity on a schedule (e.g. business hours). */
  public scaleOnSchedule(id: string, props: ScheduledCapacity): void {
    const checker = new Checker(this, 'VariantAutoScaling', AwsErrorCodes.SCALING_POLICY);
    checker.check(props.minCapacity !== undefined || props.maxCapacity !== undefined, { field: 'scaleOnSchedule', message: 'changes nothing', received: 'neither minCapacity nor maxCapacity', allowed: 'minCapacity and/or maxCapacity' }, AwsErrorCodes.SCALING_TARGET);
    if (props.minCapacity === 0) {
      checker.check(this.endpoint.isAsync, { field: 'scaleOnSchedule.minCapacity', message: 'only asynchronous endpoints scale instance variants to zero', received: 0, allowed: 'at least 1' }, AwsErrorCodes.SCALING_CAPACITY);
    }
    if (props.minCapacity !== undefined && props.maxCapacity !== undefined) {
      checker.check(props.minCapacity <= props.maxCapacity, { field: 'scaleOnSchedule', message: 'needs min ≤ max', received: `min ${props.minCapacity}, max ${props.maxCapacity}`, allowed: 'minCapacity ≤ maxCapacity' }, AwsErrorCodes.SCALING_CAPACITY);
    }
    checker.throwIfAny();
    this.scalableTarget.scaleOnSchedule(id, {
      schedule: props.schedule,
      minCapacity: props.minCapacity,
      maxCapacity: props.maxCapacity,
      timeZone: props.timeZone ? TimeZone.of(props.timeZone) : undefined,
    });
  }
}
