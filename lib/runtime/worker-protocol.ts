/** Messages between the main thread and inference workers. */

export interface WireTensor {
  readonly type: string; // onnxruntime tensor type
  readonly dims: readonly number[];
  readonly data: unknown; // typed array or string[]
}

export interface TensorMetadata {
  readonly name: string;
  /** onnxruntime type, or undefined when the value is not a tensor. */
  readonly type?: string;
  /** Dimensions; -1 where dynamic. */
  readonly shape: readonly number[];
}

export interface SessionSettings {
  readonly executionProviders: readonly string[];
  readonly intraOpNumThreads: number;
  readonly graphOptimizationLevel: 'disabled' | 'basic' | 'extended' | 'all';
  /** GPU device ids; worker i uses deviceIds[i % n]. */
  readonly deviceIds: readonly number[];
}

export type ToWorker =
  | { readonly op: 'load'; readonly key: string; readonly path: string; readonly settings: SessionSettings; readonly workerIndex: number }
  | { readonly op: 'run'; readonly id: number; readonly key: string; readonly feeds: Record<string, WireTensor>; readonly outputs: readonly string[] }
  | { readonly op: 'unload'; readonly key: string }
  | { readonly op: 'exit' };

export type FromWorker =
  | {
      readonly op: 'loaded';
      readonly key: string;
      readonly inputs: readonly TensorMetadata[];
      readonly outputs: readonly TensorMetadata[];
      readonly provider: string;
      readonly warnings: readonly string[];
    }
  | { readonly op: 'load-failed'; readonly key: string; readonly message: string }
  | { readonly op: 'result'; readonly id: number; readonly outputs: Record<string, WireTensor>; readonly computeMicros: number }
  | { readonly op: 'run-failed'; readonly id: number; readonly message: string }
  | { readonly op: 'unloaded'; readonly key: string };
