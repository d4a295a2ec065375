/**
 * The prebuilt Google provider's resource classes (constructs/gcp). Resource modules are imported
 * one by one (deep imports), never through the provider's index, which would load every resource
 * class (~300 MB). cdktf itself is imported only by ./binding.ts.
 */

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
export { LoggingMetric } from '@cdktf/provider-google/lib/logging-metric';
export { PubsubTopic } from '@cdktf/provider-google/lib/pubsub-topic';
export { PubsubTopicIamMember } from '@cdktf/provider-google/lib/pubsub-topic-iam-member';
export { SecretManagerSecret } from '@cdktf/provider-google/lib/secret-manager-secret';
export { SecretManagerSecretVersion } from '@cdktf/provider-google/lib/secret-manager-secret-version';
export { SecretManagerSecretIamMember } from '@cdktf/provider-google/lib/secret-manager-secret-iam-member';
export { WorkflowsWorkflow } from '@cdktf/provider-google/lib/workflows-workflow';
export { EventarcTrigger } from '@cdktf/provider-google/lib/eventarc-trigger';
export { DataGoogleProject } from '@cdktf/provider-google/lib/data-google-project';
