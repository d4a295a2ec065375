/**
 * GPU instance types get the CUDA runtime image, CPU types the CPU image; every distinct
 * Dockerfile is its own image asset; a GPU type given an image without GPU support fails synth
 * unless explicitly allowed.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ContainerImage, Endpoint, InstanceType, Model, ModelData, ServingEndpoint } from '../../../constructs/aws';
import { ServingStackError } from '../../../lib/core/errors';
import { FIXTURE_PACKAGE, newStack } from './helpers';

/** Dockerfile of every image asset the stack's assembly will build (from its asset manifest). */
function dockerfiles(stack: ReturnType<typeof newStack>['stack']): string[] {
  const asm = (stack.node.root as App).synth();
  const manifest = JSON.parse(fs.readFileSync(path.join(asm.directory, `${stack.artifactId}.assets.json`), 'utf8')) as { dockerImages: Record<string, { source: { dockerFile?: string } }> };
  return Object.values(manifest.dockerImages).map((d) => d.source.dockerFile ?? 'Dockerfile').sort();
}

function modelImages(t: Template): string[] {
  return Object.values(t.findResources('AWS::SageMaker::Model')).map((m) => JSON.stringify((m as { Properties: { PrimaryContainer: { Image: unknown } } }).Properties.PrimaryContainer.Image));
}

