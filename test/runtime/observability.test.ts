/**
 * Observability over real HTTP: Prometheus /metrics, CloudWatch EMF lines and request ids.
 */
import { metricSum, MODELS, postJson, request, scrape, startServer, TestServer, waitFor } from './helpers';

const good = { inputs: [{ name: 'input', datatype: 'FP32', shape: [2, 4], data: [1, 2, 3, 4, 5, 6, 7, 8] }] };

describe('Prometheus metrics', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ modelDir: MODELS.tiny });
    for (let i = 0; i < 5; i++) expect((await postJson(`${s.url}/v2/models/tiny/infer`, good)).status).toBe(200);
    expect((await postJson(`${s.url}/v2/models/tiny/infer`, { inputs: [] })).status).toBe(400);
    expect((await postJson(`${s.url}/invocations`, { instances: [[1, 2, 3, 4]] })).status).toBe(200);
    expect((await request(`${s.url}/no/such/route`)).status).toBe(404);
  });
  afterAll(async () => {
    await s?.close();
  });

  test('/metrics is Prometheus text', async () => {
    const r = await request(`${s.url}/metrics`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(r.text).toMatch(/^# HELP servingstack_requests_total /m);
    expect(r.text).toMatch(/^# TYPE servingstack_requests_total counter$/m);
  });

  test('servingstack_requests_total carries route, status and model labels', async () => {
    const m = await scrape(s.url);
    expect(metricSum(m, 'servingstack_requests_total', { route: '/v2/models/:model/infer', status: '200', model: 'tiny' })).toBe(5);
    expect(metricSum(m, 'servingstack_requests_total', { route: '/v2/models/:model/infer', status: '400', model: 'tiny' })).toBe(1);
    expect(metricSum(m, 'servingstack_requests_total', { route: '/invocations', status: '200', model: 'tiny' })).toBe(1);
    // Unmatched paths do not become label values (no cardinality explosion).
    const notFound = m.filter((x) => x.name === 'servingstack_requests_total' && x.labels.status === '404');
    expect(notFound.length).toBeGreaterThan(0);
    for (const x of notFound) expect(x.labels.route).not.toContain('/no/such/route');
  });

  test('queue, compute, batch, inflight and model load metrics are exposed', async () => {
    const m = await scrape(s.url);
    expect(metricSum(m, 'servingstack_queue_duration_seconds_count', { model: 'tiny' })).toBeGreaterThanOrEqual(6);
    expect(metricSum(m, 'servingstack_compute_duration_seconds_count', { model: 'tiny' })).toBeGreaterThanOrEqual(6);
    expect(metricSum(m, 'servingstack_compute_duration_seconds_sum', { model: 'tiny' })).toBeGreaterThan(0);
    expect(metricSum(m, 'servingstack_batch_size_rows_sum', { model: 'tiny' })).toBeGreaterThanOrEqual(11); // 5×2 + 1 rows (+ warm-up)
    expect(metricSum(m, 'servingstack_inference_rows_total', { model: 'tiny' })).toBeGreaterThanOrEqual(11);
    const inflight = m.find((x) => x.name === 'servingstack_inflight_requests');
    expect(inflight).toBeDefined();
    expect(inflight!.value).toBe(0);
    expect(metricSum(m, 'servingstack_model_load_duration_seconds', { model: 'tiny' })).toBeGreaterThan(0);
    expect(metricSum(m, 'servingstack_model_ready', { model: 'tiny' })).toBe(1);
    expect(m.some((x) => x.name === 'servingstack_queue_depth' && x.labels.model === 'tiny')).toBe(true);
    expect(m.some((x) => x.name.startsWith('servingstack_process_'))).toBe(true);
  });

  test('request duration is observed per route', async () => {
    const m = await scrape(s.url);
    expect(metricSum(m, 'servingstack_request_duration_seconds_count', { route: '/v2/models/:model/infer', model: 'tiny' })).toBe(6);
  });
});

describe('request ids', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ modelDir: MODELS.tiny });
  });
  afterAll(async () => {
    await s?.close();
  });

  test('x-request-id is propagated when sent', async () => {
    const r = await postJson(`${s.url}/v2/models/tiny/infer`, good, { 'x-request-id': 'trace-0001-abc' });
    expect(r.status).toBe(200);
    expect(r.headers.get('x-request-id')).toBe('trace-0001-abc');
    const err = await postJson(`${s.url}/v2/models/tiny/infer`, { inputs: 3 }, { 'x-request-id': 'trace-0002' });
    expect(err.status).toBe(400);
    expect(err.headers.get('x-request-id')).toBe('trace-0002');
    expect((await request(`${s.url}/v2/health/live`, { headers: { 'x-request-id': 'probe-7' } })).headers.get('x-request-id')).toBe('probe-7');
  });

  test('x-request-id is generated, unique, when not sent', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const r = await request(`${s.url}/v2/health/ready`);
      const id = r.headers.get('x-request-id');
      expect(id).toMatch(/^[a-z0-9-]{6,}$/);
      ids.add(id!);
    }
    expect(ids.size).toBe(5);
  });

  test('the request id of a failed request is in its log line', async () => {
    await postJson(`${s.url}/v2/models/tiny/infer`, { inputs: 'nope' }, { 'x-request-id': 'find-me-in-logs' });
    const line = s.logs.find((r) => r.reqId === 'find-me-in-logs');
    expect(line).toBeDefined();
    expect(line!.code).toBe('RT_ERR_BAD_REQUEST');
  });
});

