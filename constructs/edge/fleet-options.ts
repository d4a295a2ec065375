/** Options of {@link FleetDeployment}: rollout, abort criteria, canary and monitoring. */
import type { Duration } from 'aws-cdk-lib';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { FleetThresholds, ModelQualityThresholds, ServingThresholds } from '../../lib/core/contract/thresholds';

/** Which failed device deployments count toward the abort threshold (IoT jobs `failureType`). */
export class DeploymentFailureType {
  public static readonly ALL = new DeploymentFailureType('ALL');
  public static readonly FAILED = new DeploymentFailureType('FAILED');
  public static readonly REJECTED = new DeploymentFailureType('REJECTED');
  public static readonly TIMED_OUT = new DeploymentFailureType('TIMED_OUT');
  private constructor(public readonly value: string) {}
}

/** Exponential rollout: devices notified per minute start at `baseRatePerMinute` and grow by `incrementFactor`. */
export interface RolloutRate {
  /** @default 5 */
  readonly baseRatePerMinute?: number;
  /** 1.1–5, one decimal. @default 2 */
  readonly incrementFactor?: number;
  /** The rate grows each time this many more devices succeeded. @default 10 */
  readonly rateIncreaseAfterSucceededDevices?: number;
  /** @default 100 */
  readonly maximumPerMinute?: number;
}

/** Cancel the rollout when too many devices fail. */
export interface AbortCriteria {
  /** Failure share that cancels the rollout (0–100, two decimals). @default 10 */
  readonly failurePercentage?: number;
  /** Devices that must have received the deployment before it can cancel. @default 10 */
  readonly minExecutedDevices?: number;
  /** @default DeploymentFailureType.ALL */
  readonly failureType?: DeploymentFailureType;
}

/** A small thing group that gets the component first. */
export interface CanaryOptions {
  /**
   * Name of the canary thing group to create.
   * @default - `<fleet thing group name>-canary`
   */
  readonly thingGroupName?: string;
  /**
   * An existing canary thing group instead.
   * @default - a new thing group
   */
  readonly thingGroupArn?: string;
  /**
   * Component version the fleet stays on while the canary group runs the new one. Deploy with it,
   * watch the canary, then remove it to roll the new version out to the fleet. The version must
   * exist (component versions are retained by default).
   * @default - the fleet gets the new version too, after the canary deployment
   */
  readonly holdFleetAtVersion?: string;
}

/** Fleet monitoring: a telemetry component on every device, CloudWatch metrics, dashboard, alarms, capture upload. */
export interface FleetMonitoringOptions {
  /**
   * Error-rate and p99 latency alarms (the shared vocabulary).
   * @default - 5 % server errors, 1000 ms
   */
  readonly thresholds?: ServingThresholds;
  /**
   * `maxDriftedFeatures` decides each device's drift verdict; `minAccuracy` the accuracy alarm.
   * @default - 1 drifted feature, accuracy 0.9
   */
  readonly modelQualityThresholds?: ModelQualityThresholds;
  /**
   * Fleet shares and counts: drifted devices, silent devices.
   * @default - 10 % of devices drifting, fewer than 1 device reporting
   */
  readonly fleetThresholds?: FleetThresholds;
  /** @default - a new topic encrypted with the AWS managed SNS key */
  readonly alarmTopic?: sns.ITopic;
  /**
   * Length of one telemetry interval (one message per device per interval): whole seconds from 10
   * that divide 5 minutes (the period devices are counted in).
   * @default Duration.seconds(60)
   */
  readonly publishInterval?: Duration;
  /**
   * How often the agent reads the runtime's metrics. Whole seconds from 1 s, at most the publish interval.
   * @default Duration.seconds(10)
   */
  readonly scrapeInterval?: Duration;
  /**
   * Intervals a device keeps while IoT Core is unreachable; beyond, the oldest two merge (no count
   * is lost, the oldest interval coarsens). Each takes under 1 KiB.
   * @default 1440 (a day of one-minute intervals)
   */
  readonly bufferIntervals?: number;
  /**
   * Share of requests the runtime captures (0–100) and the agent uploads to S3 for offline
   * analysis (`servingstack drift-report`).
   * @default 0 (no capture)
   */
  readonly captureSamplePercent?: number;
  /**
   * Bucket for the capture files.
   * @default - a new bucket (S3-managed encryption, TLS only, versioned, access-logged, retained)
   */
  readonly captureBucket?: s3.IBucket;
  /** @default - derived from the construct path */
  readonly dashboardName?: string;
}

