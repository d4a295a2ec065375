import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tar from 'tar';
import { ServingStackError } from '../../lib/core/errors';
import type { ModelManifest } from '../../lib/core/manifest';
import { ARCHIVE_MTIME, createModelArchive, createModelArchiveSync, loadModelPackage, loadModelPackageSync, openModelSource } from '../../lib/core/model-package';
import { buildOnnxModel, ModelDecl } from '../../scripts/lib/onnx-builder';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

let work: string;
beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-model-package-test-'));
});
afterEach(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

/** ONNX model: input [N, 4] FP32 → MatMul(W [4, 3]) → probabilities [N, 3] FP32. */
const irisModel: ModelDecl = {
  inputs: [{ name: 'input', datatype: 'FP32', shape: ['N', 4] }],
  outputs: [{ name: 'probabilities', datatype: 'FP32', shape: ['N', 3] }],
  nodes: [{ opType: 'MatMul', inputs: ['input', 'W'], outputs: ['probabilities'] }],
  initializers: [{ name: 'W', datatype: 'FP32', dims: [4, 3], values: new Array(12).fill(0.5) }],
};

function irisManifest(): Mutable<ModelManifest> {
  return {
    schemaVersion: 1,
    name: 'iris',
    version: '1.0.0',
    format: 'onnx',
    task: 'classification',
    signature: {
      inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 4] }],
      outputs: [{ name: 'probabilities', datatype: 'FP32', shape: [-1, 3] }],
    },
  };
}

function writePackage(dir: string, manifest: object = irisManifest(), model: ModelDecl | Uint8Array = irisModel): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'servingstack.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  fs.writeFileSync(path.join(dir, 'model.onnx'), model instanceof Uint8Array ? model : buildOnnxModel(model));
  return dir;
}

async function errorOf(p: Promise<unknown>): Promise<ServingStackError> {
  try {
    await p;
  } catch (e) {
    if (ServingStackError.isServingStackError(e)) return e;
    throw new Error(`expected a ServingStackError, got ${String((e as Error).stack ?? e)}`);
  }
  throw new Error('expected an error, none was thrown');
}

/** The manifest with a signature tweak. */
function withSignature(edit: (s: { inputs: Record<string, unknown>[]; outputs: Record<string, unknown>[] }) => void): object {
  const m = JSON.parse(JSON.stringify(irisManifest())) as { signature: { inputs: Record<string, unknown>[]; outputs: Record<string, unknown>[] } };
  edit(m.signature);
  return m;
}

interface HeaderInfo {
  path: string;
  type: string;
  mode?: number;
  uid?: number;
  gid?: number;
  uname?: string;
  gname?: string;
  mtime?: Date;
}

async function listArchive(file: string): Promise<HeaderInfo[]> {
  const out: HeaderInfo[] = [];
  await tar.list({
    file,
    onReadEntry: (e) => {
      out.push({ path: e.path, type: e.type, mode: e.mode, uid: e.uid, gid: e.gid, uname: e.uname, gname: e.gname, mtime: e.mtime });
      e.resume();
    },
  });
  return out;
}

