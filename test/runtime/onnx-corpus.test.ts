/**
 * Every model of the corpus (test/runtime/corpus.ts: any tensor name, empty tensors, no inputs,
 * string casts, every datatype, non-finite outputs, PyTorch-style MLPs and a real PyTorch export)
 * served by the real runtime (worker threads) over OIP v2 JSON and v2 binary, compared with ONNX
 * Runtime run in a child process on the same inputs.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Datatype } from '../../lib/core/dtypes';
import { CaseInput, corpusModels, CorpusModel, oipJson, writeCorpusModel } from './corpus';
import { binaryBody, encodeBytes, postJson, request, startServer, TestServer } from './helpers';
import { rawBytes, RefTensor, runReference } from './ort-reference';

jest.setTimeout(120_000);

let work: string;
beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-corpus-'));
});
afterAll(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

function halfToNumber(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 0x1f) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** The reference's values as the JSON encoding should carry them (non-finite floats as strings). */
function expectedJson(dt: Datatype, ref: RefTensor): unknown[] {
  if (dt === 'BYTES') return ref.strings!;
  const b = ref.bytes!;
  const ab = new Uint8Array(b).buffer;
  const float = (x: number): number | string => (Number.isFinite(x) ? x : String(x));
  switch (dt) {
    case 'BOOL':
      return Array.from(new Uint8Array(ab), (x) => x !== 0);
    case 'FP16':
      return Array.from(new Uint16Array(ab), (h) => float(halfToNumber(h)));
    case 'FP32':
      return Array.from(new Float32Array(ab), float);
    case 'FP64':
      return Array.from(new Float64Array(ab), float);
    case 'INT64':
      return Array.from(new BigInt64Array(ab), (x) => Number(x));
    case 'UINT64':
      return Array.from(new BigUint64Array(ab), (x) => Number(x));
    default: {
      const C = { UINT8: Uint8Array, INT8: Int8Array, UINT16: Uint16Array, INT16: Int16Array, UINT32: Uint32Array, INT32: Int32Array }[dt];
      return Array.from(new C(ab));
    }
  }
}

interface OutJson {
  name: string;
  datatype: Datatype;
  shape: number[];
  data?: unknown[];
  parameters?: { binary_data_size?: number };
}

/** The binary response's header and blobs by output name (a Map: an output may be named `__proto__`). */
function splitBinary(raw: Buffer, headerLength: number): { outputs: OutJson[]; blobs: Map<string, Buffer> } {
  const header = JSON.parse(raw.subarray(0, headerLength).toString('utf8')) as { outputs: OutJson[] };
  const blobs = new Map<string, Buffer>();
  let off = headerLength;
  for (const o of header.outputs) {
    const n = o.parameters?.binary_data_size;
    if (n === undefined) continue;
    blobs.set(o.name, raw.subarray(off, off + n));
    off += n;
  }
  expect(off).toBe(raw.length);
  return { outputs: header.outputs, blobs };
}

function binaryRequest(inputs: readonly CaseInput[]): { body: Buffer; headerLength: number } {
  const blobs = inputs.map((t) => (t.datatype === 'BYTES' ? encodeBytes(t.data as string[]) : rawBytes(t.datatype, t.data)));
  const header = {
    inputs: inputs.map((t, i) => ({ name: t.name, datatype: t.datatype, shape: t.shape, parameters: { binary_data_size: blobs[i]!.length } })),
    parameters: { binary_data_output: true },
  };
  return binaryBody(header, blobs);
}

const models = corpusModels();

