/**
 * Bad requests over real HTTP: every one is a 4xx JSON body `{error, code, field, received?,
 * allowed?}`, and the server answers the next valid request.
 */
import { binaryBody, expectError, MODELS, postJson, request, Res, startServer, TestServer } from './helpers';

let bc: TestServer; // breast-cancer: input FP32 [-1, 30]
let ia: TestServer; // identity-all: 13 inputs, in_FP32 allows non-finite

beforeAll(async () => {
  [bc, ia] = await Promise.all([startServer({ modelDir: MODELS.breastCancer, bodyLimitBytes: 16 * 1024 }), startServer({ modelDir: MODELS.identityAll })]);
});
afterAll(async () => {
  await Promise.all([bc?.close(), ia?.close()]);
});

const row = Array.from({ length: 30 }, (_, i) => i + 0.5);
const good = { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 30], data: row }] };
const BC = () => `${bc.url}/v2/models/breast-cancer/infer`;
const IA = () => `${ia.url}/v2/models/identity-all/infer`;

function input(over: Record<string, unknown>): Record<string, unknown> {
  return { inputs: [{ ...good.inputs[0], ...over }] };
}

const IA_TYPES = ['BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64', 'BYTES'];
function iaInputs(fp32: unknown[] = [1, 2]): Record<string, unknown>[] {
  return IA_TYPES.map((dt) => ({
    name: `in_${dt}`,
    datatype: dt,
    shape: [1, 2],
    data: dt === 'BOOL' ? [true, false] : dt === 'BYTES' ? ['a', 'b'] : dt === 'FP32' ? fp32 : [1, 2],
  }));
}

// After every test both servers still answer a valid request.
afterEach(async () => {
  const r = await postJson(BC(), good);
  expect(r.status).toBe(200);
  expect(r.json.outputs).toHaveLength(2);
  const i = await postJson(IA(), { inputs: iaInputs(), outputs: [{ name: 'out_INT8' }] });
  expect(i.status).toBe(200);
});

describe('body and media type', () => {
  test('malformed JSON → 400 RT_ERR_BAD_JSON', async () => {
    const r = await postJson(BC(), '{"inputs": [{"name": "input",');
    expectError(r, 400, 'RT_ERR_BAD_JSON', 'body');
    expect(r.json.error).toMatch(/not valid JSON/);
  });

  test('empty body → 400', async () => {
    const r = await request(BC(), { method: 'POST', headers: { 'content-type': 'application/json' } });
    expect(r.status).toBe(400);
    expect(r.json.code).toMatch(/^RT_ERR_(BAD_JSON|BAD_REQUEST)$/);
    expect(r.json.field).toBe('body');
  });

  test('wrong content type → 415 naming Content-Type', async () => {
    const r = await request(BC(), { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(good) });
    expectError(r, 415, 'RT_ERR_UNSUPPORTED_MEDIA_TYPE', 'Content-Type');
    expect(r.json.received).toBe('text/plain');
    expect(r.json.allowed).toMatch(/application\/json/);
  });

  test('a body that is JSON but not an object → 400', async () => {
    expectError(await postJson(BC(), [1, 2, 3]), 400, 'RT_ERR_BAD_REQUEST', 'body');
    expectError(await postJson(BC(), '"text"'), 400, 'RT_ERR_BAD_REQUEST', 'body');
    expectError(await postJson(BC(), { inputs: [] }), 400, 'RT_ERR_BAD_REQUEST', 'inputs');
    expectError(await postJson(BC(), { inputs: 'x' }), 400, 'RT_ERR_BAD_REQUEST', 'inputs');
    expectError(await postJson(BC(), { inputs: [42] }), 400, 'RT_ERR_BAD_REQUEST', 'inputs[0]');
    expectError(await postJson(BC(), input({ name: 7 })), 400, 'RT_ERR_BAD_REQUEST', 'inputs[0].name');
    expectError(await postJson(BC(), { ...good, id: 5 }), 400, 'RT_ERR_BAD_REQUEST', 'id');
    expectError(await postJson(BC(), { ...good, outputs: 'label' }), 400, 'RT_ERR_BAD_REQUEST', 'outputs');
    expectError(await postJson(BC(), { ...good, outputs: [{ nom: 'label' }] }), 400, 'RT_ERR_BAD_REQUEST', 'outputs[0]');
    const noData = { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 30] }] };
    expectError(await postJson(BC(), noData), 400, 'RT_ERR_BAD_REQUEST', 'inputs[0].data');
  });

  test('a body over the limit → 413, with and without Content-Length', async () => {
    const big = JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [200, 30], data: new Array(6000).fill(1.23456) }] });
    expect(big.length).toBeGreaterThan(16 * 1024);
    const r = await postJson(BC(), big);
    expectError(r, 413, 'RT_ERR_BODY_TOO_LARGE', 'body');
    expect(r.json.allowed).toMatch(/16384 bytes/);
    // Chunked, no Content-Length: the limit still applies while streaming.
    const bytes = Buffer.from(big);
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let o = 0; o < bytes.length; o += 4096) c.enqueue(bytes.subarray(o, o + 4096));
        c.close();
      },
    });
    const chunked = await request(BC(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: stream, duplex: 'half' } as RequestInit);
    expectError(chunked, 413, 'RT_ERR_BODY_TOO_LARGE', 'body');
  });
});

