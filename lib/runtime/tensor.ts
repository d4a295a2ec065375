/**
 * Tensors on the wire and in memory: decoding OIP JSON / binary data into the typed arrays
 * ONNX Runtime takes, and encoding results back. Every check runs before allocation where the
 * size comes from the client, and every failure is a RuntimeError naming the tensor.
 */
import { Datatype, datatypeInfo, INTEGER_RANGES } from '../core/dtypes';
import { rtError } from './errors';

export type TypedTensorData =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

export type TensorData = TypedTensorData | string[];

export interface Tensor {
  readonly name: string;
  readonly datatype: Datatype;
  readonly shape: readonly number[];
  readonly data: TensorData;
}

export interface DecodeLimits {
  /** Largest number of elements one tensor may declare. */
  readonly maxElements: number;
  /** Deepest nesting of JSON arrays accepted in `data`. */
  readonly maxDepth: number;
  /** Longest BYTES element, in UTF-8 bytes. */
  readonly maxBytesElementBytes: number;
}

/** The decode limits of a runtime configuration. */
export function decodeLimitsOf(config: { readonly maxTensorElements: number; readonly maxJsonDepth: number; readonly maxBytesElementBytes: number }): DecodeLimits {
  return { maxElements: config.maxTensorElements, maxDepth: config.maxJsonDepth, maxBytesElementBytes: config.maxBytesElementBytes };
}

type TypedCtor = { new (n: number): TypedTensorData; BYTES_PER_ELEMENT: number };

const CTORS: Record<Exclude<Datatype, 'BYTES'>, TypedCtor> = {
  BOOL: Uint8Array,
  UINT8: Uint8Array,
  UINT16: Uint16Array,
  UINT32: Uint32Array,
  UINT64: BigUint64Array as unknown as TypedCtor,
  INT8: Int8Array,
  INT16: Int16Array,
  INT32: Int32Array,
  INT64: BigInt64Array as unknown as TypedCtor,
  FP16: Uint16Array,
  FP32: Float32Array,
  FP64: Float64Array,
};

export function allocate(datatype: Datatype, count: number): TensorData {
  if (datatype === 'BYTES') return new Array<string>(count).fill('');
  return new CTORS[datatype](count);
}

// ---------------------------------------------------------------------------------------------
// FP16 (IEEE 754 binary16) — ONNX Runtime node takes and returns the raw bits in a Uint16Array.

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export function floatToHalf(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // Inf / NaN
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow → Inf
  if (e <= 0) {
    if (e < -10) return sign; // underflow → 0
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >> shift;
    if ((mant >> (shift - 1)) & 1) half += 1; // round half up
    return sign | half;
  }
  let half = sign | (e << 10) | (mant >> 13);
  if (mant & 0x1000) {
    half += 1; // round to nearest
    e = (half >> 10) & 0x1f;
  }
  return half;
}

export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

// ---------------------------------------------------------------------------------------------

/**
 * Validate a client-declared shape and return its element count, before anything is allocated.
 * Dimensions are integers ≥ 0 (0 = an empty tensor). The product of the non-zero dimensions may
 * not exceed `maxElements`: it is checked after every multiplication, so it never grows past
 * `maxElements × one dimension` and stays exact in double precision, and an empty tensor cannot
 * smuggle in dimensions whose product would overflow the sizes ONNX Runtime computes.
 */
