/**
 * Tensor decoding and encoding (lib/runtime/tensor.ts, tensor-json.ts) as units: shapes with zero-size and huge
 * dimensions, allocation only after the data length matches the declared shape, the BYTES element
 * bound, and the JSON convention for non-finite floats.
 */
import { RuntimeError } from '../../lib/runtime/errors';
import { checkShape, decodeBinaryData, DecodeLimits, floatToHalf, jsonFloat, toJsonArray } from '../../lib/runtime/tensor';
import { decodeJsonData } from '../../lib/runtime/tensor-json';

const LIMITS: DecodeLimits = { maxElements: 64 * 1024 * 1024, maxDepth: 32, maxBytesElementBytes: 1000 };

/** The RuntimeError a call throws (fails the test when it throws anything else or nothing). */
function rejection(fn: () => unknown): RuntimeError {
  try {
    fn();
  } catch (e) {
    if (e instanceof RuntimeError) return e;
    throw new Error(`expected a RuntimeError, got ${(e as Error).name}: ${(e as Error).message}`);
  }
  throw new Error('expected a RuntimeError, got none');
}

function bytesBody(values: readonly string[]): Uint8Array {
  const parts = values.flatMap((v) => {
    const b = Buffer.from(v, 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32LE(b.length, 0);
    return [len, b];
  });
  return new Uint8Array(Buffer.concat(parts));
}

describe('checkShape', () => {
  test('counts elements; zero-size dimensions make an empty tensor', () => {
    expect(checkShape([2, 3, 4], 's', LIMITS)).toBe(24);
    expect(checkShape([], 's', LIMITS)).toBe(1);
    expect(checkShape([0], 's', LIMITS)).toBe(0);
    expect(checkShape([5, 0, 7], 's', LIMITS)).toBe(0);
  });

  test('bounds the product of the non-zero dimensions, checked after every multiplication', () => {
    // Exactly at the limit, and one past it.
    expect(checkShape([8192, 8192], 's', LIMITS)).toBe(LIMITS.maxElements);
    expect(rejection(() => checkShape([8192, 8193], 's', LIMITS)).code).toBe('RT_ERR_TOO_LARGE_TENSOR');
    // Products beyond 2^53 would lose precision; beyond 2^1024 become Infinity: refused long before.
    expect(rejection(() => checkShape([2 ** 31 - 1, 2 ** 31 - 1, 2 ** 31 - 1], 's', LIMITS)).code).toBe('RT_ERR_TOO_LARGE_TENSOR');
    expect(rejection(() => checkShape([1e300, 1e300], 's', LIMITS)).code).toBe('RT_ERR_TOO_LARGE_TENSOR');
    // An empty tensor cannot smuggle in dimensions whose product would overflow ONNX Runtime's sizes.
    const e = rejection(() => checkShape([0, 2 ** 31 - 1, 2 ** 31 - 1], 'inputs[0].shape', LIMITS));
    expect(e.code).toBe('RT_ERR_TOO_LARGE_TENSOR');
    expect(e.toBody()).toMatchObject({ field: 'inputs[0].shape', allowed: expect.stringMatching(/at most 67108864 elements/) });
  });

  test('names the bad dimension', () => {
    for (const [shape, field] of [
      [[1, -1], 's[1]'],
      [[1.5], 's[0]'],
      [['2'], 's[0]'],
      [[null], 's[0]'],
      [[NaN], 's[0]'],
    ] as const) {
      const e = rejection(() => checkShape(shape, 's', LIMITS));
      expect({ code: e.code, field: e.details.field }).toEqual({ code: 'RT_ERR_SHAPE', field });
    }
    expect(rejection(() => checkShape('1x2', 's', LIMITS)).code).toBe('RT_ERR_SHAPE');
    expect(rejection(() => checkShape(new Array(17).fill(1), 's', LIMITS)).code).toBe('RT_ERR_SHAPE');
  });
});

describe('decodeJsonData', () => {
  test('flat, nested, scalar and empty data', () => {
    expect(Array.from(decodeJsonData('x', 'in', 'FP32', 4, [1, 2, 3, 4], false, LIMITS) as Float32Array)).toEqual([1, 2, 3, 4]);
    expect(Array.from(decodeJsonData('x', 'in', 'INT32', 4, [[1, 2], [3, 4]], false, LIMITS) as Int32Array)).toEqual([1, 2, 3, 4]);
    expect(Array.from(decodeJsonData('x', 'in', 'FP64', 1, 2.5, false, LIMITS) as Float64Array)).toEqual([2.5]);
    expect((decodeJsonData('x', 'in', 'FP32', 0, [], false, LIMITS) as Float32Array).length).toBe(0);
    expect((decodeJsonData('x', 'in', 'FP32', 0, [[], [], []], false, LIMITS) as Float32Array).length).toBe(0);
    expect(decodeJsonData('x', 'in', 'BYTES', 0, [[]], false, LIMITS)).toEqual([]);
  });

  test('a small body declaring a huge shape is refused before anything is allocated', () => {
    // 2^31 - 1 FP64 elements would be a 16 GiB allocation: it would throw RangeError if attempted.
    const big = rejection(() => decodeJsonData('x', 'inputs[0]', 'FP64', 2 ** 31 - 1, [1, 2, 3], false, LIMITS));
    expect(big.toBody()).toMatchObject({ code: 'RT_ERR_SHAPE', field: 'inputs[0].data', received: 3 });
    const bytes = rejection(() => decodeJsonData('x', 'inputs[0]', 'BYTES', 8192 * 8192, ['a'], false, LIMITS));
    expect(bytes.code).toBe('RT_ERR_SHAPE');
    // Nested data is counted before allocation too, and counting stops past the declared count.
    const nested = rejection(() => decodeJsonData('x', 'inputs[0]', 'FP32', 2, [[1, 2], [3, 4], [5, 6]], false, LIMITS));
    expect(nested.toBody()).toMatchObject({ code: 'RT_ERR_SHAPE', received: 'more than 2' });
    expect(rejection(() => decodeJsonData('x', 'inputs[0]', 'FP32', 0, [[1]], false, LIMITS)).code).toBe('RT_ERR_SHAPE');
  });

  test('nesting deeper than the limit is refused while counting', () => {
    let deep: unknown = [1];
    for (let i = 0; i < 40; i++) deep = [deep];
    expect(rejection(() => decodeJsonData('x', 'in', 'FP32', 5, deep, false, LIMITS)).code).toBe('RT_ERR_TOO_DEEP');
  });

  test('BYTES elements longer than the bound (in UTF-8 bytes) are refused', () => {
    expect(decodeJsonData('t', 'in', 'BYTES', 1, ['a'.repeat(1000)], false, LIMITS)).toEqual(['a'.repeat(1000)]);
    const e = rejection(() => decodeJsonData('t', 'inputs[0]', 'BYTES', 2, ['ok', 'é'.repeat(501)], false, LIMITS));
    expect(e.toBody()).toMatchObject({ code: 'RT_ERR_TOO_LARGE_ELEMENT', field: 'inputs[0].data[1]', received: '1002 bytes', allowed: expect.stringMatching(/SERVINGSTACK_MAX_BYTES_ELEMENT_BYTES/) });
  });

  test('non-finite strings are read where allowed', () => {
    const f = decodeJsonData('x', 'in', 'FP64', 3, ['NaN', 'Infinity', '-Infinity'], true, LIMITS) as Float64Array;
    expect(Array.from(f)).toEqual([NaN, Infinity, -Infinity]);
    expect(rejection(() => decodeJsonData('x', 'in', 'FP64', 1, ['NaN'], false, LIMITS)).code).toBe('RT_ERR_NON_FINITE');
  });
});

describe('decodeBinaryData', () => {
  test('BYTES: a count the data cannot hold is refused before allocating', () => {
    const e = rejection(() => decodeBinaryData('t', 'inputs[0]', 'BYTES', 2 ** 31 - 1, bytesBody(['a', 'b']), false, LIMITS));
    expect(e.toBody()).toMatchObject({ code: 'RT_ERR_BINARY', received: 10, allowed: expect.stringMatching(/4-byte length per element/) });
    expect(decodeBinaryData('t', 'in', 'BYTES', 0, new Uint8Array(0), false, LIMITS)).toEqual([]);
    expect(decodeBinaryData('t', 'in', 'BYTES', 3, bytesBody(['', 'x', 'üñ']), false, LIMITS)).toEqual(['', 'x', 'üñ']);
  });

  test('BYTES: an element longer than the bound is refused by its length prefix', () => {
    const e = rejection(() => decodeBinaryData('t', 'inputs[0]', 'BYTES', 1, bytesBody(['z'.repeat(1001)]), false, LIMITS));
    expect(e.toBody()).toMatchObject({ code: 'RT_ERR_TOO_LARGE_ELEMENT', received: '1001 bytes' });
    // Even when the prefix claims more than the body holds, the bound answers first.
    const lying = new Uint8Array(8);
    new DataView(lying.buffer).setUint32(0, 0xffffffff, true);
    expect(rejection(() => decodeBinaryData('t', 'inputs[0]', 'BYTES', 1, lying, false, LIMITS)).code).toBe('RT_ERR_TOO_LARGE_ELEMENT');
  });

  test('fixed-size types: zero-size tensors and size mismatches', () => {
    expect((decodeBinaryData('x', 'in', 'FP32', 0, new Uint8Array(0), false, LIMITS) as Float32Array).length).toBe(0);
    expect(rejection(() => decodeBinaryData('x', 'in', 'FP32', 0, new Uint8Array(4), false, LIMITS)).code).toBe('RT_ERR_BINARY');
    expect(rejection(() => decodeBinaryData('x', 'in', 'INT64', 2 ** 31 - 1, new Uint8Array(16), false, LIMITS)).code).toBe('RT_ERR_BINARY');
  });
});

describe('non-finite floats in JSON', () => {
  test('are written as "NaN", "Infinity" and "-Infinity" in every float type', () => {
    expect(toJsonArray('FP32', new Float32Array([1.5, NaN, Infinity, -Infinity, 0]))).toEqual([1.5, 'NaN', 'Infinity', '-Infinity', 0]);
    expect(toJsonArray('FP64', new Float64Array([NaN, -0.25]))).toEqual(['NaN', -0.25]);
    expect(toJsonArray('FP16', new Uint16Array([floatToHalf(NaN), floatToHalf(-Infinity), floatToHalf(2)]))).toEqual(['NaN', '-Infinity', 2]);
    expect(jsonFloat(Infinity)).toBe('Infinity');
    expect(JSON.stringify(toJsonArray('FP32', new Float32Array([NaN])))).toBe('["NaN"]');
  });

  test('round-trip through the request decoder', () => {
    const values = new Float64Array([NaN, Infinity, -Infinity, 1e-310, -0, 3]);
    const json = JSON.parse(JSON.stringify(toJsonArray('FP64', values))) as unknown[];
    const back = decodeJsonData('x', 'in', 'FP64', values.length, json, true, LIMITS) as Float64Array;
    expect(Array.from(back)).toEqual(Array.from(values).map((v) => (Object.is(v, -0) ? 0 : v))); // JSON has no -0
    const f16 = new Uint16Array([floatToHalf(NaN), floatToHalf(Infinity), floatToHalf(-Infinity), floatToHalf(0.5)]);
    const back16 = decodeJsonData('x', 'in', 'FP16', 4, JSON.parse(JSON.stringify(toJsonArray('FP16', f16))), true, LIMITS) as Uint16Array;
    expect(Array.from(back16)).toEqual(Array.from(f16));
  });
});
