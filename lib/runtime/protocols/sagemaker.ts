/**
 * SageMaker's container contract: `GET /ping`, `POST /invocations`, batch transform's
 * `GET /execution-parameters`, and in multi-model mode the multi-model endpoint routes
 * (doc_source/mms-container-apis.md): `POST /models` (load), `GET /models`, `GET /models/{name}`,
 * `DELETE /models/{name}` (unload), `POST /models/{name}/invoke`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseJson } from '../codec';
import { rtError } from '../errors';
import { bodyOf } from '../http/bodies';
import type { ServedModel } from '../model';
import { modelMetadataSchema, nameParams, ProtocolContext } from './context';
import { answerPredict } from './predict';

const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function sagemakerPlugin(app: FastifyInstance, ctx: ProtocolContext, done: (err?: Error) => void): void {
  const { plane, guard, config } = { ...ctx, config: ctx.plane.config };

  /** SageMaker's target-model header names the archive (`model.tar.gz`), mapped to a loaded name. */
  const invocationModel = (req: FastifyRequest): ServedModel => {
    const target = req.headers['x-amzn-sagemaker-target-model'];
    const m = typeof target === 'string' && config.multiModel ? plane.find(target.replace(/\.tar\.gz$/, '').replace(/[^A-Za-z0-9-]/g, '-')) : plane.defaultModel();
    req.modelName = m.name;
    return m;
  };

  const pingBody = { type: 'object', properties: { status: { type: 'string' } } };
  app.get('/ping', { ...guard.route('/ping', 'open'), schema: { response: { 200: pingBody, 503: pingBody } } }, (_req, reply) => {
    // In multi-model mode the endpoint is healthy with no model loaded (SageMaker loads on demand).
    const ok = config.multiModel ? plane.accepting : plane.ready;
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'healthy' : 'unavailable' });
  });
  app.post('/invocations', guard.route('/invocations', 'inference', () => (config.multiModel ? undefined : plane.peekDefault())), (req, reply) =>
    answerPredict(ctx, req, reply, invocationModel(req), 'sagemaker'),
  );
  app.get(
    '/execution-parameters',
    {
      ...guard.route('/execution-parameters', 'inference'),
      schema: {
        response: {
          200: {
            type: 'object',
            properties: { MaxConcurrentTransforms: { type: 'integer' }, BatchStrategy: { type: 'string', enum: ['MULTI_RECORD', 'SINGLE_RECORD'] }, MaxPayloadInMB: { type: 'integer' } },
            required: ['MaxConcurrentTransforms', 'BatchStrategy', 'MaxPayloadInMB'],
          },
        },
      },
    },
    (_req, reply) => reply.send(plane.executionParameters()),
  );

  if (config.multiModel) {
    app.post('/models', guard.route('/models', 'admin'), async (req, reply) => {
      const doc = parseJson(bodyOf(req)) as Record<string, unknown> | null;
      const name = doc?.model_name;
      const url = doc?.url;
      if (typeof name !== 'string' || !MODEL_NAME.test(name)) {
        throw rtError('RT_ERR_BAD_REQUEST', 'model_name is missing or malformed', { field: 'model_name', received: name, allowed: 'letters, digits, . _ -, up to 128 characters' });
      }
      if (typeof url !== 'string') throw rtError('RT_ERR_BAD_REQUEST', 'url is missing', { field: 'url', received: url, allowed: `a directory under ${config.modelRoot}` });
      req.modelName = name;
      await plane.loadFromRoot(name, url);
      return reply.code(200).send({ message: `model ${name} loaded` });
    });
    const entry = { type: 'object', properties: { modelName: { type: 'string' }, modelUrl: { type: 'string' } } };
    app.get('/models', { ...guard.route('/models', 'inference'), schema: { response: { 200: { type: 'object', properties: { models: { type: 'array', items: entry } } } } } }, (_req, reply) =>
      // Models whose load failed are not loaded (the OIP repository index lists them with the reason).
      reply.send({ models: [...plane.repository.models.values()].filter((m) => m.state !== 'failed').map((m) => ({ modelName: m.name, modelUrl: m.dir })) }),
    );
    const described = { type: 'object', properties: { modelName: { type: 'string' }, modelUrl: { type: 'string' }, state: { type: 'string' }, ...modelMetadataSchema.properties } };
    app.get('/models/:name', { ...guard.route('/models/:name', 'inference'), schema: { params: nameParams, response: { 200: described } } }, (req, reply) => {
      const m = plane.find((req.params as { name: string }).name);
      req.modelName = m.name;
      return reply.send({ modelName: m.name, modelUrl: m.dir, state: m.state, ...plane.metadata(m) });
    });
    app.delete('/models/:name', { ...guard.route('/models/:name', 'admin'), schema: { params: nameParams } }, async (req, reply) => {
      const name = (req.params as { name: string }).name;
      req.modelName = plane.find(name).name;
      await plane.unload(name);
      return reply.send({ message: `model ${name} unloaded` });
    });
    app.post('/models/:name/invoke', { ...guard.route('/models/:name/invoke', 'inference', (req) => plane.repository.get((req.params as { name: string }).name)), schema: { params: nameParams } }, (req, reply) => {
      const m = plane.find((req.params as { name: string }).name);
      req.modelName = m.name;
      return answerPredict(ctx, req, reply, m, 'sagemaker');
    });
  }
  done();
}
