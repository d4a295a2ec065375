import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tar from 'tar';
import { Size, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ContainerImage, Endpoint, InstanceType, Model, ModelData, ModelPackage, ModelPackageGroup } from '../../../constructs/aws';
import { servingStackPackageRoot } from '../../../lib/core/package-root';
import { ServingStackError } from '../../../lib/core/errors';
import { createModelArchiveSync } from '../../../lib/core/model-package';
import { buildOnnxModel } from '../../../scripts/lib/onnx-builder';
import { FIXTURE_MODEL, FIXTURE_PACKAGE, TF_PACKAGE, newStack, onlyResource, statements, template } from './helpers';

/** A copy of FIXTURE_PACKAGE in a temporary directory, its manifest edited by `edit`. */
function fixtureCopy(edit: (manifest: { signature: { inputs: Array<{ shape: number[] }> } }) => void = () => undefined): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-pkg-'));
  fs.copyFileSync(path.join(FIXTURE_PACKAGE, 'model.onnx'), path.join(dir, 'model.onnx'));
  const manifest = JSON.parse(fs.readFileSync(path.join(FIXTURE_PACKAGE, 'servingstack.json'), 'utf8')) as { signature: { inputs: Array<{ shape: number[] }> } };
  edit(manifest);
  fs.writeFileSync(path.join(dir, 'servingstack.json'), JSON.stringify(manifest, null, 2));
  return dir;
}

function thrown(f: () => unknown): ServingStackError {
  try {
    f();
  } catch (e) {
    if (ServingStackError.isServingStackError(e)) return e;
    throw e;
  }
  throw new Error('expected an error, none was thrown');
}