describe('inputs against the signature', () => {
  test('unknown input name → 400 listing the allowed names', async () => {
    const r = await postJson(BC(), input({ name: 'features' }));
    expectError(r, 400, 'RT_ERR_UNKNOWN_INPUT', 'inputs[0].name');
    expect(r.json.received).toBe('features');
    expect(r.json.allowed).toBe('input');
  });

  test('missing input → 400 naming what is required', async () => {
    const inputs = iaInputs().filter((x) => x.name !== 'in_INT16');
    const r = await postJson(IA(), { inputs });
    expectError(r, 400, 'RT_ERR_MISSING_INPUT', 'inputs');
    expect(r.json.error).toMatch(/in_INT16/);
    expect(r.json.allowed).toMatch(/in_INT16/);
  });

  test('duplicate input → 400', async () => {
    const r = await postJson(BC(), { inputs: [good.inputs[0], good.inputs[0]] });
    expectError(r, 400, 'RT_ERR_DUPLICATE_INPUT', 'inputs[1].name');
    expect(r.json.received).toBe('input');
  });

  test('duplicate requested output → 400', async () => {
    const r = await postJson(BC(), { ...good, outputs: [{ name: 'label' }, { name: 'label' }] });
    expectError(r, 400, 'RT_ERR_DUPLICATE_INPUT', 'outputs[1].name');
  });

  test('data length disagreeing with shape → 400 RT_ERR_SHAPE (too few and too many)', async () => {
    const few = await postJson(BC(), input({ data: row.slice(1) }));
    expectError(few, 400, 'RT_ERR_SHAPE', 'inputs[0].data');
    expect(few.json.received).toBe(29);
    expect(few.json.allowed).toMatch(/exactly 30/);
    const many = await postJson(BC(), input({ data: [...row, 1] }));
    expectError(many, 400, 'RT_ERR_SHAPE', 'inputs[0].data');
    const nestedFew = await postJson(BC(), input({ shape: [2, 30], data: [row, row.slice(1)] }));
    expectError(nestedFew, 400, 'RT_ERR_SHAPE', 'inputs[0].data');
  });

  test('a shape the model does not take → 400 RT_ERR_SHAPE', async () => {
    const r = await postJson(BC(), input({ shape: [1, 29], data: row.slice(1) }));
    expectError(r, 400, 'RT_ERR_SHAPE', 'inputs[0].shape');
    expect(r.json.received).toBe('[1,29]'); // arrays are rendered as text
    expect(r.json.allowed).toMatch(/-1, 30/);
    expectError(await postJson(BC(), input({ shape: [30], data: row })), 400, 'RT_ERR_SHAPE', 'inputs[0].shape');
    expectError(await postJson(BC(), input({ shape: [1, -30] })), 400, 'RT_ERR_SHAPE', 'inputs[0].shape[1]');
    // [0, 30] is an empty batch (answered with empty outputs); a zero where the model fixes 30 is not.
    expectError(await postJson(BC(), input({ shape: [1, 0], data: [] })), 400, 'RT_ERR_SHAPE', 'inputs[0].shape');
    expectError(await postJson(BC(), input({ shape: [1, 30.5] })), 400, 'RT_ERR_SHAPE', 'inputs[0].shape[1]');
    expectError(await postJson(BC(), input({ shape: '1x30' })), 400, 'RT_ERR_SHAPE', 'inputs[0].shape');
    expectError(await postJson(BC(), input({ shape: new Array(17).fill(1) })), 400, 'RT_ERR_SHAPE', 'inputs[0].shape');
  });

  test('inputs disagreeing on the batch dimension → 400', async () => {
    const inputs = iaInputs();
    inputs[3] = { name: 'in_UINT32', datatype: 'UINT32', shape: [2, 1], data: [1, 2] };
    const r = await postJson(IA(), { inputs });
    expectError(r, 400, 'RT_ERR_SHAPE', /shape\[0\]$/);
  });

  test('wrong datatype → 400 naming received and allowed', async () => {
    const r = await postJson(BC(), input({ datatype: 'FP64' }));
    expectError(r, 400, 'RT_ERR_DATATYPE', 'inputs[0].datatype');
    expect(r.json.received).toBe('FP64');
    expect(r.json.allowed).toBe('FP32');
    const unknown = await postJson(BC(), input({ datatype: 'FLOAT32' }));
    expectError(unknown, 400, 'RT_ERR_DATATYPE', 'inputs[0].datatype');
    expect(unknown.json.allowed).toMatch(/FP32/);
  });

  test('a value that is not a number → 400 naming the element', async () => {
    const data = [...row];
    (data as unknown[])[7] = 'seven';
    const r = await postJson(BC(), input({ data }));
    expectError(r, 400, 'RT_ERR_DATATYPE', 'inputs[0].data[7]');
    expect(r.json.received).toBe('seven');
    (data as unknown[])[7] = null;
    expectError(await postJson(BC(), input({ data })), 400, 'RT_ERR_DATATYPE', 'inputs[0].data[7]');
    (data as unknown[])[7] = { v: 1 };
    expectError(await postJson(BC(), input({ data })), 400, 'RT_ERR_DATATYPE', 'inputs[0].data[7]');
  });

  test('data that is not an array → 400', async () => {
    expectError(await postJson(BC(), input({ data: 'abc' })), 400, 'RT_ERR_BAD_REQUEST', 'inputs[0].data');
    expectError(await postJson(BC(), input({ data: { a: 1 } })), 400, 'RT_ERR_BAD_REQUEST', 'inputs[0].data');
  });
});

