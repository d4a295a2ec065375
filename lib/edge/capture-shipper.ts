/**
 * Ships the runtime's rotated data-capture files (`capture-<time>-<seq>.jsonl` in
 * `SERVINGSTACK_CAPTURE_DIR`, the JSON Lines `lib/runtime/capture.ts` writes) to S3 for offline
 * analysis (`servingstack drift-report` reads them), unchanged, under
 * `<prefix>/<device>/<file name>`; a file is deleted from the device once uploaded. The active
 * `capture.jsonl` is left alone until the runtime rotates it. Credentials: the Greengrass token
 * exchange service (the AWS SDK's container credentials, from the environment Greengrass sets).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface ObjectStore {
  put(key: string, body: Buffer): Promise<void>;
}

/** S3 through `@aws-sdk/client-s3` (bundled into the telemetry agent). */
export function s3ObjectStore(bucket: string, options: { region?: string; endpoint?: string; forcePathStyle?: boolean } = {}): ObjectStore {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { S3Client, PutObjectCommand } = require('@aws-sdk/client-s3') as typeof import('@aws-sdk/client-s3');
  const client = new S3Client({ region: options.region, endpoint: options.endpoint, forcePathStyle: options.forcePathStyle });
  return {
    async put(key, body) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/x-ndjson' }));
    },
  };
}

export const ROTATED_CAPTURE = /^capture-.+\.jsonl$/;

export class CaptureShipper {
  public uploaded = 0;

  constructor(
    private readonly dir: string,
    private readonly store: ObjectStore,
    private readonly prefix: string,
    private readonly device: string,
  ) {}

  /** Upload every rotated file, oldest first; stops at the first failure (tried again next time). Returns the files shipped. */
  public async ship(): Promise<string[]> {
    if (!fs.existsSync(this.dir)) return [];
    const files = fs.readdirSync(this.dir).filter((f) => ROTATED_CAPTURE.test(f)).sort();
    const done: string[] = [];
    for (const f of files) {
      const file = path.join(this.dir, f);
      let body: Buffer;
      try {
        body = fs.readFileSync(file);
      } catch {
        continue; // rotated away by the runtime meanwhile
      }
      await this.store.put(`${this.prefix}/${this.device}/${f}`, body);
      fs.rmSync(file, { force: true });
      this.uploaded++;
      done.push(f);
    }
    return done;
  }
}
