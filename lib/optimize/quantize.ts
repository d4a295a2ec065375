/**
 * Dynamic INT8 quantization of MatMul and Gemm weights, rewritten on the ONNX graph the way ONNX
 * Runtime's `quantize_dynamic` (IntegerOps mode) rewrites MatMul:
 *
 *   A ──DynamicQuantizeLinear──▶ A_q (uint8), A_scale, A_zp
 *   MatMulInteger(A_q, W_q (int8), A_zp, W_zp) ─▶ int32 ─Cast(FLOAT)─▶ Mul(·, A_scale·W_scale) ─▶ Y
 *
 * Weights are quantized once, here: symmetric INT8 (zero point 0, range ±127, or ±64 with
 * `reduceRange`), one scale per tensor or per output column. Activations are quantized at run
 * time, per tensor, to UINT8 (DynamicQuantizeLinear). ONNX Runtime's CPU provider fuses the chain
 * into its `com.microsoft` `DynamicQuantizeMatMul` / `MatMulIntegerToFloat` kernels when it loads
 * the model (extended optimization level), so the file itself stays standard ONNX (opset ≥ 11).
 *
 * `quantize_dynamic` leaves Gemm unquantized (Gemm is not in its IntegerOps registry). Exporters
 * write most dense layers as Gemm (PyTorch `nn.Linear`), so Gemm with `transA = 0` and a constant
 * B is quantized too: W = alpha·op(B) is quantized like a MatMul weight and beta·C is added back
 * in FP32 (`Add`), which ONNX Runtime folds into DynamicQuantizeMatMul's bias.
 */
import type { onnx } from 'onnx-proto';
import { ServingStackError } from '../core/errors';
import { attributeOf, decodeModel, defaultOpset, encodeModel, floatInitializer, FloatTensor, int8Initializer, NameScope, node, readFloatTensor, TensorType } from './onnx-model';

export type QuantizationGranularity = 'per-tensor' | 'per-channel';

export interface QuantizeOptions {
  /** One weight scale per tensor, or per output column. @default 'per-tensor' */
  readonly granularity?: QuantizationGranularity;
  /**
   * 7-bit weights (±64): avoids the int16 saturation of u8×s8 multiply-adds (VPMADDUBSW) on x86
   * CPUs without VNNI, at some precision cost. @default false
   */
  readonly reduceRange?: boolean;
  /** Operators whose weights are quantized. @default ['MatMul', 'Gemm'] */
  readonly opTypes?: readonly ('MatMul' | 'Gemm')[];
  /** Weights with fewer elements stay FP32. @default 0 */
  readonly minWeightElements?: number;
}

export interface QuantizedNode {
  readonly node: string;
  readonly opType: string;
  readonly weight: string;
  /** [K, N] of the quantized weight. */
  readonly shape: readonly [number, number];
}

export interface SkippedNode {
  readonly node: string;
  readonly opType: string;
  readonly reason: string;
}

export interface QuantizeResult {
  readonly model: Uint8Array;
  readonly quantized: readonly QuantizedNode[];
  readonly skipped: readonly SkippedNode[];
  readonly granularity: QuantizationGranularity;
}

/** numpy's rounding (half to even), as ONNX Runtime's quantizer computes it. */
export function roundHalfToEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Symmetric INT8 quantization of a [K, N] weight: per tensor (one scale) or per column
 * (N scales). Zero points are 0. A column of zeros gets scale 1.
 */
export function quantizeWeight(w: FloatTensor, granularity: QuantizationGranularity, reduceRange = false): { q: Int8Array; scales: Float32Array } {
  const [k, n] = w.dims as [number, number];
  const qmax = reduceRange ? 64 : 127;
  const groups = granularity === 'per-channel' ? n : 1;
  const absMax = new Float64Array(groups);
  for (let r = 0; r < k; r++) for (let c = 0; c < n; c++) {
    const g = groups === 1 ? 0 : c;
    const a = Math.abs(w.values[r * n + c]!);
    if (a > absMax[g]!) absMax[g] = a;
  }
  const scales = new Float32Array(groups);
  for (let g = 0; g < groups; g++) scales[g] = absMax[g]! > 0 ? absMax[g]! / qmax : 1;
  const q = new Int8Array(k * n);
  for (let r = 0; r < k; r++) for (let c = 0; c < n; c++) {
    const s = scales[groups === 1 ? 0 : c]!;
    q[r * n + c] = Math.max(-qmax, Math.min(qmax, roundHalfToEven(w.values[r * n + c]! / s)));
  }
  return { q, scales };
}

