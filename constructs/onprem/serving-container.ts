/**
 * The serving container: the ServingStack runtime (its port, probes and environment are known),
 * or any other server image (Triton, vLLM…) that states its own port, probe paths and metrics.
 */

/** Options of {@link ServingContainer.servingStackRuntime}. */
export interface RuntimeContainerOptions {
  /**
   * Inference worker threads (`SERVINGSTACK_WORKERS`).
   * @default - the container's CPU limit in whole cores, at least 1 (the runtime's own default,
   * one per host core, would oversubscribe a pod on a large node)
   */
  readonly workers?: number;
  /**
   * `SERVINGSTACK_EXECUTION_PROVIDERS`.
   * @default 'cuda,cpu' when the server has an NVIDIA accelerator, else 'cpu'
   */
  readonly executionProviders?: string;
  /**
   * How long in-flight requests may finish after SIGTERM (`SERVINGSTACK_DRAIN_TIMEOUT_MS`);
   * the pod's termination grace period must exceed it by at least 5 s.
   * @default 25
   */
  readonly drainTimeoutSeconds?: number;
  /**
   * Extra environment (`SERVINGSTACK_*`, see docs/runtime.md). Keys set by the construct win.
   * @default - none
   */
  readonly environment?: { [name: string]: string };
}

/** Options of {@link ServingContainer.custom}. */
export interface CustomContainerOptions {
  /** Image reference, e.g. `nvcr.io/nvidia/tritonserver:25.01-py3`. */
  readonly image: string;
  /** Port serving inference requests. */
  readonly port: number;
  /** HTTP path answering 200 while the process is alive (liveness). */
  readonly livenessPath: string;
  /** HTTP path answering 200 once the model is loaded (readiness). */
  readonly readinessPath: string;
  /**
   * Prometheus metrics path.
   * @default '/metrics'
   */
  readonly metricsPath?: string;
  /**
   * Port serving metrics.
   * @default - the serving port
   */
  readonly metricsPort?: number;
  /**
   * Container command (entrypoint override).
   * @default - the image's entrypoint
   */
  readonly command?: string[];
  /**
   * Container arguments; the model directory is mounted at `/models`.
   * @default - the image's CMD
   */
  readonly args?: string[];
  /**
   * Environment variables.
   * @default - none
   */
  readonly environment?: { [name: string]: string };
  /**
   * UID the container runs as (non-root is enforced; pick the image's non-root user).
   * @default 10001
   */
  readonly runAsUser?: number;
  /**
   * Writable directories (each an `emptyDir`); the root filesystem stays read-only.
   * @default ['/tmp']
   */
  readonly writablePaths?: string[];
}

/** Container facts ModelServer renders. @internal */
export interface ServingContainerConfig {
  readonly kind: 'runtime' | 'custom';
  readonly image: string;
  readonly port: number;
  readonly livenessPath: string;
  readonly readinessPath: string;
  readonly metricsPath: string;
  readonly metricsPort: number;
  readonly command?: string[];
  readonly args?: string[];
  readonly environment: { [name: string]: string };
  readonly runAsUser: number;
  readonly writablePaths: string[];
  readonly runtime?: RuntimeContainerOptions;
}

/** The runtime's container contract (see docs/runtime.md). */
export const RUNTIME_CONTRACT = {
  port: 8080,
  livenessPath: '/v2/health/live',
  readinessPath: '/v2/health/ready',
  metricsPath: '/metrics',
  uid: 10001,
  drainTimeoutSeconds: 25,
} as const;

export class ServingContainer {
  /** The ServingStack runtime image: port 8080, `/v2/health/live|ready`, `/metrics`, uid 10001. */
  public static servingStackRuntime(image: string, options: RuntimeContainerOptions = {}): ServingContainer {
    return new ServingContainer({
      kind: 'runtime',
      image,
      port: RUNTIME_CONTRACT.port,
      livenessPath: RUNTIME_CONTRACT.livenessPath,
      readinessPath: RUNTIME_CONTRACT.readinessPath,
      metricsPath: RUNTIME_CONTRACT.metricsPath,
      metricsPort: RUNTIME_CONTRACT.port,
      environment: { ...options.environment },
      runAsUser: RUNTIME_CONTRACT.uid,
      writablePaths: ['/tmp'],
      runtime: options,
    });
  }

  /**
   * Any serving image with its own port and probes. Examples: Triton (`port: 8000`,
   * `/v2/health/live`, `/v2/health/ready`, `metricsPort: 8002`, `args: ['tritonserver',
   * '--model-repository=/models']`); vLLM (`port: 8000`, `/health` for both probes, `/metrics`).
   */
  public static custom(options: CustomContainerOptions): ServingContainer {
    return new ServingContainer({
      kind: 'custom',
      image: options.image,
      port: options.port,
      livenessPath: options.livenessPath,
      readinessPath: options.readinessPath,
      metricsPath: options.metricsPath ?? '/metrics',
      metricsPort: options.metricsPort ?? options.port,
      command: options.command,
      args: options.args,
      environment: { ...options.environment },
      runAsUser: options.runAsUser ?? 10001,
      writablePaths: options.writablePaths ?? ['/tmp'],
    });
  }

  private constructor(private readonly config: ServingContainerConfig) {}

  /** The image reference. */
  public get image(): string {
    return this.config.image;
  }

  /** True for the ServingStack runtime (whose metrics feed autoscaling, alerts and dashboards). */
  public get isServingStackRuntime(): boolean {
    return this.config.kind === 'runtime';
  }

  /** @internal */
  public _config(): ServingContainerConfig {
    return this.config;
  }
}
