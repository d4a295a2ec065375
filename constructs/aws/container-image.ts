import { createHash } from 'crypto';
import * as path from 'path';
import { Stack, Stage } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { DockerImageAsset, Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ServingStackError } from '../../lib/core/errors';
import { ModelFormat } from '../../lib/core/manifest';
import { AwsErrorCodes } from './errors';
import { FRAMEWORKS, dlcAccount } from './private/framework-images';
import { servingStackPackageRoot } from '../../lib/core/package-root';
import { CPU_DOCKERFILE, CUDA_DOCKERFILE, RUNTIME_IMAGE_EXCLUDES, runtimeBuildContext } from './private/runtime-context';

/** The rendered image of a model container. */
export interface ContainerImageConfig {
  /** The image URI. */
  readonly imageUri: string;
  /** Whether the image is the ServingStack runtime (it reads the `SERVINGSTACK_*` environment). */
  readonly isServingStackRuntime: boolean;
  /**
   * Whether the image can use NVIDIA GPUs: true for the CUDA runtime image and GPU framework
   * images, false for the CPU runtime image and CPU framework images.
   * @default - unknown (images from ECR or a URI, unless their options say)
   */
  readonly gpuSupport?: boolean;
}

/** Options of {@link ContainerImage.fromRuntimeAsset}. */
export interface RuntimeImageAssetOptions {
  /**
   * Docker build context.
   * @default - the ServingStack package root (in an installed package: the files the Dockerfiles
   * copy, staged with the package's lockfile under the assembly's `.servingstack/` directory)
   */
  readonly directory?: string;
  /**
   * Build the CUDA image (`docker/Dockerfile.cuda`: CUDA 12, cuDNN 9, the ONNX Runtime CUDA
   * provider; linux/amd64) instead of the CPU image (`Dockerfile`).
   * @default - true when `file` is docker/Dockerfile.cuda, else false
   */
  readonly gpu?: boolean;
  /**
   * Dockerfile, relative to `directory`. Each distinct Dockerfile (with its build arguments and
   * platform) is its own image asset.
   * @default - `docker/Dockerfile.cuda` when `gpu` is true, else `Dockerfile`
   */
  readonly file?: string;
  /**
   * Target platform of the build.
   * @default Platform.LINUX_AMD64
   */
  readonly platform?: Platform;
  /**
   * Build arguments.
   * @default - none
   */
  readonly buildArgs?: Record<string, string>;
  /**
   * Paths excluded from the build context (glob patterns, on top of `.dockerignore`).
   * @default - build output, tests, examples, docs and the other parts of the repository the
   * Dockerfiles never copy
   */
  readonly exclude?: readonly string[];
}

/** Options of {@link ContainerImage.fromFramework}. */
export interface FrameworkImageOptions {
  /**
   * Framework version of the AWS Deep Learning Container.
   * @default '2.16.1' for tensorflow-savedmodel, '2.5.1' for pytorch-torchscript
   */
  readonly frameworkVersion?: string;
  /**
   * Use the GPU flavour of the image.
   * @default false
   */
  readonly gpu?: boolean;
  /**
   * Full image tag, overriding the tag derived from version and processor.
   * @default - `<version>-<cpu|gpu>` (TensorFlow), `<version>-<cpu|gpu>-py311` (PyTorch)
   */
  readonly tag?: string;
}

/** Options of {@link ContainerImage.fromImageUri}. */
export interface ImageUriOptions {
  /**
   * Whether the image is a build of the ServingStack runtime (then the `SERVINGSTACK_*`
   * environment is set on the container).
   * @default false
   */
  readonly isServingStackRuntime?: boolean;
  /**
   * Whether the image can use NVIDIA GPUs (a GPU instance type refuses an image that says false).
   * @default - unknown (not checked)
   */
  readonly gpuSupport?: boolean;
}

/**
 * The serving image of a model container: the ServingStack runtime built from the repository's
 * Dockerfile (default), an ECR image, any image URI (Triton, vLLM, a framework image) or an AWS
 * Deep Learning Container chosen per region for TensorFlow SavedModel and TorchScript packages.
 */
export abstract class ContainerImage {
  /**
   * The ServingStack runtime, built from the package's `Dockerfile` (CPU) or, with `gpu: true`,
   * `docker/Dockerfile.cuda` (CUDA 12) as a `DockerImageAsset`. Models on GPU instance types get
   * the CUDA image by default.
   */
  public static fromRuntimeAsset(options: RuntimeImageAssetOptions = {}): ContainerImage {
    return new RuntimeAssetImage(options);
  }

  /** An image in an ECR repository; the model's role gets pull access. */
  public static fromEcrRepository(repository: ecr.IRepository, tag = 'latest', options: ImageUriOptions = {}): ContainerImage {
    return new EcrImage(repository, tag, options);
  }

  /** Any image URI the execution role can already pull; the runtime environment is not set. */
  public static fromImageUri(imageUri: string, options: ImageUriOptions = {}): ContainerImage {
    return new UriImage(imageUri, options);
  }

