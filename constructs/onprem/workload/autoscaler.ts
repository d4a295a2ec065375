/**
 * The HorizontalPodAutoscaler of a serving track (autoscaling/v2): CPU, and for the ServingStack
 * runtime its in-flight and queue gauges per pod (custom metrics served by prometheus-adapter).
 */
import { Construct } from 'constructs';
import { RUNTIME_METRICS } from '../../../lib/core/metrics-catalog';
import type { AutoscalingOptions } from '../model-server-options';
import { HorizontalPodAutoscalerV2, KubernetesProvider } from '../private/binding';
import { Duration } from '../quantities';

type HpaProps = ConstructorParameters<typeof HorizontalPodAutoscalerV2>[2];
type HpaMetric = Extract<NonNullable<HpaProps['spec']['metric']>, unknown[]>[number];

export interface AutoscalerProps {
  readonly autoscaling: AutoscalingOptions;
  /** Scale on the runtime's gauges too. */
  readonly runtime: boolean;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly provider: KubernetesProvider;
  /** The Deployment's metadata (the HPA shares its name and namespace). */
  readonly metadata: { readonly name: string; readonly namespace: string; readonly labels: { readonly [key: string]: string } };
  readonly dependsOn: HpaProps['dependsOn'];
}

export function createAutoscaler(scope: Construct, p: AutoscalerProps): HorizontalPodAutoscalerV2 {
  const a = p.autoscaling;
  const metric: HpaMetric[] = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: a.targetCpuUtilizationPercent ?? 70 } } }];
  if (p.runtime) {
    metric.push(
      { type: 'Pods', pods: { metric: { name: RUNTIME_METRICS.inflight.name }, target: { type: 'AverageValue', averageValue: String(a.targetInflightRequestsPerPod ?? 8) } } },
      { type: 'Pods', pods: { metric: { name: RUNTIME_METRICS.queueDepth.name }, target: { type: 'AverageValue', averageValue: String(a.targetQueueDepthPerPod ?? 4) } } },
    );
  }
  return new HorizontalPodAutoscalerV2(scope, 'Autoscaler', {
    provider: p.provider,
    dependsOn: p.dependsOn,
    metadata: { name: p.metadata.name, namespace: p.metadata.namespace, labels: { ...p.metadata.labels } },
    spec: {
      minReplicas: p.minReplicas,
      maxReplicas: p.maxReplicas,
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: p.metadata.name },
      metric,
      behavior: {
        scaleDown: [{ stabilizationWindowSeconds: (a.scaleDownStabilization ?? Duration.seconds(300)).toSeconds(), selectPolicy: 'Max', policy: [{ type: 'Pods', value: 1, periodSeconds: 60 }] }],
        scaleUp: [{ stabilizationWindowSeconds: 0, selectPolicy: 'Max', policy: [{ type: 'Pods', value: 2, periodSeconds: 60 }, { type: 'Percent', value: 100, periodSeconds: 60 }] }],
      },
    },
  });
}
