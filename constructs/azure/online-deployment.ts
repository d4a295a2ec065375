import { Construct } from 'constructs';
import { AzureServingStack } from './azure-serving-stack';
import type { OnlineDeploymentBody, ProbeBody } from './azapi/bodies';
import { DeploymentAutoscale, DeploymentAutoscaleOptions } from './autoscale';
import type { FeedbackKey } from './feedback-key';
import { InstanceType } from './instance-type';
import type { ModelAsset } from './model-asset';
import type { OnlineEndpoint } from './online-endpoint';
import { AzapiResource, Token } from './private/binding';
import { AzureModelMount } from '../../lib/core/contract/azure-model-mount';
import { RuntimeContract } from '../../lib/core/contract/container';
import { RuntimeVariable, checkRuntimeEnvironment, renderRuntimeEnvironment } from '../../lib/core/contract/environment';
import { DEFAULT_MAX_BATCH_SIZE } from '../../lib/core/manifest';
import { AzureErrorCodes, Checker, ENV_NAME, checkOnlineName, checkTags } from './private/errors';
import type { RuntimeEnvironment } from './runtime-environment';

/** Probe settings, in seconds (reference-yaml-deployment-managed-online, "ProbeSettings"). */
export interface ProbeOptions {
  /** Seconds after the container starts before the first probe; at least 1. @default 10 */
  readonly initialDelaySeconds?: number;
  /** Seconds between probes. @default 10 */
  readonly periodSeconds?: number;
  /** Seconds before a probe times out; at least 1. @default 2 */
  readonly timeoutSeconds?: number;
  /** Consecutive failures before giving up (restart / unready); at least 1. @default 30 */
  readonly failureThreshold?: number;
  /** Consecutive successes after a failure (readiness only; liveness is fixed at 1). @default 1 */
  readonly successThreshold?: number;
}

/** Azure's request timeout ceiling for managed online endpoints (how-to-manage-quotas: 180 seconds). */
export const MAX_REQUEST_TIMEOUT_MS = 180_000;
/** Default instance limit per deployment (how-to-manage-quotas: 50, raisable by a support request). */
export const DEFAULT_INSTANCE_LIMIT = 50;
/** Margin between the runtime's own timeout and Azure's, so the runtime's 503/504 body reaches the caller. */
export const REQUEST_TIMEOUT_MARGIN_MS = 1_000;
/** The runtime's request timeout here unless `requestTimeoutMs` says otherwise (the runtime's own default). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
/** Platform-owned variables (Azure sets `AZUREML_*`) and the runtime variables this construct sets from its props. */
const RESERVED_PREFIX = 'AZUREML_';
const RESERVED: Readonly<Partial<Record<RuntimeVariable, string>>> = {
  SERVINGSTACK_MODEL_DIR: 'where Azure mounts the model (set by the construct)',
  SERVINGSTACK_PORT: `the port the environment's inferenceConfig routes to (${RuntimeContract.PORT})`,
  SERVINGSTACK_REQUEST_TIMEOUT_MS: 'requestTimeoutMs',
  SERVINGSTACK_FEEDBACK_KEY: 'feedbackKey: a Key Vault reference, so no key is written into the template',
};

export interface OnlineDeploymentOptions {
  /**
   * VM size.
   * @default InstanceType.DS3_V2
   */
  readonly instanceType?: InstanceType;
  /**
   * Instances (with autoscale: the default capacity). Microsoft recommends 3 or more in production.
   * @default 1
   */
  readonly instanceCount?: number;
  /**
   * Largest instance count accepted at synth: Azure's default limit, or your raised quota.
   * @default 50
   */
  readonly instanceLimit?: number;
  /** @default - see ProbeOptions (10 s delay, 10 s period, 2 s timeout, 30 failures) */
  readonly livenessProbe?: ProbeOptions;
  /** @default - see ProbeOptions */
  readonly readinessProbe?: ProbeOptions;
  /**
   * How long the runtime works on one request (SERVINGSTACK_REQUEST_TIMEOUT_MS); Azure's request
   * timeout is set 1 s longer, and the sum may not exceed 180 s.
   * @default 60000 (the runtime's default)
   */
  readonly requestTimeoutMs?: number;
  /**
   * Concurrent requests Azure sends one instance; above it Azure answers 429. Enough for the
   * runtime to form full batches.
   * @default - 2 × the package's batching.maxBatchSize (64 with the default 32)
   */
  readonly maxConcurrentRequestsPerInstance?: number;
  /**
   * Extra environment variables (e.g. `SERVINGSTACK_WORKERS`). A `SERVINGSTACK_*` name the runtime
   * does not read fails at synth, naming the closest one it does; `AZUREML_*`,
   * `SERVINGSTACK_MODEL_DIR`, `SERVINGSTACK_PORT` and `SERVINGSTACK_REQUEST_TIMEOUT_MS` are set by
   * the platform or the construct. `SERVINGSTACK_EMF` defaults to `true` here: the runtime then
   * writes its metric and monitoring documents to the console log, where the model-quality
   * alerts of {@link ServingMonitoring} read them; set it to `false` to turn that off.
   * @default - none
   */
  readonly environmentVariables?: { readonly [name: string]: string };
  /**
   * Send the deployment's request logs and metrics to the workspace's Application Insights.
   * @default true
   */
  readonly appInsightsEnabled?: boolean;
  /**
   * Autoscale on CPU (deployment) and request latency (endpoint), with schedules.
   * @default - fixed instance count
   */
  readonly autoscale?: DeploymentAutoscaleOptions;
  /** @default - none */
  readonly tags?: { readonly [key: string]: string };
}