describe('CloudWatch EMF', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ modelDir: MODELS.tiny, emf: true, emfIntervalMs: 1000 });
  });
  afterAll(async () => {
    await s?.close();
  });

  test('lines are valid EMF with namespace ServingStack/Runtime and dimension model', async () => {
    for (let i = 0; i < 3; i++) expect((await postJson(`${s.url}/v2/models/tiny/infer`, good)).status).toBe(200);
    expect((await postJson(`${s.url}/v2/models/tiny/infer`, { inputs: [] })).status).toBe(400);
    const got = await waitFor(() => s.emf.some((l) => l.includes('"model":"tiny"')), 5000, 100);
    expect(got).toBe(true);
    const docs = s.emf.map((l) => JSON.parse(l) as Record<string, unknown> & { _aws: { Timestamp: number; CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] } });
    const tiny = docs.filter((d) => d.model === 'tiny' && d._aws.CloudWatchMetrics[0].Metrics.some((x) => x.Name === 'servingstack_requests_total'));
    expect(tiny.length).toBeGreaterThan(0);
    let requests = 0;
    for (const d of docs) {
      expect(Number.isInteger(d._aws.Timestamp)).toBe(true);
      expect(Math.abs(d._aws.Timestamp - Date.now())).toBeLessThan(60_000);
      const cw = d._aws.CloudWatchMetrics;
      expect(cw).toHaveLength(1);
      expect(cw[0].Namespace).toBe('ServingStack/Runtime');
      for (const dims of cw[0].Dimensions) for (const dim of dims) expect(typeof d[dim]).toBe('string');
      expect(cw[0].Metrics.length).toBeGreaterThan(0);
      for (const metric of cw[0].Metrics) {
        expect(['Count', 'Seconds', 'Milliseconds', 'None', 'Percent']).toContain(metric.Unit);
        const v = d[metric.Name];
        const values = Array.isArray(v) ? v : [v];
        expect(values.length).toBeGreaterThan(0);
        expect(values.length).toBeLessThanOrEqual(100);
        for (const x of values) expect(typeof x === 'number' && Number.isFinite(x)).toBe(true);
      }
    }
    for (const d of tiny) {
      expect(d._aws.CloudWatchMetrics[0].Dimensions).toEqual([['model']]);
      requests += d.servingstack_requests_total as number;
    }
    expect(requests).toBe(4);
  });
});
