/**
 * Dynamic batching with Triton's semantics: when a worker is free, take queued requests of a
 * model in arrival order while their rows fit `maxBatchSize`; with `maxQueueDelayMicroseconds`
 * > 0, a partial batch waits until its oldest request has waited that long. The queue is bounded:
 * a full queue answers 503 with Retry-After at once. Requests that outlive the request timeout
 * are answered 503 and their results dropped.
 */
import { performance } from 'node:perf_hooks';
import { datatypeFromOrt } from '../core/dtypes';
import { rtError, RuntimeError } from './errors';
import type { ModelResult, PendingRequest, ServedModel } from './model';
import type { InferencePool, WorkerSlot } from './pool';
import { concatRows, sliceRows, Tensor, TensorData } from './tensor';
import type { WireTensor } from './worker-protocol';
import { datatypeInfo } from '../core/dtypes';

export interface SchedulerObserver {
  onQueueDepth(model: ServedModel): void;
  onBatch(model: ServedModel, rows: number, computeSeconds: number): void;
  onQueueWait(model: ServedModel, seconds: number): void;
  onRejected(model: ServedModel, reason: 'queue_full' | 'timeout'): void;
}

export interface SchedulerOptions {
  readonly maxQueueSize: number;
  readonly requestTimeoutMs: number;
}

export class Scheduler {
  private readonly models: ServedModel[] = [];
  private rr = 0;
  private readonly sweepTimer: NodeJS.Timeout;

  constructor(
    private readonly pool: InferencePool,
    private readonly options: SchedulerOptions,
    private readonly observer: SchedulerObserver,
  ) {
    const period = Math.max(5, Math.min(250, Math.floor(options.requestTimeoutMs / 4)));
    this.sweepTimer = setInterval(() => this.sweepExpired(), period);
    this.sweepTimer.unref();
  }

  public add(model: ServedModel): void {
    this.models.push(model);
  }

  public remove(model: ServedModel, reason: Error): void {
    const i = this.models.indexOf(model);
    if (i >= 0) this.models.splice(i, 1);
    if (model.delayTimer) clearTimeout(model.delayTimer);
    for (let k = model.queueHead; k < model.queue.length; k++) settleReject(model.queue[k], reason);
    model.queue.length = 0;
    model.queueHead = 0;
  }

  /** Total requests waiting across models. */
  public get queued(): number {
    let n = 0;
    for (const m of this.models) n += m.queueLength;
    return n;
  }

  public submit(model: ServedModel, req: Pick<PendingRequest, 'inputs' | 'rows' | 'outputs' | 'batchKey'>): Promise<ModelResult> {
    if (this.isFull(model)) return Promise.reject(this.queueFull(model));
    return new Promise<ModelResult>((resolve, reject) => {
      const now = performance.now();
      const pending: PendingRequest = {
        model,
        inputs: req.inputs,
        rows: req.rows,
        outputs: req.outputs,
        batchKey: req.batchKey,
        enqueuedAt: now,
        deadline: now + this.options.requestTimeoutMs,
        settled: false,
        resolve,
        reject,
      };
      model.queue.push(pending);
      this.observer.onQueueDepth(model);
      this.schedulePump();
    });
  }

  private pumpScheduled = false;

  /**
   * Dispatch after the current I/O phase rather than at once: requests whose bytes arrived in the
   * same event-loop turn then share a batch, and the main thread sends one message per batch
   * instead of one per request. Adds no timer delay (setImmediate runs right after I/O polling).
   */
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  /** The 503 for a full queue (counted as a rejection). */
  public queueFull(model: ServedModel): RuntimeError {
    this.observer.onRejected(model, 'queue_full');
    return rtError('RT_ERR_QUEUE_FULL', `model '${model.name}' has ${model.queueLength} requests queued`, {
      received: model.queueLength,
      allowed: `at most ${this.options.maxQueueSize} queued requests (SERVINGSTACK_MAX_QUEUE_SIZE)`,
      retryAfterSeconds: 1,
    });
  }

  /** Whether a new request for this model would be refused for a full queue. */
  public isFull(model: ServedModel): boolean {
    return model.queueLength >= this.options.maxQueueSize;
  }

