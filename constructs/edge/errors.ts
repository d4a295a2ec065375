/**
 * Stable error codes of the edge target, one per rule: every synth-time check raises exactly one
 * of them, and docs/edge.md lists them (a test keeps both equal). Never reuse a code.
 */
export class EdgeErrorCodes {
  /** Component name, version and configuration values (port, host, log level, drain timeout, Node binary). */
  public static readonly COMPONENT = 'SS_ERR_EDGE_COMPONENT_INVALID';
  /** A platform onnxruntime-node or the recipe does not support. */
  public static readonly PLATFORM = 'SS_ERR_EDGE_PLATFORM_UNSUPPORTED';
  /** The model and runtime do not fit the declared device memory or storage. */
  public static readonly DEVICE = 'SS_ERR_EDGE_DEVICE_TOO_SMALL';
  /** A component version was synthesized before with other content. */
  public static readonly VERSION = 'SS_ERR_EDGE_VERSION_IMMUTABLE';
  /** Rollout, abort, timeout, thing group, role alias and canary settings of a fleet deployment. */
  public static readonly DEPLOYMENT = 'SS_ERR_EDGE_DEPLOYMENT_INVALID';
  /** The model package is not a valid ONNX package. */
  public static readonly PACKAGE = 'SS_ERR_EDGE_PACKAGE_INVALID';
  /** The runtime or telemetry bundle cannot be built (esbuild, the runtime sources or the device SDK missing). */
  public static readonly BUNDLE = 'SS_ERR_EDGE_RUNTIME_BUNDLE';
  /** Fleet monitoring settings: thresholds (the shared vocabulary's messages), intervals, capture sampling, topic. */
  public static readonly MONITORING = 'SS_ERR_EDGE_MONITORING_INVALID';

  /** Every code. */
  public static all(): readonly string[] {
    return Object.values(EdgeErrorCodes).filter((v): v is string => typeof v === 'string');
  }

  private constructor() {}
}
