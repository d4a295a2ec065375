/**
 * Typed request bodies of the ARM resource types in {@link AZAPI_TYPES}, at the API version
 * stated there. Only the properties the Azure target writes are typed (azapi merges what ARM
 * returns). Shapes follow the REST specs' examples, e.g.
 * `Microsoft.MachineLearningServices/stable/2024-10-01/examples/OnlineDeployment/ManagedOnlineDeployment/createOrUpdate.json`,
 * `…/Workspace/create.json`, `…/Workspace/EnvironmentVersion/createOrUpdate.json`,
 * `…/Workspace/ModelVersion/createOrUpdate.json`, `…/Datastore/*`.
 * Durations are ISO 8601 (`PT10S`); autoscale capacities are strings, as ARM defines them.
 */

type Str = string;
export type NetworkAccess = 'Enabled' | 'Disabled';

// --- Microsoft.MachineLearningServices (2024-10-01) -----------------------------------------

export interface WorkspaceBody {
  readonly sku: { readonly name: 'Basic'; readonly tier: 'Basic' };
  readonly kind: 'Default';
  readonly properties: {
    readonly friendlyName?: Str;
    readonly description?: Str;
    readonly storageAccount: Str;
    readonly keyVault: Str;
    readonly containerRegistry: Str;
    readonly applicationInsights: Str;
    readonly publicNetworkAccess: NetworkAccess;
    /** The user-assigned identity the workspace acts as (ARM ID). */
    readonly primaryUserAssignedIdentity?: Str;
    readonly hbiWorkspace: boolean;
    readonly v1LegacyMode: false;
    readonly encryption?: {
      readonly status: 'Enabled';
      readonly identity: { readonly userAssignedIdentity: Str };
      readonly keyVaultProperties: { readonly keyVaultArmId: Str; readonly keyIdentifier: Str; readonly identityClientId: Str };
    };
  };
}

export interface DatastoreBody {
  readonly properties: {
    readonly datastoreType: 'AzureBlob';
    readonly accountName: Str;
    readonly containerName: Str;
    readonly endpoint: 'core.windows.net';
    readonly protocol: 'https';
    readonly subscriptionId?: Str;
    readonly resourceGroup?: Str;
    /** Identity-based access: no key or SAS stored in the workspace. */
    readonly credentials: { readonly credentialsType: 'None' };
    readonly serviceDataAccessAuthIdentity: 'None' | 'WorkspaceSystemAssignedIdentity' | 'WorkspaceUserAssignedIdentity';
    readonly description?: Str;
    readonly tags?: Record<string, Str>;
  };
}

export interface ModelVersionBody {
  readonly properties: {
    /** What the Azure ML SDK v2 and CLI send for a folder of files (`AssetTypes.CUSTOM_MODEL`). */
    readonly modelType: 'custom_model';
    /** `azureml://subscriptions/…/datastores/<name>/paths/<folder>` */
    readonly modelUri: Str;
    readonly description?: Str;
    readonly tags: Record<string, Str>;
    readonly properties: Record<string, Str>;
    readonly isAnonymous: false;
    readonly isArchived?: boolean;
  };
}

export interface RouteBody {
  readonly path: Str;
  readonly port: number;
}

export interface EnvironmentVersionBody {
  readonly properties: {
    readonly image: Str;
    readonly osType: 'Linux';
    readonly inferenceConfig: { readonly livenessRoute: RouteBody; readonly readinessRoute: RouteBody; readonly scoringRoute: RouteBody };
    readonly autoRebuild: 'Disabled';
    readonly description?: Str;
    readonly tags?: Record<string, Str>;
    readonly isAnonymous: false;
  };
}

export type EndpointAuthModeValue = 'Key' | 'AMLToken' | 'AADToken';

export interface OnlineEndpointBody {
  readonly kind?: Str;
  readonly properties: {
    readonly authMode: EndpointAuthModeValue;
    readonly description?: Str;
    readonly publicNetworkAccess: NetworkAccess;
    readonly properties?: Record<string, Str>;
  };
}

/** The part of an endpoint that azapi_update_resource patches once the deployments exist. */
export interface EndpointTrafficBody {
  readonly properties: {
    /** deployment name → percent (sum 100, or empty). */
    readonly traffic: Record<string, number>;
    /** deployment name → percent of copied traffic (sum ≤ 50). */
    readonly mirrorTraffic: Record<string, number>;
  };
}

export interface ProbeBody {
  readonly initialDelay: Str;
  readonly period: Str;
  readonly timeout: Str;
  readonly failureThreshold: number;
  readonly successThreshold: number;
}

