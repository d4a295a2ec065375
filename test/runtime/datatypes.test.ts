/**
 * Every OIP datatype through the identity-all fixture (in_<T> → out_<T>), as JSON and as the
 * binary tensor extension (Inference-Header-Content-Length and the SageMaker/Vertex
 * `json-header-size` content types).
 */
import { binaryBody, decodeBytes, encodeBytes, expectError, MODELS, parseBinaryResponse, postJson, request, startServer, TestServer } from './helpers';

let s: TestServer;

beforeAll(async () => {
  s = await startServer({ modelDir: MODELS.identityAll });
});
afterAll(async () => {
  await s?.close();
});

const DATATYPES = ['BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64', 'BYTES'] as const;
type Dt = (typeof DATATYPES)[number];

/** Shape [2, 2] values per datatype, exactly representable so JSON round-trips are exact. */
const JSON_VALUES: Record<Dt, unknown[]> = {
  BOOL: [true, false, false, true],
  UINT8: [0, 1, 128, 255],
  UINT16: [0, 1, 40000, 65535],
  UINT32: [0, 1, 3_000_000_000, 4294967295],
  UINT64: [0, 1, 2 ** 40, Number.MAX_SAFE_INTEGER],
  INT8: [-128, -1, 0, 127],
  INT16: [-32768, -1, 0, 32767],
  INT32: [-2147483648, -1, 0, 2147483647],
  INT64: [Number.MIN_SAFE_INTEGER, -1, 0, Number.MAX_SAFE_INTEGER],
  FP16: [1.5, -2, 0.25, 65504],
  FP32: [1.5, -0.25, 1024.125, 0.5],
  FP64: [0.1, -1e300, 5e-324, 123456789.125],
  BYTES: ['hello', '', 'üñíçødé ✓', 'a,"b"\nc'],
};

function allInputs(override: Partial<Record<Dt, unknown[]>> = {}, shape = [2, 2]): Record<string, unknown>[] {
  return DATATYPES.map((dt) => ({ name: `in_${dt}`, datatype: dt, shape, data: override[dt] ?? JSON_VALUES[dt] }));
}

const infer = (body: unknown, headers: Record<string, string> = {}) => postJson(`${s.url}/v2/models/identity-all/infer`, body, headers);

