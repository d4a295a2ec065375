/**
 * Signed prediction tokens: what a replica needs to score a late label without having seen the
 * request. Format (docs/runtime.md, "Prediction tokens"):
 *
 *   ss1.<payload>.<signature>
 *
 * `payload` is base64url (no padding) of a JSON object
 *   { "m": model, "v": version, "p": [prediction per row], "g"?: group or [group per row],
 *     "t": issued (Unix seconds), "e": expires (Unix seconds), "i": token id (96 random bits) }
 * and `signature` is base64url of HMAC-SHA256(key, "ss1." + payload). Verification recomputes the
 * signature with every configured key and compares in constant time (crypto.timingSafeEqual).
 */
import { createHmac, randomFillSync, timingSafeEqual } from 'node:crypto';

export const TOKEN_PREFIX = 'ss1';
/** Longest token accepted (a request of ~1000 rows of short classes fits). */
export const MAX_TOKEN_LENGTH = 64 * 1024;

export interface TokenClaims {
  readonly model: string;
  readonly version: string;
  /** Predicted class or value, one per row (as the monitor reads it: strings). */
  readonly predictions: readonly string[];
  /** Group attribute per row, when fairness is on. */
  readonly groups?: readonly string[];
  /** Issued and expiry times, Unix seconds. */
  readonly issuedAt: number;
  readonly expiresAt: number;
  /** Random id: the dedup key for duplicate labels. */
  readonly id: string;
}

export type TokenProblem = { readonly kind: 'malformed' | 'tampered'; readonly detail: string } | { readonly kind: 'expired'; readonly detail: string; readonly claims: TokenClaims };

/**
 * Token ids from a pool of random bytes refilled 4 KiB at a time: `randomBytes(12)` per token cost
 * about 7 µs on the request path (half of signing), a slice of the pool 0.15 µs. Same CSPRNG.
 */
const ID_BYTES = 12;
const idPool = Buffer.alloc(ID_BYTES * 341);
let idOffset = idPool.length;
function tokenId(): string {
  if (idOffset + ID_BYTES > idPool.length) {
    randomFillSync(idPool);
    idOffset = 0;
  }
  const id = idPool.toString('base64url', idOffset, idOffset + ID_BYTES);
  idOffset += ID_BYTES;
  return id;
}

function mac(key: Buffer, signed: string): Buffer {
  return createHmac('sha256', key).update(signed).digest();
}

/** Sign claims with the first key. `ttlSeconds` from now (ms clock `now`). */
export function signToken(key: Buffer, c: Omit<TokenClaims, 'id' | 'issuedAt' | 'expiresAt'>, ttlSeconds: number, now: number = Date.now()): string {
  const t = Math.floor(now / 1000);
  const doc: Record<string, unknown> = { m: c.model, v: c.version, p: c.predictions };
  if (c.groups) doc.g = c.groups.length > 0 && c.groups.every((g) => g === c.groups![0]) ? c.groups[0] : c.groups;
  doc.t = t;
  doc.e = t + ttlSeconds;
  doc.i = tokenId();
  const payload = Buffer.from(JSON.stringify(doc), 'utf8').toString('base64url');
  const signed = `${TOKEN_PREFIX}.${payload}`;
  return `${signed}.${mac(key, signed).toString('base64url')}`;
}

const B64URL = /^[A-Za-z0-9_-]+$/;

/** Verify a token against the keys (any may match: rotation) and read its claims. */
export function verifyToken(keys: readonly Buffer[], token: unknown, now: number = Date.now()): TokenClaims | TokenProblem {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return { kind: 'malformed', detail: `the token is not a string of at most ${MAX_TOKEN_LENGTH} characters` };
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== TOKEN_PREFIX || !B64URL.test(parts[1]) || !B64URL.test(parts[2])) {
    return { kind: 'malformed', detail: `the token is not ${TOKEN_PREFIX}.<payload>.<signature> (base64url)` };
  }
  const sig = Buffer.from(parts[2], 'base64url');
  const signed = `${parts[0]}.${parts[1]}`;
  let ok = false;
  for (const key of keys) {
    const expected = mac(key, signed);
    // Constant time: the lengths are public (32 bytes); compare every key, never stop early.
    if (sig.length === expected.length && timingSafeEqual(sig, expected)) ok = true;
  }
  if (!ok) return { kind: 'tampered', detail: 'the token signature does not match (altered, or signed with another key)' };
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return { kind: 'malformed', detail: 'the token payload is not JSON' };
  }
  const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
  if (typeof doc !== 'object' || doc === null || typeof doc.m !== 'string' || typeof doc.v !== 'string' || !strings(doc.p) || typeof doc.t !== 'number' || typeof doc.e !== 'number' || typeof doc.i !== 'string') {
    return { kind: 'malformed', detail: 'the token payload misses a field' };
  }
  let groups: string[] | undefined;
  if (typeof doc.g === 'string') groups = new Array<string>(doc.p.length).fill(doc.g);
  else if (strings(doc.g) && doc.g.length === doc.p.length) groups = doc.g;
  else if (doc.g !== undefined) return { kind: 'malformed', detail: 'the token groups do not match its rows' };
  const claims: TokenClaims = { model: doc.m, version: doc.v, predictions: doc.p, groups, issuedAt: doc.t, expiresAt: doc.e, id: doc.i };
  if (claims.expiresAt * 1000 < now) {
    return { kind: 'expired', detail: `the token expired at ${new Date(claims.expiresAt * 1000).toISOString()} (labels are accepted for SERVINGSTACK_FEEDBACK_TOKEN_TTL_SECONDS)`, claims };
  }
  return claims;
}

export function isProblem(v: TokenClaims | TokenProblem): v is TokenProblem {
  return 'kind' in v;
}

/**
 * A bounded set of token ids already labelled, each kept until its token expires (after that the
 * token is refused as expired anyway). When full, the oldest id is forgotten: a duplicate of it
 * would then be counted again (the bound is SERVINGSTACK_FEEDBACK_CACHE_SIZE).
 */
export class SeenTokens {
  private readonly ids = new Map<string, number>();

  constructor(private readonly capacity: number) {}

  /** Whether `id` was labelled (and its token has not expired). */
  public has(id: string, now: number = Date.now()): boolean {
    const e = this.ids.get(id);
    return e !== undefined && e >= now;
  }

  /** Remember `id` until `expiresAtMs`; false when it was already there. */
  public add(id: string, expiresAtMs: number, now: number = Date.now()): boolean {
    if (this.has(id, now)) return false;
    this.ids.delete(id);
    this.ids.set(id, expiresAtMs);
    // Forget expired ids at the head, then the oldest beyond capacity.
    for (const [k, e] of this.ids) {
      if (e >= now && this.ids.size <= this.capacity) break;
      this.ids.delete(k);
    }
    return true;
  }

  public get size(): number {
    return this.ids.size;
  }
}
