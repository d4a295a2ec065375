/**
 * The runtime's HTTP front door: one fastify server speaking every platform's contract over one
 * data plane (models, worker pool, batching scheduler). `createRuntime()` builds it without
 * listening (tests use `inject()` or real loopback sockets); server.ts and bin/ listen.
 *
 * The HTTP edge is hardened here: header and whole-request timeouts (408), keep-alive idle
 * timeout, a connection cap, optional token authentication, random request ids, and a shutdown
 * that loses no request (see `shutdown`).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import * as net from 'node:net';
import Fastify, { FastifyBaseLogger, FastifyInstance, LogController } from 'fastify';
import pino, { Logger } from 'pino';
import { Authenticator, TokenSet } from './auth';
import type { RuntimeConfig } from './config';
import { DataPlane, PoolFactory } from './data-plane';
import { Connections } from './http/connections';
import { clientErrorHandler, installErrorHandling, RouteTable } from './http/errors';
import { Guard } from './http/guard';
import type { RuntimeMetrics } from './metrics';
import { azurePlugin } from './protocols/azure';
import type { ProtocolContext } from './protocols/context';
import { observabilityPlugin } from './protocols/observability';
import { oipPlugin } from './protocols/oip';
import { repositoryPlugin } from './protocols/repository';
import { sagemakerPlugin } from './protocols/sagemaker';
import { vertexPlugin } from './protocols/vertex';
import type { ModelRepository } from './repository';
import { decodeLimitsOf } from './tensor';

export interface Runtime {
  readonly app: FastifyInstance;
  readonly config: RuntimeConfig;
  readonly plane: DataPlane;
  readonly repository: ModelRepository;
  readonly metrics: RuntimeMetrics;
  readonly log: Logger;
  /** Load the startup model(s). Failures are logged and leave the server alive and not ready. */
  loadStartupModels(): Promise<void>;
  /** Liveness: the process and its event loop answer. */
  readonly live: boolean;
  /** Readiness: not shutting down, and every startup model loaded and warmed up. */
  readonly ready: boolean;
  /**
   * Shut down without losing a request. At once: readiness off, and every answer from now on
   * carries `Connection: close`. For `graceMs`: keep serving normally (platforms keep routing for
   * a few seconds after the signal). Then answer new requests 503 + Retry-After, close the listener
   * at the first lull (no connection accepted or closed for 1 s; new connections are refused after it),
   * let in-flight work finish and wait for every connection to have had its last answer or to be
   * closed by its client (an idle keep-alive connection is never closed under a client that may be
   * writing onto it), and stop the workers. The drain timeout bounds the wait; connections still
   * open then are closed. With `graceMs` 0 (SIGINT, tests) idle connections are closed at once.
   */
  shutdown(graceMs?: number): Promise<void>;
}

export interface RuntimeOptions {
  /** Where logs go; default stdout (JSON lines). */
  readonly logDestination?: pino.DestinationStream;
  /** Where EMF lines go; default stdout. */
  readonly emfWrite?: (line: string) => void;
  /** Builds the inference back end; default a WorkerPool of `config.workers` threads (tests pass fakes). */
  readonly createPool?: PoolFactory;
}

/** The client's X-Request-Id when it is a sane header value, else a random UUID. */
function requestId(req: IncomingMessage): string {
  const h = req.headers['x-request-id'];
  return typeof h === 'string' && h.length > 0 && h.length <= 200 ? h : randomUUID();
}

/**
 * After the grace period the listener closes once no connection has been accepted or closed for
 * this long: clients answered 503 + Retry-After (5 s) are waiting, none is connecting (closing the
 * listener under a connecting client would reset its connection after it wrote its request).
 */
const QUIET_MS = 1000;

