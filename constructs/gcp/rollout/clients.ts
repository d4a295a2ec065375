/**
 * The real `@google-cloud/aiplatform` v1 clients, loaded by deep import (the package index loads
 * every service). Regional endpoint `REGION-aiplatform.googleapis.com` unless overridden (tests
 * point them at a local fake with insecure credentials).
 */
import type { ChannelCredentials } from '@grpc/grpc-js';
import type { EndpointServiceClient } from '@google-cloud/aiplatform/build/src/v1/endpoint_service_client';
import type { ModelServiceClient } from '@google-cloud/aiplatform/build/src/v1/model_service_client';

export interface ClientConnectionOptions {
  /** Vertex region; picks `REGION-aiplatform.googleapis.com`. */
  readonly region: string;
  /** Host override (e.g. `127.0.0.1` for a local fake). @default - regional endpoint */
  readonly apiEndpoint?: string;
  /** Port override. @default 443 */
  readonly port?: number;
  /** Channel credentials override (insecure for a local fake). @default - TLS + Application Default Credentials */
  readonly sslCreds?: ChannelCredentials;
}

/** A minimal authenticated HTTP requester (Cloud Storage and Cloud Monitoring REST calls). */
export type HttpRequester = (opts: { url: string; method?: string; data?: unknown; headers?: Record<string, string> }) => Promise<{ status: number; data: unknown }>;

export interface VertexClients {
  readonly models: ModelServiceClient;
  readonly endpoints: EndpointServiceClient;
  /** REST requester using the same Google credentials as the clients. */
  readonly http: HttpRequester;
  close(): Promise<void>;
}

export function createVertexClients(o: ClientConnectionOptions): VertexClients {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { ModelServiceClient: Models } = require('@google-cloud/aiplatform/build/src/v1/model_service_client') as typeof import('@google-cloud/aiplatform/build/src/v1/model_service_client');
  const { EndpointServiceClient: Endpoints } = require('@google-cloud/aiplatform/build/src/v1/endpoint_service_client') as typeof import('@google-cloud/aiplatform/build/src/v1/endpoint_service_client');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const opts = {
    apiEndpoint: o.apiEndpoint ?? `${o.region}-aiplatform.googleapis.com`,
    ...(o.port !== undefined ? { port: o.port } : {}),
    ...(o.sslCreds ? { sslCreds: o.sslCreds, universeDomain: 'googleapis.com' } : {}),
    fallback: false,
  };
  const models = new Models(opts);
  const endpoints = new Endpoints(opts);
  const http: HttpRequester = async (req) => {
    const res = await models.auth.request({ url: req.url, method: (req.method ?? 'GET') as 'GET', data: req.data, headers: req.headers, validateStatus: () => true });
    return { status: res.status, data: res.data };
  };
  return {
    models,
    endpoints,
    http,
    async close() {
      await Promise.all([models.close(), endpoints.close()]);
    },
  };
}
