import { Duration, Size } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import {
  AwsErrorCodes, CapacitySize, DeploymentStrategy, Endpoint, EndpointProps, InstanceType, Model, ModelData, RoutingStrategy, TrafficShift,
} from '../../../constructs/aws';
import { Thresholds } from '../../../lib/core/contract/thresholds';
import { FIXTURE_PACKAGE, newStack, onlyResource, statements, template } from './helpers';
import { withModel } from './model-fixture';

const setup = withModel;

/** The code of the error `fn` throws. */
function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

/** The error message of `fn`, or '' when it does not throw. */
function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  return '';
}

describe('Endpoint: real-time defaults', () => {
  test('GIVEN one model WHEN defaults THEN a KMS-encrypted config, blue/green with rollback alarms, retained variant properties', () => {
    const { stack, model } = setup();
    const endpoint = new Endpoint(stack, 'Endpoint', { variants: [{ model }] });
    const t = template(stack);
    t.hasResourceProperties('AWS::SageMaker::EndpointConfig', {
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EndpointKey'), 'Arn'] },
      EndpointConfigName: Match.absent(),
      ProductionVariants: [{ VariantName: 'AllTraffic', InstanceType: 'ml.m5.large', InitialInstanceCount: 1, InitialVariantWeight: 1, ModelName: Match.anyValue() }],
    });
    t.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    const ep = onlyResource(t, 'AWS::SageMaker::Endpoint');
    expect(ep.Properties).toMatchObject({
      EndpointName: endpoint.endpointName,
      RetainAllVariantProperties: true,
      DeploymentConfig: {
        BlueGreenUpdatePolicy: { TrafficRoutingConfiguration: { Type: 'ALL_AT_ONCE', WaitIntervalInSeconds: 300 }, TerminationWaitInSeconds: 0, MaximumExecutionTimeoutInSeconds: 2100 },
        AutoRollbackConfiguration: { Alarms: [{ AlarmName: `${(endpoint.guardrailAlarms[0].node.defaultChild as unknown as { alarmName: string }).alarmName}` }, { AlarmName: expect.stringMatching(/-p99-model-latency$/) }] },
      },
    });
    // The alarms exist before the endpoint: it depends on them (fixed names, no cycle).
    expect(ep.DependsOn?.filter((d) => d.includes('Guardrail'))).toHaveLength(2);
    expect(endpoint.endpointName).toMatch(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/);
    // Defaults of the shared rollout-gate vocabulary: 1 % 5XX (unified; was 5 %), p99 1000 ms in µs.
    const gate = Thresholds.resolveRolloutGates({});
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: Match.stringLikeRegexp('-5xx-rate$'), Threshold: gate.maxErrorRatePercent, EvaluationPeriods: 3, DatapointsToAlarm: 2 });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: Match.stringLikeRegexp('-p99-model-latency$'), Threshold: gate.maxP99LatencyMillis * 1000 });
    expect(gate).toEqual({ maxErrorRatePercent: 1, maxP99LatencyMillis: 1000 });
  });

  test('guardrail alarms: worst-variant 5XX rate and p99 latency in microseconds', () => {
    const { stack, model } = setup();
    new Endpoint(stack, 'Endpoint', { variants: [{ model, variantName: 'A' }, { model, variantName: 'B' }], guardrailAlarms: { maxP99LatencyMillis: 250, maxErrorRatePercent: 2 } });
    const t = template(stack);
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: Match.stringLikeRegexp('-5xx-rate$'), Threshold: 2, Metrics: Match.arrayWith([Match.objectLike({ Expression: '100 * MAX([v0,v1])' })]) });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: Match.stringLikeRegexp('-p99-model-latency$'), Threshold: 250000 });
  });

  test('A/B weights keep an explicit 0; shadow variant; routing strategy; timeouts; volume', () => {
    const { stack, model } = setup();
    new Endpoint(stack, 'Endpoint', {
      variants: [
        { model, variantName: 'Control', initialVariantWeight: 1, routingStrategy: RoutingStrategy.LEAST_OUTSTANDING_REQUESTS, volumeSize: Size.gibibytes(30), modelDataDownloadTimeout: Duration.minutes(10), containerStartupHealthCheckTimeout: Duration.minutes(7) },
        { model, variantName: 'Candidate', initialVariantWeight: 0 },
      ],
      shadowVariant: { model, variantName: 'Shadow', instanceType: InstanceType.C6I_XLARGE },
    });
    template(stack).hasResourceProperties('AWS::SageMaker::EndpointConfig', {
      ProductionVariants: [
        Match.objectLike({ VariantName: 'Control', RoutingConfig: { RoutingStrategy: 'LEAST_OUTSTANDING_REQUESTS' }, VolumeSizeInGB: 30, ModelDataDownloadTimeoutInSeconds: 600, ContainerStartupHealthCheckTimeoutInSeconds: 420 }),
        Match.objectLike({ VariantName: 'Candidate', InitialVariantWeight: 0 }),
      ],
      ShadowProductionVariants: [Match.objectLike({ VariantName: 'Shadow', InstanceType: 'ml.c6i.xlarge' })],
    });
  });

  test('grantInvoke: sync, async and streaming on the endpoint ARN only', () => {
    const { stack, model } = setup();
    const endpoint = new Endpoint(stack, 'Endpoint', { variants: [{ model }] });
    const user = new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
    endpoint.grantInvoke(user);
    const st = statements(template(stack)).find((s) => JSON.stringify(s.Action).includes('sagemaker:InvokeEndpoint'));
    expect(st?.Action).toEqual(['sagemaker:InvokeEndpoint', 'sagemaker:InvokeEndpointAsync', 'sagemaker:InvokeEndpointWithResponseStream']);
    expect(JSON.stringify(st?.Resource)).toContain(`:endpoint/${endpoint.endpointName.toLowerCase()}`);
    const imported = Endpoint.fromEndpointName(stack, 'Imported', 'other');
    expect(imported.endpointArn).toContain('endpoint/other');
  });

  test('metrics: namespaces and dimensions per metric family', () => {
    const { stack, model } = setup();
    const endpoint = new Endpoint(stack, 'Endpoint', { variants: [{ model }], asyncInference: {} });
    expect(endpoint.metricCpuUtilization().namespace).toBe('/aws/sagemaker/Endpoints');
    expect(endpoint.metricModelLatency().namespace).toBe('AWS/SageMaker');
    expect(endpoint.metricModelLatency().statistic).toBe('p99');
    expect(endpoint.metricApproximateBacklogSizePerInstance().dimensions).toEqual({ EndpointName: endpoint.endpointName });
    expect(endpoint.metricInvocations().dimensions).toEqual({ EndpointName: endpoint.endpointName, VariantName: 'AllTraffic' });
    expect(endpoint.metricModelLatencyInMillis().expression).toMatch(/\/ 1000$/);
  });
});

