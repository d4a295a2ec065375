/**
 * Real-time endpoint for the breast-cancer package with a canary rollout: two instances, one
 * receives the new version first and bakes 10 minutes under the 5XX and latency guardrails;
 * 10 % of requests captured; invocation autoscaling plus a business-hours floor; every build
 * registered as a version awaiting approval.
 */
import * as path from 'path';
import { Duration, Stack, StackProps } from 'aws-cdk-lib';
import { Schedule } from 'aws-cdk-lib/aws-applicationautoscaling';
import { Construct } from 'constructs';
import {
  CapacitySize, DeploymentStrategy, InstanceType, ModelData, ServingEndpoint, TrafficShift,
} from '../../constructs/aws';

export const BREAST_CANCER_PACKAGE = path.join(__dirname, '..', 'models', 'breast-cancer');

export interface ExampleStackProps extends StackProps {
  /**
   * Model package directory.
   * @default examples/models/breast-cancer
   */
  readonly modelPackage?: string;
}

export class RealtimeCanaryStack extends Stack {
  public readonly serving: ServingEndpoint;

  constructor(scope: Construct, id: string, props: ExampleStackProps = {}) {
    super(scope, id, props);
    this.serving = new ServingEndpoint(this, 'BreastCancer', {
      modelData: ModelData.fromAsset(props.modelPackage ?? BREAST_CANCER_PACKAGE),
      variant: { instanceType: InstanceType.C6I_LARGE, initialInstanceCount: 2, containerStartupHealthCheckTimeout: Duration.minutes(5) },
      deployment: DeploymentStrategy.blueGreen({
        trafficShift: TrafficShift.canary(CapacitySize.instances(1), Duration.minutes(10)),
        terminationWait: Duration.minutes(5),
      }),
      dataCapture: { samplingPercentage: 10 },
      autoScaling: {
        minCapacity: 2,
        maxCapacity: 6,
        targetInvocationsPerInstancePerMinute: 3000,
        schedules: [
          { schedule: Schedule.cron({ weekDay: 'MON-FRI', hour: '7', minute: '0' }), minCapacity: 3, timeZone: 'Europe/Berlin' },
          { schedule: Schedule.cron({ weekDay: 'MON-FRI', hour: '19', minute: '0' }), minCapacity: 2, timeZone: 'Europe/Berlin' },
        ],
      },
      monitoring: { thresholds: { maxP99LatencyMillis: 100, availabilitySloPercent: 99.9 } },
    });
  }
}
