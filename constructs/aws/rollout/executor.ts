/**
 * The AWS rollout executor: reads the state the planner needs from SageMaker and CloudWatch,
 * asks the planner (plan.ts), and performs the plan with SDK calls. Every call it makes is listed
 * in ROLLOUT_API_CALLS, and the construct grants exactly those (a test checks the two agree).
 */
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DeploymentConfig,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeEndpointConfigCommandOutput,
  DescribeModelCommand,
  DescribeModelPackageCommand,
  ListModelPackagesCommand,
  ProductionVariant,
  SageMakerClient,
  UpdateEndpointCommand,
} from '@aws-sdk/client-sagemaker';
import {
  APPROVED, EndpointState, ModelPackageStateChange, RolloutPlan, RolloutSettings, VersionInfo, checkTrigger, planRollout, planServedVersion, resourceName,
} from './plan';

export { ROLLOUT_API_CALLS } from './api-calls';


/** Raised when the endpoint is busy or unhealthy; EventBridge/Lambda retries the event. */
export class EndpointBusyError extends Error {
  constructor(endpoint: string, reason: string) {
    super(`endpoint ${endpoint}: ${reason}`);
    this.name = 'EndpointBusyError';
  }
}

/** Settings of a rollout handler (its environment), beyond what the planner needs. */
export interface ExecutorSettings extends RolloutSettings {
  readonly deploymentConfig?: DeploymentConfig;
  /** Guardrail alarms whose `ALARM` state holds a rollout back. */
  readonly alarmNames: readonly string[];
}

export interface RolloutResult {
  readonly status: 'updating' | 'skipped';
  readonly reason: string;
  readonly modelPackageArn?: string;
  readonly modelName?: string;
  readonly endpointConfigName?: string;
}

export interface Clients {
  readonly sagemaker: SageMakerClient;
  readonly cloudwatch: CloudWatchClient;
}

export async function describeVersion(sagemaker: SageMakerClient, arn: string): Promise<VersionInfo> {
  const pkg = await sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: arn }));
  return {
    modelPackageArn: pkg.ModelPackageArn ?? arn,
    modelPackageVersion: pkg.ModelPackageVersion,
    approvalStatus: pkg.ModelApprovalStatus ?? 'unknown',
    modelDataUrl: pkg.InferenceSpecification?.Containers?.[0]?.ModelDataUrl,
  };
}

/** The newest approved version of a group (by creation time), described. */
export async function newestApproved(sagemaker: SageMakerClient, groupName: string): Promise<VersionInfo | undefined> {
  const list = await sagemaker.send(new ListModelPackagesCommand({
    ModelPackageGroupName: groupName, ModelApprovalStatus: APPROVED, SortBy: 'CreationTime', SortOrder: 'Descending', MaxResults: 1,
  }));
  const arn = list.ModelPackageSummaryList?.[0]?.ModelPackageArn;
  return arn ? describeVersion(sagemaker, arn) : undefined;
}

interface EndpointView extends EndpointState {
  readonly config: DescribeEndpointConfigCommandOutput;
  readonly variants: ProductionVariant[];
  readonly targets: ProductionVariant[];
}

async function readEndpoint(clients: Clients, settings: ExecutorSettings): Promise<EndpointView> {
  const endpoint = await clients.sagemaker.send(new DescribeEndpointCommand({ EndpointName: settings.endpointName }));
  const config = await clients.sagemaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: endpoint.EndpointConfigName }));
  const variants = config.ProductionVariants ?? [];
  const targets = variants.filter((v) => v.ModelName && (settings.variantNames.length === 0 || settings.variantNames.includes(v.VariantName ?? '')));
  let served: string | undefined;
  if (targets[0]?.ModelName) {
    const model = await clients.sagemaker.send(new DescribeModelCommand({ ModelName: targets[0].ModelName }));
    served = model.PrimaryContainer?.ModelDataUrl;
  }
  let firing: string[] = [];
  if (settings.alarmNames.length > 0) {
    const alarms = await clients.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [...settings.alarmNames], StateValue: 'ALARM' }));
    firing = (alarms.MetricAlarms ?? []).map((a) => a.AlarmName ?? '?');
  }
  return { status: endpoint.EndpointStatus ?? 'unknown', servedModelDataUrl: served, alarmsFiring: firing, config, variants, targets };
}

/**
 * Handle one model package state change: refuse other groups, read the registry and the endpoint,
 * plan, and deploy the newest approved version with the endpoint's guardrails when it is not served.
 */