describe('ModelData.fromAsset', () => {
  test('GIVEN a package dir WHEN bound THEN ModelDataUrl is a .tar.gz asset and the role reads exactly that object', () => {
    const { stack } = newStack();
    new Model(stack, 'Model', { modelData: ModelData.fromAsset(FIXTURE_PACKAGE) });
    const t = template(stack);
    const model = onlyResource(t, 'AWS::SageMaker::Model');
    const container = model.Properties.PrimaryContainer as { ModelDataUrl: string };
    expect(container.ModelDataUrl).toMatch(/^s3:\/\/cdk-hnb659fds-assets-123456789012-us-east-1\/[a-f0-9]{64}\.tar\.gz$/);
    const key = container.ModelDataUrl.split('/').pop();
    const get = statements(t).find((s) => s.Action === 's3:GetObject');
    expect(JSON.stringify(get?.Resource)).toContain(`/${key}`);
  });

  test('GIVEN the fixture THEN its model.onnx is the real ONNX model built from FIXTURE_MODEL', () => {
    expect(fs.readFileSync(path.join(FIXTURE_PACKAGE, 'model.onnx')).equals(Buffer.from(buildOnnxModel(FIXTURE_MODEL)))).toBe(true);
  });

  test('GIVEN the archive WHEN written twice THEN bytes are identical and files sit at the archive root', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-archive-'));
    const a = createModelArchiveSync(FIXTURE_PACKAGE, path.join(dir, 'a.tar.gz'));
    fs.utimesSync(path.join(FIXTURE_PACKAGE, 'model.onnx'), new Date(), new Date());
    const b = createModelArchiveSync(FIXTURE_PACKAGE, path.join(dir, 'b.tar.gz'));
    expect(fs.readFileSync(a.file).equals(fs.readFileSync(b.file))).toBe(true);
    const entries: string[] = [];
    tar.t({ file: a.file, sync: true, onReadEntry: (e) => entries.push(e.path) });
    expect(entries).toEqual(['model.onnx', 'servingstack.json']);
    expect(a.entries).toEqual(entries);
  });

  test('GIVEN a local package WHEN synthesized THEN the asset archive is byte-identical to createModelArchiveSync (the `servingstack package` writer)', () => {
    // GIVEN the package with a dotfile, which neither writer archives
    const pkg = fixtureCopy();
    fs.writeFileSync(path.join(pkg, '.DS_Store'), 'junk');
    const { app, stack } = newStack();
    new Model(stack, 'Model', { modelData: ModelData.fromAsset(pkg) });
    // WHEN synthesized
    const t = template(stack);
    // THEN the staged asset holds the same bytes as the CLI's archive of the directory
    const expected = createModelArchiveSync(pkg, path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ss-archive-')), 'model.tar.gz'));
    const assets = JSON.parse(fs.readFileSync(path.join(app.outdir, 'Test.assets.json'), 'utf8')) as { files: Record<string, { source: { path: string } }> };
    const archives = Object.values(assets.files).map((f) => f.source.path).filter((p) => p.endsWith('.tar.gz'));
    expect(archives).toEqual([`asset.${expected.sha256}.tar.gz`]);
    expect(fs.readFileSync(path.join(app.outdir, archives[0]!)).equals(fs.readFileSync(expected.file))).toBe(true);
    // AND the S3 key is that archive's SHA-256
    const container = onlyResource(t, 'AWS::SageMaker::Model').Properties.PrimaryContainer as { ModelDataUrl: string };
    expect(container.ModelDataUrl.endsWith(`/${expected.sha256}.tar.gz`)).toBe(true);
  });

  test('GIVEN a package whose manifest disagrees with its ONNX model THEN synth fails naming the field', () => {
    const pkg = fixtureCopy((m) => (m.signature.inputs[0]!.shape = [-1, 5]));
    const { stack } = newStack();
    const e = thrown(() => new Model(stack, 'Model', { modelData: ModelData.fromAsset(pkg) }));
    expect(e.code).toBe('SS_ERR_SIGNATURE_MISMATCH');
    expect(e.issues).toEqual([{ field: 'signature.inputs[0].shape[1]', message: 'is 5 but model.onnx fixes it to 4', received: 5, allowed: '4' }]);
    expect(e.message).toContain('signature.inputs[0].shape[1]: is 5 but model.onnx fixes it to 4');
  });

  test('GIVEN a package whose model.onnx is not ONNX THEN synth fails with SS_ERR_ONNX_INVALID', () => {
    const pkg = fixtureCopy();
    fs.writeFileSync(path.join(pkg, 'model.onnx'), 'placeholder bytes');
    expect(thrown(() => ModelData.fromAsset(pkg)).code).toBe('SS_ERR_ONNX_INVALID');
  });

  test('GIVEN a directory without servingstack.json THEN synth fails naming the directory', () => {
    expect(() => ModelData.fromAsset(os.tmpdir())).toThrow(/has no servingstack.json/);
  });

  test('GIVEN a manifest naming a missing model file THEN it fails naming modelFile', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-pkg-'));
    fs.copyFileSync(path.join(FIXTURE_PACKAGE, 'servingstack.json'), path.join(dir, 'servingstack.json'));
    expect(() => ModelData.fromAsset(dir)).toThrow(/modelFile: names a file the package does not contain; received "model.onnx"/);
  });

  test('GIVEN an invalid manifest THEN the manifest error of lib/core surfaces', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-pkg-'));
    fs.writeFileSync(path.join(dir, 'servingstack.json'), JSON.stringify({ schemaVersion: 1, name: 'Bad Name' }));
    expect(() => ModelData.fromAsset(dir)).toThrow(/not a valid ServingStack manifest/);
  });
});

