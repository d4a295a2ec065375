/**
 * A SageMaker endpoint config: the variants (added with methods, also after construction, and
 * rendered lazily), asynchronous inference, data capture and the KMS key of volumes and output.
 */
import { IResource, Lazy, Resource, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { CfnEndpointConfig } from 'aws-cdk-lib/aws-sagemaker';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { AwsErrorCodes } from './errors';
import { IModel, Model } from './model';
import { Checker } from './private/errors';
import { createExecutionRole } from './private/execution-role';
import { acknowledgeServingStackWildcards } from './private/nag-acknowledgements';
import { visiblePath } from './private/names';
import { VariantRecord, checkConfigProps, checkKeyAllowed, checkLayout, instanceVariant, serverlessVariant } from './private/variant-checks';
import { SecureBucket } from './secure-bucket';
import { InstanceVariantProps, ProductionVariant, ServerlessVariantProps } from './variant';

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
  readonly jsonContentTypes?: readonly string[];
  /**
   * Content types captured as CSV text.
   * @default - none
   */
  readonly csvContentTypes?: readonly string[];
}

/** Properties of {@link EndpointConfig}. */
export interface EndpointConfigProps {
  /**
   * Instance-backed production variants (1–10); more with `addInstanceVariant()`.
   * @default - none yet
   */
  readonly variants?: readonly InstanceVariantProps[];
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
   * @default - a new key with rotation; omitted on the config for instance types with local NVMe
   * storage (SageMaker rejects it; the disks are hardware-encrypted) and for serverless
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Execution role of the config (variants hosting inference components only).
   * @default - a new least-privilege role when a variant hosts inference components
   */
  readonly executionRole?: iam.IRole;
}

/** A SageMaker endpoint config. */
export interface IEndpointConfig extends IResource {
  /** @attribute */
  readonly endpointConfigName: string;
}

/**
 * An endpoint config: real-time instance variants (weighted A/B and a shadow), serverless, or
 * asynchronous; data capture; KMS. Variants come from the props or the `add…Variant()` methods;
 * each is checked when added, the set is checked again when the config renders, and a config
 * that never got a variant fails synth. Every model a variant serves is bound to it, so the model
 * learns its instance type and endpoint kind.
 */
export class EndpointConfig extends Resource implements IEndpointConfig {
  public readonly endpointConfigName: string;
  public readonly isAsync: boolean;
  /** Async output location. */
  public readonly asyncOutputBucket?: s3.IBucket;
  /** Data capture destination. */
  public readonly dataCaptureBucket?: s3.IBucket;
  /** The L1 resource. */
  public readonly resource: CfnEndpointConfig;
  private readonly records: VariantRecord[] = [];
  private readonly userKey?: kms.IKey;
  private key?: kms.IKey;
  private role?: iam.IRole;
  private readonly props: EndpointConfigProps;
  private readonly grantWrites: Array<(model: IModel) => void> = [];
  private readonly objectPrefixes: string[] = [];
  private readonly nvmeAcknowledged = new Set<string>();

  constructor(scope: Construct, id: string, props: EndpointConfigProps = {}) {
    super(scope, id);
    this.props = props;
    this.isAsync = props.asyncInference !== undefined;
    this.userKey = props.encryptionKey;
    const checker = new Checker(this, 'EndpointConfig');
    const given = checkConfigProps(checker, props);
    const nvme = given.filter((r) => r.facts.instanceType?.hasLocalNvme).map((r) => r.facts.instanceType!.toString());
    const capture = props.dataCapture;
    checker.throwIfAny();

    // The key is decided once for the variants given here; variants added later get one on demand.
    const serverless = given.some((r) => r.facts.serverless);
    if (this.userKey || (nvme.length === 0 && !serverless && given.length > 0) || this.isAsync || capture) this.key = this.userKey ?? this.newKey();
    this.resource = new CfnEndpointConfig(this, 'Config', {
      productionVariants: Lazy.any({ produce: () => this.renderVariants(false) }),
      shadowProductionVariants: Lazy.any({ produce: () => this.renderVariants(true) }),
      kmsKeyId: Lazy.string({ produce: () => (this.volumeKeyOmitted ? undefined : this.key?.keyArn) }),
      asyncInferenceConfig: this.asyncConfig(),
      dataCaptureConfig: this.captureConfig(),
      executionRoleArn: Lazy.string({ produce: () => this.role?.roleArn }),
    });
    // `Config`, not `Resource`: an Endpoint holds its config as the child `Default`, so the L1's
    // logical ID stays the one it had before configs were their own construct.
    this.node.defaultChild = this.resource;
    this.endpointConfigName = this.resource.attrEndpointConfigName;
    this.accept(given);
    this.node.addValidation({ validate: () => (this.records.length > 0 ? [] : [noVariant(this)]) });
  }

