/** A model as the runtime serves it: its signature, batching settings, state and queue. */
import type { Datatype } from '../core/dtypes';
import type { ModelManifest } from '../core/manifest';
import type { Tensor } from './tensor';

export interface TensorSpecRt {
  readonly name: string;
  readonly datatype: Datatype;
  /** -1 where dynamic. */
  readonly shape: readonly number[];
  readonly allowNonFinite: boolean;
}

export type ModelState = 'loading' | 'warming' | 'ready' | 'failed' | 'unloading';

export interface ModelResult {
  readonly outputs: readonly Tensor[];
  readonly queueMicros: number;
  readonly computeMicros: number;
  readonly batchRows: number;
}

export interface PendingRequest {
  readonly model: ServedModel;
  readonly inputs: readonly Tensor[];
  readonly rows: number;
  /** Output names, in the order the client asked for (all outputs when it asked for none). */
  readonly outputs: readonly string[];
  /** Requests only share a batch when their non-batch dimensions agree. */
  readonly batchKey: string;
  readonly enqueuedAt: number; // performance.now() ms
  readonly deadline: number; // performance.now() ms
  settled: boolean;
  resolve(r: ModelResult): void;
  reject(e: Error): void;
}

export class ServedModel {
  public state: ModelState = 'loading';
  public failure?: string;
  public provider = 'cpu';
  public loadSeconds = 0;
  public readonly queue: PendingRequest[] = [];
  public queueHead = 0;
  public delayTimer?: NodeJS.Timeout;

  constructor(
    public readonly name: string,
    public readonly version: string,
    /** Unique key of this load in the worker pool. */
    public readonly key: string,
    public readonly dir: string,
    public readonly modelPath: string,
    public readonly manifest: ModelManifest | undefined,
    public inputs: readonly TensorSpecRt[],
    public outputs: readonly TensorSpecRt[],
    public readonly maxBatchSize: number,
    public readonly maxQueueDelayMicros: number,
  ) {}

  /** Requests queued and not yet dispatched. */
  public get queueLength(): number {
    return this.queue.length - this.queueHead;
  }

  /** Batching concatenates along dimension 0, so there must be inputs, and every input and output must have it dynamic. */
  public get batchable(): boolean {
    return (
      this.maxBatchSize > 1 &&
      this.inputs.length > 0 &&
      this.inputs.every((t) => t.shape.length > 0 && t.shape[0] === -1) &&
      this.outputs.every((t) => t.shape.length > 0 && t.shape[0] === -1)
    );
  }

  public input(name: string): TensorSpecRt | undefined {
    for (const t of this.inputs) if (t.name === name) return t;
    return undefined;
  }

  public output(name: string): TensorSpecRt | undefined {
    for (const t of this.outputs) if (t.name === name) return t;
    return undefined;
  }
}
