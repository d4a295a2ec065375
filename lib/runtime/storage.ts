/**
 * Model artifacts that live elsewhere: Vertex AI hands the container `AIP_STORAGE_URI`, a
 * `gs://` copy of the model's artifact directory, and expects the container to fetch it itself.
 * This downloads it with the Cloud Storage JSON API and the instance's metadata-server token
 * (no client library in the image), then unpacks a model.tar.gz if that is what it found.
 * `STORAGE_EMULATOR_HOST` and `GCE_METADATA_HOST` point it elsewhere, as with Google's clients.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { extractModelArchive } from '../core/model-package';
import { MANIFEST_FILE } from '../core/manifest';
import { rtError } from './errors';

export interface StorageEnv {
  readonly STORAGE_EMULATOR_HOST?: string;
  readonly GCE_METADATA_HOST?: string;
}

const MAX_OBJECTS = 10_000;

/** Turn a model location (local path, file://, gs://) into a local directory. */
export async function resolveModelLocation(uri: string, env: StorageEnv = process.env, downloadRoot = path.join(os.tmpdir(), 'servingstack-models')): Promise<string> {
  if (uri.startsWith('file://')) return new URL(uri).pathname;
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(uri)) return uri;
  const m = /^gs:\/\/([a-z0-9][a-z0-9._-]{1,221}[a-z0-9])\/?(.*)$/.exec(uri);
  if (!m) {
    throw rtError('RT_ERR_MODEL_PATH', 'the model location has a scheme the runtime cannot fetch', { field: 'AIP_STORAGE_URI', received: uri, allowed: 'gs://bucket/prefix, file:///path or a local path' });
  }
  const [, bucket, rawPrefix] = m;
  const prefix = rawPrefix && !rawPrefix.endsWith('/') ? `${rawPrefix}/` : rawPrefix;
  const storage = (env.STORAGE_EMULATOR_HOST ?? 'https://storage.googleapis.com').replace(/\/$/, '');
  const token = await metadataToken(env);
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  fs.mkdirSync(downloadRoot, { recursive: true });
  const dest = fs.mkdtempSync(path.join(downloadRoot, 'gcs-'));
  const names: string[] = [];
  let pageToken: string | undefined;
  do {
    const q = new URLSearchParams({ prefix, fields: 'items(name,size),nextPageToken' });
    if (pageToken) q.set('pageToken', pageToken);
    const res = await fetch(`${storage}/storage/v1/b/${bucket}/o?${q}`, { headers });
    if (!res.ok) throw rtError('RT_ERR_MODEL_PATH', `listing ${uri} failed with HTTP ${res.status}`, { field: 'AIP_STORAGE_URI', received: uri });
    const page = (await res.json()) as { items?: { name: string }[]; nextPageToken?: string };
    for (const item of page.items ?? []) if (!item.name.endsWith('/')) names.push(item.name);
    pageToken = page.nextPageToken;
    if (names.length > MAX_OBJECTS) throw rtError('RT_ERR_MODEL_PATH', `${uri} holds more than ${MAX_OBJECTS} objects`, { field: 'AIP_STORAGE_URI', received: uri });
  } while (pageToken);
  if (names.length === 0) throw rtError('RT_ERR_MODEL_PATH', `${uri} holds no objects`, { field: 'AIP_STORAGE_URI', received: uri, allowed: 'a prefix holding a model package or model.tar.gz' });
  for (const name of names) {
    const rel = name.slice(prefix.length);
    const target = path.resolve(dest, rel);
    if (!target.startsWith(dest + path.sep)) throw rtError('RT_ERR_MODEL_PATH', `object ${name} would be written outside the model directory`, { field: 'AIP_STORAGE_URI', received: name });
    const res = await fetch(`${storage}/storage/v1/b/${bucket}/o/${encodeURIComponent(name)}?alt=media`, { headers });
    if (!res.ok) throw rtError('RT_ERR_MODEL_PATH', `downloading gs://${bucket}/${name} failed with HTTP ${res.status}`, { field: 'AIP_STORAGE_URI', received: uri });
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, Buffer.from(await res.arrayBuffer()));
  }
  // A packaged model (servingstack package) arrives as one archive: unpack it in place.
  const archives = fs.readdirSync(dest).filter((f) => /\.(tar\.gz|tgz)$/.test(f));
  if (!fs.existsSync(path.join(dest, MANIFEST_FILE)) && archives.length === 1) {
    const unpacked = path.join(dest, 'model');
    fs.mkdirSync(unpacked);
    await extractModelArchive(path.join(dest, archives[0]), unpacked);
    return unpacked;
  }
  return dest;
}

/** The instance's service-account token from the metadata server, or undefined when there is none. */
export async function metadataToken(env: StorageEnv): Promise<string | undefined> {
  const host = env.GCE_METADATA_HOST ?? 'metadata.google.internal';
  const base = host.startsWith('http') ? host : `http://${host}`;
  try {
    const res = await fetch(`${base}/computeMetadata/v1/instance/service-accounts/default/token`, { headers: { 'metadata-flavor': 'Google' }, signal: AbortSignal.timeout(3000) });
    if (!res.ok) return undefined;
    return ((await res.json()) as { access_token?: string }).access_token;
  } catch {
    return undefined; // no metadata server (emulator, public bucket): try without a token
  }
}