describe('non-finite values and limits', () => {
  test("'NaN' is refused where the input does not allow it", async () => {
    for (const bad of ['NaN', 'Infinity', '-Infinity']) {
      const data: unknown[] = [...row];
      data[3] = bad;
      const r = await postJson(BC(), input({ data }));
      expectError(r, 400, 'RT_ERR_NON_FINITE', 'inputs[0].data[3]');
      expect(r.json.received).toBe(bad);
    }
  });

  test('a huge JSON number that overflows FP32 is refused as non-finite too', async () => {
    const text = JSON.stringify(input({ data: row })).replace('3.5', '1e39');
    const r = await postJson(BC(), text);
    expectError(r, 400, 'RT_ERR_NON_FINITE', 'inputs[0].data[3]');
  });

  test("'NaN', 'Infinity', '-Infinity' are accepted on identity-all in_FP32 (allowNonFinite)", async () => {
    const r = await postJson(IA(), { inputs: iaInputs(['NaN', 'Infinity']).map((x) => (x.name === 'in_FP32' ? { ...x, shape: [1, 2] } : x)), outputs: [{ name: 'out_FP32', parameters: { binary_data: true } }] });
    expect(r.status).toBe(200);
    const len = Number(r.headers.get('inference-header-content-length'));
    const f = new Float32Array(new Uint8Array(r.raw.subarray(len)).buffer);
    expect(f[0]).toBeNaN();
    expect(f[1]).toBe(Infinity);
    const neg = await postJson(IA(), { inputs: iaInputs(['-Infinity', 1]), outputs: [{ name: 'out_FP32' }] });
    expect(neg.status).toBe(200);
    expect(neg.json.outputs[0].data).toEqual(['-Infinity', 1]); // JSON has no -Infinity: the string the request side reads
    // ...while in_FP64 on the same model refuses it.
    const inputs = iaInputs();
    inputs[11] = { name: 'in_FP64', datatype: 'FP64', shape: [1, 2], data: ['NaN', 1] };
    expectError(await postJson(IA(), { inputs }), 400, 'RT_ERR_NON_FINITE', 'inputs[11].data[0]');
  });

  test('nesting deeper than the limit → 400 RT_ERR_TOO_DEEP', async () => {
    let deep: unknown = row;
    for (let i = 0; i < 40; i++) deep = [deep];
    const r = await postJson(BC(), input({ data: deep }));
    expectError(r, 400, 'RT_ERR_TOO_DEEP', 'inputs[0].data');
    expect(r.json.allowed).toMatch(/32/);
    // Through {instances} too.
    let inst: unknown = [row];
    for (let i = 0; i < 40; i++) inst = [inst];
    const i2 = await postJson(`${bc.url}/invocations`, { instances: inst });
    expect(i2.status).toBe(400);
    expect(i2.json.code).toMatch(/^RT_ERR_(TOO_DEEP|SHAPE)$/);
  });

  test('pathologically deep JSON (1e5 levels) is a 400, not a crash', async () => {
    const inputs = JSON.stringify(iaInputs()).replace('"data":[1,2]', `"data":${'['.repeat(100_000)}1,2${']'.repeat(100_000)}`);
    const r = await postJson(IA(), `{"inputs":${inputs}}`);
    expect(r.status).toBe(400);
    expect(typeof r.json.error).toBe('string');
  });

  test('a value nested thousands deep where a name or an instance belongs is a proper 400 (its echo cannot overflow the stack)', async () => {
    const deep = `${'['.repeat(5000)}1${']'.repeat(5000)}`;
    const name = await postJson(BC(), `{"inputs": [{"name": ${deep}, "datatype": "FP32", "shape": [1, 30], "data": []}]}`);
    expectError(name, 400, 'RT_ERR_BAD_REQUEST', 'inputs[0].name');
    expect(name.json.received).toMatch(/too deeply/);
    const inst = await postJson(`${ia.url}/score`, `{"instances": [${deep}]}`);
    expectError(inst, 400, 'RT_ERR_BAD_REQUEST', 'instances[0]');
  });

  test('a declared shape of [100000, 100000] is refused at once, before allocating', async () => {
    const rss = process.memoryUsage().rss;
    const r = await postJson(BC(), { inputs: [{ name: 'input', datatype: 'FP32', shape: [100000, 100000], data: [1] }] });
    expectError(r, 400, 'RT_ERR_TOO_LARGE_TENSOR', 'inputs[0].shape');
    expect(r.json.received).toBe('[100000,100000]');
    expect(r.json.allowed).toMatch(/67108864/);
    expect(process.memoryUsage().rss - rss).toBeLessThan(200 * 1024 * 1024);
    // Also in binary, where the size would come from binary_data_size.
    const { body, headerLength } = binaryBody({ inputs: [{ name: 'input', datatype: 'FP32', shape: [100000, 100000], parameters: { binary_data_size: 4 } }] }, [Buffer.alloc(4)]);
    const b = await request(BC(), { method: 'POST', headers: { 'inference-header-content-length': String(headerLength) }, body });
    expectError(b, 400, 'RT_ERR_TOO_LARGE_TENSOR', 'inputs[0].shape');
  });
});

