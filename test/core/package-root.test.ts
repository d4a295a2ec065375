/**
 * The AWS image context and the edge bundles find the servingstack package root from the build output too: inside an
 * installed package `dist/` holds tsc's copy of package.json, which is not the root.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { servingStackPackageRoot } from '../../lib/core/package-root';
const ROOT = path.resolve(__dirname, '..', '..');

test('from sources, the repository; from an installed build, the package beside node_modules, not its dist copy', () => {
  expect(servingStackPackageRoot()).toBe(ROOT);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-edge-root-'));
  try {
    const pkg = path.join(dir, 'node_modules', 'servingstack');
    const privateDir = path.join(pkg, 'dist', 'lib', 'core');
    fs.mkdirSync(privateDir, { recursive: true });
    for (const d of [pkg, path.join(pkg, 'dist')]) fs.writeFileSync(path.join(d, 'package.json'), JSON.stringify({ name: 'servingstack' }));
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'my-cdk-app' }));
    expect(servingStackPackageRoot(privateDir)).toBe(pkg);
    // A package built without the copy still resolves to itself.
    fs.rmSync(path.join(pkg, 'dist', 'package.json'));
    expect(servingStackPackageRoot(privateDir)).toBe(pkg);
    expect(() => servingStackPackageRoot(dir)).toThrow(/cannot find the servingstack package root/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
