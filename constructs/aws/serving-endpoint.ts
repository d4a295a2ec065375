import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ServingStackError } from '../../lib/core/errors';
import { ApprovalRollout } from './approval-rollout';
import { ContainerImage } from './container-image';
import { Endpoint } from './endpoint';
import { IEndpoint } from './endpoint-base';
import { EndpointMonitoring } from './endpoint-monitoring';
import { AwsErrorCodes } from './errors';
import { InstanceType } from './instance-type';
import { Model } from './model';
import { ModelData, RegistryModelData } from './model-data';
import { IModelPackageGroup } from './model-package-group';
import { ModelQualityMonitoring } from './model-quality-monitoring';
import { IModelRegistry, ModelRegistry } from './model-registry';
import { Checker } from './private/errors';
import { gpuImageError, gpuImageIssue } from './private/gpu-image';
import { AdditionalVariantOptions, ServingEndpointOptions } from './serving-endpoint-options';
import { InstanceVariantProps, RoutingStrategy } from './variant';
import { VariantAutoScaling } from './variant-auto-scaling';

/** Properties of {@link ServingEndpoint}: grouped options around `modelData`, or a finished `endpoint`. */
export interface ServingEndpointProps extends ServingEndpointOptions {
  /**
   * The model: `ModelData.fromAsset('path/to/package')`, S3, a registry, or a registered version.
   * The ServingEndpoint builds the models and the endpoint from it and the grouped options.
   * @default - none: then `endpoint` is required
   */
  readonly modelData?: ModelData;
  /**
   * A finished endpoint (with its models): the ServingEndpoint adds autoscaling, the registry
   * rollout (with `registry.registry`), monitoring and model quality. Options that shape the
   * model or the endpoint must stay unset.
   * @default - none: then `modelData` is required
   */
  readonly endpoint?: IEndpoint;
}

/** Options that build the model and the endpoint (not allowed with a finished endpoint). */
const BUILDING_OPTIONS: ReadonlyArray<keyof ServingEndpointProps> = [
  'modelData', 'model', 'variant', 'additionalVariants', 'shadowVariant', 'serverless', 'asyncInference', 'dataCapture', 'encryptionKey', 'endpointName', 'deployment', 'guardrailAlarms',
];

/**
 * A model package directory in; a guarded, autoscaled, monitored, registered SageMaker endpoint
 * out. Composes Model, Endpoint, VariantAutoScaling, ModelRegistry, ApprovalRollout,
 * EndpointMonitoring and ModelQualityMonitoring with production defaults; or takes a finished
 * endpoint and adds the operational parts around it.
 */
export class ServingEndpoint extends Construct {
  public readonly endpoint: IEndpoint;
  /** The models the endpoint serves (built here, or those of the finished endpoint). */
  public readonly models: readonly Model[];
  public readonly autoScaling: readonly VariantAutoScaling[];
  public readonly monitoring: EndpointMonitoring;
  /** Model-quality alarms and the retraining trigger, when on. */
  public readonly modelQuality?: ModelQualityMonitoring;
  /** The secret signing prediction tokens, when model-quality monitoring is on. */
  public readonly feedbackKey?: secretsmanager.ISecret;
  /** The registry the endpoint follows, when it serves from one. */
  public readonly registry?: IModelRegistry;
  /** The registry's model package group. */
  public readonly group?: IModelPackageGroup;
  public readonly rollout?: ApprovalRollout;
  private readonly built: Model[] = [];

