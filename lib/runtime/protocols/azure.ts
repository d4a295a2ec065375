/**
 * Azure ML online endpoints (inferenceConfig: livenessRoute `/`, readinessRoute `/ready`,
 * scoringRoute `/score`).
 */
import type { FastifyInstance } from 'fastify';
import { flagSchema, ProtocolContext } from './context';
import { answerPredict } from './predict';

export function azurePlugin(app: FastifyInstance, ctx: ProtocolContext, done: (err?: Error) => void): void {
  const { plane, guard } = ctx;
  app.get('/', { ...guard.route('/', 'open'), schema: { response: { 200: flagSchema('live') } } }, (_req, reply) => reply.send({ live: true }));
  app.get('/ready', { ...guard.route('/ready', 'open'), schema: { response: { 200: flagSchema('ready'), 503: flagSchema('ready') } } }, (_req, reply) => {
    const ready = plane.ready;
    return reply.code(ready ? 200 : 503).send({ ready });
  });
  app.post('/score', guard.route('/score', 'inference', () => plane.peekDefault()), (req, reply) => {
    const m = plane.defaultModel();
    req.modelName = m.name;
    return answerPredict(ctx, req, reply, m, 'azure');
  });
  done();
}
