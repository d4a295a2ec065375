/**
 * Read an ONNX model's signature (graph inputs and outputs, opset, producer) in pure JavaScript:
 * a small protobuf walker finds the ModelProto/GraphProto fields, `onnx-proto` decodes the
 * ValueInfoProto and OperatorSetIdProto messages; weights are skipped, never decoded. No native code: constructs call this at synth time
 * to check a package's manifest against its model.
 */
import { onnx } from 'onnx-proto';
import { DATATYPES, datatypeFromOnnx, datatypeInfo } from './dtypes';
import { IssueCollector, ServingStackError, ValidationIssue } from './errors';
import type { Signature, TensorSpec } from './manifest';

/** A tensor of an ONNX graph's signature. */
export interface OnnxTensorSpec extends TensorSpec {
  /**
   * Set when the model declares no shape at all for the tensor (unknown rank); `shape` is then `[]`
   * and any manifest shape is accepted for it.
   */
  readonly unknownRank?: true;
}

export interface OnnxSignature extends Signature {
  readonly inputs: OnnxTensorSpec[];
  readonly outputs: OnnxTensorSpec[];
  /** Version of the default (`ai.onnx`) operator set the model imports. */
  readonly opset: number;
  /** `producer_name` and `producer_version` of the tool that wrote the model, when recorded. */
  readonly producer?: string;
}

/** ONNX TensorProto.DataType names, for messages about types ServingStack does not serve. */
const ONNX_TYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'UNDEFINED',
  1: 'FLOAT',
  2: 'UINT8',
  3: 'INT8',
  4: 'UINT16',
  5: 'INT16',
  6: 'INT32',
  7: 'INT64',
  8: 'STRING',
  9: 'BOOL',
  10: 'FLOAT16',
  11: 'DOUBLE',
  12: 'UINT32',
  13: 'UINT64',
  14: 'COMPLEX64',
  15: 'COMPLEX128',
  16: 'BFLOAT16',
  17: 'FLOAT8E4M3FN',
  18: 'FLOAT8E4M3FNUZ',
  19: 'FLOAT8E5M2',
  20: 'FLOAT8E5M2FNUZ',
  21: 'UINT4',
  22: 'INT4',
  23: 'FLOAT4E2M1',
};

/** `FLOAT (1)`-style rendering of an ONNX element type. */
export function onnxTypeName(elemType: number): string {
  return `${ONNX_TYPE_NAMES[elemType] ?? 'unknown'} (${elemType})`;
}

const SUPPORTED_ONNX_TYPES = DATATYPES.map((dt) => `${onnxTypeName(datatypeInfo(dt).onnx)} → ${dt}`).join(', ');

/** protobufjs decodes int64 fields as `Long` objects when the `long` package is present. */
function int64(value: unknown): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number') return value;
  if (typeof value === 'object' && typeof (value as { toNumber?: unknown }).toNumber === 'function') {
    return (value as { toNumber(): number }).toNumber();
  }
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

function invalid(source: string, message: string): ServingStackError {
  return new ServingStackError('SS_ERR_ONNX_INVALID', `${source} is not a valid ONNX model`, [
    { field: source, message, allowed: 'a serialized ONNX ModelProto (.onnx file)' },
  ]);
}

/**
 * A forward-only protobuf reader over one message. Only the fields a signature needs are decoded;
 * everything else (above all the weights in `graph.initializer`) is skipped without being
 * materialised, so reading the signature of a large model costs next to nothing.
 */
class ProtoWalker {
  private pos: number;

  constructor(
    private readonly buf: Uint8Array,
    start = 0,
    private readonly end = buf.length,
  ) {
    this.pos = start;
  }

  public get done(): boolean {
    return this.pos >= this.end;
  }

  public varint(): number {
    let value = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      if (this.pos >= this.end) throw new Error(`truncated varint at offset ${this.pos}`);
      const b = this.buf[this.pos++]!;
      value += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return value;
    }
    throw new Error(`varint longer than 10 bytes at offset ${this.pos}`);
  }

  /** Next field key, as [field number, wire type]. */
  public key(): [number, number] {
    const k = this.varint();
    const field = Math.floor(k / 8);
    if (field === 0) throw new Error(`field number 0 at offset ${this.pos}`);
    return [field, k % 8];
  }

  public bytes(): Uint8Array {
    const len = this.varint();
    if (this.pos + len > this.end) throw new Error(`length ${len} at offset ${this.pos} runs past the end`);
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  public skip(wire: number, field: number): void {
    switch (wire) {
      case 0:
        this.varint();
        return;
      case 1:
        this.advance(8);
        return;
      case 2:
        this.bytes();
        return;
      case 5:
        this.advance(4);
        return;
      case 3:
        for (;;) {
          const [f, w] = this.key();
          if (w === 4) {
            if (f !== field) throw new Error(`mismatched end group at offset ${this.pos}`);
            return;
          }
          this.skip(w, f);
        }
      default:
        throw new Error(`invalid wire type ${wire} at offset ${this.pos}`);
    }
  }

  private advance(n: number): void {
    if (this.pos + n > this.end) throw new Error(`truncated field at offset ${this.pos}`);
    this.pos += n;
  }
}

