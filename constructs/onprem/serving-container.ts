/**
 * The serving container: the ServingStack runtime (its port, probes, user and environment come
 * from the container contract in lib/core), or any other server image (Triton, vLLM…) that
 * states its own port, probe paths and metrics.
 */
import { RuntimeContract, ServingProtocol } from '../../lib/core/contract/container';
import { Duration } from './quantities';

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
   * @default Duration.seconds(25)
   */
  readonly drainTimeout?: Duration;
  /**
   * Extra environment (`SERVINGSTACK_*`, see docs/runtime.md; names outside the runtime's
   * catalogue fail at synth). Keys set by the construct win.
   * @default - none
   */
  readonly environment?: { readonly [name: string]: string };
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
  readonly command?: readonly string[];
  /**
   * Container arguments; the model directory is mounted at `/models`.
   * @default - the image's CMD
   */
  readonly args?: readonly string[];
  /**
   * Environment variables.
   * @default - none
   */
  readonly environment?: { readonly [name: string]: string };
  /**
   * UID the container runs as (non-root is enforced; pick the image's non-root user).
   * @default 10001
   */
  readonly runAsUser?: number;
  /**
   * Writable directories (each an `emptyDir`); the root filesystem stays read-only.
   * @default ['/tmp']
   */
  readonly writablePaths?: readonly string[];
}

/** Container facts ModelServer renders. @internal */
export interface ServingContainerConfig {
  /** `runtime` or `custom`. */
  readonly kind: string;
  readonly image: string;
  readonly port: number;
  readonly livenessPath: string;
  readonly readinessPath: string;
  readonly metricsPath: string;
  readonly metricsPort: number;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly environment: { readonly [name: string]: string };
  readonly runAsUser: number;
  readonly writablePaths: readonly string[];
  readonly runtime?: RuntimeContainerOptions;
}

export class ServingContainer {
  /**
   * The ServingStack runtime image, as its container contract says: port 8080, the Open Inference
   * Protocol's `/v2/health/live|ready` probes, `/metrics`, uid 10001, `/tmp` writable.
   */
  public static servingStackRuntime(image: string, options: RuntimeContainerOptions = {}): ServingContainer {
    const oip = ServingProtocol.OPEN_INFERENCE;
    return new ServingContainer({
      kind: 'runtime',
      image,
      port: RuntimeContract.PORT,
      livenessPath: oip.livenessPath,
      readinessPath: oip.readinessPath,
      metricsPath: RuntimeContract.METRICS_PATH,
      metricsPort: RuntimeContract.PORT,
      environment: { ...options.environment },
      runAsUser: RuntimeContract.USER_ID,
      writablePaths: [RuntimeContract.WRITABLE_DIR],
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

  /** The runtime's drain timeout (the termination grace period must exceed it). @internal */
  public _drainTimeout(): Duration {
    return this.config.runtime?.drainTimeout ?? Duration.seconds(RuntimeContract.DRAIN_TIMEOUT_SECONDS);
  }

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
