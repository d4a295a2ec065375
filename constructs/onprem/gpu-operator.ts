/**
 * GPU enablement: the NVIDIA GPU Operator Helm release (driver, container toolkit, device
 * plugin, feature discovery, DCGM exporter, optional time-slicing or MIG).
 */
import { Construct } from 'constructs';
import { HelmRelease, NamespaceV1 } from './private/binding';
import { GpuSharing } from './gpu-sharing';
import { OnPremServingStack } from './onprem-serving-stack';
import { Checker, ONPREM_ERRORS } from './private/checker';
import { deepMerge, helmValues } from './private/helm';
import type { ServingMonitoring } from './serving-monitoring';

export const GPU_OPERATOR_REPOSITORY = 'https://helm.ngc.nvidia.com/nvidia';
export const GPU_OPERATOR_VERSION = 'v26.7.0';
/** Name of the device-plugin ConfigMap the time-slicing configuration is written to. */
export const TIME_SLICING_CONFIG_NAME = 'servingstack-time-slicing';

export interface GpuOperatorProps {
  /**
   * Namespace of the operator (created, Pod Security `privileged`: the operands need host access).
   * @default 'gpu-operator'
   */
  readonly namespace?: string;
  /**
   * Chart version.
   * @default 'v26.7.0'
   */
  readonly chartVersion?: string;
  /**
   * Install the NVIDIA driver as a container. Set `false` on nodes whose driver is preinstalled
   * (DGX OS, most on-prem images).
   * @default true
   */
  readonly driverEnabled?: boolean;
  /**
   * Driver version, when the operator installs it.
   * @default - the chart's default
   */
  readonly driverVersion?: string;
  /**
   * Install the NVIDIA container toolkit. Set `false` when the container runtime is already
   * configured for NVIDIA.
   * @default true
   */
  readonly toolkitEnabled?: boolean;
  /**
   * GPU sharing.
   * @default GpuSharing.none()
   */
  readonly sharing?: GpuSharing;
  /**
   * Monitoring the DCGM exporter reports to: the exporter's ServiceMonitor is enabled, labelled
   * for that release, and this release is ordered after it (the ServiceMonitor CRD must exist).
   * @default - DCGM exporter on, without a ServiceMonitor
   */
  readonly monitoring?: ServingMonitoring;
  /**
   * Extra chart values, deep-merged last.
   * @default - none
   */
  readonly extraValues?: { [key: string]: unknown };
}

export class GpuOperator extends Construct {
  public readonly namespace: string;
  public readonly release: HelmRelease;
  /** The values passed to the chart. */
  public readonly values: Record<string, unknown>;

  constructor(scope: Construct, id: string, props: GpuOperatorProps = {}) {
    super(scope, id);
    const stack = OnPremServingStack.of(this);
    this.namespace = props.namespace ?? 'gpu-operator';
    const sharing = (props.sharing ?? GpuSharing.none())._config();
    const checker = new Checker(this, ONPREM_ERRORS.GPU_OPERATOR, 'GpuOperator');
    checker.dnsLabel('namespace', this.namespace);
    if (props.chartVersion !== undefined) checker.check(/^v?\d+\.\d+\.\d+([-.+][0-9A-Za-z.-]+)?$/.test(props.chartVersion), { field: 'chartVersion', message: 'is not a chart version', received: props.chartVersion, allowed: 'a semantic version such as v26.7.0' });
    if (props.driverVersion !== undefined) {
      checker.check(props.driverEnabled !== false, { field: 'driverVersion', message: 'is set while driverEnabled is false', received: props.driverVersion, allowed: 'unset when the host driver is preinstalled' });
      checker.check(/^\d+(\.\d+){1,2}$/.test(props.driverVersion), { field: 'driverVersion', message: 'is not a driver version', received: props.driverVersion, allowed: 'e.g. 595.91.07' });
    }
    if (sharing.kind === 'time-slicing') {
      checker.intRange('sharing.replicasPerGpu', sharing.replicas, 2, 64);
    }
    if (sharing.kind === 'mig') {
      checker.check(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(sharing.migProfile ?? ''), { field: 'sharing.defaultProfile', message: 'is not a MIG Manager configuration name', received: sharing.migProfile, allowed: 'e.g. all-disabled, all-1g.10gb, all-balanced' });
    }
    checker.throwIfAny();

    const ns = new NamespaceV1(this, 'Namespace', {
      provider: stack.kubernetesProvider,
      metadata: { name: this.namespace, labels: { 'app.kubernetes.io/part-of': 'servingstack', 'pod-security.kubernetes.io/enforce': 'privileged' } },
    });

    const values: Record<string, unknown> = {
      driver: { enabled: props.driverEnabled ?? true, ...(props.driverVersion ? { version: props.driverVersion } : {}) },
      toolkit: { enabled: props.toolkitEnabled ?? true },
      devicePlugin: { enabled: true },
      nfd: { enabled: true },
      gfd: { enabled: true },
      dcgmExporter: {
        enabled: true,
        serviceMonitor: props.monitoring
          ? { enabled: true, interval: '15s', additionalLabels: { release: props.monitoring.releaseName } }
          : { enabled: false },
      },
    };
    if (sharing.kind === 'time-slicing') {
      const config = {
        version: 'v1',
        flags: { migStrategy: 'none' },
        sharing: { timeSlicing: { renameByDefault: false, failRequestsGreaterThanOne: true, resources: [{ name: 'nvidia.com/gpu', replicas: sharing.replicas }] } },
      };
      values.devicePlugin = { enabled: true, config: { create: true, name: TIME_SLICING_CONFIG_NAME, default: 'any', data: { any: JSON.stringify(config) } } };
    }
    if (sharing.kind === 'mig') {
      values.mig = { strategy: sharing.migStrategy };
      values.migManager = { enabled: true, config: { default: sharing.migProfile } };
    }
    this.values = deepMerge(values, props.extraValues ?? {});

    this.release = new HelmRelease(this, 'Resource', {
      provider: stack.helmProvider,
      dependsOn: props.monitoring?.release ? [ns, props.monitoring.release] : [ns],
      name: 'gpu-operator',
      namespace: this.namespace,
      repository: GPU_OPERATOR_REPOSITORY,
      chart: 'gpu-operator',
      version: props.chartVersion ?? GPU_OPERATOR_VERSION,
      atomic: true,
      cleanupOnFail: true,
      timeout: 1200,
      values: helmValues(this.values),
    });
  }
}
