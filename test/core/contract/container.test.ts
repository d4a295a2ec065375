/** The container contract in lib/core against the runtime that implements it. */
import { RouteAccess, RuntimeContract, ServingProtocol } from '../../../lib/core/contract';
import { createRuntime, DEFAULTS, loadConfig, RUNTIME_ERRORS } from '../../../lib/runtime';

describe('RuntimeContract', () => {
  test('GIVEN the route catalogue THEN each method and path appears once', () => {
    const keys = RuntimeContract.routes().map((r) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  test.each(ServingProtocol.all().map((p) => [p.name, p] as const))('GIVEN protocol %s THEN its probe and predict routes are catalogued with their access', (_name, p) => {
    const find = (method: string, path: string) => RuntimeContract.routes().find((r) => r.method === method && r.path === path);
    expect(find('GET', p.livenessPath)?.access).toBe(RouteAccess.HEALTH);
    expect(find('GET', p.readinessPath)?.access).toBe(RouteAccess.HEALTH);
    expect(find('POST', p.predictPath)?.access).toBe(RouteAccess.INFERENCE);
    expect(p.routes.length).toBeGreaterThan(0);
  });

  test('GIVEN the admin routes THEN they are feedback, metrics and multi-model management', () => {
    expect(RuntimeContract.routesFor(RouteAccess.ADMIN).map((r) => `${r.method} ${r.path}`).sort()).toEqual([
      'DELETE /models/:name', 'GET /metrics', 'GET /models', 'GET /models/:name', 'POST /feedback', 'POST /models',
      'POST /v2/models/:model/feedback', 'POST /v2/models/:model/versions/:version/feedback',
    ]);
  });

  test("GIVEN the runtime's defaults THEN they are the contract's", () => {
    expect(DEFAULTS.port).toBe(RuntimeContract.PORT);
    expect(DEFAULTS.drainTimeoutMs).toBe(RuntimeContract.DRAIN_TIMEOUT_SECONDS * 1000);
    expect(DEFAULTS.maxQueueSize).toBe(RuntimeContract.MAX_QUEUE_SIZE);
  });

  test("GIVEN the runtime's error catalogue THEN every status it answers is in the contract, and a full queue is 503 with Retry-After", () => {
    const statuses = new Set(RuntimeContract.statuses().map((s) => s.status));
    for (const [code, e] of Object.entries(RUNTIME_ERRORS)) expect([code, statuses.has(e.status)]).toEqual([code, true]);
    expect(RUNTIME_ERRORS.RT_ERR_QUEUE_FULL.status).toBe(RuntimeContract.QUEUE_FULL_STATUS);
    expect(RuntimeContract.statuses().find((s) => s.status === RuntimeContract.QUEUE_FULL_STATUS)?.retryAfter).toBe(true);
    expect(statuses.has(429)).toBe(false);
  });

  test('GIVEN a runtime in multi-model mode with the Vertex routes set THEN it serves every route of the contract', async () => {
    const vertex = ServingProtocol.VERTEX_AI;
    const config = loadConfig({ AIP_HEALTH_ROUTE: vertex.livenessPath, AIP_PREDICT_ROUTE: vertex.predictPath }, { multiModel: true, workers: 1, logLevel: 'silent', host: '127.0.0.1', port: 0 });
    const runtime = createRuntime(config);
    try {
      await runtime.app.ready();
      const missing = RuntimeContract.routes().filter((r) => !runtime.app.hasRoute({ method: r.method as 'GET', url: r.path }));
      expect(missing).toEqual([]);
    } finally {
      await runtime.shutdown();
    }
  });
});