function transpose(w: FloatTensor): FloatTensor {
  const [r, c] = w.dims as [number, number];
  const out = new Float32Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = w.values[i * c + j]!;
  return { dims: [c, r], values: out };
}

/** Quantize the MatMul/Gemm weights of an ONNX model. Throws SS_ERR_ONNX_INVALID for bytes that are not ONNX. */
export function quantizeDynamic(bytes: Uint8Array, options: QuantizeOptions = {}, source = 'model.onnx'): QuantizeResult {
  const granularity = options.granularity ?? 'per-tensor';
  const opTypes = new Set(options.opTypes ?? ['MatMul', 'Gemm']);
  const minElements = options.minWeightElements ?? 0;
  const model = decodeModel(bytes, source);
  const graph = model.graph!;
  const opset = defaultOpset(model);
  const quantized: QuantizedNode[] = [];
  const skipped: SkippedNode[] = [];
  const candidates = (graph.node ?? []).filter((n) => opTypes.has(n.opType as 'MatMul') && (!n.domain || n.domain === 'ai.onnx'));
  if (opset < 11) {
    for (const n of candidates) skipped.push({ node: n.name ?? '', opType: n.opType ?? '', reason: `the model imports opset ${opset}; DynamicQuantizeLinear needs opset 11 or later` });
    return { model: bytes, quantized, skipped, granularity };
  }
  const initializers = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t]));
  const consumers = new Map<string, number>();
  for (const n of graph.node ?? []) for (const i of n.input ?? []) consumers.set(i, (consumers.get(i) ?? 0) + 1);
  const graphOutputs = new Set((graph.output ?? []).map((o) => o.name));
  const names = new NameScope(graph);
  const dqlByActivation = new Map<string, [string, string, string]>();
  const newNodes: onnx.INodeProto[] = [];
  const newInitializers: onnx.ITensorProto[] = [];
  const removable = new Set<string>();

  for (const n of graph.node ?? []) {
    if (!candidates.includes(n)) {
      newNodes.push(n);
      continue;
    }
    const op = n.opType!;
    const label = n.name || `${op}(${n.output?.[0] ?? ''})`;
    const skip = (reason: string): void => {
      skipped.push({ node: label, opType: op, reason });
      newNodes.push(n);
    };
    const [a, b, c] = n.input ?? [];
    const init = b ? initializers.get(b) : undefined;
    if (!a || !b || !init) {
      skip('its weight (input B) is not a constant initializer');
      continue;
    }
    const read = readFloatTensor(init);
    if (typeof read === 'string') {
      skip(`its weight ${b} ${read}`);
      continue;
    }
    if (read.dims.length !== 2) {
      skip(`its weight ${b} has rank ${read.dims.length}; only 2-D weights are quantized`);
      continue;
    }
    if (read.values.length < minElements) {
      skip(`its weight ${b} has ${read.values.length} elements (< ${minElements})`);
      continue;
    }
    if (!read.values.every(Number.isFinite)) {
      skip(`its weight ${b} holds NaN or infinite values`);
      continue;
    }
    let weight = read;
    let bias: { name: string; scale: number } | undefined;
    if (op === 'Gemm') {
      if (attributeOf(n, 'transA', 0) !== 0) {
        skip('Gemm with transA = 1 is left in FP32');
        continue;
      }
      if (attributeOf(n, 'transB', 0) !== 0) weight = transpose(weight);
      const alpha = attributeOf(n, 'alpha', 1);
      if (alpha !== 1) weight = { dims: weight.dims, values: weight.values.map((v) => v * alpha) };
      if (c) bias = { name: c, scale: attributeOf(n, 'beta', 1) };
    }
    const base = n.name || `${op}_${quantized.length}`;
    const { q, scales } = quantizeWeight(weight, granularity, options.reduceRange);
    const [k, cols] = weight.dims as [number, number];
    const wq = names.fresh(`${b}_quantized`);
    const wScale = names.fresh(`${b}_scale`);
    const wZp = names.fresh(`${b}_zero_point`);
    const zpDims = granularity === 'per-channel' ? [cols] : [];
    newInitializers.push(int8Initializer(wq, [k, cols], q), floatInitializer(wScale, zpDims, scales), int8Initializer(wZp, zpDims, new Int8Array(scales.length)));
    let dql = dqlByActivation.get(a);
    if (!dql) {
      dql = [names.fresh(`${a}_quantized`), names.fresh(`${a}_scale`), names.fresh(`${a}_zero_point`)];
      dqlByActivation.set(a, dql);
      newNodes.push(node('DynamicQuantizeLinear', [a], dql, names.fresh(`${a}_DynamicQuantizeLinear`)));
    }
    const y = n.output![0]!;
    const intOut = names.fresh(`${y}_MatMulInteger`);
    const floatOut = names.fresh(`${y}_MatMulInteger_cast`);
    const scale = names.fresh(`${base}_scales_mul`);
    const scaled = bias ? names.fresh(`${y}_matmul`) : y;
    newNodes.push(
      node('MatMulInteger', [dql[0], wq, dql[2], wZp], [intOut], names.fresh(`${base}_quant`)),
      node('Cast', [intOut], [floatOut], names.fresh(`${base}_cast`), { to: TensorType.FLOAT }),
      node('Mul', [dql[1], wScale], [scale], names.fresh(`${base}_scales_mul_node`)),
      node('Mul', [floatOut, scale], [scaled], names.fresh(`${base}_output_scale_mul`)),
    );
    if (bias) {
      let biasName = bias.name;
      if (bias.scale !== 1) {
        const bInit = initializers.get(bias.name);
        const bRead = bInit ? readFloatTensor(bInit) : 'is not a constant';
        if (typeof bRead === 'string') {
          const scaleName = names.fresh(`${base}_beta`);
          newInitializers.push(floatInitializer(scaleName, [], [bias.scale]));
          biasName = names.fresh(`${bias.name}_beta`);
          newNodes.push(node('Mul', [bias.name, scaleName], [biasName], names.fresh(`${base}_beta_mul`)));
        } else {
          biasName = names.fresh(`${bias.name}_beta`);
          newInitializers.push(floatInitializer(biasName, bRead.dims, bRead.values.map((v) => v * bias!.scale)));
        }
      }
      newNodes.push(node('Add', [scaled, biasName], [y], names.fresh(`${base}_bias_add`)));
    }
    consumers.set(b, (consumers.get(b) ?? 1) - 1);
    if ((consumers.get(b) ?? 0) <= 0 && !graphOutputs.has(b)) removable.add(b);
    quantized.push({ node: label, opType: op, weight: b, shape: [k, cols] });
  }
  if (quantized.length === 0) return { model: bytes, quantized, skipped, granularity };
  graph.node = newNodes as onnx.NodeProto[];
  graph.initializer = [...(graph.initializer ?? []).filter((t) => !removable.has(t.name ?? '')), ...newInitializers] as onnx.TensorProto[];
  // Older exporters list weights as graph inputs too; a removed weight must not stay an input.
  graph.input = (graph.input ?? []).filter((i) => !removable.has(i.name ?? '')) as onnx.ValueInfoProto[];
  return { model: encodeModel(model), quantized, skipped, granularity };
}

/** Throw unless at least one weight was quantized: the step would change nothing. */
export function assertQuantizedSomething(result: QuantizeResult, source: string): void {
  if (result.quantized.length > 0) return;
  throw new ServingStackError('SS_ERR_OPTIMIZE_NOTHING_TO_QUANTIZE', `${source} has no MatMul or Gemm weight to quantize`, [
    ...result.skipped.map((s) => ({ field: `node ${s.node}`, message: `${s.opType} not quantized: ${s.reason}`, allowed: 'a MatMul, or a Gemm with transA = 0, whose input B is a 2-D FP32 initializer' })),
    ...(result.skipped.length === 0 ? [{ field: source, message: 'contains no MatMul or Gemm node', allowed: 'a model with MatMul/Gemm layers, or --quantize none' }] : []),
  ]);
}
