/**
 * The model package as the rollout uploads it: validated (manifest, ONNX signature: lib/core's
 * package check) and archived before any API call, identified by its manifest version and archive
 * SHA-256 (the model version's labels, so a re-run with the same package reuses the version).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { ServingStackError } from '../../../lib/core/errors';
import { ModelManifest } from '../../../lib/core/manifest';
import { createModelArchive, openModelSource } from '../../../lib/core/model-package';
import { GCP_ERRORS } from '../private/errors';

/** Model version label holding the package's manifest version. */
export const VERSION_LABEL = 'servingstack-version';
/** Model version label holding the first 32 hex digits of the archive's SHA-256. */
export const SHA_LABEL = 'servingstack-sha256';

export interface PreparedPackage {
  readonly manifest: ModelManifest;
  /** The `.tar.gz` to upload. */
  readonly archive: string;
  readonly sha256: string;
  /** Remove the temporary archive (if one was made). */
  cleanup(): Promise<void>;
}

/** A label value: lower-case letters, digits, `_` and `-`, at most 63 characters. */
export function labelValue(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9_-]/g, '_').slice(0, 63);
}

async function sha256Of(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Validate a package directory or archive and produce the archive to upload; no API call. */
export async function preparePackage(packagePath: string): Promise<PreparedPackage> {
  const source = await openModelSource(packagePath);
  try {
    if (!source.pkg || !source.manifest) {
      throw new ServingStackError(GCP_ERRORS.ROLLOUT_INPUT, `${packagePath} is not a model package`, [
        { field: 'package', message: 'is a bare model file without servingstack.json', received: packagePath, allowed: 'a package directory or a .tar.gz made by `servingstack package`' },
      ]);
    }
    if (source.kind === 'archive') {
      return { manifest: source.manifest, archive: path.resolve(packagePath), sha256: await sha256Of(packagePath), cleanup: () => source.cleanup() };
    }
    const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'servingstack-gcp-'));
    const archive = await createModelArchive(source.pkg.dir, path.join(tmp, 'model.tar.gz'));
    return { manifest: source.manifest, archive: archive.file, sha256: archive.sha256, cleanup: () => fs.rm(tmp, { recursive: true, force: true }) };
  } catch (e) {
    await source.cleanup();
    throw e;
  }
}