export interface OnlineDeploymentBody {
  readonly sku: { readonly name: 'Default'; readonly capacity: number };
  readonly kind: 'Managed';
  readonly properties: {
    readonly endpointComputeType: 'Managed';
    readonly instanceType: Str;
    readonly model: Str;
    readonly environmentId: Str;
    readonly environmentVariables: Record<string, Str>;
    readonly livenessProbe: ProbeBody;
    readonly readinessProbe: ProbeBody;
    readonly requestSettings: { readonly maxConcurrentRequestsPerInstance: number; readonly requestTimeout: Str };
    readonly scaleSettings: { readonly scaleType: 'Default' };
    readonly appInsightsEnabled: boolean;
    readonly egressPublicNetworkAccess: NetworkAccess;
    readonly description?: Str;
    readonly properties?: Record<string, Str>;
  };
}

// --- Microsoft.Authorization (2022-04-01) -------------------------------------------------

export interface RoleAssignmentBody {
  readonly properties: {
    /** `/subscriptions/<sub>/providers/Microsoft.Authorization/roleDefinitions/<guid>` */
    readonly roleDefinitionId: Str;
    readonly principalId: Str;
    readonly principalType: 'ServicePrincipal' | 'User' | 'Group';
    readonly description?: Str;
  };
}

// --- Microsoft.Insights ---------------------------------------------------------------------

export interface MetricTriggerBody {
  readonly metricName: Str;
  readonly metricNamespace: Str;
  readonly metricResourceUri: Str;
  readonly timeGrain: Str;
  readonly statistic: 'Average' | 'Min' | 'Max' | 'Sum' | 'Count';
  readonly timeWindow: Str;
  readonly timeAggregation: 'Average' | 'Minimum' | 'Maximum' | 'Total' | 'Count' | 'Last';
  readonly operator: 'GreaterThan' | 'GreaterThanOrEqual' | 'LessThan' | 'LessThanOrEqual' | 'Equals' | 'NotEquals';
  readonly threshold: number;
}

export interface ScaleRuleBody {
  readonly metricTrigger: MetricTriggerBody;
  readonly scaleAction: { readonly direction: 'Increase' | 'Decrease'; readonly type: 'ChangeCount'; readonly value: Str; readonly cooldown: Str };
}

export interface AutoscaleProfileBody {
  readonly name: Str;
  readonly capacity: { readonly minimum: Str; readonly maximum: Str; readonly default: Str };
  readonly rules: ScaleRuleBody[];
  readonly recurrence?: { readonly frequency: 'Week'; readonly schedule: { readonly timeZone: Str; readonly days: Str[]; readonly hours: number[]; readonly minutes: number[] } };
}

export interface AutoscaleSettingBody {
  readonly properties: {
    readonly name: Str;
    readonly enabled: boolean;
    readonly targetResourceUri: Str;
    readonly profiles: AutoscaleProfileBody[];
    readonly notifications: unknown[];
  };
}

export type AzureSeverityLevel = 0 | 1 | 2 | 3 | 4;

export interface MetricAlertCriterionBody {
  readonly criterionType: 'StaticThresholdCriterion';
  readonly name: Str;
  readonly metricName: Str;
  readonly metricNamespace?: Str;
  readonly operator: 'GreaterThan' | 'GreaterThanOrEqual' | 'LessThan' | 'LessThanOrEqual' | 'Equals';
  readonly threshold: number;
  readonly timeAggregation: 'Average' | 'Minimum' | 'Maximum' | 'Total' | 'Count';
  readonly dimensions?: readonly { readonly name: Str; readonly operator: 'Include' | 'Exclude'; readonly values: readonly Str[] }[];
}

export interface MetricAlertBody {
  readonly properties: {
    readonly description?: Str;
    readonly severity: AzureSeverityLevel;
    readonly enabled: boolean;
    readonly scopes: readonly Str[];
    readonly evaluationFrequency: Str;
    readonly windowSize: Str;
    readonly targetResourceType?: Str;
    readonly criteria: {
      readonly 'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria' | 'Microsoft.Azure.Monitor.MultipleResourceMultipleMetricCriteria';
      readonly allOf: readonly MetricAlertCriterionBody[];
    };
    readonly autoMitigate: boolean;
    readonly actions: readonly { readonly actionGroupId: Str }[];
  };
}

export interface LogAlertConditionBody {
  readonly query: Str;
  readonly timeAggregation: 'Count' | 'Average' | 'Minimum' | 'Maximum' | 'Total';
  /** The numeric column `timeAggregation` aggregates per dimension and window. */
  readonly metricMeasureColumn?: Str;
  /** One alert per value of each dimension column (e.g. per deployment). */
  readonly dimensions?: readonly { readonly name: Str; readonly operator: 'Include' | 'Exclude'; readonly values: readonly Str[] }[];
  readonly operator: 'GreaterThan' | 'GreaterThanOrEqual' | 'LessThan' | 'LessThanOrEqual' | 'Equals';
  readonly threshold: number;
  readonly failingPeriods: { readonly numberOfEvaluationPeriods: number; readonly minFailingPeriodsToAlert: number };
}

