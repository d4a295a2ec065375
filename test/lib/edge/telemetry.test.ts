/**
 * The agent's counting: the runtime's real metrics page (prom-client) into interval counts,
 * counter resets, drift samples, latency quantiles, merging; the configuration; capture files
 * shipped to a loopback S3 with the real S3 client.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { CaptureShipper, s3ObjectStore } from '../../../lib/edge/capture-shipper';
import { agentConfigFromEnv } from '../../../lib/edge/config';
import { parsePrometheusText } from '../../../lib/edge/prometheus-text';
import { emptyInterval, latencyQuantileMillis, LATENCY_BUCKETS_SECONDS, mergeIntervals, ScrapeAccumulator, TelemetryBuffer } from '../../../lib/edge/telemetry';
import { RuntimeMetrics } from '../../../lib/runtime/metrics';
import type { ServedModel } from '../../../lib/runtime/model';

const model = { name: 'm' } as unknown as ServedModel;

async function page(metrics: RuntimeMetrics) {
  return parsePrometheusText(await metrics.registry.metrics());
}

describe('scrape accumulator', () => {
  it('counts deltas per model from the runtime page, with the latency histogram, and survives a runtime restart', async () => {
    let metrics = new RuntimeMetrics(false);
    const acc = new ScrapeAccumulator('m', 0);
    acc.observe(await page(metrics), 0);
    for (let i = 0; i < 10; i++) metrics.onRequest('/v2/models/:model/infer', i < 3 ? 400 : 200, 'm', i < 5 ? 0.0008 : 0.2);
    metrics.onRequest('/v2/models/:model/infer', 200, 'other', 1); // another model: not counted
    metrics.onRequest('/metrics', 200, '', 0.001); // the scrape itself: no model
    metrics.onBatch(model, 7, 0.01);
    metrics.onRejected(model, 'queue_full');
    acc.observe(await page(metrics), 1000);
    // The runtime restarts: counters start again from zero.
    metrics = new RuntimeMetrics(false);
    metrics.onRequest('/invocations', 503, 'm', 0.01);
    metrics.onBatch(model, 2, 0.01);
    acc.observe(await page(metrics), 2000);
    const i = acc.close(2000);
    expect(i).toMatchObject({ requests: 11, clientErrors: 3, serverErrors: 1, rows: 9, rejected: 1, scrapes: 3, start: 0, end: 2000 });
    expect(i.latencyBuckets.reduce((a, b) => a + b, 0)).toBe(11);
    // 0.0008 s → the (0.0005, 0.001] bucket; 0.2 s → (0.1, 0.25]; 0.01 → (0.005, 0.01].
    expect(i.latencyBuckets[LATENCY_BUCKETS_SECONDS.indexOf(0.001)]).toBe(5);
    expect(i.latencyBuckets[LATENCY_BUCKETS_SECONDS.indexOf(0.25)]).toBe(5);
    expect(latencyQuantileMillis(i.latencyBuckets, 0.5)).toBeLessThanOrEqual(100);
    expect(latencyQuantileMillis(i.latencyBuckets, 0.99)).toBeGreaterThan(100);
    expect(acc.close(3000)).toMatchObject({ requests: 0, start: 2000 });
  });

  it('takes a drift sample per scrape in which the model served rows, from the runtime window gauges', async () => {
    const metrics = new RuntimeMetrics(false);
    const events = metrics.monitorEvents(() => undefined);
    const acc = new ScrapeAccumulator('m', 0);
    acc.observe(await page(metrics), 0);
    const window = (drifted: string[]) => events.onWindow!({ model: 'm', window: 0, rows: 500, published: true, features: [], driftedFeatures: drifted });
    window(['f0', 'f1']);
    metrics.onBatch(model, 500, 0.01);
    acc.observe(await page(metrics), 1);
    acc.observe(await page(metrics), 2); // no rows since: the stale gauge is no sample
    window([]);
    metrics.onBatch(model, 500, 0.01);
    events.onPerformance!('m', { labelled: 40, accuracy: 0.925 });
    acc.observe(await page(metrics), 3);
    expect(acc.close(4)).toMatchObject({ driftSamples: 2, maxDriftedFeatures: 2, accuracy: 0.925, labelledRows: 40 });
  });

  it('merges intervals by addition and bounds the buffer', () => {
    const a = { ...emptyInterval(0), end: 60, requests: 3, latencyBuckets: emptyInterval(0).latencyBuckets.map((_, i) => (i === 0 ? 1 : 0)), maxDriftedFeatures: 4, driftSamples: 1, accuracy: 0.8 };
    const b = { ...emptyInterval(60), end: 120, requests: 5, latencyBuckets: emptyInterval(0).latencyBuckets.map((_, i) => (i === 0 ? 2 : 0)), maxDriftedFeatures: 1, driftSamples: 2, accuracy: 0.9 };
    expect(mergeIntervals(a, b)).toMatchObject({ start: 0, end: 120, requests: 8, driftSamples: 3, maxDriftedFeatures: 4, accuracy: 0.9 });
    expect(mergeIntervals(a, b).latencyBuckets[0]).toBe(3);
    const buf = new TelemetryBuffer(3);
    for (let k = 0; k < 100; k++) buf.push({ ...emptyInterval(k * 60), end: (k + 1) * 60, requests: 1 });
    expect(buf.size).toBe(3);
    expect(buf.toArray().reduce((s, x) => s + x.requests, 0)).toBe(100);
    expect(buf.toArray().map((x) => [x.start, x.end])).toEqual([[0, 98 * 60], [98 * 60, 99 * 60], [99 * 60, 100 * 60]]);
    expect(() => new TelemetryBuffer(1)).toThrow(/capacity/);
  });

  it('parses escaped label values and special values', () => {
    expect(parsePrometheusText('# HELP x y\nx{a="q\\"uo\\\\te",b="n\\nl"} NaN\ny +Inf 123\n')).toEqual([
      { name: 'x', labels: { a: 'q"uo\\te', b: 'n\nl' }, value: NaN },
      { name: 'y', labels: {}, value: Infinity },
    ]);
    expect(() => parsePrometheusText('x{a=1} 2')).toThrow(/malformed/);
  });
});

describe('agent configuration', () => {
  it('names every bad variable at once', () => {
    expect(() => agentConfigFromEnv({ SERVINGSTACK_EDGE_PUBLISH_SECONDS: 'soon' })).toThrow(
      /SERVINGSTACK_EDGE_RUNTIME_URL is required[\s\S]*SERVINGSTACK_EDGE_MODEL is required[\s\S]*AWS_IOT_THING_NAME is required[\s\S]*SERVINGSTACK_EDGE_PUBLISH_SECONDS: received "soon"/,
    );
    const c = agentConfigFromEnv({
      SERVINGSTACK_EDGE_RUNTIME_URL: 'http://127.0.0.1:8080/', SERVINGSTACK_EDGE_MODEL: 'm', SERVINGSTACK_EDGE_DEVICE_GROUP: 'g', SERVINGSTACK_EDGE_TOPIC_PREFIX: 't', AWS_IOT_THING_NAME: 'd',
    });
    expect(c).toMatchObject({ runtimeUrl: 'http://127.0.0.1:8080', scrapeMs: 10_000, publishMs: 60_000, bufferIntervals: 1440, capturePrefix: 'captures' });
  });
});

describe('capture shipping', () => {
  it('uploads rotated capture files to S3 unchanged with the real S3 client, deletes them, leaves the active file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-cap-'));
    const line = `${JSON.stringify({ time: '2025-03-01T10:00:00.000Z', requestId: 'r1', model: 'm', version: '1.0.0', inputs: { input: { datatype: 'FP32', shape: [1, 2], data: [1, 2] } }, status: 200 })}\n`;
    fs.writeFileSync(path.join(dir, 'capture-2025-03-01T10-00-00-000Z-0000.jsonl'), line);
    fs.writeFileSync(path.join(dir, 'capture.jsonl'), line);
    const puts: { url: string; body: string }[] = [];
    let fail = true;
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        if (fail) {
          res.writeHead(503).end();
          return;
        }
        puts.push({ url: `${req.method} ${req.url}`, body });
        res.writeHead(200, { ETag: '"x"' }).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const env = { ...process.env };
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'secret', AWS_MAX_ATTEMPTS: '1' });
    try {
      const store = s3ObjectStore('captures-bucket', { region: 'eu-west-1', endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, forcePathStyle: true });
      const shipper = new CaptureShipper(dir, store, 'captures/m', 'clinic-7');
      await expect(shipper.ship()).rejects.toThrow();
      expect(fs.readdirSync(dir).sort()).toEqual(['capture-2025-03-01T10-00-00-000Z-0000.jsonl', 'capture.jsonl']);
      fail = false;
      expect(await shipper.ship()).toEqual(['capture-2025-03-01T10-00-00-000Z-0000.jsonl']);
      expect(puts).toEqual([{ url: 'PUT /captures-bucket/captures/m/clinic-7/capture-2025-03-01T10-00-00-000Z-0000.jsonl?x-id=PutObject', body: line }]);
      expect(fs.readdirSync(dir)).toEqual(['capture.jsonl']);
    } finally {
      process.env = env;
      server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
