/** The INT8 weight quantizer as a graph rewrite (pure TypeScript; the ORT round trips are in optimize.test.ts). */
import { onnx } from 'onnx-proto';
import { ServingStackError } from '../../lib/core/errors';
import { readFloatTensor, toNumber } from '../../lib/optimize/onnx-model';
import { assertQuantizedSomething, quantizeDynamic, quantizeWeight, roundHalfToEven } from '../../lib/optimize/quantize';
import { buildOnnxModel, ModelDecl } from '../../scripts/lib/onnx-builder';

interface Graph {
  node: Required<onnx.INodeProto>[];
  initializer: onnx.ITensorProto[];
  output: onnx.IValueInfoProto[];
}

function decode(bytes: Uint8Array): { graph: Graph } {
  return onnx.ModelProto.decode(bytes) as unknown as { graph: Graph };
}

function int8Values(t: onnx.ITensorProto): number[] {
  return Array.from(new Int8Array(t.rawData!.buffer, t.rawData!.byteOffset, t.rawData!.byteLength));
}

/** A PyTorch-style export: names like `onnx::MatMul_7`, Gemm with transB = 1 and non-default alpha/beta, two MatMuls sharing an activation. */
export function exporterStyleModel(): ModelDecl {
  const w1 = Float32Array.from({ length: 4 * 3 }, (_, i) => (i - 6) / 7);
  const w2 = Float32Array.from({ length: 4 * 2 }, (_, i) => Math.sin(i + 1));
  const gemmB = Float32Array.from({ length: 2 * 3 }, (_, i) => (i % 2 ? 0.25 : -0.75) * (i + 1)); // [out=2, in=3]: transB = 1
  return {
    inputs: [{ name: 'input.1', datatype: 'FP32', shape: ['batch', 4] }],
    outputs: [
      { name: 'onnx::Add_17', datatype: 'FP32', shape: ['batch', 2] },
      { name: 'onnx::MatMul_18', datatype: 'FP32', shape: ['batch', 2] },
    ],
    initializers: [
      { name: 'onnx::MatMul_7', datatype: 'FP32', dims: [4, 3], values: w1 },
      { name: 'onnx::MatMul_8', datatype: 'FP32', dims: [4, 2], values: w2 },
      { name: 'fc.weight', datatype: 'FP32', dims: [2, 3], values: gemmB },
      { name: 'fc.bias', datatype: 'FP32', dims: [2], values: Float32Array.from([0.1, -0.2]) },
    ],
    nodes: [
      { opType: 'MatMul', name: '/l1/MatMul', inputs: ['input.1', 'onnx::MatMul_7'], outputs: ['/l1/MatMul_output_0'] },
      { opType: 'Relu', name: '/act/Relu', inputs: ['/l1/MatMul_output_0'], outputs: ['/act/Relu_output_0'] },
      { opType: 'Gemm', name: '/fc/Gemm', inputs: ['/act/Relu_output_0', 'fc.weight', 'fc.bias'], outputs: ['onnx::Add_17'], attributes: { transB: 1, alpha: 0.5, beta: 0.25 } },
      { opType: 'MatMul', name: '/l2/MatMul', inputs: ['input.1', 'onnx::MatMul_8'], outputs: ['onnx::MatMul_18'] },
    ],
  };
}

describe('quantizeWeight', () => {
  test('rounds half to even like numpy', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, 2.4, 2.6].map(roundHalfToEven)).toEqual([0, 2, 2, -0, -2, 2, 3]);
  });

  test('per tensor: one symmetric scale, absmax maps to ±127', () => {
    const { q, scales } = quantizeWeight({ dims: [2, 2], values: Float32Array.from([1.27, -0.635, 0, 0.01]) }, 'per-tensor');
    expect(scales).toHaveLength(1);
    expect(scales[0]).toBeCloseTo(0.01, 7);
    expect(Array.from(q)).toEqual([127, -64, 0, 1]);
  });

  test('per channel: one scale per output column', () => {
    // columns: [1, -2] and [0.5, 0.25]
    const { q, scales } = quantizeWeight({ dims: [2, 2], values: Float32Array.from([1, 0.5, -2, 0.25]) }, 'per-channel');
    expect(Array.from(scales)).toEqual([Math.fround(2 / 127), Math.fround(0.5 / 127)]);
    expect(Array.from(q)).toEqual([64, 127, -127, 64]);
  });

  test('reduce range: 7-bit weights (±64)', () => {
    const { q } = quantizeWeight({ dims: [1, 2], values: Float32Array.from([-3, 3]) }, 'per-tensor', true);
    expect(Array.from(q)).toEqual([-64, 64]);
  });

  test('an all-zero weight gets scale 1 and zeros', () => {
    const { q, scales } = quantizeWeight({ dims: [1, 3], values: new Float32Array(3) }, 'per-channel');
    expect(Array.from(scales)).toEqual([1, 1, 1]);
    expect(Array.from(q)).toEqual([0, 0, 0]);
  });
});