describe('Endpoint: deployment strategies', () => {
  test.each<[string, DeploymentStrategy, Record<string, unknown>]>([
    ['canary', DeploymentStrategy.blueGreen({ trafficShift: TrafficShift.canary(CapacitySize.percent(10), Duration.minutes(10)), terminationWait: Duration.minutes(2) }), { BlueGreenUpdatePolicy: { TrafficRoutingConfiguration: { Type: 'CANARY', CanarySize: { Type: 'CAPACITY_PERCENT', Value: 10 }, WaitIntervalInSeconds: 600 }, TerminationWaitInSeconds: 120 } }],
    ['linear', DeploymentStrategy.blueGreen({ trafficShift: TrafficShift.linear(CapacitySize.percent(20)) }), { BlueGreenUpdatePolicy: { TrafficRoutingConfiguration: { Type: 'LINEAR', LinearStepSize: { Type: 'CAPACITY_PERCENT', Value: 20 }, WaitIntervalInSeconds: 300 } } }],
    ['rolling', DeploymentStrategy.rolling({ maximumBatchSize: CapacitySize.instances(1), rollbackMaximumBatchSize: CapacitySize.percent(100) }), { RollingUpdatePolicy: { MaximumBatchSize: { Type: 'INSTANCE_COUNT', Value: 1 }, WaitIntervalInSeconds: 300, MaximumExecutionTimeoutInSeconds: 10800 } }],
  ])('%s renders', (_name, deployment, expected) => {
    const { stack, model } = setup();
    new Endpoint(stack, 'Endpoint', { variants: [{ model, initialInstanceCount: 4 }], deployment });
    template(stack).hasResourceProperties('AWS::SageMaker::Endpoint', { DeploymentConfig: Match.objectLike(expected) });
  });

  test('none(): no DeploymentConfig and no guardrail alarms', () => {
    const { stack, model } = setup();
    const endpoint = new Endpoint(stack, 'Endpoint', { variants: [{ model }], deployment: DeploymentStrategy.none() });
    template(stack).hasResourceProperties('AWS::SageMaker::Endpoint', { DeploymentConfig: Match.absent() });
    expect(endpoint.guardrailAlarms).toHaveLength(0);
  });

  test('extra rollback alarms are appended; more than 10 fail', () => {
    const { stack, model } = setup();
    new Endpoint(stack, 'Endpoint', { variants: [{ model }], deployment: DeploymentStrategy.blueGreen({ additionalRollbackAlarmNames: ['business-kpi'] }) });
    template(stack).hasResourceProperties('AWS::SageMaker::Endpoint', { DeploymentConfig: { AutoRollbackConfiguration: { Alarms: Match.arrayWith([{ AlarmName: 'business-kpi' }]) }, BlueGreenUpdatePolicy: Match.anyValue() } });
    const many = Array.from({ length: 9 }, (_, i) => `a${i}`);
    expect(errorOf(() => new Endpoint(stack, 'Bad', { variants: [{ model }], deployment: DeploymentStrategy.blueGreen({ additionalRollbackAlarmNames: many }) })))
      .toContain('deployment.rollbackAlarms: automatic rollback needs 1–10 alarms; received 11; allowed: 1 to 10 alarm names');
  });
});

