import { Construct } from 'constructs';
import { Token } from '../cdktf/binding';
import { ProjectIamMember, ServiceAccount, ServiceAccountIamMember } from '../cdktf/google';
import { Checker, GCP_ERRORS } from './private/errors';
import { VertexServingStack } from './vertex-serving-stack';

export interface ServingServiceAccountsProps {
  /**
   * Account ID of the identity the deployed model runs as.
   * @default 'servingstack-runtime'
   */
  readonly runtimeAccountId?: string;
  /**
   * Account ID of the identity `servingstack gcp deploy` runs as (CI).
   * @default 'servingstack-deployer'
   */
  readonly deployerAccountId?: string;
  /**
   * Principals allowed to impersonate the deployer (`roles/iam.serviceAccountTokenCreator`), e.g. a
   * CI workload identity `principalSet://…` or `group:ml-release@example.com`.
   * @default - none (grant impersonation outside this stack)
   */
  readonly deployerImpersonators?: readonly string[];
}

const ACCOUNT_ID = /^[a-z]([a-z0-9-]{4,28})[a-z0-9]$/;
const ACCOUNT_ID_ALLOWED = '6–30 lower-case letters, digits and dashes, starting with a letter';
const MEMBER = /^(user|group|serviceAccount|domain|principal|principalSet):.+$/;

/**
 * Two least-privilege service accounts:
 *
 * - **runtime**: what the deployed model runs as (`DeployedModel.service_account`). Project roles:
 *   `logging.logWriter`, `monitoring.metricWriter`; read access to the package bucket is granted by `VertexServing`
 *   (resource-level). Images are pulled by the Vertex AI service agent, not by this account.
 * - **deployer**: what the rollout runs as. Project roles: `aiplatform.user` (upload, deploy,
 *   traffic; the narrowest predefined role with `models.upload` and `endpoints.deploy`),
 *   `monitoring.viewer` (health check reads the error rate); `iam.serviceAccountUser` on the
 *   runtime account only (to deploy models that run as it); create-only access to the bucket.
 */
export class ServingServiceAccounts extends Construct {
  public readonly runtime: ServiceAccount;
  public readonly deployer: ServiceAccount;

  constructor(scope: Construct, id: string, props: ServingServiceAccountsProps = {}) {
    super(scope, id);
    const stack = VertexServingStack.of(this);
    const runtimeId = props.runtimeAccountId ?? 'servingstack-runtime';
    const deployerId = props.deployerAccountId ?? 'servingstack-deployer';
    const c = new Checker(GCP_ERRORS.IDENTITY, `ServingServiceAccounts at ${this.node.path} is invalid`, (v) => Token.isUnresolved(v));
    c.pattern('runtimeAccountId', runtimeId, ACCOUNT_ID, ACCOUNT_ID_ALLOWED);
    c.pattern('deployerAccountId', deployerId, ACCOUNT_ID, ACCOUNT_ID_ALLOWED);
    if (!Token.isUnresolved(runtimeId)) c.check(runtimeId !== deployerId, { field: 'deployerAccountId', message: 'equals runtimeAccountId: the two identities must differ', received: deployerId, allowed: `anything but ${runtimeId}` });
    (props.deployerImpersonators ?? []).forEach((m, i) => c.pattern(`deployerImpersonators[${i}]`, m, MEMBER, 'an IAM member such as group:x@example.com or principalSet://…'));
    c.throwIfAny();

    this.runtime = new ServiceAccount(this, 'Runtime', { accountId: runtimeId, displayName: 'ServingStack model runtime (Vertex AI deployed model)' });
    this.deployer = new ServiceAccount(this, 'Deployer', { accountId: deployerId, displayName: 'ServingStack rollout (servingstack gcp deploy)' });
    for (const role of ['roles/logging.logWriter', 'roles/monitoring.metricWriter']) {
      new ProjectIamMember(this, `Runtime-${role.split('/')[1]}`, { project: stack.project, role, member: this.runtimeMember });
    }
    for (const role of ['roles/aiplatform.user', 'roles/monitoring.viewer']) {
      new ProjectIamMember(this, `Deployer-${role.split('/')[1]}`, { project: stack.project, role, member: this.deployerMember });
    }
    new ServiceAccountIamMember(this, 'DeployerActsAsRuntime', { serviceAccountId: this.runtime.name, role: 'roles/iam.serviceAccountUser', member: this.deployerMember });
    (props.deployerImpersonators ?? []).forEach((member, i) => {
      new ServiceAccountIamMember(this, `DeployerImpersonator${i}`, { serviceAccountId: this.deployer.name, role: 'roles/iam.serviceAccountTokenCreator', member });
    });
  }

  /** `serviceAccount:EMAIL` of the runtime identity. */
  public get runtimeMember(): string {
    return `serviceAccount:${this.runtime.email}`;
  }

  /** `serviceAccount:EMAIL` of the deployer identity. */
  public get deployerMember(): string {
    return `serviceAccount:${this.deployer.email}`;
  }
}
