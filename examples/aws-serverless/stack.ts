/**
 * Serverless endpoint: 2 GiB, up to 10 concurrent invocations, 2 of them provisioned (warm)
 * and scaled on provisioned-concurrency utilisation. No data capture (serverless excludes it).
 */
import { Size, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ModelData, ServingEndpoint } from '../../constructs/aws';
import { BREAST_CANCER_PACKAGE, ExampleStackProps } from '../aws-realtime-canary/stack';

export class ServerlessStack extends Stack {
  public readonly serving: ServingEndpoint;

  constructor(scope: Construct, id: string, props: ExampleStackProps = {}) {
    super(scope, id, props);
    this.serving = new ServingEndpoint(this, 'BreastCancer', {
      modelData: ModelData.fromAsset(props.modelPackage ?? BREAST_CANCER_PACKAGE),
      serverless: { memorySize: Size.mebibytes(2048), maxConcurrency: 10, provisionedConcurrency: 2 },
      autoScaling: { maxCapacity: 6, targetProvisionedConcurrencyUtilization: 0.6 },
      model: { runtime: { workers: 1 } },
    });
  }
}
