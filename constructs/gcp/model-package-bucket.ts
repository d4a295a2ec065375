import { Construct } from 'constructs';
import { Token } from '../cdktf/binding';
import { StorageBucket, StorageBucketIamMember } from '../cdktf/google';
import { Checker, GCP_ERRORS } from './private/errors';
import { checkKmsKey } from './private/kms';
import { VertexServingStack } from './vertex-serving-stack';

export interface ModelPackageBucketProps {
  /**
   * Globally unique bucket name.
   * @default - `PROJECT-servingstack-models`
   */
  readonly bucketName?: string;
  /**
   * Cloud KMS key (CMEK) for objects; must be in the stack's region.
   * @default - Google-managed encryption
   */
  readonly kmsKeyName?: string;
  /**
   * Days a replaced or deleted package version is kept before deletion.
   * @default 30
   */
  readonly noncurrentVersionRetentionDays?: number;
  /**
   * Let `terraform destroy` delete a bucket that still holds objects.
   * @default false
   */
  readonly forceDestroy?: boolean;
}

/**
 * The Cloud Storage bucket model packages are uploaded to (`gs://BUCKET/models/NAME/VERSION-SHA/`):
 * regional, versioned, uniform bucket-level access, public access prevention enforced.
 */
export class ModelPackageBucket extends Construct {
  public readonly resource: StorageBucket;
  public readonly bucketName: string;

  constructor(scope: Construct, id: string, props: ModelPackageBucketProps = {}) {
    super(scope, id);
    const stack = VertexServingStack.of(this);
    const bucketName = props.bucketName ?? `${stack.project}-servingstack-models`;
    const days = props.noncurrentVersionRetentionDays ?? 30;
    const c = new Checker(GCP_ERRORS.BUCKET, `ModelPackageBucket at ${this.node.path} is invalid`, (v) => Token.isUnresolved(v));
    c.pattern('bucketName', bucketName, /^(?!goog)[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]$/, 'lower-case letters, digits, dashes and underscores, 3–63 characters, starting and ending with a letter or digit, not starting with "goog"');
    checkKmsKey(c, 'kmsKeyName', props.kmsKeyName, stack.region);
    c.intRange('noncurrentVersionRetentionDays', days, 1, 3650, 'days');
    c.throwIfAny();
    this.bucketName = bucketName;
    this.resource = new StorageBucket(this, 'Resource', {
      name: bucketName,
      location: stack.region,
      storageClass: 'STANDARD',
      uniformBucketLevelAccess: true,
      publicAccessPrevention: 'enforced',
      versioning: { enabled: true },
      forceDestroy: props.forceDestroy ?? false,
      encryption: props.kmsKeyName ? { defaultKmsKeyName: props.kmsKeyName } : undefined,
      lifecycleRule: [{ action: { type: 'Delete' }, condition: { daysSinceNoncurrentTime: days, withState: 'ARCHIVED' } }],
    });
  }

  /** `gs://BUCKET/models`: where the rollout uploads packages. */
  public get artifactPrefix(): string {
    return `gs://${this.bucketName}/models`;
  }

  /** Let `member` read packages (the runtime's service account). */
  public grantRead(id: string, member: string): StorageBucketIamMember {
    return new StorageBucketIamMember(this, id, { bucket: this.resource.name, role: 'roles/storage.objectViewer', member });
  }

  /** Let `member` add packages without deleting or overwriting (the deployer). */
  public grantCreate(id: string, member: string): StorageBucketIamMember {
    return new StorageBucketIamMember(this, id, { bucket: this.resource.name, role: 'roles/storage.objectCreator', member });
  }
}
