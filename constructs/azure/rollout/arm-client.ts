/**
 * A small ARM REST client: JSON in and out, bearer token, long-running operations followed
 * through `Azure-AsyncOperation` / `Location` (learn.microsoft.com/azure/azure-resource-manager/
 * management/async-operations). No cdktf imports.
 */
import { ServingStackError } from '../../../lib/core/errors';
import { AzureErrorCodes } from '../private/errors';
import { ARM_SCOPE, HttpClient, TokenProvider } from './http';

export interface ArmClientOptions {
  readonly http: HttpClient;
  readonly token: TokenProvider;
  /** @default 'https://management.azure.com' */
  readonly baseUrl?: string;
  /** Wait between polls of a long-running operation. @default 5000 */
  readonly pollIntervalMs?: number;
  /** Give up on a long-running operation after this long. @default 1800000 (30 min) */
  readonly operationTimeoutMs?: number;
  /** Injectable sleep (tests). @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

export class ArmClient {
  public readonly baseUrl: string;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly o: ArmClientOptions) {
    this.baseUrl = (o.baseUrl ?? 'https://management.azure.com').replace(/\/+$/, '');
    this.sleep = o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /** One call; `path` starts with `/subscriptions/…` and carries its own query. */
  public async call(method: 'GET' | 'PUT' | 'PATCH' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<{ status: number; headers: Readonly<Record<string, string>>; json: unknown }> {
    const url = /^https?:\/\//.test(path) ? path : `${this.baseUrl}${path}`;
    const token = await this.o.token(ARM_SCOPE);
    const res = await this.o.http({
      method,
      url,
      headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    let json: unknown;
    try {
      json = res.body ? JSON.parse(res.body) : undefined;
    } catch {
      json = res.body;
    }
    if (res.status >= 400) {
      const err = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new ServingStackError(AzureErrorCodes.ROLLOUT_FAILED, `${method} ${url} answered HTTP ${res.status}`, [
        { field: err?.code ?? 'response', message: err?.message ?? String(res.body).slice(0, 500), received: res.status },
      ]);
    }
    return { status: res.status, headers: res.headers, json };
  }

  public async get<T>(path: string): Promise<T> {
    return (await this.call('GET', path)).json as T;
  }

  /** PATCH/PUT and wait for the long-running operation to finish. */
  public async change(method: 'PATCH' | 'PUT', path: string, body: unknown): Promise<void> {
    const res = await this.call(method, path, body);
    if (res.status !== 201 && res.status !== 202) return;
    const poll = res.headers['azure-asyncoperation'] ?? res.headers.location;
    if (!poll) return;
    const deadline = Date.now() + (this.o.operationTimeoutMs ?? 1_800_000);
    for (;;) {
      await this.sleep(Number(res.headers['retry-after']) * 1000 || (this.o.pollIntervalMs ?? 5000));
      const op = await this.call('GET', poll);
      const status = (op.json as { status?: string } | undefined)?.status;
      if (status === 'Succeeded' || (status === undefined && op.status === 200)) return;
      if (status === 'Failed' || status === 'Canceled') {
        const e = (op.json as { error?: { code?: string; message?: string } }).error;
        throw new ServingStackError(AzureErrorCodes.ROLLOUT_FAILED, `${method} ${path} ended ${status}`, [{ field: e?.code ?? 'operation', message: e?.message ?? 'no error details', received: status }]);
      }
      if (Date.now() > deadline) {
        throw new ServingStackError(AzureErrorCodes.ROLLOUT_FAILED, `${method} ${path} did not finish in time`, [{ field: 'operation', message: `still ${status ?? 'running'}`, allowed: 'a longer --timeout' }]);
      }
    }
  }
}
