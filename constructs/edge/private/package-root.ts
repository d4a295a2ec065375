import * as fs from 'fs';
import * as path from 'path';

let cached: string | undefined;

/**
 * The ServingStack package root (the directory holding the `package.json` named `servingstack`),
 * found by walking up from this file, so it works from `constructs/edge/private` (sources) and
 * `dist/constructs/edge/private` (build output) alike. The idea of the AWS target's helper of the
 * same name, copied rather than imported: targets never import each other.
 */
export function servingStackPackageRoot(): string {
  if (cached) return cached;
  let dir = path.resolve(__dirname);
  for (;;) {
    const candidate = path.join(dir, 'package.json');
    if (fs.existsSync(candidate)) {
      try {
        if ((JSON.parse(fs.readFileSync(candidate, 'utf8')) as { name?: string }).name === 'servingstack') return (cached = dir);
      } catch {
        // unreadable package.json: keep walking
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the servingstack package root above ${__dirname}`);
    dir = parent;
  }
}
