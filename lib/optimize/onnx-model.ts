/**
 * Reading and rewriting ONNX graphs with `onnx-proto` (protobufjs): decode a model, look up
 * constant tensors, read FP32 weights, add INT8/FP32 initializers and nodes, encode again.
 * Pure JavaScript: no native code, so it runs anywhere the CLI runs.
 */
import { onnx } from 'onnx-proto';
import { ServingStackError } from '../core/errors';

export const TensorType = onnx.TensorProto.DataType;
const AttributeType = onnx.AttributeProto.AttributeType;

/** protobufjs decodes int64 fields as `Long` when the `long` package is present. */
export function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (value && typeof value === 'object' && typeof (value as { toNumber?: unknown }).toNumber === 'function') return (value as { toNumber(): number }).toNumber();
  return Number(value);
}

export function decodeModel(bytes: Uint8Array, source: string): onnx.ModelProto {
  try {
    const model = onnx.ModelProto.decode(bytes);
    if (!model.graph) throw new Error('the model has no graph');
    return model;
  } catch (e) {
    throw new ServingStackError('SS_ERR_ONNX_INVALID', `${source} is not a valid ONNX model`, [
      { field: source, message: (e as Error).message, allowed: 'a serialized ONNX ModelProto (.onnx file)' },
    ]);
  }
}

export function encodeModel(model: onnx.ModelProto): Uint8Array {
  return onnx.ModelProto.encode(model).finish();
}

/** Version of the default (`ai.onnx`) operator set. */
export function defaultOpset(model: onnx.IModelProto): number {
  const entry = (model.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  return entry ? toNumber(entry.version) : 0;
}

/** A dense FP32 tensor: row-major values and dimensions. */
export interface FloatTensor {
  readonly dims: readonly number[];
  readonly values: Float32Array;
}

/**
 * The values of an FP32 initializer, or a reason why it cannot be read here (another type,
 * external data).
 */
export function readFloatTensor(t: onnx.ITensorProto): FloatTensor | string {
  if (t.dataType !== TensorType.FLOAT) return `is of ONNX type ${t.dataType}, not FLOAT`;
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) return 'is stored as external data';
  const dims = (t.dims ?? []).map(toNumber);
  const count = dims.reduce((a, b) => a * b, 1);
  let values: Float32Array;
  if (t.rawData && t.rawData.length > 0) {
    if (t.rawData.length !== count * 4) return `holds ${t.rawData.length} bytes for ${count} values`;
    const view = new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength);
    values = new Float32Array(count);
    for (let i = 0; i < count; i++) values[i] = view.getFloat32(i * 4, true);
  } else {
    const data = t.floatData ?? [];
    if (data.length !== count) return `holds ${data.length} values for dims [${dims.join(', ')}]`;
    values = Float32Array.from(data);
  }
  return { dims, values };
}

/** An FP32 initializer (little-endian `raw_data`). */
export function floatInitializer(name: string, dims: readonly number[], values: Float32Array | readonly number[]): onnx.TensorProto {
  const raw = new Uint8Array(values.length * 4);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
  return onnx.TensorProto.create({ name, dims: [...dims], dataType: TensorType.FLOAT, rawData: raw });
}

/** An INT8 initializer (`raw_data`, one byte per value). */
export function int8Initializer(name: string, dims: readonly number[], values: Int8Array): onnx.TensorProto {
  return onnx.TensorProto.create({ name, dims: [...dims], dataType: TensorType.INT8, rawData: new Uint8Array(values.buffer, values.byteOffset, values.byteLength) });
}

export type AttributeValue = number | string;

export function node(opType: string, inputs: readonly string[], outputs: readonly string[], name: string, attributes: Record<string, AttributeValue> = {}): onnx.NodeProto {
  const attribute = Object.entries(attributes).map(([key, v]) =>
    typeof v === 'string' ? { name: key, type: AttributeType.STRING, s: new TextEncoder().encode(v) } : { name: key, type: AttributeType.INT, i: v },
  );
  return onnx.NodeProto.create({ opType, input: [...inputs], output: [...outputs], name, attribute });
}

/** An attribute's value (INT, FLOAT or STRING), or `fallback` when the node does not set it. */
export function attributeOf(n: onnx.INodeProto, key: string, fallback: number): number {
  const a = (n.attribute ?? []).find((x) => x.name === key);
  if (!a) return fallback;
  if (a.type === AttributeType.FLOAT) return a.f ?? fallback;
  if (a.type === AttributeType.INT) return toNumber(a.i);
  return fallback;
}

/** Names that are already taken in the graph (values, initializers, nodes), for fresh names. */
export class NameScope {
  private readonly used = new Set<string>();

  constructor(graph: onnx.IGraphProto) {
    for (const n of graph.node ?? []) {
      if (n.name) this.used.add(n.name);
      for (const x of [...(n.input ?? []), ...(n.output ?? [])]) this.used.add(x);
    }
    for (const t of graph.initializer ?? []) if (t.name) this.used.add(t.name);
    for (const v of [...(graph.input ?? []), ...(graph.output ?? []), ...(graph.valueInfo ?? [])]) if (v.name) this.used.add(v.name);
  }

  public fresh(base: string): string {
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }
}