export interface ScheduledQueryRuleBody {
  readonly kind: 'LogAlert';
  readonly properties: {
    readonly description?: Str;
    readonly displayName?: Str;
    readonly severity: AzureSeverityLevel;
    readonly enabled: boolean;
    readonly scopes: readonly Str[];
    readonly evaluationFrequency: Str;
    readonly windowSize: Str;
    readonly criteria: { readonly allOf: readonly LogAlertConditionBody[] };
    readonly autoMitigate: boolean;
    readonly actions: { readonly actionGroups: readonly Str[] };
  };
}

export interface ActionGroupBody {
  readonly properties: {
    readonly groupShortName: Str;
    readonly enabled: boolean;
    readonly emailReceivers: readonly { readonly name: Str; readonly emailAddress: Str; readonly useCommonAlertSchema: boolean }[];
    readonly webhookReceivers: readonly { readonly name: Str; readonly serviceUri: Str; readonly useCommonAlertSchema: boolean; readonly useAadAuth?: boolean }[];
    readonly logicAppReceivers: readonly { readonly name: Str; readonly resourceId: Str; readonly callbackUrl: Str; readonly useCommonAlertSchema: boolean }[];
  };
}

/** Resource logs (and metrics) of a resource to a Log Analytics workspace. */
export interface DiagnosticSettingBody {
  readonly properties: {
    readonly workspaceId: Str;
    /** `Dedicated`: each category to its own table (AmlOnlineEndpointConsoleLog …), not AzureDiagnostics. */
    readonly logAnalyticsDestinationType: 'Dedicated';
    readonly logs: readonly { readonly category: Str; readonly enabled: boolean }[];
    readonly metrics?: readonly { readonly category: 'AllMetrics'; readonly enabled: boolean }[];
  };
}

export interface WorkbookBody {
  readonly kind: 'shared';
  readonly properties: {
    readonly displayName: Str;
    readonly category: 'workbook';
    /** The workbook (Notebook/1.0) as a JSON string. */
    readonly serializedData: Str;
    /** The resource the workbook is pinned to in the portal. */
    readonly sourceId: Str;
    readonly version: 'Notebook/1.0';
  };
}

export interface LogicAppWorkflowBody {
  readonly properties: {
    readonly state: 'Enabled' | 'Disabled';
    /** Workflow Definition Language (schema 2016-06-01). */
    readonly definition: Record<string, unknown>;
    readonly parameters: Record<string, unknown>;
  };
}

export interface RoleDefinitionBody {
  readonly properties: {
    readonly roleName: Str;
    readonly description: Str;
    readonly type: 'CustomRole';
    readonly permissions: readonly { readonly actions: readonly Str[]; readonly notActions: readonly Str[]; readonly dataActions: readonly Str[]; readonly notDataActions: readonly Str[] }[];
    readonly assignableScopes: readonly Str[];
  };
}

export interface ApplicationInsightsBody {
  readonly kind: 'web';
  readonly properties: {
    readonly Application_Type: 'web';
    readonly WorkspaceResourceId: Str;
    readonly IngestionMode: 'LogAnalytics';
    readonly publicNetworkAccessForIngestion: NetworkAccess;
    readonly publicNetworkAccessForQuery: NetworkAccess;
    readonly DisableLocalAuth: boolean;
  };
}

export interface LogAnalyticsWorkspaceBody {
  readonly properties: {
    readonly sku: { readonly name: 'PerGB2018' };
    readonly retentionInDays: number;
    readonly publicNetworkAccessForIngestion: NetworkAccess;
    readonly publicNetworkAccessForQuery: NetworkAccess;
  };
}

// --- Microsoft.KeyVault (2023-07-01) --------------------------------------------------------

export interface KeyVaultBody {
  readonly properties: {
    readonly tenantId: Str;
    readonly sku: { readonly family: 'A'; readonly name: 'standard' | 'premium' };
    readonly enableRbacAuthorization: true;
    readonly enableSoftDelete: true;
    readonly softDeleteRetentionInDays: number;
    readonly enablePurgeProtection: true;
    readonly publicNetworkAccess: NetworkAccess;
    readonly networkAcls: { readonly defaultAction: 'Allow' | 'Deny'; readonly bypass: 'AzureServices' | 'None' };
  };
}

