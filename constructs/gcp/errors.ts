/**
 * Stable error codes of the GCP target, one per check: a construct's props, a rollout input, a
 * rollout outcome. Never reuse one. docs/gcp.md lists them (a test keeps the two equal). Problems
 * shared by every target keep lib/core's codes: a package whose manifest disagrees with its ONNX
 * file fails with `SS_ERR_SIGNATURE_MISMATCH` here as on AWS.
 */
export class GcpErrorCodes {
  /** `VertexServingStack` props; a construct outside a stack. */
  public static readonly STACK = 'SS_ERR_GCP_STACK_INVALID';
  /** `RuntimeImageRepository` props. */
  public static readonly REPOSITORY = 'SS_ERR_GCP_REPOSITORY_INVALID';
  /** `ModelPackageBucket` props. */
  public static readonly BUCKET = 'SS_ERR_GCP_BUCKET_INVALID';
  /** `ServingServiceAccounts` props. */
  public static readonly IDENTITY = 'SS_ERR_GCP_IDENTITY_INVALID';
  /** `VertexEndpoint` props and networking. */
  public static readonly ENDPOINT = 'SS_ERR_GCP_ENDPOINT_INVALID';
  /** `VertexServing` props: deployment resources, rollout policy, runtime environment, CMEK, model ID. */
  public static readonly DEPLOYMENT = 'SS_ERR_GCP_DEPLOYMENT_INVALID';
  /** `ServingMonitoring` props (thresholds, channels). */
  public static readonly MONITORING = 'SS_ERR_GCP_MONITORING_INVALID';
  /** `RetrainingTrigger` props (pipeline template, root, parameters, identities). */
  public static readonly RETRAINING = 'SS_ERR_GCP_RETRAINING_INVALID';
  /** `servingstack gcp`: rollout settings from stack outputs and flags. */
  public static readonly ROLLOUT_INPUT = 'SS_ERR_GCP_ROLLOUT_INPUT_INVALID';
  /** A traffic split that does not name deployed models or does not sum to 100. */
  public static readonly TRAFFIC_SPLIT = 'SS_ERR_GCP_TRAFFIC_SPLIT_INVALID';
  /** Version aliases of the wrong form. */
  public static readonly ALIAS = 'SS_ERR_GCP_ALIAS_INVALID';
  /** A version ID or alias the model does not have. */
  public static readonly VERSION_NOT_FOUND = 'SS_ERR_GCP_VERSION_NOT_FOUND';
  /** A deploy failed, or the canary was rolled back. */
  public static readonly ROLLOUT_FAILED = 'SS_ERR_GCP_ROLLOUT_FAILED';
  /** `promote`/`rollback` cannot find the model they need on the endpoint. */
  public static readonly ROLLOUT_STATE = 'SS_ERR_GCP_ROLLOUT_STATE';

  /** Every code. */
  public static all(): readonly string[] {
    return Object.values(GcpErrorCodes).filter((v): v is string => typeof v === 'string');
  }

  private constructor() {}
}
