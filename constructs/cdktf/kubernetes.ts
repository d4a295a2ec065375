/**
 * The prebuilt Kubernetes and Helm providers' resource classes (constructs/onprem), imported one
 * resource module at a time. cdktf itself is imported only by ./binding.ts.
 */

export { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
export { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1';
export { DeploymentV1 } from '@cdktf/provider-kubernetes/lib/deployment-v1';
export { ServiceV1 } from '@cdktf/provider-kubernetes/lib/service-v1';
export { IngressV1 } from '@cdktf/provider-kubernetes/lib/ingress-v1';
export { PodDisruptionBudgetV1 } from '@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1';
export { NetworkPolicyV1 } from '@cdktf/provider-kubernetes/lib/network-policy-v1';
export { HorizontalPodAutoscalerV2 } from '@cdktf/provider-kubernetes/lib/horizontal-pod-autoscaler-v2';
export { ConfigMapV1 } from '@cdktf/provider-kubernetes/lib/config-map-v1';
export { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1';
export { ServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/service-account-v1';
export { PersistentVolumeClaimV1 } from '@cdktf/provider-kubernetes/lib/persistent-volume-claim-v1';
export { HelmProvider } from '@cdktf/provider-helm/lib/provider';
export { Release as HelmRelease } from '@cdktf/provider-helm/lib/release';
export { RoleV1 } from '@cdktf/provider-kubernetes/lib/role-v1';
export { RoleBindingV1 } from '@cdktf/provider-kubernetes/lib/role-binding-v1';
