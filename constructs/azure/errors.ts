/**
 * Stable error codes of the Azure target (constructs and `servingstack azure`), one per check.
 * Never reuse one; constructs/azure/README.md lists them (a test keeps the two equal).
 */
export class AzureErrorCodes {
  public static readonly STACK = 'SS_ERR_AZURE_STACK_INVALID';
  public static readonly NO_STACK = 'SS_ERR_AZURE_NO_STACK';
  public static readonly API_VERSION = 'SS_ERR_AZURE_API_VERSION_INVALID';
  public static readonly WORKSPACE = 'SS_ERR_AZURE_WORKSPACE_INVALID';
  public static readonly NETWORK = 'SS_ERR_AZURE_NETWORK_INVALID';
  public static readonly IDENTITY = 'SS_ERR_AZURE_IDENTITY_INVALID';
  public static readonly MODEL = 'SS_ERR_AZURE_MODEL_INVALID';
  public static readonly ENVIRONMENT = 'SS_ERR_AZURE_ENVIRONMENT_INVALID';
  public static readonly ENDPOINT = 'SS_ERR_AZURE_ENDPOINT_INVALID';
  public static readonly DEPLOYMENT = 'SS_ERR_AZURE_DEPLOYMENT_INVALID';
  public static readonly TRAFFIC = 'SS_ERR_AZURE_TRAFFIC_INVALID';
  public static readonly AUTOSCALE = 'SS_ERR_AZURE_AUTOSCALE_INVALID';
  public static readonly MONITORING = 'SS_ERR_AZURE_MONITORING_INVALID';
  public static readonly ROLLOUT_INPUT = 'SS_ERR_AZURE_ROLLOUT_INPUT_INVALID';
  public static readonly ROLLOUT_REFUSED = 'SS_ERR_AZURE_ROLLOUT_REFUSED';
  public static readonly ROLLOUT_FAILED = 'SS_ERR_AZURE_ROLLOUT_FAILED';
  public static readonly UPLOAD_FAILED = 'SS_ERR_AZURE_UPLOAD_FAILED';

  private constructor() {}
}
