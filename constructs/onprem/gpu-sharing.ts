/**
 * How the GPU Operator's device plugin shares GPUs between pods.
 * - `none()`: one pod per GPU.
 * - `timeSlicing(n)`: every GPU is advertised as `n` `nvidia.com/gpu` replicas (no memory or
 *   fault isolation between them).
 * - `mig(strategy, profile)`: Multi-Instance GPU partitions (A100/H100 and later), managed by
 *   MIG Manager; `single` exposes slices as `nvidia.com/gpu`, `mixed` as `nvidia.com/mig-<profile>`.
 */

/** MIG strategies of the device plugin. */
export class MigStrategy {
  public static readonly SINGLE = new MigStrategy('single');
  public static readonly MIXED = new MigStrategy('mixed');
  private constructor(public readonly value: string) {}
}

/** Rendered sharing, for GpuOperator. @internal */
export interface GpuSharingConfig {
  /** `none`, `time-slicing` or `mig`. */
  readonly kind: string;
  readonly replicas?: number;
  readonly migStrategy?: string;
  readonly migProfile?: string;
}

export class GpuSharing {
  public static none(): GpuSharing {
    return new GpuSharing({ kind: 'none' });
  }

  /** Advertise each GPU as `replicasPerGpu` schedulable replicas (2–64). */
  public static timeSlicing(replicasPerGpu: number): GpuSharing {
    return new GpuSharing({ kind: 'time-slicing', replicas: replicasPerGpu });
  }

  /**
   * MIG partitions with MIG Manager. `defaultProfile` is the MIG Manager configuration applied to
   * nodes without a `nvidia.com/mig.config` label, e.g. `all-1g.10gb`, `all-balanced`.
   */
  public static mig(strategy: MigStrategy = MigStrategy.SINGLE, defaultProfile = 'all-disabled'): GpuSharing {
    return new GpuSharing({ kind: 'mig', migStrategy: strategy.value, migProfile: defaultProfile });
  }

  private constructor(private readonly config: GpuSharingConfig) {}

  /** @internal */
  public _config(): GpuSharingConfig {
    return this.config;
  }
}
