/**
 * ONNX Runtime in process, as the reference the served answers are compared with. `session.run`
 * fails inside Jest's realm, so it runs in a child `node` process that knows nothing of the
 * runtime: it gets raw little-endian tensor bytes (or strings), runs the model with the session
 * options the runtime's workers use, and returns the raw output bytes. It calls the session's
 * handler (what `InferenceSession.run` delegates to) with prototype-free objects, because the
 * public `run()` cannot take an input named `__proto__` nor return an output of that name.
 */
import { spawn } from 'node:child_process';
import type { Datatype } from '../../lib/core/dtypes';
import type { CaseInput } from './corpus';
import { ROOT } from './helpers';

export interface RefTensor {
  readonly name: string;
  readonly type: string;
  readonly dims: number[];
  /** Raw little-endian bytes (numeric types). */
  readonly bytes?: Buffer;
  /** Elements (string tensors). */
  readonly strings?: string[];
}

const ORT_TYPE: Record<Datatype, string> = {
  BOOL: 'bool',
  UINT8: 'uint8',
  UINT16: 'uint16',
  UINT32: 'uint32',
  UINT64: 'uint64',
  INT8: 'int8',
  INT16: 'int16',
  INT32: 'int32',
  INT64: 'int64',
  FP16: 'float16',
  FP32: 'float32',
  FP64: 'float64',
  BYTES: 'string',
};

/** Exact half-precision bits of a value representable in FP16 (the corpus only uses such values). */
export function exactHalf(x: number): number {
  if (Number.isNaN(x)) return 0x7e00;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a === Infinity) return sign | 0x7c00;
  if (a === 0) return sign;
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  if (e < -14) {
    const m = a / 2 ** -24;
    if (!Number.isInteger(m)) throw new Error(`${x} is not exact in FP16`);
    return sign | m;
  }
  const m = (a / 2 ** e - 1) * 1024;
  if (!Number.isInteger(m) || e > 15) throw new Error(`${x} is not exact in FP16`);
  return sign | ((e + 15) << 10) | m;
}

function num(v: unknown): number {
  return typeof v === 'string' ? Number(v) : (v as number);
}

/** Raw little-endian bytes of JSON values for a datatype, written independently of the runtime's codec. */
export function rawBytes(dt: Datatype, data: readonly unknown[]): Buffer {
  const n = data.length;
  switch (dt) {
    case 'BOOL':
    case 'UINT8':
      return Buffer.from(Uint8Array.from(data, (v) => (v === true ? 1 : v === false ? 0 : num(v))).buffer);
    case 'INT8':
      return Buffer.from(Int8Array.from(data, num).buffer);
    case 'UINT16':
      return Buffer.from(Uint16Array.from(data, num).buffer);
    case 'INT16':
      return Buffer.from(Int16Array.from(data, num).buffer);
    case 'UINT32':
      return Buffer.from(Uint32Array.from(data, num).buffer);
    case 'INT32':
      return Buffer.from(Int32Array.from(data, num).buffer);
    case 'UINT64':
      return Buffer.from(BigUint64Array.from(data, (v) => BigInt(v as number)).buffer);
    case 'INT64':
      return Buffer.from(BigInt64Array.from(data, (v) => BigInt(v as number)).buffer);
    case 'FP16':
      return Buffer.from(Uint16Array.from(data, (v) => exactHalf(num(v))).buffer);
    case 'FP32':
      return Buffer.from(Float32Array.from(data, num).buffer);
    case 'FP64':
      return Buffer.from(Float64Array.from(data, num).buffer);
    case 'BYTES':
      throw new Error(`BYTES has no fixed-size encoding (${n} elements)`);
  }
}

const CHILD = `
// As the runtime's workers do (lib/runtime/ort-float16.ts): FP16 as Uint16Array on Node 26 too.
if ('Float16Array' in globalThis) Reflect.deleteProperty(globalThis, 'Float16Array');
const ort = require('onnxruntime-node');
let input = '';
process.stdin.on('data', (c) => (input += c));
process.stdin.on('end', async () => {
  const job = JSON.parse(input);
  const session = await ort.InferenceSession.create(job.model, { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all', executionMode: 'sequential' });
  const ctors = { bool: Uint8Array, uint8: Uint8Array, int8: Int8Array, uint16: Uint16Array, int16: Int16Array, uint32: Uint32Array, int32: Int32Array, uint64: BigUint64Array, int64: BigInt64Array, float16: Uint16Array, float32: Float32Array, float64: Float64Array };
  const answers = [];
  for (const feeds of job.cases) {
    const f = Object.create(null);
    for (const t of feeds) {
      let data;
      if (t.type === 'string') data = t.strings;
      else { const b = Buffer.from(t.bytes, 'base64'); const C = ctors[t.type]; const copy = new Uint8Array(b.length); copy.set(b); data = new C(copy.buffer); }
      f[t.name] = new ort.Tensor(t.type, data, t.dims);
    }
    // InferenceSession.run keeps names in ordinary objects (an input '__proto__' or an output
    // 'hasOwnProperty' breaks it); its handler takes prototype-free ones. The native binding
    // stores an output named '__proto__' as the result object's prototype.
    const fetches = Object.create(null);
    for (const name of session.outputNames) fetches[name] = null;
    const out = await session.handler.run(f, fetches, {});
    answers.push(session.outputNames.map((name) => {
      const t = Object.hasOwn(out, name) ? out[name] : Object.getPrototypeOf(out);
      if (t.type === 'string') return { name, type: t.type, dims: [...t.dims], strings: [...t.data] };
      const d = t.data;
      return { name, type: t.type, dims: [...t.dims], bytes: Buffer.from(d.buffer, d.byteOffset, d.byteLength).toString('base64') };
    }));
  }
  process.stdout.write(JSON.stringify(answers));
});
`;

/** Run each case (a list of inputs) through ONNX Runtime in a child process; outputs in the model's order. */
export function runReference(modelPath: string, cases: readonly (readonly CaseInput[])[]): Promise<RefTensor[][]> {
  const job = {
    model: modelPath,
    cases: cases.map((inputs) =>
      inputs.map((t) =>
        t.datatype === 'BYTES'
          ? { name: t.name, type: 'string', dims: t.shape, strings: t.data }
          : { name: t.name, type: ORT_TYPE[t.datatype], dims: t.shape, bytes: rawBytes(t.datatype, t.data).toString('base64') },
      ),
    ),
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', CHILD], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`reference ONNX Runtime exited ${code}: ${err}`));
      const parsed = JSON.parse(out) as { name: string; type: string; dims: number[]; bytes?: string; strings?: string[] }[][];
      resolve(parsed.map((ts) => ts.map((t) => ({ name: t.name, type: t.type, dims: t.dims, ...(t.bytes !== undefined ? { bytes: Buffer.from(t.bytes, 'base64') } : {}), ...(t.strings ? { strings: t.strings } : {}) }))));
    });
    child.stdin.end(JSON.stringify(job));
  });
}