describe('runtime image per instance type', () => {
  test('GPU instance type → CUDA image (docker/Dockerfile.cuda) with the cuda provider; CPU type → CPU image; two assets', () => {
    const { stack } = newStack();
    new ServingEndpoint(stack, 'Gpu', { modelData: ModelData.fromAsset(FIXTURE_PACKAGE), variant: { instanceType: InstanceType.G5_XLARGE }, registry: { enabled: false } });
    new ServingEndpoint(stack, 'Cpu', { modelData: ModelData.fromAsset(FIXTURE_PACKAGE), variant: { instanceType: InstanceType.C6I_LARGE }, registry: { enabled: false } });
    const t = Template.fromStack(stack);
    const gpu = Object.values(t.findResources('AWS::SageMaker::Model')).find((m) => JSON.stringify(m).includes('cuda,cpu')) as { Properties: { PrimaryContainer: { Image: unknown } } };
    const cpu = Object.values(t.findResources('AWS::SageMaker::Model')).find((m) => !JSON.stringify(m).includes('cuda,cpu')) as { Properties: { PrimaryContainer: { Image: unknown } } };
    expect(gpu).toBeDefined();
    expect(cpu).toBeDefined();
    expect(JSON.stringify(gpu.Properties.PrimaryContainer.Image)).not.toBe(JSON.stringify(cpu.Properties.PrimaryContainer.Image));
    expect(dockerfiles(stack)).toEqual(['Dockerfile', 'docker/Dockerfile.cuda']);
  });

  test('CPU types only → only the CPU image is built', () => {
    const { stack } = newStack();
    new ServingEndpoint(stack, 'Cpu', { modelData: ModelData.fromAsset(FIXTURE_PACKAGE), variant: { instanceType: InstanceType.C6I_LARGE }, registry: { enabled: false } });
    new ServingEndpoint(stack, 'Cpu2', { modelData: ModelData.fromAsset(FIXTURE_PACKAGE), variant: { instanceType: InstanceType.M5_LARGE }, registry: { enabled: false } });
    expect(new Set(modelImages(Template.fromStack(stack))).size).toBe(1);
    expect(dockerfiles(stack)).toEqual(['Dockerfile']);
  });

  test('each distinct Dockerfile is its own asset; the same one is shared', () => {
    const { stack } = newStack();
    const modelData = ModelData.fromAsset(FIXTURE_PACKAGE);
    new Model(stack, 'A', { modelData, image: ContainerImage.fromRuntimeAsset() });
    new Model(stack, 'B', { modelData, image: ContainerImage.fromRuntimeAsset({ file: 'Dockerfile' }) });
    new Model(stack, 'C', { modelData, image: ContainerImage.fromRuntimeAsset({ file: 'docker/Dockerfile.cuda' }) });
    new Model(stack, 'D', { modelData, image: ContainerImage.fromRuntimeAsset({ gpu: true }) });
    new Model(stack, 'E', { modelData, image: ContainerImage.fromRuntimeAsset({ file: 'Dockerfile', buildArgs: { RUNTIME_USER: 'root' } }) });
    const images = modelImages(Template.fromStack(stack));
    expect(images[0]).toBe(images[1]);
    expect(images[2]).toBe(images[3]);
    expect(new Set(images).size).toBe(3);
    expect(dockerfiles(stack)).toEqual(['Dockerfile', 'Dockerfile', 'docker/Dockerfile.cuda']);
  });

  test('a GPU instance type with an image without GPU support fails synth, naming the field, the image and what is allowed', () => {
    const { stack } = newStack();
    const err = ((): unknown => {
      try {
        new ServingEndpoint(stack, 'Bad', { modelData: ModelData.fromAsset(FIXTURE_PACKAGE), variant: { instanceType: InstanceType.G5_XLARGE }, model: { image: ContainerImage.fromRuntimeAsset() }, registry: { enabled: false } });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(ServingStackError.isServingStackError(err) && err.code).toBe('SS_ERR_AWS_GPU_IMAGE_UNSUPPORTED');
    expect(String((err as Error).message)).toMatch(/image: has no GPU support.*; received "the CPU runtime image \(Dockerfile\): .*"; allowed: a GPU image \(ContainerImage\.fromRuntimeAsset\(\{ gpu: true \}\)/);
    // a CPU image on a GPU type, through Model + Endpoint: given explicitly …
    const explicit = new Model(stack, 'Explicit', { modelData: ModelData.fromAsset(FIXTURE_PACKAGE), image: ContainerImage.fromRuntimeAsset() });
    expect(() => new Endpoint(stack, 'E', { variants: [{ model: explicit, instanceType: InstanceType.P3_2XLARGE }] })).toThrow(/variants\[0\]\.model: has no GPU support but serves on ml\.p3\.2xlarge/);
    // … or the default, chosen when the model was first bound to a CPU variant (the message says so)
    const cpuModel = new Model(stack, 'CpuModel', { modelData: ModelData.fromAsset(FIXTURE_PACKAGE) });
    new Endpoint(stack, 'OnCpu', { variants: [{ model: cpuModel, instanceType: InstanceType.C6I_LARGE }] });
    let message = '';
    try {
      new Endpoint(stack, 'OnGpu', { variants: [{ model: cpuModel, instanceType: InstanceType.P3_2XLARGE }] });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/variants\[0\]\.model: has no GPU support but serves on ml\.p3\.2xlarge/);
    expect(message).toContain('chosen when the model was first bound to ml.c6i.large: bind GPU variants first, or give the image');
  });

  test('a model without an image learns its instance type when bound: the CUDA image on GPUs (first binding decides)', () => {
    const { stack } = newStack();
    const model = new Model(stack, 'Auto', { modelData: ModelData.fromAsset(FIXTURE_PACKAGE) });
    expect(model.image).toBeUndefined();
    // GPU variants bind first, so a model shared with a CPU variant gets the CUDA image, which runs on both.
    new Endpoint(stack, 'E', { variants: [{ model, variantName: 'Cpu', instanceType: InstanceType.C6I_LARGE }, { model, variantName: 'Gpu', instanceType: InstanceType.P3_2XLARGE }] });
    expect(model.image?.gpuSupport).toBe(true);
    expect(model.gpu).toBe(true);
  });

  test('explicitly allowed, or an image whose GPU support is unknown or declared, synthesizes', () => {
    const { stack } = newStack();
    new ServingEndpoint(stack, 'Allowed', { modelData: ModelData.fromAsset(FIXTURE_PACKAGE), variant: { instanceType: InstanceType.G5_XLARGE }, model: { image: ContainerImage.fromRuntimeAsset(), allowCpuImageOnGpu: true }, registry: { enabled: false } });
    new ServingEndpoint(stack, 'Triton', { modelData: ModelData.fromAsset(FIXTURE_PACKAGE), variant: { instanceType: InstanceType.G5_XLARGE }, model: { image: ContainerImage.fromImageUri('123456789012.dkr.ecr.us-east-1.amazonaws.com/triton:24.01') }, registry: { enabled: false } });
    new ServingEndpoint(stack, 'Declared', { modelData: ModelData.fromAsset(FIXTURE_PACKAGE), variant: { instanceType: InstanceType.G5_XLARGE }, model: { image: ContainerImage.fromImageUri('123456789012.dkr.ecr.us-east-1.amazonaws.com/rt:cuda', { gpuSupport: true, isServingStackRuntime: true }) }, registry: { enabled: false } });
    expect(() => new ServingEndpoint(stack, 'Declared2', { modelData: ModelData.fromAsset(FIXTURE_PACKAGE), variant: { instanceType: InstanceType.G5_XLARGE }, model: { image: ContainerImage.fromImageUri('x.dkr.ecr.us-east-1.amazonaws.com/cpu:1', { gpuSupport: false }) }, registry: { enabled: false } }))
      .toThrow(/SS_ERR|GPU support/);
    expect(Template.fromStack(stack).toJSON()).toBeDefined();
  });

  test('the CUDA Dockerfile the default GPU image builds exists in the package', () => {
    expect(fs.existsSync(path.join(__dirname, '..', '..', '..', 'docker', 'Dockerfile.cuda'))).toBe(true);
  });
});
