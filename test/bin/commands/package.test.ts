import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tar from 'tar';
import { runCli as run } from '../../support/cli';
import { manifest, sentinelPackageEachTest } from '../../support/sentinel-package';

const pkg = sentinelPackageEachTest();

describe('servingstack package', () => {
  test('writes <dir>/../<name>-<version>.tar.gz by default and reports it', async () => {
    const r = await run('package', pkg.pkgDir);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const file = path.join(pkg.work, 'sentinel-model-4.5.6.tar.gz');
    expect(fs.existsSync(file)).toBe(true);
    const sha = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    expect(r.stdout).toContain(`wrote ${file}\n`);
    expect(r.stdout).toContain(`sha256   ${sha}`);
    expect(r.stdout).toContain(`size     ${fs.statSync(file).size} bytes`);
    expect(r.stdout).toMatch(/entries {2}2\n {4}model\.onnx\n {4}servingstack\.json\n$/);

    const names: string[] = [];
    await tar.list({ file, onReadEntry: (e) => names.push(e.path) });
    expect(names).toEqual(['model.onnx', 'servingstack.json']);
  });

  test('-o chooses the output; re-running gives the same sha256', async () => {
    const out = path.join(pkg.work, 'dist', 'x.tgz');
    const a = await run('package', pkg.pkgDir, '-o', out);
    const b = await run('package', pkg.pkgDir, '--output', out);
    expect(a.code).toBe(0);
    expect(fs.existsSync(out)).toBe(true);
    const shaLine = (s: string): string | undefined => s.split('\n').find((l) => l.includes('sha256'));
    expect(shaLine(b.stdout)).toBe(shaLine(a.stdout));
  });

  test('--json prints the archive as JSON', async () => {
    const out = path.join(pkg.work, 'j.tgz');
    const r = await run('package', pkg.pkgDir, '-o', out, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ file: out, bytes: fs.statSync(out).size, sha256: createHash('sha256').update(fs.readFileSync(out)).digest('hex'), entries: ['model.onnx', 'servingstack.json'] });
  });

  test('a mismatching package exits 2 with the field named', async () => {
    fs.writeFileSync(
      path.join(pkg.pkgDir, 'servingstack.json'),
      JSON.stringify({ ...manifest, signature: { ...manifest.signature, outputs: [{ name: 'scores', datatype: 'INT64', shape: [-1, 3] }] } }),
    );
    const r = await run('package', pkg.pkgDir);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error SS_ERR_SIGNATURE_MISMATCH: /);
    expect(r.stderr).toContain('signature.outputs[0].datatype');
    expect(r.stderr).toContain('received "INT64"; allowed: FP32');
    expect(fs.existsSync(path.join(pkg.work, 'sentinel-model-4.5.6.tar.gz'))).toBe(false);
  });

  test('--help explains the command', async () => {
    const r = await run('package', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: servingstack package [options] <dir>');
    expect(r.stdout).toContain('-o, --output <file>');
    expect(r.stdout).toContain('SS_ERR_SIGNATURE_MISMATCH');
  });
});
