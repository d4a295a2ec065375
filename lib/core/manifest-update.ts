/**
 * Rewriting a package's servingstack.json in place (what `servingstack baseline` does when it
 * records a baseline): key order kept, validated before it is written, replaced atomically.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MANIFEST_FILE, validateManifest } from './manifest';

/**
 * Set `baseline` in the package's servingstack.json to `rel` (a path inside the package), keeping
 * the other keys in their order (a new key goes before `lineage`, else last), validate, and write
 * atomically (a temporary file renamed over the manifest).
 */
export function setManifestBaseline(pkgDir: string, rel: string): void {
  const file = path.join(pkgDir, MANIFEST_FILE);
  const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  let next: Record<string, unknown>;
  if ('baseline' in raw) {
    next = { ...raw, baseline: rel };
  } else {
    next = {};
    for (const [k, v] of Object.entries(raw)) {
      if (k === 'lineage') next.baseline = rel;
      next[k] = v;
    }
    if (!('baseline' in next)) next.baseline = rel;
  }
  validateManifest(next, file);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(next, null, 2)}\n`);
  fs.renameSync(tmp, file);
}
