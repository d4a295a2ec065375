/**
 * Tensor datatypes: the Open Inference Protocol names are ServingStack's vocabulary
 * (manifests, wire formats, metadata). This table maps them to ONNX Runtime's names,
 * element sizes and JavaScript storage.
 */

export const DATATYPES = [
  'BOOL',
  'UINT8',
  'UINT16',
  'UINT32',
  'UINT64',
  'INT8',
  'INT16',
  'INT32',
  'INT64',
  'FP16',
  'FP32',
  'FP64',
  'BYTES',
] as const;

export type Datatype = (typeof DATATYPES)[number];

export interface DatatypeInfo {
  /** OIP datatype name. */
  readonly name: Datatype;
  /** onnxruntime-common tensor type. */
  readonly ort: string;
  /** Bytes per element in the binary tensor encoding; 0 for variable-length BYTES. */
  readonly byteSize: number;
  /** ONNX TensorProto.DataType enum value. */
  readonly onnx: number;
  /** Whether JSON numbers for this type are integers. */
  readonly integer: boolean;
  /** Whether the type is a floating point type (NaN/Infinity possible). */
  readonly float: boolean;
}

const table: DatatypeInfo[] = [
  { name: 'BOOL', ort: 'bool', byteSize: 1, onnx: 9, integer: false, float: false },
  { name: 'UINT8', ort: 'uint8', byteSize: 1, onnx: 2, integer: true, float: false },
  { name: 'UINT16', ort: 'uint16', byteSize: 2, onnx: 4, integer: true, float: false },
  { name: 'UINT32', ort: 'uint32', byteSize: 4, onnx: 12, integer: true, float: false },
  { name: 'UINT64', ort: 'uint64', byteSize: 8, onnx: 13, integer: true, float: false },
  { name: 'INT8', ort: 'int8', byteSize: 1, onnx: 3, integer: true, float: false },
  { name: 'INT16', ort: 'int16', byteSize: 2, onnx: 5, integer: true, float: false },
  { name: 'INT32', ort: 'int32', byteSize: 4, onnx: 6, integer: true, float: false },
  { name: 'INT64', ort: 'int64', byteSize: 8, onnx: 7, integer: true, float: false },
  { name: 'FP16', ort: 'float16', byteSize: 2, onnx: 10, integer: false, float: true },
  { name: 'FP32', ort: 'float32', byteSize: 4, onnx: 1, integer: false, float: true },
  { name: 'FP64', ort: 'float64', byteSize: 8, onnx: 11, integer: false, float: true },
  { name: 'BYTES', ort: 'string', byteSize: 0, onnx: 8, integer: false, float: false },
];

const byName = new Map<string, DatatypeInfo>(table.map((t) => [t.name, t]));
const byOrt = new Map<string, DatatypeInfo>(table.map((t) => [t.ort, t]));
const byOnnx = new Map<number, DatatypeInfo>(table.map((t) => [t.onnx, t]));

export function isDatatype(x: unknown): x is Datatype {
  return typeof x === 'string' && byName.has(x);
}

export function datatypeInfo(dt: Datatype): DatatypeInfo {
  const info = byName.get(dt);
  if (!info) throw new Error(`unknown datatype ${dt}`);
  return info;
}

/** OIP datatype for an onnxruntime tensor type, or undefined when OIP has none (int4, bfloat16…). */
export function datatypeFromOrt(ortType: string): Datatype | undefined {
  return byOrt.get(ortType)?.name;
}

/** OIP datatype for an ONNX TensorProto elem_type, or undefined. */
export function datatypeFromOnnx(elemType: number): Datatype | undefined {
  return byOnnx.get(elemType)?.name;
}

/** Integer ranges for JSON validation of integer types that fit a JS number. */
export const INTEGER_RANGES: Readonly<Record<string, readonly [number, number]>> = {
  UINT8: [0, 0xff],
  UINT16: [0, 0xffff],
  UINT32: [0, 0xffffffff],
  UINT64: [0, Number.MAX_SAFE_INTEGER],
  INT8: [-0x80, 0x7f],
  INT16: [-0x8000, 0x7fff],
  INT32: [-0x80000000, 0x7fffffff],
  INT64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};