describe('routing', () => {
  test('unknown model → 404', async () => {
    const r = await postJson(`${bc.url}/v2/models/ghost/infer`, good);
    expectError(r, 404, 'RT_ERR_MODEL_NOT_FOUND', 'model');
    expect(r.json.received).toBe('ghost');
    expect(r.json.allowed).toBe('breast-cancer');
    expectError(await request(`${bc.url}/v2/models/ghost`), 404, 'RT_ERR_MODEL_NOT_FOUND', 'model');
  });

  test('unknown route → 404', async () => {
    const r = await request(`${bc.url}/v3/nothing`);
    expectError(r, 404, 'RT_ERR_ROUTE_NOT_FOUND', 'path');
    expect(r.json.received).toBe('/v3/nothing');
    expectError(await postJson(`${bc.url}/v2/models/breast-cancer/predict`, good), 404, 'RT_ERR_ROUTE_NOT_FOUND', 'path');
  });

  test.each([
    ['GET', '/invocations', 'POST'],
    ['PUT', '/invocations', 'POST'],
    ['GET', '/v2/models/breast-cancer/infer', 'POST'],
    ['DELETE', '/v2/health/live', 'GET'],
    ['POST', '/ping', 'GET'],
    ['PATCH', '/v2/models/breast-cancer', 'GET'],
  ])('%s %s → 405 with Allow: %s', async (method, path, allow) => {
    const r = await request(`${bc.url}${path}`, { method, ...(method === 'GET' || method === 'DELETE' ? {} : { body: '{}', headers: { 'content-type': 'application/json' } }) });
    expectError(r, 405, 'RT_ERR_METHOD_NOT_ALLOWED', 'method');
    expect(r.headers.get('allow')).toBe(allow);
    expect(r.json.received).toBe(method);
  });
});

