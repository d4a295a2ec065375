/**
 * The models this server holds: loading a package into every worker, warming it up, checking the
 * manifest against what ONNX Runtime reports, and unloading. A model that fails to load stays
 * listed as failed (server alive, not ready) with its cause.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from 'pino';
import { datatypeFromOrt } from '../core/dtypes';
import { MANIFEST_FILE, ModelManifest, DEFAULT_MAX_BATCH_SIZE } from '../core/manifest';
import type { RuntimeConfig } from './config';
import { rtError } from './errors';
import type { RuntimeMetrics } from './metrics';
import { ServedModel, TensorSpecRt } from './model';
import { packageName, readPackage, sanitizeName, ServablePackage } from './package';
import type { InferencePool, LoadedSignature } from './pool';
import type { Scheduler } from './scheduler';
import { parseOipRequest, PreparedInputs } from './codec';
import { allocate, decodeLimitsOf, Tensor } from './tensor';
import type { TensorMetadata } from './worker-protocol';

let loadCounter = 0;

export class ModelRepository {
  public readonly models = new Map<string, ServedModel>();

  constructor(
    private readonly config: RuntimeConfig,
    private readonly pool: InferencePool,
    private readonly scheduler: Scheduler,
    private readonly metrics: RuntimeMetrics,
    private readonly log: Logger,
  ) {}

  public get(name: string): ServedModel | undefined {
    return this.models.get(name);
  }

  /** The only model, in single-model mode; undefined when none or several. */
  public get default(): ServedModel | undefined {
    if (this.models.size !== 1) return undefined;
    return this.models.values().next().value;
  }

  /**
   * Check a package directory (see package.ts) and load it. Resolves when the model is ready;
   * rejects when not. A package that fails its check or its load stays listed as failed, with its
   * cause, so readiness and inference answer 503 for it rather than 404.
   */
  public async load(dir: string, nameOverride?: string): Promise<ServedModel> {
    const started = process.hrtime.bigint();
    let pkg: ServablePackage;
    try {
      pkg = readPackage(dir);
    } catch (e) {
      // No directory at all is no model (404); a directory that fails its check is a failed model (503).
      if (!fs.existsSync(dir)) throw e;
      const name = nameOverride ?? packageName(dir);
      this.assertFree(name);
      const failed = new ServedModel(name, '1', `${name}#${++loadCounter}`, dir, '', undefined, [], [], 1, 0);
      this.models.set(name, failed);
      this.fail(failed, e as Error);
      throw e;
    }
    const { manifest, modelPath } = pkg;
    const name = nameOverride ?? manifest?.name ?? sanitizeName(path.basename(path.resolve(dir)));
    this.assertFree(name);
    const maxBatchSize = this.config.maxBatchSize ?? manifest?.batching?.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE;
    const maxQueueDelay = this.config.maxQueueDelayMicroseconds ?? manifest?.batching?.maxQueueDelayMicroseconds ?? 0;
    const model = new ServedModel(
      name,
      manifest?.version ?? '1',
      `${name}#${++loadCounter}`,
      pkg.dir,
      modelPath,
      manifest,
      specsFromManifest(manifest, 'inputs'),
      specsFromManifest(manifest, 'outputs'),
      maxBatchSize,
      maxQueueDelay,
    );
    const previous = this.models.get(name);
    if (previous) this.scheduler.remove(previous, rtError('RT_ERR_NOT_READY', `model '${name}' is being reloaded`));
    this.models.set(name, model);
    this.scheduler.add(model);
    this.metrics.onModelState(model);
    this.log.info({ model: name, path: modelPath }, 'loading model');
    try {
      const loaded = await this.pool.load(model.key, modelPath, {
        executionProviders: this.config.executionProviders,
        intraOpNumThreads: this.config.intraOpThreads,
        graphOptimizationLevel: this.config.graphOptimizationLevel,
        deviceIds: this.config.gpuDeviceIds,
      });
      for (const w of loaded.warnings) this.log.warn({ model: name }, w);
      model.provider = loaded.provider;
      reconcile(model, loaded);
      if (this.config.warmup) {
        model.state = 'warming';
        await this.warmUp(model);
      }
      model.state = 'ready';
      model.loadSeconds = Number(process.hrtime.bigint() - started) / 1e9;
      this.metrics.onModelState(model);
      this.log.info({ model: name, version: model.version, provider: model.provider, seconds: model.loadSeconds, batchable: model.batchable, maxBatchSize: model.maxBatchSize }, 'model ready');
      return model;
    } catch (e) {
      this.fail(model, e as Error);
      await this.pool.unload(model.key).catch(() => undefined);
      throw e;
    }
  }

  /** A name may be (re)used unless a model of that name is loaded, loading or warming. */
  private assertFree(name: string): void {
    if (this.models.has(name) && this.models.get(name)!.state !== 'failed') {
      throw rtError('RT_ERR_MODEL_EXISTS', `model '${name}' is already loaded`, { field: 'model_name', received: name, allowed: 'a name not yet loaded (unload it first)' });
    }
  }

  private fail(model: ServedModel, e: Error): void {
    model.state = 'failed';
    model.failure = e.message.split('\n')[0];
    this.scheduler.remove(model, rtError('RT_ERR_NOT_READY', `model '${model.name}' failed to load`));
    this.metrics.onModelState(model);
    this.log.error({ model: model.name, path: model.modelPath || model.dir, err: model.failure }, 'model failed to load');
  }

  public async unload(name: string): Promise<void> {
    const model = this.models.get(name);
    if (!model) throw rtError('RT_ERR_MODEL_NOT_FOUND', `model '${name}' is not loaded`, { field: 'model_name', received: name, allowed: [...this.models.keys()].join(', ') || '(none loaded)' });
    model.state = 'unloading';
    this.models.delete(name);
    this.scheduler.remove(model, rtError('RT_ERR_MODEL_NOT_FOUND', `model '${name}' was unloaded`));
    this.metrics.removeModel(name);
    await this.pool.unload(model.key);
    this.log.info({ model: name }, 'model unloaded');
  }

  /**
   * One run per worker at batch 1, so the first real request pays no first-run cost: with
   * zero-filled inputs (empty strings for BYTES); when the model cannot run on those (a string
   * input it parses as a number, say) with the package's example request; when neither runs, the
   * warm-up is skipped with a warning. A model that loaded is never left unready by its warm-up.
   */
  private async warmUp(model: ServedModel): Promise<void> {
    const zeros = (): PreparedInputs => {
      const inputs: Tensor[] = model.inputs.map((spec) => {
        const shape = spec.shape.map((d) => (d < 0 ? 1 : d));
        const count = shape.reduce((a, b) => a * b, 1);
        return { name: spec.name, datatype: spec.datatype, shape, data: allocate(spec.datatype, count) };
      });
      return { inputs, rows: model.batchable ? (inputs[0]?.shape[0] ?? 1) : 1, outputs: model.outputs.map((o) => o.name), batchKey: '' };
    };
    const zeroFailure = await this.warmUpWith(model, zeros);
    if (zeroFailure === undefined) return;
    const file = model.manifest?.exampleRequest;
    if (file === undefined) {
      this.log.warn({ model: model.name, err: zeroFailure }, 'warm-up skipped: the model cannot run on zero-filled inputs and the package has no exampleRequest; it is ready, and its first requests pay the first-run cost');
      return;
    }
    let exampleFailure: string | undefined;
    try {
      const body = fs.readFileSync(path.join(model.dir, file));
      exampleFailure = await this.warmUpWith(model, () => parseOipRequest(model, body, undefined, decodeLimitsOf(this.config)));
    } catch (e) {
      exampleFailure = (e as Error).message;
    }
    if (exampleFailure === undefined) this.log.info({ model: model.name, zeroFilled: zeroFailure, exampleRequest: file }, 'warmed up with the example request (zero-filled inputs fail)');
    else this.log.warn({ model: model.name, zeroFilled: zeroFailure, exampleRequest: exampleFailure }, 'warm-up skipped: the model runs neither on zero-filled inputs nor on its exampleRequest; it is ready, and its first requests pay the first-run cost');
  }

  /** One run per worker with fresh inputs (they are transferred to the worker); the failure message, if any. */
  private async warmUpWith(model: ServedModel, make: () => PreparedInputs): Promise<string | undefined> {
    try {
      const runs: Promise<unknown>[] = [];
      for (let w = 0; w < this.pool.size; w++) {
        const p = make();
        runs.push(this.scheduler.submit(model, { inputs: p.inputs, rows: p.rows, outputs: model.outputs.map((o) => o.name), batchKey: `warmup-${w}` }));
      }
      await Promise.all(runs);
      return undefined;
    } catch (e) {
      return (e as Error).message;
    }
  }
}

