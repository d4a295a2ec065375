/**
 * Rolls an approved model package version out to a SageMaker endpoint with the endpoint's
 * deployment guardrails. Triggered by EventBridge "SageMaker Model Package State Change" events.
 *
 * Steps: check the endpoint is InService; read its current config and models; create a model
 * from the approved package (same role, VPC, isolation and environment as the current model);
 * copy the config with the new model; UpdateEndpoint with the blue/green or rolling policy and
 * auto-rollback alarms, keeping variant properties (autoscaled counts).
 */
import {
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  DescribeModelPackageCommand,
  ProductionVariant,
  SageMakerClient,
  UpdateEndpointCommand,
  DeploymentConfig,
} from '@aws-sdk/client-sagemaker';
import type { EventBridgeEvent } from 'aws-lambda';

/** The event detail fields the handler reads. */
export interface ModelPackageStateChange {
  readonly ModelPackageArn?: string;
  readonly ModelPackageGroupName?: string;
  readonly ModelPackageVersion?: number;
  readonly ModelApprovalStatus?: string;
}

export interface RolloutResult {
  readonly status: 'updating' | 'skipped';
  readonly reason?: string;
  readonly modelName?: string;
  readonly endpointConfigName?: string;
}

/** Raised when the endpoint is busy; EventBridge/Lambda retries the event. */
export class EndpointBusyError extends Error {
  constructor(endpoint: string, status: string) {
    super(`endpoint ${endpoint} is ${status}; retry when it is InService`);
    this.name = 'EndpointBusyError';
  }
}

export interface RolloutSettings {
  readonly endpointName: string;
  readonly groupName: string;
  /** Variants that receive the new model; empty = all production variants. */
  readonly variantNames: string[];
  readonly deploymentConfig?: DeploymentConfig;
  /** Prefix of the resources the handler creates (≤ 30 characters). */
  readonly namePrefix: string;
}

export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): RolloutSettings {
  const required = (k: string): string => {
    const v = env[k];
    if (!v) throw new Error(`environment variable ${k} is not set`);
    return v;
  };
  return {
    endpointName: required('ENDPOINT_NAME'),
    groupName: required('MODEL_PACKAGE_GROUP_NAME'),
    variantNames: (env.VARIANT_NAMES ?? '').split(',').filter((v) => v !== ''),
    deploymentConfig: env.DEPLOYMENT_CONFIG ? (JSON.parse(env.DEPLOYMENT_CONFIG) as DeploymentConfig) : undefined,
    namePrefix: (env.NAME_PREFIX ?? 'servingstack').slice(0, 30),
  };
}

/** A name SageMaker accepts (≤ 63, `[a-zA-Z0-9-]`), unique per version and time. */
export function resourceName(prefix: string, version: number | undefined, now: Date): string {
  const stamp = now.toISOString().replace(/[-:TZ.]/g, '').slice(0, 14);
  return `${prefix}-v${version ?? 0}-${stamp}`.replace(/[^A-Za-z0-9-]/g, '-').slice(0, 63).replace(/-+$/, '');
}

export async function rollout(
  client: SageMakerClient,
  settings: RolloutSettings,
  detail: ModelPackageStateChange,
  now: Date = new Date(),
): Promise<RolloutResult> {
  if (detail.ModelApprovalStatus !== 'Approved') return { status: 'skipped', reason: `status ${detail.ModelApprovalStatus ?? 'unknown'}` };
  if (detail.ModelPackageGroupName !== settings.groupName) return { status: 'skipped', reason: `group ${detail.ModelPackageGroupName ?? 'unknown'}` };
  const packageArn = detail.ModelPackageArn;
  if (!packageArn) throw new Error('event carries no ModelPackageArn');

  // The event can arrive before the version is fully registered; confirm it.
  const pkg = await client.send(new DescribeModelPackageCommand({ ModelPackageName: packageArn }));
  if (pkg.ModelApprovalStatus !== 'Approved') return { status: 'skipped', reason: `package is ${pkg.ModelApprovalStatus ?? 'unknown'}` };

  const endpoint = await client.send(new DescribeEndpointCommand({ EndpointName: settings.endpointName }));
  if (endpoint.EndpointStatus !== 'InService') throw new EndpointBusyError(settings.endpointName, endpoint.EndpointStatus ?? 'unknown');
  const config = await client.send(new DescribeEndpointConfigCommand({ EndpointConfigName: endpoint.EndpointConfigName }));
  const variants = config.ProductionVariants ?? [];
  const targets = variants.filter((v) => v.ModelName && (settings.variantNames.length === 0 || settings.variantNames.includes(v.VariantName ?? '')));
  if (targets.length === 0) return { status: 'skipped', reason: 'no variant serving a model matches VARIANT_NAMES' };

  const current = await client.send(new DescribeModelCommand({ ModelName: targets[0].ModelName }));
  const modelName = resourceName(`${settings.namePrefix}-m`, pkg.ModelPackageVersion ?? detail.ModelPackageVersion, now);
  await client.send(new CreateModelCommand({
    ModelName: modelName,
    ExecutionRoleArn: current.ExecutionRoleArn,
    PrimaryContainer: { ModelPackageName: packageArn, Environment: current.PrimaryContainer?.Environment },
    VpcConfig: current.VpcConfig,
    EnableNetworkIsolation: current.EnableNetworkIsolation,
  }));

  const swap = (v: ProductionVariant): ProductionVariant => (targets.some((t) => t.VariantName === v.VariantName) ? { ...v, ModelName: modelName } : v);
  const endpointConfigName = resourceName(`${settings.namePrefix}-c`, pkg.ModelPackageVersion ?? detail.ModelPackageVersion, now);
  await client.send(new CreateEndpointConfigCommand({
    EndpointConfigName: endpointConfigName,
    ProductionVariants: variants.map(swap),
    ShadowProductionVariants: config.ShadowProductionVariants,
    DataCaptureConfig: config.DataCaptureConfig,
    AsyncInferenceConfig: config.AsyncInferenceConfig,
    KmsKeyId: config.KmsKeyId,
    ExecutionRoleArn: config.ExecutionRoleArn,
  }));
  await client.send(new UpdateEndpointCommand({
    EndpointName: settings.endpointName,
    EndpointConfigName: endpointConfigName,
    RetainAllVariantProperties: true,
    DeploymentConfig: settings.deploymentConfig,
  }));
  return { status: 'updating', modelName, endpointConfigName };
}

const client = new SageMakerClient({});

export async function handler(event: EventBridgeEvent<'SageMaker Model Package State Change', ModelPackageStateChange>): Promise<RolloutResult> {
  const result = await rollout(client, settingsFromEnv(), event.detail);
  console.log(JSON.stringify({ event: 'servingstack.rollout', packageArn: event.detail.ModelPackageArn, ...result }));
  return result;
}
