/**
 * Registering a model package version, separately from `cdk deploy` (`servingstack register`,
 * a delivery pipeline's build step): validate the package as `servingstack package` does (for
 * ONNX the manifest signature against the model), upload its deterministic archive into the
 * registry bucket under `model-packages/<group>/<version>/<sha256>/model.tar.gz`, and create the
 * model package version with the manifest's lineage. Idempotent: the same archive registered
 * again returns the existing version. Approving is `approveVersion` (or the console).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateModelPackageCommand, DescribeModelPackageCommand, ListModelPackagesCommand, SageMakerClient, UpdateModelPackageCommand,
} from '@aws-sdk/client-sagemaker';
import { ServingStackError, ValidationIssue } from '../../../lib/core/errors';
import { createModelArchive, loadModelPackage } from '../../../lib/core/model-package';
import { AwsErrorCodes } from '../errors';
import { REGISTRY_KEY_PREFIX, registryKey } from './keys';
import { lineageMetadata } from './lineage';

export { REGISTRY_KEY_PREFIX, registryKey };

export const APPROVAL_STATUSES = ['PendingManualApproval', 'Approved', 'Rejected'] as const;
export type ApprovalStatusValue = (typeof APPROVAL_STATUSES)[number];

export interface RegisterOptions {
  /** Model package directory (servingstack.json + model file). */
  readonly packageDir: string;
  readonly groupName: string;
  /** The registry bucket. */
  readonly bucket: string;
  /** Serving image recorded with the version (endpoints use their own runtime image). */
  readonly imageUri: string;
  /** @default 'PendingManualApproval' */
  readonly approvalStatus?: string;
  /** Refuse a package whose manifest name differs (one group = one model). */
  readonly expectedModelName?: string;
  readonly description?: string;
}

export interface RegisteredVersion {
  readonly modelPackageArn: string;
  readonly modelPackageVersion?: number;
  readonly approvalStatus: string;
  readonly modelDataUrl: string;
  readonly sha256: string;
  readonly bytes: number;
  /** False when the same archive was already registered (nothing uploaded or created). */
  readonly created: boolean;
  readonly manifest: { readonly name: string; readonly version: string };
}

export interface RegistryClients {
  readonly s3: S3Client;
  readonly sagemaker: SageMakerClient;
}

function validateOptions(o: RegisterOptions): void {
  const issues: ValidationIssue[] = [];
  const need = (field: string, value: string | undefined, allowed: string): void => {
    if (!value) issues.push({ field, message: 'is required', received: value ?? null, allowed });
  };
  need('--group', o.groupName, 'the model package group of the registry (ModelRegistry.group.modelPackageGroupName), or SERVINGSTACK_REGISTRY_GROUP');
  need('--bucket', o.bucket, 'the registry bucket name (ModelRegistry.artifactBucket), or SERVINGSTACK_REGISTRY_BUCKET');
  need('--image', o.imageUri, 'the serving image URI recorded with the version (the serving stack\'s runtime image), or SERVINGSTACK_REGISTRY_IMAGE');
  if (o.groupName && !/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/.test(o.groupName)) {
    issues.push({ field: '--group', message: 'is not a valid SageMaker name', received: o.groupName, allowed: 'letters, digits and dashes, 1–63 characters' });
  }
  if (o.approvalStatus !== undefined && !(APPROVAL_STATUSES as readonly string[]).includes(o.approvalStatus)) {
    issues.push({ field: '--status', message: 'is not an approval status', received: o.approvalStatus, allowed: APPROVAL_STATUSES.join(' | ') });
  }
  if (issues.length > 0) throw new ServingStackError(AwsErrorCodes.REGISTER, 'cannot register the model package version', issues);
}

/** Find a version of the group whose archive is `modelDataUrl` (among the newest 20). */
async function findRegistered(sagemaker: SageMakerClient, groupName: string, modelDataUrl: string): Promise<RegisteredVersion | undefined> {
  const list = await sagemaker.send(new ListModelPackagesCommand({ ModelPackageGroupName: groupName, SortBy: 'CreationTime', SortOrder: 'Descending', MaxResults: 20 }));
  for (const summary of list.ModelPackageSummaryList ?? []) {
    if (!summary.ModelPackageArn) continue;
    const d = await sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: summary.ModelPackageArn }));
    if (d.InferenceSpecification?.Containers?.[0]?.ModelDataUrl === modelDataUrl) {
      return {
        modelPackageArn: summary.ModelPackageArn, modelPackageVersion: d.ModelPackageVersion, approvalStatus: d.ModelApprovalStatus ?? 'unknown',
        modelDataUrl, sha256: '', bytes: 0, created: false, manifest: { name: '', version: '' },
      };
    }
  }
  return undefined;
}