describe('binary header lengths', () => {
  const blob = Buffer.from(new Float32Array(row).buffer);
  const header = { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 30], parameters: { binary_data_size: 120 } }] };
  const send = (body: Buffer, len: string, ct = 'application/octet-stream'): Promise<Res> =>
    request(BC(), { method: 'POST', headers: { 'content-type': ct, 'inference-header-content-length': len }, body });

  test('a valid binary request works (control)', async () => {
    const { body, headerLength } = binaryBody(header, [blob]);
    const r = await send(body, String(headerLength));
    expect(r.status).toBe(200);
    expect(r.json.outputs[1].data).toHaveLength(1);
  });

  test('a header length that is not a whole number → 400', async () => {
    const { body } = binaryBody(header, [blob]);
    for (const len of ['abc', '-5', '1.5', '1e3', ' ', '99999999999999999999']) {
      const r = await send(body, len);
      expectError(r, 400, 'RT_ERR_BINARY', 'Inference-Header-Content-Length');
    }
  });

  test('a header length past the end of the body → 400', async () => {
    const { body } = binaryBody(header, [blob]);
    const r = await send(body, String(body.length + 1));
    expectError(r, 400, 'RT_ERR_BINARY', 'Inference-Header-Content-Length');
    expect(r.json.received).toBe(body.length + 1);
  });

  test('a header length that cuts the JSON short → 400 bad JSON', async () => {
    const { body, headerLength } = binaryBody(header, [blob]);
    const r = await send(body, String(headerLength - 3));
    expectError(r, 400, 'RT_ERR_BAD_JSON', 'body');
  });

  test('a header length that swallows binary bytes into the JSON → 400', async () => {
    const { body, headerLength } = binaryBody(header, [blob]);
    const r = await send(body, String(headerLength + 8));
    expect(r.status).toBe(400);
    expect(['RT_ERR_BAD_JSON', 'RT_ERR_BINARY']).toContain(r.json.code);
  });

  test('binary_data_size running past the body → 400', async () => {
    const { body, headerLength } = binaryBody({ inputs: [{ ...header.inputs[0], parameters: { binary_data_size: 4000 } }] }, [blob]);
    const r = await send(body, String(headerLength));
    expectError(r, 400, 'RT_ERR_BINARY', 'inputs[0].parameters.binary_data_size');
  });

  test('binary_data_size disagreeing with shape × datatype → 400', async () => {
    const { body, headerLength } = binaryBody({ inputs: [{ ...header.inputs[0], parameters: { binary_data_size: 116 } }] }, [blob.subarray(0, 116)]);
    const r = await send(body, String(headerLength));
    expectError(r, 400, 'RT_ERR_BINARY', 'inputs[0].parameters.binary_data_size');
    expect(r.json.received).toBe(116);
    expect(r.json.allowed).toMatch(/120 bytes/);
  });

  test('bytes left over after every input → 400', async () => {
    const { body, headerLength } = binaryBody(header, [blob, Buffer.alloc(8)]);
    const r = await send(body, String(headerLength));
    expectError(r, 400, 'RT_ERR_BINARY', 'body');
  });

  test('binary_data_size that is not a non-negative integer → 400', async () => {
    for (const size of [-4, 1.5, '120', null]) {
      const { body, headerLength } = binaryBody({ inputs: [{ ...header.inputs[0], parameters: { binary_data_size: size } }] }, [blob]);
      const r = await send(body, String(headerLength));
      expectError(r, 400, 'RT_ERR_BINARY', 'inputs[0].parameters.binary_data_size');
    }
  });

  test('binary_data_size in a plain JSON request (no header length) → 400', async () => {
    const r = await postJson(BC(), header);
    expectError(r, 400, 'RT_ERR_BINARY', 'inputs[0].parameters.binary_data_size');
  });

  test('non-finite FP32 in binary is refused for breast-cancer', async () => {
    const nan = Buffer.from(new Float32Array([...row.slice(0, 29), NaN]).buffer);
    const { body, headerLength } = binaryBody(header, [nan]);
    const r = await send(body, String(headerLength));
    expectError(r, 400, 'RT_ERR_NON_FINITE', 'inputs[0]');
  });

  test('BYTES with a length prefix running past the data → 400', async () => {
    const bytes = Buffer.alloc(8);
    bytes.writeUInt32LE(1000, 0);
    const inputs = iaInputs();
    inputs[12] = { name: 'in_BYTES', datatype: 'BYTES', shape: [1, 2], parameters: { binary_data_size: 8 } };
    const { body, headerLength } = binaryBody({ inputs }, [bytes]);
    const r = await request(IA(), { method: 'POST', headers: { 'inference-header-content-length': String(headerLength) }, body });
    expectError(r, 400, 'RT_ERR_BINARY', 'inputs[12]');
  });

  test('json-header-size in the SageMaker content type is range-checked too', async () => {
    const { body } = binaryBody(header, [blob]);
    const r = await request(`${bc.url}/invocations`, { method: 'POST', headers: { 'content-type': `application/vnd.sagemaker-triton.binary+json;json-header-size=${body.length + 100}` }, body });
    expectError(r, 400, 'RT_ERR_BINARY', 'Inference-Header-Content-Length');
  });
});
