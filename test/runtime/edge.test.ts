/**
 * Hostile and slow clients over real sockets: a client trickling its headers or its body is cut
 * off with a 408 catalogue body within the configured time, many idle connections are closed and
 * do not stop the server serving, the connection cap answers 503 (health probes still pass), idle
 * keep-alive connections are closed after the keep-alive timeout, and malformed HTTP is a 400.
 */
import * as net from 'node:net';
import { MODELS, postJson, request, startServer, TestServer } from './helpers';

jest.setTimeout(60_000);

const HEADERS_MS = 1000;
const RECEIVE_MS = 2000;
const KEEP_ALIVE_MS = 600;

interface RawResult {
  readonly data: string;
  readonly closedAfterMs: number;
}

/** Open a raw connection, run `drive` on it, and collect everything until the server closes it. */
function raw(url: string, drive: (s: net.Socket) => void, giveUpMs = 20_000): Promise<RawResult> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const s = net.connect(Number(port), '127.0.0.1', () => drive(s));
    let data = '';
    s.on('data', (d) => (data += d.toString()));
    s.on('error', () => undefined); // a reset after the answer is fine: the answer is what counts
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`the server did not close the connection within ${giveUpMs} ms; got ${JSON.stringify(data.slice(0, 200))}`));
    }, giveUpMs);
    s.on('close', () => {
      clearTimeout(timer);
      resolve({ data, closedAfterMs: Date.now() - t0 });
    });
  });
}

function trickle(s: net.Socket, text: string, everyMs: number): void {
  let i = 0;
  const timer = setInterval(() => {
    if (s.destroyed || i >= text.length) return clearInterval(timer);
    s.write(text[i++]);
  }, everyMs);
  s.once('close', () => clearInterval(timer));
}

/** Status code and parsed JSON body of a raw HTTP/1.1 answer. */
function parse(answer: string): { status: number; headers: string; body: any } { // eslint-disable-line @typescript-eslint/no-explicit-any
  const [head, ...rest] = answer.split('\r\n\r\n');
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]), headers: head.toLowerCase(), body: JSON.parse(rest.join('\r\n\r\n') || 'null') };
}

let s: TestServer;
beforeAll(async () => {
  s = await startServer({ modelDir: MODELS.tiny, headersTimeoutMs: HEADERS_MS, receiveTimeoutMs: RECEIVE_MS, keepAliveTimeoutMs: KEEP_ALIVE_MS, maxConnections: 40 });
});
afterAll(() => s?.close());

const tinyInfer = (): Promise<number> => postJson(`${s.url}/v2/models/tiny/infer`, { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }] }).then((r) => r.status);

test('headers sent one byte at a time are cut off with 408 RT_ERR_REQUEST_TIMEOUT naming the headers', async () => {
  const r = await raw(s.url, (sock) => trickle(sock, 'GET /v2/health/live HTTP/1.1\r\nHost: x\r\nX-Slow: ' + 'a'.repeat(200), 100));
  const a = parse(r.data);
  expect(a.status).toBe(408);
  expect(a.headers).toMatch(/connection: close/);
  expect(a.body).toMatchObject({ code: 'RT_ERR_REQUEST_TIMEOUT', field: 'headers' });
  expect(a.body.allowed).toMatch(/SERVINGSTACK_HEADERS_TIMEOUT_MS/);
  expect(r.closedAfterMs).toBeGreaterThanOrEqual(HEADERS_MS - 100);
  expect(r.closedAfterMs).toBeLessThan(HEADERS_MS + 5000);
  expect(await tinyInfer()).toBe(200);
});

