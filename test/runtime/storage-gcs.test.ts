import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { createModelArchive } from '../../lib/core/model-package';
import { resolveModelLocation } from '../../lib/runtime/storage';

const TINY = path.resolve(__dirname, '../../examples/models/tiny');

/** A local fake of the Cloud Storage JSON API and the metadata server's token route. */
function fakeGcs(objects: Record<string, Buffer>): Promise<{ url: string; requests: string[]; close(): void }> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
    const url = new URL(req.url!, 'http://x');
    if (url.pathname === '/computeMetadata/v1/instance/service-accounts/default/token') {
      if (req.headers['metadata-flavor'] !== 'Google') return void res.writeHead(403).end();
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: 'tok-123', expires_in: 3600 }));
    }
    if (req.headers.authorization !== 'Bearer tok-123') return void res.writeHead(401).end();
    const list = /^\/storage\/v1\/b\/([^/]+)\/o$/.exec(url.pathname);
    if (list) {
      const prefix = url.searchParams.get('prefix') ?? '';
      const names = Object.keys(objects).filter((n) => n.startsWith(prefix)).sort();
      // two pages, to exercise pageToken
      const start = Number(url.searchParams.get('pageToken') ?? 0);
      const page = names.slice(start, start + 1);
      const body: Record<string, unknown> = { items: page.map((name) => ({ name, size: String(objects[name].length) })) };
      if (start + 1 < names.length) body.nextPageToken = String(start + 1);
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    }
    const get = /^\/storage\/v1\/b\/([^/]+)\/o\/(.+)$/.exec(url.pathname);
    if (get && url.searchParams.get('alt') === 'media') {
      const obj = objects[decodeURIComponent(get[2])];
      if (!obj) return void res.writeHead(404).end();
      return void res.writeHead(200).end(obj);
    }
    res.writeHead(404).end();
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      resolve({ url, requests, close: () => server.close() });
    }),
  );
}

describe('AIP_STORAGE_URI download (Vertex AI custom container contract)', () => {
  const downloadRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-dl-'));
  afterAll(() => fs.rmSync(downloadRoot, { recursive: true, force: true }));

  test('GIVEN a gs:// prefix holding a package WHEN resolved THEN every object is downloaded with the metadata token, across pages', async () => {
    const gcs = await fakeGcs({
      'models/tiny/v1/servingstack.json': fs.readFileSync(path.join(TINY, 'servingstack.json')),
      'models/tiny/v1/model.onnx': fs.readFileSync(path.join(TINY, 'model.onnx')),
      'models/other/ignored.txt': Buffer.from('not mine'),
    });
    try {
      const dir = await resolveModelLocation('gs://my-bucket/models/tiny/v1', { STORAGE_EMULATOR_HOST: gcs.url, GCE_METADATA_HOST: gcs.url }, downloadRoot);
      expect(fs.readdirSync(dir).sort()).toEqual(['model.onnx', 'servingstack.json']);
      expect(fs.readFileSync(path.join(dir, 'model.onnx')).equals(fs.readFileSync(path.join(TINY, 'model.onnx')))).toBe(true);
      expect(gcs.requests.some((r) => r.includes('pageToken=1'))).toBe(true);
      expect(gcs.requests.filter((r) => r.startsWith('GET /storage')).every((r) => r.endsWith('Bearer tok-123'))).toBe(true);
    } finally {
      gcs.close();
    }
  });

  test('GIVEN a prefix holding a model.tar.gz WHEN resolved THEN it is unpacked into a package directory', async () => {
    const archive = path.join(downloadRoot, 'tiny.tar.gz');
    await createModelArchive(TINY, archive);
    const gcs = await fakeGcs({ 'artifacts/model.tar.gz': fs.readFileSync(archive) });
    try {
      const dir = await resolveModelLocation('gs://my-bucket/artifacts/', { STORAGE_EMULATOR_HOST: gcs.url, GCE_METADATA_HOST: gcs.url }, downloadRoot);
      expect(fs.existsSync(path.join(dir, 'servingstack.json'))).toBe(true);
      expect(fs.existsSync(path.join(dir, 'model.onnx'))).toBe(true);
    } finally {
      gcs.close();
    }
  });

  test('bad locations are refused naming AIP_STORAGE_URI', async () => {
    await expect(resolveModelLocation('s3://bucket/x', {}, downloadRoot)).rejects.toMatchObject({ code: 'RT_ERR_MODEL_PATH', details: { field: 'AIP_STORAGE_URI' } });
    const gcs = await fakeGcs({});
    try {
      await expect(resolveModelLocation('gs://empty-bucket/none', { STORAGE_EMULATOR_HOST: gcs.url, GCE_METADATA_HOST: gcs.url }, downloadRoot)).rejects.toThrow(/holds no objects/);
    } finally {
      gcs.close();
    }
    expect(await resolveModelLocation('file:///opt/ml/model')).toBe('/opt/ml/model');
    expect(await resolveModelLocation('/opt/ml/model')).toBe('/opt/ml/model');
  });
});
