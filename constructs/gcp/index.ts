/**
 * `servingstack/gcp`: the Vertex AI blueprint (CDK for Terraform). Constructs, their props and
 * the enum-like classes they take; helper functions and tables stay in their modules. The rollout
 * (planner and executor, constructs/gcp/rollout/) is driven by `servingstack gcp`.
 */
export { AcceleratorType } from './accelerator-type';
export type { AutoscalingMetricSpec, DeploymentInput, DeploymentResources, DeploymentSpec } from './deployment-resources';
export { EndpointNetworking } from './endpoint-networking';
export type { PrivateServiceConnectOptions, VpcPeeringOptions } from './endpoint-networking';
export { GcpErrorCodes } from './errors';
export { FeedbackKey } from './feedback-key';
export type { FeedbackKeyProps } from './feedback-key';
export { MachineType } from './machine-type';
export { ModelPackageBucket } from './model-package-bucket';
export type { ModelPackageBucketProps } from './model-package-bucket';
export { RetrainingTrigger } from './retraining-trigger';
export type { RetrainingTriggerOptions, RetrainingTriggerProps } from './retraining-trigger';
export { RuntimeImageRepository } from './runtime-image-repository';
export type { RuntimeImageRepositoryProps } from './runtime-image-repository';
export { ServingMonitoring } from './serving-monitoring';
export type { MonitoringOptions, ServingMonitoringProps } from './serving-monitoring';
export { ServingServiceAccounts } from './serving-service-accounts';
export type { ServingServiceAccountsProps } from './serving-service-accounts';
export { VertexEndpoint } from './vertex-endpoint';
export type { RequestResponseLoggingOptions, VertexEndpointProps } from './vertex-endpoint';
export { VertexServing } from './vertex-serving';
export type { VertexServingProps } from './vertex-serving';
export { VertexServingStack } from './vertex-serving-stack';
export type { VertexServingStackProps } from './vertex-serving-stack';
export type { RolloutPolicy, RolloutSettings } from './rollout/settings';