describe('Endpoint: synth-time validation', () => {
  // Each rule has its own code (AwsErrorCodes): the error's code and its first line name it.
  const cases: Array<[string, (m: Model) => EndpointProps, string, string]> = [
    ['serverless + instances', (m) => ({ variants: [{ model: m }], serverlessVariant: { model: m } }), 'serverlessVariant: serverless and instance variants cannot share an endpoint', AwsErrorCodes.VARIANT_LAYOUT],
    ['11 variants', (m) => ({ variants: Array.from({ length: 11 }, (_, i) => ({ model: m, variantName: `v${i}` })) }), 'variants: too many production variants; received 11; allowed: 1 to 10', AwsErrorCodes.VARIANT_LAYOUT],
    ['unnamed second variant', (m) => ({ variants: [{ model: m, variantName: 'A' }, { model: m }] }), 'variants[1].variantName: is required when there are several variants', AwsErrorCodes.VARIANT_LAYOUT],
    ['bad variant name', (m) => ({ variants: [{ model: m, variantName: 'bad_name' }] }), 'variants[0].variantName: is not a valid SageMaker name; received "bad_name"; allowed: letters, digits and dashes', AwsErrorCodes.NAME],
    ['duplicate names', (m) => ({ variants: [{ model: m, variantName: 'A' }, { model: m, variantName: 'A' }] }), 'variants.variantName: variant names must be unique; received ["A"]', AwsErrorCodes.VARIANT_LAYOUT],
    ['bad instance type', (m) => ({ variants: [{ model: m, instanceType: InstanceType.of('m5.large') }] }), 'variants[0].instanceType: is not a SageMaker instance type; received "m5.large"', AwsErrorCodes.VARIANT],
    ['0 instances', (m) => ({ variants: [{ model: m, initialInstanceCount: 0 }] }), 'variants[0].initialInstanceCount: is out of range; received 0; allowed: a whole number from 1 to 1000', AwsErrorCodes.VARIANT],
    ['volume too big', (m) => ({ variants: [{ model: m, volumeSize: Size.gibibytes(600) }] }), 'variants[0].volumeSize: is out of range; received 600; allowed: a whole number from 1 GiB to 512 GiB', AwsErrorCodes.VARIANT],
    ['volume on NVMe', (m) => ({ variants: [{ model: m, instanceType: InstanceType.M5D_LARGE, volumeSize: Size.gibibytes(30) }] }), 'variants[0].volumeSize: instance types with local NVMe storage take no ML storage volume', AwsErrorCodes.VARIANT],
    ['startup timeout', (m) => ({ variants: [{ model: m, containerStartupHealthCheckTimeout: Duration.seconds(30) }] }), 'variants[0].containerStartupHealthCheckTimeout: is out of range; received 30; allowed: a whole number from 60 s to 3600 s', AwsErrorCodes.VARIANT],
    ['download timeout', (m) => ({ variants: [{ model: m, modelDataDownloadTimeout: Duration.hours(2) }] }), 'variants[0].modelDataDownloadTimeout: is out of range; received 7200', AwsErrorCodes.VARIANT],
    ['serverless memory', (m) => ({ serverlessVariant: { model: m, memorySize: Size.mebibytes(1500) } }), 'serverlessVariant.memorySize: is not a serverless memory size; received "1500 MiB"; allowed: 1024 MiB | 2048 MiB', AwsErrorCodes.SERVERLESS],
    ['serverless concurrency', (m) => ({ serverlessVariant: { model: m, maxConcurrency: 201 } }), 'serverlessVariant.maxConcurrency: is out of range; received 201; allowed: a whole number from 1 to 200', AwsErrorCodes.SERVERLESS],
    ['provisioned > max', (m) => ({ serverlessVariant: { model: m, maxConcurrency: 5, provisionedConcurrency: 6 } }), 'serverlessVariant.provisionedConcurrency: exceeds maxConcurrency; received 6; allowed: at most maxConcurrency (5)', AwsErrorCodes.SERVERLESS],
    ['serverless + capture', (m) => ({ serverlessVariant: { model: m }, dataCapture: {} }), 'dataCapture: serverless endpoints do not support data capture', AwsErrorCodes.SERVERLESS_UNSUPPORTED],
    ['serverless + async', (m) => ({ serverlessVariant: { model: m }, asyncInference: {} }), 'asyncInference: serverless endpoints cannot be asynchronous', AwsErrorCodes.SERVERLESS_UNSUPPORTED],
    ['serverless + shadow', (m) => ({ serverlessVariant: { model: m }, shadowVariant: { model: m, variantName: 'S' } }), 'shadowVariant: shadow variants need a real-time instance endpoint', AwsErrorCodes.SHADOW_VARIANT],
    ['sampling', (m) => ({ variants: [{ model: m }], dataCapture: { samplingPercentage: 101 } }), 'dataCapture.samplingPercentage: is out of range; received 101; allowed: a whole number from 0 % to 100 %', AwsErrorCodes.DATA_CAPTURE],
    ['capture nothing', (m) => ({ variants: [{ model: m }], dataCapture: { captureInput: false, captureOutput: false } }), 'dataCapture: captures nothing', AwsErrorCodes.DATA_CAPTURE],
    ['async concurrency', (m) => ({ variants: [{ model: m }], asyncInference: { maxConcurrentInvocationsPerInstance: 1001 } }), 'asyncInference.maxConcurrentInvocationsPerInstance: is out of range; received 1001', AwsErrorCodes.ASYNC_INFERENCE],
    ['canary > 50 %', (m) => ({ variants: [{ model: m }], deployment: DeploymentStrategy.blueGreen({ trafficShift: TrafficShift.canary(CapacitySize.percent(60)) }) }), 'deployment.trafficShift.canarySize: a canary may take at most half the capacity; received "60 %"; allowed: at most 50 % of the variant capacity', AwsErrorCodes.DEPLOYMENT],
    ['canary instances > half', (m) => ({ variants: [{ model: m, initialInstanceCount: 2 }], deployment: DeploymentStrategy.blueGreen({ trafficShift: TrafficShift.canary(CapacitySize.instances(2)) }) }), 'deployment.trafficShift.canarySize: a canary may take at most half the capacity; received "2 of 2 instances (100 %)"', AwsErrorCodes.DEPLOYMENT],
    ['linear < 10 %', (m) => ({ variants: [{ model: m }], deployment: DeploymentStrategy.blueGreen({ trafficShift: TrafficShift.linear(CapacitySize.percent(5)) }) }), 'deployment.trafficShift.linearStepSize: linear steps must be 10–50 % of the capacity; received "5 %"', AwsErrorCodes.DEPLOYMENT],
    ['linear > 50 %', (m) => ({ variants: [{ model: m }], deployment: DeploymentStrategy.blueGreen({ trafficShift: TrafficShift.linear(CapacitySize.percent(60)) }) }), 'linear steps must be 10–50 % of the capacity; received "60 %"', AwsErrorCodes.DEPLOYMENT],
    ['wait > 1 h', (m) => ({ variants: [{ model: m }], deployment: DeploymentStrategy.blueGreen({ trafficShift: TrafficShift.allAtOnce(Duration.hours(2)) }) }), 'deployment.trafficShift.waitInterval: is out of range; received "7200 s"; allowed: 0–3600 s', AwsErrorCodes.DEPLOYMENT],
    ['max execution < waits', (m) => ({ variants: [{ model: m }], deployment: DeploymentStrategy.blueGreen({ trafficShift: TrafficShift.allAtOnce(Duration.minutes(50)), terminationWait: Duration.minutes(30), maximumExecutionTimeout: Duration.minutes(60) }) }), 'deployment.maximumExecutionTimeout: must exceed the sum of the wait intervals and the termination wait; received "3600 s"; allowed: more than 4800 s', AwsErrorCodes.DEPLOYMENT],
    ['max execution < 600 s', (m) => ({ variants: [{ model: m }], deployment: DeploymentStrategy.blueGreen({ maximumExecutionTimeout: Duration.minutes(5) }) }), 'deployment.maximumExecutionTimeout: is out of range; received "300 s"; allowed: 600–28800 s', AwsErrorCodes.DEPLOYMENT],
    ['rolling on serverless', (m) => ({ serverlessVariant: { model: m }, deployment: DeploymentStrategy.rolling({ maximumBatchSize: CapacitySize.percent(20) }) }), 'deployment: rolling updates are not supported for serverless endpoints', AwsErrorCodes.DEPLOYMENT],
    ['rolling multi-variant', (m) => ({ variants: [{ model: m, variantName: 'A' }, { model: m, variantName: 'B' }], deployment: DeploymentStrategy.rolling({ maximumBatchSize: CapacitySize.percent(20) }) }), 'deployment: rolling updates are not supported for multi-variant endpoints; received "2 variants"', AwsErrorCodes.DEPLOYMENT],
    ['rolling batch %', (m) => ({ variants: [{ model: m }], deployment: DeploymentStrategy.rolling({ maximumBatchSize: CapacitySize.percent(60) }) }), 'deployment.maximumBatchSize: is out of range; received "60 %"; allowed: 5–50 % of capacity', AwsErrorCodes.DEPLOYMENT],
    ['serverless canary by instances', (m) => ({ serverlessVariant: { model: m }, deployment: DeploymentStrategy.blueGreen({ trafficShift: TrafficShift.canary(CapacitySize.instances(1)) }) }), 'deployment.trafficShift.canarySize: serverless endpoints have no instances', AwsErrorCodes.DEPLOYMENT],
    ['Inf1 canary', (m) => ({ variants: [{ model: m, instanceType: InstanceType.INF1_XLARGE }], deployment: DeploymentStrategy.blueGreen({ trafficShift: TrafficShift.canary(CapacitySize.percent(10)) }) }), 'deployment.trafficShift: Inf1 endpoints fall back to all-at-once without baking; received "CANARY"', AwsErrorCodes.DEPLOYMENT],
    ['endpoint name', (m) => ({ endpointName: 'bad name', variants: [{ model: m }] }), 'endpointName: is not a valid SageMaker name; received "bad name"', AwsErrorCodes.NAME],
    ['guardrail rate', (m) => ({ variants: [{ model: m }], guardrailAlarms: { maxErrorRatePercent: 150 } }), 'guardrailAlarms.maxErrorRatePercent: is out of range; received 150', AwsErrorCodes.GUARDRAIL_ALARMS],
    ['managed scaling on a model variant', (m) => ({ variants: [{ model: m, managedInstanceScaling: { maxInstanceCount: 2 } }] }), 'variants[0].managedInstanceScaling: only variants hosting inference components use managed instance scaling', AwsErrorCodes.MANAGED_INSTANCE_SCALING],
    ['mixed component and model variants', (m) => ({ variants: [{ model: m, variantName: 'A' }, { variantName: 'B' }] }), 'variants: variants hosting inference components (no model) cannot be mixed with model variants', AwsErrorCodes.VARIANT_LAYOUT],
  ];
  test.each(cases)('%s fails at synth naming field, value and allowed values', (_name, props, expected, code) => {
    const { stack, model } = setup();
    const message = errorOf(() => new Endpoint(stack, 'Endpoint', props(model)));
    expect(message).toContain(expected);
    expect(message).toContain(`Test/Endpoint is invalid (${code})`);
    expect(codeOf(() => new Endpoint(stack, 'Again', props(model)))).toBe(code);
  });

  test('no variant fails at synth (variants may still be added after construction)', () => {
    const { app, stack } = newStack();
    const endpoint = new Endpoint(stack, 'Endpoint');
    expect(() => app.synth()).toThrow(/EndpointConfig at Test\/Endpoint is invalid \(SS_ERR_AWS_ENDPOINT_NO_VARIANT\)\n {2}- variants: an endpoint needs a variant/);
    const { stack: ok } = newStack();
    const later = new Endpoint(ok, 'Endpoint');
    later.addInstanceVariant({ model: new Model(ok, 'Model', { modelData: ModelData.fromAsset(FIXTURE_PACKAGE) }) });
    template(ok).resourceCountIs('AWS::SageMaker::Endpoint', 1);
    expect(endpoint.variants).toHaveLength(0);
  });

  test('serverless exclusions on the model: VPC, network isolation', () => {
    const { stack } = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'p', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const model = new Model(stack, 'M', { modelData: ModelData.fromAsset(FIXTURE_PACKAGE), vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }, networkIsolation: true });
    const message = errorOf(() => new Endpoint(stack, 'Endpoint', { serverlessVariant: { model } }));
    expect(message).toContain('serverlessVariant.model: serverless endpoints cannot attach to a VPC');
    expect(message).toContain('serverlessVariant.model: serverless endpoints do not support network isolation');
  });

  test('errors are collected: several problems in one throw', () => {
    const { stack, model } = setup();
    const message = errorOf(() => new Endpoint(stack, 'Endpoint', { variants: [{ model, initialInstanceCount: 0, volumeSize: Size.gibibytes(1000) }], dataCapture: { samplingPercentage: -1 } }));
    expect(message.split('\n').filter((l) => l.startsWith('  - '))).toHaveLength(3);
  });
});
