/**
 * Stable error codes of the AWS target, one per rule: a rule may look at several fields (the
 * ranges of one variant), but two different rules never share a code. Never reuse one.
 * docs/aws.md lists them: test/constructs/aws/errors.test.ts keeps the two equal and checks each
 * is raised somewhere; the tests of each construct assert the codes of its rules.
 * Problems shared by every target keep lib/core's codes: a package whose manifest disagrees with
 * its ONNX file fails with `SS_ERR_SIGNATURE_MISMATCH` here as on GCP, Azure and on-prem.
 */
export class AwsErrorCodes {
  /** A SageMaker name (endpoint, variant, model, model package group) of the wrong form. */
  public static readonly NAME = 'SS_ERR_AWS_NAME_INVALID';
  /** A local directory that is not a complete ServingStack model package. */
  public static readonly PACKAGE = 'SS_ERR_AWS_PACKAGE_INVALID';
  /** Model data SageMaker cannot load that way: not a `.tar.gz`, a prefix without `/`, multi-model without a prefix, a registry fallback that is not an archive. */
  public static readonly MODEL_DATA = 'SS_ERR_AWS_MODEL_DATA_INVALID';
  /** An image where none may be given (a model package names its own), or a format without a framework image. */
  public static readonly MODEL_IMAGE = 'SS_ERR_AWS_MODEL_IMAGE_INVALID';
  /** A GPU instance type given an image without GPU support, not explicitly allowed. */
  public static readonly GPU_IMAGE = 'SS_ERR_AWS_GPU_IMAGE_UNSUPPORTED';
  /** Subnets or security groups without a VPC, or a secret the container cannot reach (network isolation). */
  public static readonly MODEL_NETWORK = 'SS_ERR_AWS_MODEL_NETWORK_INVALID';
  /** Runtime settings out of range, or beyond what SageMaker delivers to the variant the model serves. */
  public static readonly RUNTIME_SETTINGS = 'SS_ERR_AWS_RUNTIME_SETTINGS_INVALID';
  /** An Endpoint given both a finished `endpointConfig` and config props (variants, async, capture, key, role). */
  public static readonly ENDPOINT_CONFIG = 'SS_ERR_AWS_ENDPOINT_CONFIG_CONFLICT';
  /** An endpoint (config) that never got a variant. */
  public static readonly NO_VARIANT = 'SS_ERR_AWS_ENDPOINT_NO_VARIANT';
  /** Variants that cannot share an endpoint: more than ten, unnamed or duplicate names, kinds mixed. */
  public static readonly VARIANT_LAYOUT = 'SS_ERR_AWS_VARIANT_LAYOUT_INVALID';
  /** One instance variant's properties: instance type, count, weight, volume, timeouts. */
  public static readonly VARIANT = 'SS_ERR_AWS_VARIANT_INVALID';
  /** Managed instance scaling on a variant that serves a model, or outside min ≤ initial ≤ max. */
  public static readonly MANAGED_INSTANCE_SCALING = 'SS_ERR_AWS_MANAGED_INSTANCE_SCALING_INVALID';
  /** A serverless variant's memory or concurrency. */
  public static readonly SERVERLESS = 'SS_ERR_AWS_SERVERLESS_INVALID';
  /** A feature serverless endpoints lack: data capture, async, shadow or further variants, multi-model, VPC, network isolation. */
  public static readonly SERVERLESS_UNSUPPORTED = 'SS_ERR_AWS_SERVERLESS_UNSUPPORTED';
  /** A shadow variant without a model, or on an endpoint that cannot mirror traffic. */
  public static readonly SHADOW_VARIANT = 'SS_ERR_AWS_SHADOW_VARIANT_INVALID';
  /** A KMS key for instance types with local NVMe storage (SageMaker rejects it). */
  public static readonly ENCRYPTION_KEY = 'SS_ERR_AWS_ENCRYPTION_KEY_REJECTED';
  /** Asynchronous inference settings. */
  public static readonly ASYNC_INFERENCE = 'SS_ERR_AWS_ASYNC_INFERENCE_INVALID';
  /** Data capture settings. */
  public static readonly DATA_CAPTURE = 'SS_ERR_AWS_DATA_CAPTURE_INVALID';
  /** Guardrail (rollback) alarm thresholds. */
  public static readonly GUARDRAIL_ALARMS = 'SS_ERR_AWS_GUARDRAIL_ALARMS_INVALID';
  /** The deployment strategy against the endpoint it updates. */
  public static readonly DEPLOYMENT = 'SS_ERR_AWS_DEPLOYMENT_INVALID';
  /** A variant name the endpoint does not have (or not as a production variant). */
  public static readonly VARIANT_NOT_FOUND = 'SS_ERR_AWS_VARIANT_NOT_FOUND';
  /** Autoscaling capacity: ranges, min ≤ initial ≤ max, scale to zero, serverless provisioned concurrency. */
  public static readonly SCALING_CAPACITY = 'SS_ERR_AWS_SCALING_CAPACITY_INVALID';
  /** An instance type Application Auto Scaling refuses (burstable) or whose vCPUs/GPUs are unknown. */
  public static readonly SCALING_INSTANCE_TYPE = 'SS_ERR_AWS_SCALING_INSTANCE_TYPE_UNSUPPORTED';
  /** A scaling policy the variant cannot have (backlog on real-time, invocations on serverless, a component host). */
  public static readonly SCALING_POLICY = 'SS_ERR_AWS_SCALING_POLICY_UNSUPPORTED';
  /** A scaling target or schedule out of range, or one that changes nothing. */
  public static readonly SCALING_TARGET = 'SS_ERR_AWS_SCALING_TARGET_INVALID';
  /** An inference component on a variant that serves a model directly. */
  public static readonly COMPONENT_HOST = 'SS_ERR_AWS_INFERENCE_COMPONENT_HOST_INVALID';
  /** An inference component's copies, memory, accelerators, CPUs or timeouts. */
  public static readonly COMPONENT = 'SS_ERR_AWS_INFERENCE_COMPONENT_INVALID';
  /** Copy autoscaling of an inference component. */
  public static readonly COMPONENT_SCALING = 'SS_ERR_AWS_INFERENCE_COMPONENT_SCALING_INVALID';
  /** Model registry props: account IDs, what a model package version may wrap. */
  public static readonly REGISTRY = 'SS_ERR_AWS_REGISTRY_INVALID';
  /** `EndpointMonitoring` props: thresholds, SLO, an invocation alarm on an async endpoint; variants added after it. */
  public static readonly MONITORING = 'SS_ERR_AWS_MONITORING_INVALID';
  /** `ModelQualityMonitoring` props: thresholds, model name. */
  public static readonly MODEL_QUALITY = 'SS_ERR_AWS_MODEL_QUALITY_INVALID';
  /** `ServingEndpoint` given both grouped options and finished parts, or neither. */
  public static readonly SERVING_PARTS = 'SS_ERR_AWS_SERVING_PARTS_INVALID';
  /** A delivery pipeline without an approval gate in front of production. */
  public static readonly PIPELINE_APPROVAL = 'SS_ERR_AWS_PIPELINE_APPROVAL_MISSING';
  /** Other delivery pipeline properties: registry bucket name, regions, stage names, package path. */
  public static readonly PIPELINE = 'SS_ERR_AWS_PIPELINE_INVALID';
  /** Batch transform properties. */
  public static readonly BATCH_TRANSFORM = 'SS_ERR_AWS_BATCH_TRANSFORM_INVALID';
  /** `servingstack register` / `approve` input (flags, the registry's model name). */
  public static readonly REGISTER = 'SS_ERR_AWS_REGISTER_INVALID';
  /** The post-deploy integration test found the endpoint failing its checks. */
  public static readonly INTEGRATION_TEST = 'SS_ERR_AWS_INTEGRATION_TEST_FAILED';
  /** An event of another model package group reached an endpoint's rollout. */
  public static readonly ROLLOUT_FOREIGN_GROUP = 'SS_ERR_AWS_ROLLOUT_FOREIGN_GROUP';
  /** A rollout event without the fields the handler needs. */
  public static readonly ROLLOUT_EVENT = 'SS_ERR_AWS_ROLLOUT_EVENT_INVALID';
  /** A pinned version that must be approved is not. */
  public static readonly VERSION_NOT_APPROVED = 'SS_ERR_AWS_VERSION_NOT_APPROVED';
  /** A pinned version was rejected. */
  public static readonly VERSION_REJECTED = 'SS_ERR_AWS_VERSION_REJECTED';
  /** The group has no approved version and no fallback was given. */
  public static readonly NO_APPROVED_VERSION = 'SS_ERR_AWS_NO_APPROVED_VERSION';
  /** A version without model data the endpoint's containers could load. */
  public static readonly VERSION_ARTIFACT_MISSING = 'SS_ERR_AWS_VERSION_ARTIFACT_MISSING';

  /** Every code. */
  public static all(): readonly string[] {
    return Object.values(AwsErrorCodes).filter((v): v is string => typeof v === 'string');
  }

  private constructor() {}
}
