/**
 * ONNX's own backend test models exported by PyTorch (`pytorch-converted`, `pytorch-operator`:
 * inputs named `0`, `1`, …) through the runtime, compared with ONNX Runtime in process. The data is
 * not on npm: it ships in the `onnx` Python wheel (`onnx/backend/test/data/`). Unzip it and run
 *
 *   npx tsx scripts/onnx-backend-models.ts <dir holding pytorch-converted/ and pytorch-operator/>
 *
 * For each model with a `test_data_set_0`: run it in process (models ONNX Runtime cannot run are
 * counted and skipped), write a package whose manifest is the model's signature, check it as
 * `servingstack package` does, load it into a runtime in multi-model mode, send the test inputs
 * over v2 binary and compare the output bytes. Prints one count per outcome.
 */
import * as fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { onnx } from 'onnx-proto';
import { datatypeFromOrt } from '../lib/core/dtypes';
import { loadModelPackageSync } from '../lib/core/model-package';
import { readOnnxSignature } from '../lib/core/onnx-signature';
import { createRuntime } from '../lib/runtime/app';
import { loadConfig } from '../lib/runtime/config';

type Typed = Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | BigInt64Array | BigUint64Array;
type Ctor = { new (b: ArrayBuffer): Typed; new (n: number): Typed };

const ELEM: Record<number, [ort.Tensor.Type, Ctor]> = {
  1: ['float32', Float32Array],
  2: ['uint8', Uint8Array],
  3: ['int8', Int8Array],
  4: ['uint16', Uint16Array],
  5: ['int16', Int16Array],
  6: ['int32', Int32Array],
  7: ['int64', BigInt64Array as unknown as Ctor],
  9: ['bool', Uint8Array],
  10: ['float16', Uint16Array],
  11: ['float64', Float64Array],
  12: ['uint32', Uint32Array],
  13: ['uint64', BigUint64Array as unknown as Ctor],
};

function bytesOf(d: Typed): Buffer {
  return Buffer.from(d.buffer, d.byteOffset, d.byteLength);
}

/** A test_data_set TensorProto as an ONNX Runtime tensor. */
function tensorOf(file: string): ort.Tensor {
  const p = onnx.TensorProto.decode(fs.readFileSync(file));
  const dims = p.dims.map(Number);
  const [type, C] = ELEM[p.dataType] ?? (() => { throw new Error(`element type ${p.dataType}`); })();
  const count = dims.reduce((a, b) => a * b, 1);
  let data: Typed;
  if (p.rawData?.length) data = new C(Uint8Array.from(p.rawData).buffer);
  else if (p.floatData.length) data = Float32Array.from(p.floatData);
  else if (p.doubleData.length) data = Float64Array.from(p.doubleData);
  else if (p.int64Data.length) data = BigInt64Array.from(p.int64Data.map((x) => BigInt(String(x))));
  else if (p.int32Data.length) data = (C as unknown as { from(x: number[]): Typed }).from(p.int32Data);
  else data = new C(count);
  return new ort.Tensor(type, data as ort.Tensor.DataType, dims);
}

