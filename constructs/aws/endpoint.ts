import { createHash } from 'crypto';
import { Duration, IResource, Resource, Size, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { CfnEndpoint, CfnEndpointConfig } from 'aws-cdk-lib/aws-sagemaker';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { IssueCollector } from '../../lib/core/errors';
import { DeploymentStrategy } from './deployment-strategy';
import { InstanceType } from './instance-type';
import { IModel, Model, gpuImageError } from './model';
import { AWS_ERRORS, Checker } from './private/errors';
import { createExecutionRole } from './private/execution-role';
import { acknowledgeServingStackWildcards } from './private/nag-acknowledgements';
import { SecureBucket } from './secure-bucket';

/** How a variant routes requests to its instances. */
export class RoutingStrategy {
  public static readonly LEAST_OUTSTANDING_REQUESTS = new RoutingStrategy('LEAST_OUTSTANDING_REQUESTS');
  public static readonly RANDOM = new RoutingStrategy('RANDOM');
  private constructor(public readonly value: string) {}
}

/** Managed instance scaling of a variant hosting inference components (the way to scale to zero). */
export interface ManagedInstanceScaling {
  /**
   * Fewest instances; 0 lets the endpoint scale to zero when no copies run.
   * @default 1
   */
  readonly minInstanceCount?: number;
  /** Most instances. */
  readonly maxInstanceCount: number;
}

/** An instance-backed production (or shadow) variant. */
export interface InstanceVariantProps {
  /**
   * Variant name. Blue/green updates keep it: changing it replaces the variant without guardrails.
   * @default 'AllTraffic' for a single variant; required when there are several
   */
  readonly variantName?: string;
  /**
   * The model served.
   * @default - none: the variant hosts inference components
   */
  readonly model?: IModel;
  /**
   * Instance type.
   * @default InstanceType.M5_LARGE
   */
  readonly instanceType?: InstanceType;
  /**
   * Instances at creation (autoscaling takes over afterwards).
   * @default 1
   */
  readonly initialInstanceCount?: number;
  /**
   * Relative traffic weight among the variants (0 receives no traffic unless targeted).
   * @default 1
   */
  readonly initialVariantWeight?: number;
  /**
   * ML storage volume per instance (1–512 GiB; not for instance types with local NVMe storage).
   * @default - SageMaker's default for the instance type
   */
  readonly volumeSize?: Size;
  /**
   * Time allowed to download the model data (60–3600 s).
   * @default - SageMaker's default
   */
  readonly modelDataDownloadTimeout?: Duration;
  /**
   * Time allowed for `/ping` to pass after the container starts (60–3600 s).
   * @default - SageMaker's default (4 minutes... per the container contract)
   */
  readonly containerStartupHealthCheckTimeout?: Duration;
  /**
   * Routing of requests to instances.
   * @default - SageMaker's default (RANDOM)
   */
  readonly routingStrategy?: RoutingStrategy;
  /**
   * Managed instance scaling (inference-component variants only).
   * @default - none
   */
  readonly managedInstanceScaling?: ManagedInstanceScaling;
}

/** A serverless variant. */
export interface ServerlessVariantProps {
  /**
   * Variant name.
   * @default 'AllTraffic'
   */
  readonly variantName?: string;
  /** The model served. */
  readonly model: IModel;
  /**
   * Memory (1024, 2048, 3072, 4096, 5120 or 6144 MiB).
   * @default Size.mebibytes(2048)
   */
  readonly memorySize?: Size;
  /**
   * Most concurrent invocations (1–200).
   * @default 20
   */
  readonly maxConcurrency?: number;
  /**
   * Warm, provisioned concurrency (1–200, at most maxConcurrency).
   * @default - none (cold starts possible)
   */
  readonly provisionedConcurrency?: number;
}

/** Asynchronous inference. */
export interface AsyncInferenceProps {
  /**
   * Bucket of results and failures.
   * @default - a new SecureBucket (KMS, TLS-only, access-logged)
   */
  readonly outputBucket?: s3.IBucket;
  /**
   * Prefix of results.
   * @default 'async-output/'
   */
  readonly outputPrefix?: string;
  /**
   * Prefix of failure reports.
   * @default 'async-failures/'
   */
  readonly failurePrefix?: string;
  /**
   * Topic notified on success.
   * @default - no notification
   */
  readonly successTopic?: sns.ITopic;
  /**
   * Topic notified on error.
   * @default - no notification
   */
  readonly errorTopic?: sns.ITopic;
  /**
   * Concurrent invocations per instance (1–1000).
   * @default - SageMaker chooses
   */
  readonly maxConcurrentInvocationsPerInstance?: number;
}

/** Data capture of requests and responses. */
export interface DataCaptureProps {
  /**
   * Destination bucket.
   * @default - a new SecureBucket (KMS, TLS-only, access-logged)
   */
  readonly bucket?: s3.IBucket;
  /**
   * Key prefix.
   * @default 'data-capture'
   */
  readonly prefix?: string;
  /**
   * Share of requests captured (0–100).
   * @default 20
   */
  readonly samplingPercentage?: number;
  /**
   * Capture requests.
   * @default true
   */
  readonly captureInput?: boolean;
  /**
   * Capture responses.
   * @default true
   */
  readonly captureOutput?: boolean;
  /**
   * Content types captured as JSON text (others are base64-encoded).
   * @default ['application/json']
   */
  readonly jsonContentTypes?: string[];
  /**
   * Content types captured as CSV text.
   * @default - none
   */
  readonly csvContentTypes?: string[];
}

/** Thresholds of the endpoint's own guardrail alarms, which roll deployments back. */
export interface GuardrailAlarmOptions {
  /**
   * Highest acceptable p99 model latency.
   * @default Duration.seconds(1)
   */
  readonly maxP99ModelLatency?: Duration;
  /**
   * Highest acceptable share of 5XX answers, in percent, of the worst variant.
   * @default 5
   */
  readonly max5xxErrorRatePercent?: number;
  /**
   * Period of the alarm metrics.
   * @default Duration.minutes(1)
   */
  readonly period?: Duration;
  /**
   * Periods evaluated; 2 of them must breach.
   * @default 3
   */
  readonly evaluationPeriods?: number;
}

/** Properties of {@link Endpoint}. */
export interface EndpointProps {
  /**
   * Endpoint name. A fixed name lets alarms exist before the endpoint (guardrails need them).
   * The endpoint config name is always generated, so configs can be replaced.
   * @default - derived from the construct path
   */
  readonly endpointName?: string;
  /**
   * Instance-backed production variants (1–10).
   * @default - none; then `serverlessVariant` is required
   */
  readonly variants?: InstanceVariantProps[];
  /**
   * A serverless variant (excludes instance variants, shadow, async and data capture).
   * @default - none
   */
  readonly serverlessVariant?: ServerlessVariantProps;
  /**
   * A shadow variant receiving a copy of the traffic; its responses are discarded.
   * @default - none
   */
  readonly shadowVariant?: InstanceVariantProps;
  /**
   * Make the endpoint asynchronous.
   * @default - real-time
   */
  readonly asyncInference?: AsyncInferenceProps;
  /**
   * Capture requests and responses to S3.
   * @default - no capture
   */
  readonly dataCapture?: DataCaptureProps;
  /**
   * Key for the ML storage volumes, captured data and async output.
   * @default - a new key with rotation; omitted on the endpoint config for instance types with
   * local NVMe storage (SageMaker rejects it; the disks are hardware-encrypted) and for serverless
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * How updates roll out.
   * @default DeploymentStrategy.blueGreen() — all at once, 5 min bake, rollback on the guardrail
   * alarms; DeploymentStrategy.none() when the variants host inference components
   */
  readonly deployment?: DeploymentStrategy;
  /**
   * Guardrail alarm thresholds.
   * @default - p99 model latency 1 s, 5XX rate 5 %, 2 of 3 one-minute periods
   */
  readonly guardrailAlarms?: GuardrailAlarmOptions;
  /**
   * Keep instance counts and weights across config updates, so autoscaled capacity survives deploys.
   * @default true
   */
  readonly retainVariantProperties?: boolean;
  /**
   * Execution role of the endpoint config (inference-component variants only).
   * @default - a new least-privilege role when a variant hosts inference components
   */
  readonly executionRole?: iam.IRole;
}

/** A variant as the endpoint rendered it. */
export interface VariantInfo {
  readonly variantName: string;
  readonly instanceType?: InstanceType;
  readonly initialInstanceCount?: number;
  readonly serverless: boolean;
  readonly shadow: boolean;
  readonly hostsInferenceComponents: boolean;
  readonly model?: IModel;
  readonly maxConcurrency?: number;
  readonly provisionedConcurrency?: number;
  readonly managedInstanceScaling?: ManagedInstanceScaling;
}

/** Options of the endpoint's `metric*` helpers. */
export interface EndpointMetricOptions extends cw.MetricOptions {
  /**
   * Variant to measure.
   * @default - the first production variant
   */
  readonly variantName?: string;
}

/** A SageMaker endpoint. */
export interface IEndpoint extends IResource {
  /** @attribute */
  readonly endpointName: string;
  /** @attribute */
  readonly endpointArn: string;
  /** Allow `grantee` to invoke the endpoint (sync and async). */
  grantInvoke(grantee: iam.IGrantable): iam.Grant;
}

export const SAGEMAKER_NAMESPACE = 'AWS/SageMaker';
export const INSTANCE_NAMESPACE = '/aws/sagemaker/Endpoints';
const SERVERLESS_MEMORY_MIB = [1024, 2048, 3072, 4096, 5120, 6144];
const ENDPOINT_ONLY_METRICS = new Set(['ApproximateBacklogSize', 'ApproximateBacklogSizePerInstance', 'HasBacklogWithoutCapacity', 'ApproximateAgeOfOldestRequest']);

/** Options of {@link Endpoint.fromEndpointName}. */
export interface EndpointAttributes {
  readonly endpointName: string;
}

/**
 * A SageMaker endpoint with its endpoint config: real-time instance variants (weighted A/B and a
 * shadow), serverless, or asynchronous; data capture; KMS; blue/green or rolling deployments with
 * automatic rollback on its own guardrail alarms; retained variant properties. Every rule that
 * would fail in CloudFormation fails here at synth.
 */
export class Endpoint extends Resource implements IEndpoint {
  /** Import an endpoint by name (grants and metrics work on it). */
  public static fromEndpointName(scope: Construct, id: string, endpointName: string): IEndpoint {
    class Import extends Resource implements IEndpoint {
      public readonly endpointName = endpointName;
      public readonly endpointArn = Stack.of(scope).formatArn({ service: 'sagemaker', resource: 'endpoint', resourceName: endpointName.toLowerCase() });
      public grantInvoke(grantee: iam.IGrantable): iam.Grant {
        return grantInvokeOn(grantee, this.endpointArn);
      }
    }
    return new Import(scope, id);
  }

  public readonly endpointName: string;
  public readonly endpointArn: string;
  /** Production variants, then the shadow variant. */
  public readonly variants: readonly VariantInfo[];
  public readonly isServerless: boolean;
  public readonly isAsync: boolean;
  /** The key of volumes, capture and async output, when one is used. */
  public readonly encryptionKey?: kms.IKey;
  /** Whether `KmsKeyId` was left off the endpoint config (local NVMe storage or serverless). */
  public readonly volumeKeyOmitted: boolean;
  /** Async output location. */
  public readonly asyncOutputBucket?: s3.IBucket;
  /** Data capture destination. */
  public readonly dataCaptureBucket?: s3.IBucket;
  /** Alarms that roll deployments back (created before the endpoint, by fixed name). */
  public readonly guardrailAlarms: readonly cw.Alarm[];
  /** The deployment strategy. */
  public readonly deployment: DeploymentStrategy;
  /** Execution role of the endpoint config (inference-component variants). */
  public readonly executionRole?: iam.IRole;
  public readonly endpointConfig: CfnEndpointConfig;
  public readonly resource: CfnEndpoint;

  constructor(scope: Construct, id: string, props: EndpointProps) {
    const name = props.endpointName ?? deterministicName(scope, id);
    super(scope, id, { physicalName: name });
    const checker = new Checker(this, AWS_ERRORS.ENDPOINT, 'Endpoint');
    checker.name('endpointName', name);
    const instanceVariants = props.variants ?? [];
    this.isServerless = props.serverlessVariant !== undefined;
    this.isAsync = props.asyncInference !== undefined;

    // --- variant shape -------------------------------------------------------------------
    checker.check(instanceVariants.length > 0 || this.isServerless, { field: 'variants', message: 'an endpoint needs a variant', received: [], allowed: 'one to ten instance variants, or serverlessVariant' });
    checker.check(!(instanceVariants.length > 0 && this.isServerless), {
      field: 'serverlessVariant', message: 'serverless and instance variants cannot share an endpoint', received: `${instanceVariants.length} instance variants + serverless`, allowed: 'either variants or serverlessVariant',
    });
    checker.check(instanceVariants.length <= 10, { field: 'variants', message: 'too many production variants', received: instanceVariants.length, allowed: '1 to 10' });
    if (instanceVariants.length > 1) {
      instanceVariants.forEach((v, i) => checker.check(v.variantName !== undefined, { field: `variants[${i}].variantName`, message: 'is required when there are several variants', received: undefined, allowed: 'a unique variant name' }));
    }
    const hostsIc = instanceVariants.map((v) => v.model === undefined);
    checker.check(hostsIc.every((x) => x) || hostsIc.every((x) => !x), {
      field: 'variants', message: 'variants hosting inference components (no model) cannot be mixed with model variants', received: hostsIc.map((x) => (x ? 'components' : 'model')), allowed: 'all variants with a model, or none',
    });
    const icMode = instanceVariants.length > 0 && hostsIc.every((x) => x);

    const infos: VariantInfo[] = [];
    let gpuError: Error | undefined;
    const renderInstance = (v: InstanceVariantProps, field: string, shadow: boolean): CfnEndpointConfig.ProductionVariantProperty => {
      const variantName = v.variantName ?? 'AllTraffic';
      const instanceType = v.instanceType ?? InstanceType.M5_LARGE;
      const count = v.initialInstanceCount ?? 1;
      const weight = v.initialVariantWeight ?? 1;
      checker.name(`${field}.variantName`, variantName);
      checker.check(instanceType.isWellFormed, { field: `${field}.instanceType`, message: 'is not a SageMaker instance type', received: instanceType.toString(), allowed: 'ml.<family>.<size>, e.g. ml.m5.large' });
      checker.intRange(`${field}.initialInstanceCount`, count, 1, 1000);
      checker.numberRange(`${field}.initialVariantWeight`, weight, 0, 1e9);
      const volumeGb = v.volumeSize?.toGibibytes();
      checker.intRange(`${field}.volumeSize`, volumeGb, 1, 512, 'GiB');
      if (volumeGb !== undefined) {
        checker.check(!instanceType.hasLocalNvme, { field: `${field}.volumeSize`, message: 'instance types with local NVMe storage take no ML storage volume', received: instanceType.toString(), allowed: 'no volumeSize, or an instance type without local storage' });
      }
      const download = v.modelDataDownloadTimeout?.toSeconds();
      const startup = v.containerStartupHealthCheckTimeout?.toSeconds();
      checker.intRange(`${field}.modelDataDownloadTimeout`, download, 60, 3600, 's');
      checker.intRange(`${field}.containerStartupHealthCheckTimeout`, startup, 60, 3600, 's');
      const mis = v.managedInstanceScaling;
      if (mis) {
        checker.check(v.model === undefined, { field: `${field}.managedInstanceScaling`, message: 'only variants hosting inference components use managed instance scaling', received: 'a variant with a model', allowed: 'no model on the variant (inference components)' });
        const min = mis.minInstanceCount ?? 1;
        checker.intRange(`${field}.managedInstanceScaling.minInstanceCount`, min, 0, 1000);
        checker.intRange(`${field}.managedInstanceScaling.maxInstanceCount`, mis.maxInstanceCount, 1, 1000);
        checker.check(min <= count && count <= mis.maxInstanceCount, {
          field: `${field}.managedInstanceScaling`, message: 'needs min ≤ initial ≤ max', received: `min ${min}, initial ${count}, max ${mis.maxInstanceCount}`, allowed: 'minInstanceCount ≤ initialInstanceCount ≤ maxInstanceCount',
        });
      }
      const m = v.model;
      if (m instanceof Model && m.image && m.image.gpuSupport === false && (instanceType.gpuCount ?? 0) > 0 && !m.allowCpuImageOnGpu && !gpuError) {
        gpuError = gpuImageError(this.node.path, `${field}.model`, m.image, instanceType.toString());
      }
      infos.push({ variantName, instanceType, initialInstanceCount: count, serverless: false, shadow, hostsInferenceComponents: v.model === undefined, model: v.model, managedInstanceScaling: mis });
      return {
        variantName,
        modelName: v.model?.modelName,
        instanceType: instanceType.toString(),
        initialInstanceCount: count,
        initialVariantWeight: weight,
        volumeSizeInGb: volumeGb,
        modelDataDownloadTimeoutInSeconds: download,
        containerStartupHealthCheckTimeoutInSeconds: startup,
        routingConfig: v.routingStrategy ? { routingStrategy: v.routingStrategy.value } : undefined,
        managedInstanceScaling: mis ? { status: 'ENABLED', minInstanceCount: mis.minInstanceCount ?? 1, maxInstanceCount: mis.maxInstanceCount } : undefined,
      };
    };
    const productionVariants = instanceVariants.map((v, i) => renderInstance(v, `variants[${i}]`, false));

    if (props.serverlessVariant) {
      const s = props.serverlessVariant;
      const variantName = s.variantName ?? 'AllTraffic';
      const memory = (s.memorySize ?? Size.mebibytes(2048)).toMebibytes();
      const maxConcurrency = s.maxConcurrency ?? 20;
      checker.name('serverlessVariant.variantName', variantName);
      if (!Token.isUnresolved(memory)) {
        checker.check(SERVERLESS_MEMORY_MIB.includes(memory), { field: 'serverlessVariant.memorySize', message: 'is not a serverless memory size', received: `${memory} MiB`, allowed: SERVERLESS_MEMORY_MIB.map((m) => `${m} MiB`).join(' | ') });
      }
      checker.intRange('serverlessVariant.maxConcurrency', maxConcurrency, 1, 200);
      checker.intRange('serverlessVariant.provisionedConcurrency', s.provisionedConcurrency, 1, 200);
      if (s.provisionedConcurrency !== undefined) {
        checker.check(s.provisionedConcurrency <= maxConcurrency, { field: 'serverlessVariant.provisionedConcurrency', message: 'exceeds maxConcurrency', received: s.provisionedConcurrency, allowed: `at most maxConcurrency (${maxConcurrency})` });
      }
      if (s.model instanceof Model) {
        checker.check(!s.model.multiModel, { field: 'serverlessVariant.model', message: 'serverless endpoints cannot host multi-model containers', received: 'multiModel: true', allowed: 'a single-model container' });
        checker.check(s.model.connections === undefined, { field: 'serverlessVariant.model', message: 'serverless endpoints cannot attach to a VPC', received: 'a model with vpc', allowed: 'a model without vpc' });
        checker.check(s.model.resource.enableNetworkIsolation !== true, { field: 'serverlessVariant.model', message: 'serverless endpoints do not support network isolation', received: 'networkIsolation: true', allowed: 'networkIsolation: false' });
      }
      infos.push({ variantName, serverless: true, shadow: false, hostsInferenceComponents: false, model: s.model, maxConcurrency, provisionedConcurrency: s.provisionedConcurrency });
      productionVariants.push({
        variantName,
        modelName: s.model.modelName,
        serverlessConfig: { memorySizeInMb: memory, maxConcurrency, provisionedConcurrency: s.provisionedConcurrency },
      });
    }
    const shadowVariants = props.shadowVariant ? [renderInstance(props.shadowVariant, 'shadowVariant', true)] : undefined;
    if (props.shadowVariant) {
      checker.check(!this.isServerless && !this.isAsync, { field: 'shadowVariant', message: 'shadow variants need a real-time instance endpoint', received: this.isServerless ? 'serverless' : 'asynchronous', allowed: 'instance variants without asyncInference' });
      checker.check(props.shadowVariant.model !== undefined, { field: 'shadowVariant.model', message: 'a shadow variant needs a model', received: undefined, allowed: 'an IModel' });
    }
    const names = infos.map((i) => i.variantName);
    const dup = names.filter((n, i) => names.indexOf(n) !== i);
    checker.check(dup.length === 0, { field: 'variants.variantName', message: 'variant names must be unique', received: dup, allowed: 'distinct names' });
    this.variants = infos;

    if (this.isServerless) {
      checker.check(!props.dataCapture, { field: 'dataCapture', message: 'serverless endpoints do not support data capture', received: 'dataCapture', allowed: 'no dataCapture, or instance variants' });
      checker.check(!props.asyncInference, { field: 'asyncInference', message: 'serverless endpoints cannot be asynchronous', received: 'asyncInference', allowed: 'no asyncInference, or instance variants' });
    }
    if (icMode) {
      checker.check(!props.asyncInference && !props.dataCapture && !props.shadowVariant, {
        field: 'variants', message: 'variants hosting inference components support neither async, data capture nor shadow variants here', received: 'inference-component variants', allowed: 'variants with a model',
      });
    }
    // --- encryption -----------------------------------------------------------------------
    const nvme = infos.filter((v) => v.instanceType?.hasLocalNvme).map((v) => v.instanceType!.toString());
    if (props.encryptionKey) {
      checker.check(nvme.length === 0, {
        field: 'encryptionKey', message: 'SageMaker rejects KmsKeyId for instance types with local NVMe storage (encrypted by the hardware)', received: nvme.join(', '), allowed: 'no encryptionKey, or instance types without local storage (e.g. ml.m5, ml.c6i, ml.g4dn is NVMe)',
      });
    }
    const needsKey = props.encryptionKey === undefined && (nvme.length === 0 && !this.isServerless || props.asyncInference || props.dataCapture);
    const key = props.encryptionKey ?? (needsKey ? new kms.Key(this, 'Key', { enableKeyRotation: true, description: `ServingStack endpoint ${this.node.path}` }) : undefined);
    this.encryptionKey = key;
    this.volumeKeyOmitted = nvme.length > 0 || this.isServerless;

    // --- async, capture -------------------------------------------------------------------
    const modelRoles = infos.map((v) => v.model).filter((m): m is IModel => m !== undefined);
    const objectPrefixes: string[] = [];
    let asyncInferenceConfig: CfnEndpointConfig.AsyncInferenceConfigProperty | undefined;
    if (props.asyncInference) {
      const a = props.asyncInference;
      checker.intRange('asyncInference.maxConcurrentInvocationsPerInstance', a.maxConcurrentInvocationsPerInstance, 1, 1000);
      const bucket = a.outputBucket ?? new SecureBucket(this, 'AsyncOutput', { encryptionKey: key }).bucket;
      this.asyncOutputBucket = bucket;
      const out = a.outputPrefix ?? 'async-output/';
      const fail = a.failurePrefix ?? 'async-failures/';
      objectPrefixes.push(out, fail);
      for (const m of modelRoles) {
        iam.Grant.addToPrincipal({ grantee: m, actions: ['s3:PutObject', 's3:AbortMultipartUpload'], resourceArns: [bucket.arnForObjects(`${out}*`), bucket.arnForObjects(`${fail}*`)] });
        key?.grantEncryptDecrypt(m);
        if (bucket.encryptionKey && bucket.encryptionKey !== key) bucket.encryptionKey.grantEncrypt(m);
        a.successTopic?.grantPublish(m);
        a.errorTopic?.grantPublish(m);
      }
      asyncInferenceConfig = {
        clientConfig: a.maxConcurrentInvocationsPerInstance ? { maxConcurrentInvocationsPerInstance: a.maxConcurrentInvocationsPerInstance } : undefined,
        outputConfig: {
          s3OutputPath: bucket.s3UrlForObject(out),
          s3FailurePath: bucket.s3UrlForObject(fail),
          kmsKeyId: key?.keyArn,
          notificationConfig: a.successTopic || a.errorTopic ? { successTopic: a.successTopic?.topicArn, errorTopic: a.errorTopic?.topicArn } : undefined,
        },
      };
    }
    let dataCaptureConfig: CfnEndpointConfig.DataCaptureConfigProperty | undefined;
    if (props.dataCapture) {
      const d = props.dataCapture;
      const sampling = d.samplingPercentage ?? 20;
      checker.intRange('dataCapture.samplingPercentage', sampling, 0, 100, '%');
      const modes = [...(d.captureInput ?? true ? ['Input'] : []), ...(d.captureOutput ?? true ? ['Output'] : [])];
      checker.check(modes.length > 0, { field: 'dataCapture', message: 'captures nothing', received: 'captureInput: false, captureOutput: false', allowed: 'captureInput or captureOutput' });
      const bucket = d.bucket ?? new SecureBucket(this, 'DataCapture', { encryptionKey: key }).bucket;
      this.dataCaptureBucket = bucket;
      const prefix = (d.prefix ?? 'data-capture').replace(/\/+$/, '');
      const destination = bucket.s3UrlForObject(prefix);
      objectPrefixes.push(`${prefix}/`);
      for (const m of modelRoles) {
        iam.Grant.addToPrincipal({ grantee: m, actions: ['s3:PutObject', 's3:AbortMultipartUpload'], resourceArns: [bucket.arnForObjects(`${prefix}/*`)] });
        key?.grantEncryptDecrypt(m);
        if (bucket.encryptionKey && bucket.encryptionKey !== key) bucket.encryptionKey.grantEncrypt(m);
      }
      dataCaptureConfig = {
        enableCapture: true,
        initialSamplingPercentage: sampling,
        destinationS3Uri: destination,
        kmsKeyId: key?.keyArn,
        captureOptions: modes.map((captureMode) => ({ captureMode })),
        captureContentTypeHeader: { jsonContentTypes: d.jsonContentTypes ?? ['application/json'], csvContentTypes: d.csvContentTypes },
      };
    }

    // --- deployment -----------------------------------------------------------------------
    // Inference-component endpoints roll out per component (components carry their own
    // deployment policy), so the endpoint itself gets no guardrail config by default.
    this.deployment = props.deployment ?? (icMode ? DeploymentStrategy.none() : DeploymentStrategy.blueGreen());
    const g = props.guardrailAlarms ?? {};
    checker.numberRange('guardrailAlarms.max5xxErrorRatePercent', g.max5xxErrorRatePercent, 0, 100);
    checker.intRange('guardrailAlarms.evaluationPeriods', g.evaluationPeriods, 2, 100);
    const production = infos.filter((v) => !v.shadow);
    checker.check(production.length <= 10, { field: 'variants', message: 'too many variants for one alarm', received: production.length, allowed: 'at most 10' });

    const issues = new IssueCollector();
    const alarmNamePrefix = deterministicName(this, 'Guardrail', 200);
    const guardrailNames = this.deployment.autoRollback ? [`${alarmNamePrefix}-5xx-rate`, `${alarmNamePrefix}-p99-model-latency`] : [];
    const instanceCounts = production.map((v) => v.initialInstanceCount).filter((c): c is number => c !== undefined);
    const deploymentConfig = this.deployment._render({
      serverless: this.isServerless,
      variantCount: production.length,
      minInstanceCount: instanceCounts.length > 0 ? Math.min(...instanceCounts) : undefined,
      inf1: infos.some((v) => v.instanceType?.isInf1),
    }, guardrailNames, issues);
    issues.issues.forEach((i) => checker.add(i));
    if (infos.some((v) => v.instanceType?.isInf1) && this.deployment.trafficShift && this.deployment.trafficShift.type !== 'ALL_AT_ONCE') {
      checker.add({ field: 'deployment.trafficShift', message: 'Inf1 endpoints fall back to all-at-once without baking', received: this.deployment.trafficShift.type, allowed: 'TrafficShift.allAtOnce() or an instance type other than ml.inf1' });
    }
    checker.throwIfAny();
    if (gpuError) throw gpuError;

    this.endpointName = name;
    this.endpointArn = Stack.of(this).formatArn({ service: 'sagemaker', resource: 'endpoint', resourceName: Token.isUnresolved(name) ? name : name.toLowerCase() });
    this.guardrailAlarms = guardrailNames.length > 0 ? this.createGuardrailAlarms(guardrailNames, production.map((v) => v.variantName), g) : [];

    for (const m of modelRoles) if (m instanceof Model) acknowledgeServingStackWildcards(m, objectPrefixes);
    let executionRole: iam.IRole | undefined;
    if (icMode) {
      executionRole = props.executionRole ?? createExecutionRole(this, 'ExecutionRole', false);
      acknowledgeServingStackWildcards(this);
    }
    this.executionRole = executionRole;

    this.endpointConfig = new CfnEndpointConfig(this, 'Config', {
      productionVariants,
      shadowProductionVariants: shadowVariants,
      kmsKeyId: this.volumeKeyOmitted ? undefined : key?.keyArn,
      asyncInferenceConfig,
      dataCaptureConfig,
      executionRoleArn: executionRole?.roleArn,
    });
    if (this.volumeKeyOmitted) {
      const reason = this.isServerless
        ? 'serverless endpoints have no ML storage volume to encrypt with a customer key; payloads are encrypted by SageMaker'
        : `instance types ${nvme.join(', ')} have local NVMe storage encrypted by a hardware module; SageMaker rejects KmsKeyId for them`;
      for (const id of ['HIPAA.Security-SageMakerEndpointConfigurationKMSKeyConfigured', 'NIST.800.53.R5-SageMakerEndpointConfigurationKMSKeyConfigured', 'NIST.800.53.R4-SageMakerEndpointConfigurationKMSKeyConfigured', 'PCI.DSS.321-SageMakerEndpointConfigurationKMSKeyConfigured']) {
        Validations.of(this.endpointConfig).acknowledge({ id, reason });
      }
    }
    for (const m of modelRoles) if (m instanceof Model) this.endpointConfig.node.addDependency(m);
    if (executionRole) this.endpointConfig.node.addDependency(executionRole);

    this.resource = new CfnEndpoint(this, 'Resource', {
      endpointName: name,
      endpointConfigName: this.endpointConfig.attrEndpointConfigName,
      deploymentConfig,
      retainAllVariantProperties: props.retainVariantProperties ?? true,
      // Weights and counts survive, but a changed config must be able to change data capture.
      excludeRetainedVariantProperties: (props.retainVariantProperties ?? true) ? [{ variantPropertyType: 'DataCaptureConfig' }] : undefined,
    });
    for (const alarm of this.guardrailAlarms) this.resource.node.addDependency(alarm);
  }

  private createGuardrailAlarms(names: string[], variants: string[], g: GuardrailAlarmOptions): cw.Alarm[] {
    const period = g.period ?? Duration.minutes(1);
    const evaluationPeriods = g.evaluationPeriods ?? 3;
    const latencyMicros = (g.maxP99ModelLatency ?? Duration.seconds(1)).toMilliseconds() * 1000;
    const maxRate = g.max5xxErrorRatePercent ?? 5;
    const usingMetrics = (metricName: string, statistic: string): Record<string, cw.IMetric> =>
      Object.fromEntries(variants.map((v, i) => [`v${i}`, this.metric(metricName, { variantName: v, statistic, period })]));
    const worst = (n: number): string => (n === 1 ? 'v0' : `MAX([${variants.map((_, i) => `v${i}`).join(',')}])`);
    const errorExpr = this.isAsync ? worst(variants.length) : `100 * ${worst(variants.length)}`;
    const errors = new cw.Alarm(this, 'Guardrail5xxRate', {
      alarmName: names[0],
      alarmDescription: this.isAsync
        ? `Rolls back deployments of ${this.endpointName}: more than ${maxRate} 5XX errors per period on the worst variant`
        : `Rolls back deployments of ${this.endpointName}: 5XX rate of the worst variant above ${maxRate} %`,
      metric: new cw.MathExpression({ expression: errorExpr, usingMetrics: usingMetrics('Invocation5XXErrors', this.isAsync ? 'Sum' : 'Average'), period, label: '5XX' }),
      threshold: maxRate,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods,
      datapointsToAlarm: 2,
      treatMissingData: cw.TreatMissingData.NOT_BREACHING,
    });
    const latency = new cw.Alarm(this, 'GuardrailP99ModelLatency', {
      alarmName: names[1],
      alarmDescription: `Rolls back deployments of ${this.endpointName}: p99 ModelLatency of the worst variant above ${latencyMicros} µs`,
      metric: variants.length === 1
        ? this.metric('ModelLatency', { variantName: variants[0], statistic: 'p99', period })
        : new cw.MathExpression({ expression: worst(variants.length), usingMetrics: usingMetrics('ModelLatency', 'p99'), period, label: 'p99 ModelLatency (µs)' }),
      threshold: latencyMicros,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods,
      datapointsToAlarm: 2,
      treatMissingData: cw.TreatMissingData.NOT_BREACHING,
    });
    return [errors, latency];
  }

  /** The first production variant's name. */
  public get primaryVariantName(): string {
    return this.variants.find((v) => !v.shadow)!.variantName;
  }

  /** Allow `grantee` to invoke the endpoint (real-time, streaming and async). */
  public grantInvoke(grantee: iam.IGrantable): iam.Grant {
    return grantInvokeOn(grantee, this.endpointArn);
  }

  /**
   * A metric of this endpoint. `AWS/SageMaker` unless the name is an instance metric
   * (CPU, GPU, memory, disk: `/aws/sagemaker/Endpoints`); async backlog metrics carry only the
   * `EndpointName` dimension.
   */
  public metric(metricName: string, props: EndpointMetricOptions = {}): cw.Metric {
    const instanceMetric = /Utilization$/.test(metricName);
    const endpointOnly = ENDPOINT_ONLY_METRICS.has(metricName);
    const { variantName, ...rest } = props;
    return new cw.Metric({
      namespace: instanceMetric ? INSTANCE_NAMESPACE : SAGEMAKER_NAMESPACE,
      metricName,
      dimensionsMap: endpointOnly ? { EndpointName: this.endpointName } : { EndpointName: this.endpointName, VariantName: variantName ?? this.primaryVariantName },
      ...rest,
    });
  }

  /** Requests (Sum). Not published by async endpoints. */
  public metricInvocations(props?: EndpointMetricOptions): cw.Metric {
    return this.metric('Invocations', { statistic: 'Sum', ...props });
  }

  /** Requests per instance (Sum), the target-tracking metric. */
  public metricInvocationsPerInstance(props?: EndpointMetricOptions): cw.Metric {
    return this.metric('InvocationsPerInstance', { statistic: 'Sum', ...props });
  }

  /** 4XX answers; Average is the rate (0–1), Sum the count. @default statistic Average */
  public metricInvocation4xxErrors(props?: EndpointMetricOptions): cw.Metric {
    return this.metric('Invocation4XXErrors', { statistic: 'Average', ...props });
  }

  /** 5XX answers; Average is the rate (0–1), Sum the count. @default statistic Average */
  public metricInvocation5xxErrors(props?: EndpointMetricOptions): cw.Metric {
    return this.metric('Invocation5XXErrors', { statistic: 'Average', ...props });
  }

  /** Model latency in MICROseconds. @default statistic p99 */
  public metricModelLatency(props?: EndpointMetricOptions): cw.Metric {
    return this.metric('ModelLatency', { statistic: 'p99', ...props });
  }

  /** Overhead latency in MICROseconds (not published by async endpoints). @default statistic p99 */
  public metricOverheadLatency(props?: EndpointMetricOptions): cw.Metric {
    return this.metric('OverheadLatency', { statistic: 'p99', ...props });
  }

  /** Model latency converted to milliseconds (metric math). @default statistic p99 */
  public metricModelLatencyInMillis(props?: EndpointMetricOptions): cw.MathExpression {
    const stat = props?.statistic ?? 'p99';
    const id = `latency_${stat.toLowerCase().replace(/[^a-z0-9]/g, '_')}_${(props?.variantName ?? this.primaryVariantName).toLowerCase().replace(/[^a-z0-9]/g, '_')}`;
    return new cw.MathExpression({ expression: `${id} / 1000`, usingMetrics: { [id]: this.metricModelLatency(props) }, label: `ModelLatency ${stat} (ms)`, period: props?.period });
  }

  /** Concurrent requests per model (high resolution). @default statistic Maximum */
  public metricConcurrentRequestsPerModel(props?: EndpointMetricOptions): cw.Metric {
    return this.metric('ConcurrentRequestsPerModel', { statistic: 'Maximum', ...props });
  }

  /** CPU utilisation: 100 % per vCPU (an 8-vCPU instance reports up to 800). @default statistic Average */
  public metricCpuUtilization(props?: EndpointMetricOptions): cw.Metric {
    return this.metric('CPUUtilization', { statistic: 'Average', ...props });
  }

  /** GPU utilisation: 100 % per GPU. @default statistic Average */
  public metricGpuUtilization(props?: EndpointMetricOptions): cw.Metric {
    return this.metric('GPUUtilization', { statistic: 'Average', ...props });
  }

  /** GPU memory utilisation: 100 % per GPU. @default statistic Average */
  public metricGpuMemoryUtilization(props?: EndpointMetricOptions): cw.Metric {
    return this.metric('GPUMemoryUtilization', { statistic: 'Average', ...props });
  }

  /** Memory utilisation in percent. @default statistic Average */
  public metricMemoryUtilization(props?: EndpointMetricOptions): cw.Metric {
    return this.metric('MemoryUtilization', { statistic: 'Average', ...props });
  }

  /** Disk utilisation in percent (data capture stops near 75 %+). @default statistic Average */
  public metricDiskUtilization(props?: EndpointMetricOptions): cw.Metric {
    return this.metric('DiskUtilization', { statistic: 'Average', ...props });
  }

  /** Queued async requests (async only). @default statistic Average */
  public metricApproximateBacklogSize(props?: EndpointMetricOptions): cw.Metric {
    return this.metric('ApproximateBacklogSize', { statistic: 'Average', ...props });
  }

  /** Queued async requests per instance (async only), the backlog-scaling metric. @default statistic Average */
  public metricApproximateBacklogSizePerInstance(props?: EndpointMetricOptions): cw.Metric {
    return this.metric('ApproximateBacklogSizePerInstance', { statistic: 'Average', ...props });
  }

  /** 1 when requests wait and no instance runs (async only). @default statistic Maximum */
  public metricHasBacklogWithoutCapacity(props?: EndpointMetricOptions): cw.Metric {
    return this.metric('HasBacklogWithoutCapacity', { statistic: 'Maximum', ...props });
  }

  /** Serverless cold-start time in microseconds. @default statistic Average */
  public metricModelSetupTime(props?: EndpointMetricOptions): cw.Metric {
    return this.metric('ModelSetupTime', { statistic: 'Average', ...props });
  }
}

function grantInvokeOn(grantee: iam.IGrantable, endpointArn: string): iam.Grant {
  return iam.Grant.addToPrincipal({
    grantee,
    actions: ['sagemaker:InvokeEndpoint', 'sagemaker:InvokeEndpointAsync', 'sagemaker:InvokeEndpointWithResponseStream'],
    resourceArns: [endpointArn],
  });
}

/**
 * A stable name from the construct path, valid for SageMaker (`[a-zA-Z0-9-]`, ≤ maxLength):
 * the most specific path components, then a hash of the full path.
 */
export function deterministicName(scope: Construct, id: string, maxLength = 63): string {
  const parts = [...scope.node.scopes.filter((c) => c.node.id !== '').map((c) => c.node.id), id];
  const fullPath = parts.join('/');
  const hash = createHash('sha256').update(fullPath).digest('hex').slice(0, 8).toUpperCase();
  const human = parts.join('-').replace(/[^A-Za-z0-9-]/g, '-').replace(/-+/g, '-').replace(/^-+|-+$/g, '');
  const room = maxLength - hash.length - 1;
  const head = human.length > room ? human.slice(human.length - room).replace(/^-+/, '') : human;
  return `${head}-${hash}`;
}