describe('loadModelPackage', () => {
  test('loads a matching ONNX package', async () => {
    const dir = writePackage(path.join(work, 'iris'));
    const pkg = await loadModelPackage(dir);
    expect(pkg.dir).toBe(fs.realpathSync(dir));
    expect(pkg.manifest.name).toBe('iris');
    expect(pkg.modelPath).toBe(path.join(fs.realpathSync(dir), 'model.onnx'));
    expect(pkg.baselinePath).toBeUndefined();
    expect(pkg.signatureFromModel?.inputs).toEqual([{ name: 'input', datatype: 'FP32', shape: [-1, 4] }]);
  });

  test('a manifest may fix a dimension the model leaves dynamic', async () => {
    const dir = writePackage(
      path.join(work, 'narrow'),
      irisManifest(),
      { ...irisModel, inputs: [{ name: 'input', datatype: 'FP32', shape: ['N', 'features'] }], outputs: [{ name: 'probabilities', datatype: 'FP32', shape: ['N', -1] }] },
    );
    await expect(loadModelPackage(dir)).resolves.toMatchObject({ manifest: { name: 'iris' } });
  });

  test('manifest input the model lacks (extra name) is named', async () => {
    const dir = writePackage(path.join(work, 'p'), withSignature((s) => s.inputs.push({ name: 'extra', datatype: 'FP32', shape: [-1, 1] })));
    const e = await errorOf(loadModelPackage(dir));
    expect(e.code).toBe('SS_ERR_SIGNATURE_MISMATCH');
    expect(e.issues).toEqual([
      { field: 'signature.inputs[1].name', message: 'is not an input of model.onnx', received: 'extra', allowed: 'input' },
    ]);
  });

  test('model output the manifest lacks (missing name) is named', async () => {
    const dir = writePackage(path.join(work, 'p'), irisManifest(), {
      ...irisModel,
      outputs: [...irisModel.outputs, { name: 'logits', datatype: 'FP32', shape: ['N', 3] }],
      nodes: [...irisModel.nodes, { opType: 'Identity', inputs: ['probabilities'], outputs: ['logits'] }],
    });
    const e = await errorOf(loadModelPackage(dir));
    expect(e.code).toBe('SS_ERR_SIGNATURE_MISMATCH');
    expect(e.issues).toEqual([
      {
        field: 'signature.outputs',
        message: 'lacks model.onnx\'s output "logits"',
        received: ['probabilities'],
        allowed: 'every output of model.onnx: probabilities, logits',
      },
    ]);
  });

  test('renamed tensor: both the unknown and the missing name are reported', async () => {
    const dir = writePackage(path.join(work, 'p'), withSignature((s) => (s.outputs[0]!.name = 'probs')));
    const e = await errorOf(loadModelPackage(dir));
    expect(e.issues.map((i) => i.field)).toEqual(['signature.outputs[0].name', 'signature.outputs']);
  });

  test('datatype mismatch names the field, received and the ONNX datatype', async () => {
    const dir = writePackage(path.join(work, 'p'), withSignature((s) => (s.inputs[0]!.datatype = 'FP64')));
    const e = await errorOf(loadModelPackage(dir));
    expect(e.code).toBe('SS_ERR_SIGNATURE_MISMATCH');
    expect(e.issues).toEqual([
      { field: 'signature.inputs[0].datatype', message: 'differs from model.onnx\'s input "input"', received: 'FP64', allowed: 'FP32' },
    ]);
    expect(e.message).toContain('signature.inputs[0].datatype');
    expect(e.message).toContain('received "FP64"; allowed: FP32');
  });

  test('rank mismatch', async () => {
    const dir = writePackage(path.join(work, 'p'), withSignature((s) => (s.outputs[0]!.shape = [-1, 3, 1])));
    const e = await errorOf(loadModelPackage(dir));
    expect(e.issues).toEqual([
      {
        field: 'signature.outputs[0].shape',
        message: 'has rank 3 but model.onnx\'s output "probabilities" has rank 2',
        received: [-1, 3, 1],
        allowed: 'rank 2: [-1, 3]',
      },
    ]);
  });

  test('fixed dimension differing from the model', async () => {
    const dir = writePackage(path.join(work, 'p'), withSignature((s) => (s.inputs[0]!.shape = [-1, 5])));
    const e = await errorOf(loadModelPackage(dir));
    expect(e.issues).toEqual([
      { field: 'signature.inputs[0].shape[1]', message: 'is 5 but model.onnx fixes it to 4', received: 5, allowed: '4' },
    ]);
  });

  test('manifest -1 where the model fixes the dimension', async () => {
    const dir = writePackage(path.join(work, 'p'), withSignature((s) => (s.outputs[0]!.shape = [-1, -1])));
    const e = await errorOf(loadModelPackage(dir));
    expect(e.issues).toEqual([
      { field: 'signature.outputs[0].shape[1]', message: 'is dynamic (-1) but model.onnx fixes it to 3', received: -1, allowed: '3' },
    ]);
  });

  test('every disagreement is collected into one error', async () => {
    const dir = writePackage(
      path.join(work, 'p'),
      withSignature((s) => {
        s.inputs[0]!.datatype = 'INT64';
        s.inputs[0]!.shape = [-1, 7];
        s.outputs[0]!.shape = [-1];
      }),
    );
    const e = await errorOf(loadModelPackage(dir));
    expect(e.issues.map((i) => i.field)).toEqual(['signature.inputs[0].datatype', 'signature.inputs[0].shape[1]', 'signature.outputs[0].shape']);
  });

  test('missing manifest, missing model and missing baseline', async () => {
    const empty = path.join(work, 'empty');
    fs.mkdirSync(empty);
    expect((await errorOf(loadModelPackage(empty))).issues[0]).toMatchObject({ field: 'servingstack.json' });
    expect((await errorOf(loadModelPackage(path.join(work, 'nope')))).issues[0]).toMatchObject({ field: 'dir', message: 'does not exist' });

    const dir = writePackage(path.join(work, 'p'), { ...irisManifest(), modelFile: 'models/iris.onnx', baseline: 'baseline.json' });
    const e = await errorOf(loadModelPackage(dir));
    expect(e.code).toBe('SS_ERR_PACKAGE_INVALID');
    expect(e.issues.map((i) => [i.field, i.received])).toEqual([
      ['modelFile', 'models/iris.onnx'],
      ['baseline', 'baseline.json'],
    ]);
  });

  test('an invalid manifest fails with SS_ERR_MANIFEST_INVALID', async () => {
    const dir = writePackage(path.join(work, 'p'), { ...irisManifest(), name: 'Not Valid' });
    expect((await errorOf(loadModelPackage(dir))).code).toBe('SS_ERR_MANIFEST_INVALID');
  });

  test('a symlinked model leaving the package is refused; one staying inside is accepted', async () => {
    const outside = writePackage(path.join(work, 'outside'));
    const dir = path.join(work, 'linked');
    fs.mkdirSync(dir);
    fs.copyFileSync(path.join(outside, 'servingstack.json'), path.join(dir, 'servingstack.json'));
    fs.symlinkSync(path.join(outside, 'model.onnx'), path.join(dir, 'model.onnx'));
    const e = await errorOf(loadModelPackage(dir));
    expect(e.code).toBe('SS_ERR_PACKAGE_INVALID');
    expect(e.issues[0]!.message).toMatch(/symbolic link leading outside the package/);

    fs.unlinkSync(path.join(dir, 'model.onnx'));
    fs.copyFileSync(path.join(outside, 'model.onnx'), path.join(dir, 'real.onnx'));
    fs.symlinkSync('real.onnx', path.join(dir, 'model.onnx'));
    await expect(loadModelPackage(dir)).resolves.toBeDefined();
  });

  test('a package whose model.onnx is garbage fails with SS_ERR_ONNX_INVALID', async () => {
    const dir = writePackage(path.join(work, 'p'), irisManifest(), new TextEncoder().encode('not a model'));
    const e = await errorOf(loadModelPackage(dir));
    expect(e.code).toBe('SS_ERR_ONNX_INVALID');
    expect(e.message).toContain('model.onnx is not a valid ONNX model');
  });
});

