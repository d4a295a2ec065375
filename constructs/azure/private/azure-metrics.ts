/**
 * Azure Monitor names the Azure target reads and alerts on, in one place. Sources (checked):
 * - learn.microsoft.com/azure/azure-monitor/reference/supported-metrics/microsoft-machinelearningservices-workspaces-onlineendpoints-metrics
 *   (`RequestLatency`, `RequestLatency_P50/P90/P95/P99` in ms, Average, dimension `deployment`;
 *   `RequestsPerMinute`, Count, dimensions `deployment`, `statusCode`, `statusCodeClass`,
 *   `modelStatusCode`; `NetworkBytes`, `ConnectionsActive`, `NewConnectionsPerSecond`);
 * - …-workspaces-onlineendpoints-deployments-metrics (`CpuUtilizationPercentage`,
 *   `CpuMemoryUtilizationPercentage`, `GpuUtilizationPercentage`, `GpuMemoryUtilizationPercentage`,
 *   `DiskUtilization`, `DeploymentCapacity`: Percent/Count, Minimum/Maximum/Average, dimension `instanceId`);
 * - …/microsoft-insights-autoscalesettings-metrics (`ObservedCapacity`, Count, no dimensions:
 *   "the capacity reported to autoscale when it executed");
 * - …/supported-logs/microsoft-machinelearningservices-workspaces-onlineendpoints-logs (log
 *   categories = tables `AmlOnlineEndpointConsoleLog`, `AmlOnlineEndpointTrafficLog`,
 *   `AmlOnlineEndpointEventLog`); …/reference/tables/amlonlineendpointtrafficlog (`ResponseCode`
 *   int, `TotalDurationMs`, `DeploymentName`) and …/amlonlineendpointconsolelog (`Message`,
 *   `DeploymentName`, `ContainerName`).
 */
export const ENDPOINT_NAMESPACE = 'Microsoft.MachineLearningServices/workspaces/onlineEndpoints';
export const DEPLOYMENT_NAMESPACE = 'Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments';
export const AUTOSCALE_NAMESPACE = 'Microsoft.Insights/autoscalesettings';

/** Endpoint metrics (dimension `deployment`). */
export const ENDPOINT_METRICS = {
  requestLatency: 'RequestLatency',
  requestLatencyP50: 'RequestLatency_P50',
  requestLatencyP90: 'RequestLatency_P90',
  requestLatencyP95: 'RequestLatency_P95',
  requestLatencyP99: 'RequestLatency_P99',
  requestsPerMinute: 'RequestsPerMinute',
  networkBytes: 'NetworkBytes',
  connectionsActive: 'ConnectionsActive',
} as const;

/** Deployment metrics (dimension `instanceId`). */
export const DEPLOYMENT_METRICS = {
  cpu: 'CpuUtilizationPercentage',
  memory: 'CpuMemoryUtilizationPercentage',
  gpu: 'GpuUtilizationPercentage',
  gpuMemory: 'GpuMemoryUtilizationPercentage',
  disk: 'DiskUtilization',
  capacity: 'DeploymentCapacity',
} as const;

/** Autoscale setting metric: the instance count autoscale saw when it ran. */
export const OBSERVED_CAPACITY = 'ObservedCapacity';

/** Resource log categories of an online endpoint; each lands in the table of the same name. */
export const ENDPOINT_LOG_CATEGORIES = ['AmlOnlineEndpointConsoleLog', 'AmlOnlineEndpointTrafficLog', 'AmlOnlineEndpointEventLog'] as const;
export const CONSOLE_LOG_TABLE = 'AmlOnlineEndpointConsoleLog';
export const TRAFFIC_LOG_TABLE = 'AmlOnlineEndpointTrafficLog';
