/**
 * `servingstack package` and `inspect` (and the package check behind them) accept every model of
 * the ONNX corpus the runtime serves (test/runtime/corpus.ts): odd tensor names, zero-size
 * dimensions, no inputs, string tensors, every datatype, PyTorch-style exports with initializers
 * listed as inputs, and a real PyTorch export; and they check a package's example request.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ServingStackError } from '../../lib/core/errors';
import { displayTensorName } from '../../lib/core/manifest';
import { loadModelPackageSync, openModelSource } from '../../lib/core/model-package';
import { corpusModels, oipJson, writeCorpusModel } from '../runtime/corpus';
import { runCli } from '../support/cli';

let work: string;
beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-core-corpus-'));
});
afterAll(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

const models = corpusModels();

describe.each(models.map((m) => [m.name, m] as const))('%s', (_name, m) => {
  test('the package check reads the same signature from the model as the manifest declares', () => {
    const pkg = loadModelPackageSync(writeCorpusModel(work, m));
    const strip = (ts: readonly { name: string; datatype: string; shape: readonly number[] }[]) => ts.map((t) => ({ name: t.name, datatype: t.datatype, shape: t.shape }));
    expect(strip(pkg.signatureFromModel!.inputs)).toEqual(strip(m.manifest.signature.inputs));
    expect(strip(pkg.signatureFromModel!.outputs)).toEqual(strip(m.manifest.signature.outputs));
  });

  test('servingstack package writes an archive that inspect reads back', async () => {
    const dir = writeCorpusModel(work, m);
    const out = path.join(work, 'archives', `${m.name}.tar.gz`);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    const packed = await runCli('package', dir, '-o', out);
    expect({ code: packed.code, stderr: packed.stderr }).toEqual({ code: 0, stderr: '' });
    const json = await runCli('inspect', out, '--json');
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout) as { signature: { inputs: { name: string }[]; outputs: { name: string }[] } };
    expect(doc.signature.inputs.map((t) => t.name)).toEqual(m.manifest.signature.inputs.map((t) => t.name));
    expect(doc.signature.outputs.map((t) => t.name)).toEqual(m.manifest.signature.outputs.map((t) => t.name));
    const text = await runCli('inspect', out);
    expect(text.code).toBe(0);
    // Every name appears, quoted when it holds spaces, quotes or control characters.
    for (const t of [...m.manifest.signature.inputs, ...m.manifest.signature.outputs]) expect(text.stdout).toContain(displayTensorName(t.name));
    const src = await openModelSource(out);
    try {
      expect(src.manifest?.name).toBe(m.name);
    } finally {
      await src.cleanup();
    }
  });
});

describe('names in text output', () => {
  test('plain names print as they are; others are JSON-quoted and stay on one line', () => {
    for (const plain of ['0', 'input.1', 'onnx::Gemm_0', '/layer1/Gemm_output_0', '__proto__', 'ünï名']) expect(displayTensorName(plain)).toBe(plain);
    expect(displayTensorName('a b')).toBe('"a b"');
    expect(displayTensorName('new\nline')).toBe('"new\\nline"');
    expect(displayTensorName('"q"')).toBe('"\\"q\\""');
    expect(displayTensorName('\u2028')).toBe('"\u2028"');
  });
});

describe('exampleRequest', () => {
  const m = models.find((x) => x.name === 'string-cast')!;

  test('a valid example request is part of the package and of its archive', async () => {
    const dir = writeCorpusModel(path.join(work, 'ex-ok'), m);
    expect(loadModelPackageSync(dir).exampleRequestPath).toBe(path.join(fs.realpathSync(dir), 'example-request.json'));
    const out = path.join(work, 'ex-ok.tar.gz');
    const packed = await runCli('package', dir, '-o', out);
    expect(packed.stdout).toContain('example-request.json');
  });

  test('an example request that disagrees with the signature is refused, every problem named', () => {
    const dir = writeCorpusModel(path.join(work, 'ex-bad'), m);
    fs.writeFileSync(
      path.join(dir, 'example-request.json'),
      JSON.stringify({ inputs: [{ name: 'text', datatype: 'FP32', shape: [2, 1], data: ['1'] }, { name: 'nope', datatype: 'BYTES', shape: [1], data: ['x'] }] }),
    );
    let err: ServingStackError | undefined;
    try {
      loadModelPackageSync(dir);
    } catch (e) {
      err = e as ServingStackError;
    }
    expect(err?.code).toBe('SS_ERR_PACKAGE_INVALID');
    expect(err!.issues.map((i) => i.field)).toEqual(['exampleRequest.inputs[0].datatype', 'exampleRequest.inputs[0].shape', 'exampleRequest.inputs[1].name']);
    fs.writeFileSync(path.join(dir, 'example-request.json'), JSON.stringify(oipJson([{ name: 'text', datatype: 'BYTES', shape: [2], data: ['1'] }])));
    expect(() => loadModelPackageSync(dir)).toThrow(/exampleRequest.inputs\[0\].data: has 1 elements but its shape declares 2/);
    fs.writeFileSync(path.join(dir, 'example-request.json'), '{"inputs": [');
    expect(() => loadModelPackageSync(dir)).toThrow(/exampleRequest: is not JSON/);
    fs.rmSync(path.join(dir, 'example-request.json'));
    expect(() => loadModelPackageSync(dir)).toThrow(/exampleRequest: names a file that does not exist/);
  });
});
