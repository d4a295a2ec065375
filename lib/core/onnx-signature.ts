/**
 * Read an ONNX model's signature (graph inputs and outputs, opset, producer) in pure JavaScript,
 * by decoding the ModelProto with `onnx-proto`. No native code: constructs call this at synth time
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

function decodeModel(bytes: Uint8Array, source: string): onnx.ModelProto {
  if (!(bytes instanceof Uint8Array)) throw invalid(source, 'is not a byte array');
  if (bytes.length === 0) throw invalid(source, 'is empty');
  let model: onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw invalid(source, `cannot be decoded as protobuf (${(e as Error).message})`);
  }
  // Arbitrary bytes sometimes decode "successfully" as a sparse message: require what every
  // real model has.
  const irVersion = int64(model.irVersion) ?? 0;
  if (irVersion <= 0) throw invalid(source, 'has no ir_version');
  if (!model.graph) throw invalid(source, 'has no graph');
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
  const graph = model.graph as onnx.IGraphProto;

  const initializers = new Set<string>();
  for (const t of graph.initializer ?? []) if (t.name) initializers.add(t.name);
  for (const s of graph.sparseInitializer ?? []) if (s.values?.name) initializers.add(s.values.name);

  const issues = new IssueCollector();
  const inputs: OnnxTensorSpec[] = [];
  (graph.input ?? []).forEach((info, i) => {
    if (info.name && initializers.has(info.name)) return;
    const spec = tensorSpec(info, `graph.input[${i}]`, issues);
    if (spec) inputs.push(spec);
  });
  const outputs: OnnxTensorSpec[] = [];
  (graph.output ?? []).forEach((info, i) => {
    const spec = tensorSpec(info, `graph.output[${i}]`, issues);
    if (spec) outputs.push(spec);
  });
  issues.check(outputs.length > 0 || !issues.ok, {
    field: 'graph.output',
    message: 'is empty',
    allowed: 'at least one graph output',
  });

  const defaultOpset = (model.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  const opset = int64(defaultOpset?.version) ?? 0;
  issues.check(opset > 0, {
    field: 'opset_import',
    message: 'imports no version of the default (ai.onnx) operator set',
    received: (model.opsetImport ?? []).map((o) => `${o.domain || 'ai.onnx'}:${int64(o.version) ?? '?'}`),
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
