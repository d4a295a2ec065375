import { Duration, Token } from 'aws-cdk-lib';
import { CfnEndpoint } from 'aws-cdk-lib/aws-sagemaker';
import { IssueCollector } from '../../lib/core/errors';

/** A share of a variant's capacity: a percentage or a number of instances. */
export class CapacitySize {
  /** A percentage of the variant's capacity. */
  public static percent(value: number): CapacitySize {
    return new CapacitySize('CAPACITY_PERCENT', value);
  }

  /** A number of instances. */
  public static instances(value: number): CapacitySize {
    return new CapacitySize('INSTANCE_COUNT', value);
  }

  private constructor(public readonly type: string, public readonly value: number) {}

  /** @internal */
  public _render(): CfnEndpoint.CapacitySizeProperty {
    return { type: this.type, value: this.value };
  }

  /** The share in percent for a capacity of `instances` (undefined when unknown). */
  public percentOf(instances: number | undefined): number | undefined {
    if (this.type === 'CAPACITY_PERCENT') return this.value;
    return instances ? (this.value / instances) * 100 : undefined;
  }
}

/** How a blue/green deployment moves traffic to the new fleet. */
export class TrafficShift {
  /**
   * Shift all traffic at once, then bake for `bakeTime` watching the rollback alarms.
   * @param bakeTime @default Duration.minutes(5)
   */
  public static allAtOnce(bakeTime: Duration = Duration.minutes(5)): TrafficShift {
    return new TrafficShift('ALL_AT_ONCE', bakeTime);
  }

  /** Send `size` (≤ 50 % of capacity) first, bake `waitInterval`, then the rest. */
  public static canary(size: CapacitySize, waitInterval: Duration = Duration.minutes(5)): TrafficShift {
    return new TrafficShift('CANARY', waitInterval, size);
  }

  /** Shift in steps of `stepSize` (10–50 % of capacity), baking `waitInterval` after each. */
  public static linear(stepSize: CapacitySize, waitInterval: Duration = Duration.minutes(5)): TrafficShift {
    return new TrafficShift('LINEAR', waitInterval, stepSize);
  }

  private constructor(public readonly type: string, public readonly waitInterval: Duration, public readonly size?: CapacitySize) {}

  /** @internal */
  public _render(): CfnEndpoint.TrafficRoutingConfigProperty {
    return {
      type: this.type,
      waitIntervalInSeconds: this.waitInterval.toSeconds(),
      canarySize: this.type === 'CANARY' ? this.size?._render() : undefined,
      linearStepSize: this.type === 'LINEAR' ? this.size?._render() : undefined,
    };
  }
}

/** Options of {@link DeploymentStrategy.blueGreen}. */
export interface BlueGreenOptions {
  /**
   * How traffic moves to the new fleet.
   * @default TrafficShift.allAtOnce(Duration.minutes(5))
   */
  readonly trafficShift?: TrafficShift;
  /**
   * How long the old fleet is kept after all traffic moved (0–3600 s).
   * @default Duration.seconds(0)
   */
  readonly terminationWait?: Duration;
  /**
   * Upper bound of the whole deployment (600–28800 s), larger than the sum of the waits.
   * @default - the sum of the waits plus 30 minutes, at least 10 minutes
   */
  readonly maximumExecutionTimeout?: Duration;
  /**
   * Roll back automatically when a rollback alarm fires during the deployment.
   * @default true
   */
  readonly autoRollback?: boolean;
  /**
   * Names of extra CloudWatch alarms that roll the deployment back (they must exist before the update).
   * @default - none beyond the endpoint's own 5XX-rate and p99-latency guardrail alarms
   */
  readonly additionalRollbackAlarmNames?: readonly string[];
}

/** Options of {@link DeploymentStrategy.rolling}. */
export interface RollingOptions {
  /** Instances updated per batch (5–50 % of capacity, or an instance count). */
  readonly maximumBatchSize: CapacitySize;
  /**
   * Bake time after each batch (0–3600 s).
   * @default Duration.minutes(5)
   */
  readonly waitInterval?: Duration;
  /**
   * Upper bound of the whole deployment (600–28800 s).
   * @default Duration.hours(3)
   */
  readonly maximumExecutionTimeout?: Duration;
  /**
   * Batch size of a rollback.
   * @default - all at once
   */
  readonly rollbackMaximumBatchSize?: CapacitySize;
  /**
   * Roll back automatically when a rollback alarm fires.
   * @default true
   */
  readonly autoRollback?: boolean;
  /**
   * Names of extra CloudWatch alarms that roll the deployment back.
   * @default - none beyond the endpoint's own guardrail alarms
   */
  readonly additionalRollbackAlarmNames?: readonly string[];
}

