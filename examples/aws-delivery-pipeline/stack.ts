/**
 * A model delivery pipeline for the breast-cancer package: a CodeConnections source, a build that
 * tests, packages and registers the model version, a staging endpoint with a post-deploy
 * integration test (p99 ≤ 250 ms, holdout accuracy within 0.02 of the manifest's), a manual
 * approval that approves the version in the registry, and production in two accounts.
 */
import { Duration, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import {
  ApprovalGate, CapacitySize, DeploymentStrategy, InstanceType, ModelDeliveryPipeline, ModelRegistry, PipelineSource, TrafficShift,
} from '../../constructs/aws';

export interface DeliveryPipelineStackProps extends StackProps {
  /**
   * CodeConnections connection to the repository.
   * @default an example ARN (replace it)
   */
  readonly connectionArn?: string;
  /**
   * Production accounts (one stage each, in the pipeline's region).
   * @default - one production stage in the pipeline's account
   */
  readonly productionAccounts?: string[];
}

export class DeliveryPipelineStack extends Stack {
  public readonly delivery: ModelDeliveryPipeline;

  constructor(scope: Construct, id: string, props: DeliveryPipelineStackProps = {}) {
    super(scope, id, props);
    const registry = new ModelRegistry(this, 'Registry', {
      modelPackageGroupName: 'breast-cancer',
      // The stages name the bucket at synth; bucket names are global: make it yours.
      artifactBucketName: `servingstack-registry-breast-cancer-${this.node.addr.slice(0, 12)}`,
      crossAccountReadAccounts: props.productionAccounts,
    });
    this.delivery = new ModelDeliveryPipeline(this, 'Delivery', {
      source: PipelineSource.connection('example-org/breast-cancer-model', 'main', {
        connectionArn: props.connectionArn ?? 'arn:aws:codeconnections:us-east-1:123456789012:connection/00000000-0000-0000-0000-000000000000',
      }),
      modelPackageDirectory: 'examples/models/breast-cancer',
      registry,
      endpoint: {
        variant: { instanceType: InstanceType.C6I_LARGE, initialInstanceCount: 2 },
        deployment: DeploymentStrategy.blueGreen({ trafficShift: TrafficShift.canary(CapacitySize.instances(1), Duration.minutes(10)) }),
      },
      integrationTest: { maxP99Latency: Duration.millis(250), holdoutFile: 'examples/data/breast_cancer.csv', accuracyTolerance: 0.02 },
      approval: ApprovalGate.manual(),
      production: (props.productionAccounts ?? [undefined]).map((account, i) => ({
        stageName: `Production${i + 1}`,
        env: account ? { account, region: this.region } : undefined,
      })),
    });
  }
}