const WIRE_VARINT = 0;
const WIRE_LEN = 2;
const utf8 = new TextDecoder('utf-8');

function expectWire(wire: number, expected: number, what: string): void {
  if (wire !== expected) throw new Error(`${what} has wire type ${wire}, expected ${expected}`);
}

/** `name` (field 8) of a TensorProto, skipping its data. */
function tensorProtoName(bytes: Uint8Array): string | undefined {
  const w = new ProtoWalker(bytes);
  let name: string | undefined;
  while (!w.done) {
    const [field, wire] = w.key();
    if (field === 8) {
      expectWire(wire, WIRE_LEN, 'TensorProto.name');
      name = utf8.decode(w.bytes());
    } else {
      w.skip(wire, field);
    }
  }
  return name;
}

/** `values.name` (field 1 → 8) of a SparseTensorProto. */
function sparseTensorProtoName(bytes: Uint8Array): string | undefined {
  const w = new ProtoWalker(bytes);
  let name: string | undefined;
  while (!w.done) {
    const [field, wire] = w.key();
    if (field === 1) {
      expectWire(wire, WIRE_LEN, 'SparseTensorProto.values');
      name = tensorProtoName(w.bytes()) ?? name;
    } else {
      w.skip(wire, field);
    }
  }
  return name;
}

/** The parts of a ModelProto a signature needs. */
interface ModelSummary {
  irVersion: number;
  producerName: string;
  producerVersion: string;
  opsetImport: onnx.OperatorSetIdProto[];
  graphs: number;
  inputs: onnx.ValueInfoProto[];
  outputs: onnx.ValueInfoProto[];
  initializers: Set<string>;
}

function walkGraph(bytes: Uint8Array, into: ModelSummary): void {
  const w = new ProtoWalker(bytes);
  while (!w.done) {
    const [field, wire] = w.key();
    switch (field) {
      case 5: // initializer
        expectWire(wire, WIRE_LEN, 'GraphProto.initializer');
        {
          const name = tensorProtoName(w.bytes());
          if (name) into.initializers.add(name);
        }
        break;
      case 11: // input
        expectWire(wire, WIRE_LEN, 'GraphProto.input');
        into.inputs.push(onnx.ValueInfoProto.decode(w.bytes()));
        break;
      case 12: // output
        expectWire(wire, WIRE_LEN, 'GraphProto.output');
        into.outputs.push(onnx.ValueInfoProto.decode(w.bytes()));
        break;
      case 15: // sparse_initializer
        expectWire(wire, WIRE_LEN, 'GraphProto.sparse_initializer');
        {
          const name = sparseTensorProtoName(w.bytes());
          if (name) into.initializers.add(name);
        }
        break;
      default:
        w.skip(wire, field);
    }
  }
}

function walkModel(bytes: Uint8Array): ModelSummary {
  const summary: ModelSummary = {
    irVersion: 0,
    producerName: '',
    producerVersion: '',
    opsetImport: [],
    graphs: 0,
    inputs: [],
    outputs: [],
    initializers: new Set(),
  };
  const w = new ProtoWalker(bytes);
  while (!w.done) {
    const [field, wire] = w.key();
    switch (field) {
      case 1: // ir_version
        expectWire(wire, WIRE_VARINT, 'ModelProto.ir_version');
        summary.irVersion = w.varint();
        break;
      case 2: // producer_name
        expectWire(wire, WIRE_LEN, 'ModelProto.producer_name');
        summary.producerName = utf8.decode(w.bytes());
        break;
      case 3: // producer_version
        expectWire(wire, WIRE_LEN, 'ModelProto.producer_version');
        summary.producerVersion = utf8.decode(w.bytes());
        break;
      case 7: // graph (repeated occurrences merge)
        expectWire(wire, WIRE_LEN, 'ModelProto.graph');
        walkGraph(w.bytes(), summary);
        summary.graphs++;
        break;
      case 8: // opset_import
        expectWire(wire, WIRE_LEN, 'ModelProto.opset_import');
        summary.opsetImport.push(onnx.OperatorSetIdProto.decode(w.bytes()));
        break;
      default:
        w.skip(wire, field);
    }
  }
  return summary;
}

