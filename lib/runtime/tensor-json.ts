/**
 * Decoding Open Inference Protocol JSON tensor data (flat or nested arrays, row-major) into the
 * typed arrays ONNX Runtime takes. The element count is checked against the declared shape before
 * anything is allocated; every failure is a RuntimeError naming the tensor and the element.
 */
import { Datatype, INTEGER_RANGES } from '../core/dtypes';
import { rtError } from './errors';
import { allocate, checkElementLength, DecodeLimits, floatToHalf, TensorData } from './tensor';

function nonFiniteString(v: string): number | undefined {
  switch (v) {
    case 'NaN':
      return NaN;
    case 'Infinity':
    case '+Infinity':
    case 'inf':
      return Infinity;
    case '-Infinity':
    case '-inf':
      return -Infinity;
    default:
      return undefined;
  }
}

interface JsonDecodeContext {
  readonly name: string;
  readonly field: string;
  readonly datatype: Datatype;
  readonly allowNonFinite: boolean;
  readonly count: number;
  readonly out: TensorData;
  readonly maxDepth: number;
  readonly maxBytesElementBytes: number;
  index: number;
}

function writeScalar(ctx: JsonDecodeContext, v: unknown): void {
  const i = ctx.index;
  if (i >= ctx.count) {
    throw rtError('RT_ERR_SHAPE', `input '${ctx.name}': data has more elements than its shape declares`, {
      field: `${ctx.field}.data`,
      received: `more than ${ctx.count} elements`,
      allowed: `exactly ${ctx.count} elements (the product of shape)`,
    });
  }
  const dt = ctx.datatype;
  const out = ctx.out;
  switch (dt) {
    case 'FP32':
    case 'FP64':
    case 'FP16': {
      let x: number;
      if (typeof v === 'number') x = v;
      else {
        const nf = typeof v === 'string' ? nonFiniteString(v) : undefined;
        if (nf === undefined) {
          throw rtError('RT_ERR_DATATYPE', `input '${ctx.name}': element ${i} is not a number`, {
            field: `${ctx.field}.data[${i}]`,
            received: v,
            allowed: `${dt} numbers`,
          });
        }
        if (!ctx.allowNonFinite) {
          throw rtError('RT_ERR_NON_FINITE', `input '${ctx.name}': element ${i} is not finite`, {
            field: `${ctx.field}.data[${i}]`,
            received: v,
            allowed: 'finite numbers (this input does not allow NaN or Infinity)',
          });
        }
        x = nf;
      }
      if (dt === 'FP16') (out as Uint16Array)[i] = floatToHalf(x);
      else (out as Float32Array | Float64Array)[i] = x;
      // A finite JSON number can still overflow the type (1e39 in FP32, 1e5 in FP16; 1e400 parses
      // as Infinity): refuse it where the input does not allow non-finite values.
      if (!ctx.allowNonFinite && (dt === 'FP16' ? ((out as Uint16Array)[i] & 0x7c00) === 0x7c00 : !Number.isFinite((out as Float32Array | Float64Array)[i]))) {
        throw rtError('RT_ERR_NON_FINITE', `input '${ctx.name}': element ${i} is not finite in ${dt}`, {
          field: `${ctx.field}.data[${i}]`,
          received: v,
          allowed: `finite ${dt} numbers (this input does not allow NaN or Infinity)`,
        });
      }
      break;
    }
    case 'BOOL':
      if (v === true || v === 1) (out as Uint8Array)[i] = 1;
      else if (v === false || v === 0) (out as Uint8Array)[i] = 0;
      else throw rtError('RT_ERR_DATATYPE', `input '${ctx.name}': element ${i} is not a boolean`, { field: `${ctx.field}.data[${i}]`, received: v, allowed: 'true | false' });
      break;
    case 'BYTES':
      if (typeof v !== 'string') {
        throw rtError('RT_ERR_DATATYPE', `input '${ctx.name}': element ${i} is not a string`, { field: `${ctx.field}.data[${i}]`, received: v, allowed: 'strings' });
      }
      if (v.length * 3 > ctx.maxBytesElementBytes) checkElementLength(ctx.name, `${ctx.field}.data[${i}]`, i, Buffer.byteLength(v, 'utf8'), ctx.maxBytesElementBytes);
      (out as string[])[i] = v;
      break;
    case 'INT64':
    case 'UINT64': {
      let b: bigint;
      if (typeof v === 'number' && Number.isSafeInteger(v)) b = BigInt(v);
      else if (typeof v === 'string' && /^-?\d{1,20}$/.test(v)) b = BigInt(v);
      else {
        throw rtError('RT_ERR_DATATYPE', `input '${ctx.name}': element ${i} is not a ${dt} integer`, {
          field: `${ctx.field}.data[${i}]`,
          received: v,
          allowed: 'integers (as JSON numbers up to 2^53, or as decimal strings for full 64-bit precision)',
        });
      }
      const ok = dt === 'INT64' ? b >= -(2n ** 63n) && b < 2n ** 63n : b >= 0n && b < 2n ** 64n;
      if (!ok) {
        throw rtError('RT_ERR_DATATYPE', `input '${ctx.name}': element ${i} is out of range for ${dt}`, {
          field: `${ctx.field}.data[${i}]`,
          received: v,
          allowed: dt === 'INT64' ? '-2^63 … 2^63-1' : '0 … 2^64-1',
        });
      }
      (out as BigInt64Array | BigUint64Array)[i] = b as never;
      break;
    }
    default: {
      const range = INTEGER_RANGES[dt];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < range[0] || v > range[1]) {
        throw rtError('RT_ERR_DATATYPE', `input '${ctx.name}': element ${i} is not a ${dt} value`, {
          field: `${ctx.field}.data[${i}]`,
          received: v,
          allowed: `integers ${range[0]} … ${range[1]}`,
        });
      }
      (out as Int32Array)[i] = v;
    }
  }
  ctx.index = i + 1;
}

