/**
 * A Vertex AI accelerator type (`MachineSpec.accelerator_type`), as an enum-like class.
 * No cdktf imports: shared by the constructs and the rollout.
 */
const KNOWN = new Map<string, AcceleratorType>();

export class AcceleratorType {
  public static readonly NVIDIA_TESLA_T4 = new AcceleratorType('NVIDIA_TESLA_T4', 'gpu');
  public static readonly NVIDIA_TESLA_P4 = new AcceleratorType('NVIDIA_TESLA_P4', 'gpu');
  public static readonly NVIDIA_TESLA_P100 = new AcceleratorType('NVIDIA_TESLA_P100', 'gpu');
  public static readonly NVIDIA_TESLA_V100 = new AcceleratorType('NVIDIA_TESLA_V100', 'gpu');
  public static readonly NVIDIA_TESLA_A100 = new AcceleratorType('NVIDIA_TESLA_A100', 'gpu');
  public static readonly NVIDIA_A100_80GB = new AcceleratorType('NVIDIA_A100_80GB', 'gpu');
  public static readonly NVIDIA_L4 = new AcceleratorType('NVIDIA_L4', 'gpu');
  public static readonly NVIDIA_H100_80GB = new AcceleratorType('NVIDIA_H100_80GB', 'gpu');
  public static readonly NVIDIA_H100_MEGA_80GB = new AcceleratorType('NVIDIA_H100_MEGA_80GB', 'gpu');
  public static readonly NVIDIA_H200_141GB = new AcceleratorType('NVIDIA_H200_141GB', 'gpu');
  public static readonly NVIDIA_B200 = new AcceleratorType('NVIDIA_B200', 'gpu');
  public static readonly TPU_V5_LITEPOD = new AcceleratorType('TPU_V5_LITEPOD', 'tpu');

  /** Every accelerator type this library knows, by API name. */
  public static all(): AcceleratorType[] {
    return [...KNOWN.values()];
  }

  /**
   * An accelerator type by its API name (`NVIDIA_L4`). Unknown names are accepted here and
   * reported by the deployment validation, so a newer type can be tried before this list knows it.
   */
  public static of(name: string): AcceleratorType {
    return KNOWN.get(name) ?? new AcceleratorType(name, 'unknown');
  }

  private constructor(
    /** The API name, e.g. `NVIDIA_L4`. */
    public readonly name: string,
    /** `gpu`, `tpu`, or `unknown` for a name this library does not know. */
    public readonly kind: string,
  ) {
    if (kind !== 'unknown') KNOWN.set(name, this);
  }

  /** Whether this library knows the accelerator type. */
  public get isKnown(): boolean {
    return this.kind !== 'unknown';
  }

  public toString(): string {
    return this.name;
  }
}
