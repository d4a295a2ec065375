/**
 * `servingstack/onprem`: the on-premise GPU Kubernetes blueprint (CDK for Terraform). Constructs,
 * their props and the enum-like and union-like classes they take; helper functions, chart pins
 * and metric tables stay in their modules. The rollout (planner and executor, rollout/) is driven
 * by `servingstack onprem`.
 */
export { Accelerator } from './accelerator';
export { AlertReceiver } from './alert-routing';
export type { AlertRoute, AlertRoutingOptions, EmailReceiverOptions, PagerDutyReceiverOptions, SecretKeyReference, SlackReceiverOptions, WebhookReceiverOptions } from './alert-routing';
export { RetrainingJobTrigger } from './retraining-trigger';
export type { RetrainingJobTriggerProps } from './retraining-trigger';
export type { AlertRule, AlertThresholds, OnPremModelQualityThresholds, RenderedRule, RenderedRuleGroup } from './alert-rules';
export { CanaryRollout } from './canary-rollout';
export type { CanaryRolloutProps } from './canary-rollout';
export { OnPremErrorCodes } from './errors';
export { GpuOperator } from './gpu-operator';
export type { GpuOperatorProps } from './gpu-operator';
export { GpuSharing, MigStrategy } from './gpu-sharing';
export type { GpuSharingConfig } from './gpu-sharing';
export { MlflowRegistry } from './model-registry';
export type { MlflowRegistryProps } from './model-registry';
export { ModelServer } from './model-server';
export type { AutoscalingOptions, IngressOptions, ModelServerProps, ServerOptions } from './model-server-options';
export { ModelSource } from './model-source';
export type { PvcModelSourceOptions, S3ModelSourceOptions } from './model-source';
export { OnPremServingStack } from './onprem-serving-stack';
export type { OnPremServingStackProps } from './onprem-serving-stack';
export { PrometheusAdapter } from './prometheus-adapter';
export type { PrometheusAdapterProps } from './prometheus-adapter';
export { Cpu, Duration, Size } from './quantities';
export type { ContainerResources, CpuResources, MemoryResources } from './quantities';
export type { RolloutState } from './rollout/planner';
export { Scheduling, Taint, TaintEffect } from './scheduling';
export { ServingAuth } from './serving-auth';
export type { ExistingSecretAuthOptions, GeneratedAuthOptions } from './serving-auth';
export { ServingContainer } from './serving-container';
export type { CustomContainerOptions, RuntimeContainerOptions } from './serving-container';
export { ServingMonitoring } from './serving-monitoring';
export type { ServingMonitoringProps } from './serving-monitoring';
export { ServingNamespace } from './serving-namespace';
export type { ServingNamespaceProps } from './serving-namespace';
