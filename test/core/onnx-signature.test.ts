import { onnx } from 'onnx-proto';
import { ServingStackError } from '../../lib/core/errors';
import { readOnnxSignature } from '../../lib/core/onnx-signature';
import { buildOnnxModel } from '../../scripts/lib/onnx-builder';
import { mulberry32 } from '../../lib/core/random';

function errorOf(fn: () => unknown): ServingStackError {
  try {
    fn();
  } catch (e) {
    if (ServingStackError.isServingStackError(e)) return e;
    throw new Error(`expected a ServingStackError, got ${String(e)}`);
  }
  throw new Error('expected an error, none was thrown');
}

/** Decode, edit and re-encode a model (for shapes the builder cannot declare). */
function patch(bytes: Uint8Array, edit: (m: onnx.ModelProto) => void): Uint8Array {
  const m = onnx.ModelProto.decode(bytes);
  edit(m);
  return onnx.ModelProto.encode(m).finish();
}


const classifier = (): Uint8Array =>
  buildOnnxModel({
    inputs: [{ name: 'input', datatype: 'FP32', shape: ['N', 4] }],
    outputs: [{ name: 'probabilities', datatype: 'FP32', shape: ['N', 3] }],
    nodes: [{ opType: 'MatMul', inputs: ['input', 'W'], outputs: ['probabilities'] }],
    initializers: [{ name: 'W', datatype: 'FP32', dims: [4, 3], values: new Array(12).fill(0.25) }],
    opset: 13,
    producer: 'sentinel-producer',
  });

