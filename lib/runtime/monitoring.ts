/**
 * The runtime's side of model monitoring and data capture: attaches a ModelMonitor to models
 * whose package names a baseline, feeds it every inference (inputs are read before they are handed
 * to a worker thread, predictions after), answers feedback, and writes sampled capture records.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from 'pino';
import { validateBaseline } from '../monitoring/baseline';
import { ModelMonitor, ObservedTensor } from '../monitoring/monitor';
import { monitorOptions } from '../monitoring/settings';
import { CaptureRecord, CaptureWriter } from './capture';
import type { RuntimeConfig } from './config';
import { rtError } from './errors';
import { isProblem, SeenTokens, signToken, TokenClaims, verifyToken } from './feedback-token';
import type { RuntimeMetrics } from './metrics';
import type { ModelResult, ServedModel } from './model';
import { Tensor, toJsonArray } from './tensor';

export interface RequestContext {
  readonly requestId: string;
  /** Request-level parameters (OIP `parameters`, `{instances, parameters}`), for the group attribute. */
  readonly parameters?: Record<string, unknown>;
}

/** What was read of a request before inference, finished by `complete()`. */
export interface Observation {
  readonly model: ServedModel;
  readonly ctx: RequestContext;
  readonly inputs: readonly ObservedTensor[];
  readonly rows: number;
  readonly capture?: CaptureRecord['inputs'];
}

function rowSizeOf(shape: readonly number[]): number {
  let n = 1;
  for (let i = 1; i < shape.length; i++) n *= shape[i];
  return n;
}

function observed(t: Tensor): ObservedTensor {
  return { name: t.name, data: t.data as ArrayLike<number>, rowSize: rowSizeOf(t.shape) };
}

export interface FeedbackItem {
  /** A request id (single replica: the id cache), or… */
  readonly id?: unknown;
  /** …a prediction token (any replica with the key). */
  readonly token?: unknown;
  readonly labels: unknown;
}

export interface FeedbackSkip {
  /** The request id, or the token's id. */
  readonly id: string;
  readonly reason: string;
  readonly detail: string;
  /** Index in the feedback list. */
  readonly index: number;
}

export interface FeedbackResult {
  readonly accepted: number;
  readonly skipped: FeedbackSkip[];
}

/** How a feedback item names its model: the route's, or the one its token names. */
export interface FeedbackModels {
  /** The model of a route that names one (`/v2/models/{name}/feedback`): tokens must match it. */
  readonly named?: ServedModel;
  /** The model id-based items go to when the route names none. */
  readonly fallback: () => ServedModel;
  /** Look a token's model up. */
  readonly lookup: (name: string) => ServedModel | undefined;
}

export class RuntimeMonitoring {
  private readonly monitors = new Map<ServedModel, ModelMonitor>();
  private readonly capture?: CaptureWriter;
  private readonly timer: NodeJS.Timeout;
  /** Prediction-token keys (the first signs), set at start when a key source is configured. */
  private keys?: readonly Buffer[];
  /** Token ids already labelled here, per model. */
  private readonly seen = new Map<ServedModel, SeenTokens>();

  constructor(
    private readonly config: RuntimeConfig,
    private readonly metrics: RuntimeMetrics,
    private readonly log: Logger,
  ) {
    if (config.captureDir && config.capturePercent > 0) {
      this.capture = new CaptureWriter({
        dir: config.captureDir,
        percent: config.capturePercent,
        maxBytes: config.captureMaxBytes,
        maxFiles: config.captureMaxFiles,
        onError: (e) => log.error({ err: e.message, dir: config.captureDir }, 'data capture failed; capture is off'),
      });
    }
    this.timer = setInterval(() => {
      for (const m of this.monitors.values()) m.tick();
    }, 1000);
    this.timer.unref();
  }

