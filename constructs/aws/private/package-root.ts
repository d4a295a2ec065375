import * as fs from 'fs';
import * as path from 'path';

let cached: string | undefined;

/**
 * The ServingStack package root (the directory holding the `package.json` named `servingstack`),
 * found by walking up from this file so it works from `constructs/aws/private` (sources) and
 * `dist/constructs/aws/private` (build output) alike. It is the Docker build context of the runtime.
 */
export function servingStackPackageRoot(start: string = __dirname): string {
  if (cached && start === __dirname) return cached;
  let dir = path.resolve(start);
  for (;;) {
    const candidate = path.join(dir, 'package.json');
    if (fs.existsSync(candidate)) {
      try {
        const pkg = JSON.parse(fs.readFileSync(candidate, 'utf8')) as { name?: string };
        if (pkg.name === 'servingstack') {
          if (start === __dirname) cached = dir;
          return dir;
        }
      } catch {
        // unreadable package.json: keep walking
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the servingstack package root above ${start}`);
    dir = parent;
  }
}
