/**
 * A/B test: the current model takes 80 % of traffic, a candidate build (another package
 * version) 20 %, and a shadow variant on a larger instance mirrors requests without answering.
 * Updates shift traffic linearly in 25 % steps. Autoscaling tracks concurrent requests.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import {
  CapacitySize, DeploymentStrategy, InstanceType, ModelData, ServingEndpoint, TrafficShift,
} from '../../constructs/aws';
import { BREAST_CANCER_PACKAGE, ExampleStackProps } from '../aws-realtime-canary/stack';

export interface AbTestStackProps extends ExampleStackProps {
  /**
   * Package of the candidate.
   * @default the same package as the control
   */
  readonly candidatePackage?: string;
}

export class AbTestStack extends Stack {
  public readonly serving: ServingEndpoint;

  constructor(scope: Construct, id: string, props: AbTestStackProps = {}) {
    super(scope, id, props);
    const control = props.modelPackage ?? BREAST_CANCER_PACKAGE;
    this.serving = new ServingEndpoint(this, 'BreastCancer', {
      modelData: ModelData.fromAsset(control),
      variant: { variantName: 'Control', weight: 0.8, instanceType: InstanceType.C6I_LARGE, initialInstanceCount: 2 },
      additionalVariants: [{ variantName: 'Candidate', modelData: ModelData.fromAsset(props.candidatePackage ?? control), weight: 0.2, initialInstanceCount: 2 }],
      shadowVariant: { variantName: 'Shadow', instanceType: InstanceType.C6I_XLARGE, initialInstanceCount: 1 },
      deployment: DeploymentStrategy.blueGreen({ trafficShift: TrafficShift.linear(CapacitySize.percent(25), Duration.minutes(5)) }),
      autoScaling: { maxCapacity: 6, targetConcurrentRequests: 8 },
    });
  }
}
