import { Size } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsErrorCodes, ContainerImage, Endpoint, InstanceType, Model, ModelData, ModelRegistry, ServingEndpoint } from '../../../constructs/aws';
import { errorOf } from '../../support/errors';
import { FIXTURE_PACKAGE, newStack, statements, template } from './helpers';

describe('ServingEndpoint', () => {
  test('GIVEN only a package directory THEN a guarded, autoscaled, registry-fed, monitored, encrypted endpoint', () => {
    const { stack } = newStack();
    const serving = new ServingEndpoint(stack, 'Serving', { modelData: ModelData.fromAsset(FIXTURE_PACKAGE) });
    const user = new iam.Role(stack, 'Client', { assumedBy: new iam.AccountRootPrincipal() });
    serving.grantInvoke(user);
    const t = template(stack);
    t.resourceCountIs('AWS::SageMaker::Model', 1);
    t.resourceCountIs('AWS::SageMaker::Endpoint', 1);
    t.hasResourceProperties('AWS::SageMaker::EndpointConfig', { KmsKeyId: Match.anyValue(), ProductionVariants: [Match.objectLike({ InstanceType: 'ml.m5.large', RoutingConfig: { RoutingStrategy: 'LEAST_OUTSTANDING_REQUESTS' } })] });
    t.hasResourceProperties('AWS::SageMaker::Endpoint', { DeploymentConfig: Match.objectLike({ AutoRollbackConfiguration: Match.anyValue() }), RetainAllVariantProperties: true });
    t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 1, MaxCapacity: 4 });
    t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', { TargetTrackingScalingPolicyConfiguration: Match.objectLike({ TargetValue: 1000 }) });
    t.resourceCountIs('AWS::SageMaker::ModelPackageGroup', 1);
    // Deploying registers nothing: versions come from `servingstack register`.
    t.resourceCountIs('AWS::SageMaker::ModelPackage', 0);
    // The model serves what the deploy-time lookup resolves: the newest approved version, the app's archive until then.
    const lookup = Object.keys(t.findResources('Custom::ServingStackModelVersion'));
    expect(lookup).toHaveLength(1);
    t.hasResourceProperties('Custom::ServingStackModelVersion', { FallbackModelDataUrl: Match.stringLikeRegexp('^s3://cdk-.*\\.tar\\.gz$'), RequireApproved: 'true', PinnedModelPackageArn: '' });
    t.hasResourceProperties('AWS::SageMaker::Model', { PrimaryContainer: Match.objectLike({ ModelDataUrl: { 'Fn::GetAtt': [lookup[0], 'ModelDataUrl'] } }) });
    t.resourceCountIs('AWS::Events::Rule', 1);
    t.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    expect(serving.group).toBeDefined();
    expect(JSON.stringify(t.toJSON())).not.toMatch(/arn:aws:|FullAccess/);
    expect(statements(t).some((s) => JSON.stringify(s.Action).includes('sagemaker:InvokeEndpoint'))).toBe(true);
  });

  test('burstable instances with default autoscaling fail at synth; autoScaling.enabled false allows them', () => {
    const { stack } = newStack();
    expect(() => new ServingEndpoint(stack, 'Burst', { modelData: ModelData.fromAsset(FIXTURE_PACKAGE), variant: { instanceType: InstanceType.T3_MEDIUM } }))
      .toThrow(/instanceType: Application Auto Scaling rejects burstable instance types for SageMaker variants; received "ml.t3.medium"/);
    new ServingEndpoint(stack, 'Dev', { modelData: ModelData.fromAsset(FIXTURE_PACKAGE), variant: { instanceType: InstanceType.T3_MEDIUM }, autoScaling: { enabled: false }, registry: { enabled: false } });
  });

  test('serverless: provisioned concurrency scaling, 4 MiB body limit, no capture', () => {
    const { stack } = newStack();
    new ServingEndpoint(stack, 'S', { modelData: ModelData.fromAsset(FIXTURE_PACKAGE), serverless: { memorySize: Size.mebibytes(4096), maxConcurrency: 8, provisionedConcurrency: 1 } });
    const t = template(stack);
    t.hasResourceProperties('AWS::SageMaker::Model', { PrimaryContainer: Match.objectLike({ Environment: Match.objectLike({ SERVINGSTACK_BODY_LIMIT_BYTES: String(4 * 1024 * 1024) }) }) });
    t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { ScalableDimension: 'sagemaker:variant:DesiredProvisionedConcurrency', MinCapacity: 1, MaxCapacity: 8 });
    expect(() => new ServingEndpoint(stack, 'Bad', { modelData: ModelData.fromAsset(FIXTURE_PACKAGE), serverless: {}, additionalVariants: [{ variantName: 'B' }] })).toThrow(/serverless endpoints have exactly one variant/);
  });

  test('async: scale to zero on backlog; the runtime accepts 1 GiB bodies', () => {
    const { stack } = newStack();
    new ServingEndpoint(stack, 'A', { modelData: ModelData.fromAsset(FIXTURE_PACKAGE), asyncInference: {} });
    const t = template(stack);
    t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 0 });
    t.hasResourceProperties('AWS::SageMaker::Model', { PrimaryContainer: Match.objectLike({ Environment: Match.objectLike({ SERVINGSTACK_BODY_LIMIT_BYTES: String(1024 ** 3) }) }) });
  });

  test('another serving image (Triton) keeps the rest of the stack; GPU instances get cuda providers with the runtime', () => {
    const { stack } = newStack();
    new ServingEndpoint(stack, 'Triton', { modelData: ModelData.fromAsset(FIXTURE_PACKAGE), model: { image: ContainerImage.fromImageUri('123456789012.dkr.ecr.us-east-1.amazonaws.com/triton:24.01') }, variant: { instanceType: InstanceType.G5_XLARGE }, registry: { enabled: false } });
    new ServingEndpoint(stack, 'Gpu', { modelData: ModelData.fromAsset(FIXTURE_PACKAGE), variant: { instanceType: InstanceType.G5_XLARGE }, registry: { enabled: false } });
    const t = template(stack);
    const models = Object.values(t.findResources('AWS::SageMaker::Model')).map((m) => JSON.stringify(m));
    expect(models.filter((m) => m.includes('triton:24.01') && !m.includes('SERVINGSTACK_'))).toHaveLength(1);
    expect(models.filter((m) => m.includes('"SERVINGSTACK_EXECUTION_PROVIDERS":"cuda,cpu"'))).toHaveLength(1);
    // NVMe: no key on the config, the rest stays encrypted
    Object.values(t.findResources('AWS::SageMaker::EndpointConfig')).forEach((c) => expect((c as { Properties: { KmsKeyId?: unknown } }).Properties.KmsKeyId).toBeUndefined());
  });

  test('multi-model endpoint from an S3 prefix; no registry for prefixes', () => {
    const { stack } = newStack();
    const bucket = s3.Bucket.fromBucketName(stack, 'Models', 'models-bucket');
    const serving = new ServingEndpoint(stack, 'Mme', { modelData: ModelData.fromS3Prefix(bucket, 'tenants/'), model: { multiModel: true } });
    template(stack).hasResourceProperties('AWS::SageMaker::Model', { PrimaryContainer: Match.objectLike({ Mode: 'MultiModel' }) });
    expect(serving.group).toBeUndefined();
  });
});

