import * as fs from 'fs';
import * as path from 'path';
import { FileAssetLocation, FileAssetPackaging, Stack, Stage, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { CfnModel } from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';
import { ServingStackError } from '../../lib/core/errors';
import { MANIFEST_FILE, ModelManifest, modelFileOf, parseManifest } from '../../lib/core/manifest';
import { archiveModelPackageSync, loadModelPackageSync, ModelPackage } from '../../lib/core/model-package';
import { readBaseline } from '../../lib/monitoring/baseline';
import { LatestApprovedModelPackage } from './latest-approved-model-package';
import type { IModelRegistry } from './model-registry';
import { AwsErrorCodes } from './errors';

/** A registered model package version a model can be created from. */
export interface IModelPackageRef {
  /** ARN of the versioned model package. */
  readonly modelPackageArn: string;
  /** Grant a principal what it needs to host this package (read its model data and image). */
  grantHost(grantee: iam.IGrantable): void;
}

/** How a model container receives its artifacts, as rendered into CloudFormation. */
export interface ModelDataConfig {
  /** `ModelDataUrl`: an S3 URI of a `.tar.gz`, or an S3 prefix for multi-model endpoints. */
  readonly modelDataUrl?: string;
  /** `ModelDataSource` for an uncompressed S3 prefix. */
  readonly modelDataSource?: CfnModel.ModelDataSourceProperty;
  /** `ModelPackageName`: the container comes from a registered model package. */
  readonly modelPackageName?: string;
}

/** Options of {@link ModelData.fromS3}. */
export interface S3ModelDataOptions {
  /**
   * Path of a local copy of the package's `servingstack.json`, read and validated at synth
   * (enables manifest-derived defaults: batching environment, framework image, registry metadata).
   * @default - no manifest
   */
  readonly manifestFile?: string;
}

/** Options of {@link ModelData.fromRegistry}. */
export interface RegistryModelDataOptions {
  /**
   * Serve this version (e.g. the build a delivery pipeline registered) instead of the newest
   * approved one; checked at deploy time (see `requireApproved`).
   * @default - the newest approved version
   */
  readonly modelPackageArn?: string;
  /**
   * Whether the pinned version must be approved (production) or may be pending (staging).
   * Rejected versions never deploy.
   * @default true
   */
  readonly requireApproved?: boolean;
  /**
   * Served while the group has no approved version yet (the app's own package, e.g.
   * `ModelData.fromAsset('models/fraud')`); its manifest gives the synth-time defaults.
   * @default - none: a deployment fails while the group has no approved version
   */
  readonly fallback?: ModelData;
  /**
   * Local copy of the model's `servingstack.json` for manifest-derived defaults when there is no fallback.
   * @default - the fallback's manifest, else none
   */
  readonly manifestFile?: string;
  /**
   * Change to force a lookup on the next deploy (lookups already run whenever the endpoint changes).
   * @default '1'
   */
  readonly refreshToken?: string;
}

/**
 * The model artifacts: a local ServingStack model package (uploaded as a `.tar.gz` asset),
 * an S3 object or prefix, or a registered model package version.
 */
export abstract class ModelData {
  /**
   * A local model package directory (`servingstack.json` + the model file). The package is
   * validated at synth as `servingstack package` validates it (for ONNX, a manifest signature
   * that disagrees with the model fails with SS_ERR_SIGNATURE_MISMATCH); the directory is
   * archived without Docker into the same deterministic `.tar.gz` that `servingstack package`
   * writes (files at the archive root, extracted by SageMaker to `/opt/ml/model`) and published
   * as a file asset whose S3 key ends in `.tar.gz`.
   */
  public static fromAsset(directory: string): ModelData {
    return new AssetModelData(directory);
  }

  /** A `.tar.gz` object in S3 (`ModelDataUrl`). */
  public static fromS3(bucket: s3.IBucket, key: string, options: S3ModelDataOptions = {}): ModelData {
    return new S3ModelData(bucket, key, false, readManifestFile(options.manifestFile));
  }

  /**
   * An S3 prefix (ends with `/`): uncompressed model files for a single-model endpoint, or the
   * models of a multi-model endpoint (`Mode: MultiModel`).
   */
  public static fromS3Prefix(bucket: s3.IBucket, prefix: string, options: S3ModelDataOptions = {}): ModelData {
    return new S3ModelData(bucket, prefix, true, readManifestFile(options.manifestFile));
  }

  /**
   * A version from a model registry, resolved at deploy time: the newest approved version (the
   * promoted path: approvals roll out through `ApprovalRollout`, and a later `cdk deploy` keeps
   * the approved version), or a pinned version. The container gets the version's archive
   * (`ModelDataUrl`) and the model's own image; the execution role may read every version's
   * archive under the registry's prefix and nothing else.
   */
  public static fromRegistry(registry: IModelRegistry, options: RegistryModelDataOptions = {}): ModelData {
    return new RegistryModelData(registry, options);
  }

  /** A registered model package version (`ContainerDefinition.ModelPackageName`). */
  public static fromModelPackage(modelPackage: IModelPackageRef): ModelData {
    return new PackageModelData(modelPackage);
  }

  /** The manifest, when known at synth. */
  public abstract readonly manifest?: ModelManifest;
  private features?: readonly string[];

  /** Feature names of the package's drift baseline, when it has one and it is known at synth. */
  public get baselineFeatures(): readonly string[] | undefined {
    return this.features;
  }

  protected setBaselineFeatures(features: readonly string[]): void {
    this.features = features;
  }
  /** True when the data is an S3 prefix (required by multi-model endpoints). */
  public abstract readonly isPrefix: boolean;
  /** True when the data comes from a registered model package (no image may be set). */
  public abstract readonly isModelPackage: boolean;

  /** Render the data for a model in `scope`, granting `grantee` read access. */
  public abstract bind(scope: Construct, grantee?: iam.IGrantable): ModelDataConfig;

  /** The S3 URI of the artifacts, for model package registration (undefined for model packages). */
  public abstract s3Uri(scope: Construct): string | undefined;
}

class AssetModelData extends ModelData {
  public readonly manifest: ModelManifest;
  public readonly isPrefix = false;
  public readonly isModelPackage = false;
  /** The package as validated at construction; staging archives it without reading it again. */
  private readonly pkg: ModelPackage;
  private readonly locations = new Map<Stack, FileAssetLocation>();

  constructor(directory: string) {
    super();
    const dir = path.resolve(directory);
    const manifestPath = path.join(dir, MANIFEST_FILE);
    if (!fs.existsSync(manifestPath)) {
      throw new ServingStackError(AwsErrorCodes.PACKAGE, `${dir} is not a ServingStack model package`, [
        { field: 'directory', message: `has no ${MANIFEST_FILE}`, received: directory, allowed: `a directory holding ${MANIFEST_FILE} and the model file` },
      ]);
    }
    const modelFile = modelFileOf(parseManifest(fs.readFileSync(manifestPath, 'utf8'), manifestPath));
    if (!fs.existsSync(path.join(dir, modelFile))) {
      throw new ServingStackError(AwsErrorCodes.PACKAGE, `${dir} is not a complete ServingStack model package`, [
        { field: 'modelFile', message: 'names a file the package does not contain', received: modelFile, allowed: 'a path inside the package directory' },
      ]);
    }
    // The checks of `servingstack package`: model and baseline kinds, links that leave the
    // package and, for ONNX, the manifest signature against the model. Their errors surface as
    // lib/core raises them (SS_ERR_PACKAGE_INVALID, SS_ERR_SIGNATURE_MISMATCH, SS_ERR_ONNX_*).
    const pkg = loadModelPackageSync(dir);
    this.pkg = pkg;
    this.manifest = pkg.manifest;
    if (pkg.baselinePath) this.setBaselineFeatures(readBaseline(pkg.baselinePath).features.map((f) => f.name));
  }

  private location(scope: Construct): FileAssetLocation {
    const stack = Stack.of(scope);
    let location = this.locations.get(stack);
    if (!location) {
      const stage = Stage.of(stack);
      if (!stage) throw new Error(`${scope.node.path}: model package assets need an App or Stage`);
      const fileName = stageModelArchive(this.pkg, stage.assetOutdir);
      const sha = fileName.slice('asset.'.length, -'.tar.gz'.length);
      // The synthesizer appends the file's last extension (".gz") to the source hash: a hash
      // ending in ".tar" makes the S3 key end in ".tar.gz", which SageMaker requires.
      location = stack.synthesizer.addFileAsset({ fileName, packaging: FileAssetPackaging.FILE, sourceHash: `${sha}.tar` });
      this.locations.set(stack, location);
    }
    return location;
  }

  public bind(scope: Construct, grantee?: iam.IGrantable): ModelDataConfig {
    const location = this.location(scope);
    if (grantee) {
      const stack = Stack.of(scope);
      const id = 'ServingStackAssetBucket';
      const bucket = (stack.node.tryFindChild(id) as s3.IBucket | undefined) ?? s3.Bucket.fromBucketName(stack, id, location.bucketName);
      // Exactly the one archive, nothing else in the bootstrap bucket.
      iam.Grant.addToPrincipal({ grantee, actions: ['s3:GetObject'], resourceArns: [bucket.arnForObjects(location.objectKey)] });
    }
    return { modelDataUrl: location.s3ObjectUrl };
  }

  public s3Uri(scope: Construct): string {
    return this.location(scope).s3ObjectUrl;
  }
}

function readManifestFile(file: string | undefined): ModelManifest | undefined {
  return file === undefined ? undefined : parseManifest(fs.readFileSync(file, 'utf8'), file);
}

const staged = new Map<string, string>();

/**
 * Write the deterministic archive of a loaded package into the cloud assembly as
 * `asset.<sha256>.tar.gz` (once per directory and output dir) and return that file name.
 */
function stageModelArchive(pkg: ModelPackage, outdir: string): string {
  const cacheKey = `${pkg.dir}\0${outdir}`;
  const hit = staged.get(cacheKey);
  if (hit && fs.existsSync(path.join(outdir, hit))) return hit;
  fs.mkdirSync(outdir, { recursive: true });
  const tmp = path.join(outdir, `.servingstack-${process.pid}-${staged.size}.tar.gz`);
  // The writer behind `servingstack package`: the asset holds the same bytes as its archive.
  const { sha256: sha } = archiveModelPackageSync(pkg, tmp);
  const fileName = `asset.${sha}.tar.gz`;
  const target = path.join(outdir, fileName);
  if (fs.existsSync(target)) fs.rmSync(tmp);
  else fs.renameSync(tmp, target);
  staged.set(cacheKey, fileName);
  return fileName;
}

class S3ModelData extends ModelData {
  public readonly isModelPackage = false;

  constructor(private readonly bucket: s3.IBucket, private readonly key: string, public readonly isPrefix: boolean, public readonly manifest?: ModelManifest) {
    super();
    if (!Token.isUnresolved(key)) {
      const ok = isPrefix ? key.endsWith('/') : key.endsWith('.tar.gz');
      if (!ok) {
        throw new ServingStackError(AwsErrorCodes.MODEL_DATA, 'model data location is invalid', [
          isPrefix
            ? { field: 'prefix', message: 'must end with /', received: key, allowed: 'an S3 key prefix ending with /' }
            : { field: 'key', message: 'SageMaker only accepts .tar.gz model data', received: key, allowed: 'a key ending with .tar.gz, or ModelData.fromS3Prefix for uncompressed files' },
        ]);
      }
    }
  }

  public bind(_scope: Construct, grantee?: iam.IGrantable): ModelDataConfig {
    if (grantee) {
      if (this.isPrefix) {
        this.bucket.grantRead(grantee, `${this.key}*`);
      } else {
        iam.Grant.addToPrincipal({ grantee, actions: ['s3:GetObject'], resourceArns: [this.bucket.arnForObjects(this.key)] });
        this.bucket.encryptionKey?.grantDecrypt(grantee);
      }
    }
    const url = this.bucket.s3UrlForObject(this.key);
    return { modelDataUrl: url };
  }

  public s3Uri(): string {
    return this.bucket.s3UrlForObject(this.key);
  }
}

class PackageModelData extends ModelData {
  public readonly isPrefix = false;
  public readonly isModelPackage = true;
  public readonly manifest?: ModelManifest;

  constructor(private readonly modelPackage: IModelPackageRef) {
    super();
    this.manifest = (modelPackage as { manifest?: ModelManifest }).manifest;
  }

  public bind(_scope: Construct, grantee?: iam.IGrantable): ModelDataConfig {
    if (grantee) this.modelPackage.grantHost(grantee);
    return { modelPackageName: this.modelPackage.modelPackageArn };
  }

  public s3Uri(): undefined {
    return undefined;
  }
}

/** Model data resolved from a registry at deploy time (one lookup per stack). */
export class RegistryModelData extends ModelData {
  public readonly isPrefix = false;
  public readonly isModelPackage = false;
  public readonly manifest?: ModelManifest;
  private readonly lookups = new Map<Stack, LatestApprovedModelPackage>();

  constructor(public readonly registry: IModelRegistry, private readonly options: RegistryModelDataOptions) {
    super();
    const fallback = options.fallback;
    if (fallback && (fallback.isPrefix || fallback.isModelPackage)) {
      throw new ServingStackError(AwsErrorCodes.MODEL_DATA, 'registry fallback must be a .tar.gz archive', [
        { field: 'fallback', message: 'cannot be an S3 prefix or a model package', received: fallback.isPrefix ? 'an S3 prefix' : 'a model package', allowed: 'ModelData.fromAsset(dir) or ModelData.fromS3(bucket, "model.tar.gz")' },
      ]);
    }
    this.manifest = fallback?.manifest ?? readManifestFile(options.manifestFile);
    if (fallback?.baselineFeatures) this.setBaselineFeatures(fallback.baselineFeatures);
  }

  /** The deploy-time lookup of the stack of `scope` (created on first use). */
  public lookup(scope: Construct, grantee?: iam.IGrantable): LatestApprovedModelPackage {
    const stack = Stack.of(scope);
    let lookup = this.lookups.get(stack);
    if (!lookup) {
      const fallbackUrl = this.options.fallback?.bind(scope, grantee).modelDataUrl;
      lookup = new LatestApprovedModelPackage(scope, 'RegistryVersion', {
        group: this.registry.group,
        modelPackageArn: this.options.modelPackageArn,
        requireApproved: this.options.requireApproved,
        fallbackModelDataUrl: fallbackUrl,
        refreshToken: this.options.refreshToken,
      });
      this.lookups.set(stack, lookup);
    } else if (grantee) {
      this.options.fallback?.bind(scope, grantee);
    }
    return lookup;
  }

  public bind(scope: Construct, grantee?: iam.IGrantable): ModelDataConfig {
    const lookup = this.lookup(scope, grantee);
    if (grantee) this.registry.grantReadArtifacts(grantee);
    return { modelDataUrl: lookup.modelDataUrl };
  }

  public s3Uri(scope: Construct): string {
    return this.lookup(scope).modelDataUrl;
  }
}
