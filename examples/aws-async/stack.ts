/**
 * Asynchronous endpoint: requests up to 1 GiB queue in SageMaker, results land in an encrypted,
 * access-logged, TLS-only bucket, success and error notifications go to encrypted topics, and
 * the variant scales on backlog down to zero instances (a step policy wakes it on backlog).
 */
import { Duration, Size, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { InstanceType, ModelData, ServingEndpoint } from '../../constructs/aws';
import { BREAST_CANCER_PACKAGE, ExampleStackProps } from '../aws-realtime-canary/stack';

export class AsyncStack extends Stack {
  public readonly serving: ServingEndpoint;

  constructor(scope: Construct, id: string, props: ExampleStackProps = {}) {
    super(scope, id, props);
    const key = new kms.Key(this, 'Key', { enableKeyRotation: true, description: 'async endpoint: volumes, results, notifications' });
    const success = new sns.Topic(this, 'Succeeded', { masterKey: key, enforceSSL: true });
    const failure = new sns.Topic(this, 'Failed', { masterKey: key, enforceSSL: true });
    this.serving = new ServingEndpoint(this, 'BreastCancer', {
      modelData: ModelData.fromAsset(props.modelPackage ?? BREAST_CANCER_PACKAGE),
      model: { runtime: { bodyLimit: Size.mebibytes(512), requestTimeout: Duration.minutes(15) } },
      variant: { instanceType: InstanceType.M5_XLARGE },
      encryptionKey: key,
      asyncInference: { successTopic: success, errorTopic: failure, maxConcurrentInvocationsPerInstance: 4 },
      autoScaling: { maxCapacity: 4, targetBacklogPerInstance: 10 },
      monitoring: { thresholds: { maxBacklogWithoutCapacity: Duration.minutes(10) } },
    });
  }
}
