/**
 * The protocol-neutral data plane: the models, the worker pool and scheduler behind them, and the
 * operations every protocol maps onto — infer, metadata, readiness, feedback, load and unload.
 * It knows nothing of HTTP; the protocol plugins (protocols/*.ts) translate requests into these
 * calls and results into their wire formats. It also holds the server's lifecycle state.
 */
import type { Logger } from 'pino';
import { version as packageVersion } from '../../package.json';
import type { PreparedInputs } from './codec';
import type { RuntimeConfig } from './config';
import { rtError, RuntimeError } from './errors';
import { RuntimeMetrics } from './metrics';
import type { ModelResult, ServedModel } from './model';
import { FeedbackItem, FeedbackResult, RequestContext, RuntimeMonitoring } from './monitoring';
import { confine } from './package';
import { InferencePool, PoolEvents, WorkerPool } from './pool';

/** Builds the inference back end: a WorkerPool of `size` threads unless a test passes another. */
export type PoolFactory = (size: number, events: PoolEvents) => InferencePool;
import { ModelRepository } from './repository';
import { Scheduler } from './scheduler';
import { resolveModelLocation } from './storage';

/**
 * `serving`: normal. `draining`: a shutdown began — readiness is off but requests are still
 * served (platforms keep routing for a few seconds). `refusing`: new work is answered 503
 * (RT_ERR_DRAINING) while in-flight work finishes.
 */
export type Lifecycle = 'serving' | 'draining' | 'refusing';

export interface ModelMetadata {
  readonly name: string;
  readonly versions: readonly string[];
  readonly platform: string;
  readonly inputs: readonly { name: string; datatype: string; shape: readonly number[] }[];
  readonly outputs: readonly { name: string; datatype: string; shape: readonly number[] }[];
}

/** SageMaker batch transform's `GET /execution-parameters` answer. */
export interface ExecutionParameters {
  readonly MaxConcurrentTransforms: number;
  readonly BatchStrategy: 'MULTI_RECORD' | 'SINGLE_RECORD';
  readonly MaxPayloadInMB: number;
}

/**
 * The 503 while shutting down. Retry-After 5 s: a client behind a load balancer retries on another
 * replica anyway; one that retries here waits long enough for the listener to close at a lull in
 * between (and is then refused at once, before it sends anything).
 */
function draining(): RuntimeError {
  return rtError('RT_ERR_DRAINING', 'the server is shutting down', { retryAfterSeconds: 5 });
}

export const SERVER_NAME = 'servingstack';
export const SERVER_VERSION: string = packageVersion;

export class DataPlane {
  public readonly metrics: RuntimeMetrics;
  public readonly repository: ModelRepository;
  public readonly scheduler: Scheduler;
  public readonly monitoring: RuntimeMonitoring;
  public lifecycle: Lifecycle = 'serving';
  /** Requests between decoding and their result. */
  public inflight = 0;
  private readonly pool: InferencePool;
  private startupDone = false;
  private readonly startupModels: string[] = [];

  constructor(
    public readonly config: RuntimeConfig,
    private readonly log: Logger,
    createPool: PoolFactory = (size, events) => new WorkerPool(size, events),
  ) {
    this.metrics = new RuntimeMetrics(config.emf);
    const idle = { pump: (): void => undefined };
    this.pool = createPool(config.workers, {
      onIdle: () => idle.pump(),
      onWorkerExit: (index, code) => log.error({ worker: index, code }, 'inference worker exited; restarting it'),
    });
    this.scheduler = new Scheduler(this.pool, { maxQueueSize: config.maxQueueSize, requestTimeoutMs: config.requestTimeoutMs }, this.metrics);
    idle.pump = () => this.scheduler.pump();
    this.repository = new ModelRepository(config, this.pool, this.scheduler, this.metrics, log);
    this.monitoring = new RuntimeMonitoring(config, this.metrics, log);
    this.metrics.models = () => this.repository.models.values();
    this.metrics.inflightNow = () => this.inflight;
  }

  // --- readiness ----------------------------------------------------------------------------

  /** Server readiness: serving, startup done, and (single-model) every model ready. */
  public get ready(): boolean {
    if (this.lifecycle !== 'serving' || !this.startupDone) return false;
    if (this.config.multiModel) return true;
    if (this.repository.models.size === 0) return false;
    for (const m of this.repository.models.values()) if (m.state !== 'ready') return false;
    return true;
  }

  /** Liveness for SageMaker's /ping in multi-model mode: up and not shutting down. */
  public get accepting(): boolean {
    return this.lifecycle === 'serving';
  }

