import type { NetworkAccess } from './azapi/bodies';

export interface PrivateEndpointOptions {
  /** ARM ID of the subnet the private endpoints are placed in. */
  readonly subnetId: string;
}

/**
 * How the workspace and its dependencies are reached. `publicAccess()` keeps the service
 * endpoints public (authentication still required everywhere); `privateEndpoints()` turns public
 * network access off on the workspace, storage account, key vault, registry (Premium) and online
 * endpoint, and adds a private endpoint for each in the given subnet. DNS: link the
 * `privatelink.*` zones (api.azureml.ms, notebooks.azure.net, blob.core.windows.net,
 * vaultcore.azure.net, azurecr.io) to your VNet; they usually exist once per hub network.
 */
export class WorkspaceNetworking {
  /** Public service endpoints (the default). */
  public static publicAccess(): WorkspaceNetworking {
    return new WorkspaceNetworking('Enabled');
  }

  /** Public network access off; private endpoints in `subnetId`. */
  public static privateEndpoints(options: PrivateEndpointOptions): WorkspaceNetworking {
    return new WorkspaceNetworking('Disabled', options.subnetId);
  }

  private constructor(public readonly publicNetworkAccess: NetworkAccess, public readonly subnetId?: string) {}

  public get isPrivate(): boolean {
    return this.publicNetworkAccess === 'Disabled';
  }
}

/** Private link group IDs per resource (learn.microsoft.com/azure/private-link/private-endpoint-overview, "Private link resource"). */
export const PRIVATE_LINK_GROUPS = {
  workspace: 'amlworkspace',
  storageBlob: 'blob',
  keyVault: 'vault',
  registry: 'registry',
} as const;
