/**
 * Optional authentication for platforms that do not authenticate in front of the runtime
 * (on-premise Kubernetes). Two token sets: one for inference and metadata routes, one for admin
 * routes (model load/unload, the repository extension, feedback, metrics); health routes are
 * always open. A client sends `Authorization: Bearer <token>` or `x-api-key: <token>`.
 *
 * Tokens come from an environment variable or a file holding one token per line (a mounted
 * Kubernetes secret: several lines let an old and a new token overlap during rotation). The file
 * is polled and re-read when it changes; an unreadable or invalid file keeps the last good tokens,
 * an empty one refuses everyone. Comparison hashes the presented token and every accepted one with
 * SHA-256 and compares the digests with `timingSafeEqual`, always against every accepted token.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import * as fs from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from 'pino';
import { rtError, RuntimeError } from './errors';

/** Who may call a route: anyone (health), inference clients, or operators. */
export type Access = 'open' | 'inference' | 'admin';

export const TOKEN_ALLOWED = 'at least 16 visible ASCII characters (no spaces), e.g. 32 random bytes in hex or base64';

/** Why a token is unacceptable, or undefined. */
export function tokenProblem(token: string): string | undefined {
  if (token.length < 16) return 'is shorter than 16 characters';
  if (!/^[\x21-\x7e]+$/.test(token)) return 'has characters other than visible ASCII';
  return undefined;
}

/** Tokens from a file's text (one per line, blank lines ignored), or why it is unacceptable. */
export function parseTokenLines(text: string): string[] | string {
  const tokens = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
  for (let i = 0; i < tokens.length; i++) {
    const problem = tokenProblem(tokens[i]);
    if (problem) return `line ${i + 1} ${problem}`;
  }
  return tokens;
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** A set of accepted tokens, fixed or read from a file that may change. */
export class TokenSet {
  private digests: Buffer[] = [];
  private timer?: NodeJS.Timeout;
  private signature = '';

  private constructor(private readonly source: string) {}

  public static fromValue(token: string): TokenSet {
    const set = new TokenSet('environment');
    set.digests = [digest(token)];
    return set;
  }

  /** Read `file` now and poll it every `pollMs` (1 s by default) for changes. */
  public static fromFile(file: string, log: Logger, pollMs = 1000): TokenSet {
    const set = new TokenSet(file);
    set.reload(log, true);
    set.timer = setInterval(() => set.reload(log, false), pollMs);
    set.timer.unref();
    return set;
  }

  public get size(): number {
    return this.digests.length;
  }

  /** Whether `presented` is one of the accepted tokens (time independent of which one). */
  public accepts(presented: string): boolean {
    const d = digest(presented);
    let ok = false;
    for (const accepted of this.digests) ok = timingSafeEqual(d, accepted) || ok;
    return ok;
  }

  public close(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private reload(log: Logger, first: boolean): void {
    let text: string;
    try {
      const st = fs.statSync(this.source);
      const signature = `${st.ino}:${st.size}:${st.mtimeMs}`;
      if (signature === this.signature) return;
      text = fs.readFileSync(this.source, 'utf8');
      this.signature = signature;
    } catch (e) {
      if (first) this.digests = [];
      log.error({ file: this.source, err: (e as Error).message }, 'token file unreadable; keeping the tokens read before');
      return;
    }
    const parsed = parseTokenLines(text);
    if (typeof parsed === 'string') {
      log.error({ file: this.source, problem: parsed }, 'token file invalid; keeping the tokens read before');
      return;
    }
    this.digests = parsed.map(digest);
    if (parsed.length === 0) log.warn({ file: this.source }, 'token file is empty: every request to its routes is refused');
    else if (!first) log.info({ file: this.source, tokens: parsed.length }, 'token file re-read');
  }
}

const ALLOWED = 'Authorization: Bearer <token>, or x-api-key: <token>';

/** The token a request presents, if any. */
function presented(headers: IncomingHttpHeaders): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (m) return m[1];
  }
  const key = headers['x-api-key'];
  return typeof key === 'string' && key.length > 0 ? key.trim() : undefined;
}

export class Authenticator {
  constructor(
    private readonly inference?: TokenSet,
    private readonly admin?: TokenSet,
  ) {}

  /** Whether any route needs a token. */
  public get enabled(): boolean {
    return this.inference !== undefined || this.admin !== undefined;
  }

  /** Tokens that open routes of this access class; undefined: open. Admin falls back to inference. */
  private setFor(access: Access): TokenSet | undefined {
    if (access === 'open') return undefined;
    if (access === 'admin') return this.admin ?? this.inference;
    return this.inference;
  }

  public required(access: Access): boolean {
    return this.setFor(access) !== undefined;
  }

  /** undefined when the request may proceed, else the 401 to answer. */
  public check(access: Access, headers: IncomingHttpHeaders): RuntimeError | undefined {
    const set = this.setFor(access);
    if (!set) return undefined;
    const token = presented(headers);
    if (token === undefined) {
      return rtError('RT_ERR_UNAUTHORIZED', `this ${access === 'admin' ? 'admin ' : ''}route needs a token`, { field: 'Authorization', received: 'no token', allowed: ALLOWED });
    }
    if (set.accepts(token)) return undefined;
    return rtError('RT_ERR_UNAUTHORIZED', `the token is not accepted on this ${access === 'admin' ? 'admin ' : ''}route`, {
      field: headers.authorization !== undefined ? 'Authorization' : 'x-api-key',
      received: '(a token, not shown)',
      allowed: `${ALLOWED}, with a token of ${access === 'admin' && this.admin ? 'SERVINGSTACK_ADMIN_TOKEN' : 'SERVINGSTACK_AUTH_TOKEN'}[_FILE]`,
    });
  }

  public close(): void {
    this.inference?.close();
    this.admin?.close();
  }
}