  public modelReady(m: ServedModel): boolean {
    return m.state === 'ready' && this.lifecycle === 'serving';
  }

  // --- models -------------------------------------------------------------------------------

  /** The model of that name (and version, when given), else RT_ERR_MODEL_NOT_FOUND. */
  public find(name: string, version?: string): ServedModel {
    const m = this.repository.get(name);
    if (!m || (version !== undefined && version !== m.version)) {
      const wrongVersion = version !== undefined && m !== undefined;
      throw rtError('RT_ERR_MODEL_NOT_FOUND', `${wrongVersion ? `version '${version}' of model '${name}'` : `model '${name}'`} is not loaded`, {
        field: wrongVersion ? 'version' : 'model',
        received: wrongVersion ? version : name,
        allowed: wrongVersion ? m.version : [...this.repository.models.keys()].join(', ') || '(no models loaded)',
      });
    }
    return m;
  }

  /** The model a route without a model name serves: the only one, or the startup model. */
  public defaultModel(): ServedModel {
    const m = this.repository.default ?? (this.startupModels.length ? this.repository.get(this.startupModels[0]) : undefined);
    if (!m) {
      throw rtError('RT_ERR_MODEL_NOT_FOUND', this.repository.models.size ? 'several models are loaded: name one (X-Amzn-SageMaker-Target-Model or /models/<name>/invoke)' : 'no model is loaded', {
        field: 'model',
        allowed: [...this.repository.models.keys()].join(', ') || '(no models loaded)',
      });
    }
    return m;
  }

  /** The default model without throwing (for early checks). */
  public peekDefault(): ServedModel | undefined {
    return this.repository.default ?? (this.startupModels.length ? this.repository.get(this.startupModels[0]) : undefined);
  }

  public metadata(m: ServedModel): ModelMetadata {
    return {
      name: m.name,
      versions: [m.version],
      platform: 'onnx_onnxv1',
      inputs: m.inputs.map((t) => ({ name: t.name, datatype: t.datatype, shape: t.shape })),
      outputs: m.outputs.map((t) => ({ name: t.name, datatype: t.datatype, shape: t.shape })),
    };
  }

  // --- inference ----------------------------------------------------------------------------

  /** Whether a new request for this model would be refused for a full queue. */
  public isFull(m: ServedModel): boolean {
    return this.scheduler.isFull(m);
  }

  public queueFull(m: ServedModel): RuntimeError {
    return this.scheduler.queueFull(m);
  }

  /** Refuse work at once when the server is refusing or the model is not ready (before decoding a body). */
  public admit(model: ServedModel): void {
    if (this.lifecycle === 'refusing') {
      this.metrics.onRejectedByName(model.name, 'draining');
      throw draining();
    }
    if (model.state !== 'ready') {
      this.metrics.onRejectedByName(model.name, 'not_ready');
      throw rtError('RT_ERR_NOT_READY', `model '${model.name}' is ${model.state}${model.failure ? `: ${model.failure}` : ''}`, { retryAfterSeconds: model.state === 'failed' ? 30 : 1 });
    }
  }

  /** Run prepared inputs through the model's queue (checked again: the state may change while a body is decoded). */
  public async infer(model: ServedModel, prepared: PreparedInputs, ctx: RequestContext): Promise<ModelResult> {
    this.admit(model);
    this.inflight++;
    try {
      const observation = this.monitoring.begin(model, prepared.inputs, prepared.rows, ctx);
      const result = await this.scheduler.submit(model, prepared);
      if (observation) this.monitoring.complete(observation, result);
      return result;
    } finally {
      this.inflight--;
    }
  }

  /** Ground truth for earlier requests, by request id. */
  public feedback(model: ServedModel, doc: unknown): FeedbackResult {
    let items: FeedbackItem[];
    const isObj = doc !== null && typeof doc === 'object' && !Array.isArray(doc);
    if (isObj && Array.isArray((doc as { feedback?: unknown }).feedback)) items = (doc as { feedback: FeedbackItem[] }).feedback;
    else if (isObj && 'id' in doc) items = [doc as FeedbackItem];
    else {
      throw rtError('RT_ERR_BAD_FEEDBACK', 'the body must name request ids and labels', {
        field: 'body',
        received: doc,
        allowed: '{"id": "<request id>", "labels": [...]} or {"feedback": [{"id", "labels"}, …]}',
      });
    }
    items.forEach((it, i) => {
      if (!it || typeof it !== 'object' || (typeof it.id !== 'string' && typeof it.id !== 'number') || !('labels' in it)) {
        throw rtError('RT_ERR_BAD_FEEDBACK', `feedback[${i}] needs an id and labels`, { field: `feedback[${i}]`, received: it, allowed: '{"id": string, "labels": label or [labels, one per row]}' });
      }
    });
    const result = this.monitoring.feedback(model, items);
    if (result.accepted === 0) {
      const first = result.skipped[0];
      throw rtError('RT_ERR_BAD_FEEDBACK', `no label could be used: ${first.detail}`, {
        field: first.reason === 'bad_label' || first.reason === 'row_mismatch' ? 'labels' : 'id',
        received: first.id,
        allowed: 'ids of requests answered in the last SERVINGSTACK_FEEDBACK_TTL_SECONDS, one label per row of the type the model predicts',
      });
    }
    return result;
  }