export function checkShape(shape: unknown, field: string, limits: Pick<DecodeLimits, 'maxElements'>): number {
  if (!Array.isArray(shape)) {
    throw rtError('RT_ERR_SHAPE', `${field} must be an array of dimension sizes`, { field, received: shape, allowed: 'an array of integers ≥ 0' });
  }
  if (shape.length > 16) {
    throw rtError('RT_ERR_SHAPE', `${field} has too many dimensions`, { field, received: shape.length, allowed: 'at most 16 dimensions' });
  }
  let nonZero = 1;
  let empty = false;
  for (let i = 0; i < shape.length; i++) {
    const d: unknown = shape[i];
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw rtError('RT_ERR_SHAPE', `${field}[${i}] must be an integer ≥ 0`, { field: `${field}[${i}]`, received: d, allowed: 'integers ≥ 0 (0 = empty)' });
    }
    if (d === 0) {
      empty = true;
      continue;
    }
    nonZero *= d;
    if (nonZero > limits.maxElements) {
      throw rtError('RT_ERR_TOO_LARGE_TENSOR', `${field} declares more elements than allowed`, {
        field,
        received: shape,
        allowed: `at most ${limits.maxElements} elements per tensor (the product of the non-zero dimensions)`,
      });
    }
  }
  return empty ? 0 : nonZero;
}

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

function checkElementLength(name: string, field: string, i: number, bytes: number, max: number): void {
  if (bytes > max) {
    throw rtError('RT_ERR_TOO_LARGE_ELEMENT', `input '${name}': BYTES element ${i} is longer than allowed`, {
      field,
      received: `${bytes} bytes`,
      allowed: `at most ${max} bytes per element (SERVINGSTACK_MAX_BYTES_ELEMENT_BYTES)`,
    });
  }
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

/** Decode one tensor from the binary tensor extension. */
export function decodeBinaryData(
  name: string,
  field: string,
  datatype: Datatype,
  count: number,
  bytes: Uint8Array,
  allowNonFinite: boolean,
  limits: Pick<DecodeLimits, 'maxBytesElementBytes'>,
): TensorData {
  if (datatype === 'BYTES') {
    // Every element takes at least its 4-byte length: check before allocating `count` slots.
    if (count > bytes.length / 4) {
      throw rtError('RT_ERR_BINARY', `input '${name}': ${bytes.length} bytes of BYTES data cannot hold ${count} elements`, { field, received: bytes.length, allowed: `at least ${count * 4} bytes (a 4-byte length per element)` });
    }
    const out: string[] = new Array<string>(count);
    let off = 0;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < count; i++) {
      if (off + 4 > bytes.length) {
        throw rtError('RT_ERR_BINARY', `input '${name}': BYTES data ends before element ${i}`, { field, received: bytes.length, allowed: `${count} length-prefixed elements` });
      }
      const len = view.getUint32(off, true);
      off += 4;
      checkElementLength(name, field, i, len, limits.maxBytesElementBytes);
      if (off + len > bytes.length) {
        throw rtError('RT_ERR_BINARY', `input '${name}': BYTES element ${i} runs past the data`, { field, received: len, allowed: `at most ${bytes.length - off} bytes` });
      }
      out[i] = Buffer.from(bytes.buffer, bytes.byteOffset + off, len).toString('utf8');
      off += len;
    }
    if (off !== bytes.length) {
      throw rtError('RT_ERR_BINARY', `input '${name}': BYTES data has trailing bytes`, { field, received: bytes.length, allowed: `${off} bytes for ${count} elements` });
    }
    return out;
  }
  const size = datatypeInfo(datatype).byteSize;
  if (bytes.length !== count * size) {
    throw rtError('RT_ERR_BINARY', `input '${name}': binary_data_size does not match shape and datatype`, {
      field: `${field}.parameters.binary_data_size`,
      received: bytes.length,
      allowed: `${count * size} bytes (${count} × ${size}-byte ${datatype})`,
    });
  }
  const out = allocate(datatype, count) as TypedTensorData;
  new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(bytes);
  if (!allowNonFinite && (datatype === 'FP32' || datatype === 'FP64')) {
    const f = out as Float32Array | Float64Array;
    for (let i = 0; i < f.length; i++) {
      if (!Number.isFinite(f[i])) {
        throw rtError('RT_ERR_NON_FINITE', `input '${name}': element ${i} is not finite`, { field, received: String(f[i]), allowed: 'finite numbers' });
      }
    }
  } else if (!allowNonFinite && datatype === 'FP16') {
    const h = out as Uint16Array;
    for (let i = 0; i < h.length; i++) {
      if ((h[i] & 0x7c00) === 0x7c00) {
        throw rtError('RT_ERR_NON_FINITE', `input '${name}': element ${i} is not finite`, { field, received: String(halfToFloat(h[i])), allowed: 'finite numbers' });
      }
    }
  } else if (datatype === 'BOOL') {
    const b = out as Uint8Array;
    for (let i = 0; i < b.length; i++) if (b[i] > 1) b[i] = 1;
  }
  return out;
}