describe('quantizeDynamic (graph rewrite)', () => {
  test('MatMul becomes DynamicQuantizeLinear → MatMulInteger → Cast → Mul, sharing one DynamicQuantizeLinear per activation', () => {
    const result = quantizeDynamic(buildOnnxModel(exporterStyleModel()));
    expect(result.quantized.map((n) => [n.node, n.opType, n.weight, n.shape])).toEqual([
      ['/l1/MatMul', 'MatMul', 'onnx::MatMul_7', [4, 3]],
      ['/fc/Gemm', 'Gemm', 'fc.weight', [3, 2]],
      ['/l2/MatMul', 'MatMul', 'onnx::MatMul_8', [4, 2]],
    ]);
    const g = decode(result.model).graph;
    const ops = g.node.map((n) => n.opType);
    // input.1 feeds two MatMuls: quantized once.
    expect(ops.filter((o) => o === 'DynamicQuantizeLinear')).toHaveLength(2);
    expect(ops.filter((o) => o === 'MatMulInteger')).toHaveLength(3);
    expect(ops).not.toContain('MatMul');
    expect(ops).not.toContain('Gemm');
    // The graph's outputs keep their names; FP32 weights are gone.
    expect(g.output.map((o) => o.name)).toEqual(['onnx::Add_17', 'onnx::MatMul_18']);
    const inits = new Map(g.initializer.map((t) => [t.name, t]));
    expect(inits.has('onnx::MatMul_7')).toBe(false);
    expect(inits.get('onnx::MatMul_7_quantized')!.dataType).toBe(onnx.TensorProto.DataType.INT8);
    expect(inits.get('onnx::MatMul_7_zero_point')!.dims).toEqual([]);
    // MatMulInteger inputs are (A_q, B_q, A_zp, B_zp), in that order.
    const mmi = g.node.find((n) => n.opType === 'MatMulInteger' && n.input![1] === 'onnx::MatMul_7_quantized')!;
    expect(mmi.input).toEqual(['input.1_quantized', 'onnx::MatMul_7_quantized', 'input.1_zero_point', 'onnx::MatMul_7_zero_point']);
    const cast = g.node.find((n) => n.input![0] === mmi.output![0])!;
    expect(cast.opType).toBe('Cast');
    expect(toNumber(cast.attribute![0]!.i)).toBe(onnx.TensorProto.DataType.FLOAT);
  });

  test('Gemm: alpha and transB fold into the quantized weight, beta·C is added back in FP32', () => {
    const g = decode(quantizeDynamic(buildOnnxModel(exporterStyleModel())).model).graph;
    const inits = new Map(g.initializer.map((t) => [t.name, t]));
    const wq = int8Values(inits.get('fc.weight_quantized')!);
    const scale = readFloatTensor(inits.get('fc.weight_scale')!) as { values: Float32Array };
    // Dequantized weight = 0.5 · Bᵀ ([3, 2]) within half a quantization step; absmax maps to ±127.
    const b = exporterStyleModel().initializers![2]!.values as Float32Array;
    const s = scale.values[0]!;
    expect(s).toBeCloseTo((0.5 * 3.75) / 127, 7);
    for (let k = 0; k < 3; k++) for (let n = 0; n < 2; n++) expect(Math.abs(wq[k * 2 + n]! * s - 0.5 * b[n * 3 + k]!)).toBeLessThanOrEqual(s / 2 + 1e-7);
    expect(Math.max(...wq.map(Math.abs))).toBe(127);
    const add = g.node.find((n) => n.opType === 'Add')!;
    expect(add.output).toEqual(['onnx::Add_17']);
    const bias = readFloatTensor(inits.get(add.input![1]!)!) as { values: Float32Array };
    expect(Array.from(bias.values)).toEqual([Math.fround(0.025), Math.fround(-0.05)]);
  });

  test('per-channel scales and zero points have one entry per output column', () => {
    const g = decode(quantizeDynamic(buildOnnxModel(exporterStyleModel()), { granularity: 'per-channel' }).model).graph;
    const inits = new Map(g.initializer.map((t) => [t.name, t]));
    expect(inits.get('onnx::MatMul_7_scale')!.dims!.map(toNumber)).toEqual([3]);
    expect(inits.get('onnx::MatMul_7_zero_point')!.dims!.map(toNumber)).toEqual([3]);
  });

  test('skips what it cannot quantize and says why', () => {
    const decl: ModelDecl = {
      inputs: [
        { name: 'a', datatype: 'FP32', shape: ['N', 2] },
        { name: 'b', datatype: 'FP32', shape: [2, 2] },
      ],
      outputs: [
        { name: 'y', datatype: 'FP32', shape: ['N', 2] },
        { name: 'z', datatype: 'FP32', shape: [2, 2] },
      ],
      initializers: [{ name: 'w', datatype: 'FP32', dims: [2, 2], values: [1, 2, 3, 4] }],
      nodes: [
        { opType: 'MatMul', name: 'dynamic_b', inputs: ['a', 'b'], outputs: ['y'] },
        { opType: 'Gemm', name: 'trans_a', inputs: ['b', 'w'], outputs: ['z'], attributes: { transA: 1 } },
      ],
    };
    const result = quantizeDynamic(buildOnnxModel(decl));
    expect(result.quantized).toEqual([]);
    expect(result.skipped).toEqual([
      { node: 'dynamic_b', opType: 'MatMul', reason: 'its weight (input B) is not a constant initializer' },
      { node: 'trans_a', opType: 'Gemm', reason: 'Gemm with transA = 1 is left in FP32' },
    ]);
    expect(() => assertQuantizedSomething(result, 'm.onnx')).toThrow(ServingStackError);
    expect(() => assertQuantizedSomething(result, 'm.onnx')).toThrow(/SS_ERR|no MatMul or Gemm weight[\s\S]*node dynamic_b: MatMul not quantized/);
  });

  test('models importing opset < 11 are left alone (DynamicQuantizeLinear needs 11)', () => {
    const decl = { ...exporterStyleModel(), opset: 10 };
    const result = quantizeDynamic(buildOnnxModel(decl));
    expect(result.quantized).toEqual([]);
    expect(result.skipped[0]!.reason).toMatch(/opset 10/);
  });

  test('bytes that are not ONNX fail with SS_ERR_ONNX_INVALID', () => {
    expect(() => quantizeDynamic(Uint8Array.from([0xff, 0xff, 0xff]), {}, 'bad.onnx')).toThrow(expect.objectContaining({ code: 'SS_ERR_ONNX_INVALID' }));
  });
});
