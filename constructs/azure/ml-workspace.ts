import { Construct } from 'constructs';
import { AzureServingStack } from './azure-serving-stack';
import { AzapiResource, Token } from './private/binding';
import { AzureErrorCodes, Checker, armIdPattern, checkTags } from './private/errors';
import { lastSegment, shortHash } from './private/naming';
import { BuiltInRole, grantRole } from './role-assignment';
import { PRIVATE_LINK_GROUPS, WorkspaceNetworking } from './workspace-networking';

/** A workspace the serving constructs deploy into: created here or brought by ID. */
export interface IMlWorkspace {
  /** ARM ID of the workspace. */
  readonly workspaceId: string;
  readonly workspaceName: string;
  /** Subscription and resource group of the workspace (model URIs name them). */
  readonly subscriptionId: string;
  readonly resourceGroupName: string;
  /** ARM ID of the workspace's storage account (model packages go to a container in it). */
  readonly storageAccountId: string;
  readonly storageAccountName: string;
  /** ARM ID of the workspace's container registry (the runtime image is pushed there). */
  readonly containerRegistryId: string;
  /** `<name>.azurecr.io`. */
  readonly registryLoginServer: string;
  /** Public or private, as the workspace was set up. */
  readonly networking: WorkspaceNetworking;
  /**
   * ARM ID of the Log Analytics workspace behind the workspace's Application Insights: where the
   * endpoints' logs go and where the log alerts query.
   * @default - none (a brought-in workspace names it in its attributes, or monitoring asks for it)
   */
  readonly logAnalyticsWorkspaceId?: string;
  /**
   * ARM ID of the workspace's Key Vault: where the feedback token key is kept.
   * @default - none (a brought-in workspace names it in its attributes)
   */
  readonly keyVaultId?: string;
}

export interface MlWorkspaceAttributes {
  /** ARM ID of an existing workspace. */
  readonly workspaceId: string;
  /** ARM ID of its storage account. */
  readonly storageAccountId: string;
  /** ARM ID of its container registry. */
  readonly containerRegistryId: string;
  /**
   * Whether the workspace is reached through private endpoints (the endpoint and deployments
   * then turn public access off too).
   * @default false
   */
  readonly isPrivate?: boolean;
  /**
   * ARM ID of the Log Analytics workspace the endpoints' logs go to (monitoring).
   * @default - none
   */
  readonly logAnalyticsWorkspaceId?: string;
  /**
   * ARM ID of the workspace's Key Vault (the feedback token key is kept there).
   * @default - none (AzureMlServing then needs `feedbackKey: false`)
   */
  readonly keyVaultId?: string;
}

/** Storage account redundancy (`sku.name` of `Microsoft.Storage/storageAccounts`). */
export class StorageRedundancy {
  /** Three copies in one datacenter. */
  public static readonly LRS = new StorageRedundancy('Standard_LRS');
  /** Three copies across availability zones (the default). */
  public static readonly ZRS = new StorageRedundancy('Standard_ZRS');
  /** LRS plus an asynchronous copy in the paired region. */
  public static readonly GRS = new StorageRedundancy('Standard_GRS');
  /** GRS with read access to the secondary. */
  public static readonly RAGRS = new StorageRedundancy('Standard_RAGRS');

  private constructor(
    /** The SKU name sent to ARM. */
    public readonly skuName: 'Standard_LRS' | 'Standard_ZRS' | 'Standard_GRS' | 'Standard_RAGRS',
  ) {}

  public toString(): string {
    return this.skuName;
  }
}

export interface CustomerManagedKeyOptions {
  /**
   * Key size in bits of the RSA key created in the workspace's key vault: 2048, 3072 or 4096.
   * @default 3072
   */
  readonly keySize?: number;
  /**
   * Rotate the key this many days after creation.
   * @default 365
   */
  readonly rotateAfterDays?: number;
}

export interface MlWorkspaceProps {
  /**
   * Workspace name.
   * @default - `<namePrefix>-mlw`
   */
  readonly workspaceName?: string;
  /**
   * Prefix of the dependency names (storage account, key vault, registry, Log Analytics, App
   * Insights); 3–11 lower-case letters and digits (storage account and registry names are global).
   * @default - derived from the construct path (stable across synths)
   */
  readonly namePrefix?: string;
  /**
   * Public service endpoints, or public access off with private endpoints.
   * @default WorkspaceNetworking.publicAccess()
   */
  readonly networking?: WorkspaceNetworking;
  /**
   * Encrypt the workspace, storage and registry with a customer-managed key created in the
   * workspace's key vault (a user-assigned identity gets Key Vault Crypto Service Encryption User).
   * @default - Microsoft-managed keys
   */
  readonly customerManagedKey?: CustomerManagedKeyOptions;
  /**
   * Storage redundancy.
   * @default StorageRedundancy.ZRS
   */
  readonly storageRedundancy?: StorageRedundancy;
  /**
   * Log retention of the Log Analytics workspace behind Application Insights.
   * @default 30
   */
  readonly logRetentionDays?: number;
  /**
   * Tags on every resource here.
   * @default - the provider's default tags only
   */
  readonly tags?: { readonly [key: string]: string };
}

