import {
  CreateEndpointConfigCommand, CreateModelCommand, DescribeEndpointCommand, DescribeEndpointConfigCommand, DescribeModelCommand,
  DescribeModelPackageCommand, SageMakerClient, UpdateEndpointCommand,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { EndpointBusyError, RolloutSettings, resourceName, rollout, settingsFromEnv } from '../../../constructs/aws/rollout/handler';

const sm = mockClient(SageMakerClient);
const client = new SageMakerClient({ region: 'us-east-1' });
const NOW = new Date('2026-11-25T10:11:12.000Z');
const PACKAGE_ARN = 'arn:aws:sagemaker:us-east-1:123456789012:model-package/fraud/7';
const SETTINGS: RolloutSettings = {
  endpointName: 'fraud-endpoint',
  groupName: 'fraud',
  variantNames: [],
  namePrefix: 'ss-fraud',
  deploymentConfig: {
    BlueGreenUpdatePolicy: { TrafficRoutingConfiguration: { Type: 'CANARY', CanarySize: { Type: 'CAPACITY_PERCENT', Value: 10 }, WaitIntervalInSeconds: 600 } },
    AutoRollbackConfiguration: { Alarms: [{ AlarmName: 'fraud-5xx' }] },
  },
};
const APPROVED = { ModelPackageArn: PACKAGE_ARN, ModelPackageGroupName: 'fraud', ModelPackageVersion: 7, ModelApprovalStatus: 'Approved' };

function givenHealthyEndpoint(): void {
  sm.on(DescribeModelPackageCommand).resolves({ ModelPackageArn: PACKAGE_ARN, ModelApprovalStatus: 'Approved', ModelPackageVersion: 7 } as never);
  sm.on(DescribeEndpointCommand).resolves({ EndpointName: 'fraud-endpoint', EndpointStatus: 'InService', EndpointConfigName: 'cfn-config-1' } as never);
  sm.on(DescribeEndpointConfigCommand).resolves({
    EndpointConfigName: 'cfn-config-1',
    ProductionVariants: [
      { VariantName: 'Control', ModelName: 'cfn-model-1', InstanceType: 'ml.c6i.large', InitialInstanceCount: 2 },
      { VariantName: 'Candidate', ModelName: 'cfn-model-2', InstanceType: 'ml.c6i.large', InitialInstanceCount: 1 },
    ],
    DataCaptureConfig: { EnableCapture: true, InitialSamplingPercentage: 10, DestinationS3Uri: 's3://capture/data', CaptureOptions: [{ CaptureMode: 'Input' }] },
    KmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/k',
  } as never);
  sm.on(DescribeModelCommand).resolves({
    ModelName: 'cfn-model-1',
    ExecutionRoleArn: 'arn:aws:iam::123456789012:role/exec',
    PrimaryContainer: { Image: 'old', Environment: { SERVINGSTACK_EMF: 'true' } },
    VpcConfig: { Subnets: ['subnet-1'], SecurityGroupIds: ['sg-1'] },
    EnableNetworkIsolation: true,
  } as never);
  sm.on(CreateModelCommand).resolves({});
  sm.on(CreateEndpointConfigCommand).resolves({});
  sm.on(UpdateEndpointCommand).resolves({});
}

beforeEach(() => sm.reset());

describe('rollout handler', () => {
  test('GIVEN an approved version WHEN the endpoint is InService THEN model, config and a guarded update with retained variant properties', async () => {
    givenHealthyEndpoint();
    const result = await rollout(client, SETTINGS, APPROVED, NOW);
    expect(result).toEqual({ status: 'updating', modelName: 'ss-fraud-m-v7-20261125101112', endpointConfigName: 'ss-fraud-c-v7-20261125101112' });
    const model = sm.commandCalls(CreateModelCommand)[0].args[0].input;
    expect(model).toEqual({
      ModelName: 'ss-fraud-m-v7-20261125101112',
      ExecutionRoleArn: 'arn:aws:iam::123456789012:role/exec',
      PrimaryContainer: { ModelPackageName: PACKAGE_ARN, Environment: { SERVINGSTACK_EMF: 'true' } },
      VpcConfig: { Subnets: ['subnet-1'], SecurityGroupIds: ['sg-1'] },
      EnableNetworkIsolation: true,
    });
    const config = sm.commandCalls(CreateEndpointConfigCommand)[0].args[0].input;
    expect(config.ProductionVariants?.map((v) => [v.VariantName, v.ModelName])).toEqual([['Control', 'ss-fraud-m-v7-20261125101112'], ['Candidate', 'ss-fraud-m-v7-20261125101112']]);
    expect(config.DataCaptureConfig?.InitialSamplingPercentage).toBe(10);
    expect(config.KmsKeyId).toBe('arn:aws:kms:us-east-1:123456789012:key/k');
    const update = sm.commandCalls(UpdateEndpointCommand)[0].args[0].input;
    expect(update).toEqual({ EndpointName: 'fraud-endpoint', EndpointConfigName: 'ss-fraud-c-v7-20261125101112', RetainAllVariantProperties: true, DeploymentConfig: SETTINGS.deploymentConfig });
  });

  test('only the named variants receive the version', async () => {
    givenHealthyEndpoint();
    await rollout(client, { ...SETTINGS, variantNames: ['Candidate'] }, APPROVED, NOW);
    const config = sm.commandCalls(CreateEndpointConfigCommand)[0].args[0].input;
    expect(config.ProductionVariants?.map((v) => v.ModelName)).toEqual(['cfn-model-1', 'ss-fraud-m-v7-20261125101112']);
    expect(sm.commandCalls(DescribeModelCommand)[0].args[0].input).toEqual({ ModelName: 'cfn-model-2' });
  });

  test('an updating endpoint throws EndpointBusyError so Lambda retries', async () => {
    givenHealthyEndpoint();
    sm.on(DescribeEndpointCommand).resolves({ EndpointStatus: 'Updating', EndpointConfigName: 'x' } as never);
    await expect(rollout(client, SETTINGS, APPROVED, NOW)).rejects.toBeInstanceOf(EndpointBusyError);
    expect(sm.commandCalls(CreateModelCommand)).toHaveLength(0);
  });

  test.each([
    ['another status', { ...APPROVED, ModelApprovalStatus: 'Rejected' }, 'status Rejected'],
    ['another group', { ...APPROVED, ModelPackageGroupName: 'other' }, 'group other'],
  ])('%s is skipped without API calls', async (_n, detail, reason) => {
    const result = await rollout(client, SETTINGS, detail, NOW);
    expect(result).toEqual({ status: 'skipped', reason });
    expect(sm.calls()).toHaveLength(0);
  });

  test('a version no longer approved when described is skipped', async () => {
    givenHealthyEndpoint();
    sm.on(DescribeModelPackageCommand).resolves({ ModelApprovalStatus: 'PendingManualApproval' } as never);
    expect(await rollout(client, SETTINGS, APPROVED, NOW)).toEqual({ status: 'skipped', reason: 'package is PendingManualApproval' });
    expect(sm.commandCalls(UpdateEndpointCommand)).toHaveLength(0);
  });

  test('settingsFromEnv parses the construct environment; names stay valid', () => {
    expect(settingsFromEnv({ ENDPOINT_NAME: 'e', MODEL_PACKAGE_GROUP_NAME: 'g', VARIANT_NAMES: 'A,B', DEPLOYMENT_CONFIG: '{"RollingUpdatePolicy":{"MaximumBatchSize":{"Type":"INSTANCE_COUNT","Value":1},"WaitIntervalInSeconds":60}}', NAME_PREFIX: 'p' }))
      .toEqual({ endpointName: 'e', groupName: 'g', variantNames: ['A', 'B'], namePrefix: 'p', deploymentConfig: { RollingUpdatePolicy: { MaximumBatchSize: { Type: 'INSTANCE_COUNT', Value: 1 }, WaitIntervalInSeconds: 60 } } });
    expect(() => settingsFromEnv({})).toThrow(/ENDPOINT_NAME is not set/);
    const name = resourceName('x'.repeat(70), 12, NOW);
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(/^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/);
  });
});