  /** Dispatch batches while workers are idle and some model has a batch ready. */
  public pump(): void {
    for (;;) {
      const worker = this.pool.idleWorker();
      if (!worker) return;
      const model = this.nextReadyModel();
      if (!model) return;
      const batch = this.takeBatch(model);
      if (batch.length === 0) continue;
      this.execute(model, batch, worker);
    }
  }

  private nextReadyModel(): ServedModel | undefined {
    const n = this.models.length;
    const now = performance.now();
    for (let k = 0; k < n; k++) {
      const m = this.models[(this.rr + k) % n];
      if (m.queueLength === 0 || (m.state !== 'ready' && m.state !== 'warming')) continue;
      if (m.maxQueueDelayMicros > 0 && m.batchable) {
        const oldest = m.queue[m.queueHead];
        let rows = 0;
        for (let i = m.queueHead; i < m.queue.length && rows < m.maxBatchSize; i++) rows += m.queue[i].rows;
        const waitedMs = now - oldest.enqueuedAt;
        if (rows < m.maxBatchSize && waitedMs * 1000 < m.maxQueueDelayMicros) {
          if (!m.delayTimer) {
            const remainingMs = m.maxQueueDelayMicros / 1000 - waitedMs;
            m.delayTimer = setTimeout(() => {
              m.delayTimer = undefined;
              this.pump();
            }, Math.max(0, remainingMs));
          }
          continue;
        }
      }
      this.rr = (this.rr + k + 1) % n;
      return m;
    }
    return undefined;
  }

  private takeBatch(m: ServedModel): PendingRequest[] {
    if (m.delayTimer) {
      clearTimeout(m.delayTimer);
      m.delayTimer = undefined;
    }
    const batch: PendingRequest[] = [];
    const now = performance.now();
    let rows = 0;
    let key: string | undefined;
    while (m.queueHead < m.queue.length) {
      const r = m.queue[m.queueHead];
      if (r.settled) {
        m.queueHead++;
        continue;
      }
      if (r.deadline <= now) {
        m.queueHead++;
        this.timeout(r);
        continue;
      }
      if (batch.length > 0) {
        if (!m.batchable || rows + r.rows > m.maxBatchSize || r.batchKey !== key) break;
      }
      batch.push(r);
      key = r.batchKey;
      rows += r.rows;
      m.queueHead++;
      if (!m.batchable) break;
    }
    if (m.queueHead > 1024 && m.queueHead * 2 > m.queue.length) {
      m.queue.splice(0, m.queueHead);
      m.queueHead = 0;
    } else if (m.queueHead === m.queue.length) {
      m.queue.length = 0;
      m.queueHead = 0;
    }
    this.observer.onQueueDepth(m);
    return batch;
  }

  private execute(m: ServedModel, batch: PendingRequest[], worker: WorkerSlot): void {
    const started = performance.now();
    for (const r of batch) this.observer.onQueueWait(m, (started - r.enqueuedAt) / 1000);
    const total = batch.reduce((s, r) => s + r.rows, 0);
    // No prototype: a tensor may be named `__proto__` or `constructor` (ONNX allows any name).
    const feeds: Record<string, WireTensor> = Object.create(null) as Record<string, WireTensor>;
    const transfer: ArrayBuffer[] = [];
    for (const spec of m.inputs) {
      const parts: TensorData[] = [];
      let shape: readonly number[] = [];
      for (const r of batch) {
        const t = findTensor(r.inputs, spec.name)!;
        parts.push(t.data);
        shape = t.shape;
      }
      const data = concatRows(spec.datatype, parts, total * rowSizeOf(shape));
      const dims = batch.length === 1 ? [...shape] : [total, ...shape.slice(1)];
      feeds[spec.name] = { type: datatypeInfo(spec.datatype).ort, dims, data };
      if (ArrayBuffer.isView(data) && data.buffer instanceof ArrayBuffer && data.byteOffset === 0 && data.byteLength === data.buffer.byteLength) {
        if (!transfer.includes(data.buffer)) transfer.push(data.buffer);
      }
    }
    const wanted = new Set<string>();
    for (const r of batch) for (const o of r.outputs) wanted.add(o);
    const outputNames = m.outputs.filter((o) => wanted.has(o.name)).map((o) => o.name);

    let latest = 0;
    for (const r of batch) latest = Math.max(latest, r.deadline);
    const guard = setTimeout(() => {
      for (const r of batch) this.timeout(r);
    }, Math.max(1, latest - started));
    this.pool.run(worker, m.key, feeds, outputNames, transfer).finally(() => clearTimeout(guard)).then(
      (res) => {
        this.observer.onBatch(m, total, res.computeMicros / 1e6);
        this.deliver(m, batch, total, res.outputs, res.computeMicros, started);
      },
      (e: Error) => {
        const err = rtError('RT_ERR_INFERENCE_FAILED', `model '${m.name}' failed to run: ${e.message.split('\n')[0]}`);
        for (const r of batch) settleReject(r, err);
      },
    );
  }