export async function reconcile(clients: Clients, settings: ExecutorSettings, detail: ModelPackageStateChange, now: Date = new Date()): Promise<RolloutResult> {
  const trigger = checkTrigger(settings, detail);
  if (trigger.kind === 'ignore') return { status: 'skipped', reason: trigger.reason };
  const eventVersion = await describeVersion(clients.sagemaker, detail.ModelPackageArn as string);
  const target = await newestApproved(clients.sagemaker, settings.groupName);
  const endpoint = await readEndpoint(clients, settings);
  if (endpoint.targets.length === 0) return { status: 'skipped', reason: 'no variant serving a model matches VARIANT_NAMES' };
  const plan = planRollout({ event: detail, newestApproved: target, endpoint, eventVersion });
  return execute(clients, settings, endpoint, plan, now);
}

async function execute(clients: Clients, settings: ExecutorSettings, endpoint: EndpointView, plan: RolloutPlan, now: Date): Promise<RolloutResult> {
  if (plan.kind === 'none') return { status: 'skipped', reason: plan.reason };
  if (plan.kind === 'wait') throw new EndpointBusyError(settings.endpointName, plan.reason);
  const current = await clients.sagemaker.send(new DescribeModelCommand({ ModelName: endpoint.targets[0].ModelName }));
  const version = plan.version.modelPackageVersion;
  const modelName = resourceName(`${settings.namePrefix}-m`, version, now);
  // Same image, role, network and environment as the model served now: only the artifact changes.
  await clients.sagemaker.send(new CreateModelCommand({
    ModelName: modelName,
    ExecutionRoleArn: current.ExecutionRoleArn,
    PrimaryContainer: {
      Image: current.PrimaryContainer?.Image,
      ModelDataUrl: plan.modelDataUrl,
      Environment: current.PrimaryContainer?.Environment,
      Mode: current.PrimaryContainer?.Mode,
    },
    VpcConfig: current.VpcConfig,
    EnableNetworkIsolation: current.EnableNetworkIsolation,
    Tags: [{ Key: 'servingstack:model-package', Value: plan.version.modelPackageArn }],
  }));
  const config = endpoint.config;
  const targets = new Set(endpoint.targets.map((t) => t.VariantName));
  const endpointConfigName = resourceName(`${settings.namePrefix}-c`, version, now);
  await clients.sagemaker.send(new CreateEndpointConfigCommand({
    EndpointConfigName: endpointConfigName,
    ProductionVariants: endpoint.variants.map((v) => (targets.has(v.VariantName) ? { ...v, ModelName: modelName } : v)),
    ShadowProductionVariants: config.ShadowProductionVariants,
    DataCaptureConfig: config.DataCaptureConfig,
    AsyncInferenceConfig: config.AsyncInferenceConfig,
    KmsKeyId: config.KmsKeyId,
    ExecutionRoleArn: config.ExecutionRoleArn,
  }));
  await clients.sagemaker.send(new UpdateEndpointCommand({
    EndpointName: settings.endpointName,
    EndpointConfigName: endpointConfigName,
    RetainAllVariantProperties: true,
    DeploymentConfig: settings.deploymentConfig,
  }));
  return { status: 'updating', reason: plan.reason, modelPackageArn: plan.version.modelPackageArn, modelName, endpointConfigName };
}

/** Properties of the deploy-time lookup custom resource (strings: CloudFormation passes strings). */
export interface LookupProperties {
  readonly ModelPackageGroupName: string;
  readonly PinnedModelPackageArn?: string;
  readonly RequireApproved?: string;
  readonly FallbackModelDataUrl?: string;
}

export interface LookupResult {
  readonly ModelDataUrl: string;
  readonly ModelPackageArn: string;
  readonly ModelPackageVersion: string;
  readonly Source: string;
}

/** The deploy-time lookup: the version a stack serves (planServedVersion over live registry state). */
export async function lookup(sagemaker: SageMakerClient, props: LookupProperties): Promise<LookupResult> {
  const pinned = props.PinnedModelPackageArn ? await describeVersion(sagemaker, props.PinnedModelPackageArn) : undefined;
  const newest = pinned ? undefined : await newestApproved(sagemaker, props.ModelPackageGroupName);
  const served = planServedVersion({
    pinned,
    requireApproved: props.RequireApproved !== 'false',
    newestApproved: newest,
    fallbackModelDataUrl: props.FallbackModelDataUrl || undefined,
    groupName: props.ModelPackageGroupName,
  });
  return {
    ModelDataUrl: served.modelDataUrl,
    ModelPackageArn: served.version?.modelPackageArn ?? '',
    ModelPackageVersion: served.version?.modelPackageVersion !== undefined ? String(served.version.modelPackageVersion) : '',
    Source: served.source,
  };
}