function specsFromManifest(m: ModelManifest | undefined, side: 'inputs' | 'outputs'): TensorSpecRt[] {
  if (!m) return [];
  return m.signature[side].map((t) => ({ name: t.name, datatype: t.datatype, shape: [...t.shape], allowNonFinite: t.allowNonFinite ?? false }));
}

function specsFromOrt(list: readonly TensorMetadata[], side: string): TensorSpecRt[] {
  return list.map((t) => {
    const datatype = t.type ? datatypeFromOrt(t.type) : undefined;
    if (!datatype) throw new Error(`${side} '${t.name}' has type ${t.type ?? 'non-tensor'}, which the runtime cannot serve`);
    return { name: t.name, datatype, shape: [...t.shape], allowNonFinite: false };
  });
}

/** Trust the manifest for names and declared shapes, but refuse one that disagrees with the model. */
function reconcile(model: ServedModel, loaded: LoadedSignature): void {
  const fromModel = { inputs: specsFromOrt(loaded.inputs, 'input'), outputs: specsFromOrt(loaded.outputs, 'output') };
  if (!model.manifest) {
    model.inputs = fromModel.inputs;
    model.outputs = fromModel.outputs;
    return;
  }
  const problems: string[] = [];
  for (const side of ['inputs', 'outputs'] as const) {
    const declared = model[side];
    const actual = fromModel[side];
    for (const d of declared) {
      const a = actual.find((x) => x.name === d.name);
      if (!a) problems.push(`${side} '${d.name}' is not in the model (it has ${actual.map((x) => x.name).join(', ')})`);
      else if (a.datatype !== d.datatype) problems.push(`${side} '${d.name}' is ${a.datatype} in the model, ${d.datatype} in the manifest`);
      else if (a.shape.length !== d.shape.length && a.shape.length > 0) problems.push(`${side} '${d.name}' has rank ${a.shape.length} in the model, ${d.shape.length} in the manifest`);
    }
    if (side === 'inputs') for (const a of actual) if (!declared.some((d) => d.name === a.name)) problems.push(`input '${a.name}' of the model is missing from the manifest`);
  }
  if (problems.length) throw new Error(`${MANIFEST_FILE} disagrees with the model: ${problems.join('; ')}`);
}