/** Facts of the endpoint the strategy is validated against. */
export interface DeploymentContext {
  readonly serverless: boolean;
  readonly variantCount: number;
  /** Smallest initial instance count of the variants (instance endpoints). */
  readonly minInstanceCount?: number;
  readonly inf1: boolean;
}

/**
 * How endpoint updates roll out: blue/green (all at once, canary or linear) or rolling, with
 * automatic rollback on CloudWatch alarms. Guardrails apply to updates only, never to creation.
 */
export class DeploymentStrategy {
  /** Blue/green with baking and automatic rollback (the default: all at once, 5 min bake). */
  public static blueGreen(options: BlueGreenOptions = {}): DeploymentStrategy {
    return new DeploymentStrategy('blueGreen', options, undefined);
  }

  /** Rolling update in batches (not for serverless or multi-variant endpoints). */
  public static rolling(options: RollingOptions): DeploymentStrategy {
    return new DeploymentStrategy('rolling', undefined, options);
  }

  /** No `DeploymentConfig`: SageMaker's plain blue/green, no baking, no rollback alarms. */
  public static none(): DeploymentStrategy {
    return new DeploymentStrategy('none', undefined, undefined);
  }

  private constructor(
    public readonly kind: string,
    private readonly blueGreenOptions: BlueGreenOptions | undefined,
    private readonly rollingOptions: RollingOptions | undefined,
  ) {}

  /** Whether the strategy wants rollback alarms. */
  public get autoRollback(): boolean {
    if (this.kind === 'none') return false;
    return (this.blueGreenOptions?.autoRollback ?? this.rollingOptions?.autoRollback) ?? true;
  }

  /** Extra alarm names supplied by the user. */
  public get additionalRollbackAlarmNames(): readonly string[] {
    return this.blueGreenOptions?.additionalRollbackAlarmNames ?? this.rollingOptions?.additionalRollbackAlarmNames ?? [];
  }

  /** The traffic shift, for blue/green. */
  public get trafficShift(): TrafficShift | undefined {
    return this.kind === 'blueGreen' ? (this.blueGreenOptions?.trafficShift ?? TrafficShift.allAtOnce()) : undefined;
  }

