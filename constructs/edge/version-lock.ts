/**
 * Immutable component versions. Greengrass never changes a published component version, and
 * devices cache artifacts by version: a version whose artifacts change must not be published
 * again. Synth has no memory of earlier deployments, so the fingerprint of every version's
 * content (the rendered recipe with artifact content hashes in place of S3 locations) is kept in
 * a lock file committed with the CDK app. Synthesizing a known version with other content fails
 * (SS_ERR_EDGE_VERSION_IMMUTABLE) and names the version to bump; a new version is recorded.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EDGE_ERRORS, EdgeChecker } from './private/errors';

export const DEFAULT_VERSION_LOCK_FILE = 'servingstack-edge.lock.json';

interface LockFile {
  readonly lockfileVersion: 1;
  /** Component name → version → sha256 of its content. */
  readonly components: Record<string, Record<string, string>>;
}

function read(file: string): LockFile {
  if (!fs.existsSync(file)) return { lockfileVersion: 1, components: {} };
  const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<LockFile>;
  return { lockfileVersion: 1, components: raw.components ?? {} };
}

/** The next patch version, for the error message. */
export function nextPatch(version: string, taken: readonly string[]): string {
  const [major, minor, patch] = version.split('.').map(Number) as [number, number, number];
  let next = patch + 1;
  while (taken.includes(`${major}.${minor}.${next}`)) next++;
  return `${major}.${minor}.${next}`;
}

/**
 * Check `name@version` against the lock file and record it when new. Returns true when the
 * version is accepted; adds an issue to `checker` otherwise.
 */
export function checkVersionLock(file: string, name: string, version: string, fingerprint: string, checker: EdgeChecker): boolean {
  const lock = read(file);
  const versions = lock.components[name] ?? {};
  const known = versions[version];
  if (known === fingerprint) return true;
  if (known !== undefined) {
    checker.add(EDGE_ERRORS.VERSION, {
      field: 'componentVersion',
      message: `${name} ${version} was synthesized before with other content (model, runtime, recipe or configuration: fingerprint ${known.slice(0, 12)} → ${fingerprint.slice(0, 12)}, recorded in ${path.basename(file)}); Greengrass component versions are immutable and devices cache them by version`,
      received: version,
      allowed: `a version not yet used, e.g. ${nextPatch(version, Object.keys(versions))}`,
    });
    return false;
  }
  const next: LockFile = {
    lockfileVersion: 1,
    components: { ...lock.components, [name]: Object.fromEntries(Object.entries({ ...versions, [version]: fingerprint }).sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))) },
  };
  const sorted = { lockfileVersion: 1, components: Object.fromEntries(Object.entries(next.components).sort(([a], [b]) => a.localeCompare(b))) };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(sorted, null, 2)}\n`);
  fs.renameSync(tmp, file);
  return true;
}
