/**
 * The production health and artifact sources, against a recording HTTP requester (the real one
 * uses the clients' Google credentials). These pin the exact Cloud Monitoring query and Cloud
 * Storage calls; they cannot prove Google answers as documented.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GcsArtifactStore } from '../../../../constructs/gcp/rollout/artifact-store';
import { recorder } from '../../../support/http-recorder';

describe('GcsArtifactStore', () => {
  test('checks objects with the JSON API and uploads create-only (ifGenerationMatch=0)', async () => {
    const r = recorder((url) => ({ status: url.includes('/upload/') ? 200 : 404 }));
    const store = new GcsArtifactStore(r.request);
    expect(await store.exists('gs://models-bucket/models/tiny/1_0_0-abc/model.tar.gz')).toBe(false);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gcs-')), 'model.tar.gz');
    fs.writeFileSync(file, 'x');
    await store.upload(file, 'gs://models-bucket/models/tiny/1_0_0-abc/model.tar.gz');
    expect(r.calls.map((c) => `${c.method ?? 'GET'} ${c.url}`)).toEqual([
      'GET https://storage.googleapis.com/storage/v1/b/models-bucket/o/models%2Ftiny%2F1_0_0-abc%2Fmodel.tar.gz',
      'POST https://storage.googleapis.com/upload/storage/v1/b/models-bucket/o?uploadType=media&ifGenerationMatch=0&name=models%2Ftiny%2F1_0_0-abc%2Fmodel.tar.gz',
    ]);
  });
});
