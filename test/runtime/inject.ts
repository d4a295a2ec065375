/**
 * A runtime for socket-free tests: `app.inject()` round trips against the real HTTP layer and
 * data plane, with the in-process FakePool instead of ONNX Runtime workers (packages are still
 * read and checked for real).
 */
import type { LightMyRequestResponse } from 'fastify';
import { createRuntime, Runtime } from '../../lib/runtime/app';
import { ConfigOverrides, loadConfig } from '../../lib/runtime/config';
import { FakePool } from './fake-pool';
import { LogSink } from './helpers';

export interface Injected {
  readonly runtime: Runtime;
  readonly pool: FakePool;
  readonly logs: LogSink;
  close(): Promise<void>;
}

export async function injectRuntime(overrides: ConfigOverrides, env: Record<string, string | undefined> = {}, opts: { load?: boolean } = {}): Promise<Injected> {
  const logs = new LogSink();
  const config = loadConfig(env, { workers: 1, logLevel: 'info', ...overrides });
  let pool: FakePool | undefined;
  const runtime = createRuntime(config, {
    logDestination: logs,
    createPool: (size, events) => (pool = new FakePool(size, events)),
  });
  if (opts.load ?? true) await runtime.loadStartupModels();
  return { runtime, pool: pool!, logs, close: () => runtime.shutdown() };
}

/** The JSON body of an inject() response (undefined when it is not JSON). */
export function json(res: LightMyRequestResponse): any { // eslint-disable-line @typescript-eslint/no-explicit-any
  try {
    return JSON.parse(res.body);
  } catch {
    return undefined;
  }
}

/** Assert the runtime's error body: status, code and (optionally) field. */
export function expectErrorBody(res: LightMyRequestResponse, status: number, code: string, field?: string): void {
  const body = json(res);
  if (res.statusCode !== status || body?.code !== code) throw new Error(`expected ${status} ${code}, got ${res.statusCode} ${res.body.slice(0, 400)}`);
  expect(res.headers['content-type']).toMatch(/application\/json/);
  expect(typeof body.error).toBe('string');
  if (field !== undefined) expect(body.field).toBe(field);
}

export const TINY_ROW = { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }] };