  constructor(scope: Construct, id: string, props: ServingEndpointProps) {
    super(scope, id);
    const checker = new Checker(this, 'ServingEndpoint', AwsErrorCodes.SERVING_PARTS);
    const r = props.registry ?? {};
    if (props.endpoint) {
      const clashing = BUILDING_OPTIONS.filter((k) => props[k] !== undefined);
      checker.check(clashing.length === 0, { field: clashing.join(', '), message: 'shape a model or an endpoint, and the endpoint was given finished', received: clashing, allowed: 'with endpoint: autoScaling, registry, monitoring, modelQuality' });
      checker.check(!(r.enabled === true && r.registry === undefined), { field: 'registry.registry', message: 'a finished endpoint follows a registry only when given one', received: undefined, allowed: 'the IModelRegistry its models serve from' });
    } else {
      checker.check(props.modelData !== undefined, { field: 'modelData', message: 'is required unless a finished endpoint is given', received: undefined, allowed: 'ModelData.fromAsset(<package dir>), …, or endpoint' });
      checker.check(!(props.serverless && (props.additionalVariants?.length || props.shadowVariant)), {
        field: 'serverless', message: 'serverless endpoints have exactly one variant', received: 'additionalVariants/shadowVariant', allowed: 'no additional or shadow variants',
      }, AwsErrorCodes.SERVERLESS_UNSUPPORTED);
    }
    checker.throwIfAny();

    let modelData = props.modelData;
    if (props.endpoint) {
      this.registry = r.registry;
    } else if (modelData instanceof RegistryModelData) {
      this.registry = modelData.registry;
    } else if (modelData && (r.enabled ?? true) && !modelData.isModelPackage && !modelData.isPrefix) {
      // The endpoint serves the newest approved version, the app's package until then.
      this.registry = r.registry ?? new ModelRegistry(this, 'Registry', {
        description: modelData.manifest ? `ServingStack model ${modelData.manifest.name}` : undefined,
        crossAccountReadAccounts: r.crossAccountReadAccounts,
      });
      modelData = ModelData.fromRegistry(this.registry, { fallback: modelData });
    }
    this.group = this.registry?.group;
    this.endpoint = props.endpoint ?? this.buildEndpoint(props, modelData!);
    this.models = props.endpoint ? [...new Set(props.endpoint.variants.map((v) => v.model).filter((m): m is Model => m instanceof Model))] : this.built;

    this.autoScaling = this.scale(props);
    if (this.registry && (r.rolloutOnApproval ?? true)) {
      // Approvals reach the variant fed by the registry (the others keep their own models).
      this.rollout = new ApprovalRollout(this, 'Rollout', { endpoint: this.endpoint, group: this.registry.group, variantNames: [this.endpoint.primaryVariantName] });
    }
    this.monitoring = new EndpointMonitoring(this, 'Monitoring', { endpoint: this.endpoint, alarmTopic: props.monitoring?.alarmTopic, thresholds: props.monitoring?.thresholds });
    this.modelQuality = this.watchQuality(props);
    // Labels through /invocations on any instance: the runtime signs prediction tokens with a key
    // from Secrets Manager. An isolated container cannot call Secrets Manager: labels by id there.
    const keyed = this.modelQuality ? this.models.filter((m) => m.isServingStackRuntime && !m.networkIsolation) : [];
    const key = keyed.length > 0 ? (props.modelQuality?.feedbackKey ?? this.newFeedbackKey()) : undefined;
    this.feedbackKey = key;
    if (key) for (const m of keyed) m.useFeedbackKey(key);
  }

  /** Allow `grantee` to invoke the endpoint. */
  public grantInvoke(grantee: iam.IGrantable): iam.Grant {
    return this.endpoint.grantInvoke(grantee);
  }

  private buildEndpoint(props: ServingEndpointProps, modelData: ModelData): Endpoint {
    const v = props.variant ?? {};
    const m = props.model ?? {};
    const serverless = props.serverless !== undefined;
    const instanceType = v.instanceType ?? InstanceType.M5_LARGE;
    const model = (mid: string, data: ModelData, image: ContainerImage | undefined, field: string, type: InstanceType | undefined): Model => {
      const made = new Model(this, mid, {
        modelData: data, image, environment: m.environment, runtime: m.runtime, allowCpuImageOnGpu: m.allowCpuImageOnGpu, multiModel: m.multiModel,
        vpc: m.vpc, vpcSubnets: m.vpcSubnets, securityGroups: m.securityGroups, networkIsolation: m.networkIsolation,
      });
      // A given image without GPU support on a GPU type fails here, naming this construct's field.
      const chosen = made.image;
      if (image && chosen?.gpuSupport === false && (type?.gpuCount ?? 0) > 0 && !made.allowCpuImageOnGpu) {
        throw gpuImageError(this.node.path, gpuImageIssue(field, chosen));
      }
      this.built.push(made);
      return made;
    };
    const primary = model('Model', modelData, m.image, 'model.image', serverless ? undefined : instanceType);
    const variant = (o: AdditionalVariantOptions | undefined, mid: string, field: string): InstanceVariantProps => {
      const type = o?.instanceType ?? instanceType;
      return {
        variantName: o?.variantName ?? v.variantName ?? 'AllTraffic',
        model: o && (o.modelData || o.image) ? model(mid, o.modelData ?? modelData, o.image ?? m.image, `${field}.image`, type) : primary,
        instanceType: type,
        initialInstanceCount: o?.initialInstanceCount ?? v.initialInstanceCount,
        initialVariantWeight: o ? o.weight : v.weight,
        volumeSize: v.volumeSize,
        modelDataDownloadTimeout: v.modelDataDownloadTimeout,
        containerStartupHealthCheckTimeout: v.containerStartupHealthCheckTimeout,
        // Routing applies to real-time requests; async endpoints dequeue from their own queue.
        routingStrategy: v.routingStrategy ?? (props.asyncInference ? undefined : RoutingStrategy.LEAST_OUTSTANDING_REQUESTS),
      };
    };
    return new Endpoint(this, 'Endpoint', {
      endpointName: props.endpointName,
      variants: serverless ? undefined : [variant(undefined, 'Model', 'variant'), ...(props.additionalVariants ?? []).map((o, i) => variant(o, `Model${i + 2}`, `additionalVariants[${i}]`))],
      serverlessVariant: props.serverless ? { variantName: v.variantName, model: primary, ...props.serverless } : undefined,
      shadowVariant: props.shadowVariant ? variant(props.shadowVariant, 'ShadowModel', 'shadowVariant') : undefined,
      asyncInference: props.asyncInference,
      dataCapture: props.dataCapture,
      encryptionKey: props.encryptionKey,
      deployment: props.deployment,
      guardrailAlarms: props.guardrailAlarms,
    });
  }

