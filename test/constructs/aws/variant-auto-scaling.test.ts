import { Duration, Size, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { Schedule } from 'aws-cdk-lib/aws-applicationautoscaling';
import { Endpoint, InstanceType, Model, ModelData, VariantAutoScaling } from '../../../constructs/aws';
import { FIXTURE_PACKAGE, newStack, template } from './helpers';

function setup(): { stack: Stack; model: Model } {
  const { stack } = newStack();
  return { stack, model: new Model(stack, 'Model', { modelData: ModelData.fromAsset(FIXTURE_PACKAGE) }) };
}

describe('VariantAutoScaling', () => {
  test('GIVEN an instance variant WHEN scaled on invocations THEN target, SLR and cooldowns are set', () => {
    const { stack, model } = setup();
    const endpoint = new Endpoint(stack, 'Endpoint', { variants: [{ model, initialInstanceCount: 2 }] });
    const scaling = new VariantAutoScaling(stack, 'Scaling', { endpoint, maxCapacity: 7 });
    scaling.scaleOnInvocations('Invocations', { targetInvocationsPerInstancePerMinute: 1234 });
    const t = template(stack);
    t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      ServiceNamespace: 'sagemaker',
      ScalableDimension: 'sagemaker:variant:DesiredInstanceCount',
      ResourceId: `endpoint/${endpoint.endpointName}/variant/AllTraffic`,
      MinCapacity: 2,
      MaxCapacity: 7,
      RoleARN: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([Match.stringLikeRegexp('AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint')])]) }),
    });
    t.resourceCountIs('AWS::IAM::Role', 1); // only the model's execution role
    t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: { TargetValue: 1234, PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerVariantInvocationsPerInstance' }, ScaleInCooldown: 300, ScaleOutCooldown: 60 },
    });
    expect(Object.values(t.findResources('AWS::ApplicationAutoScaling::ScalableTarget'))[0].DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^Endpoint/)]));
  });

  test('concurrent requests (high resolution), CPU × vCPUs, GPU × GPUs', () => {
    const { stack } = setup();
    // The CUDA runtime image serves both variants (on CPU instances it uses the CPU provider).
    const model = new Model(stack, 'GpuModel', { modelData: ModelData.fromAsset(FIXTURE_PACKAGE) });
    const endpoint = new Endpoint(stack, 'Endpoint', { variants: [{ model, variantName: 'Cpu', instanceType: InstanceType.C6I_XLARGE }, { model, variantName: 'Gpu', instanceType: InstanceType.G5_12XLARGE }] });
    const cpu = new VariantAutoScaling(stack, 'Cpu', { endpoint, variantName: 'Cpu', maxCapacity: 3 });
    cpu.scaleOnConcurrentRequests('Concurrency', { targetConcurrentRequests: 5, scaleInCooldown: Duration.minutes(10) });
    cpu.scaleOnCpuUtilization('CpuUtil', { targetUtilizationPercent: 60 });
    const gpu = new VariantAutoScaling(stack, 'Gpu', { endpoint, variantName: 'Gpu', maxCapacity: 3 });
    gpu.scaleOnGpuUtilization('GpuUtil', { targetUtilizationPercent: 70 });
    const t = template(stack);
    t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', { TargetTrackingScalingPolicyConfiguration: Match.objectLike({ PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerVariantConcurrentRequestsPerModelHighResolution' }, ScaleInCooldown: 600 }) });
    t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', { TargetTrackingScalingPolicyConfiguration: Match.objectLike({ TargetValue: 240, CustomizedMetricSpecification: Match.objectLike({ MetricName: 'CPUUtilization', Namespace: '/aws/sagemaker/Endpoints' }) }) });
    t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', { TargetTrackingScalingPolicyConfiguration: Match.objectLike({ TargetValue: 280, CustomizedMetricSpecification: Match.objectLike({ MetricName: 'GPUUtilization' }) }) });
  });

  test('serverless: provisioned concurrency dimension and utilisation target', () => {
    const { stack, model } = setup();
    const endpoint = new Endpoint(stack, 'Endpoint', { serverlessVariant: { model, maxConcurrency: 10, provisionedConcurrency: 2 } });
    new VariantAutoScaling(stack, 'S', { endpoint, maxCapacity: 8 }).scaleOnProvisionedConcurrency('Pc');
    const t = template(stack);
    t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { ScalableDimension: 'sagemaker:variant:DesiredProvisionedConcurrency', MinCapacity: 2, MaxCapacity: 8 });
    t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', { TargetTrackingScalingPolicyConfiguration: Match.objectLike({ TargetValue: 0.7, PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerVariantProvisionedConcurrencyUtilization' } }) });
  });

  test('async: backlog per instance (EndpointName only) and a step policy that wakes a variant at zero', () => {
    const { stack, model } = setup();
    const endpoint = new Endpoint(stack, 'Endpoint', { variants: [{ model }], asyncInference: {} });
    new VariantAutoScaling(stack, 'A', { endpoint, minCapacity: 0, maxCapacity: 4 }).scaleOnBacklog('Backlog', { targetBacklogPerInstance: 5 });
    const t = template(stack);
    t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 0 });
    t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({ TargetValue: 5, CustomizedMetricSpecification: Match.objectLike({ MetricName: 'ApproximateBacklogSizePerInstance', Dimensions: [{ Name: 'EndpointName', Value: endpoint.endpointName }] }) }),
    });
    t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', { PolicyType: 'StepScaling', StepScalingPolicyConfiguration: Match.objectLike({ AdjustmentType: 'ChangeInCapacity' }) });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'HasBacklogWithoutCapacity', Dimensions: [{ Name: 'EndpointName', Value: endpoint.endpointName }] });
  });

  test('scheduled scaling with a time zone', () => {
    const { stack, model } = setup();
    const endpoint = new Endpoint(stack, 'Endpoint', { variants: [{ model }] });
    const s = new VariantAutoScaling(stack, 'S', { endpoint, maxCapacity: 4 });
    s.scaleOnSchedule('Morning', { schedule: Schedule.cron({ hour: '8', minute: '0', weekDay: 'MON-FRI' }), minCapacity: 3, timeZone: 'Europe/Berlin' });
    template(stack).hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      ScheduledActions: [Match.objectLike({ Schedule: 'cron(0 8 ? * MON-FRI *)', ScalableTargetAction: { MinCapacity: 3 }, Timezone: 'Europe/Berlin' })],
    });
    expect(() => s.scaleOnSchedule('Nothing', { schedule: Schedule.rate(Duration.hours(1)) })).toThrow(/scaleOnSchedule: changes nothing/);
    expect(() => s.scaleOnSchedule('Zero', { schedule: Schedule.rate(Duration.hours(1)), minCapacity: 0 })).toThrow(/only asynchronous endpoints scale instance variants to zero/);
  });

  test.each<[string, (stack: Stack, model: Model) => void, RegExp]>([
    ['burstable', (stack, model) => new VariantAutoScaling(stack, 'S', { endpoint: new Endpoint(stack, 'E', { variants: [{ model, instanceType: InstanceType.T2_MEDIUM }] }), maxCapacity: 2 }),
      /instanceType: Application Auto Scaling rejects burstable instance types for SageMaker variants; received "ml.t2.medium"/],
    ['min > initial', (stack, model) => new VariantAutoScaling(stack, 'S', { endpoint: new Endpoint(stack, 'E', { variants: [{ model }] }), minCapacity: 2, maxCapacity: 4 }),
      /minCapacity\/maxCapacity: needs min ≤ initial ≤ max; received "min 2, initial 1, max 4"/],
    ['initial > max', (stack, model) => new VariantAutoScaling(stack, 'S', { endpoint: new Endpoint(stack, 'E', { variants: [{ model, initialInstanceCount: 5 }] }), maxCapacity: 4 }),
      /needs min ≤ initial ≤ max; received "min 5, initial 5, max 4"/],
    ['zero on real-time', (stack, model) => new VariantAutoScaling(stack, 'S', { endpoint: new Endpoint(stack, 'E', { variants: [{ model }] }), minCapacity: 0, maxCapacity: 4 }),
      /minCapacity: only asynchronous endpoints scale instance variants to zero; received 0; allowed: at least 1; for real-time scale to zero use inference components/],
    ['serverless without provisioned concurrency', (stack, model) => new VariantAutoScaling(stack, 'S', { endpoint: new Endpoint(stack, 'E', { serverlessVariant: { model } }), maxCapacity: 4 }),
      /serverlessVariant.provisionedConcurrency: serverless autoscaling scales provisioned concurrency, which is not set/],
    ['provisioned above maxConcurrency', (stack, model) => new VariantAutoScaling(stack, 'S', { endpoint: new Endpoint(stack, 'E', { serverlessVariant: { model, maxConcurrency: 4, provisionedConcurrency: 1 } }), maxCapacity: 8 }),
      /maxCapacity: provisioned concurrency cannot exceed maxConcurrency; received 8; allowed: at most 4/],
    ['unknown variant', (stack, model) => new VariantAutoScaling(stack, 'S', { endpoint: new Endpoint(stack, 'E', { variants: [{ model }] }), variantName: 'Nope', maxCapacity: 2 }),
      /variantName: is not a production variant of the endpoint; received "Nope"; allowed: AllTraffic/],
    ['backlog on real-time', (stack, model) => new VariantAutoScaling(stack, 'S', { endpoint: new Endpoint(stack, 'E', { variants: [{ model }] }), maxCapacity: 2 }).scaleOnBacklog('B', { targetBacklogPerInstance: 1 }),
      /scaleOnBacklog: backlog metrics exist only for asynchronous endpoints/],
    ['invocations on serverless', (stack, model) => new VariantAutoScaling(stack, 'S', { endpoint: new Endpoint(stack, 'E', { serverlessVariant: { model, provisionedConcurrency: 1 } }), maxCapacity: 2 }).scaleOnInvocations('I', { targetInvocationsPerInstancePerMinute: 1 }),
      /scaleOnInvocations: serverless variants scale provisioned concurrency only/],
    ['GPU scaling on a CPU type', (stack, model) => new VariantAutoScaling(stack, 'S', { endpoint: new Endpoint(stack, 'E', { variants: [{ model }] }), maxCapacity: 2 }).scaleOnGpuUtilization('G', { targetUtilizationPercent: 50 }),
      /instanceType: the GPU count of the instance type is unknown or zero/],
    ['utilisation > 100', (stack, model) => new VariantAutoScaling(stack, 'S', { endpoint: new Endpoint(stack, 'E', { variants: [{ model }] }), maxCapacity: 2 }).scaleOnCpuUtilization('C', { targetUtilizationPercent: 150 }),
      /targetUtilizationPercent: is out of range; received 150; allowed: a number from 1 to 100/],
    ['non-positive target', (stack, model) => new VariantAutoScaling(stack, 'S', { endpoint: new Endpoint(stack, 'E', { variants: [{ model }] }), maxCapacity: 2 }).scaleOnInvocations('I', { targetInvocationsPerInstancePerMinute: 0 }),
      /targetInvocationsPerInstancePerMinute: must be positive; received 0/],
    ['component host variant', (stack) => new VariantAutoScaling(stack, 'S', { endpoint: new Endpoint(stack, 'E', { variants: [{ instanceType: InstanceType.G5_XLARGE }] }), maxCapacity: 2 }),
      /variantName: variants hosting inference components scale through their components/],
  ])('%s fails at synth', (_name, build, expected) => {
    const { stack, model } = setup();
    expect(() => build(stack, model)).toThrow(expected);
  });

  test('Size import keeps the serverless memory type (compile check)', () => {
    expect(Size.mebibytes(1024).toMebibytes()).toBe(1024);
  });
});