  /** SageMaker batch transform defaults, from the runtime's own limits. */
  public executionParameters(): ExecutionParameters {
    const m = this.peekDefault();
    // Several rows per request when the model takes a variable number of rows (dimension 0 dynamic).
    const multi = !m || m.inputs.length === 0 || m.inputs.every((t) => t.shape.length > 0 && t.shape[0] === -1);
    return {
      // One request per worker keeps every worker busy; more would only queue (each request is a batch already).
      MaxConcurrentTransforms: this.config.workers,
      BatchStrategy: multi ? 'MULTI_RECORD' : 'SINGLE_RECORD',
      // SageMaker's MB is MiB (6 MB = 6291456 bytes); at most 100, at least 1.
      MaxPayloadInMB: Math.max(1, Math.min(100, Math.floor(this.config.bodyLimitBytes / (1024 * 1024)))),
    };
  }

  // --- loading ------------------------------------------------------------------------------

  /** Load a model and, when its package names a baseline, start monitoring it. */
  public async load(dir: string, name?: string): Promise<ServedModel> {
    const m = await this.repository.load(dir, name);
    try {
      this.monitoring.attach(m);
    } catch (e) {
      this.log.error({ model: m.name, err: (e as Error).message }, 'baseline unusable: the model serves without monitoring');
    }
    return m;
  }

  /**
   * Multi-model load of `url` (inside the model root) as `name`. Errors name `url`; a load that
   * runs out of memory is RT_ERR_OUT_OF_RESOURCES (SageMaker then evicts a model and retries).
   */
  public async loadFromRoot(name: string, url: string): Promise<ServedModel> {
    const dir = confine(this.config.modelRoot, url);
    const existing = this.repository.get(name);
    if (existing && existing.state !== 'failed') {
      throw rtError('RT_ERR_MODEL_EXISTS', `model '${name}' is already loaded`, { field: 'model_name', received: name, allowed: 'a name not yet loaded' });
    }
    try {
      return await this.load(dir, name);
    } catch (e) {
      if (e instanceof RuntimeError && e.code === 'RT_ERR_MODEL_PATH') throw rtError('RT_ERR_MODEL_PATH', `model '${name}' failed to load: ${e.message}`, { ...e.details, field: 'url', received: url });
      if (e instanceof RuntimeError) throw e;
      const msg = (e as Error).message;
      if (/memory|alloc/i.test(msg)) throw rtError('RT_ERR_OUT_OF_RESOURCES', `not enough memory to load '${name}': ${msg.split('\n')[0]}`, { field: 'url', received: url });
      throw rtError('RT_ERR_MODEL_PATH', `model '${name}' failed to load: ${msg.split('\n')[0]}`, { field: 'url', received: url });
    }
  }

  public async unload(name: string): Promise<void> {
    const m = this.find(name);
    this.monitoring.detach(m);
    await this.repository.unload(name);
  }

  /** Load the startup model(s). Failures are logged and leave the server alive and not ready. */
  public async loadStartupModels(): Promise<void> {
    const locations: string[] = [];
    if (this.config.modelDir) locations.push(this.config.modelDir);
    else if (this.config.storageUri) locations.push(this.config.storageUri);
    for (const location of locations) {
      try {
        const m = await this.load(await resolveModelLocation(location));
        this.startupModels.push(m.name);
      } catch (e) {
        const failed = [...this.repository.models.values()].find((m) => m.state === 'failed');
        if (failed && !this.startupModels.includes(failed.name)) this.startupModels.push(failed.name);
        this.log.error({ location, err: (e as Error).message.split('\n')[0] }, 'startup model failed to load; the server stays up and not ready');
      }
    }
    this.startupDone = true;
  }

  /** Stop the scheduler, monitoring and workers (after the HTTP side has drained). */
  public async close(): Promise<void> {
    this.scheduler.close();
    await this.monitoring.close();
    await this.pool.close();
  }
}
