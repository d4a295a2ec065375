import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tar from 'tar';
import { buildOnnxModel, ModelDecl } from '../../scripts/lib/onnx-builder';
import { runCli } from '../support/cli';


const run = runCli;

const model: ModelDecl = {
  inputs: [{ name: 'features', datatype: 'FP32', shape: ['N', 4] }],
  outputs: [{ name: 'scores', datatype: 'FP32', shape: ['N', 3] }],
  nodes: [{ opType: 'MatMul', inputs: ['features', 'W'], outputs: ['scores'] }],
  initializers: [{ name: 'W', datatype: 'FP32', dims: [4, 3], values: new Array(12).fill(0.125) }],
  opset: 15,
};

const manifest = {
  schemaVersion: 1,
  name: 'sentinel-model',
  version: '4.5.6',
  format: 'onnx',
  task: 'classification',
  classLabels: ['a', 'b', 'c'],
  batching: { maxBatchSize: 16, maxQueueDelayMicroseconds: 2500 },
  signature: {
    inputs: [{ name: 'features', datatype: 'FP32', shape: [-1, 4] }],
    outputs: [{ name: 'scores', datatype: 'FP32', shape: [-1, 3] }],
  },
  lineage: { trainingData: { uri: 's3://sentinel-bucket/train.csv' }, codeCommit: 'deadbeef42', metrics: { accuracy: 0.913 } },
};

let work: string;
let pkgDir: string;
beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-cli-test-'));
  pkgDir = path.join(work, 'sentinel');
  fs.mkdirSync(pkgDir);
  fs.writeFileSync(path.join(pkgDir, 'servingstack.json'), JSON.stringify(manifest, null, 2));
  fs.writeFileSync(path.join(pkgDir, 'model.onnx'), buildOnnxModel(model));
});
afterEach(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

describe('servingstack package', () => {
  test('writes <dir>/../<name>-<version>.tar.gz by default and reports it', async () => {
    const r = await run('package', pkgDir);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const file = path.join(work, 'sentinel-model-4.5.6.tar.gz');
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
    const out = path.join(work, 'dist', 'x.tgz');
    const a = await run('package', pkgDir, '-o', out);
    const b = await run('package', pkgDir, '--output', out);
    expect(a.code).toBe(0);
    expect(fs.existsSync(out)).toBe(true);
    const shaLine = (s: string): string | undefined => s.split('\n').find((l) => l.includes('sha256'));
    expect(shaLine(b.stdout)).toBe(shaLine(a.stdout));
  });

  test('a mismatching package exits 2 with the field named', async () => {
    fs.writeFileSync(
      path.join(pkgDir, 'servingstack.json'),
      JSON.stringify({ ...manifest, signature: { ...manifest.signature, outputs: [{ name: 'scores', datatype: 'INT64', shape: [-1, 3] }] } }),
    );
    const r = await run('package', pkgDir);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error SS_ERR_SIGNATURE_MISMATCH: /);
    expect(r.stderr).toContain('signature.outputs[0].datatype');
    expect(r.stderr).toContain('received "INT64"; allowed: FP32');
    expect(fs.existsSync(path.join(work, 'sentinel-model-4.5.6.tar.gz'))).toBe(false);
  });

  test('--help explains the command', async () => {
    const r = await run('package', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: servingstack package [options] <dir>');
    expect(r.stdout).toContain('-o, --output <file>');
    expect(r.stdout).toContain('SS_ERR_SIGNATURE_MISMATCH');
  });
});

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
    const r = await run('inspect', pkgDir);
    expect(r.code).toBe(0);
    expectSummary(r.stdout);
    expect(r.stdout).toContain('(package directory)');
  });

  test('package archive', async () => {
    const out = path.join(work, 'sentinel.tar.gz');
    expect((await run('package', pkgDir, '-o', out)).code).toBe(0);
    const r = await run('inspect', out);
    expect(r.code).toBe(0);
    expectSummary(r.stdout);
    expect(r.stdout).toContain('(package archive)');
  });

  test('bare .onnx file', async () => {
    const r = await run('inspect', path.join(pkgDir, 'model.onnx'));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('bare ONNX model, no manifest');
    expect(r.stdout).toMatch(/opset +15/);
    expect(r.stdout).toMatch(/input +features +FP32 +\[N, 4\]/);
    expect(r.stdout).not.toContain('sentinel-model');
  });

  test('--json output parses (directory, archive and bare onnx)', async () => {
    const archive = path.join(work, 'sentinel.tgz');
    await run('package', pkgDir, '-o', archive);
    for (const [source, kind] of [
      [pkgDir, 'directory'],
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
    const bare = JSON.parse((await run('inspect', path.join(pkgDir, 'model.onnx'), '--json')).stdout) as Record<string, unknown>;
    expect(bare).toMatchObject({ manifest: null, model: { file: 'model.onnx', opset: 15 }, signature: manifest.signature });
  });

  test('garbage .onnx exits 2 with SS_ERR_ONNX_INVALID', async () => {
    const file = path.join(work, 'garbage.onnx');
    fs.writeFileSync(file, 'garbage bytes, not protobuf');
    const r = await run('inspect', file);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error SS_ERR_ONNX_INVALID: garbage\.onnx is not a valid ONNX model/);
  });

  test('unsafe archive exits 2 with SS_ERR_ARCHIVE_UNSAFE', async () => {
    fs.writeFileSync(path.join(work, 'evil'), 'x');
    const file = path.join(work, 'evil.tgz');
    await tar.create({ file, gzip: true, cwd: pkgDir, preservePaths: true }, ['servingstack.json', 'model.onnx', '../evil']);
    const r = await run('inspect', file);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error SS_ERR_ARCHIVE_UNSAFE: /);
    expect(r.stderr).toContain('archive.entries[2]');
  });

  test('a path that does not exist exits 2 with SS_ERR_MODEL_SOURCE_INVALID', async () => {
    const r = await run('inspect', path.join(work, 'nope'));
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
