/**
 * VM sizes (SKUs) a managed online deployment accepts. The constants are the table in
 * learn.microsoft.com/azure/machine-learning/reference-managed-online-endpoints-vm-sku-list
 * ("The full SKU names listed in the table can be used for … ARM templates"), with GPUs and cores
 * per instance. `InstanceType.of()` is the escape hatch for a SKU added after that list.
 */
export class InstanceType {
  public static readonly D2AS_V4 = new InstanceType('STANDARD_D2AS_V4', 0, 2);
  public static readonly D4AS_V4 = new InstanceType('STANDARD_D4AS_V4', 0, 4);
  public static readonly D8AS_V4 = new InstanceType('STANDARD_D8AS_V4', 0, 8);
  public static readonly D16AS_V4 = new InstanceType('STANDARD_D16AS_V4', 0, 16);
  public static readonly D32AS_V4 = new InstanceType('STANDARD_D32AS_V4', 0, 32);
  public static readonly D48AS_V4 = new InstanceType('STANDARD_D48AS_V4', 0, 48);
  public static readonly D64AS_V4 = new InstanceType('STANDARD_D64AS_V4', 0, 64);
  public static readonly D96AS_V4 = new InstanceType('STANDARD_D96AS_V4', 0, 96);
  public static readonly D2A_V4 = new InstanceType('STANDARD_D2A_V4', 0, 2);
  public static readonly D4A_V4 = new InstanceType('STANDARD_D4A_V4', 0, 4);
  public static readonly D8A_V4 = new InstanceType('STANDARD_D8A_V4', 0, 8);
  public static readonly D16A_V4 = new InstanceType('STANDARD_D16A_V4', 0, 16);
  public static readonly D32A_V4 = new InstanceType('STANDARD_D32A_V4', 0, 32);
  public static readonly D48A_V4 = new InstanceType('STANDARD_D48A_V4', 0, 48);
  public static readonly D64A_V4 = new InstanceType('STANDARD_D64A_V4', 0, 64);
  public static readonly D96A_V4 = new InstanceType('STANDARD_D96A_V4', 0, 96);
  public static readonly DS1_V2 = new InstanceType('STANDARD_DS1_V2', 0, 1);
  public static readonly DS2_V2 = new InstanceType('STANDARD_DS2_V2', 0, 2);
  public static readonly DS3_V2 = new InstanceType('STANDARD_DS3_V2', 0, 4);
  public static readonly DS4_V2 = new InstanceType('STANDARD_DS4_V2', 0, 8);
  public static readonly DS5_V2 = new InstanceType('STANDARD_DS5_V2', 0, 16);
  public static readonly E2S_V3 = new InstanceType('STANDARD_E2S_V3', 0, 2);
  public static readonly E4S_V3 = new InstanceType('STANDARD_E4S_V3', 0, 4);
  public static readonly E8S_V3 = new InstanceType('STANDARD_E8S_V3', 0, 8);
  public static readonly E16S_V3 = new InstanceType('STANDARD_E16S_V3', 0, 16);
  public static readonly E32S_V3 = new InstanceType('STANDARD_E32S_V3', 0, 32);
  public static readonly E48S_V3 = new InstanceType('STANDARD_E48S_V3', 0, 48);
  public static readonly E64S_V3 = new InstanceType('STANDARD_E64S_V3', 0, 64);
  public static readonly F2S_V2 = new InstanceType('STANDARD_F2S_V2', 0, 2);
  public static readonly F4S_V2 = new InstanceType('STANDARD_F4S_V2', 0, 4);
  public static readonly F8S_V2 = new InstanceType('STANDARD_F8S_V2', 0, 8);
  public static readonly F16S_V2 = new InstanceType('STANDARD_F16S_V2', 0, 16);
  public static readonly F32S_V2 = new InstanceType('STANDARD_F32S_V2', 0, 32);
  public static readonly F48S_V2 = new InstanceType('STANDARD_F48S_V2', 0, 48);
  public static readonly F64S_V2 = new InstanceType('STANDARD_F64S_V2', 0, 64);
  public static readonly F72S_V2 = new InstanceType('STANDARD_F72S_V2', 0, 72);
  public static readonly FX4MDS = new InstanceType('STANDARD_FX4MDS', 0, 4);
  public static readonly FX12MDS = new InstanceType('STANDARD_FX12MDS', 0, 12);
  public static readonly FX24MDS = new InstanceType('STANDARD_FX24MDS', 0, 24);
  public static readonly FX36MDS = new InstanceType('STANDARD_FX36MDS', 0, 36);
  public static readonly FX48MDS = new InstanceType('STANDARD_FX48MDS', 0, 48);
  public static readonly L8AS_V3 = new InstanceType('STANDARD_L8AS_V3', 0, 8);
  public static readonly L16AS_V3 = new InstanceType('STANDARD_L16AS_V3', 0, 16);
  public static readonly L32AS_V3 = new InstanceType('STANDARD_L32AS_V3', 0, 32);
  public static readonly L48AS_V3 = new InstanceType('STANDARD_L48AS_V3', 0, 48);
  public static readonly L64AS_V3 = new InstanceType('STANDARD_L64AS_V3', 0, 64);
  public static readonly L80AS_V3 = new InstanceType('STANDARD_L80AS_V3', 0, 80);
  public static readonly L8S_V2 = new InstanceType('STANDARD_L8S_V2', 0, 8);
  public static readonly L16S_V2 = new InstanceType('STANDARD_L16S_V2', 0, 16);
  public static readonly L32S_V2 = new InstanceType('STANDARD_L32S_V2', 0, 32);
  public static readonly L48S_V2 = new InstanceType('STANDARD_L48S_V2', 0, 48);
  public static readonly L64S_V2 = new InstanceType('STANDARD_L64S_V2', 0, 64);
  public static readonly L80S_V2 = new InstanceType('STANDARD_L80S_V2', 0, 80);
  public static readonly L8S_V3 = new InstanceType('STANDARD_L8S_V3', 0, 8);
  public static readonly L16S_V3 = new InstanceType('STANDARD_L16S_V3', 0, 16);
  public static readonly L32S_V3 = new InstanceType('STANDARD_L32S_V3', 0, 32);
  public static readonly L48S_V3 = new InstanceType('STANDARD_L48S_V3', 0, 48);
  public static readonly L64S_V3 = new InstanceType('STANDARD_L64S_V3', 0, 64);
  public static readonly L80S_V3 = new InstanceType('STANDARD_L80S_V3', 0, 80);
  public static readonly NC24ADS_A100_V4 = new InstanceType('STANDARD_NC24ADS_A100_V4', 1, 24);
  public static readonly NC48ADS_A100_V4 = new InstanceType('STANDARD_NC48ADS_A100_V4', 2, 48);
  public static readonly NC96ADS_A100_V4 = new InstanceType('STANDARD_NC96ADS_A100_V4', 4, 96);
  public static readonly NC4AS_T4_V3 = new InstanceType('STANDARD_NC4AS_T4_V3', 1, 4);
  public static readonly NC8AS_T4_V3 = new InstanceType('STANDARD_NC8AS_T4_V3', 1, 8);
  public static readonly NC16AS_T4_V3 = new InstanceType('STANDARD_NC16AS_T4_V3', 1, 16);
  public static readonly NC64AS_T4_V3 = new InstanceType('STANDARD_NC64AS_T4_V3', 4, 64);
  public static readonly NC6S_V2 = new InstanceType('STANDARD_NC6S_V2', 1, 6);
  public static readonly NC12S_V2 = new InstanceType('STANDARD_NC12S_V2', 2, 12);
  public static readonly NC24S_V2 = new InstanceType('STANDARD_NC24S_V2', 4, 24);
  public static readonly NC6S_V3 = new InstanceType('STANDARD_NC6S_V3', 1, 6);
  public static readonly NC12S_V3 = new InstanceType('STANDARD_NC12S_V3', 2, 12);
  public static readonly NC24S_V3 = new InstanceType('STANDARD_NC24S_V3', 4, 24);
  public static readonly NC40ADS_H100_V5 = new InstanceType('STANDARD_NC40ADS_H100_V5', 1, 40);
  public static readonly NC80ADIS_H100_V5 = new InstanceType('STANDARD_NC80ADIS_H100_V5', 2, 80);
  public static readonly ND96AMSR_A100_V4 = new InstanceType('STANDARD_ND96AMSR_A100_V4', 8, 96);
  public static readonly ND96ASR_V4 = new InstanceType('STANDARD_ND96ASR_V4', 8, 96);
  public static readonly ND40RS_V2 = new InstanceType('STANDARD_ND40RS_V2', 8, 40);
  public static readonly ND96IS_H100_V5 = new InstanceType('STANDARD_ND96IS_H100_V5', 8, 96);
  public static readonly ND96ISR_H100_V5 = new InstanceType('STANDARD_ND96ISR_H100_V5', 8, 96);
  public static readonly NV6ADS_A10_V5 = new InstanceType('STANDARD_NV6ADS_A10_V5', 0.1667, 6);
  public static readonly NV12ADS_A10_V5 = new InstanceType('STANDARD_NV12ADS_A10_V5', 0.3333, 12);
  public static readonly NV18ADS_A10_V5 = new InstanceType('STANDARD_NV18ADS_A10_V5', 0.5, 18);
  public static readonly NV36ADS_A10_V5 = new InstanceType('STANDARD_NV36ADS_A10_V5', 1, 36);
  public static readonly NV36ADMS_A10_V5 = new InstanceType('STANDARD_NV36ADMS_A10_V5', 1, 36);
  public static readonly NV72ADS_A10_V5 = new InstanceType('STANDARD_NV72ADS_A10_V5', 2, 72);

  /** Every listed SKU. */
  public static get all(): readonly InstanceType[] {
    return Object.values(InstanceType).filter((v): v is InstanceType => v instanceof InstanceType);
  }

  /** A listed SKU by name (case-insensitive), or undefined. */
  public static find(name: string): InstanceType | undefined {
    const upper = name.toUpperCase();
    return InstanceType.all.find((t) => t.name === upper);
  }

  /**
   * Any SKU name. Listed names resolve to the listed constant; others are accepted as given
   * (validated only for form, `Standard_…`), with the GPU count you state.
   */
  public static of(name: string, gpus = 0): InstanceType {
    return InstanceType.find(name) ?? new InstanceType(name, gpus, undefined, true);
  }

  private constructor(
    /** The SKU name sent to ARM. */
    public readonly name: string,
    /** GPUs per instance (fractions for partitioned A10 SKUs). */
    public readonly gpus: number,
    /** vCPUs per instance, when listed. */
    public readonly cores?: number,
    /** True for a name outside the validated list (`InstanceType.of`). */
    public readonly unlisted = false,
  ) {}

  public get hasGpu(): boolean {
    return this.gpus > 0;
  }

  public toString(): string {
    return this.name;
  }
}
