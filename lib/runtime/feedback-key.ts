/**
 * The HMAC key of prediction tokens, read once at start from the first source set:
 * 1. SERVINGSTACK_FEEDBACK_KEY — the raw value;
 * 2. SERVINGSTACK_FEEDBACK_KEY_FILE — a mounted secret (Kubernetes, Azure Key Vault CSI): one key
 *    per line, the first signs and all verify (rotation: add the new key second, roll, swap);
 * 3. SERVINGSTACK_FEEDBACK_KEY_SECRET_ARN — AWS Secrets Manager (GetSecretValue with the default
 *    credential chain, in the ARN's region; endpoint overridable with AWS_ENDPOINT_URL_SECRETS_MANAGER).
 * Keys are at least 32 bytes (256 bits, HMAC-SHA256's block strength).
 */
import * as fs from 'node:fs';
import { rtError } from './errors';

export const MIN_KEY_BYTES = 32;

export interface FeedbackKeySource {
  readonly feedbackKey?: string;
  readonly feedbackKeyFile?: string;
  readonly feedbackKeySecretArn?: string;
}

/** `arn:aws:secretsmanager:<region>:<account>:secret:<name>` */
export const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):\d{12}:secret:.+$/;

function checked(keys: string[], source: string): Buffer[] {
  const out = keys.map((k) => k.trim()).filter((k) => k.length > 0);
  if (out.length === 0) throw rtError('RT_ERR_FEEDBACK_KEY', `${source} holds no key`, { field: source, allowed: `a secret of at least ${MIN_KEY_BYTES} bytes` });
  for (const k of out) {
    if (Buffer.byteLength(k, 'utf8') < MIN_KEY_BYTES) throw rtError('RT_ERR_FEEDBACK_KEY', `${source} holds a key shorter than ${MIN_KEY_BYTES} bytes`, { field: source, received: `(${k.length} characters, not shown)`, allowed: `at least ${MIN_KEY_BYTES} bytes, e.g. openssl rand -base64 48` });
  }
  return out.map((k) => Buffer.from(k, 'utf8'));
}

/** The keys (first signs), or undefined when no source is set. Throws RT_ERR_FEEDBACK_KEY naming the source. */
export async function resolveFeedbackKeys(s: FeedbackKeySource): Promise<Buffer[] | undefined> {
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
  return undefined;
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
