/**
 * Every error a client can see, in the runtime's catalogue shape: thrown RuntimeErrors, fastify's
 * own errors (body limit, schema validation), unknown routes and methods (404/405 derived from the
 * routes actually registered), and HTTP-level client errors that never reach a route (timeouts
 * while receiving a request, oversized headers, malformed HTTP), written on the raw socket.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import FindMyWay from 'find-my-way';
import type { Socket } from 'node:net';
import { rtError, RuntimeError } from '../errors';
import type { RuntimeMetrics } from '../metrics';

/** Every registered route, in a router of its own, to answer "which methods would match this path?". */
export class RouteTable {
  private readonly router = FindMyWay({ ignoreTrailingSlash: true, maxParamLength: 200 });
  private readonly methods: string[] = [];

  /** Register as fastify's onRoute hook. HEAD routes (added by fastify for GET) are not listed in Allow. */
  public add(method: string | string[], url: string): void {
    for (const m of Array.isArray(method) ? method : [method]) {
      if (m === 'HEAD') continue;
      this.router.on(m as 'GET', url, () => undefined);
      if (!this.methods.includes(m)) this.methods.push(m);
    }
  }

  /** Methods with a route matching `path`, in registration order. */
  public allowed(path: string): string[] {
    return this.methods.filter((m) => this.router.find(m as 'GET', path) !== null);
  }
}

export function installErrorHandling(app: FastifyInstance, routes: RouteTable, metrics: RuntimeMetrics, bodyLimitBytes: number, shuttingDown: () => boolean): void {
  app.setNotFoundHandler((req, reply) => {
    if (shuttingDown()) reply.header('connection', 'close');
    const url = req.url.split('?')[0];
    const allowed = routes.allowed(url);
    const err = allowed.length
      ? rtError('RT_ERR_METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${url}`, { field: 'method', received: req.method, allowed: allowed.join(', ') })
      : rtError('RT_ERR_ROUTE_NOT_FOUND', `no route ${req.method} ${url}`, { field: 'path', received: url, allowed: 'see docs/runtime.md for the routes' });
    if (allowed.length) reply.header('allow', allowed.join(', '));
    reply.header('x-request-id', req.id);
    metrics.onRequest('unmatched', err.status, '', reply.elapsedTime / 1000);
    void reply.code(err.status).send(err.toBody());
  });

  app.setErrorHandler((error: unknown, req: FastifyRequest, reply: FastifyReply) => {
    const err = toRuntimeError(error, req, bodyLimitBytes);
    if (err.status >= 500) {
      if (err.code === 'RT_ERR_INFERENCE_FAILED' || err.code === 'RT_ERR_INTERNAL') req.log.error({ model: req.modelName, code: err.code }, err.message);
      else req.log.debug({ model: req.modelName, code: err.code }, err.message);
    } else req.log.info({ model: req.modelName, code: err.code, field: err.details.field }, err.message);
    if (err.details.retryAfterSeconds !== undefined) reply.header('retry-after', String(err.details.retryAfterSeconds));
    if (err.code === 'RT_ERR_UNAUTHORIZED') reply.header('www-authenticate', 'Bearer realm="servingstack"');
    void reply.code(err.status).type('application/json').send(err.toBody());
  });
}

function toRuntimeError(error: unknown, req: FastifyRequest, bodyLimitBytes: number): RuntimeError {
  if (error instanceof RuntimeError) return error;
  const e = error as FastifyError;
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return rtError('RT_ERR_BODY_TOO_LARGE', 'the request body is larger than the limit', { field: 'body', received: req.headers['content-length'] ?? 'more', allowed: `at most ${bodyLimitBytes} bytes (SERVINGSTACK_BODY_LIMIT_BYTES)` });
  }
  if (e.validation && e.validation.length > 0) {
    const v = e.validation[0];
    const where = `${e.validationContext ?? 'request'}${v.instancePath}`.replace(/\//g, '.');
    const field = where.replace(/^params\./, '');
    return rtError('RT_ERR_BAD_REQUEST', `${field} ${v.message ?? 'is invalid'}`, { field, received: valueAt(req, e.validationContext, v.instancePath), allowed: v.message ?? 'see docs/runtime.md' });
  }
  if (e.statusCode !== undefined && e.statusCode >= 400 && e.statusCode < 500) return rtError('RT_ERR_BAD_REQUEST', e.message ?? 'bad request');
  req.log.error({ err: error }, 'unexpected error');
  return rtError('RT_ERR_INTERNAL', 'internal server error');
}

function valueAt(req: FastifyRequest, context: string | undefined, pointer: string): unknown {
  const root = context === 'params' ? req.params : context === 'querystring' ? req.query : context === 'headers' ? req.headers : undefined;
  let cur: unknown = root;
  for (const key of pointer.split('/').filter(Boolean)) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[key] : undefined;
  return cur;
}

/**
 * fastify's clientErrorHandler: errors Node's HTTP parser raises before a route runs. Timeouts
 * (headers not received within SERVINGSTACK_HEADERS_TIMEOUT_MS, or the whole request within
 * SERVINGSTACK_RECEIVE_TIMEOUT_MS) answer 408; oversized headers 431; malformed HTTP 400. Always
 * `Connection: close`: the stream cannot be trusted after such an error.
 */
export function clientErrorHandler(headersTimeoutMs: number, receiveTimeoutMs: number): (err: NodeJS.ErrnoException, socket: Socket) => void {
  return (err, socket) => {
    if (err.code === 'ECONNRESET' || socket.destroyed || !socket.writable) return;
    const inProgress = (socket as Socket & { _httpMessage?: { headersSent: boolean } | null })._httpMessage;
    if (inProgress?.headersSent) {
      socket.destroy();
      return;
    }
    let e: RuntimeError;
    if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      e = rtError('RT_ERR_REQUEST_TIMEOUT', inProgress ? 'the request body was not received in time' : 'the request headers were not received in time', {
        field: inProgress ? 'body' : 'headers',
        allowed: inProgress
          ? `the whole request within ${receiveTimeoutMs} ms (SERVINGSTACK_RECEIVE_TIMEOUT_MS)`
          : `the headers within ${headersTimeoutMs} ms of connecting or of the request's first byte (SERVINGSTACK_HEADERS_TIMEOUT_MS)`,
      });
    } else if (err.code === 'HPE_HEADER_OVERFLOW') {
      e = rtError('RT_ERR_HEADERS_TOO_LARGE', 'the request headers are too large', { field: 'headers', allowed: 'at most 16 KiB of headers' });
    } else {
      e = rtError('RT_ERR_BAD_REQUEST', `malformed HTTP request (${err.code ?? err.message})`, { field: 'request', allowed: 'HTTP/1.1' });
    }
    const body = JSON.stringify(e.toBody());
    const reason = e.status === 408 ? 'Request Timeout' : e.status === 431 ? 'Request Header Fields Too Large' : 'Bad Request';
    socket.end(`HTTP/1.1 ${e.status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  };
}