export interface OnlineDeploymentProps extends OnlineDeploymentOptions {
  readonly endpoint: OnlineEndpoint;
  /** Deployment name (e.g. blue, green). */
  readonly deploymentName: string;
  readonly model: ModelAsset;
  readonly environment: RuntimeEnvironment;
  /**
   * The feedback token key: `SERVINGSTACK_FEEDBACK_KEY` is set to its Key Vault reference.
   * @default - none (labels on the scoring route are off)
   */
  readonly feedbackKey?: FeedbackKey;
}

function iso(seconds: number): string {
  return `PT${seconds}S`;
}

function renderProbe(c: Checker, field: string, p: ProbeOptions | undefined, liveness: boolean): ProbeBody {
  const initialDelay = p?.initialDelaySeconds ?? 10;
  const period = p?.periodSeconds ?? 10;
  const timeout = p?.timeoutSeconds ?? 2;
  const failure = p?.failureThreshold ?? 30;
  const success = p?.successThreshold ?? 1;
  c.intRange(`${field}.initialDelaySeconds`, initialDelay, 1, 3600, 's');
  c.intRange(`${field}.periodSeconds`, period, 1, 3600, 's');
  c.intRange(`${field}.timeoutSeconds`, timeout, 1, 3600, 's');
  c.intRange(`${field}.failureThreshold`, failure, 1, 1000);
  if (liveness) c.check(success === 1, { field: `${field}.successThreshold`, message: 'is fixed at 1 for liveness probes', received: success, allowed: '1' });
  else c.intRange(`${field}.successThreshold`, success, 1, 1000);
  return { initialDelay: iso(initialDelay), period: iso(period), timeout: iso(timeout), failureThreshold: failure, successThreshold: success };
}

/**
 * A managed online deployment: the runtime environment serving one model version on N instances
 * of a VM size, with probes on the runtime's health routes, request settings derived from the
 * package's batching and the runtime's timeout, and the model directory the runtime reads
 * (`SERVINGSTACK_MODEL_DIR` = where Azure mounts the package). `sku.capacity` is the instance count.
 */
export class OnlineDeployment extends Construct {
  public readonly resource: AzapiResource<OnlineDeploymentBody>;
  public readonly deploymentName: string;
  /** ARM ID of the deployment (autoscale's target). */
  public readonly deploymentId: string;
  public readonly instanceType: InstanceType;
  public readonly instanceCount: number;
  /** The environment variables set on the container. */
  public readonly environmentVariables: Readonly<Record<string, string>>;
  public readonly autoscale?: DeploymentAutoscale;

