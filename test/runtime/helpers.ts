/**
 * Shared helpers for the runtime's HTTP tests: start a real server on a loopback port with logs
 * captured, talk to it with Node's fetch, and encode/decode the OIP binary tensor extension.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { createRuntime, Runtime } from '../../lib/runtime/app';
import { ConfigOverrides, loadConfig } from '../../lib/runtime/config';

export const ROOT = path.resolve(__dirname, '..', '..');
export const MODELS = {
  breastCancer: path.join(ROOT, 'examples/models/breast-cancer'),
  tiny: path.join(ROOT, 'examples/models/tiny'),
  mlpBench: path.join(ROOT, 'examples/models/mlp-bench'),
  identityAll: path.join(ROOT, 'test/fixtures/models/identity-all'),
  staticShape: path.join(ROOT, 'test/fixtures/models/static-shape'),
};

/** Collects pino's JSON lines so a test can assert on what was logged. */
export class LogSink {
  public readonly lines: string[] = [];
  public write(chunk: string): void {
    for (const l of chunk.split('\n')) if (l.trim()) this.lines.push(l);
  }
  public get records(): Record<string, unknown>[] {
    return this.lines.map((l) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        return { msg: l };
      }
    });
  }
  public find(pred: (r: Record<string, unknown>) => boolean): Record<string, unknown> | undefined {
    return this.records.find(pred);
  }
}

export interface TestServer {
  readonly runtime: Runtime;
  readonly url: string;
  readonly logs: LogSink;
  readonly emf: string[];
  close(): Promise<void>;
}

export interface StartOptions {
  /** Environment for loadConfig (default: empty, so the developer's env never leaks in). */
  readonly env?: Record<string, string | undefined>;
  /** Skip loadStartupModels (tests that want to watch loading). */
  readonly noLoad?: boolean;
  readonly emf?: boolean;
}

/** createRuntime + listen on 127.0.0.1:0 + load the startup model. */
export async function startServer(overrides: ConfigOverrides, opts: StartOptions = {}): Promise<TestServer> {
  const logs = new LogSink();
  const emf: string[] = [];
  const config = loadConfig(opts.env ?? {}, { host: '127.0.0.1', port: 0, workers: 1, logLevel: 'info', ...overrides });
  const runtime = createRuntime(config, { logDestination: logs, emfWrite: (line) => emf.push(line) });
  await runtime.app.listen({ host: '127.0.0.1', port: 0 });
  const port = (runtime.app.server.address() as AddressInfo).port;
  if (!opts.noLoad) await runtime.loadStartupModels();
  let closed = false;
  return {
    runtime,
    url: `http://127.0.0.1:${port}`,
    logs,
    emf,
    close: async () => {
      if (closed) return;
      closed = true;
      await runtime.shutdown();
    },
  };
}

export interface Res {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly raw: Buffer;
  /** Parsed JSON body, or undefined when the body is not JSON. */
  readonly json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** fetch and read the whole body (as bytes, text and JSON when it parses). */
export async function request(url: string, init: RequestInit = {}): Promise<Res> {
  const r = await fetch(url, init);
  const raw = Buffer.from(await r.arrayBuffer());
  const text = raw.toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: r.status, headers: r.headers, text, raw, json };
}