describe('readOnnxSignature', () => {
  test('reads inputs, outputs, opset and producer', () => {
    // GIVEN a MatMul classifier built with opset 13
    // WHEN its signature is read
    const sig = readOnnxSignature(classifier());
    // THEN names, datatypes and shapes come from the graph, dynamic dims as -1
    expect(sig).toEqual({
      inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 4] }],
      outputs: [{ name: 'probabilities', datatype: 'FP32', shape: [-1, 3] }],
      opset: 13,
      producer: 'sentinel-producer',
    });
  });

  test('dim_value → number; dim_param and missing value → -1', () => {
    const bytes = buildOnnxModel({
      inputs: [{ name: 'image', datatype: 'UINT8', shape: ['batch', 3, -1, 224] }],
      outputs: [{ name: 'image_out', datatype: 'UINT8', shape: [-1, 3, 'h', 224] }],
      nodes: [{ opType: 'Identity', inputs: ['image'], outputs: ['image_out'] }],
    });
    const sig = readOnnxSignature(bytes);
    expect(sig.inputs[0]!.shape).toEqual([-1, 3, -1, 224]);
    expect(sig.outputs[0]!.shape).toEqual([-1, 3, -1, 224]);
  });

  test('graph inputs that are initializers are not inputs', () => {
    // GIVEN an older-style model listing its weight W among the graph inputs
    const bytes = buildOnnxModel({
      inputs: [
        { name: 'input', datatype: 'FP32', shape: ['N', 4] },
        { name: 'W', datatype: 'FP32', shape: [4, 3] },
      ],
      outputs: [{ name: 'y', datatype: 'FP32', shape: ['N', 3] }],
      nodes: [{ opType: 'MatMul', inputs: ['input', 'W'], outputs: ['y'] }],
      initializers: [{ name: 'W', datatype: 'FP32', dims: [4, 3], values: new Array(12).fill(1) }],
    });
    // THEN only the real input remains
    expect(readOnnxSignature(bytes).inputs.map((t) => t.name)).toEqual(['input']);
  });

  test('sparse and float_data initializers are not inputs either; other fields are skipped', () => {
    // GIVEN a model carrying doc strings, metadata, value_info, a float_data initializer and a
    // sparse initializer, both also listed as graph inputs
    const bytes = patch(classifier(), (m) => {
      m.docString = 'sentinel doc';
      m.metadataProps = [onnx.StringStringEntryProto.create({ key: 'k', value: 'v' })];
      const g = m.graph!;
      g.docString = 'graph doc';
      g.valueInfo = [onnx.ValueInfoProto.create({ name: 'hidden', type: { tensorType: { elemType: 1 } } })];
      g.initializer!.push(onnx.TensorProto.create({ name: 'B', dims: [3], dataType: 1, floatData: [1, 2, 3] }));
      g.sparseInitializer = [
        onnx.SparseTensorProto.create({ values: { name: 'S', dims: [1], dataType: 1, floatData: [1] }, indices: { dims: [1], dataType: 7, int64Data: [0] }, dims: [3] }),
      ];
      for (const name of ['B', 'S']) {
        g.input!.push(onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 3 }] } } } }));
      }
    });
    // THEN only the real input remains and the signature is intact
    const sig = readOnnxSignature(bytes);
    expect(sig.inputs.map((t) => t.name)).toEqual(['input']);
    expect(sig.outputs.map((t) => t.name)).toEqual(['probabilities']);
    expect(sig.opset).toBe(13);
  });

  test('a large float_data initializer is skipped, not decoded', () => {
    const floats = new Array<number>(2_000_000).fill(0.5);
    const bytes = patch(classifier(), (m) => {
      m.graph!.initializer!.push(onnx.TensorProto.create({ name: 'Big', dims: [2_000_000], dataType: 1, floatData: floats }));
    });
    const started = Date.now();
    expect(readOnnxSignature(bytes).inputs).toHaveLength(1);
    // Decoding 2M packed floats into a JS array takes tens of milliseconds; skipping takes ~0.
    expect(Date.now() - started).toBeLessThan(1000);
  });

  test('maps every ONNX element type ServingStack serves', () => {
    const types = ['BOOL', 'UINT8', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64', 'BYTES', 'UINT16', 'UINT32', 'UINT64'] as const;
    const bytes = buildOnnxModel({
      inputs: types.map((datatype, i) => ({ name: `in${i}`, datatype, shape: [1] })),
      outputs: types.map((datatype, i) => ({ name: `out${i}`, datatype, shape: [1] })),
      nodes: types.map((_, i) => ({ opType: 'Identity', inputs: [`in${i}`], outputs: [`out${i}`] })),
    });
    const sig = readOnnxSignature(bytes);
    expect(sig.inputs.map((t) => t.datatype)).toEqual([...types]);
    expect(sig.outputs.map((t) => t.datatype)).toEqual([...types]);
  });

  test('a tensor without any shape has unknown rank', () => {
    const bytes = patch(classifier(), (m) => {
      m.graph!.output![0]!.type!.tensorType!.shape = null;
    });
    expect(readOnnxSignature(bytes).outputs[0]).toEqual({ name: 'probabilities', datatype: 'FP32', shape: [], unknownRank: true });
  });

  test('unsupported element types are named, all at once', () => {
    // GIVEN a model whose input is BFLOAT16 and whose output is COMPLEX64
    const bytes = patch(classifier(), (m) => {
      m.graph!.input![0]!.type!.tensorType!.elemType = 16;
      m.graph!.output![0]!.type!.tensorType!.elemType = 14;
    });
    // WHEN read THEN one error lists both tensors with their ONNX types
    const e = errorOf(() => readOnnxSignature(bytes));
    expect(e.code).toBe('SS_ERR_ONNX_UNSUPPORTED');
    expect(e.issues.map((i) => i.field)).toEqual(['graph.input[0] ("input").elem_type', 'graph.output[0] ("probabilities").elem_type']);
    expect(e.issues.map((i) => i.received)).toEqual(['BFLOAT16 (16)', 'COMPLEX64 (14)']);
    expect(e.message).toContain('FLOAT (1) → FP32');
  });

  test('non-tensor inputs are refused with the tensor named', () => {
    const bytes = patch(classifier(), (m) => {
      m.graph!.input![0]!.type = onnx.TypeProto.create({ sequenceType: { elemType: { tensorType: { elemType: 1 } } } });
    });
    const e = errorOf(() => readOnnxSignature(bytes));
    expect(e.code).toBe('SS_ERR_ONNX_UNSUPPORTED');
    expect(e.issues[0]).toMatchObject({ field: 'graph.input[0] ("input")', received: 'sequence' });
  });

  test('a model without a default-domain opset is invalid', () => {
    const bytes = patch(classifier(), (m) => {
      m.opsetImport = [onnx.OperatorSetIdProto.create({ domain: 'ai.onnx.ml', version: 3 })];
    });
    const e = errorOf(() => readOnnxSignature(bytes));
    expect(e.code).toBe('SS_ERR_ONNX_INVALID');
    expect(e.issues[0]).toMatchObject({ field: 'opset_import', received: ['ai.onnx.ml:3'] });
  });

  test.each([
    ['empty', new Uint8Array(0)],
    ['text', new TextEncoder().encode('this is not an onnx model\n')],
    ['json', new TextEncoder().encode('{"graph": {}}')],
    ['truncated model', classifier().subarray(0, 40)],
    ['zeros', new Uint8Array(64)],
    ['0xff', new Uint8Array(64).fill(0xff)],
  ])('garbage (%s) → SS_ERR_ONNX_INVALID', (_label, bytes) => {
    const e = errorOf(() => readOnnxSignature(bytes, 'sentinel.onnx'));
    expect(e.code).toBe('SS_ERR_ONNX_INVALID');
    expect(e.message).toContain('sentinel.onnx is not a valid ONNX model');
  });

  test('random bytes never crash with a raw protobuf error', () => {
    const random = mulberry32(20261125);
    for (let n = 0; n < 300; n++) {
      const bytes = new Uint8Array(1 + Math.floor(random() * 512));
      for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256);
      const e = errorOf(() => readOnnxSignature(bytes));
      expect(e.code).toBe('SS_ERR_ONNX_INVALID');
    }
  });
});