describe.each(models.map((m) => [m.name, m] as const))('%s', (_name, m: CorpusModel) => {
  let s: TestServer;
  let dir: string;
  let reference: RefTensor[][];

  beforeAll(async () => {
    dir = writeCorpusModel(work, m);
    [s, reference] = await Promise.all([startServer({ modelDir: dir, workers: 1, logLevel: 'info' }), runReference(path.join(dir, 'model.onnx'), m.cases)]);
  });
  afterAll(async () => {
    await s?.close();
  });

  test(`is ready and describes its signature (${m.what})`, async () => {
    const ready = await request(`${s.url}/v2/models/${m.name}/ready`);
    expect(ready.status).toBe(200);
    const meta = await request(`${s.url}/v2/models/${m.name}`);
    expect(meta.status).toBe(200);
    expect(meta.json.inputs).toEqual(m.manifest.signature.inputs.map((t) => ({ name: t.name, datatype: t.datatype, shape: t.shape })));
    expect(meta.json.outputs).toEqual(m.manifest.signature.outputs.map((t) => ({ name: t.name, datatype: t.datatype, shape: t.shape })));
  });

  test('v2 JSON answers what ONNX Runtime computes in process', async () => {
    for (let c = 0; c < m.cases.length; c++) {
      const res = await postJson(`${s.url}/v2/models/${m.name}/infer`, { id: `case-${c}`, ...oipJson(m.cases[c]!) });
      if (res.status !== 200) throw new Error(`case ${c}: ${res.status} ${res.text}`);
      expect(res.json.id).toBe(`case-${c}`);
      const outputs = res.json.outputs as OutJson[];
      expect(outputs.map((o) => o.name)).toEqual(m.manifest.signature.outputs.map((o) => o.name));
      for (const o of outputs) {
        const ref = reference[c]!.find((r) => r.name === o.name)!;
        expect({ case: c, name: o.name, shape: o.shape, data: o.data }).toEqual({ case: c, name: o.name, shape: ref.dims, data: expectedJson(o.datatype, ref) });
      }
    }
  });

  test('v2 binary answers the same bytes as ONNX Runtime in process', async () => {
    for (let c = 0; c < m.cases.length; c++) {
      const { body, headerLength } = binaryRequest(m.cases[c]!);
      const res = await request(`${s.url}/v2/models/${m.name}/infer`, { method: 'POST', headers: { 'inference-header-content-length': String(headerLength), 'content-type': 'application/octet-stream' }, body });
      if (res.status !== 200) throw new Error(`case ${c}: ${res.status} ${res.text}`);
      const parsed = splitBinary(res.raw, Number(res.headers.get('inference-header-content-length')));
      for (const o of parsed.outputs) {
        const ref = reference[c]!.find((r) => r.name === o.name)!;
        const expected = ref.strings ? encodeBytes(ref.strings) : ref.bytes!;
        expect({ case: c, name: o.name, shape: o.shape }).toEqual({ case: c, name: o.name, shape: ref.dims });
        expect(Buffer.compare(parsed.blobs.get(o.name)!, expected)).toBe(0);
      }
      expect([...parsed.blobs.keys()].sort()).toEqual(m.manifest.signature.outputs.map((o) => o.name).sort());
    }
  });
});

