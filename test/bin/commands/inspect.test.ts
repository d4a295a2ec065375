import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tar from 'tar';
import { runCli as run } from '../../support/cli';
import { manifest, sentinelPackageEachTest } from '../../support/sentinel-package';

const pkg = sentinelPackageEachTest();

describe('servingstack inspect', () => {
  const expectSummary = (stdout: string): void => {
    expect(stdout).toContain('sentinel-model 4.5.6');
    expect(stdout).toContain('onnx (model.onnx, opset 15, producer servingstack)');
    expect(stdout).toContain('classification (3 class labels: a, b, c)');
    expect(stdout).toContain('maxBatchSize 16, maxQueueDelayMicroseconds 2500');
    expect(stdout).toContain('s3://sentinel-bucket/train.csv');
    expect(stdout).toContain('deadbeef42');
    expect(stdout).toContain('accuracy=0.913');
    expect(stdout).toMatch(/input +features +FP32 +\[N, 4\]/);
    expect(stdout).toMatch(/output +scores +FP32 +\[N, 3\]/);
  };

  test('package directory', async () => {
    const r = await run('inspect', pkg.pkgDir);
    expect(r.code).toBe(0);
    expectSummary(r.stdout);
    expect(r.stdout).toContain('(package directory)');
  });

  test('package archive', async () => {
    const out = path.join(pkg.work, 'sentinel.tar.gz');
    expect((await run('package', pkg.pkgDir, '-o', out)).code).toBe(0);
    const r = await run('inspect', out);
    expect(r.code).toBe(0);
    expectSummary(r.stdout);
    expect(r.stdout).toContain('(package archive)');
  });

  test('bare .onnx file', async () => {
    const r = await run('inspect', path.join(pkg.pkgDir, 'model.onnx'));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('bare ONNX model, no manifest');
    expect(r.stdout).toMatch(/opset +15/);
    expect(r.stdout).toMatch(/input +features +FP32 +\[N, 4\]/);
    expect(r.stdout).not.toContain('sentinel-model');
  });

  test('--json output parses (directory, archive and bare onnx)', async () => {
    const archive = path.join(pkg.work, 'sentinel.tgz');
    await run('package', pkg.pkgDir, '-o', archive);
    for (const [source, kind] of [
      [pkg.pkgDir, 'directory'],
      [archive, 'archive'],
    ] as const) {
      const r = await run('inspect', source, '--json');
      expect(r.code).toBe(0);
      const json = JSON.parse(r.stdout) as Record<string, unknown>;
      expect(json).toEqual({
        source: { path: source, kind },
        manifest,
        model: { file: 'model.onnx', opset: 15, producer: 'servingstack' },
        signature: manifest.signature,
      });
    }
    const bare = JSON.parse((await run('inspect', path.join(pkg.pkgDir, 'model.onnx'), '--json')).stdout) as Record<string, unknown>;
    expect(bare).toMatchObject({ manifest: null, model: { file: 'model.onnx', opset: 15 }, signature: manifest.signature });
  });

  test('garbage .onnx exits 2 with SS_ERR_ONNX_INVALID', async () => {
    const file = path.join(pkg.work, 'garbage.onnx');
    fs.writeFileSync(file, 'garbage bytes, not protobuf');
    const r = await run('inspect', file);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error SS_ERR_ONNX_INVALID: garbage\.onnx is not a valid ONNX model/);
  });

  test('unsafe archive exits 2 with SS_ERR_ARCHIVE_UNSAFE', async () => {
    fs.writeFileSync(path.join(pkg.work, 'evil'), 'x');
    const file = path.join(pkg.work, 'evil.tgz');
    await tar.create({ file, gzip: true, cwd: pkg.pkgDir, preservePaths: true }, ['servingstack.json', 'model.onnx', '../evil']);
    const r = await run('inspect', file);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error SS_ERR_ARCHIVE_UNSAFE: /);
    expect(r.stderr).toContain('archive.entries[2]');
  });

  test('a path that does not exist exits 2 with SS_ERR_MODEL_SOURCE_INVALID', async () => {
    const r = await run('inspect', path.join(pkg.work, 'nope'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error SS_ERR_MODEL_SOURCE_INVALID');
  });

  test('--help explains the command', async () => {
    const r = await run('inspect', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: servingstack inspect [options] <source>');
    expect(r.stdout).toContain('--json');
    expect(r.stdout).toContain('.tar.gz');
  });

  test('missing argument is a usage error, not a crash', async () => {
    const r = await run('inspect');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("missing required argument 'source'");
  });
});
