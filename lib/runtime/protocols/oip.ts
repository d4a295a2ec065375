/**
 * Open Inference Protocol v2 (KServe V2 / Triton REST): health, server and model metadata,
 * readiness, inference (JSON and the binary tensor extension) and the monitoring feedback routes.
 * The model repository extension is in repository.ts (multi-model mode only).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { encodeOipResponse, OipRequest, parseJson, parseOipRequest } from '../codec';
import { SERVER_NAME, SERVER_VERSION } from '../data-plane';
import { rtError } from '../errors';
import { BINARY_TYPES, bodyOf, headerLength, mediaType } from '../http/bodies';
import type { ServedModel } from '../model';
import { flagSchema, modelMetadataSchema, modelParams, ProtocolContext } from './context';

interface ModelParams {
  model: string;
  version?: string;
}

/** Run an OIP inference request (JSON or binary) against `model` and send the OIP answer. */
export async function answerOip(ctx: ProtocolContext, req: FastifyRequest, reply: FastifyReply, model: ServedModel): Promise<FastifyReply> {
  ctx.plane.admit(model);
  const jsonLength = headerLength(req);
  const ct = mediaType(req);
  if (jsonLength === undefined && ct !== 'application/json' && ct !== '') {
    throw rtError('RT_ERR_UNSUPPORTED_MEDIA_TYPE', `Content-Type ${ct} is not readable here`, { field: 'Content-Type', received: ct, allowed: 'application/json, or binary tensors with Inference-Header-Content-Length' });
  }
  const parsed: OipRequest = parseOipRequest(model, bodyOf(req), jsonLength, ctx.limits);
  const result = await ctx.plane.infer(model, parsed, { requestId: parsed.id ?? req.id, parameters: parsed.parameters });
  const enc = encodeOipResponse(model, parsed.id, result, parsed.binaryOutputs, BINARY_TYPES.includes(ct) ? ct : undefined);
  for (const [k, v] of Object.entries(enc.headers)) reply.header(k, v);
  return reply.type(enc.contentType).send(enc.body);
}

export function oipPlugin(app: FastifyInstance, ctx: ProtocolContext, done: (err?: Error) => void): void {
  const { plane, guard } = ctx;
  const find = (req: FastifyRequest): ServedModel => {
    const p = req.params as ModelParams;
    const m = plane.find(p.model, p.version);
    req.modelName = m.name;
    return m;
  };
  const target = (req: FastifyRequest): ServedModel | undefined => plane.repository.get((req.params as ModelParams).model);

  app.get('/v2/health/live', { ...guard.route('/v2/health/live', 'open'), schema: { response: { 200: flagSchema('live') } } }, (_req, reply) => reply.send({ live: true }));
  app.get('/v2/health/ready', { ...guard.route('/v2/health/ready', 'open'), schema: { response: { 200: flagSchema('ready'), 503: flagSchema('ready') } } }, (_req, reply) => {
    const ready = plane.ready;
    return reply.code(ready ? 200 : 503).send({ ready });
  });
  // The repository extension is advertised only where its routes exist.
  const extensions = plane.config.multiModel ? ['binary_tensor_data', 'model_repository'] : ['binary_tensor_data'];
  app.get(
    '/v2',
    {
      ...guard.route('/v2', 'inference'),
      schema: { response: { 200: { type: 'object', properties: { name: { type: 'string' }, version: { type: 'string' }, extensions: { type: 'array', items: { type: 'string' } } } } } },
    },
    (_req, reply) => reply.send({ name: SERVER_NAME, version: SERVER_VERSION, extensions }),
  );
  app.get('/v2/models', { ...guard.route('/v2/models', 'inference'), schema: { response: { 200: { type: 'object', properties: { models: { type: 'array', items: { type: 'string' } } } } } } }, (_req, reply) =>
    reply.send({ models: [...plane.repository.models.keys()] }),
  );

  for (const suffix of ['', '/versions/:version']) {
    const base = `/v2/models/:model${suffix}`;
    app.get(base, { ...guard.route(base, 'inference'), schema: { params: modelParams, response: { 200: modelMetadataSchema } } }, (req, reply) => reply.send(plane.metadata(find(req))));
    const readyBody = { type: 'object', properties: { name: { type: 'string' }, ready: { type: 'boolean' } } };
    app.get(`${base}/ready`, { ...guard.route(`${base}/ready`, 'inference'), schema: { params: modelParams, response: { 200: readyBody, 503: readyBody } } }, (req, reply) => {
      const m = find(req);
      const ready = plane.modelReady(m);
      return reply.code(ready ? 200 : 503).send({ name: m.name, ready });
    });
    app.post(`${base}/infer`, { ...guard.route(`${base}/infer`, 'inference', target), schema: { params: modelParams } }, (req, reply) => answerOip(ctx, req, reply, find(req)));
    // Monitoring feedback: ground truth by request id (OIP `id`, else the x-request-id header).
    app.post(`${base}/feedback`, { ...guard.route(`${base}/feedback`, 'admin'), schema: { params: modelParams } }, (req, reply) => reply.send(plane.feedback(find(req), parseJson(bodyOf(req)))));
  }
  app.post('/feedback', guard.route('/feedback', 'admin'), (req, reply) => {
    const m = plane.defaultModel();
    req.modelName = m.name;
    return reply.send(plane.feedback(m, parseJson(bodyOf(req))));
  });
  done();
}
