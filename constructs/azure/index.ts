/**
 * `servingstack/azure`: the Azure Machine Learning blueprint (CDK for Terraform, azapi).
 * Constructs, their props and the enum-like classes they take; helper functions, the typed ARM
 * bodies and the API-version table stay in their modules. The rollout (planner and executor,
 * constructs/azure/rollout/) is driven by `servingstack azure`.
 */
export { DayOfWeek, DeploymentAutoscale } from './autoscale';
export type { CpuScalingOptions, DeploymentAutoscaleOptions, DeploymentAutoscaleProps, LatencyScalingOptions, ScheduleOptions } from './autoscale';
export { AzureMlServing } from './azure-ml-serving';
export type { AzureMlServingProps, ServingDeploymentOptions } from './azure-ml-serving';
export { AzureServingStack } from './azure-serving-stack';
export type { AzureResourceOptions, AzureServingStackProps } from './azure-serving-stack';
export { AzureErrorCodes } from './errors';
export { FeedbackKey } from './feedback-key';
export type { FeedbackKeyProps } from './feedback-key';
export { InstanceType } from './instance-type';
export { MlWorkspace, StorageRedundancy } from './ml-workspace';
export type { CustomerManagedKeyOptions, IMlWorkspace, MlWorkspaceAttributes, MlWorkspaceProps } from './ml-workspace';
export { ModelAsset } from './model-asset';
export type { ModelAssetProps } from './model-asset';
export { ModelStore } from './model-store';
export type { ModelStoreProps } from './model-store';
export { OnlineDeployment } from './online-deployment';
export type { OnlineDeploymentOptions, OnlineDeploymentProps, ProbeOptions } from './online-deployment';
export { EndpointAuthMode, OnlineEndpoint, TrafficOwner } from './online-endpoint';
export type { OnlineEndpointProps } from './online-endpoint';
export { BuiltInRole } from './role-assignment';
export type { RoleGrant } from './role-assignment';
export { RuntimeEnvironment } from './runtime-environment';
export type { RuntimeEnvironmentProps, RuntimeImageOptions } from './runtime-environment';
export { RetrainingTrigger } from './retraining-trigger';
export type { BatchEndpointRetrainingOptions, BoundRetrainingTrigger } from './retraining-trigger';
export { ServingIdentity } from './serving-identity';
export type { ServingIdentityProps } from './serving-identity';
export { ServingMonitoring } from './serving-monitoring';
export type { AzureAlertThresholds, MonitoringOptions, ServingMonitoringProps } from './serving-monitoring';
export { WorkspaceNetworking } from './workspace-networking';
export type { PrivateEndpointOptions } from './workspace-networking';
export type { RolloutPolicy } from './rollout/planner';
export type { AzureRolloutSettings } from './rollout/settings';