export interface KeyVaultKeyBody {
  readonly properties: {
    readonly kty: 'RSA' | 'RSA-HSM';
    readonly keySize: 2048 | 3072 | 4096;
    readonly keyOps: ('encrypt' | 'decrypt' | 'wrapKey' | 'unwrapKey')[];
    readonly rotationPolicy?: {
      readonly lifetimeActions: { readonly action: { readonly type: 'rotate' | 'notify' }; readonly trigger: { readonly timeAfterCreate?: Str; readonly timeBeforeExpiry?: Str } }[];
      readonly attributes: { readonly expiryTime: Str };
    };
  };
}

export interface KeyVaultSecretBody {
  readonly properties: {
    /** Write-only in ARM: never returned by a read. */
    readonly value: Str;
    readonly contentType?: Str;
    readonly attributes?: { readonly enabled: boolean };
  };
}

// --- Microsoft.Storage (2023-05-01) ---------------------------------------------------------

export interface StorageAccountBody {
  readonly kind: 'StorageV2';
  readonly sku: { readonly name: 'Standard_LRS' | 'Standard_ZRS' | 'Standard_GRS' | 'Standard_RAGRS' | 'Premium_LRS' };
  readonly properties: {
    readonly minimumTlsVersion: 'TLS1_2';
    readonly supportsHttpsTrafficOnly: true;
    readonly allowBlobPublicAccess: false;
    readonly publicNetworkAccess: NetworkAccess;
    readonly networkAcls: { readonly defaultAction: 'Allow' | 'Deny'; readonly bypass: 'AzureServices' | 'None' };
    readonly encryption: {
      readonly keySource: 'Microsoft.Storage' | 'Microsoft.Keyvault';
      readonly requireInfrastructureEncryption?: boolean;
      readonly services: { readonly blob: { readonly enabled: true; readonly keyType: 'Account' }; readonly file: { readonly enabled: true; readonly keyType: 'Account' } };
      readonly keyvaultproperties?: { readonly keyname: Str; readonly keyvaulturi: Str };
      readonly identity?: { readonly userAssignedIdentity: Str };
    };
  };
}

export interface BlobContainerBody {
  readonly properties: { readonly publicAccess: 'None' };
}

// --- Microsoft.ContainerRegistry (2023-07-01) -----------------------------------------------

export interface ContainerRegistryBody {
  readonly sku: { readonly name: 'Basic' | 'Standard' | 'Premium' };
  readonly properties: {
    readonly adminUserEnabled: false;
    readonly anonymousPullEnabled: false;
    readonly publicNetworkAccess: NetworkAccess;
    readonly networkRuleBypassOptions: 'AzureServices' | 'None';
    readonly encryption?: { readonly status: 'enabled'; readonly keyVaultProperties: { readonly keyIdentifier: Str; readonly identity: Str } };
  };
}

// --- Microsoft.Network (2024-05-01) ---------------------------------------------------------

export interface PrivateEndpointBody {
  readonly properties: {
    readonly subnet: { readonly id: Str };
    readonly privateLinkServiceConnections: { readonly name: Str; readonly properties: { readonly privateLinkServiceId: Str; readonly groupIds: Str[] } }[];
  };
}

// --- Microsoft.ManagedIdentity (2023-01-31) --------------------------------------------------

export type UserAssignedIdentityBody = Record<string, never>;

/** Body type per resource kind. */
export interface AzapiBodies {
  workspace: WorkspaceBody;
  datastore: DatastoreBody;
  modelVersion: ModelVersionBody;
  environmentVersion: EnvironmentVersionBody;
  onlineEndpoint: OnlineEndpointBody;
  onlineDeployment: OnlineDeploymentBody;
  roleAssignment: RoleAssignmentBody;
  autoscaleSetting: AutoscaleSettingBody;
  metricAlert: MetricAlertBody;
  scheduledQueryRule: ScheduledQueryRuleBody;
  actionGroup: ActionGroupBody;
  applicationInsights: ApplicationInsightsBody;
  logAnalyticsWorkspace: LogAnalyticsWorkspaceBody;
  diagnosticSetting: DiagnosticSettingBody;
  workbook: WorkbookBody;
  logicAppWorkflow: LogicAppWorkflowBody;
  roleDefinition: RoleDefinitionBody;
  keyVault: KeyVaultBody;
  keyVaultKey: KeyVaultKeyBody;
  keyVaultSecret: KeyVaultSecretBody;
  storageAccount: StorageAccountBody;
  blobContainer: BlobContainerBody;
  containerRegistry: ContainerRegistryBody;
  privateEndpoint: PrivateEndpointBody;
  userAssignedIdentity: UserAssignedIdentityBody;
}
