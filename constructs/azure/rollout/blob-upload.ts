/**
 * Upload a model package folder to Blob storage with the Blob REST API (Put Block + Put Block
 * List, 8 MiB blocks, so files of any size stream without loading them whole), authenticated with
 * an Entra token for `https://storage.azure.com` (the uploader needs Storage Blob Data
 * Contributor on the container). Terraform cannot write blobs without the azurerm provider, which
 * this target does not use. No cdktf imports, no Azure SDK.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { ServingStackError } from '../../../lib/core/errors';
import { AzureErrorCodes } from '../private/errors';
import { HttpClient, STORAGE_SCOPE, TokenProvider } from './http';
import type { PackageFile } from './package-files';

export const BLOB_API_VERSION = '2023-11-03';
export const BLOCK_BYTES = 8 * 1024 * 1024;

export interface UploadResult {
  readonly files: number;
  readonly bytes: number;
  readonly blocks: number;
}

function encodePath(rel: string): string {
  return rel.split('/').map(encodeURIComponent).join('/');
}

/** Block IDs: base64 of a fixed-width index (Azure requires equal-length IDs per blob). */
export function blockId(i: number): string {
  return Buffer.from(`block-${String(i).padStart(6, '0')}`).toString('base64');
}

export async function uploadPackage(files: readonly PackageFile[], folderUrl: string, http: HttpClient, token: TokenProvider, blockBytes = BLOCK_BYTES): Promise<UploadResult> {
  const base = folderUrl.replace(/\/+$/, '');
  let blocks = 0;
  let bytes = 0;
  const send = async (method: 'PUT', url: string, headers: Record<string, string>, body: Uint8Array | string): Promise<void> => {
    const res = await http({ method, url, headers: { authorization: `Bearer ${await token(STORAGE_SCOPE)}`, 'x-ms-version': BLOB_API_VERSION, ...headers }, body });
    if (res.status >= 300) {
      throw new ServingStackError(AzureErrorCodes.UPLOAD_FAILED, `PUT ${url.split('?')[0]} answered HTTP ${res.status}`, [
        { field: 'blob', message: res.body.slice(0, 300) || 'no body', received: res.status, allowed: 'Storage Blob Data Contributor on the model container, and network access to the account' },
      ]);
    }
  };
  const buf = Buffer.allocUnsafe(blockBytes);
  for (const f of files) {
    const url = `${base}/${encodePath(f.rel)}`;
    if (f.bytes === 0) {
      await send('PUT', url, { 'x-ms-blob-type': 'BlockBlob', 'content-length': '0' }, new Uint8Array(0));
      continue;
    }
    const ids: string[] = [];
    const fd = openSync(f.abs, 'r');
    try {
      for (let n = readSync(fd, buf, 0, blockBytes, null); n > 0; n = readSync(fd, buf, 0, blockBytes, null)) {
        const id = blockId(ids.length);
        await send('PUT', `${url}?comp=block&blockid=${encodeURIComponent(id)}`, { 'content-length': String(n) }, Uint8Array.from(buf.subarray(0, n)));
        ids.push(id);
        bytes += n;
      }
    } finally {
      closeSync(fd);
    }
    const list = `<?xml version="1.0" encoding="utf-8"?><BlockList>${ids.map((id) => `<Latest>${id}</Latest>`).join('')}</BlockList>`;
    await send('PUT', `${url}?comp=blocklist`, { 'content-type': 'application/xml', 'x-ms-blob-content-type': 'application/octet-stream' }, list);
    blocks += ids.length;
  }
  return { files: files.length, bytes, blocks };
}
