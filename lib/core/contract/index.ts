/**
 * The serving contract every target and the runtime share: the runtime's container contract
 * (port, routes per protocol, statuses), the environment catalogue, the threshold vocabulary and
 * the severity type.
 */
export { AzureModelMount } from './azure-model-mount';
export { RouteAccess, RuntimeContract, ServingProtocol } from './container';
export type { RuntimeRoute, RuntimeStatus } from './container';
export { ENVIRONMENT, PLATFORM_ENVIRONMENT } from './environment';
export type { PlatformVariable, RuntimeVariable } from './environment';
export { Severity } from './severity';
export { ThresholdGroup, Thresholds } from './thresholds';
export type {
  ModelQualityThresholds, ResolvedModelQualityThresholds, ResolvedRolloutGateThresholds, ResolvedServingThresholds, RolloutGateThresholds,
  ServingThresholds, ThresholdDefinition,
} from './thresholds';