/**
 * A float as JSON: finite numbers as numbers; NaN, Infinity and -Infinity as the strings `"NaN"`,
 * `"Infinity"` and `"-Infinity"`, which the request side reads back (JSON has no such numbers, and
 * `JSON.stringify` would write `null`).
 */
export function jsonFloat(x: number): number | string {
  return Number.isFinite(x) ? x : String(x);
}

/**
 * Flat JSON array for a tensor's data. Non-finite floats become strings (see {@link jsonFloat});
 * INT64 beyond 2^53 loses precision (as in every JSON server).
 */
export function toJsonArray(datatype: Datatype, data: TensorData): unknown[] {
  switch (datatype) {
    case 'BYTES':
      return data as string[];
    case 'BOOL': {
      const b = data as Uint8Array;
      const out = new Array<boolean>(b.length);
      for (let i = 0; i < b.length; i++) out[i] = b[i] !== 0;
      return out;
    }
    case 'INT64':
    case 'UINT64': {
      const b = data as BigInt64Array;
      const out = new Array<number>(b.length);
      for (let i = 0; i < b.length; i++) out[i] = Number(b[i]);
      return out;
    }
    case 'FP16': {
      const h = data as Uint16Array;
      const out = new Array<number | string>(h.length);
      for (let i = 0; i < h.length; i++) out[i] = jsonFloat(halfToFloat(h[i]));
      return out;
    }
    case 'FP32':
    case 'FP64': {
      const f = data as Float32Array | Float64Array;
      const out = new Array<number | string>(f.length);
      for (let i = 0; i < f.length; i++) {
        const x = f[i];
        out[i] = x - x === 0 ? x : String(x); // x - x is NaN exactly for NaN and ±Infinity
      }
      return out;
    }
    default:
      return Array.from(data as Int32Array);
  }
}

/** Raw bytes of a tensor for the binary tensor extension. */
export function toBinary(datatype: Datatype, data: TensorData): Buffer {
  if (datatype === 'BYTES') {
    const parts: Buffer[] = [];
    for (const s of data as string[]) {
      const b = Buffer.from(s, 'utf8');
      const len = Buffer.allocUnsafe(4);
      len.writeUInt32LE(b.length, 0);
      parts.push(len, b);
    }
    return Buffer.concat(parts);
  }
  const t = data as TypedTensorData;
  return Buffer.from(t.buffer, t.byteOffset, t.byteLength);
}

/** Rows `[start, end)` of a tensor's data along dimension 0. */
export function sliceRows(data: TensorData, rowSize: number, start: number, end: number): TensorData {
  if (Array.isArray(data)) return data.slice(start * rowSize, end * rowSize);
  return (data as Float32Array).subarray(start * rowSize, end * rowSize) as TypedTensorData;
}

/** Concatenate tensors' data along dimension 0 into a fresh (transferable) buffer. */
export function concatRows(datatype: Datatype, parts: readonly TensorData[], total: number): TensorData {
  if (parts.length === 1 && !Array.isArray(parts[0])) {
    // Single request: copy only when the data shares its buffer with something else.
    const only = parts[0] as TypedTensorData;
    if (only.byteOffset === 0 && only.byteLength === only.buffer.byteLength) return only;
  }
  if (datatype === 'BYTES') return ([] as string[]).concat(...(parts as string[][]));
  const out = allocate(datatype, total) as TypedTensorData;
  let off = 0;
  for (const p of parts) {
    (out as Float32Array).set(p as Float32Array, off);
    off += (p as TypedTensorData).length;
  }
  return out;
}
