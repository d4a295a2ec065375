import * as fs from 'fs';
import * as path from 'path';

let cached: string | undefined;

function isServingStackManifest(dir: string): boolean {
  const candidate = path.join(dir, 'package.json');
  if (!fs.existsSync(candidate)) return false;
  try {
    return (JSON.parse(fs.readFileSync(candidate, 'utf8')) as { name?: string }).name === 'servingstack';
  } catch {
    return false; // unreadable package.json: not ours
  }
}

/**
 * The ServingStack package root: the directory holding the `package.json` named `servingstack`,
 * with the runtime's `Dockerfile` and `lib/` sources (the AWS image's build context, the edge
 * bundles' sources). Found by walking up from this file, so it works from `lib/core` (sources) and
 * `dist/lib/core` (build output, also inside an installed package). `tsc` copies `package.json`
 * into `dist/` (the runtime imports its version): a `dist` directory whose parent is the
 * servingstack package is that copy, and the walk goes on to the parent. One helper for every
 * target that ships files of the package (targets never import each other).
 */
export function servingStackPackageRoot(start: string = __dirname): string {
  if (cached && start === __dirname) return cached;
  let dir = path.resolve(start);
  for (;;) {
    const parent = path.dirname(dir);
    const buildCopy = path.basename(dir) === 'dist' && isServingStackManifest(parent);
    if (isServingStackManifest(dir) && !buildCopy) {
      if (start === __dirname) cached = dir;
      return dir;
    }
    if (parent === dir) throw new Error(`cannot find the servingstack package root above ${start}`);
    dir = parent;
  }
}
