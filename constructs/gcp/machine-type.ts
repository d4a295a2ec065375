/**
 * A Compute Engine machine type for Vertex AI online prediction (`MachineSpec.machine_type`), as
 * an enum-like class carrying the facts deployment validation needs: the family, the vCPU count
 * and, for accelerator-optimised families (a2, a3, a4, g2, ct5lp), the accelerator type and count
 * the machine comes with. No cdktf imports: shared by the constructs and the rollout.
 */
import { AcceleratorType } from './accelerator-type';

/** Families Vertex AI prediction serves on that take no accelerator. */
const CPU_FAMILIES = new Set(['e2', 'n2', 'n2d', 'c2', 'c2d', 'c3', 'm1']);

/** n1 takes attached GPUs; these types, with these counts. */
export const N1_ATTACHABLE: ReadonlyMap<string, readonly number[]> = new Map([
  ['NVIDIA_TESLA_T4', [1, 2, 4]],
  ['NVIDIA_TESLA_P4', [1, 2, 4]],
  ['NVIDIA_TESLA_P100', [1, 2, 4]],
  ['NVIDIA_TESLA_V100', [1, 2, 4, 8]],
]);

/** Accelerator-optimised machines: the accelerator and count are fixed by the machine type. */
const BUILT_IN: Record<string, { readonly accelerator: AcceleratorType; readonly counts: Record<string, number> }> = {
  a2: { accelerator: AcceleratorType.NVIDIA_TESLA_A100, counts: { 'highgpu-1g': 1, 'highgpu-2g': 2, 'highgpu-4g': 4, 'highgpu-8g': 8, 'megagpu-16g': 16, 'ultragpu-1g': 1, 'ultragpu-2g': 2, 'ultragpu-4g': 4, 'ultragpu-8g': 8 } },
  a3: { accelerator: AcceleratorType.NVIDIA_H100_80GB, counts: { 'highgpu-1g': 1, 'highgpu-2g': 2, 'highgpu-4g': 4, 'highgpu-8g': 8, 'megagpu-8g': 8, 'ultragpu-8g': 8 } },
  a4: { accelerator: AcceleratorType.NVIDIA_B200, counts: { 'highgpu-8g': 8 } },
  g2: { accelerator: AcceleratorType.NVIDIA_L4, counts: { 'standard-4': 1, 'standard-8': 1, 'standard-12': 1, 'standard-16': 1, 'standard-32': 1, 'standard-24': 2, 'standard-48': 4, 'standard-96': 8 } },
  ct5lp: { accelerator: AcceleratorType.TPU_V5_LITEPOD, counts: { 'hightpu-1t': 1, 'hightpu-4t': 4, 'hightpu-8t': 8 } },
};

/** a2-ultragpu carries A100 80GB, a3-megagpu H100 Mega, a3-ultragpu H200. */
function builtInAccelerator(family: string, shape: string): AcceleratorType | undefined {
  if (family === 'a2' && shape.startsWith('ultragpu')) return AcceleratorType.NVIDIA_A100_80GB;
  if (family === 'a3' && shape.startsWith('megagpu')) return AcceleratorType.NVIDIA_H100_MEGA_80GB;
  if (family === 'a3' && shape.startsWith('ultragpu')) return AcceleratorType.NVIDIA_H200_141GB;
  return BUILT_IN[family]?.accelerator;
}

const NAME = /^([a-z][a-z0-9]*)-([a-z]+(?:-[0-9]+[a-z]*)?)$/;

export class MachineType {
  public static readonly E2_STANDARD_4 = MachineType.of('e2-standard-4');
  public static readonly N1_STANDARD_2 = MachineType.of('n1-standard-2');
  public static readonly N1_STANDARD_4 = MachineType.of('n1-standard-4');
  public static readonly N1_STANDARD_8 = MachineType.of('n1-standard-8');
  public static readonly N1_HIGHMEM_4 = MachineType.of('n1-highmem-4');
  public static readonly N2_STANDARD_4 = MachineType.of('n2-standard-4');
  public static readonly N2_STANDARD_8 = MachineType.of('n2-standard-8');
  public static readonly C2_STANDARD_8 = MachineType.of('c2-standard-8');
  public static readonly G2_STANDARD_4 = MachineType.of('g2-standard-4');
  public static readonly G2_STANDARD_8 = MachineType.of('g2-standard-8');
  public static readonly G2_STANDARD_24 = MachineType.of('g2-standard-24');
  public static readonly A2_HIGHGPU_1G = MachineType.of('a2-highgpu-1g');
  public static readonly A2_ULTRAGPU_1G = MachineType.of('a2-ultragpu-1g');
  public static readonly A3_HIGHGPU_1G = MachineType.of('a3-highgpu-1g');
  public static readonly A3_HIGHGPU_8G = MachineType.of('a3-highgpu-8g');
  public static readonly CT5LP_HIGHTPU_1T = MachineType.of('ct5lp-hightpu-1t');

  /** Any machine type by name (`n1-standard-4`); unknown families are reported by validation. */
  public static of(name: string): MachineType {
    return new MachineType(name);
  }

  private constructor(
    /** The machine type name, e.g. `g2-standard-8`. */
    public readonly name: string,
  ) {}

  /** `n1` for `n1-standard-4`; empty when the name is malformed. */
  public get family(): string {
    return NAME.exec(this.name)?.[1] ?? '';
  }

  /** `standard-4` for `n1-standard-4`. */
  public get shape(): string {
    return NAME.exec(this.name)?.[2] ?? '';
  }

  /** Whether this library knows the family (CPU, n1 with attachable GPUs, or accelerator-optimised with a known shape). */
  public get isKnown(): boolean {
    const f = this.family;
    if (CPU_FAMILIES.has(f) || f === 'n1') return /^(standard|highmem|highcpu)-[0-9]+$/.test(this.shape);
    return BUILT_IN[f]?.counts[this.shape] !== undefined;
  }

  /** Whether the machine takes attached GPUs (n1 only). */
  public get acceptsAttachedGpus(): boolean {
    return this.family === 'n1';
  }

  /** The accelerator the machine type comes with (a2, a3, a4, g2, ct5lp), if any. */
  public get builtInAccelerator(): AcceleratorType | undefined {
    return builtInAccelerator(this.family, this.shape);
  }

  /** The accelerator count the machine type comes with; 0 for CPU and n1 machines. */
  public get builtInAcceleratorCount(): number {
    return BUILT_IN[this.family]?.counts[this.shape] ?? 0;
  }

  public toString(): string {
    return this.name;
  }
}

/** Families for error messages. */
export const MACHINE_FAMILIES_ALLOWED = `${[...CPU_FAMILIES].join(', ')} (CPU), n1 (CPU or attached ${[...N1_ATTACHABLE.keys()].join('/')}), ${Object.keys(BUILT_IN).join(', ')} (built-in accelerators)`;
