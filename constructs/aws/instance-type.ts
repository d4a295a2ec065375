import { Token } from 'aws-cdk-lib';

const SIZE_VCPUS: Record<string, number> = {
  medium: 2, large: 2, xlarge: 4, '2xlarge': 8, '4xlarge': 16, '8xlarge': 32, '9xlarge': 36, '12xlarge': 48,
  '16xlarge': 64, '18xlarge': 72, '24xlarge': 96, '32xlarge': 128, '48xlarge': 192,
};

/** GPUs per instance, by family and size (NVIDIA families only). */
const GPUS: Record<string, Record<string, number>> = {
  g4dn: { xlarge: 1, '2xlarge': 1, '4xlarge': 1, '8xlarge': 1, '16xlarge': 1, '12xlarge': 4 },
  g5: { xlarge: 1, '2xlarge': 1, '4xlarge': 1, '8xlarge': 1, '16xlarge': 1, '12xlarge': 4, '24xlarge': 4, '48xlarge': 8 },
  g6: { xlarge: 1, '2xlarge': 1, '4xlarge': 1, '8xlarge': 1, '16xlarge': 1, '12xlarge': 4, '24xlarge': 4, '48xlarge': 8 },
  g6e: { xlarge: 1, '2xlarge': 1, '4xlarge': 1, '8xlarge': 1, '16xlarge': 1, '12xlarge': 4, '24xlarge': 4, '48xlarge': 8 },
  p3: { '2xlarge': 1, '8xlarge': 4, '16xlarge': 8 },
  p3dn: { '24xlarge': 8 },
  p4d: { '24xlarge': 8 },
  p4de: { '24xlarge': 8 },
  p5: { '48xlarge': 8 },
};

/**
 * Families whose instances carry local NVMe instance storage: SageMaker rejects an endpoint
 * config `KmsKeyId` for them (the storage is encrypted by the hardware instead).
 */
const NVME_FAMILIES = new Set([
  'c5d', 'm5d', 'r5d', 'c6id', 'm6id', 'r6id', 'c7gd', 'm7gd', 'r7gd',
  'g4dn', 'g5', 'g6', 'g6e', 'p3dn', 'p4d', 'p4de', 'p5', 'p5e', 'trn1', 'trn1n',
]);

/**
 * A SageMaker hosting instance type (`ml.<family>.<size>`), with the facts the constructs need:
 * burstable (no autoscaling), local NVMe (no KMS key on the endpoint config), vCPU and GPU counts
 * (CloudWatch reports CPU and GPU utilisation as 100 % per core / per GPU).
 */
export class InstanceType {
  public static readonly T2_MEDIUM = InstanceType.of('ml.t2.medium');
  public static readonly T3_MEDIUM = InstanceType.of('ml.t3.medium');
  public static readonly M5_LARGE = InstanceType.of('ml.m5.large');
  public static readonly M5_XLARGE = InstanceType.of('ml.m5.xlarge');
  public static readonly M5D_LARGE = InstanceType.of('ml.m5d.large');
  public static readonly C5_LARGE = InstanceType.of('ml.c5.large');
  public static readonly C5_XLARGE = InstanceType.of('ml.c5.xlarge');
  public static readonly C6I_LARGE = InstanceType.of('ml.c6i.large');
  public static readonly C6I_XLARGE = InstanceType.of('ml.c6i.xlarge');
  public static readonly C7I_LARGE = InstanceType.of('ml.c7i.large');
  public static readonly M6I_LARGE = InstanceType.of('ml.m6i.large');
  public static readonly R5_LARGE = InstanceType.of('ml.r5.large');
  public static readonly G4DN_XLARGE = InstanceType.of('ml.g4dn.xlarge');
  public static readonly G5_XLARGE = InstanceType.of('ml.g5.xlarge');
  public static readonly G5_2XLARGE = InstanceType.of('ml.g5.2xlarge');
  public static readonly G5_12XLARGE = InstanceType.of('ml.g5.12xlarge');
  public static readonly G6_XLARGE = InstanceType.of('ml.g6.xlarge');
  public static readonly INF1_XLARGE = InstanceType.of('ml.inf1.xlarge');
  public static readonly INF2_XLARGE = InstanceType.of('ml.inf2.xlarge');
  public static readonly P3_2XLARGE = InstanceType.of('ml.p3.2xlarge');

  /** Any instance type; `ml.` is required unless the value is a token. */
  public static of(name: string): InstanceType {
    return new InstanceType(name);
  }

  private constructor(private readonly name: string) {}

  /** Whether the name is a token (unknown until deployment): no facts can be derived. */
  public get isToken(): boolean {
    return Token.isUnresolved(this.name);
  }

  /** Whether the name has the `ml.<family>.<size>` form (tokens count as valid). */
  public get isWellFormed(): boolean {
    return this.isToken || /^ml\.[a-z0-9]+\.[a-z0-9]+$/.test(this.name);
  }

  /** e.g. `g5` for `ml.g5.xlarge`, empty for a token. */
  public get family(): string {
    return this.isToken ? '' : (this.name.split('.')[1] ?? '');
  }

  public get size(): string {
    return this.isToken ? '' : (this.name.split('.')[2] ?? '');
  }

  /** Burstable (T) families: Application Auto Scaling rejects them for SageMaker variants. Trainium is not burstable. */
  public get isBurstable(): boolean {
    return /^t\d/.test(this.family);
  }

  /** Local NVMe instance storage: the endpoint config must omit `KmsKeyId`. */
  public get hasLocalNvme(): boolean {
    return NVME_FAMILIES.has(this.family);
  }

  /** Inf1 instances fall back to all-at-once deployments without baking. */
  public get isInf1(): boolean {
    return this.family === 'inf1';
  }

  /** NVIDIA GPUs per instance, 0 for CPU or Neuron instances, undefined when not in the table. */
  public get gpuCount(): number | undefined {
    if (this.isToken) return undefined;
    const family = GPUS[this.family];
    if (family) return family[this.size];
    return /^(g|p)\d/.test(this.family) ? undefined : 0;
  }

  /** vCPUs per instance, undefined when the size is not in the table. */
  public get vcpuCount(): number | undefined {
    return this.isToken ? undefined : SIZE_VCPUS[this.size];
  }

  public toString(): string {
    return this.name;
  }
}
