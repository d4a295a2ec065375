/**
 * The runtime's HTTP front door: one fastify server speaking every platform's contract over the
 * same models, worker pool and batching scheduler. `createRuntime()` builds it without listening
 * (tests use real loopback sockets or `inject()`); bin/ and server.ts listen.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Fastify, { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest, LogController } from 'fastify';
import pino, { Logger } from 'pino';
import { version as packageVersion } from '../../package.json';
import type { RuntimeConfig } from './config';
import { encodeOipResponse, OipRequest, parseCsv, parseInstances, parseJson, parseOipRequest, PreparedInputs, toCsv, toPredictions } from './codec';
import { RuntimeError, rtError } from './errors';
import { RuntimeMetrics } from './metrics';
import type { ModelResult, ServedModel } from './model';
import { WorkerPool } from './pool';
import { FeedbackItem, RequestContext, RuntimeMonitoring } from './monitoring';
import { ModelRepository } from './repository';
import { Scheduler } from './scheduler';
import { resolveModelLocation } from './storage';
import { decodeLimitsOf, DecodeLimits } from './tensor';

declare module 'fastify' {
  interface FastifyRequest {
    modelName: string;
  }
}

export interface Runtime {
  readonly app: FastifyInstance;
  readonly config: RuntimeConfig;
  readonly repository: ModelRepository;
  readonly metrics: RuntimeMetrics;
  readonly log: Logger;
  /** Load the startup model(s). Failures are logged and leave the server alive and not ready. */
  loadStartupModels(): Promise<void>;
  /** Liveness: the process and its event loop answer. */
  readonly live: boolean;
  /** Readiness: not draining, and every startup model loaded and warmed up. */
  readonly ready: boolean;
  /** Stop taking requests, let in-flight ones finish (up to the drain timeout), stop workers. */
  shutdown(): Promise<void>;
}

export interface RuntimeOptions {
  /** Where logs go; default stdout (JSON lines). */
  readonly logDestination?: pino.DestinationStream;
  /** Where EMF lines go; default stdout. */
  readonly emfWrite?: (line: string) => void;
}

const BINARY_TYPES = ['application/vnd.sagemaker-triton.binary+json', 'application/vnd.vertex-ai-triton.binary+json'];

let requestCounter = 0;
const requestPrefix = `${process.pid.toString(36)}-${Date.now().toString(36)}`;