  /** The variants, production first, in the order they were added. */
  public get variants(): readonly ProductionVariant[] {
    return [...this.records.filter((r) => !r.facts.shadow), ...this.records.filter((r) => r.facts.shadow)].map((r) => r.facts);
  }

  /** The key of volumes, capture and async output, when one is used. */
  public get encryptionKey(): kms.IKey | undefined {
    return this.key;
  }

  /** Whether `KmsKeyId` is left off (local NVMe storage or serverless). */
  public get volumeKeyOmitted(): boolean {
    return this.records.some((r) => r.facts.serverless || r.facts.instanceType?.hasLocalNvme);
  }

  /** Execution role of the config (variants hosting inference components). */
  public get executionRole(): iam.IRole | undefined {
    return this.role;
  }

  /** Add an instance-backed production variant. */
  public addInstanceVariant(props: InstanceVariantProps): ProductionVariant {
    const index = this.records.filter((r) => !r.facts.shadow && !r.facts.serverless).length;
    return this.add(`variants[${index}]`, (c, f) => instanceVariant(c, f, props, false), props.variantName === undefined && index > 0);
  }

  /** Add the serverless variant. */
  public addServerlessVariant(props: ServerlessVariantProps): ProductionVariant {
    return this.add('serverlessVariant', (c, f) => serverlessVariant(c, f, props), false);
  }

  /** Add the shadow variant (a copy of the traffic; responses discarded). */
  public addShadowVariant(props: InstanceVariantProps): ProductionVariant {
    return this.add('shadowVariant', (c, f) => instanceVariant(c, f, props, true), false);
  }

  private add(field: string, make: (c: Checker, f: string) => VariantRecord, unnamed: boolean): ProductionVariant {
    const checker = new Checker(this, 'EndpointConfig');
    const record = make(checker, field);
    checker.check(!unnamed, { field: `${field}.variantName`, message: 'is required when there are several variants', received: undefined, allowed: 'a unique variant name' }, AwsErrorCodes.VARIANT_LAYOUT);
    const all = [...this.records, record];
    checkLayout(checker, all, { async: this.isAsync, capture: this.props.dataCapture !== undefined });
    if (this.userKey && record.facts.instanceType?.hasLocalNvme) checkKeyAllowed(checker, [record.facts.instanceType.toString()]);
    checker.throwIfAny();
    const usesKey = !record.facts.serverless && !record.facts.instanceType?.hasLocalNvme && !this.volumeKeyOmitted;
    if (!this.key && usesKey) this.key = this.newKey();
    this.accept([record]);
    return record.facts;
  }

  /**
   * Take checked variants: bind their models (GPU variants first, so a model shared with CPU
   * variants gets the CUDA image, which runs on both), grant the models the config's writes,
   * acknowledge what they need.
   */
  private accept(records: readonly VariantRecord[]): void {
    this.records.push(...records);
    const gpuFirst = [...records].sort((a, b) => Number((b.facts.instanceType?.gpuCount ?? 0) > 0) - Number((a.facts.instanceType?.gpuCount ?? 0) > 0));
    for (const record of gpuFirst) {
      const f = record.facts;
      if (f.model instanceof Model) f.model._bindVariant({ instanceType: f.instanceType, serverless: f.serverless === true, async: this.isAsync, field: `${record.field}.model`, scope: this });
    }
    for (const record of records) {
      const f = record.facts;
      const m = f.model;
      if (m) for (const grant of this.grantWrites) grant(m);
      if (m instanceof Model) acknowledgeServingStackWildcards(m, this.objectPrefixes);
      if (f.hostsInferenceComponents && !this.role) {
        this.role = this.props.executionRole ?? createExecutionRole(this, 'ExecutionRole', false);
        acknowledgeServingStackWildcards(this);
      }
      if (m instanceof Model) this.resource.node.addDependency(m);
    }
    if (this.role instanceof iam.Role) this.resource.node.addDependency(this.role);
    if (this.volumeKeyOmitted) this.acknowledgeNoVolumeKey();
  }

  private newKey(): kms.IKey {
    return new kms.Key(this, 'Key', { enableKeyRotation: true, description: `ServingStack endpoint ${visiblePath(this)}` });
  }

  private renderVariants(shadow: boolean): CfnEndpointConfig.ProductionVariantProperty[] | undefined {
    // The set was checked as it grew; check it again as rendered, in case it was changed around us.
    const checker = new Checker(this, 'EndpointConfig');
    checkLayout(checker, this.records, { async: this.isAsync, capture: this.props.dataCapture !== undefined });
    checker.throwIfAny();
    const rendered = this.records.filter((r) => (r.facts.shadow === true) === shadow).map((r) => r.rendered);
    return shadow && rendered.length === 0 ? undefined : rendered;
  }

