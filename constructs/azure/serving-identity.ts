import { Construct } from 'constructs';
import { AzureServingStack } from './azure-serving-stack';
import type { IMlWorkspace } from './ml-workspace';
import type { ModelStore } from './model-store';
import { AzapiResource, Token } from './private/binding';
import { AzureErrorCodes, Checker, checkTags } from './private/errors';
import { BuiltInRole, grantRole } from './role-assignment';

export interface ServingIdentityProps {
  readonly workspace: IMlWorkspace;
  readonly store: ModelStore;
  /**
   * Identity name.
   * @default - `<workspace name>-serving-id`
   */
  readonly identityName?: string;
  /** @default - none */
  readonly tags?: { readonly [key: string]: string };
}

/**
 * The user-assigned managed identity the online endpoint's deployments run as, with only what a
 * deployment does: AcrPull on the workspace registry (the runtime image), Storage Blob Data
 * Reader on the model container only (not the account), and AzureML Metrics Writer on the
 * workspace (deployment metrics). It reads no Key Vault secret; Application Insights is written
 * by the platform with the workspace's connection, so no role is needed for it.
 */
export class ServingIdentity extends Construct {
  public readonly resource: AzapiResource;
  public readonly identityId: string;
  public readonly principalId: string;
  public readonly clientId: string;
  /** The role assignments, in the order above. */
  public readonly grants: AzapiResource[];

  constructor(scope: Construct, id: string, props: ServingIdentityProps) {
    super(scope, id);
    const stack = AzureServingStack.of(this);
    const name = props.identityName ?? `${props.workspace.workspaceName}-serving-id`;
    const c = new Checker(AzureErrorCodes.IDENTITY, `ServingIdentity at ${this.node.path} is invalid`, (v) => Token.isUnresolved(v));
    c.pattern('identityName', name, /^[A-Za-z0-9][A-Za-z0-9_-]{2,127}$/, '3–128 letters, digits, - and _, starting with a letter or digit');
    checkTags(c, 'tags', props.tags);
    c.throwIfAny();
    this.resource = stack.resource(this, 'Resource', 'userAssignedIdentity', {
      name, parentId: stack.resourceGroupId, location: stack.location, tags: props.tags, body: {},
      responseExportValues: ['properties.principalId', 'properties.clientId'],
    });
    this.identityId = this.resource.id;
    this.principalId = this.resource.output('properties.principalId');
    this.clientId = this.resource.output('properties.clientId');
    this.grants = [
      grantRole(this, 'PullsRuntimeImage', { scopeId: props.workspace.containerRegistryId, principalId: this.principalId, role: BuiltInRole.ACR_PULL }),
      grantRole(this, 'ReadsModelPackages', { scopeId: props.store.containerId, principalId: this.principalId, role: BuiltInRole.STORAGE_BLOB_DATA_READER, dependsOn: [props.store.container] }),
      grantRole(this, 'WritesMetrics', { scopeId: props.workspace.workspaceId, principalId: this.principalId, role: BuiltInRole.AZUREML_METRICS_WRITER }),
    ];
  }
}
