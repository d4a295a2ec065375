import { Construct } from 'constructs';
import { AzureServingStack } from './azure-serving-stack';
import { FeedbackKey } from './feedback-key';
import { IMlWorkspace, MlWorkspace, MlWorkspaceProps } from './ml-workspace';
import { ModelAsset } from './model-asset';
import { ModelStore } from './model-store';
import { OnlineDeployment, OnlineDeploymentOptions } from './online-deployment';
import { EndpointAuthMode, OnlineEndpoint, TrafficOwner } from './online-endpoint';
import { Lazy, TerraformOutput, addDependsOn } from './private/binding';
import { AZURE_ROLLOUT_KIND, AZURE_ROLLOUT_VERSION, AzureModelSettings, AzureRolloutSettings } from './rollout/settings';
import { RuntimeEnvironment, RuntimeImageOptions } from './runtime-environment';
import { ServingIdentity } from './serving-identity';
import { MonitoringOptions, ServingMonitoring } from './serving-monitoring';

export interface ServingDeploymentOptions extends OnlineDeploymentOptions {
  /**
   * Another model package for this deployment (blue/green: the new version).
   * @default - the serving's model package
   */
  readonly modelPackage?: string;
}

export interface AzureMlServingProps {
  /** A model package directory (holding `servingstack.json`), validated at synth. */
  readonly modelPackage: string;
  /**
   * An existing workspace (`MlWorkspace.fromWorkspaceAttributes`).
   * @default - a new MlWorkspace with `workspaceOptions`
   */
  readonly workspace?: IMlWorkspace;
  /**
   * Settings of the workspace created when `workspace` is not given.
   * @default - see MlWorkspaceProps
   */
  readonly workspaceOptions?: MlWorkspaceProps;
  /**
   * Endpoint name, unique in the region.
   * @default - the construct ID, lower case
   */
  readonly endpointName?: string;
  /**
   * Caller authentication.
   * @default EndpointAuthMode.ENTRA_ID
   */
  readonly authMode?: EndpointAuthMode;
  /**
   * Name of the first deployment.
   * @default 'blue'
   */
  readonly deploymentName?: string;
  /**
   * VM size, instances, autoscale, probes… of the first deployment.
   * @default - see OnlineDeploymentOptions
   */
  readonly deployment?: OnlineDeploymentOptions;
  /**
   * Runtime image (repository, tag or full reference).
   * @default - `servingstack-runtime:latest` in the workspace registry
   */
  readonly runtime?: RuntimeImageOptions;
  /**
   * Who owns the traffic split after the first apply.
   * @default TrafficOwner.ROLLOUT
   */
  readonly trafficOwner?: TrafficOwner;
  /**
   * Object ID of the principal that runs `servingstack azure upload` (Storage Blob Data
   * Contributor on the model container).
   * @default - none
   */
  readonly uploaderPrincipalId?: string;
  /**
   * Write the settings `servingstack azure` reads as a Terraform output.
   * @default false
   */
  readonly registerOutputs?: boolean;
  /**
   * Azure Monitor for the endpoint and every deployment: resource logs to Log Analytics, an action
   * group, metric and log alerts from the shared threshold vocabulary, a workbook and optionally
   * the retraining trigger.
   * @default - no monitoring
   */
  readonly monitoring?: MonitoringOptions;
  /**
   * Register the model and create the deployments. The first apply of a new stack passes false
   * (the bootstrap): workspace, model store, identity, environment and endpoint are created, so
   * `servingstack azure upload` can put the package in place before the deployments read it.
   * @default true
   */
  readonly deploy?: boolean;
  /**
   * Keep a feedback token key (HMAC, random at apply) in the workspace Key Vault and give it to
   * every deployment as `SERVINGSTACK_FEEDBACK_KEY` by Key Vault reference (Azure ML secret
   * injection), so labels can reach the monitor through the scoring route. The value is never in
   * the synthesized JSON.
   * @default - true when `monitoring` is given and the workspace's Key Vault is known
   */
  readonly feedbackKey?: boolean;
}

/**
 * The complete Azure ML serving stack for one model: workspace and dependencies (or yours),
 * model store and model version, runtime environment, serving identity with least-privilege
 * roles, a managed online endpoint and its first deployment (`blue`), the traffic split, and
 * optionally the output `servingstack azure` reads. `addDeployment` adds `green` for blue/green.
 */
export class AzureMlServing extends Construct {
  public readonly workspace: IMlWorkspace;
  public readonly store: ModelStore;
  public readonly model: ModelAsset;
  public readonly environment: RuntimeEnvironment;
  public readonly identity: ServingIdentity;
  public readonly endpoint: OnlineEndpoint;
  /** Alerts, action group, workbook and retraining, when `monitoring` is given. */
  public readonly monitoring?: ServingMonitoring;
  /** The feedback token key in the workspace Key Vault, unless `feedbackKey` is false. */
  public readonly feedbackKey?: FeedbackKey;
  private readonly deploymentList: OnlineDeployment[] = [];
  private readonly models = new Map<string, ModelAsset>();
  private readonly deploy: boolean;