function decodeModel(bytes: Uint8Array, source: string): ModelSummary {
  if (!(bytes instanceof Uint8Array)) throw invalid(source, 'is not a byte array');
  if (bytes.length === 0) throw invalid(source, 'is empty');
  let model: ModelSummary;
  try {
    model = walkModel(bytes);
  } catch (e) {
    throw invalid(source, `cannot be decoded as protobuf (${(e as Error).message})`);
  }
  // Arbitrary bytes sometimes decode "successfully" as a sparse message: require what every
  // real model has.
  if (model.irVersion <= 0) throw invalid(source, 'has no ir_version');
  if (model.graphs === 0) throw invalid(source, 'has no graph');
  return model;
}

function tensorSpec(
  info: onnx.IValueInfoProto,
  field: string,
  issues: IssueCollector,
): OnnxTensorSpec | undefined {
  const name = info.name ?? '';
  const where = `${field} (${JSON.stringify(name)})`;
  if (!name) {
    issues.add({ field, message: 'has no name', allowed: 'a named graph input/output' });
    return undefined;
  }
  const tensorType = info.type?.tensorType;
  if (!tensorType) {
    const kind = info.type?.sequenceType
      ? 'sequence'
      : info.type?.mapType
        ? 'map'
        : info.type?.optionalType
          ? 'optional'
          : info.type?.sparseTensorType
            ? 'sparse tensor'
            : 'no type';
    issues.add({ field: where, message: 'is not a dense tensor', received: kind, allowed: 'a tensor type' });
    return undefined;
  }
  const elemType = tensorType.elemType ?? 0;
  const datatype = datatypeFromOnnx(elemType);
  if (!datatype) {
    issues.add({
      field: `${where}.elem_type`,
      message: 'is an element type ServingStack cannot serve',
      received: onnxTypeName(elemType),
      allowed: SUPPORTED_ONNX_TYPES,
    });
    return undefined;
  }
  if (!tensorType.shape) return { name, datatype, shape: [], unknownRank: true };
  const shape = (tensorType.shape.dim ?? []).map((d) => {
    const dim = d as onnx.TensorShapeProto.IDimension & { value?: string };
    if (dim.value !== 'dimValue') return -1;
    const v = int64(dim.dimValue);
    return v === undefined || v < 0 ? -1 : v;
  });
  return { name, datatype, shape };
}

/**
 * Decode an ONNX model and return its serving signature. Graph inputs that are initializers
 * (weights with a default value) are not inputs. Dimensions: `dim_value` → its number,
 * `dim_param` or no value → -1.
 *
 * Throws `SS_ERR_ONNX_INVALID` for bytes that are not an ONNX model, and `SS_ERR_ONNX_UNSUPPORTED`
 * (listing every offending tensor) when inputs or outputs are not tensors of a supported datatype.
 *
 * @param source name used in error messages @default 'model.onnx'
 */
export function readOnnxSignature(bytes: Uint8Array, source = 'model.onnx'): OnnxSignature {
  const model = decodeModel(bytes, source);
  const issues = new IssueCollector();
  const inputs: OnnxTensorSpec[] = [];
  model.inputs.forEach((info, i) => {
    if (info.name && model.initializers.has(info.name)) return;
    const spec = tensorSpec(info, `graph.input[${i}]`, issues);
    if (spec) inputs.push(spec);
  });
  const outputs: OnnxTensorSpec[] = [];
  model.outputs.forEach((info, i) => {
    const spec = tensorSpec(info, `graph.output[${i}]`, issues);
    if (spec) outputs.push(spec);
  });
  issues.check(model.outputs.length > 0, {
    field: 'graph.output',
    message: 'is empty',
    allowed: 'at least one graph output',
  });

  const defaultOpset = model.opsetImport.find((o) => !o.domain || o.domain === 'ai.onnx');
  const opset = int64(defaultOpset?.version) ?? 0;
  issues.check(opset > 0, {
    field: 'opset_import',
    message: 'imports no version of the default (ai.onnx) operator set',
    received: model.opsetImport.map((o) => `${o.domain || 'ai.onnx'}:${int64(o.version) ?? '?'}`),
    allowed: 'an opset_import entry for domain "" or "ai.onnx"',
  });

  if (!issues.ok) {
    const structural = issues.issues.some((i: ValidationIssue) => i.field === 'opset_import' || i.field === 'graph.output');
    issues.throwIfAny(
      structural ? 'SS_ERR_ONNX_INVALID' : 'SS_ERR_ONNX_UNSUPPORTED',
      structural ? `${source} is not a valid ONNX model` : `${source} has inputs or outputs ServingStack cannot serve`,
    );
  }

  const producer = [model.producerName, model.producerVersion].filter((s): s is string => !!s).join(' ');
  return producer ? { inputs, outputs, opset, producer } : { inputs, outputs, opset };
}
