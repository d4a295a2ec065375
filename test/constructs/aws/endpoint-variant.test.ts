/**
 * EndpointVariant: what `Endpoint.add…Variant()` returns — its facts, its metrics and its
 * autoscaling — and the endpoint's checks on a variant added after construction.
 */
import { Size } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import {
  AwsErrorCodes, CapacitySize, DeploymentStrategy, Endpoint, EndpointMonitoring, InstanceType, Model, ModelData, VariantAutoScaling,
} from '../../../constructs/aws';
import { errorOf } from '../../support/errors';
import { FIXTURE_PACKAGE, newStack, template } from './helpers';

function setup(): { stack: ReturnType<typeof newStack>['stack']; model: Model; endpoint: Endpoint } {
  const { stack } = newStack();
  const model = new Model(stack, 'Model', { modelData: ModelData.fromAsset(FIXTURE_PACKAGE) });
  const endpoint = new Endpoint(stack, 'Endpoint', { endpointName: 'fraud' });
  return { stack, model, endpoint };
}

test('addInstanceVariant after construction: the variant carries its facts and its metrics', () => {
  const { model, endpoint } = setup();
  const a = endpoint.addInstanceVariant({ variantName: 'A', model, instanceType: InstanceType.C6I_XLARGE, initialInstanceCount: 2 });
  expect(a).toMatchObject({ variantName: 'A', initialInstanceCount: 2, serverless: false, shadow: false, endpoint });
  expect(a.instanceType?.toString()).toBe('ml.c6i.xlarge');
  expect(endpoint.findVariant('A').variantName).toBe('A');
  expect(a.metricInvocations().dimensions).toEqual({ EndpointName: 'fraud', VariantName: 'A' });
  expect(a.metricInvocations().namespace).toBe('AWS/SageMaker');
  expect(a.metricCpuUtilization().namespace).toBe('/aws/sagemaker/Endpoints');
  expect(a.metricModelLatency().statistic).toBe('p99');
  expect(a.metricInvocation5xxErrors({ statistic: 'Sum' }).statistic).toBe('Sum');
  expect(a.metricModelLatencyInMillis().expression).toMatch(/\/ 1000$/);
});

test('autoScaleInstanceCount: one scalable target per variant, policies added to what it returns', () => {
  const { stack, model, endpoint } = setup();
  const a = endpoint.addInstanceVariant({ variantName: 'A', model });
  const b = endpoint.addInstanceVariant({ variantName: 'B', model, initialVariantWeight: 0.1 });
  a.autoScaleInstanceCount({ maxCapacity: 5 }).scaleOnInvocations('Rps', { targetInvocationsPerInstancePerMinute: 700 });
  b.autoScaleInstanceCount({ minCapacity: 1, maxCapacity: 2 });
  const t = template(stack);
  t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { ResourceId: 'endpoint/fraud/variant/A', MinCapacity: 1, MaxCapacity: 5, ScalableDimension: 'sagemaker:variant:DesiredInstanceCount' });
  t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { ResourceId: 'endpoint/fraud/variant/B', MaxCapacity: 2 });
  t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', { TargetTrackingScalingPolicyConfiguration: Match.objectLike({ TargetValue: 700 }) });
  // A second autoscaling of the same variant, by either door, is refused.
  expect(errorOf(() => a.autoScaleInstanceCount({ maxCapacity: 3 }), AwsErrorCodes.SCALING_POLICY).message).toContain('the variant is autoscaled already');
  expect(errorOf(() => new VariantAutoScaling(stack, 'Again', { endpoint, variantName: 'B', maxCapacity: 3 }), AwsErrorCodes.SCALING_POLICY).message).toContain('Test/Endpoint/ScalingB');
  expect(VariantAutoScaling.of(endpoint, 'A')?.variant.variantName).toBe('A');
});

test('serverless variants scale provisioned concurrency, instance variants instance counts', () => {
  const { stack, model, endpoint } = setup();
  const s = endpoint.addServerlessVariant({ model, memorySize: Size.mebibytes(2048), maxConcurrency: 10, provisionedConcurrency: 2 });
  expect(s.serverless).toBe(true);
  expect(endpoint.isServerless).toBe(true);
  expect(errorOf(() => s.autoScaleInstanceCount({ maxCapacity: 3 }), AwsErrorCodes.SCALING_POLICY).issues[0]).toMatchObject({ field: 'autoScaleInstanceCount', allowed: 'autoScaleProvisionedConcurrency()' });
  s.autoScaleProvisionedConcurrency({ maxCapacity: 8 });
  template(stack).hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { ScalableDimension: 'sagemaker:variant:DesiredProvisionedConcurrency', MinCapacity: 2, MaxCapacity: 8 });
});

test('a variant added later is checked against the deployment (and refused whole)', () => {
  const { stack } = newStack();
  const m = new Model(stack, 'Model', { modelData: ModelData.fromAsset(FIXTURE_PACKAGE) });
  const rolling = new Endpoint(stack, 'Endpoint', { variants: [{ variantName: 'A', model: m }], deployment: DeploymentStrategy.rolling({ maximumBatchSize: CapacitySize.percent(20) }) });
  const e = errorOf(() => rolling.addInstanceVariant({ variantName: 'B', model: m }), AwsErrorCodes.DEPLOYMENT);
  expect(e.message).toContain('deployment: rolling updates are not supported for multi-variant endpoints; received "2 variants"');
  expect(rolling.variants.map((v) => v.variantName)).toEqual(['A']);
});

test('findVariant names the variants there are', () => {
  const { model, endpoint } = setup();
  endpoint.addInstanceVariant({ variantName: 'A', model });
  endpoint.addShadowVariant({ variantName: 'S', model });
  expect(endpoint.findVariant('S').shadow).toBe(true);
  expect(errorOf(() => endpoint.findVariant('C'), AwsErrorCodes.VARIANT_NOT_FOUND).issues[0]).toMatchObject({ field: 'variantName', received: 'C', allowed: 'A | S' });
});

test('an imported endpoint is an IEndpoint: its declared variants autoscale and are monitored', () => {
  const { stack } = newStack();
  const imported = Endpoint.fromEndpointAttributes(stack, 'Imported', { endpointName: 'elsewhere', variants: [{ variantName: 'Blue', instanceType: InstanceType.C6I_LARGE, initialInstanceCount: 2 }] });
  expect(imported.primaryVariantName).toBe('Blue');
  expect(imported.metricInvocations().dimensions).toEqual({ EndpointName: 'elsewhere', VariantName: 'Blue' });
  new VariantAutoScaling(stack, 'Scaling', { endpoint: imported, maxCapacity: 4 });
  new EndpointMonitoring(stack, 'Monitoring', { endpoint: imported });
  const t = template(stack);
  t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { ResourceId: 'endpoint/elsewhere/variant/Blue', MinCapacity: 2, MaxCapacity: 4 });
  t.hasResourceProperties('AWS::CloudWatch::Alarm', { Metrics: Match.arrayWith([Match.objectLike({ MetricStat: Match.objectLike({ Metric: Match.objectLike({ Dimensions: Match.arrayWith([{ Name: 'EndpointName', Value: 'elsewhere' }]) }) }) })]) });
});
