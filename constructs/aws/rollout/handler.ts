/**
 * Lambda entry of the AWS rollout (bundled with esbuild; the SDK v3 comes from the runtime).
 * Two event sources, one rule (plan.ts: serve the newest approved version):
 * - EventBridge "SageMaker Model Package State Change" events of the endpoint's group: reconcile
 *   the endpoint (executor.reconcile) — approval rolls out, rejection of the served version rolls back;
 * - CloudFormation custom resource requests: the deploy-time lookup of the version a stack serves
 *   (executor.lookup), answered through the pre-signed response URL.
 */
import * as https from 'node:https';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DeploymentConfig, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { ExecutorSettings, LookupProperties, RolloutResult, lookup, reconcile } from './executor';
import { ModelPackageStateChange } from './plan';

/** The EventBridge envelope (only what the handler reads). */
export interface StateChangeEvent {
  readonly 'detail-type': string;
  readonly detail: ModelPackageStateChange;
}

/** A CloudFormation custom resource request (only what the handler reads). */
export interface CustomResourceRequest {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: LookupProperties & { readonly ServiceToken?: string };
}

/** Environment variables of the rollout function (the construct sets them; the test checks both sides). */
export const ROLLOUT_ENV = ['ENDPOINT_NAME', 'MODEL_PACKAGE_GROUP_NAME', 'VARIANT_NAMES', 'NAME_PREFIX', 'DEPLOYMENT_CONFIG', 'ALARM_NAMES'] as const;

export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): ExecutorSettings {
  const required = (k: string): string => {
    const v = env[k];
    if (!v) throw new Error(`environment variable ${k} is not set`);
    return v;
  };
  const list = (k: string): string[] => (env[k] ?? '').split(',').filter((v) => v !== '');
  return {
    endpointName: required('ENDPOINT_NAME'),
    groupName: required('MODEL_PACKAGE_GROUP_NAME'),
    variantNames: list('VARIANT_NAMES'),
    deploymentConfig: env.DEPLOYMENT_CONFIG ? (JSON.parse(env.DEPLOYMENT_CONFIG) as DeploymentConfig) : undefined,
    namePrefix: (env.NAME_PREFIX ?? 'servingstack').slice(0, 30),
    alarmNames: list('ALARM_NAMES'),
  };
}

let clients: { sagemaker: SageMakerClient; cloudwatch: CloudWatchClient } | undefined;
function sdk(): { sagemaker: SageMakerClient; cloudwatch: CloudWatchClient } {
  clients ??= { sagemaker: new SageMakerClient({}), cloudwatch: new CloudWatchClient({}) };
  return clients;
}

function isCustomResource(event: unknown): event is CustomResourceRequest {
  return typeof event === 'object' && event !== null && 'RequestType' in event && 'ResponseURL' in event;
}

export async function handler(event: StateChangeEvent | CustomResourceRequest): Promise<RolloutResult | void> {
  if (isCustomResource(event)) return onCustomResource(event, sdk().sagemaker);
  const result = await reconcile(sdk(), settingsFromEnv(), event.detail);
  console.log(JSON.stringify({ event: 'servingstack.rollout', packageArn: event.detail.ModelPackageArn, approvalStatus: event.detail.ModelApprovalStatus, ...result }));
  return result;
}

/** Answer a custom resource request; any error becomes a FAILED response whose reason CloudFormation shows. */
export async function onCustomResource(event: CustomResourceRequest, sagemaker: SageMakerClient, send: typeof respond = respond): Promise<void> {
  const physicalId = event.PhysicalResourceId ?? `servingstack-lookup-${event.LogicalResourceId}`;
  const base = { StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId, PhysicalResourceId: physicalId };
  try {
    if (event.RequestType === 'Delete') {
      await send(event.ResponseURL, { ...base, Status: 'SUCCESS' });
      return;
    }
    const data = await lookup(sagemaker, event.ResourceProperties);
    console.log(JSON.stringify({ event: 'servingstack.lookup', ...data }));
    await send(event.ResponseURL, { ...base, Status: 'SUCCESS', Data: { ...data } });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    console.error(JSON.stringify({ event: 'servingstack.lookup.failed', reason }));
    await send(event.ResponseURL, { ...base, Status: 'FAILED', Reason: reason.slice(0, 3000) });
  }
}

export interface CustomResourceResponse {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason?: string;
  readonly PhysicalResourceId: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly Data?: Record<string, string>;
}

/** PUT the response to CloudFormation's pre-signed S3 URL. */
export function respond(url: string, body: CustomResourceResponse): Promise<void> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(payload) } }, (res) => {
      res.resume();
      res.on('end', () => resolve());
    });
    req.on('error', reject);
    req.end(payload);
  });
}
