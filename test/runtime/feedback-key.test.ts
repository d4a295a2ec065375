/**
 * The prediction-token key and the token itself: sources in order (value, mounted file, AWS Secrets
 * Manager through the real SDK client against a loopback fake of its JSON protocol), constant-time
 * verification, tampering, expiry, rotation, and the bounded dedup set.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { resolveFeedbackKeys } from '../../lib/runtime/feedback-key';
import { isProblem, SeenTokens, signToken, TokenClaims, verifyToken } from '../../lib/runtime/feedback-token';
import { loadConfig } from '../../lib/runtime/config';
import { breastCancerPackage, KEY } from './feedback-fixtures';
import { request, startServer } from './helpers';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:servingstack/feedback-AbCdEf';

/** A loopback Secrets Manager: JSON 1.1 protocol, `X-Amz-Target: secretsmanager.GetSecretValue`. */
async function fakeSecretsManager(secrets: Record<string, string>): Promise<{ url: string; calls: { target: string; body: Record<string, unknown>; auth: string; host: string }[]; close(): Promise<void> }> {
  const calls: { target: string; body: Record<string, unknown>; auth: string; host: string }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      calls.push({ target: String(req.headers['x-amz-target']), body, auth: String(req.headers.authorization), host: String(req.headers.host) });
      const value = secrets[String(body.SecretId)];
      res.setHeader('content-type', 'application/x-amz-json-1.1');
      if (req.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue' || value === undefined) {
        res.statusCode = 400;
        res.end(JSON.stringify({ __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." }));
        return;
      }
      res.end(JSON.stringify({ ARN: body.SecretId, Name: 'servingstack/feedback', SecretString: value, VersionId: 'v1', VersionStages: ['AWSCURRENT'], CreatedDate: 1.7e9 }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls, close: () => new Promise((r) => server.close(() => r())) };
}

describe('feedback key sources', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  test('the raw value first, then the file (first key signs, all verify), then the secret ARN', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ss-key-')), 'key');
    fs.writeFileSync(file, `${'n'.repeat(40)}\n${'o'.repeat(40)}\n`);
    expect((await resolveFeedbackKeys({ feedbackKey: KEY, feedbackKeyFile: file, feedbackKeySecretArn: ARN }))!.map(String)).toEqual([KEY]);
    expect((await resolveFeedbackKeys({ feedbackKeyFile: file, feedbackKeySecretArn: ARN }))!.map(String)).toEqual(['n'.repeat(40), 'o'.repeat(40)]);
    expect(await resolveFeedbackKeys({})).toBeUndefined();
    fs.writeFileSync(file, 'short\n');
    await expect(resolveFeedbackKeys({ feedbackKeyFile: file })).rejects.toMatchObject({ code: 'RT_ERR_FEEDBACK_KEY', details: { field: 'SERVINGSTACK_FEEDBACK_KEY_FILE' } });
    await expect(resolveFeedbackKeys({ feedbackKeyFile: `${file}.missing` })).rejects.toThrow(/cannot be read \(ENOENT\)/);
  });

  test('config refuses a short raw key and a malformed ARN, naming the variable', () => {
    expect(() => loadConfig({ SERVINGSTACK_FEEDBACK_KEY: 'short', SERVINGSTACK_FEEDBACK_KEY_SECRET_ARN: 'arn:nope' }, { modelDir: '/tmp' })).toThrow(
      /SERVINGSTACK_FEEDBACK_KEY[\s\S]*shorter than 32 bytes[\s\S]*SERVINGSTACK_FEEDBACK_KEY_SECRET_ARN/,
    );
    expect(loadConfig({ SERVINGSTACK_FEEDBACK_KEY_SECRET_ARN: ARN }, { modelDir: '/tmp' }).feedbackTokenTtlSeconds).toBe(86_400);
  });

  test('AWS Secrets Manager: the real client, the default credential chain, the ARN region, GetSecretValue on a loopback fake', async () => {
    const fake = await fakeSecretsManager({ [ARN]: KEY });
    try {
      Object.assign(process.env, { AWS_ENDPOINT_URL_SECRETS_MANAGER: fake.url, AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true' });
      const keys = await resolveFeedbackKeys({ feedbackKeySecretArn: ARN });
      expect(keys!.map(String)).toEqual([KEY]);
      expect(fake.calls).toHaveLength(1);
      expect(fake.calls[0].target).toBe('secretsmanager.GetSecretValue');
      expect(fake.calls[0].body).toEqual({ SecretId: ARN });
      // SigV4 with the chain's credentials, scoped to the ARN's region (not AWS_REGION).
      expect(fake.calls[0].auth).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/secretsmanager\/aws4_request/);
      const missing = ARN.replace('AbCdEf', 'Zzzzzz');
      await expect(resolveFeedbackKeys({ feedbackKeySecretArn: missing })).rejects.toThrow(/could not be read: ResourceNotFoundException/);
    } finally {
      await fake.close();
    }
  });

  test('Google Secret Manager: the metadata server token, versions/*:access over REST on loopback fakes', async () => {
    const name = 'projects/my-project/secrets/servingstack-feedback/versions/latest';
    const calls: { path: string; auth?: string; flavor?: string }[] = [];
    const server = http.createServer((req, res) => {
      calls.push({ path: String(req.url), auth: req.headers.authorization, flavor: req.headers['metadata-flavor'] as string | undefined });
      res.setHeader('content-type', 'application/json');
      if (req.url === '/computeMetadata/v1/instance/service-accounts/default/token' && req.headers['metadata-flavor'] === 'Google') {
        res.end(JSON.stringify({ access_token: 'ya29.test', expires_in: 3599, token_type: 'Bearer' }));
      } else if (req.url === `/v1/${name}:access` && req.headers.authorization === 'Bearer ya29.test') {
        res.end(JSON.stringify({ name: name.replace('latest', '3'), payload: { data: Buffer.from(KEY).toString('base64'), dataCrc32c: '1' } }));
      } else {
        res.statusCode = 403;
        res.end(JSON.stringify({ error: { code: 403, status: 'PERMISSION_DENIED', message: "Permission 'secretmanager.versions.access' denied" } }));
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const env = { GCE_METADATA_HOST: url, CLOUDSDK_API_ENDPOINT_OVERRIDES_SECRETMANAGER: `${url}/` };
    try {
      expect((await resolveFeedbackKeys({ feedbackKeyGcpSecret: name }, env))!.map(String)).toEqual([KEY]);
      expect(calls.map((c) => c.path)).toEqual(['/computeMetadata/v1/instance/service-accounts/default/token', `/v1/${name}:access`]);
      await expect(resolveFeedbackKeys({ feedbackKeyGcpSecret: name.replace('servingstack-feedback', 'other') }, env)).rejects.toMatchObject({
        code: 'RT_ERR_FEEDBACK_KEY',
        message: expect.stringMatching(/SERVINGSTACK_FEEDBACK_KEY_GCP_SECRET could not be read: 403 PERMISSION_DENIED/),
      });
      // The whole runtime: the key from Secret Manager turns tokens on.
      Object.assign(process.env, env);
      const dir = breastCancerPackage();
      const s = await startServer({ modelDir: dir }, { env: { SERVINGSTACK_FEEDBACK_KEY_GCP_SECRET: name } });
      try {
        expect(s.logs.find((r) => r.msg === 'prediction tokens on')).toBeDefined();
        expect((await request(`${s.url}/ping`)).status).toBe(200);
      } finally {
        await s.close();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    } finally {
      await new Promise((r) => server.close(r));
    }
    expect(() => loadConfig({ SERVINGSTACK_FEEDBACK_KEY_GCP_SECRET: 'projects/p/secrets/s' }, { modelDir: '/tmp' })).toThrow(/SERVINGSTACK_FEEDBACK_KEY_GCP_SECRET[\s\S]*versions/);
  });

  test('a key that cannot be read at start keeps the runtime up and not ready, with the cause logged', async () => {
    const dir = breastCancerPackage();
    const s = await startServer({ modelDir: dir }, { env: { SERVINGSTACK_FEEDBACK_KEY_FILE: path.join(dir, 'no-such-key') } });
    try {
      expect((await request(`${s.url}/ping`)).status).toBe(503);
      expect((await request(`${s.url}/v2/health/live`)).status).toBe(200);
      expect(s.logs.find((r) => r.msg === 'the feedback key could not be read: the runtime stays up and not ready')).toMatchObject({ err: expect.stringMatching(/ENOENT/) });
    } finally {
      await s.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('prediction tokens', () => {
  const key = Buffer.from(KEY);
  const claims = { model: 'm', version: '2', predictions: ['1', '0', '1'], groups: ['a', 'b', 'a'] };

  test('round trip; groups of one value are sent once', () => {
    const t = signToken(key, claims, 60);
    const v = verifyToken([key], t) as TokenClaims;
    expect(isProblem(v)).toBe(false);
    expect(v).toMatchObject(claims);
    expect(v.expiresAt - v.issuedAt).toBe(60);
    const same = verifyToken([key], signToken(key, { ...claims, groups: ['a', 'a', 'a'] }, 60)) as TokenClaims;
    expect(same.groups).toEqual(['a', 'a', 'a']);
    expect(signToken(key, claims, 60)).not.toBe(t); // a fresh id each time
  });

  test('any changed byte, another key, a wrong shape or a late token is refused', () => {
    const t = signToken(key, claims, 60);
    const [p, payload, sig] = t.split('.');
    for (let i = 0; i < payload.length; i += 7) {
      const c = payload[i] === 'A' ? 'B' : 'A';
      const v = verifyToken([key], `${p}.${payload.slice(0, i)}${c}${payload.slice(i + 1)}.${sig}`);
      expect(isProblem(v) && v.kind).toBe('tampered');
    }
    expect(verifyToken([Buffer.from('x'.repeat(40))], t)).toMatchObject({ kind: 'tampered' });
    expect(verifyToken([key], `${p}.${payload}.${sig}x`)).toMatchObject({ kind: 'tampered' });
    expect(verifyToken([key], `ss2.${payload}.${sig}`)).toMatchObject({ kind: 'malformed' });
    expect(verifyToken([key], 'a.b')).toMatchObject({ kind: 'malformed' });
    expect(verifyToken([key], t, Date.now() + 61_000)).toMatchObject({ kind: 'expired', claims: expect.objectContaining({ model: 'm' }) });
  });

  test('rotation: a token of the old key verifies while both keys are configured', () => {
    const old = Buffer.from('o'.repeat(40));
    const t = signToken(old, claims, 60);
    expect(isProblem(verifyToken([key, old], t))).toBe(false);
    expect(verifyToken([key], t)).toMatchObject({ kind: 'tampered' });
  });

  test('the dedup set is bounded and forgets ids whose token expired', () => {
    const seen = new SeenTokens(3);
    const now = 1_000_000;
    expect(seen.add('a', now + 10, now)).toBe(true);
    expect(seen.add('a', now + 10, now)).toBe(false);
    seen.add('b', now + 10, now);
    seen.add('c', now + 10, now);
    seen.add('d', now + 10, now);
    expect(seen.size).toBe(3);
    expect(seen.has('a', now)).toBe(false); // oldest forgotten
    expect(seen.has('d', now)).toBe(true);
    expect(seen.has('d', now + 11)).toBe(false); // expired
    seen.add('e', now + 100, now + 20);
    expect(seen.size).toBeLessThanOrEqual(3);
  });
});
