/**
 * An accelerator a serving container needs, as a Kubernetes extended resource. GPUs are
 * rendered in `limits` only (Kubernetes then sets the request to the limit, and extended
 * resources can be neither overcommitted nor fractional).
 */

/** Extended resource name: `<vendor-domain>/<resource>`, e.g. `nvidia.com/gpu`, `nvidia.com/mig-1g.10gb`. */
export const EXTENDED_RESOURCE_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,}\/[a-zA-Z0-9]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?$/;

/** Most devices one pod may ask for (the largest common GPU node has 8–16). */
export const MAX_ACCELERATORS_PER_POD = 16;

export class Accelerator {
  /** Whole NVIDIA GPUs (or time-sliced GPU replicas) through the device plugin: `nvidia.com/gpu`. */
  public static nvidiaGpu(count: number): Accelerator {
    return new Accelerator('nvidia.com/gpu', count);
  }

  /**
   * One MIG slice profile exposed with the `mixed` MIG strategy, e.g. `1g.10gb` renders
   * `nvidia.com/mig-1g.10gb`. (With the `single` strategy MIG slices are `nvidia.com/gpu`.)
   */
  public static nvidiaMig(profile: string, count: number): Accelerator {
    return new Accelerator(`nvidia.com/mig-${profile}`, count);
  }

  /** Any extended resource the cluster advertises. */
  public static of(resourceName: string, count: number): Accelerator {
    return new Accelerator(resourceName, count);
  }

  private constructor(
    /** Extended resource name, e.g. `nvidia.com/gpu`. */
    public readonly resourceName: string,
    /** Devices per pod; must be a whole number from 1 to 16. */
    public readonly count: number,
  ) {}

  /** True for NVIDIA resources, which get the GPU-pool scheduling defaults. */
  public get isNvidia(): boolean {
    return this.resourceName.startsWith('nvidia.com/');
  }
}
