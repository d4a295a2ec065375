/**
 * On-prem GPU serving of the breast-cancer package on an existing Kubernetes cluster:
 * GPU Operator (host drivers preinstalled, 2-way time-slicing), kube-prometheus-stack with the
 * serving alerts and dashboard, prometheus-adapter, MLflow registry, and the runtime on the GPU
 * pool as a stable/canary pair behind a TLS Ingress, scaled by CPU, in-flight and queue depth.
 *
 * Synthesizes offline (`npx tsx examples/onprem-k8s-gpu/main.ts`); deploy steps in README.md.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Construct } from 'constructs';
import {
  Accelerator, CanaryRollout, Cpu, GpuOperator, GpuSharing, MlflowRegistry, OnPremServingStack, PrometheusAdapter,
  RolloutState, ServingContainer, ServingMonitoring, ServingNamespace, Size,
} from '../../constructs/onprem';

export const ROLLOUT_STATE_FILE = path.join(__dirname, 'rollout.json');

export interface OnPremExampleProps {
  /**
   * kubeconfig context of the target cluster.
   * @default process.env.KUBE_CONTEXT ?? 'onprem-gpu'
   */
  readonly kubeconfigContext?: string;
  /**
   * Runtime image (mirror it into the cluster's registry for air-gapped sites).
   * @default 'registry.example.internal/servingstack/runtime:0.1.0'
   */
  readonly image?: string;
  /**
   * Rollout state.
   * @default - read from rollout.json next to this file
   */
  readonly state?: RolloutState;
}

export class OnPremGpuStack extends OnPremServingStack {
  public readonly rollout: CanaryRollout;
  public readonly monitoring: ServingMonitoring;

  constructor(scope: Construct, id: string, props: OnPremExampleProps = {}) {
    super(scope, id, { kubeconfigContext: props.kubeconfigContext ?? process.env.KUBE_CONTEXT ?? 'onprem-gpu' });

    this.monitoring = new ServingMonitoring(this, 'Monitoring', {
      thresholds: { maxP99LatencyMillis: 250 },
      // Drift, fairness, accuracy and concept-drift alerts from the runtime's model-monitoring gauges.
      modelQualityAlerts: true,
      // Anything else (business KPIs, custom detectors) goes in additionalAlertRules.
    });
    new GpuOperator(this, 'GpuOperator', {
      driverEnabled: false,
      sharing: GpuSharing.timeSlicing(2),
      monitoring: this.monitoring,
    });
    new PrometheusAdapter(this, 'Adapter', { monitoring: this.monitoring });
    new MlflowRegistry(this, 'Registry', {
      postgresHost: 'mlflow-db-rw.databases.svc',
      postgresCredentialsSecretName: 'mlflow-db',
      artifactBucket: 'mlflow',
      s3Endpoint: 'http://minio.storage.svc:9000',
      s3CredentialsSecretName: 'mlflow-s3',
    });

    const namespace = new ServingNamespace(this, 'Namespace', { name: 'serving' });
    const state = props.state ?? (JSON.parse(fs.readFileSync(ROLLOUT_STATE_FILE, 'utf8')) as RolloutState);
    this.rollout = new CanaryRollout(this, 'BreastCancer', {
      namespace,
      state,
      name: 'breast-cancer',
      container: ServingContainer.servingStackRuntime(props.image ?? 'registry.example.internal/servingstack/runtime:0.1.0'),
      modelStore: { endpoint: 'http://minio.storage.svc:9000', credentialsSecretName: 'model-store' },
      accelerator: Accelerator.nvidiaGpu(1),
      resources: { cpu: { request: Cpu.millis(1000), limit: Cpu.millis(2000) }, memory: { request: Size.gibibytes(2), limit: Size.gibibytes(4) } },
      autoscaling: { minReplicas: 2, maxReplicas: 8 },
      ingress: { host: 'breast-cancer.ml.example.internal' },
      // Admits its Prometheus and makes its scrape token the pods' admin token (auth is on by default).
      monitoring: this.monitoring,
    });
  }
}