  private scale(props: ServingEndpointProps): VariantAutoScaling[] {
    const a = props.autoScaling ?? {};
    const endpoint = this.endpoint;
    const provisioned = endpoint.variants.some((v) => v.serverless && v.provisionedConcurrency !== undefined);
    if (!(a.enabled ?? (!endpoint.isServerless || provisioned))) return [];
    const cooldowns = { scaleInCooldown: a.scaleInCooldown, scaleOutCooldown: a.scaleOutCooldown };
    // Variants the caller autoscaled on a finished endpoint keep their own policies.
    return endpoint.variants.filter((v) => !v.shadow && !v.hostsInferenceComponents && VariantAutoScaling.of(endpoint, v.variantName) === undefined).map((v) => {
      const s = new VariantAutoScaling(this, `Scaling${v.variantName}`, {
        endpoint,
        variantName: v.variantName,
        minCapacity: a.minCapacity ?? (endpoint.isAsync ? 0 : undefined),
        maxCapacity: a.maxCapacity ?? (v.serverless ? (v.maxConcurrency ?? 20) : Math.max(4, v.initialInstanceCount ?? 1)),
      });
      if (v.serverless) {
        s.scaleOnProvisionedConcurrency('ProvisionedConcurrency', { targetUtilization: a.targetProvisionedConcurrencyUtilization, ...cooldowns });
      } else if (endpoint.isAsync) {
        s.scaleOnBacklog('Backlog', { targetBacklogPerInstance: a.targetBacklogPerInstance ?? 5, ...cooldowns });
      } else {
        const anyOther = a.targetConcurrentRequests ?? a.targetCpuUtilizationPercent ?? a.targetGpuUtilizationPercent;
        const invocations = a.targetInvocationsPerInstancePerMinute ?? (anyOther === undefined ? 1000 : undefined);
        if (invocations !== undefined) s.scaleOnInvocations('Invocations', { targetInvocationsPerInstancePerMinute: invocations, ...cooldowns });
        if (a.targetConcurrentRequests !== undefined) s.scaleOnConcurrentRequests('ConcurrentRequests', { targetConcurrentRequests: a.targetConcurrentRequests, ...cooldowns });
        if (a.targetCpuUtilizationPercent !== undefined) s.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: a.targetCpuUtilizationPercent, ...cooldowns });
        if (a.targetGpuUtilizationPercent !== undefined) s.scaleOnGpuUtilization('Gpu', { targetUtilizationPercent: a.targetGpuUtilizationPercent, ...cooldowns });
      }
      (a.schedules ?? []).forEach((sched, i) => s.scaleOnSchedule(`Schedule${i}`, sched));
      return s;
    });
  }

  private newFeedbackKey(): secretsmanager.ISecret {
    const encryptionKey = new kms.Key(this, 'FeedbackKeyEncryption', {
      description: `Encrypts the prediction-token key of ${this.node.path}`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const secret = new secretsmanager.Secret(this, 'FeedbackKey', {
      description: `Signs the prediction tokens of ${this.node.path} (labels through /invocations)`,
      encryptionKey,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const reason = 'the key signs prediction tokens that stay valid for SERVINGSTACK_FEEDBACK_TOKEN_TTL_SECONDS; a rotation Lambda would invalidate the tokens of every answer in flight, and the runtime reads the key once at start: rotate by a new secret version and a redeploy';
    for (const id of ['AwsSolutions-SMG4', 'NIST.800.53.R5-SecretsManagerRotationEnabled', 'HIPAA.Security-SecretsManagerRotationEnabled']) Validations.of(secret).acknowledge({ id, reason });
    return secret;
  }

  private watchQuality(props: ServingEndpointProps): ModelQualityMonitoring | undefined {
    const first = this.models[0];
    const monitored = first?.isServingStackRuntime === true && first.manifest !== undefined && first.baselineFeatures !== undefined;
    const mq = props.modelQuality ?? {};
    if (!(mq.enabled ?? monitored)) return undefined;
    const modelName = first?.manifest?.name;
    if (!modelName) {
      throw new ServingStackError(AwsErrorCodes.MONITORING, `ServingEndpoint at ${this.node.path} is invalid`, [
        { field: 'modelQuality.enabled', message: 'needs a model package whose manifest is known at synth', received: true, allowed: 'ModelData.fromAsset(<package dir>) with a baseline, or modelQuality.enabled false' },
      ]);
    }
    return new ModelQualityMonitoring(this, 'ModelQuality', {
      modelName,
      endpointName: this.endpoint.endpointName,
      alarmTopic: this.monitoring.alarmTopic,
      thresholds: mq.thresholds,
      retraining: mq.retraining,
      features: first.baselineFeatures,
      dashboard: this.monitoring.dashboard,
    });
  }
}