describe('ModelData from S3 and model packages', () => {
  test('fromS3 requires .tar.gz', () => {
    const { stack } = newStack();
    const bucket = s3.Bucket.fromBucketName(stack, 'B', 'models');
    expect(() => ModelData.fromS3(bucket, 'model.zip')).toThrow(/key: SageMaker only accepts .tar.gz model data; received "model.zip"/);
    new Model(stack, 'M', { modelData: ModelData.fromS3(bucket, 'v1/model.tar.gz') });
    template(stack).hasResourceProperties('AWS::SageMaker::Model', { PrimaryContainer: Match.objectLike({ ModelDataUrl: 's3://models/v1/model.tar.gz' }) });
  });

  test('fromS3Prefix + multiModel renders Mode MultiModel; multiModel without a prefix fails', () => {
    const { stack } = newStack();
    const bucket = s3.Bucket.fromBucketName(stack, 'B', 'models');
    expect(() => ModelData.fromS3Prefix(bucket, 'mme')).toThrow(/prefix: must end with \//);
    new Model(stack, 'Mme', { modelData: ModelData.fromS3Prefix(bucket, 'mme/'), multiModel: true });
    template(stack).hasResourceProperties('AWS::SageMaker::Model', { PrimaryContainer: Match.objectLike({ Mode: 'MultiModel', ModelDataUrl: 's3://models/mme/' }) });
    expect(() => new Model(stack, 'Bad', { modelData: ModelData.fromS3(bucket, 'a.tar.gz'), multiModel: true })).toThrow(/modelData: a multi-model container loads its models from an S3 prefix/);
  });

  test('fromModelPackage renders ModelPackageName and no Image; an image is rejected', () => {
    const { stack } = newStack();
    const group = new ModelPackageGroup(stack, 'G');
    const pkg = new ModelPackage(stack, 'P', { group, modelData: ModelData.fromAsset(FIXTURE_PACKAGE) });
    new Model(stack, 'M', { modelData: ModelData.fromModelPackage(pkg) });
    const t = template(stack);
    t.hasResourceProperties('AWS::SageMaker::Model', { PrimaryContainer: { ModelPackageName: { 'Fn::GetAtt': [Match.stringLikeRegexp('^P'), 'ModelPackageArn'] } } });
    expect(() => new Model(stack, 'Bad', { modelData: ModelData.fromModelPackage(pkg), image: ContainerImage.fromImageUri('x') })).toThrow(/image: a model package already names its image/);
  });
});

describe('ContainerImage', () => {
  test('the runtime image is a DockerImageAsset of the package root Dockerfile (no Docker needed)', () => {
    const { app, stack } = newStack();
    new Model(stack, 'M', { modelData: ModelData.fromAsset(FIXTURE_PACKAGE) });
    template(stack);
    const assets = JSON.parse(fs.readFileSync(path.join(app.outdir, 'Test.assets.json'), 'utf8')) as { dockerImages: Record<string, { source: { directory: string; dockerFile?: string } }> };
    const images = Object.values(assets.dockerImages);
    expect(images).toHaveLength(1);
    expect(fs.existsSync(path.join(app.outdir, images[0].source.directory, 'Dockerfile'))).toBe(true);
    expect(fs.existsSync(path.join(app.outdir, images[0].source.directory, 'node_modules'))).toBe(false);
    expect(servingStackPackageRoot()).toBe(path.resolve(__dirname, '../../..'));
  });

  test('ECR images grant pull on the repository', () => {
    const { stack } = newStack();
    const repo = ecr.Repository.fromRepositoryName(stack, 'R', 'triton');
    new Model(stack, 'M', { modelData: ModelData.fromAsset(FIXTURE_PACKAGE), image: ContainerImage.fromEcrRepository(repo, '24.01') });
    const t = template(stack);
    const model = onlyResource(t, 'AWS::SageMaker::Model');
    expect(JSON.stringify(model.Properties.PrimaryContainer)).toContain('triton:24.01');
    // Triton is not the ServingStack runtime: no SERVINGSTACK_* environment.
    expect(JSON.stringify(model.Properties)).not.toContain('SERVINGSTACK_');
    expect(statements(t).some((s) => JSON.stringify(s.Action).includes('ecr:BatchGetImage') && JSON.stringify(s.Resource).includes('repository/triton'))).toBe(true);
  });

  test.each([
    ['us-east-1', '763104351884'],
    ['af-south-1', '626614931356'],
    ['eu-south-1', '692866216735'],
  ])('a tensorflow-savedmodel package gets the DLC of %s from account %s', (region, account) => {
    const { stack } = newStack('Tf', region);
    new Model(stack, 'M', { modelData: ModelData.fromAsset(TF_PACKAGE) });
    const model = onlyResource(template(stack), 'AWS::SageMaker::Model');
    expect(JSON.stringify(model.Properties.PrimaryContainer)).toContain(`${account}.dkr.ecr.${region}.`);
    expect(JSON.stringify(model.Properties.PrimaryContainer)).toContain('tensorflow-inference:2.16.1-cpu');
  });

  test('a region-agnostic stack picks the DLC account through a CfnMapping', () => {
    const stack = new Stack();
    new Model(stack, 'M', { modelData: ModelData.fromS3(s3.Bucket.fromBucketName(stack, 'B', 'models-bucket'), 'k.tar.gz'), image: ContainerImage.fromFramework('pytorch-torchscript', { gpu: true }) });
    const t = template(stack);
    expect(Object.keys(t.toJSON().Mappings ?? {})).toContain('ServingStackDlcAccounts');
    expect(JSON.stringify(onlyResource(t, 'AWS::SageMaker::Model').Properties)).toContain('pytorch-inference:2.5.1-gpu-py311');
    expect(() => ContainerImage.fromFramework('onnx')).toThrow(/format: has no AWS Deep Learning Container; received "onnx"/);
  });
});

describe('runtime environment', () => {
  test('EMF on, batching from the manifest, 6 MiB body limit by default', () => {
    const { stack } = newStack();
    new Model(stack, 'M', { modelData: ModelData.fromAsset(FIXTURE_PACKAGE) });
    template(stack).hasResourceProperties('AWS::SageMaker::Model', {
      PrimaryContainer: Match.objectLike({ Environment: { SERVINGSTACK_EMF: 'true', SERVINGSTACK_MAX_BATCH_SIZE: '16', SERVINGSTACK_MAX_QUEUE_DELAY_MICROSECONDS: '500', SERVINGSTACK_BODY_LIMIT_BYTES: String(6 * 1024 * 1024) } }),
    });
  });

  test('GPU → cuda,cpu providers; async → 1 GiB; explicit settings and environment win', () => {
    const { stack } = newStack();
    const model = new Model(stack, 'M', {
      modelData: ModelData.fromAsset(FIXTURE_PACKAGE),
      runtime: { workers: 3, logLevel: 'debug', maxBatchSize: 8 },
      environment: { SERVINGSTACK_LOG_LEVEL: 'warn', EXTRA: '1' },
    });
    // The hosting facts come from the variant the model is bound to.
    new Endpoint(stack, 'E', { variants: [{ model, instanceType: InstanceType.G5_XLARGE }], asyncInference: {} });
    expect(model.gpu).toBe(true);
    template(stack).hasResourceProperties('AWS::SageMaker::Model', {
      PrimaryContainer: Match.objectLike({ Environment: Match.objectLike({ SERVINGSTACK_EXECUTION_PROVIDERS: 'cuda,cpu', SERVINGSTACK_BODY_LIMIT_BYTES: String(1024 ** 3), SERVINGSTACK_WORKERS: '3', SERVINGSTACK_MAX_BATCH_SIZE: '8', SERVINGSTACK_LOG_LEVEL: 'warn', EXTRA: '1' }) }),
    });
  });

  test('invalid runtime settings fail together, each naming field, value and allowed range', () => {
    const { stack } = newStack();
    let message = '';
    try {
      new Model(stack, 'M', { modelData: ModelData.fromAsset(FIXTURE_PACKAGE), runtime: { workers: 0, bodyLimit: Size.mebibytes(7), logLevel: 'loud' } });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/SS_ERR|is invalid/);
    expect(message).toContain('runtime.workers: is out of range; received 0; allowed: a whole number from 1 to 256');
    expect(message).toContain('runtime.logLevel: is not a log level; received "loud"');
    // The body limit depends on the endpoint kind, which the model learns when bound to a variant.
    const model = new Model(stack, 'Big', { modelData: ModelData.fromAsset(FIXTURE_PACKAGE), runtime: { bodyLimit: Size.mebibytes(7) } });
    let bound = '';
    try {
      new Endpoint(stack, 'RealTime', { variants: [{ model }] });
    } catch (e) {
      bound = (e as Error).message;
    }
    expect(bound).toContain('Model at Test/Big is invalid (SS_ERR_AWS_RUNTIME_SETTINGS_INVALID)');
    expect(bound).toContain('runtime.bodyLimit: exceeds what SageMaker delivers to this kind of endpoint; received "7340032 bytes"; allowed: 1 KiB to 6291456 bytes (real-time)');
    // The same model may serve an asynchronous endpoint (up to 1 GiB).
    new Endpoint(stack, 'Async', { variants: [{ model }], asyncInference: {} });
  });
});

describe('execution role', () => {
  test('least privilege: no managed policies, partition-aware ARNs, the model waits for the policy', () => {
    const { stack } = newStack();
    new Model(stack, 'M', { modelData: ModelData.fromAsset(FIXTURE_PACKAGE) });
    const t = template(stack);
    t.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent(), AssumeRolePolicyDocument: Match.objectLike({ Statement: [Match.objectLike({ Principal: { Service: 'sagemaker.amazonaws.com' } })] }) });
    expect(JSON.stringify(t.toJSON())).not.toMatch(/arn:aws:/);
    expect(JSON.stringify(t.toJSON())).not.toMatch(/FullAccess/);
    const model = onlyResource(t, 'AWS::SageMaker::Model');
    expect(model.DependsOn?.some((d) => d.includes('DefaultPolicy'))).toBe(true);
    const metrics = statements(t).find((s) => s.Sid === 'EndpointMetrics');
    expect(metrics?.Condition).toEqual({ StringLike: { 'cloudwatch:namespace': ['/aws/sagemaker/*', 'ServingStack/Runtime'] } });
  });

  test('VPC: subnets and a security group, ENI permissions; vpcSubnets without vpc fails', () => {
    const { stack } = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    const m = new Model(stack, 'M', { modelData: ModelData.fromAsset(FIXTURE_PACKAGE), vpc, networkIsolation: true });
    const t = template(stack);
    t.hasResourceProperties('AWS::SageMaker::Model', { EnableNetworkIsolation: true, VpcConfig: { Subnets: Match.anyValue(), SecurityGroupIds: [Match.anyValue()] } });
    expect(m.connections).toBeDefined();
    expect(statements(t).some((s) => s.Sid === 'VpcNetworkInterfaces')).toBe(true);
    expect(() => new Model(stack, 'Bad', { modelData: ModelData.fromAsset(FIXTURE_PACKAGE), vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } })).toThrow(/vpc: vpcSubnets and securityGroups need a vpc/);
  });
});