  /** Attach a monitor when the package names a baseline (and monitoring is not switched off). */
  public attach(model: ServedModel): void {
    if (this.config.monitoring === false) return;
    const file = model.manifest?.baseline;
    if (!file) {
      if (this.config.monitoring === true) this.log.warn({ model: model.name }, 'SERVINGSTACK_MONITORING=true but the package names no baseline: no drift monitoring for this model');
      return;
    }
    const baselinePath = path.join(model.dir, file);
    const baseline = validateBaseline(JSON.parse(fs.readFileSync(baselinePath, 'utf8')), baselinePath);
    const events = this.metrics.monitorEvents((obj, msg) => this.log.info(obj, msg));
    const options = monitorOptions(baseline, { task: model.manifest?.task, inputs: model.inputs, outputs: model.outputs }, {
      windowRows: this.config.monitoringWindowRows,
      windowSeconds: this.config.monitoringWindowSeconds,
      minWindowRows: this.config.monitoringMinWindowRows,
      psiThreshold: this.config.driftPsiThreshold,
      jsThreshold: this.config.driftJsThreshold,
      feedbackCacheSize: this.config.feedbackCacheSize,
      feedbackTtlSeconds: this.config.feedbackTtlSeconds,
      groupAttribute: this.config.fairnessGroup,
      positiveClass: this.config.fairnessPositiveClass,
      minGroupCount: this.config.fairnessMinGroupCount,
    });
    const { windowRows, psiThreshold, jsThreshold } = options;
    const cal = baseline.thresholds;
    const monitor = new ModelMonitor(model.name, baseline, options, events);
    this.monitors.set(model, monitor);
    this.log.info(
      { model: model.name, baseline: file, features: baseline.features.length, windowRows, psiThreshold, jsThreshold, thresholds: this.config.driftPsiThreshold !== undefined ? 'configured' : cal ? 'calibrated' : 'fixed defaults' },
      'monitoring on',
    );
  }

  public detach(model: ServedModel): void {
    this.monitors.delete(model);
    this.seen.delete(model);
  }

  /** Turn prediction tokens on (keys from lib/runtime/feedback-key.ts). */
  public setKeys(keys: readonly Buffer[]): void {
    this.keys = keys;
  }

  public get tokensOn(): boolean {
    return this.keys !== undefined;
  }

  public monitorOf(model: ServedModel): ModelMonitor | undefined {
    return this.monitors.get(model);
  }

  /** Read what monitoring and capture need before the inputs go to a worker. */
  public begin(model: ServedModel, inputs: readonly Tensor[], rows: number, ctx: RequestContext): Observation | undefined {
    const monitored = this.monitors.has(model);
    const captured = this.capture?.sample() ?? false;
    if (!monitored && !captured) return undefined;
    let capture: CaptureRecord['inputs'] | undefined;
    if (captured) {
      capture = Object.create(null) as CaptureRecord['inputs']; // tensor names may be `__proto__`
      for (const t of inputs) capture[t.name] = { datatype: t.datatype, shape: t.shape, data: toJsonArray(t.datatype, t.data) };
    }
    // Copy what the monitor reads: the typed arrays are transferred to the worker thread.
    const observedInputs = monitored ? inputs.map((t) => ({ ...observed(t), data: Array.isArray(t.data) ? t.data : (t.data as Float32Array).slice() })) : [];
    return { model, ctx, inputs: observedInputs, rows, capture };
  }

  /** Count the request; returns its prediction token when tokens are on and the model is monitored. */
  public complete(o: Observation, result: ModelResult): string | undefined {
    const monitor = this.monitors.get(o.model);
    let token: string | undefined;
    if (monitor) {
      const group = this.config.fairnessGroup ? o.ctx.parameters?.[this.config.fairnessGroup] : undefined;
      const { predictions, groups } = monitor.observeRows(o.ctx.requestId, o.inputs, o.rows, result.outputs.map(observed), group);
      if (this.keys) token = signToken(this.keys[0], { model: o.model.name, version: o.model.version, predictions, groups }, this.config.feedbackTokenTtlSeconds);
    }
    if (o.capture && this.capture) {
      const outputs = Object.create(null) as NonNullable<CaptureRecord['outputs']>; // tensor names may be `__proto__`
      for (const t of result.outputs) outputs[t.name] = { datatype: t.datatype, shape: t.shape, data: toJsonArray(t.datatype, t.data) };
      this.capture.write({ time: new Date().toISOString(), requestId: o.ctx.requestId, model: o.model.name, version: o.model.version, inputs: o.capture, outputs, status: 200, ...(o.ctx.parameters ? { parameters: o.ctx.parameters } : {}) });
    }
    return token;
  }

