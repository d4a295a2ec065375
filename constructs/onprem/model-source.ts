/**
 * Where a serving pod gets its model package from. The runtime reads a directory
 * (`servingstack.json` + `model.onnx`); other servers (Triton, vLLM) read their own layout
 * from the same directory.
 *
 * - S3-compatible store (AWS S3, MinIO, Ceph RGW…): an init container syncs the prefix into an
 *   `emptyDir` before the server starts, so the server never needs store credentials.
 * - PersistentVolumeClaim: mounted read-only at the model path, no copy.
 */

/** Options of {@link ModelSource.fromS3}. */
export interface S3ModelSourceOptions {
  /**
   * Endpoint of the S3-compatible store, e.g. `http://minio.storage.svc:9000`.
   * @default - AWS S3 (the fetcher's default endpoint)
   */
  readonly endpoint?: string;
  /**
   * Name of a Secret in the serving namespace holding `AWS_ACCESS_KEY_ID` and
   * `AWS_SECRET_ACCESS_KEY`; its keys become the fetcher's environment.
   * @default - no credentials (anonymous reads, or node/IRSA-style credentials)
   */
  readonly credentialsSecretName?: string;
  /**
   * Region passed to the fetcher (`AWS_REGION`). MinIO accepts any value.
   * @default 'us-east-1'
   */
  readonly region?: string;
}

/** Options of {@link ModelSource.fromPersistentVolumeClaim}. */
export interface PvcModelSourceOptions {
  /**
   * Directory inside the volume holding the model package.
   * @default - the volume root
   */
  readonly subPath?: string;
}

/** URI schemes the model delivery can fetch. */
export const MODEL_URI_SCHEMES_ALLOWED = 's3://<bucket>/<prefix> (S3-compatible store, fetched by an init container) or pvc://<claim>/<path> (mounted read-only)';

/** What a model source renders to; consumed by ModelServer. @internal */
export interface ModelSourceConfig {
  readonly kind: 's3' | 'pvc' | 'invalid';
  readonly uri: string;
  readonly bucket?: string;
  readonly prefix?: string;
  readonly claimName?: string;
  readonly subPath?: string;
  readonly endpoint?: string;
  readonly credentialsSecretName?: string;
  readonly region?: string;
}

const S3_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export class ModelSource {
  /** `s3://bucket/prefix/` in an S3-compatible store, synced by an init container. */
  public static fromS3(uri: string, options: S3ModelSourceOptions = {}): ModelSource {
    return new ModelSource(uri, options);
  }

  /** A directory on a PersistentVolumeClaim in the serving namespace, mounted read-only. */
  public static fromPersistentVolumeClaim(claimName: string, options: PvcModelSourceOptions = {}): ModelSource {
    const sub = (options.subPath ?? '').replace(/^\/+|\/+$/g, '');
    return new ModelSource(`pvc://${claimName}${sub ? `/${sub}` : ''}`, {});
  }

  /**
   * Any supported URI: `s3://bucket/prefix` or `pvc://claim/path`. Other schemes (`gs://`,
   * `https://`, `hf://`, `mlflow-artifacts:/`…) fail at synth, naming the allowed ones.
   * `options` apply to `s3://` URIs.
   */
  public static fromUri(uri: string, options: S3ModelSourceOptions = {}): ModelSource {
    return new ModelSource(uri, options);
  }

  private constructor(
    /** The URI as given. */
    public readonly uri: string,
    private readonly s3Options: S3ModelSourceOptions,
  ) {}

  /** Parsed form, for rendering. @internal */
  public _config(): ModelSourceConfig {
    const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/]*)\/?(.*)$/.exec(this.uri);
    if (m && m[1] === 's3') {
      return { kind: 's3', uri: this.uri, bucket: m[2], prefix: m[3], endpoint: this.s3Options.endpoint, credentialsSecretName: this.s3Options.credentialsSecretName, region: this.s3Options.region ?? 'us-east-1' };
    }
    if (m && m[1] === 'pvc') {
      return { kind: 'pvc', uri: this.uri, claimName: m[2], subPath: m[3].replace(/\/+$/, '') || undefined };
    }
    return { kind: 'invalid', uri: this.uri };
  }

  /** Validation issues of this source, with fields under `prefix`. @internal */
  public _issues(prefix: string): { field: string; message: string; received: unknown; allowed: string }[] {
    const c = this._config();
    const out: { field: string; message: string; received: unknown; allowed: string }[] = [];
    if (c.kind === 'invalid') {
      const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(this.uri)?.[1];
      out.push({
        field: `${prefix}.uri`,
        message: scheme ? `uses the scheme '${scheme}', which the model init container cannot fetch` : 'is not a URI',
        received: this.uri,
        allowed: MODEL_URI_SCHEMES_ALLOWED,
      });
      return out;
    }
    if (c.kind === 's3') {
      if (!S3_BUCKET.test(c.bucket ?? '')) out.push({ field: `${prefix}.uri`, message: 'names an invalid bucket', received: this.uri, allowed: 'a bucket of 3–63 lower-case letters, digits, dots and dashes' });
      if (c.endpoint !== undefined && !/^https?:\/\/[^\s/]+(\/.*)?$/.test(c.endpoint)) {
        out.push({ field: `${prefix}.endpoint`, message: 'is not an http(s) URL', received: c.endpoint, allowed: 'http(s)://host[:port]' });
      }
    }
    if (c.kind === 'pvc') {
      if (!/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(c.claimName ?? '')) out.push({ field: `${prefix}.uri`, message: 'names an invalid PersistentVolumeClaim', received: this.uri, allowed: 'pvc://<claim>/<path> with a lower-case DNS-1123 claim name' });
      if ((c.subPath ?? '').split('/').includes('..')) out.push({ field: `${prefix}.uri`, message: 'escapes the volume with ..', received: this.uri, allowed: 'a path inside the volume' });
    }
    return out;
  }
}
