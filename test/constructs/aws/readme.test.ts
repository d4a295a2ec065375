/**
 * The snippets of constructs/aws/README.md, compiled and synthesized (keep them in sync).
 */
import { App, Duration, Size, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  ApprovalGate, ApprovalRollout, ApprovalStatus, BatchTransform, CapacitySize, ContainerImage, DeploymentStrategy, Endpoint, InferenceComponent, InstanceType,
  LatestApprovedModelPackage, Model, ModelData, ModelDeliveryPipeline, ModelPackage, ModelPackageGroup, ModelRegistry, PipelineSource, ServingEndpoint, TrafficShift, VariantAutoScaling,
} from '../../../constructs/aws';
import { FIXTURE_PACKAGE, TF_PACKAGE, newStack, template } from './helpers';

test('README snippets synthesize', () => {
  const { stack } = newStack();
  const modelData = ModelData.fromAsset(FIXTURE_PACKAGE);
  new ServingEndpoint(stack, 'Fraud', { modelData });

  const bucket = s3.Bucket.fromBucketName(stack, 'Bucket', 'models-bucket');
  const repo = ecr.Repository.fromRepositoryName(stack, 'Repo', 'triton');
  const images = [
    ContainerImage.fromRuntimeAsset(),
    ContainerImage.fromEcrRepository(repo, '24.01-py3'),
    ContainerImage.fromImageUri('123456789012.dkr.ecr.us-east-1.amazonaws.com/tgi:2.0'),
    ContainerImage.fromFramework('tensorflow-savedmodel'),
  ];
  expect(images).toHaveLength(4);
  expect(ModelData.fromS3(bucket, 'fraud/7/model.tar.gz').isPrefix).toBe(false);
  expect(ModelData.fromS3Prefix(bucket, 'tenants/').isPrefix).toBe(true);
  expect(ModelData.fromAsset(TF_PACKAGE).manifest?.format).toBe('tensorflow-savedmodel');

  new ServingEndpoint(stack, 'Ab', {
    modelData,
    variant: { variantName: 'Control', weight: 0.8, initialInstanceCount: 2 },
    additionalVariants: [{ variantName: 'Candidate', modelData: ModelData.fromAsset(FIXTURE_PACKAGE), weight: 0.2 }],
    shadowVariant: { variantName: 'Shadow', instanceType: InstanceType.C6I_XLARGE },
    deployment: DeploymentStrategy.blueGreen({
      trafficShift: TrafficShift.canary(CapacitySize.instances(1), Duration.minutes(10)),
      terminationWait: Duration.minutes(5),
      additionalRollbackAlarmNames: ['checkout-conversion'],
    }),
    registry: { enabled: false },
  });
  new ServingEndpoint(stack, 'Sl', { modelData, serverless: { memorySize: Size.mebibytes(2048), maxConcurrency: 10, provisionedConcurrency: 2 }, registry: { enabled: false } });
  const successTopic = new sns.Topic(stack, 'Ok');
  const errorTopic = new sns.Topic(stack, 'Err');
  new ServingEndpoint(stack, 'Async', { modelData, asyncInference: { successTopic, errorTopic, maxConcurrentInvocationsPerInstance: 4 }, registry: { enabled: false } });
  new ServingEndpoint(stack, 'Captured', { modelData, dataCapture: { samplingPercentage: 10 }, registry: { enabled: false } });

  const ab = new Endpoint(stack, 'AbParts', { guardrailAlarms: { maxErrorRatePercent: 2 } });
  const control = ab.addInstanceVariant({ variantName: 'Control', model: new Model(stack, 'Fraud7', { modelData }), initialVariantWeight: 0.8 });
  const candidate = ab.addInstanceVariant({ variantName: 'Candidate', model: new Model(stack, 'Fraud8', { modelData }), initialVariantWeight: 0.2 });
  control.autoScaleInstanceCount({ maxCapacity: 4 }).scaleOnInvocations('Rps', { targetInvocationsPerInstancePerMinute: 600 });
  new cloudwatch.Alarm(stack, 'CandidateErrors', { metric: candidate.metricInvocation5xxErrors(), threshold: 0.02, evaluationPeriods: 3 });
  const abOps = new ServingEndpoint(stack, 'AbOps', { endpoint: ab, registry: { enabled: false } });
  // Control keeps the scaling given above; the ServingEndpoint scales Candidate only.
  expect(abOps.autoScaling.map((a) => a.variant.variantName)).toEqual(['Candidate']);
  expect(VariantAutoScaling.of(ab, 'Control')?.node.path).toBe('Test/AbParts/ScalingControl');

  const endpoint = new Endpoint(stack, 'Shared', {
    variants: [{ instanceType: InstanceType.G5_12XLARGE, managedInstanceScaling: { minInstanceCount: 0, maxInstanceCount: 2 } }],
  });
  const model = new Model(stack, 'A', { modelData, role: endpoint.executionRole });
  new InferenceComponent(stack, 'IcA', { endpoint, model, computeResources: { minMemory: Size.gibibytes(8), acceleratorDevices: 1 } })
    .autoScaleCopies({ minCopies: 0, maxCopies: 4, targetInvocationsPerCopy: 100 });

  const group = new ModelPackageGroup(stack, 'Registry', { crossAccountReadAccounts: ['210987654321'] });
  new ModelPackage(stack, 'V8', { group, modelData, approvalStatus: ApprovalStatus.PENDING_MANUAL_APPROVAL });
  const fraud = new Endpoint(stack, 'FraudEndpoint', { variants: [{ model: new Model(stack, 'FraudModel', { modelData }) }] });
  new ApprovalRollout(stack, 'Rollout', { endpoint: fraud, group });
  const latest = new LatestApprovedModelPackage(stack, 'Latest', { group, refreshToken: '2026-11-25' });
  new ServingEndpoint(stack, 'Prod', { modelData: ModelData.fromModelPackage(latest) });

  const t = template(stack);
  t.resourceCountIs('AWS::SageMaker::Endpoint', 9);
  // Fraud 1, Ab 2 (no shadow), Sl 1, Async 1, Captured 1, AbParts 2 (one each, none twice), IcA copies 1, Prod 1
  t.resourceCountIs('AWS::ApplicationAutoScaling::ScalableTarget', 10);
});