export function createRuntime(config: RuntimeConfig, options: RuntimeOptions = {}): Runtime {
  const log = pino({ level: config.logLevel, base: { service: 'servingstack-runtime' } }, options.logDestination);
  const plane = new DataPlane(config, log, options.createPool);
  const { metrics } = plane;
  const auth = new Authenticator(
    config.authToken ? TokenSet.fromValue(config.authToken) : config.authTokenFile ? TokenSet.fromFile(config.authTokenFile, log) : undefined,
    config.adminToken ? TokenSet.fromValue(config.adminToken) : config.adminTokenFile ? TokenSet.fromFile(config.adminTokenFile, log) : undefined,
  );

  const app = Fastify({
    loggerInstance: log as unknown as FastifyBaseLogger,
    // Per-request logs would cost more than inference at load; errors are logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimitBytes,
    requestIdHeader: false,
    genReqId: requestId,
    // While shutting down, requests get the runtime's own answers, not fastify's bare 503.
    return503OnClosing: false,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    // Node's requestTimeout: the whole request (headers and body) must arrive within it (408).
    requestTimeout: config.receiveTimeoutMs,
    http: {
      headersTimeout: config.headersTimeoutMs,
      // How often Node checks those two timeouts (its default, 30 s, would let them overrun).
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(config.headersTimeoutMs / 4))),
    },
    clientErrorHandler: clientErrorHandler(config.headersTimeoutMs, config.receiveTimeoutMs),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
  });
  app.decorateRequest('modelName', '');
  const connections = new Connections(app.server, config.maxConnections);

  // Bodies are read as bytes and decoded by the route, so every protocol gets its own errors.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  const routes = new RouteTable();
  app.addHook('onRoute', (route) => routes.add(route.method, route.url ?? route.path));
  installErrorHandling(app, routes, metrics, config.bodyLimitBytes, () => plane.lifecycle !== 'serving');

  const ctx: ProtocolContext = { plane, guard: new Guard(plane, auth, connections), limits: decodeLimitsOf(config) };
  app.register(oipPlugin, ctx);
  if (config.multiModel) app.register(repositoryPlugin, ctx);
  app.register(sagemakerPlugin, ctx);
  app.register(vertexPlugin, ctx);
  app.register(azurePlugin, ctx);
  app.register(observabilityPlugin, ctx);

  let emfTimer: NodeJS.Timeout | undefined;
  const emfWrite = options.emfWrite ?? ((line: string) => process.stdout.write(`${line}\n`));
  if (config.emf) {
    emfTimer = setInterval(() => {
      for (const line of metrics.takeEmf()) emfWrite(line);
    }, config.emfIntervalMs);
    emfTimer.unref();
  }

  let stopping: Promise<void> | undefined;
  const shutdown = async (graceMs: number): Promise<void> => {
    const signalAt = Date.now();
    const deadline = signalAt + graceMs + config.drainTimeoutMs;
    plane.lifecycle = 'draining';
    connections.closeAfterCurrentResponses();
    log.info({ graceMs, inflight: plane.inflight, queued: plane.scheduler.queued, connections: connections.size }, 'draining');
    if (graceMs > 0) await new Promise((r) => setTimeout(r, graceMs));
    plane.lifecycle = 'refusing';
    // net.Server's close stops listening only (http.Server's would also close idle connections,
    // under any client about to write onto one).
    const lull = await connections.closeListenerAtLull(graceMs === 0 ? 0 : QUIET_MS, Math.max(0, deadline - Date.now()), () => net.Server.prototype.close.call(app.server));
    log.info({ lull, connections: connections.size, inflight: plane.inflight }, 'listener closed');
    // Every answer now closes its connection. An idle keep-alive connection is not closed under its
    // client, which may be writing a request onto it at this very moment (a client starved of CPU
    // may take seconds to): it closes after its next answer, when its client closes it, or at the
    // deadline. Without a grace period (SIGINT, tests) idle connections are closed at once.
    if (!(await connections.drain(signalAt, graceMs === 0 ? 0 : Infinity, Math.max(0, deadline - Date.now())))) {
      log.warn({ connections: connections.destroyAll(), drainTimeoutMs: config.drainTimeoutMs }, 'drain timeout: closing the connections still open');
    }
    await Promise.race([app.close(), new Promise<void>((resolve) => setTimeout(resolve, 2000).unref())]);
    if (emfTimer) {
      clearInterval(emfTimer);
      for (const line of metrics.takeEmf()) emfWrite(line);
    }
    auth.close();
    await plane.close();
    log.info('stopped');
  };

  return {
    app,
    config,
    plane,
    repository: plane.repository,
    metrics,
    log,
    get live() {
      return true;
    },
    get ready() {
      return plane.ready;
    },
    loadStartupModels: () => plane.loadStartupModels(),
    shutdown(graceMs = 0) {
      stopping ??= shutdown(graceMs);
      return stopping;
    },
  };
}
