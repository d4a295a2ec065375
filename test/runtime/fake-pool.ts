/**
 * An in-process InferencePool for tests that need no ONNX Runtime (scheduler units, inject()
 * round trips of error paths): "models" compute output = input * 2 + 1 on FP32 data (the tiny
 * example model's function), and a test can make loads or runs fail, or hold runs until released.
 */
import type { InferencePool, LoadedSignature, PoolEvents, RunResult, WorkerSlot } from '../../lib/runtime/pool';
import type { SessionSettings, WireTensor } from '../../lib/runtime/worker-protocol';

export interface FakeRun {
  readonly worker: number;
  readonly key: string;
  readonly feeds: Record<string, WireTensor>;
  readonly outputs: readonly string[];
}

export class FakePool implements InferencePool {
  public readonly slots: WorkerSlot[];
  public readonly runs: FakeRun[] = [];
  public readonly loaded = new Set<string>();
  /** Make the next loads fail with this message. */
  public failLoad?: string;
  /** Make runs fail with this message. */
  public failRun?: string;
  /** Hold runs until release() is called. */
  public hold = false;
  private held: (() => void)[] = [];
  constructor(
    size = 1,
    private readonly events: PoolEvents = { onIdle: () => undefined, onWorkerExit: () => undefined },
    private readonly signature: Omit<LoadedSignature, 'provider' | 'warnings'> = {
      inputs: [{ name: 'input', type: 'float32', shape: [-1, 4] }],
      outputs: [{ name: 'output', type: 'float32', shape: [-1, 4] }],
    },
  ) {
    this.slots = Array.from({ length: size }, (_, index) => ({ index, busy: false }));
  }

  public get size(): number {
    return this.slots.length;
  }

  public async load(key: string, _modelPath: string, _settings: SessionSettings): Promise<LoadedSignature> {
    if (this.failLoad) throw new Error(this.failLoad);
    this.loaded.add(key);
    return { ...this.signature, provider: 'cpu', warnings: [] };
  }

  public async unload(key: string): Promise<void> {
    this.loaded.delete(key);
  }

  public idleWorker(): WorkerSlot | undefined {
    return this.slots.find((s) => !s.busy);
  }

  public release(): void {
    const held = this.held;
    this.held = [];
    for (const go of held) go();
  }

  public run(worker: WorkerSlot, key: string, feeds: Record<string, WireTensor>, outputs: readonly string[]): Promise<RunResult> {
    worker.busy = true;
    this.runs.push({ worker: worker.index, key, feeds, outputs });
    return new Promise<RunResult>((resolve, reject) => {
      const finish = (): void => {
        worker.busy = false;
        if (this.failRun) reject(new Error(this.failRun));
        else {
          const input = Object.values(feeds)[0];
          const data = Float32Array.from(input.data as Float32Array, (v) => v * 2 + 1);
          resolve({ outputs: { [outputs[0] ?? 'output']: { type: 'float32', dims: input.dims, data } }, computeMicros: 5 });
        }
        setImmediate(() => this.events.onIdle());
      };
      if (this.hold) this.held.push(finish);
      else setImmediate(finish);
    });
  }

  public async close(): Promise<void> {
    this.release();
  }
}
