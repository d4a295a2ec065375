/**
 * Vertex AI custom container contract: `GET $AIP_HEALTH_ROUTE` and `POST $AIP_PREDICT_ROUTE`, only
 * when Vertex AI sets them. Their paths are literal (`…/deployedModels/123:predict`: the colon is a
 * character, not a path parameter).
 */
import type { FastifyInstance } from 'fastify';
import type { ProtocolContext } from './context';
import { answerPredict } from './predict';

/** A configured path as a fastify route: `::` is a literal colon. */
function literal(path: string): string {
  return path.replace(/:/g, '::');
}

export function vertexPlugin(app: FastifyInstance, ctx: ProtocolContext, done: (err?: Error) => void): void {
  const { plane, guard } = ctx;
  const { vertexHealthRoute, vertexPredictRoute } = plane.config;
  // A configured route that another contract already serves (e.g. AIP_HEALTH_ROUTE=/ping) is left to it.
  if (vertexHealthRoute && !app.hasRoute({ method: 'GET', url: literal(vertexHealthRoute) })) {
    app.get(literal(vertexHealthRoute), guard.route(vertexHealthRoute, 'open'), (_req, reply) => {
      const ready = plane.ready;
      return reply.code(ready ? 200 : 503).send(ready ? {} : { error: 'not ready' });
    });
  }
  if (vertexPredictRoute && !app.hasRoute({ method: 'POST', url: literal(vertexPredictRoute) })) {
    app.post(literal(vertexPredictRoute), guard.route(vertexPredictRoute, 'inference', () => plane.peekDefault()), (req, reply) => {
      const m = plane.defaultModel();
      req.modelName = m.name;
      return answerPredict(ctx, req, reply, m, 'vertex');
    });
  }
  done();
}
