import { AUTOSCALING_METRICS, DeploymentInput, resolveDeployment } from '../../../constructs/gcp/deployment-resources';
import { AcceleratorType, MachineType } from '../../../constructs/gcp';
import { Checker } from '../../../constructs/gcp/private/errors';

function resolve(input: DeploymentInput) {
  const c = new Checker('SS_ERR_TEST', 'test');
  const spec = resolveDeployment(input, c);
  return { spec, issues: c.found.map((i) => `${i.field}: ${i.message}`) };
}

describe('machine and accelerator compatibility', () => {
  test.each([
    ['n1-standard-4', undefined, undefined, undefined, 0],
    ['n1-standard-8', 'NVIDIA_TESLA_T4', 2, 'NVIDIA_TESLA_T4', 2],
    ['n1-standard-4', 'NVIDIA_TESLA_V100', undefined, 'NVIDIA_TESLA_V100', 1],
    ['g2-standard-8', undefined, undefined, 'NVIDIA_L4', 1],
    ['g2-standard-24', 'NVIDIA_L4', 2, 'NVIDIA_L4', 2],
    ['a2-highgpu-1g', undefined, undefined, 'NVIDIA_TESLA_A100', 1],
    ['a2-ultragpu-2g', undefined, undefined, 'NVIDIA_A100_80GB', 2],
    ['a3-highgpu-8g', undefined, undefined, 'NVIDIA_H100_80GB', 8],
    ['a3-megagpu-8g', undefined, undefined, 'NVIDIA_H100_MEGA_80GB', 8],
    ['ct5lp-hightpu-4t', undefined, undefined, 'TPU_V5_LITEPOD', 4],
    ['e2-standard-4', undefined, undefined, undefined, 0],
  ])('%s + %s × %s → %s × %s', (machineType, acceleratorType, acceleratorCount, wantType, wantCount) => {
    const { spec, issues } = resolve({ machineType, acceleratorType, acceleratorCount });
    expect(issues).toEqual([]);
    expect(spec.acceleratorType).toBe(wantType);
    expect(spec.acceleratorCount).toBe(wantCount);
  });

  test.each([
    [{ machineType: 'e2-standard-4', acceleratorType: 'NVIDIA_TESLA_T4' }, 'deployment.acceleratorType: cannot be used with e2-standard-4: the e2 family takes no accelerators'],
    [{ machineType: 'n1-standard-4', acceleratorType: 'NVIDIA_L4' }, 'deployment.acceleratorType: cannot be attached to n1-standard-4'],
    [{ machineType: 'n1-standard-4', acceleratorType: 'NVIDIA_TESLA_T4', acceleratorCount: 3 }, 'deployment.acceleratorCount: is not a valid count of NVIDIA_TESLA_T4 on n1'],
    [{ machineType: 'n1-standard-4', acceleratorCount: 1 }, 'deployment.acceleratorCount: is set without an acceleratorType'],
    [{ machineType: 'g2-standard-8', acceleratorType: 'NVIDIA_TESLA_T4' }, 'deployment.acceleratorType: does not match g2-standard-8, which comes with NVIDIA_L4'],
    [{ machineType: 'a2-highgpu-1g', acceleratorCount: 2 }, 'deployment.acceleratorCount: does not match a2-highgpu-1g, which comes with 1 × NVIDIA_TESLA_A100'],
    [{ machineType: 'x9-mega-1' }, 'deployment.machineType: is not a machine type Vertex AI prediction serves on'],
    [{ machineType: 'g2-standard-5' }, 'deployment.machineType: is not a machine type Vertex AI prediction serves on'],
    [{ machineType: 'n1-standard-4', acceleratorType: 'NVIDIA_K80' }, 'deployment.acceleratorType: is not a known accelerator type'],
  ])('%j is rejected', (input, message) => {
    expect(resolve(input).issues).toEqual([message]);
  });
});

describe('replicas and autoscaling', () => {
  test('defaults: one replica, no autoscaling specs, not spot', () => {
    expect(resolve({ machineType: 'n1-standard-4' }).spec).toEqual({ machineType: 'n1-standard-4', acceleratorType: undefined, acceleratorCount: 0, minReplicaCount: 1, maxReplicaCount: 1, autoscalingMetricSpecs: [], spot: false });
  });

  test('targets become autoscaling metric specs with the official metric names', () => {
    const { spec, issues } = resolve({ machineType: 'g2-standard-8', minReplicaCount: 2, maxReplicaCount: 9, targetCpuUtilizationPercent: 65, targetAcceleratorDutyCyclePercent: 75, targetRequestCountPerReplica: 120 });
    expect(issues).toEqual([]);
    expect(spec.autoscalingMetricSpecs).toEqual([
      { metricName: AUTOSCALING_METRICS.cpu, target: 65 },
      { metricName: AUTOSCALING_METRICS.acceleratorDutyCycle, target: 75 },
      { metricName: AUTOSCALING_METRICS.requestCount, target: 120 },
    ]);
  });

  test('bounds: min ≥ 1, max ≥ min, integer targets 1–100, duty cycle needs accelerators', () => {
    expect(resolve({ machineType: 'n1-standard-4', minReplicaCount: 0, targetCpuUtilizationPercent: 101, targetAcceleratorDutyCyclePercent: 50 }).issues).toEqual([
      'deployment.minReplicaCount: is out of range',
      'deployment.targetCpuUtilizationPercent: is out of range',
      'deployment.targetAcceleratorDutyCyclePercent: needs accelerators, and this deployment has none',
    ]);
    expect(resolve({ machineType: 'n1-standard-4', minReplicaCount: 4, maxReplicaCount: 2.5 }).issues).toEqual(['deployment.maxReplicaCount: is not a whole number']);
  });

  test('enum-like classes expose facts and accept unknown names for validation to report', () => {
    expect(MachineType.A3_HIGHGPU_8G.builtInAccelerator).toBe(AcceleratorType.NVIDIA_H100_80GB);
    expect(MachineType.N1_STANDARD_4.acceptsAttachedGpus).toBe(true);
    expect(AcceleratorType.of('NVIDIA_L4')).toBe(AcceleratorType.NVIDIA_L4);
    expect(AcceleratorType.of('NVIDIA_FUTURE').isKnown).toBe(false);
  });
});
