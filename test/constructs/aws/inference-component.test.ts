import { Size } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { Endpoint, InferenceComponent, InstanceType, Model, ModelData } from '../../../constructs/aws';
import { FIXTURE_PACKAGE, newStack, template } from './helpers';

describe('InferenceComponent', () => {
  test('GIVEN a variant without a model WHEN two components are added THEN the config has no ModelName, an execution role and managed scaling to zero', () => {
    const { stack } = newStack();
    const endpoint = new Endpoint(stack, 'Endpoint', { variants: [{ instanceType: InstanceType.G5_12XLARGE, managedInstanceScaling: { minInstanceCount: 0, maxInstanceCount: 3 } }] });
    const role = endpoint.executionRole!;
    const a = new Model(stack, 'A', { modelData: ModelData.fromAsset(FIXTURE_PACKAGE), role });
    const b = new Model(stack, 'B', { modelData: ModelData.fromAsset(FIXTURE_PACKAGE), role });
    const ica = new InferenceComponent(stack, 'IcA', { endpoint, model: a, computeResources: { minMemory: Size.gibibytes(4), acceleratorDevices: 1 } });
    new InferenceComponent(stack, 'IcB', { endpoint, model: b, computeResources: { minMemory: Size.mebibytes(512), cpuCores: 1 }, copyCount: 2 });
    ica.autoScaleCopies({ minCopies: 0, maxCopies: 4, targetInvocationsPerCopy: 100 });
    const t = template(stack);
    t.hasResourceProperties('AWS::SageMaker::EndpointConfig', {
      ExecutionRoleArn: Match.anyValue(),
      ProductionVariants: [Match.objectLike({ ModelName: Match.absent(), ManagedInstanceScaling: { Status: 'ENABLED', MinInstanceCount: 0, MaxInstanceCount: 3 } })],
    });
    t.resourceCountIs('AWS::SageMaker::InferenceComponent', 2);
    t.hasResourceProperties('AWS::SageMaker::InferenceComponent', {
      EndpointName: endpoint.endpointName,
      VariantName: 'AllTraffic',
      InferenceComponentName: ica.inferenceComponentName,
      Specification: { ModelName: Match.anyValue(), ComputeResourceRequirements: { MinMemoryRequiredInMb: 4096, NumberOfAcceleratorDevicesRequired: 1 } },
      RuntimeConfig: { CopyCount: 1 },
    });
    t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { ResourceId: `inference-component/${ica.inferenceComponentName}`, ScalableDimension: 'sagemaker:inference-component:DesiredCopyCount', MinCapacity: 0 });
    t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', { TargetTrackingScalingPolicyConfiguration: Match.objectLike({ PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerInferenceComponentInvocationsPerCopy' } }) });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'NoCapacityInvocationFailures' });
  });

  test.each<[string, Record<string, unknown>, RegExp]>([
    ['copy count 0', { copyCount: 0 }, /copyCount: is out of range; received 0; allowed: a whole number from 1 to 1000/],
    ['memory < 128 MiB', { computeResources: { minMemory: Size.mebibytes(64) } }, /computeResources.minMemory: is out of range; received 64/],
    ['more GPUs than the instance', { computeResources: { minMemory: Size.gibibytes(1), acceleratorDevices: 2 } }, /computeResources.acceleratorDevices: exceeds the GPUs of the instance type; received 2; allowed: at most 1 on ml.g5.xlarge/],
  ])('%s fails at synth', (_name, override, expected) => {
    const { stack } = newStack();
    const endpoint = new Endpoint(stack, 'Endpoint', { variants: [{ instanceType: InstanceType.G5_XLARGE }] });
    const model = new Model(stack, 'M', { modelData: ModelData.fromAsset(FIXTURE_PACKAGE) });
    expect(() => new InferenceComponent(stack, 'Ic', { endpoint, model, computeResources: { minMemory: Size.gibibytes(1) }, ...override })).toThrow(expected);
  });

  test('a variant serving a model cannot host components; copies need a target and min ≤ initial', () => {
    const { stack } = newStack();
    const model = new Model(stack, 'M', { modelData: ModelData.fromAsset(FIXTURE_PACKAGE) });
    const direct = new Endpoint(stack, 'Direct', { variants: [{ model }] });
    expect(() => new InferenceComponent(stack, 'Ic', { endpoint: direct, model, computeResources: { minMemory: Size.gibibytes(1) } })).toThrow(/the variant serves a model directly and cannot host inference components/);
    const host = new Endpoint(stack, 'Host', { variants: [{ instanceType: InstanceType.C6I_XLARGE }] });
    const ic = new InferenceComponent(stack, 'Ic2', { endpoint: host, model, computeResources: { minMemory: Size.gibibytes(1) } });
    expect(() => ic.autoScaleCopies({ maxCopies: 2 })).toThrow(/autoScaleCopies: needs a target/);
    expect(() => ic.autoScaleCopies({ minCopies: 2, maxCopies: 3, targetInvocationsPerCopy: 5 })).toThrow(/needs min ≤ initial ≤ max; received "min 2, initial 1, max 3"/);
  });
});
