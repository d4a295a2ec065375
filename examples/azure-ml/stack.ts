/**
 * Azure Machine Learning serving stack for the breast-cancer example model: a workspace with its
 * storage, key vault, registry and Log Analytics; the model store and model version; the runtime
 * environment; a managed online endpoint (Entra ID auth) with a `blue` deployment autoscaling 2–6
 * × Standard_DS3_v2 on CPU and request latency; Azure Monitor alerts (to ml-oncall@example.com),
 * a workbook, and retraining through a batch endpoint's pipeline when drift, accuracy or concept
 * drift alerts fire; the output `servingstack azure upload|promote|rollback|status` reads.
 */
import * as path from 'node:path';
import { Construct } from 'constructs';
import { App } from '../../constructs/cdktf/binding';
import { AzureMlServing, AzureServingStack, AzureServingStackProps, InstanceType, RetrainingTrigger } from '../../constructs/azure';

export const BREAST_CANCER_PACKAGE = path.join(__dirname, '..', 'models', 'breast-cancer');

export interface AzureExampleProps extends Partial<AzureServingStackProps> {
  /**
   * Model package directory.
   * @default examples/models/breast-cancer
   */
  readonly modelPackage?: string;
  /**
   * The bootstrap apply: no model version or deployment yet (see the README).
   * @default false
   */
  readonly bootstrap?: boolean;
  /**
   * Object ID of the CI identity that runs `servingstack azure upload`.
   * @default - none
   */
  readonly uploaderPrincipalId?: string;
}

export class AzureExampleStack extends AzureServingStack {
  public readonly serving: AzureMlServing;

  constructor(scope: Construct, id: string, props: AzureExampleProps = {}) {
    super(scope, id, {
      location: props.location ?? 'westeurope',
      resourceGroupName: props.resourceGroupName ?? 'rg-servingstack-example',
      subscriptionId: props.subscriptionId,
      tenantId: props.tenantId,
      useOidc: props.useOidc,
    });
    this.serving = new AzureMlServing(this, 'BreastCancer', {
      modelPackage: props.modelPackage ?? BREAST_CANCER_PACKAGE,
      endpointName: 'breast-cancer',
      deploy: !(props.bootstrap ?? false),
      runtime: { imageTag: '0.1.0' },
      deployment: {
        instanceType: InstanceType.DS3_V2,
        autoscale: { minInstances: 2, maxInstances: 6, latency: { scaleOutAboveMillis: 250 } },
      },
      monitoring: {
        notificationEmails: ['ml-oncall@example.com'],
        thresholds: { maxP99LatencyMillis: 250 },
        retraining: RetrainingTrigger.batchEndpoint({ endpointName: 'retrain-breast-cancer', alertRuleInput: 'trigger' }),
      },
      uploaderPrincipalId: props.uploaderPrincipalId,
      registerOutputs: true,
    });
  }
}

/** Build the example app (no synth); `outdir` defaults to cdktf.out next to this file. */
export function buildAzureExampleApp(outdir = path.join(__dirname, 'cdktf.out'), env: NodeJS.ProcessEnv = process.env): App {
  const app = new App({ outdir, skipValidation: false });
  new AzureExampleStack(app, 'azure-ml-serving', {
    location: env.AZURE_LOCATION,
    resourceGroupName: env.AZURE_RESOURCE_GROUP,
    bootstrap: env.SERVINGSTACK_BOOTSTRAP === '1',
    uploaderPrincipalId: env.SERVINGSTACK_UPLOADER_PRINCIPAL_ID,
  });
  return app;
}