test('README snippets synthesize: GPUs, registry and promotion, delivery pipeline, batch transform', () => {
  const { stack } = newStack();
  const modelData = ModelData.fromAsset(FIXTURE_PACKAGE);
  new ServingEndpoint(stack, 'Gpu', { modelData, variant: { instanceType: InstanceType.G5_XLARGE } });
  const cpu = new ServingEndpoint(stack, 'Cpu', { modelData, variant: { instanceType: InstanceType.C6I_LARGE } });
  expect(ContainerImage.fromRuntimeAsset({ gpu: true })).toBeDefined();
  expect(ContainerImage.fromImageUri('123456789012.dkr.ecr.us-east-1.amazonaws.com/triton:24.01', { gpuSupport: true })).toBeDefined();

  const registry = new ModelRegistry(stack, 'Registry', { crossAccountReadAccounts: ['210987654321'] });
  new ServingEndpoint(stack, 'Fraud', {
    modelData: ModelData.fromRegistry(registry, { fallback: ModelData.fromAsset(FIXTURE_PACKAGE) }),
    registry: { registry },
  });

  const inputBucket = s3.Bucket.fromBucketName(stack, 'Input', 'scoring-input');
  new BatchTransform(stack, 'Nightly', { model: cpu.models[0], inputBucket, inputPrefix: 'daily/', schedule: events.Schedule.cron({ hour: '2', minute: '0' }) });
  template(stack).resourceCountIs('AWS::StepFunctions::StateMachine', 1);

  const app = new App();
  const p = new Stack(app, 'Pipeline', { env: { account: '123456789012', region: 'us-east-1' } });
  const connectionArn = 'arn:aws:codeconnections:us-east-1:123456789012:connection/abc';
  const [prodA, prodB] = [{ account: '210987654321', region: 'us-east-1' }, { account: '310987654321', region: 'us-east-1' }];
  const pipelineRegistry = new ModelRegistry(p, 'Registry', { modelPackageGroupName: 'fraud', artifactBucketName: 'fraud-registry-123456789012' });
  new ModelDeliveryPipeline(p, 'Delivery', {
    source: PipelineSource.connection('org/fraud-model', 'main', { connectionArn }),
    modelPackageDirectory: 'models/fraud',
    registry: pipelineRegistry,
    endpoint: { variant: { instanceType: InstanceType.C6I_LARGE } },
    integrationTest: { maxP99Latency: Duration.millis(250), holdoutFile: 'data/holdout.csv' },
    approval: ApprovalGate.manual(),
    production: [{ stageName: 'ProdA', env: prodA }, { stageName: 'ProdB', env: prodB }],
  });
  template(p).resourceCountIs('AWS::CodePipeline::Pipeline', 1);
});
