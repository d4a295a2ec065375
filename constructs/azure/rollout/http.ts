/**
 * The HTTP seam of `servingstack azure`: ARM (management plane), Azure Monitor metrics and Blob
 * storage are all plain HTTPS + bearer tokens, sent through an injectable client. Production uses
 * `fetch` and `@azure/identity`'s DefaultAzureCredential; tests point the base URLs at a fake
 * server on loopback and pass a fixed token. No cdktf imports, no Azure SDK here.
 */
export interface HttpRequest {
  readonly method: 'GET' | 'PUT' | 'PATCH' | 'POST' | 'DELETE' | 'HEAD';
  readonly url: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Uint8Array;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export type HttpClient = (req: HttpRequest) => Promise<HttpResponse>;

/** Returns a bearer token for a scope (`https://management.azure.com/.default`, `https://storage.azure.com/.default`). */
export type TokenProvider = (scope: string) => Promise<string>;

export const ARM_SCOPE = 'https://management.azure.com/.default';
export const STORAGE_SCOPE = 'https://storage.azure.com/.default';

/** `fetch` as an HttpClient, with a per-request timeout. */
export function fetchHttpClient(timeoutMs = 60_000): HttpClient {
  return async (req) => {
    const res = await fetch(req.url, { method: req.method, headers: req.headers, body: req.body as string | Uint8Array<ArrayBuffer> | undefined, signal: AbortSignal.timeout(timeoutMs) });
    const headers: Record<string, string> = {};
    res.headers.forEach((v, k) => {
      headers[k.toLowerCase()] = v;
    });
    return { status: res.status, headers, body: await res.text() };
  };
}

/** DefaultAzureCredential (environment, workload identity, managed identity, Azure CLI…), loaded on first use. */
export function defaultTokenProvider(): TokenProvider {
  let credential: { getToken(scope: string): Promise<{ token: string } | null> } | undefined;
  return async (scope) => {
    if (credential === undefined) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { DefaultAzureCredential } = require('@azure/identity') as typeof import('@azure/identity');
      credential = new DefaultAzureCredential();
    }
    const t = await credential!.getToken(scope);
    if (!t) throw new Error(`no Azure credential produced a token for ${scope}`);
    return t.token;
  };
}