/**
 * An Azure Machine Learning workspace with its dependencies: storage account (TLS 1.2, no public
 * blob access, versioning-ready), key vault (RBAC, purge protection), container registry (no admin
 * user, no anonymous pull; Premium when private or CMK), Log Analytics + workspace-based
 * Application Insights. Optionally customer-managed keys and private endpoints.
 * `MlWorkspace.fromWorkspaceAttributes()` brings your own workspace instead.
 */
export class MlWorkspace extends Construct implements IMlWorkspace {
  /** An existing workspace, by ARM ID. */
  public static fromWorkspaceAttributes(scope: Construct, id: string, attrs: MlWorkspaceAttributes): IMlWorkspace {
    const c = new Checker(AzureErrorCodes.WORKSPACE, `MlWorkspace.fromWorkspaceAttributes at ${scope.node.path}/${id} is invalid`, (v) => Token.isUnresolved(v));
    c.pattern('workspaceId', attrs.workspaceId, armIdPattern('Microsoft.MachineLearningServices/workspaces'), '/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.MachineLearningServices/workspaces/<name>');
    c.pattern('storageAccountId', attrs.storageAccountId, armIdPattern('Microsoft.Storage/storageAccounts'), '/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.Storage/storageAccounts/<name>');
    c.pattern('containerRegistryId', attrs.containerRegistryId, armIdPattern('Microsoft.ContainerRegistry/registries'), '/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.ContainerRegistry/registries/<name>');
    c.pattern('keyVaultId', attrs.keyVaultId, armIdPattern('Microsoft.KeyVault/vaults'), '/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.KeyVault/vaults/<name>');
    c.pattern('logAnalyticsWorkspaceId', attrs.logAnalyticsWorkspaceId, armIdPattern('Microsoft.OperationalInsights/workspaces'), '/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.OperationalInsights/workspaces/<name>');
    c.throwIfAny();
    const registryName = lastSegment(attrs.containerRegistryId);
    const stack = AzureServingStack.of(scope);
    const parts = Token.isUnresolved(attrs.workspaceId) ? [] : attrs.workspaceId.split('/');
    return {
      workspaceId: attrs.workspaceId,
      workspaceName: lastSegment(attrs.workspaceId),
      subscriptionId: parts[2] ?? stack.subscriptionId,
      resourceGroupName: parts[4] ?? stack.resourceGroupName,
      storageAccountId: attrs.storageAccountId,
      storageAccountName: lastSegment(attrs.storageAccountId),
      containerRegistryId: attrs.containerRegistryId,
      registryLoginServer: `${registryName.toLowerCase()}.azurecr.io`,
      networking: attrs.isPrivate ? WorkspaceNetworking.privateEndpoints({ subnetId: '(existing)' }) : WorkspaceNetworking.publicAccess(),
      logAnalyticsWorkspaceId: attrs.logAnalyticsWorkspaceId,
      keyVaultId: attrs.keyVaultId,
    };
  }

  public readonly workspaceId: string;
  public readonly workspaceName: string;
  public readonly subscriptionId: string;
  public readonly resourceGroupName: string;
  public readonly storageAccountId: string;
  public readonly storageAccountName: string;
  public readonly containerRegistryId: string;
  public readonly registryLoginServer: string;
  public readonly networking: WorkspaceNetworking;
  public readonly logAnalyticsWorkspaceId: string;
  public readonly keyVaultId: string;
  public readonly resource: AzapiResource;
  public readonly storageAccount: AzapiResource;
  public readonly keyVault: AzapiResource;
  public readonly containerRegistry: AzapiResource;
  public readonly logAnalytics: AzapiResource;
  public readonly applicationInsights: AzapiResource;
  /** The customer-managed key, when requested. */
  public readonly key?: AzapiResource;
  /** The identity that unwraps the customer-managed key, when requested. */
  public readonly encryptionIdentity?: AzapiResource;

