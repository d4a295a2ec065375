/**
 * Request and response codecs (lib/runtime/codec.ts) as units, for what real exporters produce:
 * models with no inputs, tensor names that are also Object.prototype property names, empty
 * batches, and non-finite outputs in every JSON encoder.
 */
import type { Datatype } from '../../lib/core/dtypes';
import { RuntimeError } from '../../lib/runtime/errors';
import { ModelResult, ServedModel, TensorSpecRt } from '../../lib/runtime/model';
import { encodeOipResponse, parseInstances, parseOipRequest, toCsv, toPredictions } from '../../lib/runtime/codec';
import type { DecodeLimits } from '../../lib/runtime/tensor';

const LIMITS: DecodeLimits = { maxElements: 1 << 20, maxDepth: 32, maxBytesElementBytes: 64 };

const spec = (name: string, datatype: Datatype, shape: number[]): TensorSpecRt => ({ name, datatype, shape, allowNonFinite: false });

function model(inputs: TensorSpecRt[], outputs: TensorSpecRt[], maxBatchSize = 8): ServedModel {
  return new ServedModel('m', '1', 'm#1', '/nowhere', '/nowhere/model.onnx', undefined, inputs, outputs, maxBatchSize, 0);
}

function rejection(fn: () => unknown): RuntimeError {
  try {
    fn();
  } catch (e) {
    if (e instanceof RuntimeError) return e;
    throw e;
  }
  throw new Error('expected a RuntimeError');
}

const json = (x: unknown): Buffer => Buffer.from(JSON.stringify(x));

describe('models without inputs', () => {
  const m = model([], [spec('y', 'FP32', [-1])]);

  test('are not batchable and take an empty or absent inputs list', () => {
    expect(m.batchable).toBe(false);
    for (const body of [{}, { inputs: [] }, { id: 'a', inputs: [], outputs: [{ name: 'y' }] }]) {
      const r = parseOipRequest(m, json(body), undefined, LIMITS);
      expect({ inputs: r.inputs, rows: r.rows, outputs: r.outputs }).toEqual({ inputs: [], rows: 1, outputs: ['y'] });
    }
  });

  test('a model with inputs still needs them', () => {
    const withInput = model([spec('x', 'FP32', [-1])], [spec('y', 'FP32', [-1])]);
    expect(rejection(() => parseOipRequest(withInput, json({ inputs: [] }), undefined, LIMITS)).toBody()).toMatchObject({ code: 'RT_ERR_BAD_REQUEST', field: 'inputs' });
    expect(rejection(() => parseOipRequest(withInput, json({}), undefined, LIMITS)).code).toBe('RT_ERR_BAD_REQUEST');
  });
});

describe('tensor names that are Object.prototype properties', () => {
  const m = model([spec('constructor', 'FP32', [-1, 2]), spec('__proto__', 'INT32', [-1])], [spec('__proto__', 'FP32', [-1, 2]), spec('toString', 'INT32', [-1])]);

  test('instances keyed by them are read as inputs, and a missing one is missing', () => {
    const instances = JSON.parse('[{"constructor": [1, 2], "__proto__": 7}, {"constructor": [3, 4], "__proto__": 8}]') as unknown[];
    const r = parseInstances(m, instances, LIMITS);
    expect(r.inputs.map((t) => [t.name, t.shape, Array.from(t.data as Float32Array)])).toEqual([
      ['constructor', [2, 2], [1, 2, 3, 4]],
      ['__proto__', [2], [7, 8]],
    ]);
    // `'constructor' in {}` is true for every object: the check must be for an own key.
    const e = rejection(() => parseInstances(m, JSON.parse('[{"__proto__": 7}]') as unknown[], LIMITS));
    expect(e.toBody()).toMatchObject({ code: 'RT_ERR_MISSING_INPUT', field: 'instances[0].constructor' });
  });

  test('predictions keep an output named __proto__ as a key', () => {
    const result: ModelResult = {
      outputs: [
        { name: '__proto__', datatype: 'FP32', shape: [1, 2], data: new Float32Array([0.5, NaN]) },
        { name: 'toString', datatype: 'INT32', shape: [1], data: new Int32Array([3]) },
      ],
      queueMicros: 0,
      computeMicros: 0,
      batchRows: 1,
    };
    const text = JSON.stringify({ predictions: toPredictions(result, 1) });
    expect(text).toBe('{"predictions":[{"__proto__":[0.5,"NaN"],"toString":3}]}');
  });
});

