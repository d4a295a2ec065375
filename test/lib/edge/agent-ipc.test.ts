/**
 * The edge telemetry agent against a fake Greengrass nucleus (eventstream RPC on a Unix socket)
 * with the real aws-iot-device-sdk-v2 IPC client, fed by the runtime's own metrics registry:
 * publish when connected; keep counting while IoT Core is unreachable, within a bounded buffer;
 * publish every count after reconnecting; reconnect after a nucleus restart.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TelemetryAgent } from '../../../lib/edge/agent';
import type { AgentConfig } from '../../../lib/edge/config';
import { GreengrassIpcPublisher } from '../../../lib/edge/ipc-publisher';
import { TELEMETRY_SCHEMA, TelemetryMessage } from '../../../lib/edge/message';
import { RuntimeMetrics } from '../../../lib/runtime/metrics';
import type { ServedModel } from '../../../lib/runtime/model';
import { FakeGreengrassIpc } from '../../support/fake-greengrass-ipc';

const MODEL = 'breast-cancer';
const model = { name: MODEL } as unknown as ServedModel;

function config(over: Partial<AgentConfig> = {}): AgentConfig {
  return {
    runtimeUrl: 'http://127.0.0.1:8080', model: MODEL, componentVersion: '1.0.0', deviceGroup: 'clinic-devices', device: 'clinic-7',
    topicPrefix: 'servingstack/edge/breast-cancer/telemetry', scrapeMs: 10_000, publishMs: 60_000, bufferIntervals: 4, capturePrefix: 'captures', ...over,
  };
}

/** Traffic as the runtime records it: `n` requests of one row, `errors` of them 503. */
function traffic(metrics: RuntimeMetrics, n: number, errors = 0): void {
  for (let i = 0; i < n; i++) {
    const failed = i < errors;
    metrics.onRequest('/v2/models/:model/infer', failed ? 503 : 200, MODEL, 0.004);
    if (!failed) metrics.onBatch(model, 1, 0.002);
  }
}

describe('edge telemetry agent over Greengrass IPC', () => {
  let dir: string;
  let fake: FakeGreengrassIpc;
  const env = { ...process.env };

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-ipc-'));
    const socket = path.join(dir, 'ipc.socket');
    fake = await FakeGreengrassIpc.start(socket, 'svcuid-token', ['servingstack/edge/breast-cancer/telemetry/clinic-7']);
    process.env.AWS_GG_NUCLEUS_DOMAIN_SOCKET_FILEPATH_FOR_COMPONENT = socket;
    process.env.SVCUID = 'svcuid-token';
  });

  afterEach(async () => {
    await fake.close();
    fs.rmSync(dir, { recursive: true, force: true });
    process.env = { ...env };
  });

  it('publishes each interval; offline it keeps counting within the buffer bound and publishes every count on reconnect', async () => {
    const metrics = new RuntimeMetrics(false);
    let now = Date.parse('2025-03-01T10:00:00Z');
    const publisher = new GreengrassIpcPublisher();
    const agent = new TelemetryAgent(config(), { publisher, fetchMetrics: () => metrics.registry.metrics(), now: () => now });
    const step = async (requests: number, errors = 0): Promise<void> => {
      traffic(metrics, requests, errors);
      now += 30_000;
      await agent.scrape();
      now += 30_000;
      await agent.scrape();
      agent.closeInterval();
      await agent.flush();
    };

    await agent.scrape(); // primes the counters
    await step(50, 2);
    expect(fake.published).toHaveLength(1);
    const first = JSON.parse(fake.published[0]!.payload) as TelemetryMessage;
    expect(fake.published[0]).toMatchObject({ topic: 'servingstack/edge/breast-cancer/telemetry/clinic-7', qos: '1' });
    expect(first).toMatchObject({ schema: TELEMETRY_SCHEMA, device: 'clinic-7', deviceGroup: 'clinic-devices', model: MODEL, live: 1, requests: 50, serverErrors: 2, rows: 48 });
    expect(first.latencyP99Millis).toBeGreaterThan(2.5);
    expect(first.latencyP99Millis).toBeLessThanOrEqual(5);

    // IoT Core unreachable: 7 intervals of traffic, a buffer of 4.
    fake.online = false;
    for (let i = 1; i <= 7; i++) await step(10 * i);
    expect(fake.published).toHaveLength(1);
    expect(agent.buffer.size).toBe(4);
    expect(agent.buffer.merges).toBe(3);
    expect(fake.rejected.filter((r) => r.reason === 'offline').length).toBe(7);

    fake.online = true;
    await step(5);
    const late = fake.published.slice(1).map((m) => JSON.parse(m.payload) as TelemetryMessage);
    expect(late).toHaveLength(4);
    expect(late.reduce((a, m) => a + m.requests, 0)).toBe(10 + 20 + 30 + 40 + 50 + 60 + 70 + 5);
    // Oldest first: the reconnect interval made an eighth, so the oldest merged five intervals into one.
    expect(late[0]!.end - late[0]!.start).toBe(5 * 60_000);
    expect(late.slice(1).map((m) => m.end - m.start)).toEqual([60_000, 60_000, 60_000]);
    // Only the interval that just closed is live (the devices-reporting metric counts it once).
    expect(late.map((m) => m.live)).toEqual([0, 0, 0, 1]);
    expect(agent.buffer.size).toBe(0);

    // Back to live intervals.
    await step(3);
    expect(JSON.parse(fake.published.at(-1)!.payload)).toMatchObject({ live: 1, requests: 3 });
    await publisher.close();
  });

  it('reconnects after the nucleus drops the IPC connection', async () => {
    const metrics = new RuntimeMetrics(false);
    const publisher = new GreengrassIpcPublisher();
    const agent = new TelemetryAgent(config(), { publisher, fetchMetrics: () => metrics.registry.metrics() });
    await agent.scrape();
    traffic(metrics, 4);
    await agent.scrape();
    agent.closeInterval();
    await agent.flush();
    expect(fake.connects).toBe(1);
    fake.dropConnections();
    await new Promise((r) => setTimeout(r, 100));
    traffic(metrics, 6);
    await agent.scrape();
    agent.closeInterval();
    await agent.flush();
    if (agent.buffer.size > 0) await agent.flush(); // a publish racing the drop is kept and retried
    expect(fake.connects).toBe(2);
    expect(fake.published.map((m) => (JSON.parse(m.payload) as TelemetryMessage).requests).reduce((a, b) => a + b, 0)).toBe(10);
    await publisher.close();
  });

  it('keeps intervals the nucleus refuses to authorize (a topic outside the recipe accessControl)', async () => {
    const metrics = new RuntimeMetrics(false);
    const publisher = new GreengrassIpcPublisher();
    const agent = new TelemetryAgent(config({ topicPrefix: 'other/topic' }), { publisher, fetchMetrics: () => metrics.registry.metrics() });
    await agent.scrape();
    traffic(metrics, 2);
    await agent.scrape();
    agent.closeInterval();
    await agent.flush();
    expect(fake.published).toHaveLength(0);
    expect(fake.rejected).toEqual([{ topic: 'other/topic/clinic-7', reason: 'unauthorized' }]);
    expect(agent.buffer.size).toBe(1);
    await publisher.close();
  });

  it('is refused by the nucleus with a wrong SVCUID', async () => {
    process.env.SVCUID = 'wrong';
    const publisher = new GreengrassIpcPublisher();
    await expect(publisher.publish('servingstack/edge/breast-cancer/telemetry/clinic-7', '{}')).rejects.toThrow();
    expect(fake.published).toHaveLength(0);
    await publisher.close();
  });
});