describe('JSON', () => {
  test('every datatype round-trips through the model', async () => {
    const r = await infer({ inputs: allInputs() });
    expect(r.status).toBe(200);
    expect(r.json.outputs).toHaveLength(13);
    for (const dt of DATATYPES) {
      const o = r.json.outputs.find((x: { name: string }) => x.name === `out_${dt}`);
      expect(o).toBeDefined();
      expect(o.datatype).toBe(dt);
      expect(o.shape).toEqual([2, 2]);
      expect({ dt, data: o.data }).toEqual({ dt, data: JSON_VALUES[dt] });
    }
  });

  test('FP16 JSON numbers are converted to half precision', async () => {
    const r = await infer({ inputs: allInputs({ FP16: [0.1, 1 / 3, 65519, -1e-8] }), outputs: [{ name: 'out_FP16' }] });
    expect(r.status).toBe(200);
    const data: number[] = r.json.outputs[0].data;
    expect(data[0]).toBe(0.0999755859375); // nearest half to 0.1
    expect(data[1]).toBe(0.333251953125); // nearest half to 1/3
    expect(data[2]).toBe(65504); // rounds down to the largest finite half
    expect(Math.abs(data[3])).toBe(0); // underflow → ±0
    // The same numbers through binary: the half bits the server produced.
    const bin = await infer({ inputs: allInputs({ FP16: [0.1, 1 / 3, 65519, 2] }), outputs: [{ name: 'out_FP16', parameters: { binary_data: true } }] });
    const { blobs } = parseBinaryResponse(bin.raw, Number(bin.headers.get('inference-header-content-length')));
    expect(Array.from(new Uint16Array(new Uint8Array(blobs.out_FP16).buffer))).toEqual([0x2e66, 0x3555, 0x7bff, 0x4000]);
  });

  test('a JSON number too large for the input type is not smuggled in as Infinity', async () => {
    // in_FP16 does not allow non-finite values: 100000 overflows FP16.
    const fp16 = await infer({ inputs: allInputs({ FP16: [100000, 1, 1, 1] }) });
    expectError(fp16, 400, 'RT_ERR_NON_FINITE', 'inputs[9].data[0]');
    // 1e400 parses to Infinity in JSON; in_FP64 does not allow it.
    const fp64 = await infer(`{"inputs": ${JSON.stringify(allInputs({ FP64: [0, 0, 0, 424242.5] })).replace('424242.5', '1e400')}}`);
    expectError(fp64, 400, 'RT_ERR_NON_FINITE', 'inputs[11].data[3]');
    // in_FP32 allows non-finite values: 1e39 overflows to Infinity, which comes back as the string "Infinity".
    const fp32 = await infer({ inputs: allInputs({ FP32: [1e39, 1, 1, 1] }), outputs: [{ name: 'out_FP32' }] });
    expect(fp32.status).toBe(200);
    expect(fp32.json.outputs[0].data[0]).toBe('Infinity');
  });

  test('INT64 and UINT64 accept decimal strings for full 64-bit range', async () => {
    const r = await infer({
      inputs: allInputs({ INT64: ['-9223372036854775808', '9223372036854775807', '0', '-5'], UINT64: ['18446744073709551615', '0', '7', '9007199254740993'] }),
      outputs: [{ name: 'out_INT64', parameters: { binary_data: true } }, { name: 'out_UINT64', parameters: { binary_data: true } }],
    });
    expect(r.status).toBe(200);
    const parsed = parseBinaryResponse(r.raw, Number(r.headers.get('inference-header-content-length')));
    const i64 = parsed.blobs.out_INT64;
    expect([0, 1, 2, 3].map((k) => i64.readBigInt64LE(k * 8))).toEqual([-(2n ** 63n), 2n ** 63n - 1n, 0n, -5n]);
    const u64 = parsed.blobs.out_UINT64;
    expect([0, 1, 2, 3].map((k) => u64.readBigUInt64LE(k * 8))).toEqual([2n ** 64n - 1n, 0n, 7n, 9007199254740993n]);
  });

  test('out-of-range integers are rejected per datatype', async () => {
    for (const [dt, v] of [
      ['UINT8', 256],
      ['INT8', -129],
      ['UINT16', -1],
      ['INT32', 2147483648],
      ['UINT32', 1.5],
      ['UINT64', '18446744073709551616'],
      ['INT64', '9223372036854775808'],
    ] as const) {
      const data = [...JSON_VALUES[dt]];
      data[1] = v;
      const r = await infer({ inputs: allInputs({ [dt]: data }) });
      expectError(r, 400, 'RT_ERR_DATATYPE', `inputs[${DATATYPES.indexOf(dt)}].data[1]`);
    }
  });

  test('BOOL takes 0/1 and true/false, rejects other values', async () => {
    const ok = await infer({ inputs: allInputs({ BOOL: [1, 0, true, false] }), outputs: [{ name: 'out_BOOL' }] });
    expect(ok.status).toBe(200);
    expect(ok.json.outputs[0].data).toEqual([true, false, true, false]);
    const bad = await infer({ inputs: allInputs({ BOOL: [2, 0, true, false] }) });
    expectError(bad, 400, 'RT_ERR_DATATYPE', 'inputs[0].data[0]');
  });
});

// ------------------------------------------------------------------------------------------

function blobOf(dt: Dt, values: readonly unknown[]): Buffer {
  const n = values.length;
  switch (dt) {
    case 'BYTES':
      return encodeBytes(values as string[]);
    case 'BOOL':
      return Buffer.from((values as boolean[]).map((v) => (v ? 1 : 0)));
    case 'UINT8':
      return Buffer.from(Uint8Array.from(values as number[]).buffer);
    case 'INT8':
      return Buffer.from(Int8Array.from(values as number[]).buffer);
    case 'UINT16':
      return Buffer.from(Uint16Array.from(values as number[]).buffer);
    case 'INT16':
      return Buffer.from(Int16Array.from(values as number[]).buffer);
    case 'UINT32':
      return Buffer.from(Uint32Array.from(values as number[]).buffer);
    case 'INT32':
      return Buffer.from(Int32Array.from(values as number[]).buffer);
    case 'UINT64':
      return Buffer.from(BigUint64Array.from((values as (number | bigint)[]).map((v) => BigInt(v))).buffer);
    case 'INT64':
      return Buffer.from(BigInt64Array.from((values as (number | bigint)[]).map((v) => BigInt(v))).buffer);
    case 'FP16':
      return Buffer.from(Uint16Array.from(values as number[]).buffer); // raw half bits
    case 'FP32':
      return Buffer.from(Float32Array.from(values as number[]).buffer);
    case 'FP64':
      return Buffer.from(Float64Array.from(values as number[]).buffer);
  }
  throw new Error(`no blob for ${dt} (${n})`);
}