test('a body sent one byte at a time is cut off with 408 naming the body, within the receive timeout', async () => {
  const body = JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }] });
  const r = await raw(s.url, (sock) => {
    sock.write(`POST /v2/models/tiny/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
    trickle(sock, body, 150);
  });
  const a = parse(r.data);
  expect(a.status).toBe(408);
  expect(a.body).toMatchObject({ code: 'RT_ERR_REQUEST_TIMEOUT', field: 'body' });
  expect(r.closedAfterMs).toBeGreaterThanOrEqual(RECEIVE_MS - 100);
  expect(r.closedAfterMs).toBeLessThan(RECEIVE_MS + 5000);
  expect(await tinyInfer()).toBe(200);
});

test('GIVEN many connections that send nothing THEN each is closed with a 408, and real requests are served meanwhile', async () => {
  const idle = Array.from({ length: 30 }, () => raw(s.url, () => undefined));
  await new Promise((r) => setTimeout(r, 100));
  expect(await Promise.all([tinyInfer(), tinyInfer(), tinyInfer()])).toEqual([200, 200, 200]);
  const results = await Promise.all(idle);
  for (const r of results) expect(parse(r.data).status).toBe(408);
  expect(Math.max(...results.map((r) => r.closedAfterMs))).toBeLessThan(HEADERS_MS + 5000);
});

test('GIVEN the connection cap is reached THEN a new connection gets 503 RT_ERR_TOO_MANY_CONNECTIONS and is closed, health probes still pass, and service resumes when connections go', async () => {
  const holders: net.Socket[] = [];
  try {
    for (let i = 0; i < 40; i++) {
      holders.push(await new Promise<net.Socket>((resolve) => {
        const h = net.connect(Number(new URL(s.url).port), '127.0.0.1', () => resolve(h));
        h.on('error', () => undefined);
      }));
    }
    await new Promise((r) => setTimeout(r, 50));
    const over = await request(`${s.url}/v2/models/tiny/infer`, { method: 'POST', headers: { 'content-type': 'application/json', connection: 'keep-alive' }, body: '{}' });
    expect(over.status).toBe(503);
    expect(over.json).toMatchObject({ code: 'RT_ERR_TOO_MANY_CONNECTIONS' });
    expect(over.json.allowed).toMatch(/SERVINGSTACK_MAX_CONNECTIONS/);
    expect(over.headers.get('retry-after')).toBe('1');
    expect(over.headers.get('connection')).toBe('close');
    // A platform's health probe on a fresh connection over the cap is still answered.
    const probe = await raw(s.url, (sock) => sock.write('GET /v2/health/ready HTTP/1.1\r\nHost: x\r\n\r\n'));
    expect(parse(probe.data).status).toBe(200);
    expect(parse(probe.data).headers).toMatch(/connection: close/);
  } finally {
    for (const h of holders) h.destroy();
  }
  await new Promise((r) => setTimeout(r, 100));
  expect(await tinyInfer()).toBe(200);
});

test('an idle keep-alive connection is closed after the keep-alive timeout', async () => {
  const r = await raw(s.url, (sock) => sock.write('GET /v2/health/live HTTP/1.1\r\nHost: x\r\n\r\n'));
  expect(parse(r.data).status).toBe(200);
  expect(r.data).toMatch(/keep-alive: timeout=0/i); // Node advertises the timeout in whole seconds
  expect(r.closedAfterMs).toBeGreaterThanOrEqual(KEEP_ALIVE_MS - 100);
  expect(r.closedAfterMs).toBeLessThan(KEEP_ALIVE_MS + 5000);
});

test.each([
  ['malformed HTTP', 400, 'RT_ERR_BAD_REQUEST', 'THIS IS NOT HTTP\r\n\r\n'],
  ['headers larger than the parser allows', 431, 'RT_ERR_HEADERS_TOO_LARGE', `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`],
])('%s → %d %s with the catalogue body', async (_what, status, code, text) => {
  const r = await raw(s.url, (sock) => sock.write(text));
  const a = parse(r.data);
  expect(a.status).toBe(status);
  expect(a.body.code).toBe(code);
  expect(await tinyInfer()).toBe(200);
});
