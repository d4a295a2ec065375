import { GpuOperator, GpuSharing, MigStrategy, OnPremErrorCodes, ServingMonitoring } from '../../../constructs/onprem';
import { TerraformTemplate } from '../../support/terraform-template';
import { issueFor, issuesOf } from '../../support/errors';
import { newStack } from '../../support/onprem';


describe('GpuOperator', () => {
  test('defaults: chart v26.7.0, driver and toolkit on, DCGM exporter on without a ServiceMonitor, privileged namespace', () => {
    const stack = newStack();
    new GpuOperator(stack, 'Gpu');
    const synth = TerraformTemplate.synth(stack);
    expect(synth.resource('helm_release', 'gpu-operator')).toMatchObject({ namespace: 'gpu-operator', repository: 'https://helm.ngc.nvidia.com/nvidia', chart: 'gpu-operator', version: 'v26.7.0', atomic: true, timeout: 1200 });
    expect(synth.helmValues('gpu-operator')).toEqual({
      driver: { enabled: true },
      toolkit: { enabled: true },
      devicePlugin: { enabled: true },
      nfd: { enabled: true },
      gfd: { enabled: true },
      dcgmExporter: { enabled: true, serviceMonitor: { enabled: false } },
    });
    expect(synth.resource('kubernetes_namespace_v1', 'gpu-operator').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
  });

  test('preinstalled drivers and toolkit', () => {
    const stack = newStack();
    new GpuOperator(stack, 'Gpu', { driverEnabled: false, toolkitEnabled: false });
    const v = TerraformTemplate.synth(stack).helmValues('gpu-operator');
    expect(v.driver).toEqual({ enabled: false });
    expect(v.toolkit).toEqual({ enabled: false });
  });

  test('pinned driver version', () => {
    const stack = newStack();
    new GpuOperator(stack, 'Gpu', { driverVersion: '595.91.07' });
    expect(TerraformTemplate.synth(stack).helmValues('gpu-operator').driver).toEqual({ enabled: true, version: '595.91.07' });
  });

  test('time-slicing writes a device-plugin config applied to every node', () => {
    const stack = newStack();
    new GpuOperator(stack, 'Gpu', { sharing: GpuSharing.timeSlicing(4) });
    const dp = TerraformTemplate.synth(stack).helmValues('gpu-operator').devicePlugin;
    expect(dp).toMatchObject({ enabled: true, config: { create: true, name: 'servingstack-time-slicing', default: 'any' } });
    expect(JSON.parse(dp.config.data.any)).toEqual({
      version: 'v1',
      flags: { migStrategy: 'none' },
      sharing: { timeSlicing: { renameByDefault: false, failRequestsGreaterThanOne: true, resources: [{ name: 'nvidia.com/gpu', replicas: 4 }] } },
    });
  });

  test('MIG: strategy and MIG Manager default profile', () => {
    const stack = newStack();
    new GpuOperator(stack, 'Gpu', { sharing: GpuSharing.mig(MigStrategy.MIXED, 'all-1g.10gb') });
    const v = TerraformTemplate.synth(stack).helmValues('gpu-operator');
    expect(v.mig).toEqual({ strategy: 'mixed' });
    expect(v.migManager).toEqual({ enabled: true, config: { default: 'all-1g.10gb' } });
  });

  test('with monitoring: DCGM ServiceMonitor labelled for the release, ordered after kube-prometheus-stack', () => {
    const stack = newStack();
    const monitoring = new ServingMonitoring(stack, 'Monitoring', { releaseName: 'kps' });
    new GpuOperator(stack, 'Gpu', { monitoring });
    const synth = TerraformTemplate.synth(stack);
    const release = synth.resource('helm_release', 'gpu-operator');
    expect(synth.helmValues('gpu-operator').dcgmExporter).toEqual({ enabled: true, serviceMonitor: { enabled: true, interval: '15s', additionalLabels: { release: 'kps' } } });
    expect(release.depends_on).toEqual([expect.stringMatching(/^kubernetes_namespace_v1\.Gpu_Namespace/), expect.stringMatching(/^helm_release\.Monitoring/)]);
  });

  test('extra values are deep-merged last', () => {
    const stack = newStack();
    new GpuOperator(stack, 'Gpu', { extraValues: { driver: { kernelModuleType: 'open' }, cdi: { enabled: true } } });
    const v = TerraformTemplate.synth(stack).helmValues('gpu-operator');
    expect(v.driver).toEqual({ enabled: true, kernelModuleType: 'open' });
    expect(v.cdi).toEqual({ enabled: true });
  });

  test('bad input', () => {
    const issues = issuesOf(() => new GpuOperator(newStack(), 'Gpu', { sharing: GpuSharing.timeSlicing(1.5), driverEnabled: false, driverVersion: '595', chartVersion: 'latest' }), OnPremErrorCodes.GPU_OPERATOR);
    expect(issues.map((i) => i.field)).toEqual(['chartVersion', 'driverVersion', 'driverVersion', 'sharing.replicasPerGpu']);
    expect(issueFor(issues, 'sharing.replicasPerGpu')).toMatchObject({ received: 1.5, allowed: 'a whole number from 2 to 64' });
    expect(issueFor(issuesOf(() => new GpuOperator(newStack(), 'Gpu', { sharing: GpuSharing.mig(MigStrategy.SINGLE, 'All 1g') }), OnPremErrorCodes.GPU_OPERATOR), 'sharing.defaultProfile').received).toBe('All 1g');
  });
});
