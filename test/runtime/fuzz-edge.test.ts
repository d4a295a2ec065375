/**
 * Seeded fuzzing of the HTTP edge over real sockets, against a server with authentication and short
 * timeouts: tokens presented every wrong (and right) way, and slow or truncated raw clients. Every
 * answer is 200, 401 or 408/400 with a catalogue JSON body, never a 5xx; no connection is closed
 * without an answer; the server keeps serving and the process's memory stays bounded.
 */
import * as net from 'node:net';
import { MODELS, mulberry32, pool, postJson, request, startServer, TestServer } from './helpers';

jest.setTimeout(120_000);

const SEED = Number(process.env.FUZZ_SEED ?? 20261125);
const CONCURRENCY = 8;
const TOKEN = 'fuzz-token-0123456789abcdef0123';
const EDGE_COUNT = Number(process.env.FUZZ_EDGE_COUNT ?? 400);
/** RSS growth allowed over the run (server and load generator share this process). */
const RSS_GROWTH_LIMIT_MIB = 300;

type Rand = () => number;
const int = (r: Rand, n: number): number => Math.floor(r() * n);
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[int(r, xs.length)];

let guarded: TestServer;
let rssAtStart = 0;

beforeAll(async () => {
  guarded = await startServer({ workers: 1, logLevel: 'warn', modelDir: MODELS.tiny, headersTimeoutMs: 400, receiveTimeoutMs: 800, maxConnections: 64 }, { env: { SERVINGSTACK_AUTH_TOKEN: TOKEN } });
  rssAtStart = process.memoryUsage().rss;
});
afterAll(() => guarded?.close());

/** Every way of presenting a token, right and wrong. The boolean: whether it must be accepted. */
function tokenHeaders(r: Rand): [Record<string, string>, boolean] {
  switch (int(r, 12)) {
    case 0:
      return [{}, false];
    case 1:
      return [{ authorization: `Bearer ${TOKEN}` }, true];
    case 2:
      return [{ 'x-api-key': TOKEN }, true];
    case 3:
      return [{ authorization: `bearer ${TOKEN}` }, true];
    case 4:
      return [{ authorization: `Bearer ${TOKEN.slice(0, int(r, TOKEN.length))}` }, false];
    case 5:
      return [{ authorization: `Bearer ${TOKEN}${pick(r, ['x', ' extra', '0'])}` }, false];
    case 6:
      return [{ authorization: pick(r, [`Basic ${TOKEN}`, TOKEN, 'Bearer', 'Bearer ', `Token ${TOKEN}`]) }, false];
    case 7:
      return [{ authorization: `Bearer ${'A'.repeat(pick(r, [1, 64, 4096, 12_000]))}` }, false];
    case 8:
      return r() < 0.25 ? [{ 'x-api-key': `${TOKEN}\t` }, true] /* HTTP trims surrounding whitespace */ : [{ 'x-api-key': pick(r, ['', ' ', TOKEN.toUpperCase()]) }, false];
    case 9:
      return [{ authorization: 'Bearer wrong-token-wrong-token-wrong', 'x-api-key': TOKEN }, false];
    case 10:
      return [{ authorization: `Bearer ${TOKEN}`, 'x-api-key': 'something else entirely!' }, true];
    default:
      return [{ 'x-api-key': Buffer.from(Array.from({ length: 24 }, () => 33 + int(r, 94))).toString('latin1') }, false];
  }
}

/** A raw client that sends a request slowly, or stops half way; resolves with what it got. */
function slowClient(r: Rand): Promise<{ answer: string; complete: boolean }> {
  const port = Number(new URL(guarded.url).port);
  const body = JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }] });
  const head = `POST /v2/models/tiny/infer HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
  const text = head + body;
  // Split into chunks sent with delays; some clients stop early, some are fast enough to finish.
  const stopAt = r() < 0.3 ? int(r, text.length) : text.length;
  const chunks: string[] = [];
  for (let i = 0; i < stopAt; ) {
    const n = 1 + int(r, 40);
    chunks.push(text.slice(i, Math.min(stopAt, i + n)));
    i += n;
  }
  const gapMs = pick(r, [0, 5, 30, 120]);
  return new Promise((resolve) => {
    let answer = '';
    const sock = net.connect(port, '127.0.0.1', async () => {
      for (const c of chunks) {
        if (sock.destroyed) break;
        sock.write(c);
        if (gapMs) await new Promise((res) => setTimeout(res, gapMs));
      }
    });
    sock.on('data', (d) => (answer += d.toString()));
    sock.on('error', () => undefined);
    sock.setTimeout(10_000, () => sock.destroy());
    sock.on('close', () => resolve({ answer, complete: stopAt === text.length }));
  });
}

test(`${EDGE_COUNT} requests with fuzzed tokens and ${EDGE_COUNT / 4} slow or truncated clients: 200, 401 or 408 with a JSON error, never a 5xx; memory bounded`, async () => {
  const r = mulberry32(SEED + 1);
  const failures: string[] = [];
  const statuses = new Map<number, number>();
  const count = (st: number): void => void statuses.set(st, (statuses.get(st) ?? 0) + 1);
  const tokenCases = Array.from({ length: EDGE_COUNT }, () => tokenHeaders(r));
  await pool(tokenCases, CONCURRENCY, async ([headers, accepted], i) => {
    let res;
    try {
      res = await postJson(`${guarded.url}/v2/models/tiny/infer`, { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }] }, headers);
    } catch (e) {
      failures.push(`token #${i}: no answer (${(e as Error).message})`);
      return;
    }
    count(res.status);
    const expected = accepted ? 200 : 401;
    if (res.status !== expected) failures.push(`token #${i} ${JSON.stringify(headers).slice(0, 120)} → ${res.status}, expected ${expected}`);
    if (res.status === 401 && (res.json?.code !== 'RT_ERR_UNAUTHORIZED' || res.text.includes(TOKEN))) failures.push(`token #${i}: bad 401 body ${res.text.slice(0, 200)}`);
  });
  const slow = Array.from({ length: EDGE_COUNT / 4 }, () => r);
  await pool(slow, 16, async (rr, i) => {
    const { answer, complete } = await slowClient(rr);
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]);
    if (answer === '') {
      failures.push(`slow #${i}: closed without an answer (complete=${complete})`);
      return;
    }
    count(status);
    const body = answer.slice(answer.indexOf('\r\n\r\n') + 4);
    if (status >= 500 || ![200, 400, 408].includes(status)) failures.push(`slow #${i}: ${status} ${body.slice(0, 200)}`);
    else if (status !== 200 && !/"code":"RT_ERR_/.test(body)) failures.push(`slow #${i}: ${status} without a catalogue body: ${body.slice(0, 200)}`);
    if (complete && status === 408 && !/"field":"body"|"field":"headers"/.test(body)) failures.push(`slow #${i}: 408 naming no field`);
  });
  expect(failures.slice(0, 20)).toEqual([]);
  expect(statuses.get(200) ?? 0).toBeGreaterThan(EDGE_COUNT / 8);
  expect(statuses.get(401) ?? 0).toBeGreaterThan(EDGE_COUNT / 4);
  expect(statuses.get(408) ?? 0).toBeGreaterThan(0);
  expect(guarded.logs.records.filter((x) => x.msg === 'unexpected error' || x.code === 'RT_ERR_INTERNAL')).toEqual([]);
  expect((await request(`${guarded.url}/v2/health/ready`)).status).toBe(200);
  const growthMiB = (process.memoryUsage().rss - rssAtStart) / 1024 / 1024;
  expect(growthMiB).toBeLessThan(RSS_GROWTH_LIMIT_MIB);
});
