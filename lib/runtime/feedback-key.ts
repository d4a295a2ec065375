/**
 * The HMAC key of prediction tokens, read once at start from the first source set:
 * 1. SERVINGSTACK_FEEDBACK_KEY — the raw value;
 * 2. SERVINGSTACK_FEEDBACK_KEY_FILE — a mounted secret (Kubernetes, Azure Key Vault CSI): one key
 *    per line, the first signs and all verify (rotation: add the new key second, roll, swap);
 * 3. SERVINGSTACK_FEEDBACK_KEY_SECRET_ARN — AWS Secrets Manager (GetSecretValue with the default
 *    credential chain, in the ARN's region; endpoint overridable with AWS_ENDPOINT_URL_SECRETS_MANAGER);
 * 4. SERVINGSTACK_FEEDBACK_KEY_GCP_SECRET — Google Secret Manager (`versions/*:access` over REST with
 *    the service account's token from the metadata server, as storage.ts reads Cloud Storage: no
 *    client library in the image; endpoint overridable with CLOUDSDK_API_ENDPOINT_OVERRIDES_SECRETMANAGER).
 * Keys are at least 32 bytes (256 bits, HMAC-SHA256's block strength).
 */
import * as fs from 'node:fs';
import { rtError } from './errors';
import { metadataToken } from './storage';

export const MIN_KEY_BYTES = 32;

export interface FeedbackKeySource {
  readonly feedbackKey?: string;
  readonly feedbackKeyFile?: string;
  readonly feedbackKeySecretArn?: string;
  readonly feedbackKeyGcpSecret?: string;
}

/** Where the runtime looks for Google's endpoints (the variables Google's own tools read). */
export interface GcpSecretEnv {
  readonly GCE_METADATA_HOST?: string;
  readonly CLOUDSDK_API_ENDPOINT_OVERRIDES_SECRETMANAGER?: string;
}

/** `arn:aws:secretsmanager:<region>:<account>:secret:<name>` */
export const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):\d{12}:secret:.+$/;

/** `projects/<project>/secrets/<secret>/versions/<version|latest>` */
export const GCP_SECRET_VERSION = /^projects\/[^/\s]+\/secrets\/[A-Za-z0-9_-]{1,255}\/versions\/(?:latest|\d+)$/;

function checked(keys: string[], source: string): Buffer[] {
  const out = keys.map((k) => k.trim()).filter((k) => k.length > 0);
  if (out.length === 0) throw rtError('RT_ERR_FEEDBACK_KEY', `${source} holds no key`, { field: source, allowed: `a secret of at least ${MIN_KEY_BYTES} bytes` });
  for (const k of out) {
    if (Buffer.byteLength(k, 'utf8') < MIN_KEY_BYTES) throw rtError('RT_ERR_FEEDBACK_KEY', `${source} holds a key shorter than ${MIN_KEY_BYTES} bytes`, { field: source, received: `(${k.length} characters, not shown)`, allowed: `at least ${MIN_KEY_BYTES} bytes, e.g. openssl rand -base64 48` });
  }
  return out.map((k) => Buffer.from(k, 'utf8'));
}

