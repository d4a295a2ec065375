import { Construct } from 'constructs';
import { AzureServingStack } from './azure-serving-stack';
import type { IMlWorkspace } from './ml-workspace';
import { AzapiResource, Token } from './private/binding';
import { AzureErrorCodes, Checker, GUID } from './private/errors';
import { AzureModelMount } from '../../lib/core/contract/azure-model-mount';
import { BuiltInRole, grantRole } from './role-assignment';

export interface ModelStoreProps {
  readonly workspace: IMlWorkspace;
  /**
   * Blob container (in the workspace's storage account) model packages are uploaded to.
   * @default 'servingstack-models'
   */
  readonly containerName?: string;
  /**
   * Workspace datastore name pointing at the container (identity-based: no key stored).
   * @default 'servingstackmodels'
   */
  readonly datastoreName?: string;
  /**
   * Object ID of the principal that runs `servingstack azure upload` (a CI identity); it gets
   * Storage Blob Data Contributor on this container only.
   * @default - none (grant it yourself)
   */
  readonly uploaderPrincipalId?: string;
}

/**
 * Where model packages live: a private blob container in the workspace's storage account and an
 * identity-based datastore over it (`credentialsType: None`, so the workspace stores no account
 * key). `servingstack azure upload` writes `models/<name>/<version>/package/…` there; the model
 * version's `modelUri` points at that folder.
 */
export class ModelStore extends Construct {
  public readonly container: AzapiResource;
  public readonly datastore: AzapiResource;
  public readonly containerName: string;
  public readonly datastoreName: string;
  /** ARM ID of the container (the scope of read grants). */
  public readonly containerId: string;
  private readonly workspace: IMlWorkspace;

  constructor(scope: Construct, id: string, props: ModelStoreProps) {
    super(scope, id);
    const stack = AzureServingStack.of(this);
    const containerName = props.containerName ?? 'servingstack-models';
    const datastoreName = props.datastoreName ?? 'servingstackmodels';
    const c = new Checker(AzureErrorCodes.MODEL, `ModelStore at ${this.node.path} is invalid`, (v) => Token.isUnresolved(v));
    c.pattern('containerName', containerName, /^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, '3–63 lower-case letters, digits and single dashes, starting and ending with a letter or digit');
    c.pattern('datastoreName', datastoreName, /^[a-z0-9_]{1,255}$/, 'lower-case letters, digits and _');
    c.pattern('uploaderPrincipalId', props.uploaderPrincipalId, GUID, 'the object ID (a GUID) of the uploading principal');
    c.throwIfAny();
    this.workspace = props.workspace;
    this.containerName = containerName;
    this.datastoreName = datastoreName;
    this.container = stack.resource(this, 'Container', 'blobContainer', {
      name: containerName,
      parentId: `${props.workspace.storageAccountId}/blobServices/default`,
      body: { properties: { publicAccess: 'None' } },
    });
    this.containerId = this.container.id;
    this.datastore = stack.resource(this, 'Datastore', 'datastore', {
      name: datastoreName,
      parentId: props.workspace.workspaceId,
      body: {
        properties: {
          datastoreType: 'AzureBlob',
          accountName: props.workspace.storageAccountName,
          containerName,
          endpoint: 'core.windows.net',
          protocol: 'https',
          subscriptionId: props.workspace.subscriptionId,
          resourceGroup: props.workspace.resourceGroupName,
          credentials: { credentialsType: 'None' },
          serviceDataAccessAuthIdentity: 'WorkspaceSystemAssignedIdentity',
          description: 'ServingStack model packages (servingstack azure upload)',
        },
      },
      dependsOn: [this.container],
    });
    if (props.uploaderPrincipalId !== undefined) {
      grantRole(this, 'UploaderWritesPackages', { scopeId: this.containerId, principalId: props.uploaderPrincipalId, role: BuiltInRole.STORAGE_BLOB_DATA_CONTRIBUTOR, dependsOn: [this.container] });
    }
  }

  /** Blob path (inside the container) of a package version's folder, without a trailing slash. */
  public packagePath(modelName: string, modelVersion: string): string {
    // The folder name becomes the folder under Azure's model mount (AzureModelMount.packageDir).
    return `models/${modelName}/${modelVersion}/${AzureModelMount.PACKAGE_FOLDER}`;
  }

  /** `https://<account>.blob.core.windows.net/<container>/<path>`: where the upload writes. */
  public packageUrl(modelName: string, modelVersion: string): string {
    return `https://${this.workspace.storageAccountName}.blob.core.windows.net/${this.containerName}/${this.packagePath(modelName, modelVersion)}`;
  }

  /** The `azureml://` URI of a package folder: a model version's `modelUri`. */
  public modelUri(modelName: string, modelVersion: string): string {
    const w = this.workspace;
    return `azureml://subscriptions/${w.subscriptionId}/resourcegroups/${w.resourceGroupName}/workspaces/${w.workspaceName}/datastores/${this.datastoreName}/paths/${this.packagePath(modelName, modelVersion)}`;
  }
}