describe('ServingEndpoint: grouped options or finished parts', () => {
  test('a finished endpoint: the ServingEndpoint adds autoscaling, monitoring and the registry rollout, and builds nothing', () => {
    const { stack } = newStack();
    const model = new Model(stack, 'Model', { modelData: ModelData.fromAsset(FIXTURE_PACKAGE) });
    const endpoint = new Endpoint(stack, 'Endpoint');
    endpoint.addInstanceVariant({ variantName: 'Blue', model, instanceType: InstanceType.C6I_LARGE, initialInstanceCount: 2 });
    const registry = new ModelRegistry(stack, 'Registry');
    const serving = new ServingEndpoint(stack, 'Ops', { endpoint, registry: { registry }, autoScaling: { maxCapacity: 6 } });
    expect(serving.endpoint).toBe(endpoint);
    expect(serving.models).toEqual([model]);
    expect(serving.rollout).toBeDefined();
    const t = template(stack);
    t.resourceCountIs('AWS::SageMaker::Model', 1);
    t.resourceCountIs('AWS::SageMaker::Endpoint', 1);
    t.resourceCountIs('AWS::SageMaker::ModelPackageGroup', 1);
    t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { ResourceId: Match.stringLikeRegexp('/variant/Blue$'), MinCapacity: 2, MaxCapacity: 6 });
    t.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  test('an imported endpoint is a finished part too', () => {
    const { stack } = newStack();
    const endpoint = Endpoint.fromEndpointAttributes(stack, 'Elsewhere', { endpointName: 'fraud', variants: [{ variantName: 'AllTraffic', instanceType: InstanceType.M5_LARGE, initialInstanceCount: 1 }] });
    const serving = new ServingEndpoint(stack, 'Ops', { endpoint });
    expect(serving.models).toEqual([]);
    expect(serving.registry).toBeUndefined();
    template(stack).hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { ResourceId: 'endpoint/fraud/variant/AllTraffic' });
  });

  test('options that shape a model or an endpoint are refused with a finished one; one of the two is required', () => {
    const { stack } = newStack();
    const endpoint = Endpoint.fromEndpointName(stack, 'E', 'fraud');
    const both = errorOf(() => new ServingEndpoint(stack, 'Both', { endpoint, modelData: ModelData.fromAsset(FIXTURE_PACKAGE), variant: { instanceType: InstanceType.C6I_LARGE }, guardrailAlarms: {} }), AwsErrorCodes.SERVING_PARTS);
    expect(both.issues[0]).toMatchObject({ field: 'modelData, variant, guardrailAlarms', allowed: 'with endpoint: autoScaling, registry, monitoring, modelQuality' });
    expect(errorOf(() => new ServingEndpoint(stack, 'Neither', {}), AwsErrorCodes.SERVING_PARTS).issues[0].field).toBe('modelData');
    expect(errorOf(() => new ServingEndpoint(stack, 'NoRegistry', { endpoint, registry: { enabled: true } }), AwsErrorCodes.SERVING_PARTS).issues[0].field).toBe('registry.registry');
  });
});