  private asyncConfig(): CfnEndpointConfig.AsyncInferenceConfigProperty | undefined {
    const a = this.props.asyncInference;
    if (!a) return undefined;
    const key = this.key;
    const bucket = a.outputBucket ?? new SecureBucket(this, 'AsyncOutput', { encryptionKey: key }).bucket;
    (this as { asyncOutputBucket?: s3.IBucket }).asyncOutputBucket = bucket;
    const out = a.outputPrefix ?? 'async-output/';
    const fail = a.failurePrefix ?? 'async-failures/';
    this.objectPrefixes.push(out, fail);
    this.grantWrites.push((m) => {
      iam.Grant.addToPrincipal({ grantee: m, actions: ['s3:PutObject', 's3:AbortMultipartUpload'], resourceArns: [bucket.arnForObjects(`${out}*`), bucket.arnForObjects(`${fail}*`)] });
      key?.grantEncryptDecrypt(m);
      if (bucket.encryptionKey && bucket.encryptionKey !== key) bucket.encryptionKey.grantEncrypt(m);
      a.successTopic?.grantPublish(m);
      a.errorTopic?.grantPublish(m);
    });
    return {
      clientConfig: a.maxConcurrentInvocationsPerInstance ? { maxConcurrentInvocationsPerInstance: a.maxConcurrentInvocationsPerInstance } : undefined,
      outputConfig: {
        s3OutputPath: bucket.s3UrlForObject(out),
        s3FailurePath: bucket.s3UrlForObject(fail),
        kmsKeyId: key?.keyArn,
        notificationConfig: a.successTopic || a.errorTopic ? { successTopic: a.successTopic?.topicArn, errorTopic: a.errorTopic?.topicArn } : undefined,
      },
    };
  }

  private captureConfig(): CfnEndpointConfig.DataCaptureConfigProperty | undefined {
    const d = this.props.dataCapture;
    if (!d) return undefined;
    const key = this.key;
    const bucket = d.bucket ?? new SecureBucket(this, 'DataCapture', { encryptionKey: key }).bucket;
    (this as { dataCaptureBucket?: s3.IBucket }).dataCaptureBucket = bucket;
    const prefix = (d.prefix ?? 'data-capture').replace(/\/+$/, '');
    this.objectPrefixes.push(`${prefix}/`);
    this.grantWrites.push((m) => {
      iam.Grant.addToPrincipal({ grantee: m, actions: ['s3:PutObject', 's3:AbortMultipartUpload'], resourceArns: [bucket.arnForObjects(`${prefix}/*`)] });
      key?.grantEncryptDecrypt(m);
      if (bucket.encryptionKey && bucket.encryptionKey !== key) bucket.encryptionKey.grantEncrypt(m);
    });
    const modes = [...(d.captureInput ?? true ? ['Input'] : []), ...(d.captureOutput ?? true ? ['Output'] : [])];
    return {
      enableCapture: true,
      initialSamplingPercentage: d.samplingPercentage ?? 20,
      destinationS3Uri: bucket.s3UrlForObject(prefix),
      kmsKeyId: key?.keyArn,
      captureOptions: modes.map((captureMode) => ({ captureMode })),
      captureContentTypeHeader: { jsonContentTypes: [...(d.jsonContentTypes ?? ['application/json'])], csvContentTypes: d.csvContentTypes ? [...d.csvContentTypes] : undefined },
    };
  }

  private acknowledgeNoVolumeKey(): void {
    const serverless = this.records.some((r) => r.facts.serverless);
    const nvme = this.records.filter((r) => r.facts.instanceType?.hasLocalNvme).map((r) => r.facts.instanceType!.toString());
    const reason = serverless
      ? 'serverless endpoints have no ML storage volume to encrypt with a customer key; payloads are encrypted by SageMaker'
      : `instance types ${nvme.join(', ')} have local NVMe storage encrypted by a hardware module; SageMaker rejects KmsKeyId for them`;
    if (this.nvmeAcknowledged.has(reason)) return;
    this.nvmeAcknowledged.add(reason);
    for (const id of ['HIPAA.Security-SageMakerEndpointConfigurationKMSKeyConfigured', 'NIST.800.53.R5-SageMakerEndpointConfigurationKMSKeyConfigured', 'NIST.800.53.R4-SageMakerEndpointConfigurationKMSKeyConfigured', 'PCI.DSS.321-SageMakerEndpointConfigurationKMSKeyConfigured']) {
      Validations.of(this.resource).acknowledge({ id, reason });
    }
  }
}

function noVariant(config: EndpointConfig): string {
  return `EndpointConfig at ${visiblePath(config)} is invalid (${AwsErrorCodes.NO_VARIANT})\n  - variants: an endpoint needs a variant; received []; allowed: one to ten instance variants (addInstanceVariant), or a serverless variant (addServerlessVariant)`;
}