  private deliver(m: ServedModel, batch: PendingRequest[], total: number, outputs: Record<string, WireTensor>, computeMicros: number, started: number): void {
    let offset = 0;
    for (const r of batch) {
      try {
        const tensors: Tensor[] = [];
        for (const name of r.outputs) {
          const w = outputs[name];
          const datatype = w ? datatypeFromOrt(w.type) : undefined;
          if (!w || !datatype) throw new Error(`output '${name}' missing or of unsupported type ${w?.type}`);
          if (batch.length === 1) {
            tensors.push({ name, datatype, shape: w.dims, data: w.data as TensorData });
            continue;
          }
          if (w.dims[0] !== total) throw new Error(`output '${name}' has ${w.dims[0]} rows for a batch of ${total}: the model cannot be batched (set batching.maxBatchSize 1)`);
          const rowSize = rowSizeOf(w.dims);
          tensors.push({ name, datatype, shape: [r.rows, ...w.dims.slice(1)], data: sliceRows(w.data as TensorData, rowSize, offset, offset + r.rows) });
        }
        settleResolve(r, { outputs: tensors, queueMicros: Math.round((started - r.enqueuedAt) * 1000), computeMicros, batchRows: total });
      } catch (e) {
        settleReject(r, rtError('RT_ERR_INFERENCE_FAILED', `model '${m.name}': ${(e as Error).message}`));
      }
      offset += r.rows;
    }
  }

  private timeout(r: PendingRequest): void {
    if (r.settled) return;
    this.observer.onRejected(r.model, 'timeout');
    settleReject(
      r,
      rtError('RT_ERR_TIMEOUT', `request to model '${r.model.name}' waited longer than the request timeout`, {
        allowed: `at most ${this.options.requestTimeoutMs} ms (SERVINGSTACK_REQUEST_TIMEOUT_MS)`,
        retryAfterSeconds: 1,
      }),
    );
  }

  private sweepExpired(): void {
    const now = performance.now();
    for (const m of this.models) {
      let changed = false;
      while (m.queueHead < m.queue.length && m.queue[m.queueHead].deadline <= now) {
        this.timeout(m.queue[m.queueHead]);
        m.queueHead++;
        changed = true;
      }
      if (changed) {
        if (m.queueHead === m.queue.length) {
          m.queue.length = 0;
          m.queueHead = 0;
        }
        this.observer.onQueueDepth(m);
      }
    }
  }

  public close(): void {
    clearInterval(this.sweepTimer);
    for (const m of this.models) if (m.delayTimer) clearTimeout(m.delayTimer);
  }
}

function rowSizeOf(shape: readonly number[]): number {
  let n = 1;
  for (let i = 1; i < shape.length; i++) n *= shape[i];
  return n;
}

function findTensor(list: readonly Tensor[], name: string): Tensor | undefined {
  for (const t of list) if (t.name === name) return t;
  return undefined;
}

function settleResolve(r: PendingRequest, v: ModelResult): void {
  if (r.settled) return;
  r.settled = true;
  r.resolve(v);
}

function settleReject(r: PendingRequest, e: Error | RuntimeError): void {
  if (r.settled) return;
  r.settled = true;
  r.reject(e);
}