  constructor(scope: Construct, id: string, props: OnlineDeploymentProps) {
    super(scope, id);
    const stack = AzureServingStack.of(this);
    const instanceType = props.instanceType ?? InstanceType.DS3_V2;
    const instanceCount = props.instanceCount ?? props.autoscale?.defaultInstances ?? props.autoscale?.minInstances ?? 1;
    const limit = props.instanceLimit ?? DEFAULT_INSTANCE_LIMIT;
    const c = new Checker(AzureErrorCodes.DEPLOYMENT, `OnlineDeployment at ${this.node.path} is invalid`, (v) => Token.isUnresolved(v));
    checkOnlineName(c, 'deploymentName', props.deploymentName);
    c.check(!props.endpoint.deploymentNames.includes(props.deploymentName), { field: 'deploymentName', message: 'is already a deployment of this endpoint', received: props.deploymentName, allowed: `a name other than ${props.endpoint.deploymentNames.join(', ')}` });
    c.check(props.endpoint.deploymentNames.length < 20, { field: 'endpoint', message: 'already has 20 deployments (the per-endpoint limit)', received: props.endpoint.deploymentNames.length + 1, allowed: 'at most 20 deployments per endpoint' });
    if (instanceType.unlisted) {
      c.pattern('instanceType', instanceType.name, /^Standard_[A-Za-z0-9_]+$/i, 'a VM size name such as Standard_DS3_v2');
    }
    c.intRange('instanceLimit', limit, 1, 1000);
    c.intRange('instanceCount', instanceCount, 1, limit);
    const requestTimeoutMs = props.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    c.intRange('requestTimeoutMs', requestTimeoutMs, 1000, MAX_REQUEST_TIMEOUT_MS - REQUEST_TIMEOUT_MARGIN_MS, 'ms');
    const maxBatch = props.model.pkg.manifest.batching?.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE;
    const concurrency = props.maxConcurrentRequestsPerInstance ?? Math.min(RuntimeContract.MAX_QUEUE_SIZE, 2 * maxBatch);
    c.intRange('maxConcurrentRequestsPerInstance', concurrency, 1, RuntimeContract.MAX_QUEUE_SIZE);
    const userEnv = props.environmentVariables ?? {};
    for (const [k, v] of Object.entries(userEnv)) {
      const field = `environmentVariables.${k}`;
      c.pattern(field, k, ENV_NAME, 'letters, digits and _, not starting with a digit', 'is not a valid environment variable name');
      const owner = (RESERVED as Record<string, string | undefined>)[k] ?? (k.startsWith(RESERVED_PREFIX) ? 'Azure ML' : undefined);
      c.check(owner === undefined, { field, message: 'is set by the platform or the construct', received: k, allowed: `another name (this one is ${owner})` });
      c.check(typeof v === 'string', { field, message: 'is not a string', received: v, allowed: 'a string' });
    }
    for (const issue of checkRuntimeEnvironment('environmentVariables', userEnv)) c.add(issue);
    checkTags(c, 'tags', props.tags);
    const liveness = renderProbe(c, 'livenessProbe', props.livenessProbe, true);
    const readiness = renderProbe(c, 'readinessProbe', props.readinessProbe, false);
    c.throwIfAny();

    this.deploymentName = props.deploymentName;
    this.instanceType = instanceType;
    this.instanceCount = instanceCount;
    // Typed by the runtime's environment catalogue (lib/core/contract): a misspelt name does not compile.
    const env = renderRuntimeEnvironment({
      SERVINGSTACK_MODEL_DIR: AzureModelMount.packageDir(props.model.modelName, props.model.modelVersion),
      SERVINGSTACK_REQUEST_TIMEOUT_MS: requestTimeoutMs,
      SERVINGSTACK_EXECUTION_PROVIDERS: userEnv.SERVINGSTACK_EXECUTION_PROVIDERS ?? (instanceType.hasGpu ? 'cuda,cpu' : undefined),
      SERVINGSTACK_EMF: userEnv.SERVINGSTACK_EMF ?? true,
      SERVINGSTACK_FEEDBACK_KEY: props.feedbackKey?.environmentReference,
    }, userEnv);
    this.environmentVariables = env;
    const networking = props.endpoint.workspace.networking;
    this.resource = stack.resource(this, 'Resource', 'onlineDeployment', {
      name: props.deploymentName,
      parentId: props.endpoint.endpointId,
      location: stack.location,
      tags: props.tags,
      body: {
        sku: { name: 'Default', capacity: instanceCount },
        kind: 'Managed',
        properties: {
          endpointComputeType: 'Managed',
          instanceType: instanceType.name,
          model: props.model.resource?.id ?? props.model.modelVersionId,
          environmentId: props.environment.environmentId,
          environmentVariables: env,
          livenessProbe: liveness,
          readinessProbe: readiness,
          requestSettings: { maxConcurrentRequestsPerInstance: concurrency, requestTimeout: `PT${(requestTimeoutMs + REQUEST_TIMEOUT_MARGIN_MS) / 1000}S` },
          scaleSettings: { scaleType: 'Default' },
          appInsightsEnabled: props.appInsightsEnabled ?? true,
          egressPublicNetworkAccess: networking.publicNetworkAccess,
          description: `${props.model.modelName}:${props.model.modelVersion} on ${props.environment.environmentName}:${props.environment.environmentVersion}`,
        },
      },
      dependsOn: [...(props.model.resource ? [props.model.resource] : []), props.environment.resource, ...(props.feedbackKey ? [props.feedbackKey.grant] : [])],
    });
    this.deploymentId = this.resource.id;
    props.endpoint._registerDeployment(this);
    if (props.autoscale) {
      this.autoscale = new DeploymentAutoscale(this, 'Autoscale', { ...props.autoscale, endpoint: props.endpoint, deployment: this, instanceLimit: limit });
      // Autoscale owns the instance count from now on: the next apply must not reset it.
      this.resource.lifecycle = { ignoreChanges: ['body.sku.capacity'] };
    }
  }
}