describe('empty batches and non-finite outputs', () => {
  const m = model([spec('x', 'FP32', [-1, 3])], [spec('p', 'FP32', [-1, 2]), spec('l', 'INT64', [-1])]);
  const empty: ModelResult = {
    outputs: [
      { name: 'p', datatype: 'FP32', shape: [0, 2], data: new Float32Array(0) },
      { name: 'l', datatype: 'INT64', shape: [0], data: new BigInt64Array(0) },
    ],
    queueMicros: 0,
    computeMicros: 0,
    batchRows: 0,
  };

  test('a request of zero rows is valid and its answers are empty in every encoder', () => {
    const r = parseOipRequest(m, json({ inputs: [{ name: 'x', datatype: 'FP32', shape: [0, 3], data: [] }] }), undefined, LIMITS);
    expect(r.rows).toBe(0);
    expect(JSON.parse(encodeOipResponse(m, undefined, empty, new Set()).body as string).outputs).toEqual([
      { name: 'p', datatype: 'FP32', shape: [0, 2], data: [] },
      { name: 'l', datatype: 'INT64', shape: [0], data: [] },
    ]);
    expect(toPredictions(empty, 0)).toEqual([]);
    expect(toCsv(empty, 0)).toBe('');
  });

  test('non-finite outputs are strings in OIP JSON, predictions and CSV alike', () => {
    const result: ModelResult = {
      outputs: [
        { name: 'p', datatype: 'FP32', shape: [2, 2], data: new Float32Array([NaN, Infinity, -Infinity, 0.25]) },
        { name: 'l', datatype: 'INT64', shape: [2], data: new BigInt64Array([1n, 0n]) },
      ],
      queueMicros: 0,
      computeMicros: 0,
      batchRows: 2,
    };
    expect(encodeOipResponse(m, 'r', result, new Set()).body).toBe(
      '{"model_name":"m","model_version":"1","id":"r","outputs":[{"name":"p","datatype":"FP32","shape":[2,2],"data":["NaN","Infinity","-Infinity",0.25]},{"name":"l","datatype":"INT64","shape":[2],"data":[1,0]}]}',
    );
    expect(JSON.stringify(toPredictions(result, 2))).toBe('[{"p":["NaN","Infinity"],"l":1},{"p":["-Infinity",0.25],"l":0}]');
    expect(toCsv(result, 2)).toBe('NaN,Infinity,1\n-Infinity,0.25,0\n');
  });
});

describe('binary requests', () => {
  test('a raw body cannot count rows of zero bytes', () => {
    const m = model([spec('x', 'FP32', [-1, 0])], [spec('y', 'FP32', [-1, 0])]);
    expect(rejection(() => parseOipRequest(m, Buffer.alloc(0), 0, LIMITS)).toBody()).toMatchObject({ code: 'RT_ERR_BINARY', field: 'body' });
  });

  test('the BYTES element bound applies to binary data', () => {
    const m = model([spec('t', 'BYTES', [-1])], [spec('u', 'BYTES', [-1])]);
    const blob = Buffer.concat([Buffer.from([65, 0, 0, 0]), Buffer.alloc(65, 97)]);
    const head = Buffer.from(JSON.stringify({ inputs: [{ name: 't', datatype: 'BYTES', shape: [1], parameters: { binary_data_size: blob.length } }] }));
    const e = rejection(() => parseOipRequest(m, Buffer.concat([head, blob]), head.length, LIMITS));
    expect(e.toBody()).toMatchObject({ code: 'RT_ERR_TOO_LARGE_ELEMENT', received: '65 bytes' });
  });
});