function flatten(ctx: JsonDecodeContext, arr: readonly unknown[], depth: number): void {
  if (depth > ctx.maxDepth) throw tooDeep(ctx);
  for (let k = 0; k < arr.length; k++) {
    const v = arr[k];
    if (Array.isArray(v)) flatten(ctx, v, depth + 1);
    else writeScalar(ctx, v);
  }
}

function tooDeep(ctx: Pick<JsonDecodeContext, 'name' | 'field' | 'maxDepth'>): Error {
  return rtError('RT_ERR_TOO_DEEP', `input '${ctx.name}': data is nested too deeply`, {
    field: `${ctx.field}.data`,
    received: `depth > ${ctx.maxDepth}`,
    allowed: `at most ${ctx.maxDepth} levels of nested arrays`,
  });
}

/** Leaves of nested arrays, counting no further than `stopAfter` (the walk is bounded by the body). */
function countLeaves(ctx: Pick<JsonDecodeContext, 'name' | 'field' | 'maxDepth'>, arr: readonly unknown[], depth: number, stopAfter: number): number {
  if (depth > ctx.maxDepth) throw tooDeep(ctx);
  let n = 0;
  for (let k = 0; k < arr.length && n <= stopAfter; k++) {
    const v = arr[k];
    n += Array.isArray(v) ? countLeaves(ctx, v, depth + 1, stopAfter - n) : 1;
  }
  return n;
}

function lengthMismatch(name: string, field: string, got: number | string, count: number): Error {
  return rtError('RT_ERR_SHAPE', `input '${name}': data has ${got} elements but its shape declares ${count}`, {
    field: `${field}.data`,
    received: got,
    allowed: `exactly ${count} elements (the product of shape)`,
  });
}

/**
 * Decode OIP JSON `data` (flat or nested, row-major) for a tensor whose shape was checked
 * with checkShape (count = element count). Memory is allocated only once the data is known to
 * hold `count` elements, so a small body cannot make the server allocate a large declared shape.
 */
export function decodeJsonData(
  name: string,
  field: string,
  datatype: Datatype,
  count: number,
  data: unknown,
  allowNonFinite: boolean,
  limits: DecodeLimits,
): TensorData {
  if (!Array.isArray(data)) {
    // A scalar is accepted for a one-element tensor.
    if (count === 1 && data !== null && typeof data !== 'object') data = [data];
    else throw rtError('RT_ERR_BAD_REQUEST', `input '${name}': data must be an array`, { field: `${field}.data`, received: data, allowed: 'a flat or nested JSON array' });
  }
  const arr = data as unknown[];
  const base = { name, field, maxDepth: limits.maxDepth };
  // A flat array of `count` values is the common case; otherwise count the leaves before allocating.
  if (arr.length !== count) {
    const leaves = countLeaves(base, arr, 1, count);
    if (leaves !== count) throw lengthMismatch(name, field, leaves > count ? `more than ${count}` : leaves, count);
  }
  const out = allocate(datatype, count);
  const ctx: JsonDecodeContext = { ...base, datatype, allowNonFinite, count, out, maxBytesElementBytes: limits.maxBytesElementBytes, index: 0 };
  let k = 0;
  // Fast path: flat FP32 array of numbers.
  if (datatype === 'FP32' && arr.length === count) {
    const f = out as Float32Array;
    for (; k < count; k++) {
      const v = arr[k];
      if (typeof v !== 'number') break;
      f[k] = v;
      if (!allowNonFinite && !Number.isFinite(f[k])) break; // writeScalar below throws for it
    }
    if (k === count) return out;
    ctx.index = k;
  }
  for (; k < arr.length; k++) {
    const v = arr[k];
    if (Array.isArray(v)) flatten(ctx, v, 2);
    else writeScalar(ctx, v);
  }
  if (ctx.index !== count) throw lengthMismatch(name, field, ctx.index, count);
  return out;
}
