import * as fs from 'fs';
import * as path from 'path';
import * as tar from 'tar';

/** Every file under `dir`, relative, with `/` separators, sorted (deterministic archive order). */
export function listPackageFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    const abs = path.join(dir, rel);
    for (const entry of fs.readdirSync(abs, { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile()) out.push(child);
    }
  };
  walk('');
  return out.sort();
}

/**
 * Write a deterministic `model.tar.gz` of `dir` (files at the archive root, fixed mtime,
 * portable headers, sorted entries), the layout SageMaker extracts to `/opt/ml/model`.
 */
export function writeModelArchiveSync(dir: string, file: string): void {
  tar.c({ sync: true, gzip: true, portable: true, mtime: new Date(0), cwd: dir, file, noDirRecurse: true }, listPackageFiles(dir));
}