  constructor(scope: Construct, id: string, props: AzureMlServingProps) {
    super(scope, id);
    const stack = AzureServingStack.of(this);
    this.deploy = props.deploy ?? true;
    this.workspace = props.workspace ?? new MlWorkspace(this, 'Workspace', props.workspaceOptions);
    this.store = new ModelStore(this, 'ModelStore', { workspace: this.workspace, uploaderPrincipalId: props.uploaderPrincipalId });
    this.model = this.modelFor(props.modelPackage);
    this.environment = new RuntimeEnvironment(this, 'Runtime', { workspace: this.workspace, ...props.runtime });
    this.identity = new ServingIdentity(this, 'Identity', { workspace: this.workspace, store: this.store });
    this.endpoint = new OnlineEndpoint(this, 'Endpoint', {
      workspace: this.workspace,
      endpointName: props.endpointName ?? id.toLowerCase(),
      authMode: props.authMode,
      identityId: this.identity.identityId,
      trafficOwner: props.trafficOwner,
    });
    // Role assignments take effect before the first deployment pulls the image and the model.
    addDependsOn(this.endpoint.resource, ...this.identity.grants);
    if (props.monitoring) this.monitoring = new ServingMonitoring(this, 'Monitoring', { ...props.monitoring, endpoint: this.endpoint });
    if (props.feedbackKey ?? (props.monitoring !== undefined && this.workspace.keyVaultId !== undefined)) {
      this.feedbackKey = new FeedbackKey(this, 'FeedbackKey', { workspace: this.workspace, readerPrincipalId: this.identity.principalId });
    }
    this.addDeployment(props.deploymentName ?? 'blue', props.deployment);

    if (props.registerOutputs ?? false) {
      const out = new TerraformOutput(this, 'Rollout', {
        value: this.rolloutSettings(stack),
        description: 'Settings for `servingstack azure upload|promote|rollback|status --outputs` (cdktf output --json)',
      });
      out.overrideLogicalId(`${id.replace(/[^A-Za-z0-9_]/g, '_')}_rollout`);
    }
  }

  /** A further deployment of the endpoint (e.g. `green` with a new model package, 0 % traffic). */
  public addDeployment(name: string, options: ServingDeploymentOptions = {}): OnlineDeployment | undefined {
    const model = options.modelPackage !== undefined ? this.modelFor(options.modelPackage) : this.model;
    this.deploymentModels.set(name, model);
    if (!this.deploy) return undefined;
    const { modelPackage: _p, ...rest } = options;
    const d = new OnlineDeployment(this, `Deployment-${name}`, { ...rest, endpoint: this.endpoint, deploymentName: name, model, environment: this.environment, feedbackKey: this.feedbackKey });
    addDependsOn(d.resource, ...this.identity.grants);
    this.monitoring?.monitorDeployment(d);
    this.deploymentList.push(d);
    return d;
  }

  /** The deployments created, in the order they were added (none in the bootstrap). */
  public get deployments(): readonly OnlineDeployment[] {
    return [...this.deploymentList];
  }

  private readonly deploymentModels = new Map<string, ModelAsset>();

  private modelFor(dir: string): ModelAsset {
    const existing = this.models.get(dir);
    if (existing) return existing;
    const asset = new ModelAsset(this, this.models.size === 0 ? 'Model' : `Model${this.models.size + 1}`, { workspace: this.workspace, store: this.store, modelPackage: dir, register: this.deploy });
    this.models.set(dir, asset);
    return asset;
  }

  private rolloutSettings(stack: AzureServingStack): AzureRolloutSettings {
    const deployments = (): Record<string, AzureModelSettings> => Object.fromEntries([...this.deploymentModels].map(([name, m]) => [name, {
      name: m.modelName,
      version: m.modelVersion,
      packageDigest: m.packageDigest,
      packageUrl: this.store.packageUrl(m.modelName, m.modelVersion),
    }]));
    return {
      kind: AZURE_ROLLOUT_KIND,
      schemaVersion: AZURE_ROLLOUT_VERSION,
      subscriptionId: this.workspace.subscriptionId,
      resourceGroupName: this.workspace.resourceGroupName,
      workspaceName: this.workspace.workspaceName,
      endpointName: this.endpoint.endpointName,
      apiVersion: stack.apiVersionOf('onlineEndpoint'),
      // Resolved at synth, so deployments added after construction are included.
      deployments: Lazy.anyValue({ produce: deployments }) as unknown as Record<string, AzureModelSettings>,
    };
  }
}
