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
 * The ServingStack package root: the directory holding the `package.json` named `servingstack`
 * together with the runtime's `Dockerfile` and `lib/` sources (the Docker build context of the
 * runtime image). Found by walking up from this file, so it works from `constructs/aws/private`
 * (sources) and from `dist/constructs/aws/private` (the build output, also inside an installed
 * package). `tsc` copies `package.json` into `dist/` (the runtime imports its version), so the
 * first `package.json` named `servingstack` above the build output is that copy: a match whose
 * directory has no `Dockerfile` is skipped and the walk goes on.
 */
export function servingStackPackageRoot(start: string = __dirname): string {
  if (cached && start === __dirname) return cached;
  let dir = path.resolve(start);
  for (;;) {
    if (isServingStackManifest(dir) && fs.existsSync(path.join(dir, 'Dockerfile'))) {
      if (start === __dirname) cached = dir;
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the servingstack package root (package.json named servingstack beside a Dockerfile) above ${start}`);
    dir = parent;
  }
}
