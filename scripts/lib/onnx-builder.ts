/**
 * A small, deterministic ONNX model writer for the example and fixture models.
 *
 * Declare the graph as plain data (inputs, outputs, nodes, initializers) and get the serialized
 * `onnx.ModelProto` (IR version 8) back. The same declaration always yields the same bytes: no
 * timestamps, no producer version, and fields are written in a fixed order.
 */
import { onnx } from 'onnx-proto';
import { datatypeInfo } from '../../lib/core/dtypes';
import type { Datatype } from '../../lib/core/dtypes';

/**
 * A graph input or output. A string dimension is symbolic (dynamic), e.g. `'N'`; `-1` is dynamic
 * without a name; `0` is a zero-size dimension. Any non-empty name is written as given (ONNX allows
 * any string: `0`, `onnx::Gemm_0`, `/layer1/Gemm_output_0`, names with spaces).
 */
export interface TensorDecl {
  readonly name: string;
  readonly datatype: Datatype;
  readonly shape: readonly (number | string)[];
}

/**
 * One graph node. Attribute values: an integer becomes an INT attribute, a non-integer a FLOAT;
 * an array of integers becomes INTS, an array with any non-integer FLOATS; a string is STRING.
 * (An integer-valued float attribute such as Gemm's `alpha: 1` would therefore be written as INT;
 * leave such attributes at their defaults or pass a non-integer.)
 */
export interface NodeDecl {
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly name?: string;
  readonly domain?: string;
  readonly attributes?: Readonly<Record<string, number | readonly number[] | string>>;
}

/** A constant tensor. FP32 and INT64 values are stored little-endian in `raw_data`. */
export interface InitializerDecl {
  readonly name: string;
  readonly datatype: 'FP32' | 'INT64';
  readonly dims: readonly number[];
  readonly values: Float32Array | readonly number[];
}

export interface ModelDecl {
  readonly inputs: readonly TensorDecl[];
  readonly outputs: readonly TensorDecl[];
  readonly nodes: readonly NodeDecl[];
  readonly initializers?: readonly InitializerDecl[];
  /** Default-domain opset. @default 17 */
  readonly opset?: number;
  /** @default 'main' */
  readonly graphName?: string;
  /** @default 'servingstack' */
  readonly producer?: string;
  /** `producer_version`, e.g. `2.1.0` for a model written by PyTorch 2.1. @default not written */
  readonly producerVersion?: string;
}

export const ONNX_IR_VERSION = 8;
export const DEFAULT_OPSET = 17;

/** Opset versions imported for non-default node domains (paired with default opset 17). */
const DOMAIN_OPSETS: Readonly<Record<string, number>> = { 'ai.onnx.ml': 3, 'com.microsoft': 1 };

const utf8 = new TextEncoder();

function valueInfo(t: TensorDecl): onnx.IValueInfoProto {
  const dims: onnx.TensorShapeProto.IDimension[] = t.shape.map((d) => {
    if (typeof d === 'string') {
      if (d.length === 0) throw new Error(`tensor ${t.name}: empty symbolic dimension name`);
      return { dimParam: d };
    }
    if (!Number.isSafeInteger(d) || d < -1) throw new Error(`tensor ${t.name}: invalid dimension ${d}`);
    // -1: dynamic dimension without a name.
    return d === -1 ? {} : { dimValue: d };
  });
  return {
    name: t.name,
    type: { tensorType: { elemType: datatypeInfo(t.datatype).onnx, shape: { dim: dims } } },
  };
}

function attribute(name: string, v: number | readonly number[] | string): onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'string') return { name, type: T.STRING, s: utf8.encode(v) };
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`attribute ${name}: non-finite value ${v}`);
    return Number.isInteger(v) ? { name, type: T.INT, i: v } : { name, type: T.FLOAT, f: v };
  }
  if (v.some((x) => !Number.isFinite(x))) throw new Error(`attribute ${name}: non-finite value`);
  return v.every((x) => Number.isInteger(x))
    ? { name, type: T.INTS, ints: [...v] }
    : { name, type: T.FLOATS, floats: [...v] };
}

function node(n: NodeDecl, index: number): onnx.INodeProto {
  const out: onnx.INodeProto = {
    input: [...n.inputs],
    output: [...n.outputs],
    name: n.name ?? `${n.opType}_${index}`,
    opType: n.opType,
  };
  if (n.domain) out.domain = n.domain;
  const attrs = Object.keys(n.attributes ?? {})
    .sort()
    .map((k) => attribute(k, n.attributes![k]!));
  if (attrs.length > 0) out.attribute = attrs;
  return out;
}

function initializer(init: InitializerDecl): onnx.ITensorProto {
  const count = init.dims.reduce((a, b) => a * b, 1);
  if (init.values.length !== count) {
    throw new Error(`initializer ${init.name}: ${init.values.length} values for dims [${init.dims.join(', ')}] (${count})`);
  }
  const elem = datatypeInfo(init.datatype);
  const raw = new Uint8Array(count * elem.byteSize);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < count; i++) {
    const v = init.values[i]!;
    if (init.datatype === 'FP32') {
      view.setFloat32(i * 4, v, true);
    } else {
      if (!Number.isSafeInteger(v)) throw new Error(`initializer ${init.name}: ${v} is not an integer`);
      view.setBigInt64(i * 8, BigInt(v), true);
    }
  }
  return { dims: [...init.dims], dataType: elem.onnx, name: init.name, rawData: raw };
}

/** Serialize a model declaration to ONNX `ModelProto` bytes (IR version 8). */
export function buildOnnxModel(model: ModelDecl): Uint8Array {
  const opset = model.opset ?? DEFAULT_OPSET;
  const domains = [...new Set(model.nodes.map((n) => n.domain ?? '').filter((d) => d !== ''))].sort();
  const opsetImport: onnx.IOperatorSetIdProto[] = [
    { domain: '', version: opset },
    ...domains.map((d) => ({ domain: d, version: DOMAIN_OPSETS[d] ?? 1 })),
  ];
  const graph: onnx.IGraphProto = {
    node: model.nodes.map(node),
    name: model.graphName ?? 'main',
    initializer: (model.initializers ?? []).map(initializer),
    input: model.inputs.map(valueInfo),
    output: model.outputs.map(valueInfo),
  };
  const proto: onnx.IModelProto = {
    irVersion: ONNX_IR_VERSION,
    opsetImport,
    producerName: model.producer ?? 'servingstack',
    ...(model.producerVersion ? { producerVersion: model.producerVersion } : {}),
    graph,
  };
  return onnx.ModelProto.encode(proto).finish();
}
