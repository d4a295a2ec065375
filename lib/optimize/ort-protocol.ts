/** Messages between `OrtHost` and its ONNX Runtime worker thread. */

export interface WireTensorIn {
  /** onnxruntime tensor type, e.g. `float32`. */
  readonly type: string;
  readonly dims: readonly number[];
  readonly data: Float32Array | Float64Array | Int32Array | BigInt64Array;
}

/** Input name → tensor. */
export type WireFeed = Record<string, WireTensorIn>;

export interface WireTensorOut {
  readonly type: string;
  readonly dims: readonly number[];
  /** Numbers (integers converted from bigint), or strings for string tensors. */
  readonly data: readonly number[] | readonly string[];
}

export type GraphOptimizationLevel = 'basic' | 'extended' | 'all';

export type OrtRequest =
  | { readonly id: number; readonly op: 'optimize'; readonly input: string; readonly output: string; readonly level: GraphOptimizationLevel }
  | { readonly id: number; readonly op: 'run'; readonly model: string; readonly feeds: readonly WireFeed[] }
  | { readonly id: number; readonly op: 'latency'; readonly model: string; readonly feeds: readonly WireFeed[]; readonly iterations: number; readonly warmup: number; readonly intraOpNumThreads: number }
  | { readonly id: number; readonly op: 'release'; readonly model: string };

export type OrtReply =
  | { readonly id: number; readonly ok: true; readonly op: 'optimize' | 'release' }
  | { readonly id: number; readonly ok: true; readonly op: 'run'; readonly results: Record<string, WireTensorOut>[] }
  | { readonly id: number; readonly ok: true; readonly op: 'latency'; readonly micros: number[] }
  | { readonly id: number; readonly ok: false; readonly message: string };