  /** The AWS Deep Learning Container serving `format` in the stack's region. */
  public static fromFramework(format: string, options: FrameworkImageOptions = {}): ContainerImage {
    return new FrameworkImage(format, options);
  }

  /** Whether a framework image exists for a manifest format. */
  public static hasFrameworkImage(format: string): boolean {
    return FRAMEWORKS[format as ModelFormat] !== undefined;
  }

  /** Render the image for a model in `scope` and grant `grantee` pull access. */
  public abstract bind(scope: Construct, grantee?: iam.IGrantable): ContainerImageConfig;
}

class RuntimeAssetImage extends ContainerImage {
  private readonly gpu: boolean;
  private readonly file: string;

  constructor(private readonly options: RuntimeImageAssetOptions) {
    super();
    this.file = options.file ?? (options.gpu ? CUDA_DOCKERFILE : CPU_DOCKERFILE);
    this.gpu = options.gpu ?? path.normalize(this.file) === path.normalize(CUDA_DOCKERFILE);
  }

  /** One asset per distinct build (directory, Dockerfile, platform, arguments, excludes) and stack. */
  private assetId(): string {
    const o = this.options;
    const custom = o.directory !== undefined || o.platform !== undefined || o.buildArgs !== undefined || o.exclude !== undefined;
    if (!custom && this.file === CPU_DOCKERFILE) return 'ServingStackRuntimeImage';
    if (!custom && this.file === CUDA_DOCKERFILE) return 'ServingStackRuntimeImageCuda';
    const key = JSON.stringify([o.directory ?? null, this.file, o.platform?.platform ?? null, o.buildArgs ?? null, o.exclude ?? null]);
    return `ServingStackRuntimeImage${createHash('sha256').update(key).digest('hex').slice(0, 8)}`;
  }

  public bind(scope: Construct, grantee?: iam.IGrantable): ContainerImageConfig {
    const stack = Stack.of(scope);
    const id = this.assetId();
    const existing = stack.node.tryFindChild(id);
    const asset = existing instanceof DockerImageAsset ? existing : new DockerImageAsset(stack, id, {
      directory: this.options.directory ?? runtimeBuildContext(Stage.of(stack)?.assetOutdir ?? servingStackPackageRoot()),
      file: this.file,
      platform: this.options.platform ?? Platform.LINUX_AMD64,
      buildArgs: this.options.buildArgs,
      exclude: [...(this.options.exclude ?? RUNTIME_IMAGE_EXCLUDES)],
    });
    if (grantee) asset.repository.grantPull(grantee);
    return { imageUri: asset.imageUri, isServingStackRuntime: true, gpuSupport: this.gpu };
  }
}

class EcrImage extends ContainerImage {
  constructor(private readonly repository: ecr.IRepository, private readonly tag: string, private readonly options: ImageUriOptions) {
    super();
  }

  public bind(_scope: Construct, grantee?: iam.IGrantable): ContainerImageConfig {
    if (grantee) this.repository.grantPull(grantee);
    return { imageUri: this.repository.repositoryUriForTag(this.tag), isServingStackRuntime: this.options.isServingStackRuntime ?? false, gpuSupport: this.options.gpuSupport };
  }
}

class UriImage extends ContainerImage {
  constructor(private readonly uri: string, private readonly options: ImageUriOptions) {
    super();
  }

  public bind(): ContainerImageConfig {
    return { imageUri: this.uri, isServingStackRuntime: this.options.isServingStackRuntime ?? false, gpuSupport: this.options.gpuSupport };
  }
}

class FrameworkImage extends ContainerImage {
  private readonly framework: { repository: string; version: string; suffix: string };

  constructor(format: string, private readonly options: FrameworkImageOptions) {
    super();
    const framework = FRAMEWORKS[format as ModelFormat];
    if (!framework) {
      throw new ServingStackError(AwsErrorCodes.MODEL_IMAGE, 'no framework serving image for this model format', [
        { field: 'format', message: 'has no AWS Deep Learning Container', received: format, allowed: Object.keys(FRAMEWORKS).join(' | ') },
      ]);
    }
    this.framework = framework;
  }

  public bind(scope: Construct, grantee?: iam.IGrantable): ContainerImageConfig {
    const stack = Stack.of(scope);
    const account = dlcAccount(stack);
    const version = this.options.frameworkVersion ?? this.framework.version;
    const tag = this.options.tag ?? `${version}-${this.options.gpu ? 'gpu' : 'cpu'}${this.framework.suffix}`;
    const imageUri = `${account}.dkr.ecr.${stack.region}.${stack.urlSuffix}/${this.framework.repository}:${tag}`;
    if (grantee) {
      iam.Grant.addToPrincipal({
        grantee,
        actions: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
        resourceArns: [stack.formatArn({ service: 'ecr', account, resource: 'repository', resourceName: this.framework.repository })],
      });
      iam.Grant.addToPrincipal({ grantee, actions: ['ecr:GetAuthorizationToken'], resourceArns: ['*'] });
    }
    return { imageUri, isServingStackRuntime: false, gpuSupport: this.options.gpu ?? false };
  }
}
