/**
 * Where model package archives are uploaded (`artifact_uri`). Production: Cloud Storage through
 * its JSON API with the clients' credentials (no extra client library). Objects are created with
 * `ifGenerationMatch=0`: a package path is written once and never overwritten.
 */
import { createReadStream } from 'node:fs';
import type { HttpRequester } from './clients';

export interface ArtifactStore {
  /** Whether the object `gs://BUCKET/NAME` exists. */
  exists(uri: string): Promise<boolean>;
  /** Upload a local file to `gs://BUCKET/NAME` (fails if it already exists). */
  upload(localFile: string, uri: string): Promise<void>;
}

export function parseGsUri(uri: string): { bucket: string; name: string } {
  const m = /^gs:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!m) throw new Error(`not a gs://BUCKET/OBJECT uri: ${uri}`);
  return { bucket: m[1], name: m[2] };
}

export class GcsArtifactStore implements ArtifactStore {
  constructor(private readonly request: HttpRequester) {}

  public async exists(uri: string): Promise<boolean> {
    const { bucket, name } = parseGsUri(uri);
    const res = await this.request({ url: `https://storage.googleapis.com/storage/v1/b/${bucket}/o/${encodeURIComponent(name)}` });
    if (res.status === 200) return true;
    if (res.status === 404) return false;
    throw new Error(`checking ${uri} failed with HTTP ${res.status}`);
  }

  public async upload(localFile: string, uri: string): Promise<void> {
    const { bucket, name } = parseGsUri(uri);
    const res = await this.request({
      url: `https://storage.googleapis.com/upload/storage/v1/b/${bucket}/o?uploadType=media&ifGenerationMatch=0&name=${encodeURIComponent(name)}`,
      method: 'POST',
      data: createReadStream(localFile),
      headers: { 'Content-Type': 'application/gzip' },
    });
    if (res.status !== 200 && res.status !== 412) throw new Error(`uploading ${uri} failed with HTTP ${res.status}`);
  }
}