/** The keys (first signs), or undefined when no source is set. Throws RT_ERR_FEEDBACK_KEY naming the source. */
export async function resolveFeedbackKeys(s: FeedbackKeySource, env: GcpSecretEnv = process.env): Promise<Buffer[] | undefined> {
  if (s.feedbackKey) return checked([s.feedbackKey], 'SERVINGSTACK_FEEDBACK_KEY');
  if (s.feedbackKeyFile) {
    let text: string;
    try {
      text = fs.readFileSync(s.feedbackKeyFile, 'utf8');
    } catch (e) {
      throw rtError('RT_ERR_FEEDBACK_KEY', `SERVINGSTACK_FEEDBACK_KEY_FILE cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { field: 'SERVINGSTACK_FEEDBACK_KEY_FILE', received: s.feedbackKeyFile, allowed: 'a readable file, one key per line' });
    }
    return checked(text.split(/\r?\n/), 'SERVINGSTACK_FEEDBACK_KEY_FILE');
  }
  if (s.feedbackKeySecretArn) return checked([await secretsManagerValue(s.feedbackKeySecretArn)], 'SERVINGSTACK_FEEDBACK_KEY_SECRET_ARN');
  if (s.feedbackKeyGcpSecret) return checked([await gcpSecretValue(s.feedbackKeyGcpSecret, env)], 'SERVINGSTACK_FEEDBACK_KEY_GCP_SECRET');
  return undefined;
}

async function gcpSecretValue(name: string, env: GcpSecretEnv): Promise<string> {
  const field = 'SERVINGSTACK_FEEDBACK_KEY_GCP_SECRET';
  const fail = (why: string): never => {
    throw rtError('RT_ERR_FEEDBACK_KEY', `${field} could not be read: ${why}`, {
      field,
      received: name,
      allowed: 'a secret version the runtime service account may access (roles/secretmanager.secretAccessor on the secret)',
    });
  };
  if (!GCP_SECRET_VERSION.test(name)) {
    throw rtError('RT_ERR_FEEDBACK_KEY', `${field} is not a Secret Manager secret version name`, { field, received: name, allowed: 'projects/<project>/secrets/<secret>/versions/<version or latest>' });
  }
  const token = await metadataToken(env);
  if (token === undefined) return fail('no service-account token from the metadata server');
  const endpoint = (env.CLOUDSDK_API_ENDPOINT_OVERRIDES_SECRETMANAGER ?? 'https://secretmanager.googleapis.com/').replace(/\/+$/, '');
  let res: Response;
  try {
    res = await fetch(`${endpoint}/v1/${name}:access`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) });
  } catch (e) {
    return fail(`${(e as Error).name}: ${(e as Error).message}`);
  }
  const body = (await res.json().catch(() => ({}))) as { payload?: { data?: string }; error?: { status?: string; message?: string } };
  if (!res.ok) return fail(`${res.status} ${body.error?.status ?? ''} ${body.error?.message ?? ''}`.trim());
  const data = body.payload?.data;
  if (typeof data !== 'string') return fail('the answer holds no payload.data');
  return Buffer.from(data, 'base64').toString('utf8');
}

async function secretsManagerValue(arn: string): Promise<string> {
  const m = SECRET_ARN.exec(arn);
  if (!m) throw rtError('RT_ERR_FEEDBACK_KEY', 'SERVINGSTACK_FEEDBACK_KEY_SECRET_ARN is not a Secrets Manager secret ARN', { field: 'SERVINGSTACK_FEEDBACK_KEY_SECRET_ARN', received: arn, allowed: 'arn:aws:secretsmanager:<region>:<account>:secret:<name>' });
  // Loaded only when used: other targets never load the AWS SDK.
  const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  const client = new SecretsManagerClient({ region: m[1], maxAttempts: 3 });
  try {
    const out = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    const value = out.SecretString ?? (out.SecretBinary ? Buffer.from(out.SecretBinary).toString('utf8') : undefined);
    if (value === undefined) throw new Error('the secret has no value');
    return value;
  } catch (e) {
    if ((e as { code?: string }).code === 'RT_ERR_FEEDBACK_KEY') throw e;
    throw rtError('RT_ERR_FEEDBACK_KEY', `SERVINGSTACK_FEEDBACK_KEY_SECRET_ARN could not be read: ${(e as Error).name}: ${(e as Error).message}`, {
      field: 'SERVINGSTACK_FEEDBACK_KEY_SECRET_ARN',
      received: arn,
      allowed: 'a secret the task role may secretsmanager:GetSecretValue (and kms:Decrypt with its key)',
    });
  } finally {
    client.destroy();
  }
}
