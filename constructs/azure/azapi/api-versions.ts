/**
 * The ARM resource types the Azure target writes through azapi, each with its API version stated
 * once. Versions were checked against the REST API specs (`Azure/azure-rest-api-specs`,
 * `specification/<service>/resource-manager/<namespace>/stable/<version>/`) and the ARM template
 * reference (learn.microsoft.com/azure/templates/<namespace>/<version>/<type>); every one is a
 * stable (non-preview) version embedded in azapi 2.13.0's schema, so `schema_validation_enabled`
 * stays on.
 *
 * `minimum` is the oldest version that accepts every property our bodies write: an override
 * (`AzureServingStackProps.apiVersions`) older than that is rejected at synth.
 */

export interface ApiVersionInfo {
  /** ARM resource type, `Namespace/type[/child…]`. */
  readonly resourceType: string;
  /** The version we write with. */
  readonly apiVersion: string;
  /** Oldest version accepting the properties we write. */
  readonly minimum: string;
}

export const AZAPI_TYPES = {
  // Microsoft.MachineLearningServices 2024-10-01: stable; OnlineDeployment examples in
  // stable/2024-10-01/examples/OnlineDeployment/ManagedOnlineDeployment/createOrUpdate.json.
  workspace: { resourceType: 'Microsoft.MachineLearningServices/workspaces', apiVersion: '2024-10-01', minimum: '2023-04-01' },
  datastore: { resourceType: 'Microsoft.MachineLearningServices/workspaces/datastores', apiVersion: '2024-10-01', minimum: '2023-04-01' },
  modelVersion: { resourceType: 'Microsoft.MachineLearningServices/workspaces/models/versions', apiVersion: '2024-10-01', minimum: '2022-05-01' },
  environmentVersion: { resourceType: 'Microsoft.MachineLearningServices/workspaces/environments/versions', apiVersion: '2024-10-01', minimum: '2022-05-01' },
  onlineEndpoint: { resourceType: 'Microsoft.MachineLearningServices/workspaces/onlineEndpoints', apiVersion: '2024-10-01', minimum: '2022-05-01' },
  // egressPublicNetworkAccess first appears in a stable version in 2022-10-01.
  onlineDeployment: { resourceType: 'Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments', apiVersion: '2024-10-01', minimum: '2022-10-01' },
  // Microsoft.Authorization 2022-04-01 (stable/2022-04-01/authorization-RoleAssignmentsCalls.json).
  roleAssignment: { resourceType: 'Microsoft.Authorization/roleAssignments', apiVersion: '2022-04-01', minimum: '2020-04-01-preview' },
  // Microsoft.Insights: autoscale 2022-10-01, metric alerts 2018-03-01, scheduled query rules
  // 2023-12-01, action groups 2023-01-01, components (Application Insights) 2020-02-02.
  autoscaleSetting: { resourceType: 'Microsoft.Insights/autoscalesettings', apiVersion: '2022-10-01', minimum: '2015-04-01' },
  metricAlert: { resourceType: 'Microsoft.Insights/metricAlerts', apiVersion: '2018-03-01', minimum: '2018-03-01' },
  scheduledQueryRule: { resourceType: 'Microsoft.Insights/scheduledQueryRules', apiVersion: '2023-12-01', minimum: '2021-08-01' },
  actionGroup: { resourceType: 'Microsoft.Insights/actionGroups', apiVersion: '2023-01-01', minimum: '2021-09-01' },
  applicationInsights: { resourceType: 'Microsoft.Insights/components', apiVersion: '2020-02-02', minimum: '2020-02-02' },
  logAnalyticsWorkspace: { resourceType: 'Microsoft.OperationalInsights/workspaces', apiVersion: '2023-09-01', minimum: '2020-08-01' },
  // Resource logs of the endpoint to Log Analytics (an extension resource: parent = the endpoint).
  diagnosticSetting: { resourceType: 'Microsoft.Insights/diagnosticSettings', apiVersion: '2021-05-01-preview', minimum: '2021-05-01-preview' },
  // Workbooks 2023-06-01 (stable; `serializedData` is the workbook JSON as a string).
  workbook: { resourceType: 'Microsoft.Insights/workbooks', apiVersion: '2023-06-01', minimum: '2022-04-01' },
  // Microsoft.Logic 2019-05-01 (the retraining trigger's workflow).
  logicAppWorkflow: { resourceType: 'Microsoft.Logic/workflows', apiVersion: '2019-05-01', minimum: '2016-06-01' },
  // A custom role with exactly the actions a batch-endpoint invoker needs.
  roleDefinition: { resourceType: 'Microsoft.Authorization/roleDefinitions', apiVersion: '2022-04-01', minimum: '2018-01-01-preview' },
  // Microsoft.KeyVault 2023-07-01 (vaults, keys and secrets).
  keyVault: { resourceType: 'Microsoft.KeyVault/vaults', apiVersion: '2023-07-01', minimum: '2019-09-01' },
  keyVaultKey: { resourceType: 'Microsoft.KeyVault/vaults/keys', apiVersion: '2023-07-01', minimum: '2019-09-01' },
  keyVaultSecret: { resourceType: 'Microsoft.KeyVault/vaults/secrets', apiVersion: '2023-07-01', minimum: '2019-09-01' },
  // Microsoft.Storage 2023-05-01.
  storageAccount: { resourceType: 'Microsoft.Storage/storageAccounts', apiVersion: '2023-05-01', minimum: '2021-09-01' },
  blobContainer: { resourceType: 'Microsoft.Storage/storageAccounts/blobServices/containers', apiVersion: '2023-05-01', minimum: '2021-09-01' },
  // Microsoft.ContainerRegistry 2023-07-01 (stable).
  containerRegistry: { resourceType: 'Microsoft.ContainerRegistry/registries', apiVersion: '2023-07-01', minimum: '2021-09-01' },
  // Microsoft.Network 2024-05-01.
  privateEndpoint: { resourceType: 'Microsoft.Network/privateEndpoints', apiVersion: '2024-05-01', minimum: '2021-05-01' },
  // Microsoft.ManagedIdentity 2023-01-31.
  userAssignedIdentity: { resourceType: 'Microsoft.ManagedIdentity/userAssignedIdentities', apiVersion: '2023-01-31', minimum: '2018-11-30' },
} as const satisfies Record<string, ApiVersionInfo>;

export type AzapiKind = keyof typeof AZAPI_TYPES;

/** `YYYY-MM-DD` with an optional `-preview` (or `-privatepreview`) suffix. */
export const API_VERSION_PATTERN = /^(\d{4})-(\d{2})-(\d{2})(-(?:preview|privatepreview|beta|alpha))?$/;

/** Compare two API versions by date (a preview of a date sorts before that date's stable). */
export function compareApiVersions(a: string, b: string): number {
  const da = a.slice(0, 10);
  const db = b.slice(0, 10);
  if (da !== db) return da < db ? -1 : 1;
  const pa = a.length > 10 ? 0 : 1;
  const pb = b.length > 10 ? 0 : 1;
  return pa - pb;
}

/** Whether a `YYYY-MM-DD…` string names a real calendar date. */
export function isRealDate(version: string): boolean {
  const m = API_VERSION_PATTERN.exec(version);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}