export function createRuntime(config: RuntimeConfig, options: RuntimeOptions = {}): Runtime {
  const log = pino({ level: config.logLevel, base: { service: 'servingstack-runtime' } }, options.logDestination);
  const metrics = new RuntimeMetrics(config.emf);
  const idle = { pump: (): void => undefined };
  const pool = new WorkerPool(config.workers, {
    onIdle: () => idle.pump(),
    onWorkerExit: (index, code) => log.error({ worker: index, code }, 'inference worker exited; restarting it'),
  });
  const sched = new Scheduler(pool, { maxQueueSize: config.maxQueueSize, requestTimeoutMs: config.requestTimeoutMs }, metrics);
  idle.pump = () => sched.pump();
  const repository = new ModelRepository(config, pool, sched, metrics, log);
  const monitoring = new RuntimeMonitoring(config, metrics, log);
  /** Load a model and, when its package names a baseline, start monitoring it. */
  const loadModel = async (dir: string, name?: string): Promise<ServedModel> => {
    const m = await repository.load(dir, name);
    try {
      monitoring.attach(m);
    } catch (e) {
      log.error({ model: m.name, err: (e as Error).message }, 'baseline unusable: the model serves without monitoring');
    }
    return m;
  };
  metrics.models = () => repository.models.values();
  metrics.inflightNow = () => inflight;
  const limits: DecodeLimits = decodeLimitsOf(config);
  let draining = false;
  let startupDone = false;
  let inflight = 0;
  const startupModels: string[] = [];

  const app = Fastify({
    loggerInstance: log as unknown as FastifyBaseLogger,
    // Per-request logs would cost more than inference at load; errors are logged in the handler.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimitBytes,
    requestIdHeader: 'x-request-id',
    genReqId: () => `${requestPrefix}-${(++requestCounter).toString(36)}`,
    // While draining, requests on open connections get the runtime's own answers (health: not
    // ready; inference: RT_ERR_DRAINING with Retry-After), not fastify's bare 503.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    keepAliveTimeout: 75_000,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
  });
  app.decorateRequest('modelName', '');

  // Bodies are read as bytes and decoded by the route, so every protocol gets its own errors.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  // Refuse work for a full queue before reading the body: under overload a rejection then costs
  // the server almost nothing and the client learns at once.
  const earlyTarget = (req: FastifyRequest): ServedModel | undefined => {
    const p = req.params as { model?: string; name?: string } | undefined;
    if (p?.model) return repository.get(p.model);
    if (p?.name) return repository.get(p.name);
    const url = req.routeOptions.url;
    if (url === '/invocations' || url === '/score' || (url !== undefined && url === config.vertexPredictRoute)) return repository.default;
    return undefined;
  };
  app.addHook('onRequest', (req, reply, done) => {
    reply.header('x-request-id', req.id);
    if (draining) reply.header('connection', 'close');
    if (req.method === 'POST') {
      const m = earlyTarget(req);
      if (m && sched.isFull(m)) {
        req.modelName = m.name;
        done(sched.queueFull(m));
        return;
      }
    }
    done();
  });
  app.addHook('onResponse', (req, reply, done) => {
    metrics.onRequest(req.routeOptions.url ?? 'unmatched', reply.statusCode, req.modelName, reply.elapsedTime / 1000);
    done();
  });
  // While draining, close each connection after its answer: a keep-alive socket whose request was
  // in flight would otherwise hold app.close() open until the drain timeout. Requests that arrive
  // while draining get the header in onRequest; inference that was in flight gets it here (no
  // onSend hook: it would cost every request).
  const closeIfDraining = (reply: FastifyReply): void => {
    if (draining) reply.header('connection', 'close');
  };

  // Routes registered through `route()` are remembered so an unknown method answers 405, not 404.
  const known: { method: string; pattern: RegExp }[] = [];
  // `literal`: a configured path (AIP_PREDICT_ROUTE …) whose ':' is a character, not a parameter.
  const route = (method: 'GET' | 'POST' | 'DELETE', url: string, handler: (req: FastifyRequest, reply: FastifyReply) => unknown, literal = false): void => {
    app.route({ method, url: literal ? url.replace(/:/g, '::') : url, handler: handler as never });
    const escaped = url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const pattern = new RegExp(`^${literal ? escaped : escaped.replace(/:[A-Za-z_]+/g, '[^/]+')}/?$`);
    known.push({ method, pattern });
  };

  app.setNotFoundHandler((req, reply) => {
    const url = req.url.split('?')[0];
    const allowed = [...new Set(known.filter((k) => k.pattern.test(url)).map((k) => k.method))];
    const err = allowed.length
      ? rtError('RT_ERR_METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${url}`, { field: 'method', received: req.method, allowed: allowed.join(', ') })
      : rtError('RT_ERR_ROUTE_NOT_FOUND', `no route ${req.method} ${url}`, { field: 'path', received: url, allowed: 'see docs/runtime.md for the routes' });
    if (allowed.length) reply.header('allow', allowed.join(', '));
    void reply.code(err.status).send(err.toBody());
  });

  app.setErrorHandler((error: unknown, req, reply) => {
    let err: RuntimeError;
    if (error instanceof RuntimeError) err = error;
    else {
      const e = error as { code?: string; statusCode?: number; message?: string };
      if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
        err = rtError('RT_ERR_BODY_TOO_LARGE', 'the request body is larger than the limit', { field: 'body', received: req.headers['content-length'] ?? 'more', allowed: `at most ${config.bodyLimitBytes} bytes (SERVINGSTACK_BODY_LIMIT_BYTES)` });
      } else if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
        err = rtError('RT_ERR_BAD_REQUEST', e.message ?? 'bad request');
      } else {
        req.log.error({ err: error }, 'unexpected error');
        err = rtError('RT_ERR_INTERNAL', 'internal server error');
      }
    }
    if (err.status >= 500) {
      if (err.code === 'RT_ERR_INFERENCE_FAILED' || err.code === 'RT_ERR_INTERNAL') req.log.error({ model: req.modelName, code: err.code }, err.message);
      else req.log.debug({ model: req.modelName, code: err.code }, err.message);
    } else req.log.info({ model: req.modelName, code: err.code, field: err.details.field }, err.message);
    if (err.details.retryAfterSeconds !== undefined) reply.header('retry-after', String(err.details.retryAfterSeconds));
    void reply.code(err.status).type('application/json').send(err.toBody());
  });

  // ------------------------------------------------------------------------------------------
  const isReady = (): boolean => {
    if (draining || !startupDone) return false;
    if (config.multiModel) return true;
    if (repository.models.size === 0) return false;
    for (const m of repository.models.values()) if (m.state !== 'ready') return false;
    return true;
  };

  const findModel = (req: FastifyRequest, name: string, version?: string): ServedModel => {
    const m = repository.get(name);
    req.modelName = m ? m.name : '';
    if (!m || (version !== undefined && version !== m.version)) {
      const what = version !== undefined && m ? `version '${version}' of model '${name}'` : `model '${name}'`;
      throw rtError('RT_ERR_MODEL_NOT_FOUND', `${what} is not loaded`, {
        field: version !== undefined && m ? 'version' : 'model',
        received: version !== undefined && m ? version : name,
        allowed: version !== undefined && m ? m.version : [...repository.models.keys()].join(', ') || '(no models loaded)',
      });
    }
    return m;
  };

  const defaultModel = (req: FastifyRequest): ServedModel => {
    const m = repository.default ?? (startupModels.length ? repository.get(startupModels[0]) : undefined);
    if (!m) {
      throw rtError('RT_ERR_MODEL_NOT_FOUND', repository.models.size ? 'several models are loaded: name one (X-Amzn-SageMaker-Target-Model or /models/<name>/invoke)' : 'no model is loaded', {
        field: 'model',
        allowed: [...repository.models.keys()].join(', ') || '(no models loaded)',
      });
    }
    req.modelName = m.name;
    return m;
  };

  const infer = async (model: ServedModel, prepared: PreparedInputs, ctx: RequestContext): Promise<ModelResult> => {
    if (draining) {
      metrics.onRejectedByName(model.name, 'draining');
      throw rtError('RT_ERR_DRAINING', 'the server is shutting down', { retryAfterSeconds: 1 });
    }
    if (model.state !== 'ready') {
      metrics.onRejectedByName(model.name, 'not_ready');
      throw rtError('RT_ERR_NOT_READY', `model '${model.name}' is ${model.state}${model.failure ? `: ${model.failure}` : ''}`, { retryAfterSeconds: model.state === 'failed' ? 30 : 1 });
    }
    inflight++;
    try {
      const observation = monitoring.begin(model, prepared.inputs, prepared.rows, ctx);
      const result = await sched.submit(model, prepared);
      if (observation) monitoring.complete(observation, result);
      return result;
    } finally {
      inflight--;
    }
  };

  const bodyOf = (req: FastifyRequest): Buffer => (Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));

  const headerLength = (req: FastifyRequest): number | undefined => {
    const h = req.headers['inference-header-content-length'];
    const fromCt = /json-header-size=(\d+)/.exec(req.headers['content-type'] ?? '');
    const raw = typeof h === 'string' ? h : fromCt?.[1];
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n)) {
      throw rtError('RT_ERR_BINARY', 'the JSON header length is not a whole number', { field: 'Inference-Header-Content-Length', received: raw, allowed: 'a non-negative integer' });
    }
    return n;
  };

  const mediaType = (req: FastifyRequest): string => (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();

  const oip = async (req: FastifyRequest, reply: FastifyReply, model: ServedModel): Promise<unknown> => {
    const jsonLength = headerLength(req);
    const ct = mediaType(req);
    if (jsonLength === undefined && ct !== 'application/json' && ct !== '') {
      throw rtError('RT_ERR_UNSUPPORTED_MEDIA_TYPE', `Content-Type ${ct} is not readable here`, { field: 'Content-Type', received: ct, allowed: 'application/json, or binary tensors with Inference-Header-Content-Length' });
    }
    const parsed: OipRequest = parseOipRequest(model, bodyOf(req), jsonLength, limits);
    const result = await infer(model, parsed, { requestId: parsed.id ?? req.id, parameters: parsed.parameters });
    closeIfDraining(reply);
    const binaryType = BINARY_TYPES.includes(ct) ? ct : undefined;
    const enc = encodeOipResponse(model, parsed.id, result, parsed.binaryOutputs, binaryType);
    for (const [k, v] of Object.entries(enc.headers)) reply.header(k, v);
    return reply.type(enc.contentType).send(enc.body);
  };

  /** `/invocations`, `/score`, Vertex predict: OIP, instances, CSV or binary, answered per Accept. */
  const invoke = async (req: FastifyRequest, reply: FastifyReply, model: ServedModel, platform: 'sagemaker' | 'vertex' | 'azure'): Promise<unknown> => {
    const attrs = req.headers['x-amzn-sagemaker-custom-attributes'];
    if (typeof attrs === 'string') reply.header('x-amzn-sagemaker-custom-attributes', attrs);
    const ct = mediaType(req);
    const accept = (req.headers.accept ?? '*/*').toLowerCase();
    const wantsCsv = accept.startsWith('text/csv');
    if (!wantsCsv && !/(^|,|\s)(\*\/\*|application\/\*|application\/json|application\/jsonlines)/.test(accept)) {
      throw rtError('RT_ERR_NOT_ACCEPTABLE', `cannot answer in ${accept}`, { field: 'Accept', received: accept, allowed: 'application/json, application/jsonlines, text/csv' });
    }
    if (BINARY_TYPES.includes(ct) || ct === 'application/octet-stream' || req.headers['inference-header-content-length'] !== undefined) return oip(req, reply, model);
    let prepared: PreparedInputs;
    let oipRequest: OipRequest | undefined;
    let parameters: unknown;
    let jsonLines = false;
    if (ct === 'text/csv' && platform === 'sagemaker') {
      prepared = parseCsv(model, bodyOf(req).toString('utf8'), limits);
    } else if (ct === 'application/jsonlines' || ct === 'application/x-ndjson') {
      const lines = bodyOf(req).toString('utf8').split(/\r?\n/).filter((l) => l.trim().length > 0);
      prepared = parseInstances(model, lines.map((l) => parseJson(l)), limits);
      jsonLines = true;
    } else if (ct === 'application/json' || ct === '') {
      const doc = parseJson(bodyOf(req));
      if (typeof doc === 'object' && doc !== null && !Array.isArray(doc) && 'inputs' in doc && Array.isArray((doc as { inputs: unknown }).inputs) && platform !== 'vertex') {
        oipRequest = parseOipRequest(model, bodyOf(req), undefined, limits);
        prepared = oipRequest;
      } else {
        let instances: unknown = doc;
        if (typeof doc === 'object' && doc !== null && !Array.isArray(doc)) {
          const d = doc as Record<string, unknown>;
          const key = ['instances', 'data', 'input_data', 'inputs'].find((k) => k in d);
          if (!key) throw rtError('RT_ERR_BAD_REQUEST', 'the body names no instances', { field: 'instances', received: Object.keys(d), allowed: '{"instances": [...]} (also "data", "input_data"), an OIP request, or a JSON array of rows' });
          instances = d[key];
          parameters = d.parameters;
        }
        if (parameters !== undefined && (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters))) {
          throw rtError('RT_ERR_BAD_PARAMETER', 'parameters must be an object', { field: 'parameters', received: parameters, allowed: 'a JSON object' });
        }
        prepared = parseInstances(model, instances, limits);
      }
    } else {
      throw rtError('RT_ERR_UNSUPPORTED_MEDIA_TYPE', `Content-Type ${ct} is not readable here`, {
        field: 'Content-Type',
        received: ct,
        allowed: platform === 'sagemaker' ? `application/json, text/csv, ${BINARY_TYPES[0]}` : 'application/json',
      });
    }
    const result = await infer(model, prepared, { requestId: oipRequest?.id ?? req.id, parameters: (oipRequest?.parameters ?? parameters) as Record<string, unknown> | undefined });
    closeIfDraining(reply);
    if (wantsCsv) return reply.type('text/csv').send(toCsv(result, prepared.rows));
    if (jsonLines || accept.startsWith('application/jsonlines')) {
      return reply.type('application/jsonlines').send(`${toPredictions(result, prepared.rows).map((p) => JSON.stringify(p)).join('\n')}\n`);
    }
    if (oipRequest) {
      const enc = encodeOipResponse(model, oipRequest.id, result, oipRequest.binaryOutputs);
      return reply.type(enc.contentType).send(enc.body);
    }
    return reply.type('application/json').send(JSON.stringify({ predictions: toPredictions(result, prepared.rows) }));
  };

  const modelMetadata = (m: ServedModel): Record<string, unknown> => ({
    name: m.name,
    versions: [m.version],
    platform: 'onnx_onnxv1',
    inputs: m.inputs.map((t) => ({ name: t.name, datatype: t.datatype, shape: t.shape })),
    outputs: m.outputs.map((t) => ({ name: t.name, datatype: t.datatype, shape: t.shape })),
  });

  // --- Open Inference Protocol v2 ---------------------------------------------------------
  route('GET', '/v2/health/live', (_req, reply) => reply.send({ live: true }));
  route('GET', '/v2/health/ready', (_req, reply) => reply.code(isReady() ? 200 : 503).send({ ready: isReady() }));
  route('GET', '/v2', (_req, reply) => reply.send({ name: 'servingstack', version: packageVersion, extensions: ['binary_tensor_data', 'model_repository'] }));
  route('GET', '/v2/models', (_req, reply) => reply.send({ models: [...repository.models.keys()] }));
  for (const suffix of ['', '/versions/:version']) {
    route('GET', `/v2/models/:model${suffix}`, (req, reply) => {
      const p = req.params as { model: string; version?: string };
      return reply.send(modelMetadata(findModel(req, p.model, p.version)));
    });
    route('GET', `/v2/models/:model${suffix}/ready`, (req, reply) => {
      const p = req.params as { model: string; version?: string };
      const m = findModel(req, p.model, p.version);
      const ready = m.state === 'ready' && !draining;
      return reply.code(ready ? 200 : 503).send({ name: m.name, ready });
    });
    route('POST', `/v2/models/:model${suffix}/infer`, (req, reply) => {
      const p = req.params as { model: string; version?: string };
      return oip(req, reply, findModel(req, p.model, p.version));
    });
  }

  // --- Monitoring feedback: ground truth by request id (OIP `id`, else the x-request-id header) ---
  const feedback = (req: FastifyRequest, reply: FastifyReply, model: ServedModel): unknown => {
    const doc = parseJson(bodyOf(req));
    let items: FeedbackItem[];
    if (doc && typeof doc === 'object' && !Array.isArray(doc) && Array.isArray((doc as { feedback?: unknown }).feedback)) items = (doc as { feedback: FeedbackItem[] }).feedback;
    else if (doc && typeof doc === 'object' && !Array.isArray(doc) && 'id' in doc) items = [doc as FeedbackItem];
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
    const result = monitoring.feedback(model, items);
    if (result.accepted === 0) {
      const first = result.skipped[0];
      throw rtError('RT_ERR_BAD_FEEDBACK', `no label could be used: ${first.detail}`, {
        field: first.reason === 'bad_label' || first.reason === 'row_mismatch' ? 'labels' : 'id',
        received: first.id,
        allowed: 'ids of requests answered in the last SERVINGSTACK_FEEDBACK_TTL_SECONDS, one label per row of the type the model predicts',
      });
    }
    return reply.send(result);
  };
  route('POST', '/v2/models/:model/feedback', (req, reply) => feedback(req, reply, findModel(req, (req.params as { model: string }).model)));
  route('POST', '/v2/models/:model/versions/:version/feedback', (req, reply) => {
    const p = req.params as { model: string; version: string };
    return feedback(req, reply, findModel(req, p.model, p.version));
  });
  route('POST', '/feedback', (req, reply) => feedback(req, reply, defaultModel(req)));

  // --- SageMaker ----------------------------------------------------------------------------
  route('GET', '/ping', (_req, reply) => {
    const ok = config.multiModel ? !draining : isReady();
    return reply.code(ok ? 200 : 503).type('application/json').send(ok ? '{"status":"healthy"}' : '{"status":"unavailable"}');
  });
  route('POST', '/invocations', (req, reply) => {
    const target = req.headers['x-amzn-sagemaker-target-model'];
    const model = typeof target === 'string' && config.multiModel ? findModel(req, target.replace(/\.tar\.gz$/, '').replace(/[^A-Za-z0-9-]/g, '-')) : defaultModel(req);
    return invoke(req, reply, model, 'sagemaker');
  });
  // Multi-model endpoint contract (doc_source/mms-container-apis.md), only in multi-model mode.
  if (config.multiModel) {
    route('POST', '/models', async (req, reply) => {
      const doc = parseJson(bodyOf(req)) as Record<string, unknown>;
      const name = doc?.model_name;
      const url = doc?.url;
      if (typeof name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(name)) {
        throw rtError('RT_ERR_BAD_REQUEST', 'model_name is missing or malformed', { field: 'model_name', received: name, allowed: 'letters, digits, . _ -, up to 128 characters' });
      }
      if (typeof url !== 'string') throw rtError('RT_ERR_BAD_REQUEST', 'url is missing', { field: 'url', received: url, allowed: `a directory under ${config.modelRoot}` });
      const dir = confine(config.modelRoot, url);
      if (repository.get(name)?.state === 'ready' || repository.get(name)?.state === 'loading') {
        throw rtError('RT_ERR_MODEL_EXISTS', `model '${name}' is already loaded`, { field: 'model_name', received: name, allowed: 'a name not yet loaded' });
      }
      try {
        await loadModel(dir, name);
      } catch (e) {
        if (e instanceof RuntimeError && e.code === 'RT_ERR_MODEL_PATH') throw rtError('RT_ERR_MODEL_PATH', e.message, { ...e.details, field: 'url', received: url });
        if (e instanceof RuntimeError) throw e;
        const msg = (e as Error).message;
        if (/memory|alloc/i.test(msg)) throw rtError('RT_ERR_OUT_OF_RESOURCES', `not enough memory to load '${name}': ${msg}`);
        throw rtError('RT_ERR_MODEL_PATH', `model '${name}' failed to load: ${msg.split('\n')[0]}`, { field: 'url', received: url });
      }
      return reply.code(200).send({ message: `model ${name} loaded` });
    });
    route('GET', '/models', (_req, reply) =>
      reply.send({ models: [...repository.models.values()].map((m) => ({ modelName: m.name, modelUrl: m.dir })) }),
    );
    route('GET', '/models/:name', (req, reply) => {
      const m = findModel(req, (req.params as { name: string }).name);
      return reply.send({ modelName: m.name, modelUrl: m.dir, state: m.state, ...modelMetadata(m) });
    });
    route('DELETE', '/models/:name', async (req, reply) => {
      const name = (req.params as { name: string }).name;
      findModel(req, name);
      const served = repository.get(name);
    if (served) monitoring.detach(served);
    await repository.unload(name);
      return reply.send({ message: `model ${name} unloaded` });
    });
    route('POST', '/models/:name/invoke', (req, reply) => invoke(req, reply, findModel(req, (req.params as { name: string }).name), 'sagemaker'));
  }

  // --- Vertex AI ----------------------------------------------------------------------------
  if (config.vertexHealthRoute) route('GET', config.vertexHealthRoute, (_req, reply) => reply.code(isReady() ? 200 : 503).send(isReady() ? {} : { error: 'not ready' }), true);
  if (config.vertexPredictRoute) route('POST', config.vertexPredictRoute, (req, reply) => invoke(req, reply, defaultModel(req), 'vertex'), true);

  // --- Azure ML online endpoints (inferenceConfig: livenessRoute /, readinessRoute /ready, scoringRoute /score)
  route('GET', '/', (_req, reply) => reply.send({ live: true }));
  route('GET', '/ready', (_req, reply) => reply.code(isReady() ? 200 : 503).send({ ready: isReady() }));
  route('POST', '/score', (req, reply) => invoke(req, reply, defaultModel(req), 'azure'));

  // --- Observability --------------------------------------------------------------------------
  route('GET', '/metrics', async (_req, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));

  let emfTimer: NodeJS.Timeout | undefined;
  const emfWrite = options.emfWrite ?? ((line: string) => process.stdout.write(`${line}\n`));
  if (config.emf) {
    emfTimer = setInterval(() => {
      for (const line of metrics.takeEmf()) emfWrite(line);
    }, config.emfIntervalMs);
    emfTimer.unref();
  }

  const runtime: Runtime = {
    app,
    config,
    repository,
    metrics,
    log,
    get live() {
      return true;
    },
    get ready() {
      return isReady();
    },
    async loadStartupModels() {
      const locations: string[] = [];
      if (config.modelDir) locations.push(config.modelDir);
      else if (config.storageUri) locations.push(config.storageUri);
      for (const location of locations) {
        try {
          const m = await loadModel(await resolveModelLocation(location));
          startupModels.push(m.name);
        } catch (e) {
          log.error({ location, err: (e as Error).message }, 'startup model failed to load; the server stays up and not ready');
        }
      }
      startupDone = true;
    },
    async shutdown() {
      if (draining) return;
      draining = true;
      log.info({ inflight, queued: sched.queued }, 'draining');
      const deadline = new Promise<void>((resolve) => setTimeout(resolve, config.drainTimeoutMs).unref());
      await Promise.race([app.close(), deadline]);
      if (emfTimer) {
        clearInterval(emfTimer);
        for (const line of metrics.takeEmf()) emfWrite(line);
      }
      sched.close();
      await monitoring.close();
      await pool.close();
      log.info('stopped');
    },
  };
  return runtime;
}

/** Resolve a multi-model load path and refuse anything outside the model root. */
export function confine(root: string, url: string): string {
  const resolvedRoot = path.resolve(root);
  const candidate = path.resolve(resolvedRoot, url);
  const bad = (why: string): RuntimeError =>
    rtError('RT_ERR_MODEL_PATH', `url ${why}`, { field: 'url', received: url, allowed: `a model directory inside ${resolvedRoot}` });
  if (/^\/(dev|proc|sys)(\/|$)/.test(candidate)) throw bad('points into a system directory');
  if (candidate !== resolvedRoot && !candidate.startsWith(resolvedRoot + path.sep)) throw bad('escapes the model root');
  let real: string;
  try {
    real = fs.realpathSync(candidate);
  } catch {
    throw bad('does not exist');
  }
  const realRoot = fs.existsSync(resolvedRoot) ? fs.realpathSync(resolvedRoot) : resolvedRoot;
  if (real !== realRoot && !real.startsWith(realRoot + path.sep)) throw bad('resolves (through a link) outside the model root');
  if (!fs.statSync(real).isDirectory()) throw bad('is not a directory');
  return real;
}
