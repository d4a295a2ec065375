/**
 * Tensors on the wire and in memory: shapes, binary tensor data (JSON data: tensor-json.ts) into
 * the typed arrays ONNX Runtime takes, and encoding results back. Every check runs before allocation where the
 * size comes from the client, and every failure is a RuntimeError naming the tensor.
 */
import { Datatype, datatypeInfo } from '../core/dtypes';
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

/** Refuse a BYTES element longer than the bound (UTF-8 bytes). */
export function checkElementLength(name: string, field: string, i: number, bytes: number, max: number): void {
  if (bytes > max) {
    throw rtError('RT_ERR_TOO_LARGE_ELEMENT', `input '${name}': BYTES element ${i} is longer than allowed`, {
      field,
      received: `${bytes} bytes`,
      allowed: `at most ${max} bytes per element (SERVINGSTACK_MAX_BYTES_ELEMENT_BYTES)`,
    });
  }
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