  constructor(scope: Construct, id: string, props: MlWorkspaceProps = {}) {
    super(scope, id);
    const stack = AzureServingStack.of(this);
    const networking = props.networking ?? WorkspaceNetworking.publicAccess();
    const prefix = props.namePrefix ?? `ss${shortHash(`${stack.resourceGroupName}/${this.node.path}`)}`;
    const workspaceName = props.workspaceName ?? `${prefix}-mlw`;
    const c = new Checker(AzureErrorCodes.WORKSPACE, `MlWorkspace at ${this.node.path} is invalid`, (v) => Token.isUnresolved(v));
    c.pattern('namePrefix', prefix, /^[a-z][a-z0-9]{2,10}$/, '3–11 lower-case letters and digits, starting with a letter (storage account and registry names are global)');
    c.pattern('workspaceName', workspaceName, /^[a-zA-Z0-9][a-zA-Z0-9_-]{2,32}$/, '3–33 letters, digits, - and _, starting with a letter or digit');
    c.intRange('logRetentionDays', props.logRetentionDays ?? 30, 30, 730, 'days');
    c.intRange('customerManagedKey.rotateAfterDays', props.customerManagedKey?.rotateAfterDays, 7, 3650, 'days');
    const keySize = props.customerManagedKey?.keySize ?? 3072;
    c.check(keySize === 2048 || keySize === 3072 || keySize === 4096, { field: 'customerManagedKey.keySize', message: 'is not an RSA key size Key Vault creates', received: keySize, allowed: '2048, 3072 or 4096' });
    checkTags(c, 'tags', props.tags);
    c.throwIfAny();
    const n = new Checker(AzureErrorCodes.NETWORK, `MlWorkspace at ${this.node.path} has invalid networking`, (v) => Token.isUnresolved(v));
    if (networking.isPrivate) n.pattern('networking.subnetId', networking.subnetId, armIdPattern('Microsoft.Network/virtualNetworks/subnets'), '/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.Network/virtualNetworks/<vnet>/subnets/<subnet>');
    n.throwIfAny();

    const tags = props.tags;
    const rg = stack.resourceGroupId;
    const access = networking.publicNetworkAccess;
    const acls = { defaultAction: networking.isPrivate ? 'Deny' : 'Allow', bypass: 'AzureServices' } as const;
    const cmk = props.customerManagedKey;

    this.keyVault = stack.resource(this, 'KeyVault', 'keyVault', {
      name: `${prefix}-kv`,
      parentId: rg,
      location: stack.location,
      tags,
      body: {
        properties: {
          tenantId: stack.tenantId,
          sku: { family: 'A', name: 'standard' },
          enableRbacAuthorization: true,
          enableSoftDelete: true,
          softDeleteRetentionInDays: 90,
          enablePurgeProtection: true,
          publicNetworkAccess: access,
          networkAcls: acls,
        },
      },
      responseExportValues: ['properties.vaultUri'],
    });

    let keyName: string | undefined;
    if (cmk) {
      keyName = 'servingstack-cmk';
      this.encryptionIdentity = stack.resource(this, 'EncryptionIdentity', 'userAssignedIdentity', {
        name: `${prefix}-cmk-id`, parentId: rg, location: stack.location, tags, body: {},
        responseExportValues: ['properties.principalId', 'properties.clientId'],
      });
      this.key = stack.resource(this, 'Key', 'keyVaultKey', {
        name: keyName,
        parentId: this.keyVault.id,
        body: {
          properties: {
            kty: 'RSA',
            keySize: keySize as 2048 | 3072 | 4096,
            keyOps: ['wrapKey', 'unwrapKey'],
            rotationPolicy: {
              lifetimeActions: [{ action: { type: 'rotate' }, trigger: { timeAfterCreate: `P${cmk.rotateAfterDays ?? 365}D` } }],
              attributes: { expiryTime: `P${(cmk.rotateAfterDays ?? 365) * 2}D` },
            },
          },
        },
        responseExportValues: ['properties.keyUri', 'properties.keyUriWithVersion'],
      });
      grantRole(this, 'EncryptionIdentityUnwrapsKey', {
        scopeId: this.keyVault.id,
        principalId: this.encryptionIdentity.output('properties.principalId'),
        role: BuiltInRole.KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER,
      });
    }
    const cmkIdentity = this.encryptionIdentity ? { type: 'UserAssigned' as const, identityIds: [this.encryptionIdentity.id] } : undefined;

    this.storageAccount = stack.resource(this, 'Storage', 'storageAccount', {
      name: `${prefix}st`,
      parentId: rg,
      location: stack.location,
      tags,
      identity: cmkIdentity,
      body: {
        kind: 'StorageV2',
        sku: { name: (props.storageRedundancy ?? StorageRedundancy.ZRS).skuName },
        properties: {
          minimumTlsVersion: 'TLS1_2',
          supportsHttpsTrafficOnly: true,
          allowBlobPublicAccess: false,
          publicNetworkAccess: access,
          networkAcls: acls,
          encryption: {
            keySource: cmk ? 'Microsoft.Keyvault' : 'Microsoft.Storage',
            requireInfrastructureEncryption: true,
            services: { blob: { enabled: true, keyType: 'Account' }, file: { enabled: true, keyType: 'Account' } },
            ...(cmk ? { keyvaultproperties: { keyname: keyName!, keyvaulturi: this.keyVault.output('properties.vaultUri') }, identity: { userAssignedIdentity: this.encryptionIdentity!.id } } : {}),
          },
        },
      },
    });

    this.containerRegistry = stack.resource(this, 'Registry', 'containerRegistry', {
      name: `${prefix}acr`,
      parentId: rg,
      location: stack.location,
      tags,
      identity: cmkIdentity,
      body: {
        sku: { name: networking.isPrivate || cmk ? 'Premium' : 'Standard' },
        properties: {
          adminUserEnabled: false,
          anonymousPullEnabled: false,
          publicNetworkAccess: access,
          networkRuleBypassOptions: 'AzureServices',
          ...(cmk ? { encryption: { status: 'enabled', keyVaultProperties: { keyIdentifier: this.key!.output('properties.keyUri'), identity: this.encryptionIdentity!.output('properties.clientId') } } } : {}),
        },
      },
      responseExportValues: ['properties.loginServer'],
    });

    this.logAnalytics = stack.resource(this, 'LogAnalytics', 'logAnalyticsWorkspace', {
      name: `${prefix}-log`,
      parentId: rg,
      location: stack.location,
      tags,
      body: { properties: { sku: { name: 'PerGB2018' }, retentionInDays: props.logRetentionDays ?? 30, publicNetworkAccessForIngestion: 'Enabled', publicNetworkAccessForQuery: 'Enabled' } },
    });
    this.applicationInsights = stack.resource(this, 'AppInsights', 'applicationInsights', {
      name: `${prefix}-appi`,
      parentId: rg,
      location: stack.location,
      tags,
      body: {
        kind: 'web',
        properties: { Application_Type: 'web', WorkspaceResourceId: this.logAnalytics.id, IngestionMode: 'LogAnalytics', publicNetworkAccessForIngestion: 'Enabled', publicNetworkAccessForQuery: 'Enabled', DisableLocalAuth: false },
      },
    });

    this.resource = stack.resource(this, 'Resource', 'workspace', {
      name: workspaceName,
      parentId: rg,
      location: stack.location,
      tags,
      identity: this.encryptionIdentity ? { type: 'SystemAssigned, UserAssigned', identityIds: [this.encryptionIdentity.id] } : { type: 'SystemAssigned' },
      body: {
        sku: { name: 'Basic', tier: 'Basic' },
        kind: 'Default',
        properties: {
          friendlyName: workspaceName,
          storageAccount: this.storageAccount.id,
          keyVault: this.keyVault.id,
          containerRegistry: this.containerRegistry.id,
          applicationInsights: this.applicationInsights.id,
          publicNetworkAccess: access,
          hbiWorkspace: cmk !== undefined,
          v1LegacyMode: false,
          ...(cmk
            ? {
              encryption: {
                status: 'Enabled',
                identity: { userAssignedIdentity: this.encryptionIdentity!.id },
                keyVaultProperties: { keyVaultArmId: this.keyVault.id, keyIdentifier: this.key!.output('properties.keyUriWithVersion'), identityClientId: this.encryptionIdentity!.output('properties.clientId') },
              },
            }
            : {}),
        },
      },
    });

    if (networking.isPrivate) {
      const targets: [string, AzapiResource, string][] = [
        ['Workspace', this.resource, PRIVATE_LINK_GROUPS.workspace],
        ['StorageBlob', this.storageAccount, PRIVATE_LINK_GROUPS.storageBlob],
        ['KeyVault', this.keyVault, PRIVATE_LINK_GROUPS.keyVault],
        ['Registry', this.containerRegistry, PRIVATE_LINK_GROUPS.registry],
      ];
      for (const [name, target, group] of targets) {
        stack.resource(this, `${name}PrivateEndpoint`, 'privateEndpoint', {
          name: `${prefix}-${group}-pe`,
          parentId: rg,
          location: stack.location,
          tags,
          body: { properties: { subnet: { id: networking.subnetId! }, privateLinkServiceConnections: [{ name: `${prefix}-${group}`, properties: { privateLinkServiceId: target.id, groupIds: [group] } }] } },
        });
      }
    }

    this.networking = networking;
    this.workspaceId = this.resource.id;
    this.workspaceName = workspaceName;
    this.subscriptionId = stack.subscriptionId;
    this.resourceGroupName = stack.resourceGroupName;
    this.storageAccountId = this.storageAccount.id;
    this.storageAccountName = `${prefix}st`;
    this.containerRegistryId = this.containerRegistry.id;
    this.registryLoginServer = `${prefix}acr.azurecr.io`;
    this.logAnalyticsWorkspaceId = this.logAnalytics.id;
    this.keyVaultId = this.keyVault.id;
  }
}
