import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** Properties of {@link SecureBucket}. */
export interface SecureBucketProps {
  /**
   * Key for default encryption (SSE-KMS with a bucket key).
   * @default - a new key with rotation
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Bucket receiving the server access logs.
   * @default - a new SSE-S3, TLS-only, versioned log bucket
   */
  readonly accessLogsBucket?: s3.IBucket;
  /**
   * Delete objects after this long.
   * @default - keep forever
   */
  readonly expiration?: Duration;
  /**
   * What happens to the bucket on stack deletion.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * A bucket for captured inference data and asynchronous outputs: KMS-encrypted, TLS-only,
 * versioned, public access blocked, server access logs to a separate bucket.
 */
export class SecureBucket extends Construct {
  public readonly bucket: s3.Bucket;
  public readonly encryptionKey: kms.IKey;
  public readonly accessLogsBucket: s3.IBucket;

  constructor(scope: Construct, id: string, props: SecureBucketProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.encryptionKey = props.encryptionKey ?? new kms.Key(this, 'Key', { enableKeyRotation: true, description: `ServingStack ${this.node.path}`, removalPolicy });
    if (props.accessLogsBucket) {
      this.accessLogsBucket = props.accessLogsBucket;
    } else {
      const logs = new s3.Bucket(this, 'AccessLogs', {
        encryption: s3.BucketEncryption.S3_MANAGED,
        enforceSSL: true,
        versioned: true,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
        removalPolicy,
      });
      const why = 'server access log target: S3 log delivery only writes SSE-S3 objects, and logging a log bucket would recurse';
      for (const id of [
        'AwsSolutions-S1', 'NIST.800.53.R5-S3BucketLoggingEnabled', 'HIPAA.Security-S3BucketLoggingEnabled',
        'NIST.800.53.R5-S3DefaultEncryptionKMS', 'HIPAA.Security-S3DefaultEncryptionKMS',
      ]) Validations.of(logs).acknowledge({ id, reason: why });
      this.accessLogsBucket = logs;
    }
    this.bucket = new s3.Bucket(this, 'Resource', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.encryptionKey,
      bucketKeyEnabled: true,
      enforceSSL: true,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: `${this.node.id}/`,
      lifecycleRules: props.expiration ? [{ expiration: props.expiration, noncurrentVersionExpiration: props.expiration }] : undefined,
      removalPolicy,
    });
    const replication = 'inference capture and async output are reproducible operational data kept in one region; cross-region replication is a per-deployment decision';
    for (const b of [this.bucket, this.accessLogsBucket]) {
      if (b instanceof s3.Bucket) {
        Validations.of(b).acknowledge({ id: 'NIST.800.53.R5-S3BucketReplicationEnabled', reason: replication });
        Validations.of(b).acknowledge({ id: 'HIPAA.Security-S3BucketReplicationEnabled', reason: replication });
      }
    }
  }
}