describe('warm-up', () => {
  test('a model zero-filled inputs cannot run warms up with its example request, or is served cold with a warning', async () => {
    const withExample = models.find((m) => m.name === 'string-cast')!;
    const without = models.find((m) => m.name === 'string-cast-no-example')!;
    const [a, b] = await Promise.all([
      startServer({ modelDir: writeCorpusModel(work, withExample), workers: 2, logLevel: 'info' }),
      startServer({ modelDir: writeCorpusModel(work, without), workers: 2, logLevel: 'info' }),
    ]);
    try {
      const warmed = a.logs.find((r) => r.msg === 'warmed up with the example request (zero-filled inputs fail)');
      expect(warmed).toMatchObject({ level: 30, model: 'string-cast', exampleRequest: 'example-request.json' });
      expect(String(warmed!.zeroFilled)).toMatch(/Cast/);
      expect((await request(`${a.url}/v2/health/ready`)).status).toBe(200);
      const skipped = b.logs.find((r) => typeof r.msg === 'string' && r.msg.startsWith('warm-up skipped'));
      expect(skipped).toMatchObject({ level: 40, model: 'string-cast-no-example' });
      expect((await request(`${b.url}/v2/health/ready`)).status).toBe(200);
      const res = await postJson(`${b.url}/v2/models/string-cast-no-example/infer`, { inputs: [{ name: 'text', datatype: 'BYTES', shape: [2], data: ['2.5', '-1'] }] });
      expect(res.json.outputs[0].data).toEqual([2.5, -1]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  test('an example request the model cannot run is a warning, not an unready model', async () => {
    const m = models.find((x) => x.name === 'string-cast')!;
    const dir = writeCorpusModel(path.join(work, 'bad-example'), m);
    fs.writeFileSync(path.join(dir, 'example-request.json'), JSON.stringify(oipJson([{ name: 'text', datatype: 'BYTES', shape: [1], data: ['not a number'] }])));
    const s = await startServer({ modelDir: dir, workers: 1, logLevel: 'info' });
    try {
      const skipped = s.logs.find((r) => typeof r.msg === 'string' && r.msg.startsWith('warm-up skipped: the model runs neither'));
      expect(skipped).toMatchObject({ level: 40 });
      expect((await request(`${s.url}/v2/models/string-cast/ready`)).status).toBe(200);
    } finally {
      await s.close();
    }
  });
});

describe('non-finite outputs in every JSON encoder', () => {
  const m = models.find((x) => x.name === 'non-finite')!;
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ modelDir: writeCorpusModel(work, m), workers: 1 }, { env: { AIP_HEALTH_ROUTE: '/health', AIP_PREDICT_ROUTE: '/predict' } });
  });
  afterAll(async () => {
    await s?.close();
  });
  // x = -1, 0, 1: log = NaN, -Infinity, 0; recip = -1, Infinity, 1.
  const expected = [
    { log: 'NaN', recip: -1, log64: 'NaN', log16: 'NaN' },
    { log: '-Infinity', recip: 'Infinity', log64: '-Infinity', log16: '-Infinity' },
    { log: 0, recip: 1, log64: 0, log16: 0 },
  ];

  test('SageMaker, Vertex AI and Azure ML predictions, and JSON Lines, write "NaN", "Infinity", "-Infinity"', async () => {
    for (const [route, body] of [
      ['/invocations', { instances: [-1, 0, 1] }],
      ['/predict', { instances: [-1, 0, 1] }],
      ['/score', { data: [-1, 0, 1] }],
    ] as const) {
      const res = await postJson(`${s.url}${route}`, body);
      expect({ route, status: res.status, body: res.json }).toEqual({ route, status: 200, body: { predictions: expected } });
    }
    const lines = await request(`${s.url}/invocations`, { method: 'POST', headers: { 'content-type': 'application/jsonlines' }, body: '-1\n0\n1\n' });
    expect(lines.text.trim().split('\n').map((l) => JSON.parse(l) as unknown)).toEqual(expected);
  });

  test('what the server writes, it reads back (allowNonFinite input)', async () => {
    const first = await postJson(`${s.url}/v2/models/non-finite/infer`, { inputs: [{ name: 'x', datatype: 'FP32', shape: [5], data: [-1, 0, 1, 'Infinity', 'NaN'] }], outputs: [{ name: 'recip' }] });
    const recip = first.json.outputs[0].data as unknown[];
    expect(recip).toEqual([-1, 'Infinity', 1, 0, 'NaN']);
    const second = await postJson(`${s.url}/v2/models/non-finite/infer`, { inputs: [{ name: 'x', datatype: 'FP32', shape: [5], data: recip }], outputs: [{ name: 'recip' }] });
    expect(second.json.outputs[0].data).toEqual([-1, 0, 1, 'Infinity', 'NaN']);
  });
});

describe('a directory holding only the .onnx file (signature from ONNX Runtime)', () => {
  test('keeps odd names and fixed zero-size dimensions', async () => {
    for (const name of ['odd-names', 'empty-fixed', 'no-inputs']) {
      const m = models.find((x) => x.name === name)!;
      const dir = path.join(work, 'bare', name);
      fs.mkdirSync(dir, { recursive: true });
      fs.copyFileSync(path.join(writeCorpusModel(work, m), 'model.onnx'), path.join(dir, 'model.onnx'));
      const s = await startServer({ modelDir: dir, workers: 1 });
      try {
        const meta = await request(`${s.url}/v2/models/${name}`);
        expect(meta.json.inputs).toEqual(m.manifest.signature.inputs.map((t) => ({ name: t.name, datatype: t.datatype, shape: t.shape })));
        expect(meta.json.outputs.map((t: { name: string }) => t.name)).toEqual(m.manifest.signature.outputs.map((t) => t.name));
        const res = await postJson(`${s.url}/v2/models/${name}/infer`, oipJson(m.cases[0]!));
        expect({ name, status: res.status }).toEqual({ name, status: 200 });
      } finally {
        await s.close();
      }
    }
  });
});