async function main(dataDir: string): Promise<void> {
  if (!fs.existsSync(path.join(dataDir, 'pytorch-converted'))) throw new Error(`usage: scripts/onnx-backend-models.ts <onnx/backend/test/data>; ${dataDir || '(none)'} has no pytorch-converted/`);
  const pkgs = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-onnx-backend-'));
  const rt = createRuntime(loadConfig({}, { host: '127.0.0.1', port: 0, workers: 1, logLevel: 'silent', multiModel: true, modelRoot: pkgs }), {});
  await rt.app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(rt.app.server.address() as AddressInfo).port}`;
  const tally = new Map<string, string[]>();
  const add = (outcome: string, what: string): void => void tally.set(outcome, [...(tally.get(outcome) ?? []), what]);
  let n = 0;
  for (const group of ['pytorch-converted', 'pytorch-operator']) {
    for (const test of fs.readdirSync(path.join(dataDir, group)).sort()) {
      const setDir = path.join(dataDir, group, test, 'test_data_set_0');
      if (!fs.existsSync(setDir)) continue;
      const label = `${group}/${test}`;
      const model = path.join(dataDir, group, test, 'model.onnx');
      const inputs = fs.readdirSync(setDir).filter((f) => f.startsWith('input_')).sort().map((f) => tensorOf(path.join(setDir, f)));
      let session: ort.InferenceSession;
      let ref: ort.InferenceSession.OnnxValueMapType;
      try {
        session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1, graphOptimizationLevel: 'all' });
        ref = await session.run(Object.fromEntries(session.inputNames.map((name, k) => [name, inputs[k]!])));
      } catch {
        add('ONNX Runtime cannot run it', label);
        continue;
      }
      const name = `m${n++}-${test.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`.slice(0, 63).replace(/-+$/, '');
      const pkg = path.join(pkgs, name);
      fs.mkdirSync(pkg);
      fs.copyFileSync(model, path.join(pkg, 'model.onnx'));
      try {
        const sig = readOnnxSignature(new Uint8Array(fs.readFileSync(model)));
        const spec = (t: { name: string; datatype: string; shape: readonly number[]; unknownRank?: true }, dims: readonly number[]) => ({ name: t.name, datatype: t.datatype, shape: t.unknownRank ? [...dims] : t.shape });
        const signature = { inputs: sig.inputs.map((t, k) => spec(t, inputs[k]!.dims)), outputs: sig.outputs.map((t) => spec(t, (ref[t.name] as ort.Tensor).dims)) };
        fs.writeFileSync(path.join(pkg, 'servingstack.json'), JSON.stringify({ schemaVersion: 1, name, version: '1.0.0', format: 'onnx', signature, batching: { maxBatchSize: 1 } }));
        loadModelPackageSync(pkg);
      } catch (e) {
        add('package refused', `${label}: ${(e as Error).message.split('\n').slice(0, 2).join(' ')}`);
        continue;
      }
      const load = await fetch(`${url}/models`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model_name: name, url: name }) });
      if (load.status !== 200) {
        add('load failed', `${label}: ${(await load.text()).slice(0, 200)}`);
        continue;
      }
      const blobs = inputs.map((t) => bytesOf(t.data as Typed));
      const head = Buffer.from(
        JSON.stringify({
          inputs: session.inputNames.map((input, k) => ({ name: input, datatype: datatypeFromOrt(inputs[k]!.type), shape: inputs[k]!.dims, parameters: { binary_data_size: blobs[k]!.length } })),
          parameters: { binary_data_output: true },
        }),
      );
      const res = await fetch(`${url}/v2/models/${name}/infer`, { method: 'POST', headers: { 'inference-header-content-length': String(head.length) }, body: Buffer.concat([head, ...blobs]) });
      const raw = Buffer.from(await res.arrayBuffer());
      if (res.status !== 200) add('inference refused or failed', `${label}: ${res.status} ${raw.toString('utf8').slice(0, 200)}`);
      else {
        const headerLength = Number(res.headers.get('inference-header-content-length'));
        const header = JSON.parse(raw.subarray(0, headerLength).toString('utf8')) as { outputs: { name: string; parameters: { binary_data_size: number } }[] };
        let off = headerLength;
        let same = true;
        for (const o of header.outputs) {
          const size = o.parameters.binary_data_size;
          if (Buffer.compare(raw.subarray(off, off + size), bytesOf((ref[o.name] as ort.Tensor).data as Typed)) !== 0) same = false;
          off += size;
        }
        add(same ? 'served, outputs byte-identical' : 'served, outputs differ', label);
      }
      await fetch(`${url}/models/${name}`, { method: 'DELETE' });
    }
  }
  for (const [outcome, list] of tally) process.stdout.write(`${String(list.length).padStart(4)}  ${outcome}${outcome.startsWith('served, outputs byte') ? '' : `\n${list.slice(0, 8).map((x) => `        ${x}`).join('\n')}`}\n`);
  fs.rmSync(pkgs, { recursive: true, force: true });
  await rt.shutdown();
}

main(process.argv[2] ?? '').catch((e: Error) => {
  process.stderr.write(`${e.message}\n`);
  process.exit(1);
});
