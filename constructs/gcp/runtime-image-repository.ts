import { Construct } from 'constructs';
import { Token } from '../cdktf/binding';
import { ArtifactRegistryRepository, ArtifactRegistryRepositoryIamMember } from '../cdktf/google';
import { Checker, GCP_ERRORS } from './private/errors';
import { checkKmsKey } from './private/kms';
import { VertexServingStack } from './vertex-serving-stack';

export interface RuntimeImageRepositoryProps {
  /**
   * Repository ID.
   * @default 'servingstack-runtime'
   */
  readonly repositoryId?: string;
  /**
   * Cloud KMS key (CMEK) that encrypts the images; must be in the stack's region.
   * @default - Google-managed encryption
   */
  readonly kmsKeyName?: string;
  /**
   * Refuse to move a tag once pushed (a deployed version always names the same image).
   * @default false
   */
  readonly immutableTags?: boolean;
  /**
   * Most recent versions kept by the cleanup policy; older ones are deleted.
   * @default 10
   */
  readonly keepRecentVersions?: number;
}

/** An Artifact Registry Docker repository for the ServingStack runtime image, in the stack's region. */
export class RuntimeImageRepository extends Construct {
  public readonly resource: ArtifactRegistryRepository;
  /** `REGION-docker.pkg.dev/PROJECT/REPOSITORY`: prefix of image URIs. */
  public readonly repositoryUrl: string;
  public readonly repositoryId: string;

  constructor(scope: Construct, id: string, props: RuntimeImageRepositoryProps = {}) {
    super(scope, id);
    const stack = VertexServingStack.of(this);
    const repositoryId = props.repositoryId ?? 'servingstack-runtime';
    const keep = props.keepRecentVersions ?? 10;
    const c = new Checker(GCP_ERRORS.REPOSITORY, `RuntimeImageRepository at ${this.node.path} is invalid`, (v) => Token.isUnresolved(v));
    c.pattern('repositoryId', repositoryId, /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/, 'lower-case letters, digits and dashes, 1–63 characters, starting with a letter');
    checkKmsKey(c, 'kmsKeyName', props.kmsKeyName, stack.region);
    c.intRange('keepRecentVersions', keep, 1, 1000);
    c.throwIfAny();
    this.repositoryId = repositoryId;
    this.resource = new ArtifactRegistryRepository(this, 'Resource', {
      repositoryId,
      location: stack.region,
      format: 'DOCKER',
      description: 'ServingStack runtime images',
      kmsKeyName: props.kmsKeyName,
      dockerConfig: { immutableTags: props.immutableTags ?? false },
      cleanupPolicyDryRun: false,
      cleanupPolicies: [{ id: 'keep-recent', action: 'KEEP', mostRecentVersions: { keepCount: keep } }],
    });
    this.repositoryUrl = `${stack.region}-docker.pkg.dev/${stack.project}/${repositoryId}`;
  }

  /** Let `member` (e.g. `serviceAccount:x@p.iam.gserviceaccount.com`) pull images. */
  public grantRead(id: string, member: string): ArtifactRegistryRepositoryIamMember {
    return new ArtifactRegistryRepositoryIamMember(this, id, {
      location: this.resource.location,
      repository: this.resource.name,
      role: 'roles/artifactregistry.reader',
      member,
    });
  }
}
