import { Construct } from 'constructs';
import { AzureServingStack } from './azure-serving-stack';
import { AzapiResource, Fn, ITerraformDependable } from './private/binding';

/**
 * Azure built-in roles the Azure target assigns, by role definition GUID (the GUIDs are the same
 * in every tenant: learn.microsoft.com/azure/role-based-access-control/built-in-roles). `.of()` is
 * the escape hatch for another role.
 */
export class BuiltInRole {
  /** Pull images from a container registry. */
  public static readonly ACR_PULL = new BuiltInRole('AcrPull', '7f951dda-4ed3-4680-a7ca-43fe172d538d');
  /** Read blobs (data plane); assigned on one container, not the account. */
  public static readonly STORAGE_BLOB_DATA_READER = new BuiltInRole('Storage Blob Data Reader', '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1');
  /** Read, write and delete blobs: the deployer that uploads model packages. */
  public static readonly STORAGE_BLOB_DATA_CONTRIBUTOR = new BuiltInRole('Storage Blob Data Contributor', 'ba92f5b4-2d11-453d-a403-e96b0029c9fe');
  /** Write metrics to an Azure ML workspace (what an online deployment's identity needs for its metrics). */
  public static readonly AZUREML_METRICS_WRITER = new BuiltInRole('AzureML Metrics Writer (preview)', '635dd51f-9968-44d3-b7fb-6d9a6bd613ae');
  /** Wrap and unwrap with Key Vault keys: what a customer-managed-key identity needs. */
  public static readonly KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER = new BuiltInRole('Key Vault Crypto Service Encryption User', 'e147488a-f6f5-4113-8e2d-b22465e65bf6');
  /** Read Key Vault secrets. */
  public static readonly KEY_VAULT_SECRETS_USER = new BuiltInRole('Key Vault Secrets User', '4633458b-17de-408a-b874-0445c86b69e6');
  /** Publish metrics to Azure Monitor (Application Insights with local authentication off). */
  public static readonly MONITORING_METRICS_PUBLISHER = new BuiltInRole('Monitoring Metrics Publisher', '3913510d-42f4-4e42-8a64-420c390055eb');

  /** Any role by name and definition GUID. */
  public static of(name: string, guid: string): BuiltInRole {
    return new BuiltInRole(name, guid);
  }

  private constructor(public readonly roleName: string, public readonly guid: string) {}
}

export interface RoleGrant {
  /** ARM ID the assignment is scoped to (a registry, a blob container, a workspace…). */
  readonly scopeId: string;
  /** Object ID of the principal (a managed identity's `principalId`). */
  readonly principalId: string;
  readonly role: BuiltInRole;
  /** @default - none */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * One role assignment (`Microsoft.Authorization/roleAssignments`). Its name is a GUID derived
 * with `uuidv5(scope/principal/role)`, so re-applying never duplicates it (as Bicep's `guid()`).
 */
export function grantRole(scope: Construct, id: string, grant: RoleGrant): AzapiResource {
  const stack = AzureServingStack.of(scope);
  return stack.resource(scope, id, 'roleAssignment', {
    name: Fn.uuidv5('url', `${grant.scopeId}/${grant.principalId}/${grant.role.guid}`),
    parentId: grant.scopeId,
    body: {
      properties: {
        roleDefinitionId: stack.roleDefinitionId(grant.role.guid),
        principalId: grant.principalId,
        principalType: 'ServicePrincipal',
        description: `${grant.role.roleName} (servingstack)`,
      },
    },
    dependsOn: grant.dependsOn,
  });
}
