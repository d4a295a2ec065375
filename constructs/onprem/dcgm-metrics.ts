/**
 * DCGM exporter metric names (NVIDIA/dcgm-exporter `etc/default-counters.csv`, as shipped by
 * the GPU Operator). The on-prem dashboard and alert rules may reference only these and the
 * runtime's RUNTIME_METRICS (lib/core/metrics-catalog.ts); a test enforces it.
 */
export const DCGM_METRICS = {
  gpuUtil: 'DCGM_FI_DEV_GPU_UTIL',
  memCopyUtil: 'DCGM_FI_DEV_MEM_COPY_UTIL',
  encUtil: 'DCGM_FI_DEV_ENC_UTIL',
  decUtil: 'DCGM_FI_DEV_DEC_UTIL',
  fbFree: 'DCGM_FI_DEV_FB_FREE',
  fbUsed: 'DCGM_FI_DEV_FB_USED',
  fbReserved: 'DCGM_FI_DEV_FB_RESERVED',
  xidErrors: 'DCGM_FI_DEV_XID_ERRORS',
  pcieReplayCounter: 'DCGM_FI_DEV_PCIE_REPLAY_COUNTER',
  correctableRemappedRows: 'DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS',
  uncorrectableRemappedRows: 'DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS',
  rowRemapFailure: 'DCGM_FI_DEV_ROW_REMAP_FAILURE',
  smClock: 'DCGM_FI_DEV_SM_CLOCK',
  memClock: 'DCGM_FI_DEV_MEM_CLOCK',
  gpuTemp: 'DCGM_FI_DEV_GPU_TEMP',
  memoryTemp: 'DCGM_FI_DEV_MEMORY_TEMP',
  powerUsage: 'DCGM_FI_DEV_POWER_USAGE',
  totalEnergyConsumption: 'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION',
  nvlinkBandwidthTotal: 'DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL',
  vgpuLicenseStatus: 'DCGM_FI_DEV_VGPU_LICENSE_STATUS',
  driverVersion: 'DCGM_FI_DRIVER_VERSION',
  profGrEngineActive: 'DCGM_FI_PROF_GR_ENGINE_ACTIVE',
  profPipeTensorActive: 'DCGM_FI_PROF_PIPE_TENSOR_ACTIVE',
  profDramActive: 'DCGM_FI_PROF_DRAM_ACTIVE',
  profPcieTxBytes: 'DCGM_FI_PROF_PCIE_TX_BYTES',
  profPcieRxBytes: 'DCGM_FI_PROF_PCIE_RX_BYTES',
} as const;
