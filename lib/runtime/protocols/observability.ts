/** Prometheus `GET /metrics` (an admin route when tokens are configured). */
import type { FastifyInstance } from 'fastify';
import type { ProtocolContext } from './context';

export function observabilityPlugin(app: FastifyInstance, ctx: ProtocolContext, done: (err?: Error) => void): void {
  const { metrics } = ctx.plane;
  app.get('/metrics', ctx.guard.route('/metrics', 'admin'), async (_req, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));
  done();
}
