/**
 * The platforms' prediction routes (`/invocations`, `/models/{name}/invoke`, `/score`, the Vertex
 * AI predict route) read several body formats and answer per Accept: an OIP request (JSON or
 * binary), `{"instances": [...]}` and its aliases, a bare JSON array of rows, JSON Lines, and CSV
 * (SageMaker only). Answers are OIP, `{"predictions": [...]}`, JSON Lines or CSV.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { encodeOipResponse, OipRequest, parseCsv, parseInstances, parseJson, parseOipRequest, PreparedInputs, toCsv, toPredictions } from '../codec';
import { rtError } from '../errors';
import { BINARY_TYPES, bodyOf, mediaType } from '../http/bodies';
import type { ServedModel } from '../model';
import type { ProtocolContext } from './context';
import { answerOip } from './oip';

export type Platform = 'sagemaker' | 'vertex' | 'azure';

const ACCEPTABLE = /(^|,|\s)(\*\/\*|application\/\*|application\/json|application\/jsonlines)/;

export async function answerPredict(ctx: ProtocolContext, req: FastifyRequest, reply: FastifyReply, model: ServedModel, platform: Platform): Promise<FastifyReply> {
  const attrs = req.headers['x-amzn-sagemaker-custom-attributes'];
  if (typeof attrs === 'string') reply.header('x-amzn-sagemaker-custom-attributes', attrs);
  ctx.plane.admit(model);
  const ct = mediaType(req);
  const accept = (req.headers.accept ?? '*/*').toLowerCase();
  const wantsCsv = accept.startsWith('text/csv');
  if (!wantsCsv && !ACCEPTABLE.test(accept)) {
    throw rtError('RT_ERR_NOT_ACCEPTABLE', `cannot answer in ${accept}`, { field: 'Accept', received: accept, allowed: 'application/json, application/jsonlines, text/csv' });
  }
  if (BINARY_TYPES.includes(ct) || ct === 'application/octet-stream' || req.headers['inference-header-content-length'] !== undefined) return answerOip(ctx, req, reply, model);
  const { limits } = ctx;
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
  const result = await ctx.plane.infer(model, prepared, { requestId: oipRequest?.id ?? req.id, parameters: (oipRequest?.parameters ?? parameters) as Record<string, unknown> | undefined });
  if (wantsCsv) return reply.type('text/csv').send(toCsv(result, prepared.rows));
  if (jsonLines || accept.startsWith('application/jsonlines')) {
    return reply.type('application/jsonlines').send(`${toPredictions(result, prepared.rows).map((p) => JSON.stringify(p)).join('\n')}\n`);
  }
  if (oipRequest) {
    const enc = encodeOipResponse(model, oipRequest.id, result, oipRequest.binaryOutputs);
    return reply.type(enc.contentType).send(enc.body);
  }
  return reply.type('application/json').send(JSON.stringify({ predictions: toPredictions(result, prepared.rows) }));
}
