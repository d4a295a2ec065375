/**
 * EndpointConfig: the config's own parts (serverless, async output, data capture, the volume key
 * and NVMe types) — through an Endpoint, which creates its config, and on its own.
 */
import { Size } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  AwsErrorCodes, Endpoint, EndpointConfig, InstanceType, Model, ModelData,
} from '../../../constructs/aws';
import { errorOf as caught } from '../../support/errors';
import { FIXTURE_PACKAGE, newStack, onlyResource, statements, template } from './helpers';
import { withModel } from './model-fixture';

const setup = withModel;
const errorOf = (fn: () => unknown): string => caught(fn).message;
const codeOf = (fn: () => unknown): string => caught(fn).code;

describe('EndpointConfig: kinds, output, capture and keys', () => {
  test('serverless: memory, concurrency, no KMS key on the config (acknowledged for the compliance packs)', () => {
    const { stack, model } = setup();
    new Endpoint(stack, 'Endpoint', { serverlessVariant: { model, memorySize: Size.mebibytes(3072), maxConcurrency: 50, provisionedConcurrency: 5 } });
    const t = template(stack);
    const config = onlyResource(t, 'AWS::SageMaker::EndpointConfig');
    expect(config.Properties).toMatchObject({ ProductionVariants: [{ VariantName: 'AllTraffic', ServerlessConfig: { MemorySizeInMB: 3072, MaxConcurrency: 50, ProvisionedConcurrency: 5 } }] });
    expect(config.Properties.KmsKeyId).toBeUndefined();
  });

  test('async: encrypted output bucket with access logs, SNS topics, concurrency, role may publish and write', () => {
    const { stack, model } = setup();
    const ok = new sns.Topic(stack, 'Ok');
    const failed = new sns.Topic(stack, 'Failed');
    const endpoint = new Endpoint(stack, 'Endpoint', { variants: [{ model }], asyncInference: { successTopic: ok, errorTopic: failed, maxConcurrentInvocationsPerInstance: 4 } });
    const t = template(stack);
    t.hasResourceProperties('AWS::SageMaker::EndpointConfig', {
      AsyncInferenceConfig: {
        ClientConfig: { MaxConcurrentInvocationsPerInstance: 4 },
        OutputConfig: { S3OutputPath: Match.anyValue(), S3FailurePath: Match.anyValue(), KmsKeyId: Match.anyValue(), NotificationConfig: { SuccessTopic: { Ref: Match.stringLikeRegexp('^Ok') }, ErrorTopic: { Ref: Match.stringLikeRegexp('^Failed') } } },
      },
    });
    expect(endpoint.isAsync).toBe(true);
    t.hasResourceProperties('AWS::S3::Bucket', { LoggingConfiguration: Match.objectLike({ DestinationBucketName: Match.anyValue() }), BucketEncryption: Match.objectLike({ ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() } })] }) });
    t.hasResourceProperties('AWS::S3::BucketPolicy', { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) } });
    expect(statements(t).some((s) => s.Action === 'sns:Publish')).toBe(true);
    expect(statements(t).some((s) => JSON.stringify(s.Action).includes('s3:PutObject') && JSON.stringify(s.Resource).includes('async-output/*'))).toBe(true);
  });

  test('data capture: sampling, both directions, JSON content types, prefix grant', () => {
    const { stack, model } = setup();
    new Endpoint(stack, 'Endpoint', { variants: [{ model }], dataCapture: { samplingPercentage: 37, captureOutput: false } });
    const t = template(stack);
    t.hasResourceProperties('AWS::SageMaker::EndpointConfig', {
      DataCaptureConfig: { EnableCapture: true, InitialSamplingPercentage: 37, CaptureOptions: [{ CaptureMode: 'Input' }], DestinationS3Uri: Match.anyValue(), KmsKeyId: Match.anyValue(), CaptureContentTypeHeader: { JsonContentTypes: ['application/json'] } },
    });
  });

  test('NVMe instance types: no KmsKeyId, acknowledged with a reason; an explicit key is an error', () => {
    const { stack } = setup();
    // A model declared for GPUs (CUDA runtime image): g5 carries NVMe storage and GPUs.
    const model = new Model(stack, 'GpuModel', { modelData: ModelData.fromAsset(FIXTURE_PACKAGE) });
    const endpoint = new Endpoint(stack, 'Endpoint', { variants: [{ model, instanceType: InstanceType.G5_XLARGE }] });
    expect(endpoint.volumeKeyOmitted).toBe(true);
    const t = template(stack);
    const config = onlyResource(t, 'AWS::SageMaker::EndpointConfig');
    expect(config.Properties.KmsKeyId).toBeUndefined();
    const acks = endpoint.endpointConfig.resource.node.metadata.filter((m) => m.type === 'aws:cdk:acknowledged-rules' || JSON.stringify(m.data).includes('KMSKeyConfigured'));
    expect(JSON.stringify(acks)).toContain('local NVMe storage');
    const key = new kms.Key(stack, 'K');
    expect(errorOf(() => new Endpoint(stack, 'Bad', { variants: [{ model, instanceType: InstanceType.G5_XLARGE }], encryptionKey: key })))
      .toContain('encryptionKey: SageMaker rejects KmsKeyId for instance types with local NVMe storage (encrypted by the hardware); received "ml.g5.xlarge"');
  });

});

