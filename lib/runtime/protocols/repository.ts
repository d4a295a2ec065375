/**
 * Open Inference Protocol's model repository extension (Triton's and KServe's
 * `/v2/repository/...`), on top of multi-model mode: the repository is SERVINGSTACK_MODEL_ROOT,
 * each subdirectory a model of that name.
 * - `POST /v2/repository/index` (body optional, `{"ready": true}` lists only ready models):
 *   `[{"name", "version"?, "state", "reason"?}]`, state READY | LOADING | UNLOADING | UNAVAILABLE;
 * - `POST /v2/repository/models/{name}/load`: load `<root>/{name}`; `{"name", "load": true}`;
 * - `POST /v2/repository/models/{name}/unload`: `{"name", "unload": true}`.
 * All three are admin routes. Loading a model that is loaded answers 409 (unload it first);
 * Triton would reload it. Load parameters (Triton's config overrides) are refused.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { parseJson } from '../codec';
import { rtError, RuntimeError } from '../errors';
import { bodyOf } from '../http/bodies';
import type { ModelState } from '../model';
import { nameParams, ProtocolContext } from './context';

const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

const STATES: Record<ModelState, string> = { loading: 'LOADING', warming: 'LOADING', ready: 'READY', failed: 'UNAVAILABLE', unloading: 'UNLOADING' };

interface IndexEntry {
  name: string;
  version?: string;
  state: string;
  reason?: string;
}

/** An optional JSON object body; an empty body is `{}`. */
function optionalObject(body: Buffer): Record<string, unknown> {
  if (body.length === 0 || body.toString('utf8').trim() === '') return {};
  const doc = parseJson(body);
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw rtError('RT_ERR_BAD_REQUEST', 'the body must be a JSON object', { field: 'body', received: doc, allowed: 'a JSON object, or no body' });
  return doc as Record<string, unknown>;
}

export function repositoryPlugin(app: FastifyInstance, ctx: ProtocolContext, done: (err?: Error) => void): void {
  const { plane, guard } = ctx;
  const root = plane.config.modelRoot;

  const index = (): IndexEntry[] => {
    const entries = new Map<string, IndexEntry>();
    let dirs: string[] = [];
    try {
      dirs = fs.readdirSync(root, { withFileTypes: true }).filter((d) => (d.isDirectory() || d.isSymbolicLink()) && MODEL_NAME.test(d.name)).map((d) => d.name);
    } catch {
      /* a missing root lists loaded models only */
    }
    for (const name of dirs.sort()) entries.set(name, { name, state: 'UNAVAILABLE', reason: 'not loaded' });
    for (const m of plane.repository.models.values()) {
      const e: IndexEntry = { name: m.name, version: m.version, state: STATES[m.state] };
      if (m.state === 'failed' && m.failure) e.reason = m.failure;
      entries.set(m.name, e);
    }
    return [...entries.values()];
  };

  const entrySchema = { type: 'object', properties: { name: { type: 'string' }, version: { type: 'string' }, state: { type: 'string' }, reason: { type: 'string' } }, required: ['name', 'state'] };
  app.post('/v2/repository/index', { ...guard.route('/v2/repository/index', 'admin'), schema: { response: { 200: { type: 'array', items: entrySchema } } } }, (req, reply) => {
    const doc = optionalObject(bodyOf(req));
    if (doc.ready !== undefined && typeof doc.ready !== 'boolean') throw rtError('RT_ERR_BAD_PARAMETER', 'ready must be a boolean', { field: 'ready', received: doc.ready, allowed: 'true or false' });
    const all = index();
    return reply.send(doc.ready === true ? all.filter((e) => e.state === 'READY') : all);
  });

  const nameOf = (params: unknown): string => {
    const name = (params as { name: string }).name;
    if (!MODEL_NAME.test(name)) throw rtError('RT_ERR_BAD_REQUEST', 'the model name is not a repository directory name', { field: 'name', received: name, allowed: 'letters, digits, . _ -, up to 128 characters, naming a directory of the model root' });
    return name;
  };

  const loadUrl = '/v2/repository/models/:name/load';
  app.post(loadUrl, { ...guard.route(loadUrl, 'admin'), schema: { params: nameParams } }, async (req, reply) => {
    const name = nameOf(req.params);
    const doc = optionalObject(bodyOf(req));
    const params = doc.parameters;
    if (params !== undefined && (typeof params !== 'object' || params === null || Array.isArray(params) || Object.keys(params).length > 0)) {
      throw rtError('RT_ERR_BAD_PARAMETER', 'load parameters are not supported', { field: 'parameters', received: params, allowed: 'none: the package in the model root is loaded as it is' });
    }
    req.modelName = name;
    try {
      await plane.loadFromRoot(name, name);
    } catch (e) {
      // Name the path parameter rather than SageMaker's `url` field.
      if (e instanceof RuntimeError && e.code === 'RT_ERR_MODEL_PATH') {
        throw rtError('RT_ERR_MODEL_PATH', e.message, { ...e.details, field: 'name', received: name, allowed: `a model package directory ${path.join(root, name)}` });
      }
      throw e;
    }
    return reply.send({ name, load: true });
  });

  const unloadUrl = '/v2/repository/models/:name/unload';
  app.post(unloadUrl, { ...guard.route(unloadUrl, 'admin'), schema: { params: nameParams } }, async (req, reply) => {
    const name = nameOf(req.params);
    optionalObject(bodyOf(req));
    req.modelName = plane.find(name).name;
    await plane.unload(name);
    return reply.send({ name, unload: true });
  });
  done();
}
