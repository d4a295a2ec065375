/**
 * Stable error codes of the on-prem target, one per check: a construct's props, the rollout state
 * and options, a refused or unreachable rollout. Never reuse one. docs/onprem.md lists them (a test
 * keeps the two equal).
 */
export class OnPremErrorCodes {
  /** `OnPremServingStack` props. */
  public static readonly STACK = 'SS_ERR_ONPREM_STACK_INVALID';
  /** A construct outside an `OnPremServingStack`. */
  public static readonly NO_STACK = 'SS_ERR_ONPREM_NO_STACK';
  /** `ModelServer` props: container, resources, durations, autoscaling, scheduling, Ingress, auth. */
  public static readonly SERVER = 'SS_ERR_ONPREM_SERVER_INVALID';
  /** `GpuOperator` props. */
  public static readonly GPU_OPERATOR = 'SS_ERR_ONPREM_GPU_OPERATOR_INVALID';
  /** `ServingMonitoring` props (thresholds, durations, extra rules). */
  public static readonly MONITORING = 'SS_ERR_ONPREM_MONITORING_INVALID';
  /** `PrometheusAdapter` props. */
  public static readonly ADAPTER = 'SS_ERR_ONPREM_ADAPTER_INVALID';
  /** `MlflowRegistry` props. */
  public static readonly REGISTRY = 'SS_ERR_ONPREM_REGISTRY_INVALID';
  /** The rollout state (file or `CanaryRollout` props) and `servingstack onprem` options. */
  public static readonly ROLLOUT = 'SS_ERR_ONPREM_ROLLOUT_INVALID';
  /** A promotion its health gates refused. */
  public static readonly ROLLOUT_REFUSED = 'SS_ERR_ONPREM_ROLLOUT_REFUSED';
  /** kubectl, Prometheus or MLflow could not be reached. */
  public static readonly ROLLOUT_UNREACHABLE = 'SS_ERR_ONPREM_ROLLOUT_UNREACHABLE';
  /** `ServingNamespace` props. */
  public static readonly NAMESPACE = 'SS_ERR_ONPREM_NAMESPACE_INVALID';
  /** `RetrainingJobTrigger` props (template CronJob, image, cool-down). */
  public static readonly RETRAINING = 'SS_ERR_ONPREM_RETRAINING_INVALID';

  /** Every code. */
  public static all(): readonly string[] {
    return Object.values(OnPremErrorCodes).filter((v): v is string => typeof v === 'string');
  }

  private constructor() {}
}
