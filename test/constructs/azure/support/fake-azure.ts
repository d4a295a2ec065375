/**
 * A fake of the Azure APIs `servingstack azure` calls, on loopback: ARM (endpoint GET/PATCH with
 * an async operation, deployments list), Azure Monitor metrics, and Blob (Put Block, Put Block
 * List, Put Blob). It checks the bearer token and applies Azure's traffic rules to PATCHes.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeDeployment {
  provisioningState: string;
  capacity: number;
  /** Requests per status class over the window, and the p99 latency in ms. */
  requests: Record<string, number>;
  p99Ms?: number;
}

export class FakeAzure {
  public traffic: Record<string, number> = { blue: 100, green: 0 };
  public mirror: Record<string, number> = {};
  public deployments: Record<string, FakeDeployment> = {
    blue: { provisioningState: 'Succeeded', capacity: 2, requests: { '2xx': 1000 }, p99Ms: 40 },
    green: { provisioningState: 'Succeeded', capacity: 2, requests: { '2xx': 300 }, p99Ms: 60 },
  };
  public readonly patches: unknown[] = [];
  public readonly blobs = new Map<string, Buffer>();
  public readonly requests: string[] = [];
  public token = 'test-token';
  private readonly staged = new Map<string, Buffer>();
  private server?: http.Server;
  private pending?: { traffic: Record<string, number>; mirror: Record<string, number> };

  public async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.handle(req, Buffer.concat(chunks), res));
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  public async stop(): Promise<void> {
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }

  private send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(body === undefined ? '' : JSON.stringify(body));
  }

  private handle(req: http.IncomingMessage, body: Buffer, res: http.ServerResponse): void {
    const url = new URL(req.url!, 'http://x');
    this.requests.push(`${req.method} ${url.pathname}${url.search}`);
    if (req.headers.authorization !== `Bearer ${this.token}`) return this.send(res, 401, { error: { code: 'InvalidAuthenticationToken', message: 'bad token' } });
    const p = url.pathname;
    if (p.startsWith('/blob/')) return this.blob(req, url, body, res);
    if (p.endsWith('/providers/Microsoft.Insights/metrics')) return this.metrics(url, res);
    if (p.startsWith('/operations/')) {
      if (this.pending) {
        this.traffic = this.pending.traffic;
        this.mirror = this.pending.mirror;
        this.pending = undefined;
      }
      return this.send(res, 200, { status: 'Succeeded' });
    }
    if (url.searchParams.get('api-version') !== '2024-10-01') return this.send(res, 400, { error: { code: 'InvalidApiVersion', message: url.searchParams.get('api-version') } });
    if (p.endsWith('/deployments') && req.method === 'GET') {
      return this.send(res, 200, { value: Object.entries(this.deployments).map(([name, d]) => ({ name, sku: { capacity: d.capacity }, properties: { provisioningState: d.provisioningState } })) });
    }
    if (/\/onlineEndpoints\/[^/]+$/.test(p) && req.method === 'GET') return this.send(res, 200, { properties: { provisioningState: 'Succeeded', traffic: this.traffic, mirrorTraffic: this.mirror } });
    if (/\/onlineEndpoints\/[^/]+$/.test(p) && req.method === 'PATCH') {
      const patch = JSON.parse(body.toString()) as { properties: { traffic: Record<string, number>; mirrorTraffic: Record<string, number> } };
      this.patches.push(patch);
      const sum = Object.values(patch.properties.traffic).reduce((a, b) => a + b, 0);
      const mirrored = Object.entries(patch.properties.mirrorTraffic).filter(([, v]) => v > 0);
      if ((sum !== 100 && sum !== 0) || mirrored.length > 1 || mirrored.some(([n, v]) => v > 50 || (patch.properties.traffic[n] ?? 0) > 0)) {
        return this.send(res, 400, { error: { code: 'BadArgument', message: 'invalid traffic' } });
      }
      this.pending = { traffic: patch.properties.traffic, mirror: patch.properties.mirrorTraffic };
      return this.send(res, 202, undefined, { 'azure-asyncoperation': `http://${req.headers.host}/operations/1`, 'retry-after': '0' });
    }
    return this.send(res, 404, { error: { code: 'NotFound', message: p } });
  }

  private metrics(url: URL, res: http.ServerResponse): void {
    const name = /deployment eq '([^']+)'/.exec(url.searchParams.get('$filter') ?? '')?.[1] ?? '';
    const d = this.deployments[name];
    const metric = url.searchParams.get('metricnames');
    if (metric === 'RequestsPerMinute') {
      const timeseries = Object.entries(d?.requests ?? {}).map(([cls, n]) => ({ metadatavalues: [{ name: { value: 'statusCodeClass' }, value: cls }], data: [{ total: n / 2 }, { total: n / 2 }] }));
      return this.send(res, 200, { value: [{ name: { value: metric }, timeseries }] });
    }
    return this.send(res, 200, { value: [{ name: { value: metric }, timeseries: d?.p99Ms !== undefined ? [{ data: [{ average: d.p99Ms / 2 }, { average: d.p99Ms }] }] : [] }] });
  }

  private blob(req: http.IncomingMessage, url: URL, body: Buffer, res: http.ServerResponse): void {
    if (req.headers['x-ms-version'] !== '2023-11-03') return this.send(res, 400, { error: 'x-ms-version' });
    const key = decodeURIComponent(url.pathname.slice('/blob/'.length));
    const comp = url.searchParams.get('comp');
    if (comp === 'block') {
      this.staged.set(`${key}#${url.searchParams.get('blockid')}`, body);
      return this.send(res, 201, undefined);
    }
    if (comp === 'blocklist') {
      const ids = [...body.toString().matchAll(/<Latest>([^<]+)<\/Latest>/g)].map((m) => m[1]!);
      this.blobs.set(key, Buffer.concat(ids.map((id) => this.staged.get(`${key}#${id}`)!)));
      return this.send(res, 201, undefined);
    }
    if (req.headers['x-ms-blob-type'] === 'BlockBlob') {
      this.blobs.set(key, body);
      return this.send(res, 201, undefined);
    }
    return this.send(res, 400, { error: 'unsupported' });
  }
}
