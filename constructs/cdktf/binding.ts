/**
 * The one module that imports CDK for Terraform and its prebuilt providers.
 *
 * Every Terraform-based target (constructs/gcp, constructs/onprem) imports cdktf classes from
 * here and nowhere else, so moving to the CDK Terrain fork (`cdktn`) or to another provider
 * major is a change to this file only. Resource modules are imported one by one (deep imports),
 * never through a provider's index, which would load every resource class (~300 MB for google).
 *
 * Sections are per provider; add an export to the section you need.
 */

// --- cdktf core ---------------------------------------------------------------------------------
export { App, TerraformStack, TerraformOutput, TerraformVariable, TerraformLocal, Fn, Token, Lazy, Testing, Aspects, Annotations, LocalBackend } from 'cdktf';
export type { IAspect, TerraformResource, TerraformElement } from 'cdktf';

// --- google (constructs/gcp) ------------------------------------------------------------------
export { GoogleProvider } from '@cdktf/provider-google/lib/provider';
export { ArtifactRegistryRepository } from '@cdktf/provider-google/lib/artifact-registry-repository';
export { ArtifactRegistryRepositoryIamMember } from '@cdktf/provider-google/lib/artifact-registry-repository-iam-member';
export { StorageBucket } from '@cdktf/provider-google/lib/storage-bucket';
export { StorageBucketIamMember } from '@cdktf/provider-google/lib/storage-bucket-iam-member';
export { ServiceAccount } from '@cdktf/provider-google/lib/service-account';
export { ServiceAccountIamMember } from '@cdktf/provider-google/lib/service-account-iam-member';
export { ProjectIamMember } from '@cdktf/provider-google/lib/project-iam-member';
export { VertexAiEndpoint } from '@cdktf/provider-google/lib/vertex-ai-endpoint';
export { MonitoringDashboard } from '@cdktf/provider-google/lib/monitoring-dashboard';
export { MonitoringAlertPolicy } from '@cdktf/provider-google/lib/monitoring-alert-policy';
export { MonitoringNotificationChannel } from '@cdktf/provider-google/lib/monitoring-notification-channel';
export { KmsKeyRing } from '@cdktf/provider-google/lib/kms-key-ring';
export { KmsCryptoKey } from '@cdktf/provider-google/lib/kms-crypto-key';
export { KmsCryptoKeyIamMember } from '@cdktf/provider-google/lib/kms-crypto-key-iam-member';
export { ComputeNetwork } from '@cdktf/provider-google/lib/compute-network';
export { ComputeGlobalAddress } from '@cdktf/provider-google/lib/compute-global-address';
export { ServiceNetworkingConnection } from '@cdktf/provider-google/lib/service-networking-connection';

// --- kubernetes + helm (constructs/onprem) ------------------------------------------------------
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
