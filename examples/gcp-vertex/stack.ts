/**
 * Vertex AI serving stack for the tiny example model: runtime image repository, versioned model
 * bucket, runtime and deployer service accounts, a public endpoint, dashboard and alerts, and the
 * rollout output `servingstack gcp deploy --outputs` reads. One L4 GPU per replica, 1–3 replicas
 * scaling on accelerator duty cycle; each new version bakes as a 10 % canary for 10 minutes.
 */
import * as path from 'node:path';
import { Construct } from 'constructs';
import { App } from '../../constructs/cdktf/binding';
import { MachineType, VertexServing, VertexServingStack, VertexServingStackProps } from '../../constructs/gcp';

export const TINY_PACKAGE = path.join(__dirname, '..', 'models', 'tiny');

export interface VertexExampleProps extends Partial<VertexServingStackProps> {
  /**
   * Model package directory.
   * @default examples/models/tiny
   */
  readonly modelPackage?: string;
  /**
   * Who gets the alerts.
   * @default - ml-oncall@example.com
   */
  readonly alertEmail?: string;
}

export class VertexExampleStack extends VertexServingStack {
  public readonly serving: VertexServing;

  constructor(scope: Construct, id: string, props: VertexExampleProps = {}) {
    const project = props.project ?? 'my-ml-project';
    const region = props.region ?? 'europe-west4';
    super(scope, id, { project, region, projectNumber: props.projectNumber, defaultLabels: props.defaultLabels });
    this.serving = new VertexServing(this, 'Tiny', {
      modelPackage: props.modelPackage ?? TINY_PACKAGE,
      deployment: { machineType: MachineType.G2_STANDARD_8, minReplicaCount: 1, maxReplicaCount: 3, targetAcceleratorDutyCyclePercent: 70 },
      rollout: { canaryTrafficPercent: 10, bakeTimeSeconds: 600, minPredictions: 100, maxErrorRatePercent: 1 },
      runtimeImageTag: '0.1.0',
      runtimeEnvironment: { SERVINGSTACK_EXECUTION_PROVIDERS: 'cuda,cpu' },
      monitoring: {
        notificationEmails: [props.alertEmail ?? 'ml-oncall@example.com'],
        thresholds: { maxP99LatencyMillis: 250 },
        modelQuality: { minAccuracy: 0.85 },
        // A model-quality alert starts this Vertex AI pipeline (compiled with KFP, pushed to Artifact Registry).
        retraining: { pipelineTemplateUri: `https://${region}-kfp.pkg.dev/${project}/pipelines/retrain-tiny/latest`, pipelineRoot: `gs://${project}-pipelines/retrain-tiny` },
      },
      registerOutputs: true,
    });
  }
}

/** Build the example app (no synth); `outdir` defaults to cdktf.out next to this file. */
export function buildVertexExampleApp(outdir = path.join(__dirname, 'cdktf.out')): App {
  const app = new App({ outdir, skipValidation: false });
  new VertexExampleStack(app, 'vertex-serving', { project: process.env.GOOGLE_CLOUD_PROJECT, region: process.env.GOOGLE_CLOUD_REGION });
  return app;
}
