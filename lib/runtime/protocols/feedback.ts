/**
 * Labels through the platforms' own invoke paths, and prediction tokens on their answers
 * (docs/runtime.md, "Prediction tokens and feedback"):
 * - a request is feedback when its Content-Type is `application/vnd.servingstack.feedback+json`
 *   (every prediction route), or, on SageMaker, when `X-Amzn-SageMaker-Custom-Attributes` holds
 *   `servingstack-feedback=1`, or, on Vertex AI's predict route (where the body must be
 *   `{"instances": [...]}`), when `parameters.servingstack_feedback` is true: each instance is then
 *   one feedback item `{"token", "labels"}`;
 * - a prediction's token is returned in the `X-ServingStack-Prediction-Token` header on every
 *   route, in `metadata.predictionToken` of `{"predictions"}` bodies, in `parameters.prediction_token`
 *   of OIP answers, and (SageMaker, which passes only that header back) as `servingstack-token=<token>`
 *   in `X-Amzn-SageMaker-Custom-Attributes` when the whole header stays within SageMaker's 1024 characters.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { parseJson } from '../codec';
import type { FeedbackRoute } from '../data-plane';
import { bodyOf, mediaType } from '../http/bodies';
import type { ProtocolContext } from './context';

export const FEEDBACK_CONTENT_TYPE = 'application/vnd.servingstack.feedback+json';
export const TOKEN_HEADER = 'x-servingstack-prediction-token';
export const SAGEMAKER_ATTRIBUTES = 'x-amzn-sagemaker-custom-attributes';
/** SageMaker's limit on CustomAttributes. */
const MAX_CUSTOM_ATTRIBUTES = 1024;

/** `servingstack-feedback=1` among the comma- or semicolon-separated custom attributes. */
export function sagemakerFeedbackAttribute(req: FastifyRequest): boolean {
  const attrs = req.headers[SAGEMAKER_ATTRIBUTES];
  return typeof attrs === 'string' && attrs.split(/[,;]/).some((a) => a.trim().toLowerCase() === 'servingstack-feedback=1');
}

export function isFeedbackRequest(req: FastifyRequest, sagemaker: boolean): boolean {
  return mediaType(req) === FEEDBACK_CONTENT_TYPE || (sagemaker && sagemakerFeedbackAttribute(req));
}

/** Score the feedback body and answer `{accepted, skipped}` (4xx errors when none counted). */
export function answerFeedback(ctx: ProtocolContext, reply: FastifyReply, route: FeedbackRoute, doc: unknown): FastifyReply {
  return reply.type('application/json').send(ctx.plane.feedback(route, doc));
}

export function answerFeedbackBody(ctx: ProtocolContext, req: FastifyRequest, reply: FastifyReply, route: FeedbackRoute): FastifyReply {
  return answerFeedback(ctx, reply, route, parseJson(bodyOf(req)));
}

/** Vertex AI's marker: `{"instances": [{token, labels}, …], "parameters": {"servingstack_feedback": true}}`. */
export function vertexFeedbackItems(doc: unknown): unknown[] | undefined {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return undefined;
  const d = doc as { instances?: unknown; parameters?: { servingstack_feedback?: unknown } };
  if (d.parameters?.servingstack_feedback !== true) return undefined;
  return Array.isArray(d.instances) ? d.instances : [];
}

/** Put the token in the header (and SageMaker's custom attributes when it fits). */
export function tokenHeaders(reply: FastifyReply, token: string | undefined, sagemaker: boolean): void {
  if (token === undefined) return;
  reply.header(TOKEN_HEADER, token);
  if (!sagemaker) return;
  const echoed = reply.getHeader(SAGEMAKER_ATTRIBUTES);
  const attrs = typeof echoed === 'string' && echoed.length > 0 ? `${echoed},servingstack-token=${token}` : `servingstack-token=${token}`;
  if (attrs.length <= MAX_CUSTOM_ATTRIBUTES) reply.header(SAGEMAKER_ATTRIBUTES, attrs);
}
