/**
 * Token authentication (for platforms that do not authenticate in front of the runtime):
 * inference and admin tokens, Bearer or x-api-key, health routes open, 401 bodies from the error
 * catalogue, tokens read from a file that is re-read when it changes (secret rotation), and the
 * configuration checked at start.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import pino from 'pino';
import { TokenSet } from '../../lib/runtime/auth';
import { ServingStackError } from '../../lib/core/errors';
import { loadConfig } from '../../lib/runtime/config';
import { MODELS, waitFor } from './helpers';
import { expectErrorBody, injectRuntime, Injected, json, TINY_ROW } from './inject';

const INFERENCE = 'inference-token-0123456789abcdef';
const ADMIN = 'admin-token-fedcba9876543210fedcba';

type Method = 'GET' | 'POST';
const call = (t: Injected, method: Method, url: string, headers: Record<string, string> = {}, payload?: unknown): Promise<LightMyRequestResponse> =>
  t.runtime.app.inject({ method, url, headers: { 'content-type': 'application/json', ...headers }, ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }) });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

function expectUnauthorized(r: LightMyRequestResponse): void {
  expectErrorBody(r, 401, 'RT_ERR_UNAUTHORIZED');
  expect(r.headers['www-authenticate']).toBe('Bearer realm="servingstack"');
  expect(r.body).not.toContain(INFERENCE); // a token is never echoed
  expect(r.body).not.toContain(ADMIN);
}

describe('an inference token only (SERVINGSTACK_AUTH_TOKEN)', () => {
  let t: Injected;
  beforeAll(async () => {
    t = await injectRuntime({ modelDir: MODELS.tiny }, { SERVINGSTACK_AUTH_TOKEN: INFERENCE });
  });
  afterAll(() => t?.close());

  test.each(['/v2/health/live', '/v2/health/ready', '/ping', '/', '/ready'])('health route %s stays open', async (url) => {
    expect((await call(t, 'GET', url)).statusCode).toBe(200);
  });

  test('inference without a token → 401 naming Authorization; with it (Bearer or x-api-key) → 200', async () => {
    const row = TINY_ROW;
    const none = await call(t, 'POST', '/v2/models/tiny/infer', {}, row);
    expectUnauthorized(none);
    expect(json(none)).toMatchObject({ field: 'Authorization', received: 'no token' });
    expect((await call(t, 'POST', '/v2/models/tiny/infer', bearer(INFERENCE), row)).statusCode).toBe(200);
    expect((await call(t, 'POST', '/v2/models/tiny/infer', { 'x-api-key': INFERENCE }, row)).statusCode).toBe(200);
    expect((await call(t, 'POST', '/invocations', { authorization: `bearer   ${INFERENCE}` }, { instances: [[1, 2, 3, 4]] })).statusCode).toBe(200);
  });

  test('a wrong token → 401, the token not echoed', async () => {
    const wrong = await call(t, 'POST', '/v2/models/tiny/infer', bearer(`${INFERENCE}x`), TINY_ROW);
    expectUnauthorized(wrong);
    expect(json(wrong)).toMatchObject({ field: 'Authorization', received: '(a token, not shown)' });
    expectUnauthorized(await call(t, 'GET', '/v2/models/tiny', { 'x-api-key': 'short' }));
    expectUnauthorized(await call(t, 'GET', '/v2/models/tiny', { authorization: `Basic ${INFERENCE}` }));
  });

  test.each([
    ['GET', '/v2'],
    ['GET', '/v2/models'],
    ['GET', '/v2/models/tiny'],
    ['GET', '/v2/models/tiny/ready'],
    ['GET', '/execution-parameters'],
    ['POST', '/score'],
  ] as [Method, string][])('%s %s needs the inference token', async (method, url) => {
    expectUnauthorized(await call(t, method, url, {}, method === 'POST' ? { data: [[1, 2, 3, 4]] } : undefined));
    expect((await call(t, method, url, bearer(INFERENCE), method === 'POST' ? { data: [[1, 2, 3, 4]] } : undefined)).statusCode).toBeLessThan(300);
  });

  test('without an admin token, admin routes (metrics, feedback) take the inference token', async () => {
    expectUnauthorized(await call(t, 'GET', '/metrics'));
    expect((await call(t, 'GET', '/metrics', bearer(INFERENCE))).statusCode).toBe(200);
    expectUnauthorized(await call(t, 'POST', '/feedback', {}, { id: 'x', labels: [1] }));
  });

  test('unknown routes are 404 with or without a token (nothing behind them to protect)', async () => {
    expectErrorBody(await call(t, 'GET', '/v3/nothing'), 404, 'RT_ERR_ROUTE_NOT_FOUND');
  });
});

describe('separate inference and admin tokens', () => {
  let t: Injected;
  let root: string;
  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-auth-mme-'));
    fs.cpSync(MODELS.tiny, path.join(root, 'tiny'), { recursive: true });
    t = await injectRuntime({ multiModel: true, modelRoot: root }, { SERVINGSTACK_AUTH_TOKEN: INFERENCE, SERVINGSTACK_ADMIN_TOKEN: ADMIN });
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test.each([
    ['POST', '/models', { model_name: 'tiny', url: 'tiny' }],
    ['POST', '/v2/repository/index', {}],
    ['POST', '/v2/repository/models/tiny/load', {}],
    ['GET', '/metrics', undefined],
  ] as [Method, string, unknown][])('%s %s: the inference token is refused, the admin token accepted', async (method, url, payload) => {
    expectUnauthorized(await call(t, method, url, bearer(INFERENCE), payload));
    expectUnauthorized(await call(t, method, url, {}, payload));
    const ok = await call(t, method, url, { 'x-api-key': ADMIN }, payload);
    expect([200, 409]).toContain(ok.statusCode); // 409: tiny was loaded by an earlier row
  });

  test('inference routes take the inference token, not the admin one', async () => {
    const load = await call(t, 'POST', '/v2/repository/models/tiny/load', bearer(ADMIN));
    expect([200, 409]).toContain(load.statusCode);
    expectUnauthorized(await call(t, 'POST', '/models/tiny/invoke', bearer(ADMIN), { instances: [[1, 2, 3, 4]] }));
    const ok = await call(t, 'POST', '/models/tiny/invoke', bearer(INFERENCE), { instances: [[1, 2, 3, 4]] });
    expect(json(ok)).toEqual({ predictions: [[3, 5, 7, 9]] });
    expect((await call(t, 'GET', '/ping')).statusCode).toBe(200);
  });
});

describe('tokens from a file (a mounted Kubernetes secret)', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-token-'));
    file = path.join(dir, 'token');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('GIVEN the secret is rotated THEN the new token is accepted within seconds and the old one refused; two lines overlap', async () => {
    fs.writeFileSync(file, `${INFERENCE}\n`);
    const t = await injectRuntime({ modelDir: MODELS.tiny }, { SERVINGSTACK_AUTH_TOKEN_FILE: file });
    try {
      const infer = (token: string) => call(t, 'POST', '/v2/models/tiny/infer', bearer(token), TINY_ROW);
      expect((await infer(INFERENCE)).statusCode).toBe(200);
      const next = 'rotated-token-aaaaaaaaaaaaaaaaaaaa';
      // Kubernetes swaps the secret's directory atomically; a rename does the same to the file.
      fs.writeFileSync(`${file}.new`, `${INFERENCE}\n${next}\n`);
      fs.renameSync(`${file}.new`, file);
      expect(await waitFor(async () => (await infer(next)).statusCode === 200, 5000, 100)).toBe(true);
      expect((await infer(INFERENCE)).statusCode).toBe(200); // both during the overlap
      fs.writeFileSync(`${file}.new`, `${next}\n`);
      fs.renameSync(`${file}.new`, file);
      expect(await waitFor(async () => (await infer(INFERENCE)).statusCode === 401, 5000, 100)).toBe(true);
      expect((await infer(next)).statusCode).toBe(200);
      // A broken rewrite keeps the tokens read before; an empty file refuses everyone.
      fs.writeFileSync(`${file}.new`, 'short\n');
      fs.renameSync(`${file}.new`, file);
      expect(await waitFor(() => t.logs.find((l) => l.msg === 'token file invalid; keeping the tokens read before') !== undefined, 5000, 100)).toBe(true);
      expect((await infer(next)).statusCode).toBe(200);
      fs.writeFileSync(`${file}.new`, '\n');
      fs.renameSync(`${file}.new`, file);
      expect(await waitFor(async () => (await infer(next)).statusCode === 401, 5000, 100)).toBe(true);
      expect((await call(t, 'GET', '/v2/health/ready')).statusCode).toBe(200);
    } finally {
      await t.close();
    }
  });

  test('TokenSet compares every accepted token and accepts only exact matches', () => {
    fs.writeFileSync(file, `${INFERENCE}\n\n${ADMIN}\n`);
    const set = TokenSet.fromFile(file, pino({ level: 'silent' }));
    try {
      expect(set.size).toBe(2);
      expect(set.accepts(INFERENCE)).toBe(true);
      expect(set.accepts(ADMIN)).toBe(true);
      expect(set.accepts(INFERENCE.slice(0, -1))).toBe(false);
      expect(set.accepts(`${INFERENCE} `)).toBe(false);
      expect(set.accepts('')).toBe(false);
    } finally {
      set.close();
    }
  });
});

describe('token configuration is checked at start', () => {
  const configError = (env: Record<string, string>): ServingStackError => {
    try {
      loadConfig({ SERVINGSTACK_MODEL_DIR: MODELS.tiny, ...env });
    } catch (e) {
      return e as ServingStackError;
    }
    throw new Error('accepted');
  };

  test.each([
    ['a token shorter than 16 characters', { SERVINGSTACK_AUTH_TOKEN: 'short' }, 'SERVINGSTACK_AUTH_TOKEN'],
    ['a token with a space', { SERVINGSTACK_ADMIN_TOKEN: 'has a space inside it!!' }, 'SERVINGSTACK_ADMIN_TOKEN'],
    ['a token file that does not exist', { SERVINGSTACK_AUTH_TOKEN_FILE: '/nonexistent/token' }, 'SERVINGSTACK_AUTH_TOKEN_FILE'],
    ['both a token and a token file', { SERVINGSTACK_AUTH_TOKEN: INFERENCE, SERVINGSTACK_AUTH_TOKEN_FILE: '/etc/hostname' }, 'SERVINGSTACK_AUTH_TOKEN_FILE'],
  ])('%s → RT_ERR_CONFIG naming the variable, never the token', (_what, env, field) => {
    const e = configError(env as Record<string, string>);
    expect(e.code).toBe('RT_ERR_CONFIG');
    expect(e.issues.map((i) => i.field)).toContain(field);
    expect(e.message).not.toContain('has a space inside it');
  });
});