/** Binary values: full 64-bit ranges, non-finite floats, raw half bits. */
const BINARY_VALUES: Record<Dt, unknown[]> = {
  ...JSON_VALUES,
  UINT64: [0n, 1n, 2n ** 64n - 1n, 2n ** 53n + 1n],
  INT64: [-(2n ** 63n), -1n, 0n, 2n ** 63n - 1n],
  FP16: [0x3c00, 0xc000, 0x3555, 0x7bff], // 1, -2, ~0.333, 65504
  FP32: [1.5, NaN, Infinity, -Infinity], // in_FP32 allows non-finite
  FP64: [0.1, -1e300, 5e-324, Math.PI],
};

function binaryRequest(binaryOutput: boolean): { body: Buffer; headerLength: number } {
  const header = {
    id: 'bin-1',
    inputs: DATATYPES.map((dt) => ({ name: `in_${dt}`, datatype: dt, shape: [2, 2], parameters: { binary_data_size: blobOf(dt, BINARY_VALUES[dt]).length } })),
    parameters: binaryOutput ? { binary_data_output: true } : {},
  };
  return binaryBody(header, DATATYPES.map((dt) => blobOf(dt, BINARY_VALUES[dt])));
}

describe('binary tensor extension', () => {
  test('every datatype in binary, every output back in binary', async () => {
    const { body, headerLength } = binaryRequest(true);
    const r = await request(`${s.url}/v2/models/identity-all/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(headerLength) },
      body,
    });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/octet-stream');
    const len = Number(r.headers.get('inference-header-content-length'));
    expect(len).toBeGreaterThan(0);
    const { header, blobs } = parseBinaryResponse(r.raw, len);
    expect(header.id).toBe('bin-1');
    expect(header.model_name).toBe('identity-all');
    for (const dt of DATATYPES) {
      const o = header.outputs.find((x) => x.name === `out_${dt}`)!;
      expect(o.datatype).toBe(dt);
      expect(o.shape).toEqual([2, 2]);
      expect(o.data).toBeUndefined();
      expect({ dt, bytes: blobs[`out_${dt}`] }).toEqual({ dt, bytes: blobOf(dt, BINARY_VALUES[dt]) });
    }
    expect(decodeBytes(blobs.out_BYTES)).toEqual(JSON_VALUES.BYTES);
    const f32 = new Float32Array(new Uint8Array(blobs.out_FP32).buffer);
    expect(f32[0]).toBe(1.5);
    expect(f32[1]).toBeNaN();
    expect(f32[2]).toBe(Infinity);
  });

  test('binary in, JSON out (no binary_data_output): FP16 bits become numbers', async () => {
    const { body, headerLength } = binaryRequest(false);
    const r = await request(`${s.url}/v2/models/identity-all/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(headerLength) },
      body,
    });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/application\/json/);
    expect(r.headers.get('inference-header-content-length')).toBeNull();
    const out = (n: string) => r.json.outputs.find((o: { name: string }) => o.name === n);
    expect(out('out_FP16').data).toEqual([1, -2, 0.333251953125, 65504]);
    expect(out('out_BYTES').data).toEqual(JSON_VALUES.BYTES);
    expect(out('out_BOOL').data).toEqual([true, false, false, true]);
    expect(out('out_FP64').data).toEqual([0.1, -1e300, 5e-324, Math.PI]);
  });

  test('JSON in, selected outputs binary (parameters.binary_data), others JSON', async () => {
    const r = await infer({
      inputs: allInputs(),
      outputs: [{ name: 'out_FP32', parameters: { binary_data: true } }, { name: 'out_BYTES' }, { name: 'out_INT16', parameters: { binary_data: true } }],
    });
    expect(r.status).toBe(200);
    const { header, blobs } = parseBinaryResponse(r.raw, Number(r.headers.get('inference-header-content-length')));
    expect(header.outputs.map((o) => o.name)).toEqual(['out_FP32', 'out_BYTES', 'out_INT16']);
    expect(header.outputs[1].data).toEqual(JSON_VALUES.BYTES);
    expect(Array.from(new Float32Array(new Uint8Array(blobs.out_FP32).buffer))).toEqual(JSON_VALUES.FP32);
    expect(Array.from(new Int16Array(new Uint8Array(blobs.out_INT16).buffer))).toEqual(JSON_VALUES.INT16);
  });

  test('mixed: some inputs binary, others JSON', async () => {
    const inputs = allInputs() as Record<string, unknown>[];
    const fp64 = blobOf('FP64', [1, 2, 3, 4]);
    const bytes = encodeBytes(['x', 'yy', 'zzz', '']);
    inputs[11] = { name: 'in_FP64', datatype: 'FP64', shape: [2, 2], parameters: { binary_data_size: fp64.length } };
    inputs[12] = { name: 'in_BYTES', datatype: 'BYTES', shape: [2, 2], parameters: { binary_data_size: bytes.length } };
    const { body, headerLength } = binaryBody({ inputs, outputs: [{ name: 'out_FP64' }, { name: 'out_BYTES' }] }, [fp64, bytes]);
    const r = await request(`${s.url}/v2/models/identity-all/infer`, { method: 'POST', headers: { 'inference-header-content-length': String(headerLength) }, body });
    expect(r.status).toBe(200);
    expect(r.json.outputs[0].data).toEqual([1, 2, 3, 4]);
    expect(r.json.outputs[1].data).toEqual(['x', 'yy', 'zzz', '']);
  });

  test('/invocations with application/vnd.sagemaker-triton.binary+json;json-header-size=N', async () => {
    const { body, headerLength } = binaryRequest(true);
    const r = await request(`${s.url}/invocations`, {
      method: 'POST',
      headers: { 'content-type': `application/vnd.sagemaker-triton.binary+json;json-header-size=${headerLength}` },
      body,
    });
    expect(r.status).toBe(200);
    const ct = r.headers.get('content-type')!;
    const m = /^application\/vnd\.sagemaker-triton\.binary\+json;\s*json-header-size=(\d+)$/.exec(ct);
    expect(m).not.toBeNull();
    const { header, blobs } = parseBinaryResponse(r.raw, Number(m![1]));
    expect(header.model_name).toBe('identity-all');
    expect(decodeBytes(blobs.out_BYTES)).toEqual(JSON_VALUES.BYTES);
    expect(blobs.out_INT64).toEqual(blobOf('INT64', BINARY_VALUES.INT64));
  });

  test('/invocations with the vertex-ai-triton binary content type answers in kind', async () => {
    const { body, headerLength } = binaryRequest(true);
    const r = await request(`${s.url}/invocations`, {
      method: 'POST',
      headers: { 'content-type': `application/vnd.vertex-ai-triton.binary+json;json-header-size=${headerLength}` },
      body,
    });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/vnd\.vertex-ai-triton\.binary\+json;\s*json-header-size=\d+$/);
  });

  test('/invocations with the triton content type but JSON-only data (header size = body size)', async () => {
    const json = Buffer.from(JSON.stringify({ inputs: allInputs(), outputs: [{ name: 'out_INT8' }] }));
    const r = await request(`${s.url}/invocations`, {
      method: 'POST',
      headers: { 'content-type': `application/vnd.sagemaker-triton.binary+json;json-header-size=${json.length}` },
      body: json,
    });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/application\/json/);
    expect(r.json.outputs[0].data).toEqual(JSON_VALUES.INT8);
  });

  test('FP16 binary non-finite is rejected (in_FP16 does not allow it); FP32 NaN binary is allowed', async () => {
    const header = { inputs: DATATYPES.map((dt) => ({ name: `in_${dt}`, datatype: dt, shape: [2, 2], parameters: { binary_data_size: blobOf(dt, BINARY_VALUES[dt]).length } })) };
    const blobs = DATATYPES.map((dt) => (dt === 'FP16' ? blobOf('FP16', [0x7c00, 0, 0, 0]) : blobOf(dt, BINARY_VALUES[dt])));
    const { body, headerLength } = binaryBody(header, blobs);
    const r = await request(`${s.url}/v2/models/identity-all/infer`, { method: 'POST', headers: { 'inference-header-content-length': String(headerLength) }, body });
    expectError(r, 400, 'RT_ERR_NON_FINITE', 'inputs[9]');
  });
});
