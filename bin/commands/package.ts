/**
 * `servingstack package <dir>`: validate a model package directory and write its deterministic
 * `.tar.gz` archive (the form SageMaker's ModelDataUrl and the other targets consume).
 */
import * as path from 'node:path';
import type { Command } from 'commander';
import { createModelArchive, loadModelPackage } from '../../lib/core/model-package';
import { printResult } from '../progress';

/** `1.4 KiB (1432 bytes)`. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[unit]} (${bytes} bytes)`;
}

/** A path relative to the working directory when it lies below it, else absolute. */
export function displayPath(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : p;
}

interface PackageOptions {
  readonly output?: string;
  readonly json?: boolean;
}

export async function runPackage(dir: string, options: PackageOptions): Promise<void> {
  let output = options.output;
  if (output === undefined) {
    const { manifest } = await loadModelPackage(dir);
    output = path.resolve(dir, '..', `${manifest.name}-${manifest.version}.tar.gz`);
  }
  const archive = await createModelArchive(dir, output);
  printResult(options.json, { file: archive.file, bytes: archive.bytes, sha256: archive.sha256, entries: archive.entries }, () =>
    [
      `wrote ${displayPath(archive.file)}`,
      `  size     ${formatBytes(archive.bytes)}`,
      `  sha256   ${archive.sha256}`,
      `  entries  ${archive.entries.length}`,
      ...archive.entries.map((e) => `    ${e}`),
    ].join('\n'),
  );
}

export function registerPackageCommand(program: Command): void {
  program
    .command('package')
    .summary('validate a model package directory and write its .tar.gz archive')
    .description(
      [
        'Validate a model package directory (servingstack.json, the model file, the optional baseline) and write it as a gzip tar archive with every entry at the archive root, ready for SageMaker ModelDataUrl, Vertex AI artifactUri, a Kubernetes init container or an Azure model mount.',
        'For ONNX packages the manifest signature is first checked against the model: names, datatypes, ranks and fixed dimensions must agree, otherwise nothing is written (error SS_ERR_SIGNATURE_MISMATCH).',
        'The archive is deterministic (sorted entries, fixed mtime, uid/gid 0): the same directory always gives the same bytes and sha256. Dotfiles are left out.',
      ].join('\n\n'),
    )
    .argument('<dir>', 'model package directory containing servingstack.json')
    .option('-o, --output <file>', 'archive to write (default: <dir>/../<name>-<version>.tar.gz)')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      ['', 'Examples:', '  $ servingstack package examples/models/breast-cancer', '  $ servingstack package ./my-model -o dist/my-model.tar.gz'].join('\n'),
    )
    .action(async (dir: string, options: PackageOptions) => runPackage(dir, options));
}
