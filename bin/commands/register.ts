/**
 * `servingstack register <dir>`: register a model package version in an AWS model registry
 * (archive uploaded to the registry bucket, version created with the manifest's lineage),
 * separately from `cdk deploy`; `servingstack approve <arn>`: approve (or reject) a version,
 * which rolls it out (or back) on endpoints that follow the registry.
 */
import * as fs from 'node:fs';
import type { Command } from 'commander';
import { displayPath, formatBytes } from './package';

interface RegisterFlags {
  readonly group?: string;
  readonly bucket?: string;
  readonly image?: string;
  readonly status?: string;
  readonly modelName?: string;
  readonly description?: string;
  readonly region?: string;
  readonly output?: string;
  readonly json?: boolean;
}

async function clients(region: string | undefined): Promise<{ s3: import('@aws-sdk/client-s3').S3Client; sagemaker: import('@aws-sdk/client-sagemaker').SageMakerClient }> {
  const { S3Client } = await import('@aws-sdk/client-s3');
  const { SageMakerClient } = await import('@aws-sdk/client-sagemaker');
  return { s3: new S3Client({ region }), sagemaker: new SageMakerClient({ region }) };
}

export async function runRegister(dir: string, flags: RegisterFlags): Promise<void> {
  const { registerVersion } = await import('../../constructs/aws/registry/register');
  const env = process.env;
  const result = await registerVersion(await clients(flags.region), {
    packageDir: dir,
    groupName: flags.group ?? env.SERVINGSTACK_REGISTRY_GROUP ?? '',
    bucket: flags.bucket ?? env.SERVINGSTACK_REGISTRY_BUCKET ?? '',
    imageUri: flags.image ?? env.SERVINGSTACK_REGISTRY_IMAGE ?? '',
    approvalStatus: flags.status,
    expectedModelName: flags.modelName,
    description: flags.description,
  });
  if (flags.output) fs.writeFileSync(flags.output, `${JSON.stringify(result, null, 2)}\n`);
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const lines = [
    `${result.created ? 'registered' : 'already registered'} ${result.manifest.name} ${result.manifest.version} as version ${result.modelPackageVersion ?? '?'} (${result.approvalStatus})`,
    `  package  ${result.modelPackageArn}`,
    `  archive  ${result.modelDataUrl}`,
    `  size     ${formatBytes(result.bytes)}`,
    `  sha256   ${result.sha256}`,
    ...(flags.output ? [`  wrote    ${displayPath(flags.output)}`] : []),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

export function registerRegisterCommands(program: Command): void {
  program
    .command('register')
    .summary('register a model package version in an AWS model registry (separately from cdk deploy)')
    .description([
      'Validate a model package (for ONNX the manifest signature against the model, SS_ERR_SIGNATURE_MISMATCH), upload its deterministic archive to the registry bucket under model-packages/<group>/<version>/<sha256>/model.tar.gz and create a SageMaker model package version with the manifest lineage as metadata.',
      'The version waits for approval (PendingManualApproval) unless --status says otherwise; approving it rolls it out on every endpoint that follows the registry. Registering the same archive again returns the existing version.',
    ].join('\n\n'))
    .argument('<dir>', 'model package directory containing servingstack.json')
    .option('--group <name>', 'model package group (env SERVINGSTACK_REGISTRY_GROUP)')
    .option('--bucket <name>', 'registry bucket (env SERVINGSTACK_REGISTRY_BUCKET)')
    .option('--image <uri>', 'serving image recorded with the version (env SERVINGSTACK_REGISTRY_IMAGE)')
    .option('--status <status>', 'initial approval status: PendingManualApproval | Approved | Rejected')
    .option('--model-name <name>', 'refuse a package whose manifest name differs')
    .option('--description <text>', 'version description (default: the manifest description)')
    .option('--region <region>', 'AWS region (default: the SDK default chain)')
    .option('-o, --output <file>', 'also write the result as JSON (a pipeline reads the version ARN from it)')
    .option('--json', 'print the result as JSON')
    .action(async (dir: string, flags: RegisterFlags) => runRegister(dir, flags));

  program
    .command('approve')
    .summary('approve (or reject) a registered model package version')
    .argument('<model-package-arn>', 'version ARN')
    .option('--reject', 'reject instead (rolls back an endpoint serving this version)')
    .option('--description <text>', 'approval description')
    .option('--region <region>', 'AWS region')
    .option('--json', 'print the result as JSON')
    .action(async (arn: string, flags: { reject?: boolean; description?: string; region?: string; json?: boolean }) => {
      const { setApprovalStatus } = await import('../../constructs/aws/registry/register');
      const status = flags.reject ? 'Rejected' : 'Approved';
      await setApprovalStatus((await clients(flags.region)).sagemaker, arn, status, flags.description);
      process.stdout.write(flags.json ? `${JSON.stringify({ modelPackageArn: arn, approvalStatus: status })}\n` : `${arn}: ${status}\n`);
    });
}