  private monitorFor(model: ServedModel): ModelMonitor {
    const monitor = this.monitors.get(model);
    if (!monitor) {
      this.metrics.onFeedbackRefused(model.name, 'monitoring_off');
      throw rtError('RT_ERR_MONITORING_OFF', `model '${model.name}' is not monitored`, {
        field: 'model',
        received: model.name,
        allowed: 'a model whose package names a baseline (servingstack baseline), with SERVINGSTACK_MONITORING not false',
      });
    }
    return monitor;
  }

  /**
   * Ground truth for earlier predictions: by request id (this replica's cache) or by prediction
   * token (any replica with the key; a token id is counted once per replica).
   */
  public feedback(models: FeedbackModels, items: readonly FeedbackItem[]): FeedbackResult {
    let accepted = 0;
    const skipped: FeedbackSkip[] = [];
    items.forEach((item, index) => {
      const refuse = (model: string, id: string, reason: string, detail: string): void => {
        this.metrics.onFeedbackRefused(model, reason);
        skipped.push({ id, reason, detail, index });
      };
      if (item.token !== undefined) {
        const routeName = models.named?.name ?? '';
        if (!this.keys) return refuse(routeName, '', 'no_key', 'this runtime has no feedback key (SERVINGSTACK_FEEDBACK_KEY, _FILE or _SECRET_ARN): tokens cannot be checked');
        const v = verifyToken(this.keys, item.token);
        if (isProblem(v)) {
          if (v.kind !== 'expired') return refuse(routeName, '', 'invalid_token', v.detail);
          return refuse(v.claims.model, v.claims.id, 'expired_token', v.detail);
        }
        const claims: TokenClaims = v;
        const model = models.lookup(claims.model);
        if (!model) return refuse(claims.model, claims.id, 'unknown_model', `the token's model '${claims.model}' is not loaded here`);
        if ((models.named && models.named !== model) || model.version !== claims.version) {
          return refuse(claims.model, claims.id, 'wrong_model', `the token is for ${claims.model} version ${claims.version}; this route serves ${(models.named ?? model).name} version ${(models.named ?? model).version}`);
        }
        const monitor = this.monitorFor(model);
        let seen = this.seen.get(model);
        if (!seen) this.seen.set(model, (seen = new SeenTokens(this.config.feedbackCacheSize)));
        if (seen.has(claims.id)) {
          const detail = `token '${claims.id}' was already labelled on this replica`;
          monitor.skip('already_labelled', detail);
          return void skipped.push({ id: claims.id, reason: 'already_labelled', detail, index });
        }
        // The id is remembered only once a label counted: a corrected retry of a refused label still counts.
        const r = monitor.label(claims.predictions, claims.groups, item.labels, `token '${claims.id}'`);
        if (r) return void skipped.push({ id: claims.id, reason: r.reason, detail: r.detail, index });
        seen.add(claims.id, claims.expiresAt * 1000);
        accepted++;
        return;
      }
      const model = models.named ?? models.fallback();
      const monitor = this.monitorFor(model);
      const id = typeof item.id === 'string' ? item.id : String(item.id);
      const r = monitor.feedback(id, item.labels);
      if (r) skipped.push({ id, reason: r.reason, detail: r.detail, index });
      else accepted++;
    });
    return { accepted, skipped };
  }

  public async close(): Promise<void> {
    clearInterval(this.timer);
    await this.capture?.close();
  }
}