describe('sync and async forms', () => {
  function thrownSync(f: () => unknown): ServingStackError {
    try {
      f();
    } catch (e) {
      if (ServingStackError.isServingStackError(e)) return e;
      throw e;
    }
    throw new Error('expected an error, none was thrown');
  }

  test('createModelArchiveSync and createModelArchive write byte-identical files for the same directory', async () => {
    // GIVEN a package with a subdirectory, a baseline, an executable, an odd mode and a dotfile
    const dir = writePackage(path.join(work, 'iris'), { ...irisManifest(), baseline: 'stats/baseline.json' });
    fs.mkdirSync(path.join(dir, 'stats'));
    fs.writeFileSync(path.join(dir, 'stats', 'baseline.json'), '{}');
    fs.writeFileSync(path.join(dir, 'run.sh'), '#!/bin/sh\n');
    fs.chmodSync(path.join(dir, 'run.sh'), 0o750);
    fs.chmodSync(path.join(dir, 'servingstack.json'), 0o600);
    fs.writeFileSync(path.join(dir, '.env'), 'SECRET=1');
    // WHEN archived both ways
    const syncArchive = createModelArchiveSync(dir, path.join(work, 'sync.tar.gz'));
    const asyncArchive = await createModelArchive(dir, path.join(work, 'async.tar.gz'));
    // THEN the bytes, hashes, sizes and entries agree
    expect(fs.readFileSync(syncArchive.file).equals(fs.readFileSync(asyncArchive.file))).toBe(true);
    expect(syncArchive.sha256).toBe(asyncArchive.sha256);
    expect(syncArchive.sha256).toBe(createHash('sha256').update(fs.readFileSync(syncArchive.file)).digest('hex'));
    expect(syncArchive.bytes).toBe(asyncArchive.bytes);
    expect(syncArchive.entries).toEqual(['model.onnx', 'run.sh', 'servingstack.json', 'stats/', 'stats/baseline.json']);
    expect(asyncArchive.entries).toEqual(syncArchive.entries);
    // AND the sync archive has the normalised headers
    const headers = await listArchive(syncArchive.file);
    expect(headers.map((h) => [h.path, h.mode])).toEqual([
      ['model.onnx', 0o644],
      ['run.sh', 0o755],
      ['servingstack.json', 0o644],
      ['stats/', 0o755],
      ['stats/baseline.json', 0o644],
    ]);
    expect(headers.every((h) => h.mtime?.getTime() === ARCHIVE_MTIME.getTime())).toBe(true);
    // AND no temporary file is left next to the outputs
    expect(fs.readdirSync(work).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  test('loadModelPackageSync returns what loadModelPackage resolves to', async () => {
    const dir = writePackage(path.join(work, 'iris'));
    expect(loadModelPackageSync(dir)).toEqual(await loadModelPackage(dir));
  });

  test('loadModelPackageSync refuses a mismatching package with the same error as loadModelPackage', async () => {
    const dir = writePackage(path.join(work, 'p'), withSignature((s) => {
      s.inputs[0]!.datatype = 'FP64';
      s.outputs[0]!.shape = [-1, 5];
    }));
    const syncError = thrownSync(() => loadModelPackageSync(dir));
    const asyncError = await errorOf(loadModelPackage(dir));
    expect(syncError.code).toBe('SS_ERR_SIGNATURE_MISMATCH');
    expect(syncError.issues.map((i) => i.field)).toEqual(['signature.inputs[0].datatype', 'signature.outputs[0].shape[1]']);
    expect(syncError.issues).toEqual(asyncError.issues);
    expect(syncError.message).toBe(asyncError.message);
  });

  test('createModelArchiveSync refuses a mismatching package, writing nothing', () => {
    const dir = writePackage(path.join(work, 'p'), withSignature((s) => (s.inputs[0]!.shape = [-1, 5])));
    const out = path.join(work, 'p.tar.gz');
    const e = thrownSync(() => createModelArchiveSync(dir, out));
    expect(e.code).toBe('SS_ERR_SIGNATURE_MISMATCH');
    expect(e.issues[0]!.field).toBe('signature.inputs[0].shape[1]');
    expect(fs.readdirSync(work)).toEqual(['p']);
  });

  test('the async forms report errors by rejecting, not by throwing synchronously', () => {
    const missing = path.join(work, 'nope');
    let thrownNow: unknown;
    let pending: Promise<unknown> | undefined;
    try {
      pending = loadModelPackage(missing);
    } catch (e) {
      thrownNow = e;
    }
    expect(thrownNow).toBeUndefined();
    return expect(pending).rejects.toMatchObject({ code: 'SS_ERR_PACKAGE_INVALID' });
  });
});

describe('createModelArchive', () => {
  test('entries sit at the archive root: extracting into a model dir gives both files', async () => {
    // GIVEN a matching package with a dotfile
    const dir = writePackage(path.join(work, 'iris'));
    fs.writeFileSync(path.join(dir, '.DS_Store'), 'junk');
    // WHEN archived
    const out = path.join(work, 'iris-1.0.0.tar.gz');
    const archive = await createModelArchive(dir, out);
    // THEN the result describes the file
    expect(archive.file).toBe(out);
    expect(archive.entries).toEqual(['model.onnx', 'servingstack.json']);
    expect(archive.bytes).toBe(fs.statSync(out).size);
    expect(archive.sha256).toBe(createHash('sha256').update(fs.readFileSync(out)).digest('hex'));
    // AND unpacking like SageMaker (into /opt/ml/model) yields the files directly in that directory
    const optMlModel = path.join(work, 'opt', 'ml', 'model');
    fs.mkdirSync(optMlModel, { recursive: true });
    await tar.extract({ file: out, cwd: optMlModel });
    expect(fs.readdirSync(optMlModel).sort()).toEqual(['model.onnx', 'servingstack.json']);
    expect(fs.readFileSync(path.join(optMlModel, 'model.onnx'))).toEqual(fs.readFileSync(path.join(dir, 'model.onnx')));
    await expect(loadModelPackage(optMlModel)).resolves.toMatchObject({ manifest: { name: 'iris' } });
  });

  test('headers are portable: fixed mtime, uid/gid 0, no owner names, 0644 files, 0755 dirs', async () => {
    const dir = writePackage(path.join(work, 'iris'), { ...irisManifest(), modelFile: 'onnx/model.onnx' });
    fs.mkdirSync(path.join(dir, 'onnx'));
    fs.renameSync(path.join(dir, 'model.onnx'), path.join(dir, 'onnx', 'model.onnx'));
    fs.chmodSync(path.join(dir, 'servingstack.json'), 0o600);
    const out = path.join(work, 'out.tgz');
    await createModelArchive(dir, out);
    const headers = await listArchive(out);
    expect(headers.map((h) => [h.path, h.type, h.mode])).toEqual([
      ['onnx/', 'Directory', 0o755],
      ['onnx/model.onnx', 'File', 0o644],
      ['servingstack.json', 'File', 0o644],
    ]);
    for (const h of headers) {
      expect(h.mtime?.getTime()).toBe(ARCHIVE_MTIME.getTime());
      expect(h.uid ?? 0).toBe(0);
      expect(h.gid ?? 0).toBe(0);
      expect(h.uname ?? '').toBe('');
      expect(h.gname ?? '').toBe('');
    }
  });

  test('byte-identical on re-run, whatever the file times', async () => {
    const dir = writePackage(path.join(work, 'iris'));
    const a = await createModelArchive(dir, path.join(work, 'a.tar.gz'));
    fs.utimesSync(path.join(dir, 'model.onnx'), new Date(2020, 1, 2), new Date(2021, 3, 4));
    const b = await createModelArchive(dir, path.join(work, 'b.tar.gz'));
    expect(b.sha256).toBe(a.sha256);
    expect(fs.readFileSync(b.file).equals(fs.readFileSync(a.file))).toBe(true);
  });

  test('an output file inside the package is not archived into itself', async () => {
    const dir = writePackage(path.join(work, 'iris'));
    const out = path.join(dir, 'iris.tar.gz');
    await createModelArchive(dir, out);
    const again = await createModelArchive(dir, out);
    expect(again.entries).toEqual(['model.onnx', 'servingstack.json']);
    expect((await listArchive(out)).map((h) => h.path)).toEqual(['model.onnx', 'servingstack.json']);
  });

  test('refuses a package whose manifest disagrees with the model, writing nothing', async () => {
    const dir = writePackage(path.join(work, 'p'), withSignature((s) => (s.inputs[0]!.shape = [-1, 5])));
    const out = path.join(work, 'p.tar.gz');
    const e = await errorOf(createModelArchive(dir, out));
    expect(e.code).toBe('SS_ERR_SIGNATURE_MISMATCH');
    expect(e.issues[0]!.field).toBe('signature.inputs[0].shape[1]');
    expect(fs.existsSync(out)).toBe(false);
  });

  test('refuses symlinks leaving the package', async () => {
    const dir = writePackage(path.join(work, 'p'));
    fs.writeFileSync(path.join(work, 'secret.txt'), 'secret');
    fs.symlinkSync(path.join(work, 'secret.txt'), path.join(dir, 'notes.txt'));
    const e = await errorOf(createModelArchive(dir, path.join(work, 'p.tgz')));
    expect(e.code).toBe('SS_ERR_PACKAGE_INVALID');
    expect(e.issues[0]).toMatchObject({ field: 'notes.txt' });
  });
});

describe('openModelSource', () => {
  test('package directory', async () => {
    const dir = writePackage(path.join(work, 'iris'));
    const src = await openModelSource(dir);
    expect(src.kind).toBe('directory');
    expect(src.manifest?.name).toBe('iris');
    expect(src.pkg?.dir).toBe(fs.realpathSync(dir));
    expect(src.signature.inputs[0]!.name).toBe('input');
    await src.cleanup();
    expect(fs.existsSync(dir)).toBe(true);
  });

  test('package archive: extracted to a temporary directory, removed by cleanup', async () => {
    const dir = writePackage(path.join(work, 'iris'));
    const { file } = await createModelArchive(dir, path.join(work, 'iris.tgz'));
    const src = await openModelSource(file);
    expect(src.kind).toBe('archive');
    expect(src.manifest?.version).toBe('1.0.0');
    expect(src.onnx?.opset).toBe(17);
    const tmp = src.pkg!.dir;
    expect(fs.existsSync(path.join(tmp, 'model.onnx'))).toBe(true);
    await src.cleanup();
    expect(fs.existsSync(tmp)).toBe(false);
  });

  test('a mismatching archive is refused, naming the archive rather than its temporary directory', async () => {
    const dir = writePackage(path.join(work, 'p'), withSignature((s) => (s.inputs[0]!.datatype = 'INT32')));
    const file = path.join(work, 'p.tar.gz');
    await tar.create({ file, gzip: true, cwd: dir }, ['servingstack.json', 'model.onnx']);
    const e = await errorOf(openModelSource(file));
    expect(e.code).toBe('SS_ERR_SIGNATURE_MISMATCH');
    expect(e.message.split('\n')[0]).toBe(`servingstack.json signature does not match model.onnx in ${file}`);
    expect(e.issues[0]).toMatchObject({ field: 'signature.inputs[0].datatype', received: 'INT32', allowed: 'FP32' });
  });

  test('bare .onnx file: signature only', async () => {
    const file = path.join(work, 'm.onnx');
    fs.writeFileSync(file, buildOnnxModel(irisModel));
    const src = await openModelSource(file);
    expect(src.kind).toBe('onnx');
    expect(src.manifest).toBeUndefined();
    expect(src.pkg).toBeUndefined();
    expect(src.signature).toEqual({
      inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 4] }],
      outputs: [{ name: 'probabilities', datatype: 'FP32', shape: [-1, 3] }],
    });
  });

  test('garbage .onnx file → SS_ERR_ONNX_INVALID', async () => {
    const file = path.join(work, 'garbage.onnx');
    fs.writeFileSync(file, Buffer.from('PK\u0003\u0004 definitely not protobuf'));
    expect((await errorOf(openModelSource(file))).code).toBe('SS_ERR_ONNX_INVALID');
  });

  test('archive with a ../evil entry is refused before anything is written', async () => {
    // GIVEN an archive whose second entry climbs out of the extraction directory
    const staging = path.join(work, 'staging', 'inner');
    writePackage(staging);
    fs.writeFileSync(path.join(work, 'staging', 'evil'), 'pwned');
    const file = path.join(work, 'evil.tar.gz');
    await tar.create({ file, gzip: true, cwd: staging, preservePaths: true }, ['servingstack.json', '../evil', 'model.onnx']);
    expect((await listArchive(file)).map((h) => h.path)).toContain('../evil');
    const before = new Set(fs.readdirSync(os.tmpdir()));
    // WHEN opened THEN refused with the entry named
    const e = await errorOf(openModelSource(file));
    expect(e.code).toBe('SS_ERR_ARCHIVE_UNSAFE');
    expect(e.issues).toEqual([
      { field: 'archive.entries[1]', message: 'climbs out of the extraction directory with `..`', received: '../evil', allowed: 'relative paths that stay inside the archive root' },
    ]);
    // AND the temporary directory is gone
    const leftovers = fs.readdirSync(os.tmpdir()).filter((n) => !before.has(n) && n.startsWith('servingstack-model-'));
    expect(leftovers).toEqual([]);
  });

  test('archive with an absolute path or an escaping symlink is refused', async () => {
    const staging = path.join(work, 'staging');
    writePackage(staging);
    fs.symlinkSync('../../etc/passwd', path.join(staging, 'link'));
    const abs = path.join(work, 'abs.txt');
    fs.writeFileSync(abs, 'x');
    const file = path.join(work, 'bad.tgz');
    await tar.create({ file, gzip: true, cwd: staging, preservePaths: true }, ['servingstack.json', 'model.onnx', 'link', abs]);
    const e = await errorOf(openModelSource(file));
    expect(e.code).toBe('SS_ERR_ARCHIVE_UNSAFE');
    expect(e.issues.map((i) => i.message)).toEqual(['is a link leading outside the extraction directory (to ../../etc/passwd)', 'is an absolute path']);
  });

  test('archive whose files sit in a subdirectory is refused, pointing at the root rule', async () => {
    writePackage(path.join(work, 'staging', 'iris'));
    const file = path.join(work, 'nested.tar.gz');
    await tar.create({ file, gzip: true, cwd: path.join(work, 'staging') }, ['iris']);
    const e = await errorOf(openModelSource(file));
    expect(e.code).toBe('SS_ERR_PACKAGE_INVALID');
    expect(e.issues[0]!.message).toMatch(/is at iris\/servingstack.json, not at the archive root/);
  });

  test('archive made with `tar -C dir .` (./ prefixes) opens', async () => {
    const dir = writePackage(path.join(work, 'iris'));
    const file = path.join(work, 'dot.tar.gz');
    await tar.create({ file, gzip: true, cwd: dir }, ['.']);
    expect((await listArchive(file)).map((h) => h.path)).toContain('./servingstack.json');
    const src = await openModelSource(file);
    expect(src.manifest?.name).toBe('iris');
    await src.cleanup();
  });

  test('a truncated archive → SS_ERR_ARCHIVE_INVALID', async () => {
    const dir = writePackage(path.join(work, 'iris'));
    const { file } = await createModelArchive(dir, path.join(work, 'iris.tar.gz'));
    const cut = path.join(work, 'cut.tar.gz');
    fs.writeFileSync(cut, fs.readFileSync(file).subarray(0, 200));
    const e = await errorOf(openModelSource(cut));
    expect(e.code).toBe('SS_ERR_ARCHIVE_INVALID');
  });

  test('a file that is not a gzip tar → SS_ERR_ARCHIVE_INVALID; unknown kinds and missing paths are named', async () => {
    const fake = path.join(work, 'fake.tar.gz');
    fs.writeFileSync(fake, 'hello');
    expect((await errorOf(openModelSource(fake))).code).toBe('SS_ERR_ARCHIVE_INVALID');
    const txt = path.join(work, 'model.txt');
    fs.writeFileSync(txt, 'hello');
    expect((await errorOf(openModelSource(txt))).issues[0]).toMatchObject({ field: 'path', message: 'has an unrecognised file extension' });
    expect((await errorOf(openModelSource(path.join(work, 'missing')))).code).toBe('SS_ERR_MODEL_SOURCE_INVALID');
  });
});