export async function registerVersion(clients: RegistryClients, options: RegisterOptions): Promise<RegisteredVersion> {
  validateOptions(options);
  // The checks of `servingstack package` (SS_ERR_SIGNATURE_MISMATCH when the manifest disagrees with the model).
  const pkg = await loadModelPackage(options.packageDir);
  const manifest = pkg.manifest;
  if (options.expectedModelName !== undefined && manifest.name !== options.expectedModelName) {
    throw new ServingStackError(AwsErrorCodes.REGISTER, `cannot register ${options.packageDir} in ${options.groupName}`, [
      { field: 'servingstack.json name', message: 'is not the model this registry holds', received: manifest.name, allowed: options.expectedModelName },
    ]);
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'servingstack-register-'));
  try {
    const archive = await createModelArchive(options.packageDir, path.join(tmp, 'model.tar.gz'));
    const key = registryKey(options.groupName, manifest, archive.sha256);
    const modelDataUrl = `s3://${options.bucket}/${key}`;
    const existing = await findRegistered(clients.sagemaker, options.groupName, modelDataUrl);
    const ident = { name: manifest.name, version: manifest.version };
    if (existing) return { ...existing, sha256: archive.sha256, bytes: archive.bytes, manifest: ident };
    if (!(await objectExists(clients.s3, options.bucket, key))) {
      await clients.s3.send(new PutObjectCommand({
        Bucket: options.bucket,
        Key: key,
        Body: fs.createReadStream(archive.file),
        ContentLength: archive.bytes,
        ContentType: 'application/gzip',
        Metadata: { 'servingstack-name': manifest.name, 'servingstack-version': manifest.version, 'servingstack-sha256': archive.sha256 },
      }));
    }
    const status = options.approvalStatus ?? 'PendingManualApproval';
    const lineage = manifest.lineage;
    const created = await clients.sagemaker.send(new CreateModelPackageCommand({
      ModelPackageGroupName: options.groupName,
      ModelPackageDescription: (options.description ?? manifest.description)?.slice(0, 1024),
      ModelApprovalStatus: status as ApprovalStatusValue,
      InferenceSpecification: {
        Containers: [{ Image: options.imageUri, ModelDataUrl: modelDataUrl }],
        SupportedContentTypes: ['application/json', 'text/csv', 'application/jsonlines'],
        SupportedResponseMIMETypes: ['application/json'],
      },
      CustomerMetadataProperties: { ...lineageMetadata(manifest), 'servingstack:sha256': archive.sha256 },
      MetadataProperties: lineage?.codeCommit || lineage?.codeRepository ? { CommitId: lineage.codeCommit, Repository: lineage.codeRepository } : undefined,
    }));
    const arn = created.ModelPackageArn ?? '';
    const described = await clients.sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: arn }));
    return {
      modelPackageArn: arn, modelPackageVersion: described.ModelPackageVersion, approvalStatus: described.ModelApprovalStatus ?? status,
      modelDataUrl, sha256: archive.sha256, bytes: archive.bytes, created: true, manifest: ident,
    };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

async function objectExists(s3: S3Client, bucket: string, key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (err) {
    const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404) return false;
    throw err;
  }
}

/** Set a version's approval status (approve, or reject to roll back). */
export async function setApprovalStatus(sagemaker: SageMakerClient, modelPackageArn: string, status: string, description?: string): Promise<void> {
  if (!(APPROVAL_STATUSES as readonly string[]).includes(status)) {
    throw new ServingStackError(AwsErrorCodes.REGISTER, 'cannot change the approval status', [
      { field: '--status', message: 'is not an approval status', received: status, allowed: APPROVAL_STATUSES.join(' | ') },
    ]);
  }
  await sagemaker.send(new UpdateModelPackageCommand({ ModelPackageArn: modelPackageArn, ModelApprovalStatus: status as ApprovalStatusValue, ApprovalDescription: description }));
}