export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Res> {
  return request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

/** Assert the runtime's error body shape: `{ error, code, field? }`. */
export function expectError(res: Res, status: number, code: string, field?: string | RegExp): void {
  if (res.status !== status || res.json?.code !== code) {
    throw new Error(`expected ${status} ${code}, got ${res.status} ${res.text.slice(0, 500)}`);
  }
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  expect(typeof res.json.error).toBe('string');
  expect(res.json.error.length).toBeGreaterThan(0);
  if (field !== undefined) {
    if (typeof field === 'string') expect(res.json.field).toBe(field);
    else expect(res.json.field).toMatch(field);
  }
}

// ------------------------------------------------------------------------------------------
// Binary tensor extension

/** Body = JSON header + blobs; returns the body and the JSON header length. */
export function binaryBody(header: unknown, blobs: readonly Buffer[]): { body: Buffer; headerLength: number } {
  const head = Buffer.from(JSON.stringify(header), 'utf8');
  return { body: Buffer.concat([head, ...blobs]), headerLength: head.length };
}

export interface BinaryResponse {
  readonly header: { model_name: string; model_version?: string; id?: string; outputs: { name: string; datatype: string; shape: number[]; data?: unknown[]; parameters?: { binary_data_size?: number } }[] };
  /** Output name → its raw bytes (binary outputs only). */
  readonly blobs: Record<string, Buffer>;
}

/** Split a binary response by its header length and each output's binary_data_size. */
export function parseBinaryResponse(raw: Buffer, headerLength: number): BinaryResponse {
  const header = JSON.parse(raw.subarray(0, headerLength).toString('utf8')) as BinaryResponse['header'];
  const blobs: Record<string, Buffer> = {};
  let off = headerLength;
  for (const o of header.outputs) {
    const n = o.parameters?.binary_data_size;
    if (n === undefined) continue;
    blobs[o.name] = raw.subarray(off, off + n);
    off += n;
  }
  if (off !== raw.length) throw new Error(`binary response has ${raw.length} bytes, outputs claim ${off}`);
  return { header, blobs };
}

/** Triton's BYTES serialisation: each element as 4-byte LE length + bytes. */
export function encodeBytes(values: readonly string[]): Buffer {
  return Buffer.concat(
    values.flatMap((v) => {
      const b = Buffer.from(v, 'utf8');
      const len = Buffer.alloc(4);
      len.writeUInt32LE(b.length, 0);
      return [len, b];
    }),
  );
}

export function decodeBytes(b: Buffer): string[] {
  const out: string[] = [];
  let off = 0;
  while (off < b.length) {
    const n = b.readUInt32LE(off);
    out.push(b.subarray(off + 4, off + 4 + n).toString('utf8'));
    off += 4 + n;
  }
  return out;
}

// ------------------------------------------------------------------------------------------
// Data

/** Rows of examples/data/breast_cancer.csv: 30 features and the class (0 malignant, 1 benign). */
export function breastCancerRows(): { features: number[]; label: number }[] {
  const lines = fs.readFileSync(path.join(ROOT, 'examples/data/breast_cancer.csv'), 'utf8').split(/\r?\n/).filter(Boolean);
  // First line is the sklearn-style header: "<rows>,<features>,<class names...>".
  return lines.slice(1).map((l) => {
    const cells = l.split(',').map(Number);
    return { features: cells.slice(0, 30), label: cells[30] };
  });
}

/** A free TCP port on loopback (for child processes that need a fixed --port). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Poll until fn returns true or the timeout passes. */
export async function waitFor(fn: () => Promise<boolean> | boolean, timeoutMs: number, stepMs = 50): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    try {
      if (await fn()) return true;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return false;
}

export { mulberry32 } from '../../lib/core/random';

/** Run tasks with at most `limit` in flight. */
export async function pool<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      await fn(items[i], i);
    }
  });
  await Promise.all(runners);
}

// ------------------------------------------------------------------------------------------
// Prometheus text format

export interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

/** Parse the Prometheus exposition text into samples (comments dropped). */
export function parseMetrics(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    if (m[3]) for (const l of m[3].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    out.push({ name: m[1], labels, value: Number(m[4]) });
  }
  return out;
}

export async function scrape(url: string): Promise<Sample[]> {
  const r = await fetch(`${url}/metrics`);
  return parseMetrics(await r.text());
}

/** Sum of the samples of a metric whose labels include `match`. */
export function metricSum(samples: readonly Sample[], name: string, match: Record<string, string> = {}): number {
  return samples.filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v)).reduce((a, s) => a + s.value, 0);
}

/** A float32 binary OIP request for a single-input model. */
export function float32Request(name: string, rows: number, cols: number, fill: (i: number) => number): { body: Buffer; headers: Record<string, string> } {
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = fill(i);
  const blob = Buffer.from(data.buffer);
  const head = Buffer.from(JSON.stringify({ inputs: [{ name, datatype: 'FP32', shape: [rows, cols], parameters: { binary_data_size: blob.length } }], outputs: [{ name: 'output', parameters: { binary_data: true } }] }));
  return { body: Buffer.concat([head, blob]), headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(head.length) } };
}
