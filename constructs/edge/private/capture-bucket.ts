/**
 * The bucket edge devices upload capture files to: S3-managed encryption (devices write with the
 * token exchange role; a KMS key would need grants on every device role), TLS only, public access
 * blocked, versioned, server access logs to a second bucket, retained with the data.
 */
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export class CaptureBucket extends Construct {
  public readonly bucket: s3.Bucket;
  public readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const common = {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
    };
    this.accessLogs = new s3.Bucket(this, 'AccessLogs', { ...common, objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED });
    this.bucket = new s3.Bucket(this, 'Bucket', { ...common, serverAccessLogsBucket: this.accessLogs, serverAccessLogsPrefix: 'captures/' });
    const kms = 'S3-managed encryption: the devices write through their token exchange role, and a customer key would need grants for every fleet role; captures hold model inputs only as the application sends them';
    const replication = 'a single-region fleet bucket; replicate it by policy of the account if the data must survive a region';
    for (const b of [this.bucket, this.accessLogs]) {
      for (const pack of ['NIST.800.53.R5', 'HIPAA.Security']) {
        Validations.of(b).acknowledge({ id: `${pack}-S3DefaultEncryptionKMS`, reason: kms });
        Validations.of(b).acknowledge({ id: `${pack}-S3BucketReplicationEnabled`, reason: replication });
      }
    }
    const logs = 'the access-log bucket itself: logging it into itself would loop';
    for (const id2 of ['AwsSolutions-S1', 'NIST.800.53.R5-S3BucketLoggingEnabled', 'HIPAA.Security-S3BucketLoggingEnabled']) Validations.of(this.accessLogs).acknowledge({ id: id2, reason: logs });
  }
}
