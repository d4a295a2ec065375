import { Construct } from 'constructs';
import { ServingStackError } from '../../lib/core/errors';
import type { ModelManifest } from '../../lib/core/manifest';
import { ModelPackage, loadModelPackageSync } from '../../lib/core/model-package';
import { AzureServingStack } from './azure-serving-stack';
import type { IMlWorkspace } from './ml-workspace';
import type { ModelStore } from './model-store';
import { AzapiResource, Token } from './private/binding';
import { ASSET_NAME, ASSET_NAME_ALLOWED, AzureErrorCodes, Checker } from './private/errors';
import { listPackageFiles, packageDigest } from './rollout/package-files';

export interface ModelAssetProps {
  readonly workspace: IMlWorkspace;
  readonly store: ModelStore;
  /** A model package directory (holding `servingstack.json`), validated at synth. */
  readonly modelPackage: string;
  /**
   * Registered model name.
   * @default - the manifest's `name`
   */
  readonly modelName?: string;
  /**
   * Registered model version.
   * @default - the manifest's `version`
   */
  readonly modelVersion?: string;
  /**
   * Extra tags on the model version.
   * @default - none
   */
  readonly tags?: { readonly [key: string]: string };
  /**
   * Register the model version now. False validates the package and computes its digest only
   * (the bootstrap apply, before `servingstack azure upload` has put the files in place).
   * @default true
   */
  readonly register?: boolean;
}

/** The model version's properties: the digest the upload checks, and the manifest's lineage. */
export const PACKAGE_DIGEST_PROPERTY = 'servingstack.packageSha256';

/** Tags (searchable in the studio) and properties carrying the manifest's facts and lineage. */
export function lineageMetadata(m: ModelManifest): { tags: Record<string, string>; properties: Record<string, string> } {
  const tags: Record<string, string> = { 'servingstack.format': m.format, 'servingstack.manifestVersion': m.version };
  const properties: Record<string, string> = {};
  if (m.task) tags['servingstack.task'] = m.task;
  const l = m.lineage;
  if (l?.codeCommit) tags['lineage.codeCommit'] = l.codeCommit;
  if (l?.codeRepository) properties['lineage.codeRepository'] = l.codeRepository;
  if (l?.trainingData) {
    properties['lineage.trainingData'] = l.trainingData.uri;
    if (l.trainingData.version) tags['lineage.trainingDataVersion'] = l.trainingData.version;
  }
  if (l?.createdAt) properties['lineage.createdAt'] = l.createdAt;
  for (const [k, v] of Object.entries(l?.metrics ?? {})) properties[`metric.${k}`] = String(v);
  return { tags, properties };
}

/**
 * A registered model version (`workspaces/models/versions`, type `custom_model`) for a model
 * package validated at synth with the shared package check. Its `modelUri` is the package folder
 * in the {@link ModelStore}; Terraform cannot write blobs without the azurerm provider, so the files
 * get there with `servingstack azure upload` (before `cdktf deploy`; the upload checks the
 * package digest recorded here). Lineage travels as tags and properties.
 */
export class ModelAsset extends Construct {
  /** The model version resource (undefined when `register` is false). */
  public readonly resource?: AzapiResource;
  public readonly pkg: ModelPackage;
  public readonly modelName: string;
  public readonly modelVersion: string;
  /** ARM ID of the model version (what a deployment's `model` names). */
  public readonly modelVersionId: string;
  /** SHA-256 over the package's files (what the upload must match). */
  public readonly packageDigest: string;
  public readonly fileCount: number;

  constructor(scope: Construct, id: string, props: ModelAssetProps) {
    super(scope, id);
    const stack = AzureServingStack.of(this);
    let pkg: ModelPackage;
    try {
      pkg = loadModelPackageSync(props.modelPackage);
    } catch (e) {
      if (ServingStackError.isServingStackError(e)) throw new ServingStackError(e.code, `ModelAsset at ${this.node.path}: ${e.message.split('\n')[0]}`, e.issues);
      throw e;
    }
    const m = pkg.manifest;
    const modelName = props.modelName ?? m.name;
    const modelVersion = props.modelVersion ?? m.version;
    const c = new Checker(AzureErrorCodes.MODEL, `ModelAsset at ${this.node.path} is invalid`, (v) => Token.isUnresolved(v));
    c.pattern('modelName', modelName, ASSET_NAME, ASSET_NAME_ALLOWED);
    c.pattern('modelVersion', modelVersion, /^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$/, 'letters, digits, . _ -, at most 50 characters');
    c.throwIfAny();
    const files = listPackageFiles(pkg.dir);
    this.pkg = pkg;
    this.modelName = modelName;
    this.modelVersion = modelVersion;
    this.fileCount = files.length;
    this.packageDigest = packageDigest(files);
    const meta = lineageMetadata(m);
    this.modelVersionId = `${props.workspace.workspaceId}/models/${modelName}/versions/${modelVersion}`;
    if (props.register === false) return;
    this.resource = stack.resource(this, 'Resource', 'modelVersion', {
      name: modelVersion,
      parentId: `${props.workspace.workspaceId}/models/${modelName}`,
      body: {
        properties: {
          modelType: 'custom_model',
          modelUri: props.store.modelUri(modelName, modelVersion),
          description: m.description ?? `${m.name} ${m.version} (servingstack package)`,
          tags: { ...meta.tags, ...props.tags },
          properties: { ...meta.properties, [PACKAGE_DIGEST_PROPERTY]: this.packageDigest, 'servingstack.fileCount': String(files.length) },
          isAnonymous: false,
        },
      },
      dependsOn: [props.store.datastore],
    });
  }
}
