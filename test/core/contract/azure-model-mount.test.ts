/**
 * The rule the Azure blueprint and the runtime share to find the package under Azure's model
 * mount, on real folders laid out as a managed online deployment mounts a folder model.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AzureModelMount } from '../../../lib/core/contract/azure-model-mount';

const PACKAGE = path.join(__dirname, '..', '..', '..', 'examples', 'models', 'breast-cancer');

/** A fake `/var/azureml-app/azureml-models` under a temp root; returns the root. */
function azureMount(layout: (mountRoot: string) => void): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'azureml-mount-'));
  layout(path.join(root, AzureModelMount.ROOT));
  return root;
}

function copyPackage(to: string): void {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.cpSync(PACKAGE, to, { recursive: true });
}

describe('AzureModelMount', () => {
  const roots: string[] = [];
  afterAll(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));
  const mount = (layout: (mountRoot: string) => void): string => {
    const r = azureMount(layout);
    roots.push(r);
    return r;
  };

  test('GIVEN the paths THEN mount and package directories follow Azure’s layout', () => {
    expect(AzureModelMount.mountDir('breast-cancer', '1.0.0')).toBe('/var/azureml-app/azureml-models/breast-cancer/1.0.0');
    expect(AzureModelMount.packageDir('breast-cancer', '1.0.0')).toBe('/var/azureml-app/azureml-models/breast-cancer/1.0.0/package');
  });

  test('GIVEN only AZUREML_MODEL_DIR (the mount) THEN the package folder one level below is found, the same one the blueprint names', () => {
    // GIVEN the blueprint's upload: the package folder `package`, mounted at <mount>/package
    const root = mount((m) => copyPackage(path.join(m, 'breast-cancer', '1.0.0', AzureModelMount.PACKAGE_FOLDER)));
    const azuremlModelDir = path.join(root, AzureModelMount.mountDir('breast-cancer', '1.0.0'));
    // WHEN
    const found = AzureModelMount.resolvePackageDir(azuremlModelDir);
    // THEN
    expect(found).toBe(path.join(root, AzureModelMount.packageDir('breast-cancer', '1.0.0')));
    expect(fs.existsSync(path.join(found, 'servingstack.json'))).toBe(true);
  });

  test('GIVEN the package directory itself (SERVINGSTACK_MODEL_DIR, or a package registered flat) THEN it is returned as is', () => {
    const root = mount((m) => copyPackage(path.join(m, 'flat', '3')));
    const dir = path.join(root, AzureModelMount.mountDir('flat', '3'));
    expect(AzureModelMount.resolvePackageDir(dir)).toBe(dir);
    const nested = mount((m) => copyPackage(path.join(m, 'm', '1', 'package')));
    const pkgDir = path.join(nested, AzureModelMount.packageDir('m', '1'));
    expect(AzureModelMount.resolvePackageDir(pkgDir)).toBe(pkgDir);
  });

  test('GIVEN a folder model of another name beside dot-folders THEN that one folder is found', () => {
    const root = mount((m) => {
      copyPackage(path.join(m, 'm', '2', 'my-model'));
      fs.mkdirSync(path.join(m, 'm', '2', '.cache'), { recursive: true });
      fs.writeFileSync(path.join(m, 'm', '2', 'README.txt'), 'x');
    });
    expect(AzureModelMount.resolvePackageDir(path.join(root, AzureModelMount.mountDir('m', '2')))).toBe(path.join(root, AzureModelMount.mountDir('m', '2'), 'my-model'));
  });

  test('GIVEN no package, two packages, or no directory THEN SS_ERR_PACKAGE_INVALID names the field, what was found and what is allowed', () => {
    const empty = mount((m) => fs.mkdirSync(path.join(m, 'm', '1', 'weights'), { recursive: true }));
    const two = mount((m) => {
      copyPackage(path.join(m, 'm', '1', 'a'));
      copyPackage(path.join(m, 'm', '1', 'b'));
    });
    const cases: [string, string, unknown][] = [
      [path.join(empty, AzureModelMount.mountDir('m', '1')), 'holds no servingstack.json, nor a folder holding one', ['weights']],
      [path.join(two, AzureModelMount.mountDir('m', '1')), 'holds several model packages', ['a', 'b']],
      [path.join(empty, 'missing'), 'is not a directory', path.join(empty, 'missing')],
    ];
    for (const [dir, message, received] of cases) {
      expect(() => AzureModelMount.resolvePackageDir(dir)).toThrow(expect.objectContaining({
        code: 'SS_ERR_PACKAGE_INVALID',
        issues: [expect.objectContaining({ field: 'AZUREML_MODEL_DIR', message, received, allowed: expect.stringContaining('exactly one folder') })],
      }));
    }
  });
});