  /**
   * Validate against the endpoint and render `DeploymentConfig` (undefined for `none()`).
   * @internal
   */
  public _render(context: DeploymentContext, rollbackAlarmNames: readonly string[], issues: IssueCollector): CfnEndpoint.DeploymentConfigProperty | undefined {
    if (this.kind === 'none') return undefined;
    const seconds = (field: string, d: Duration | undefined, min: number, max: number): number | undefined => {
      if (d === undefined) return undefined;
      const s = d.toSeconds();
      if (!Token.isUnresolved(s)) issues.check(s >= min && s <= max, { field, message: 'is out of range', received: `${s} s`, allowed: `${min}–${max} s` });
      return s;
    };
    const alarms = [...rollbackAlarmNames, ...this.additionalRollbackAlarmNames];
    if (this.autoRollback) {
      issues.check(alarms.length >= 1 && alarms.length <= 10, {
        field: 'deployment.rollbackAlarms',
        message: 'automatic rollback needs 1–10 alarms',
        received: alarms.length,
        allowed: '1 to 10 alarm names',
      });
    }
    const autoRollbackConfiguration = this.autoRollback && alarms.length > 0 ? { alarms: alarms.map((alarmName) => ({ alarmName })) } : undefined;

    if (this.kind === 'rolling') {
      const o = this.rollingOptions!;
      issues.check(!context.serverless, { field: 'deployment', message: 'rolling updates are not supported for serverless endpoints', received: 'rolling', allowed: 'DeploymentStrategy.blueGreen()' });
      issues.check(context.variantCount <= 1, { field: 'deployment', message: 'rolling updates are not supported for multi-variant endpoints', received: `${context.variantCount} variants`, allowed: 'DeploymentStrategy.blueGreen(), or one variant' });
      const pct = o.maximumBatchSize.percentOf(context.minInstanceCount);
      if (o.maximumBatchSize.type === 'CAPACITY_PERCENT') {
        issues.check(pct !== undefined && pct >= 5 && pct <= 50, { field: 'deployment.maximumBatchSize', message: 'is out of range', received: `${o.maximumBatchSize.value} %`, allowed: '5–50 % of capacity' });
      } else {
        issues.check(Number.isInteger(o.maximumBatchSize.value) && o.maximumBatchSize.value >= 1, { field: 'deployment.maximumBatchSize', message: 'must be at least one instance', received: o.maximumBatchSize.value, allowed: 'an integer ≥ 1' });
      }
      const wait = seconds('deployment.waitInterval', o.waitInterval ?? Duration.minutes(5), 0, 3600) ?? 300;
      const max = seconds('deployment.maximumExecutionTimeout', o.maximumExecutionTimeout ?? Duration.hours(3), 600, 28800);
      return {
        rollingUpdatePolicy: {
          maximumBatchSize: o.maximumBatchSize._render(),
          waitIntervalInSeconds: wait,
          maximumExecutionTimeoutInSeconds: max,
          rollbackMaximumBatchSize: o.rollbackMaximumBatchSize?._render(),
        },
        autoRollbackConfiguration,
      };
    }

    const o = this.blueGreenOptions ?? {};
    const shift = this.trafficShift!;
    const wait = seconds('deployment.trafficShift.waitInterval', shift.waitInterval, 0, 3600) ?? 0;
    const termination = seconds('deployment.terminationWait', o.terminationWait, 0, 3600) ?? 0;
    let steps = 1;
    if (shift.size) {
      const field = shift.type === 'CANARY' ? 'deployment.trafficShift.canarySize' : 'deployment.trafficShift.linearStepSize';
      const [lo, hi] = shift.type === 'CANARY' ? [0, 50] : [10, 50];
      const pct = shift.size.percentOf(context.minInstanceCount);
      issues.check(!(context.serverless && shift.size.type === 'INSTANCE_COUNT'), { field, message: 'serverless endpoints have no instances', received: 'CapacitySize.instances', allowed: 'CapacitySize.percent(...)' });
      issues.check(shift.size.value > 0 && Number.isInteger(shift.size.value), { field, message: 'must be a positive integer', received: shift.size.value, allowed: 'an integer ≥ 1' });
      if (pct !== undefined) {
        issues.check(pct > lo && pct <= hi || (shift.type === 'LINEAR' && pct === lo), {
          field,
          message: shift.type === 'CANARY' ? 'a canary may take at most half the capacity' : 'linear steps must be 10–50 % of the capacity',
          received: shift.size.type === 'CAPACITY_PERCENT' ? `${shift.size.value} %` : `${shift.size.value} of ${context.minInstanceCount} instances (${Math.round(pct)} %)`,
          allowed: shift.type === 'CANARY' ? 'at most 50 % of the variant capacity' : '10–50 % of the variant capacity',
        });
        if (shift.type === 'LINEAR' && pct > 0) steps = Math.ceil(100 / pct);
      }
      if (shift.type === 'CANARY') steps = 2;
    }
    const totalWaits = wait * steps + termination;
    const max = o.maximumExecutionTimeout
      ? seconds('deployment.maximumExecutionTimeout', o.maximumExecutionTimeout, 600, 28800)
      : Math.min(28800, Math.max(600, totalWaits + 1800));
    if (max !== undefined && !Token.isUnresolved(max)) {
      issues.check(max > totalWaits, {
        field: 'deployment.maximumExecutionTimeout',
        message: 'must exceed the sum of the wait intervals and the termination wait',
        received: `${max} s`,
        allowed: `more than ${totalWaits} s`,
      });
    }
    return {
      blueGreenUpdatePolicy: {
        trafficRoutingConfiguration: shift._render(),
        terminationWaitInSeconds: termination,
        maximumExecutionTimeoutInSeconds: max,
      },
      autoRollbackConfiguration,
    };
  }
}