describe('EndpointConfig on its own', () => {
  test('variants added by methods, before and after the endpoint; rendered at synth; the key is created when a variant needs it', () => {
    const { stack, model } = setup();
    const config = new EndpointConfig(stack, 'Config');
    expect(config.encryptionKey).toBeUndefined(); // nothing to encrypt yet
    config.addInstanceVariant({ variantName: 'A', model });
    expect(config.encryptionKey).toBeDefined();
    const endpoint = new Endpoint(stack, 'Endpoint', { endpointConfig: config });
    // After construction, through the config: the endpoint sees it too, and so do its guardrails.
    config.addInstanceVariant({ variantName: 'B', model, initialVariantWeight: 0 });
    expect(endpoint.variants.map((v) => v.variantName)).toEqual(['A', 'B']);
    const t = template(stack);
    t.hasResourceProperties('AWS::SageMaker::EndpointConfig', {
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ConfigKey'), 'Arn'] },
      ProductionVariants: [Match.objectLike({ VariantName: 'A', InitialVariantWeight: 1 }), Match.objectLike({ VariantName: 'B', InitialVariantWeight: 0 })],
    });
    t.hasResourceProperties('AWS::SageMaker::Endpoint', { EndpointConfigName: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Config[0-9A-F]{8}$'), 'EndpointConfigName'] } });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: Match.stringLikeRegexp('-5xx-rate$'), Metrics: Match.arrayWith([Match.objectLike({ Expression: '100 * MAX([v0,v1])' })]) });
  });

  test('a variant added later is checked against those there: layout, NVMe key, names', () => {
    const { stack, model } = setup();
    const config = new EndpointConfig(stack, 'Config', { encryptionKey: new kms.Key(stack, 'K') });
    config.addInstanceVariant({ variantName: 'A', model });
    expect(codeOf(() => config.addInstanceVariant({ model }))).toBe(AwsErrorCodes.VARIANT_LAYOUT);
    expect(errorOf(() => config.addInstanceVariant({ model }))).toContain('variants[1].variantName: is required when there are several variants');
    expect(codeOf(() => config.addServerlessVariant({ model }))).toBe(AwsErrorCodes.VARIANT_LAYOUT);
    expect(codeOf(() => config.addInstanceVariant({ variantName: 'N', model, instanceType: InstanceType.G5_XLARGE }))).toBe(AwsErrorCodes.ENCRYPTION_KEY);
    expect(codeOf(() => config.addInstanceVariant({ variantName: 'A', model }))).toBe(AwsErrorCodes.VARIANT_LAYOUT);
    // Nothing that failed was added.
    expect(config.variants.map((v) => v.variantName)).toEqual(['A']);
  });

  test('an Endpoint given a finished config refuses config props (one code, every clashing prop named)', () => {
    const { stack, model } = setup();
    const config = new EndpointConfig(stack, 'Config', { variants: [{ model }] });
    const message = errorOf(() => new Endpoint(stack, 'Endpoint', { endpointConfig: config, variants: [{ model }], dataCapture: {} }));
    expect(message).toContain(`Endpoint at Test/Endpoint is invalid (${AwsErrorCodes.ENDPOINT_CONFIG})`);
    expect(message).toContain('variants, dataCapture: configure the endpoint config, which was given finished');
  });

  test('a config that never got a variant fails synth with its own code', () => {
    const { app, stack } = newStack();
    new EndpointConfig(stack, 'Config');
    expect(() => app.synth()).toThrow(new RegExp(`EndpointConfig at Test/Config is invalid \\(${AwsErrorCodes.NO_VARIANT}\\)`));
  });
});