describe('InstanceType', () => {
  test('facts: burstable, NVMe, GPUs, vCPUs, tokens', () => {
    expect(InstanceType.T3_MEDIUM.isBurstable).toBe(true);
    expect(InstanceType.of('ml.trn1.2xlarge').isBurstable).toBe(false);
    expect(InstanceType.G5_XLARGE.hasLocalNvme).toBe(true);
    expect(InstanceType.M5_LARGE.hasLocalNvme).toBe(false);
    expect(InstanceType.M5D_LARGE.hasLocalNvme).toBe(true);
    expect(InstanceType.G5_12XLARGE.gpuCount).toBe(4);
    expect(InstanceType.C6I_LARGE.gpuCount).toBe(0);
    expect(InstanceType.C6I_XLARGE.vcpuCount).toBe(4);
    expect(InstanceType.of('m5.large').isWellFormed).toBe(false);
  });
});

describe('ModelData.fromS3 with a manifest file', () => {
  test('the manifest drives the runtime environment of S3 model data', () => {
    const { stack } = newStack();
    const bucket = s3.Bucket.fromBucketName(stack, 'B', 'models-bucket');
    new Model(stack, 'M', { modelData: ModelData.fromS3(bucket, 'fixture/model.tar.gz', { manifestFile: path.join(FIXTURE_PACKAGE, 'servingstack.json') }) });
    template(stack).hasResourceProperties('AWS::SageMaker::Model', { PrimaryContainer: Match.objectLike({ Environment: Match.objectLike({ SERVINGSTACK_MAX_BATCH_SIZE: '16' }) }) });
  });
});
