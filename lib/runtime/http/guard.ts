/**
 * Per-route hooks, built once per route when it is registered so the request path does no
 * lookups: the request id header, `Connection: close` once a shutdown began, the connection cap,
 * authentication by the route's access class, and the early refusal of work for a full queue
 * (before the body is read, so a rejection under overload costs the server almost nothing).
 * Metrics are recorded per route in onResponse with the route's pattern as label.
 */
import type { FastifyReply, FastifyRequest, onRequestHookHandler, onResponseHookHandler } from 'fastify';
import type { Access, Authenticator } from '../auth';
import type { DataPlane } from '../data-plane';
import { rtError } from '../errors';
import type { ServedModel } from '../model';
import type { Connections } from './connections';

declare module 'fastify' {
  interface FastifyRequest {
    modelName: string;
  }
}

/** The model a POST to the route will run, known from the route alone (for the early queue check). */
export type EarlyTarget = (req: FastifyRequest) => ServedModel | undefined;

export interface GuardedRoute {
  readonly onRequest: onRequestHookHandler;
  readonly onResponse: onResponseHookHandler;
}

export class Guard {
  constructor(
    private readonly plane: DataPlane,
    private readonly auth: Authenticator,
    private readonly connections: Connections,
  ) {}

  /** Hooks for a route at `url` of the given access class. */
  public route(url: string, access: Access, target?: EarlyTarget): GuardedRoute {
    const { plane, auth, connections } = this;
    const needsToken = auth.required(access);
    const capped = access !== 'open';
    const metrics = plane.metrics;
    const onRequest = (req: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void): void => {
      reply.header('x-request-id', req.id);
      if (plane.lifecycle !== 'serving') reply.header('connection', 'close');
      if (connections.overCapOpen > 0 && connections.isOverCap(req.raw.socket)) {
        // Over the cap: one answer, then the connection closes. Health probes get a real answer.
        reply.header('connection', 'close');
        if (capped) {
          done(
            rtError('RT_ERR_TOO_MANY_CONNECTIONS', `the server holds ${connections.size} connections`, {
              received: connections.size,
              allowed: `at most ${plane.config.maxConnections} (SERVINGSTACK_MAX_CONNECTIONS); health routes are answered anyway`,
              retryAfterSeconds: 1,
            }),
          );
          return;
        }
      }
      if (needsToken) {
        const denied = auth.check(access, req.headers);
        if (denied) {
          done(denied);
          return;
        }
      }
      if (target !== undefined && req.method === 'POST') {
        const m = target(req);
        if (m !== undefined && plane.isFull(m)) {
          req.modelName = m.name;
          done(plane.queueFull(m));
          return;
        }
      }
      done();
    };
    const onResponse = (req: FastifyRequest, reply: FastifyReply, done: () => void): void => {
      metrics.onRequest(url, reply.statusCode, req.modelName, reply.elapsedTime / 1000);
      done();
    };
    return { onRequest, onResponse };
  }
}
