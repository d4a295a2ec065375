import { ArnFormat, Duration, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { CfnEndpoint } from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';
import { IssueCollector } from '../../lib/core/errors';
import { RolloutGateThresholds } from '../../lib/core/contract/thresholds';
import { DeploymentContext, DeploymentStrategy } from './deployment-strategy';
import { EndpointAttributes, EndpointBase, IEndpoint } from './endpoint-base';
import { EndpointConfig, EndpointConfigProps } from './endpoint-config';
import { EndpointVariant } from './endpoint-variant';
import { AwsErrorCodes } from './errors';
import { Checker } from './private/errors';
import { createGuardrailAlarms, guardrailAlarmNames, guardrailIssues } from './private/guardrail-alarms';
import { deterministicName } from './private/names';
import { checkConfigProps } from './private/variant-checks';
import { InstanceVariantProps, ProductionVariant, ServerlessVariantProps } from './variant';

/**
 * Thresholds of the endpoint's guardrail alarms, which roll deployments back: the shared
 * rollout-gate vocabulary (`RolloutGateThresholds`, the same names, units and defaults as the
 * canary gates of every other target).
 */
export interface GuardrailAlarmOptions extends RolloutGateThresholds {
  /**
   * Period of the alarm metrics.
   * @default Duration.minutes(1)
   */
  readonly period?: Duration;
  /**
   * Periods evaluated (2–100); 2 of them must breach.
   * @default 3
   */
  readonly evaluationPeriods?: number;
}

/** Properties of {@link Endpoint}: its own, and those of the config it creates unless given one. */
export interface EndpointProps extends EndpointConfigProps {
  /**
   * Endpoint name. A fixed name lets alarms exist before the endpoint (guardrails need them).
   * The endpoint config name is always generated, so configs can be replaced.
   * @default - derived from the construct path
   */
  readonly endpointName?: string;
  /**
   * A finished endpoint config (then the config props stay unset; variants are still added
   * through the endpoint or the config).
   * @default - a new EndpointConfig from the config props, the construct's child `Default`
   */
  readonly endpointConfig?: EndpointConfig;
  /**
   * How updates roll out.
   * @default DeploymentStrategy.blueGreen() — all at once, 5 min bake, rollback on the guardrail
   * alarms; DeploymentStrategy.none() when the variants given here host inference components
   */
  readonly deployment?: DeploymentStrategy;
  /**
   * Guardrail alarm thresholds.
   * @default - p99 model latency 1000 ms, 5XX rate 1 % (the rollout-gate defaults), 2 of 3 one-minute periods
   */
  readonly guardrailAlarms?: GuardrailAlarmOptions;
  /**
   * Keep instance counts and weights across config updates, so autoscaled capacity survives deploys.
   * @default true
   */
  readonly retainVariantProperties?: boolean;
}

const CONFIG_PROPS: ReadonlyArray<keyof EndpointConfigProps> = ['variants', 'serverlessVariant', 'shadowVariant', 'asyncInference', 'dataCapture', 'encryptionKey', 'executionRole'];

/**
 * A SageMaker endpoint on its endpoint config: real-time instance variants (weighted A/B and a
 * shadow), serverless, or asynchronous; blue/green or rolling deployments with automatic rollback
 * on its own guardrail alarms; retained variant properties. Variants are added with the props or
 * the `add…Variant()` methods (also after construction) and come back as {@link EndpointVariant}s
 * with their metrics and autoscaling. Every rule that would fail in CloudFormation fails at synth.
 */
export class Endpoint extends EndpointBase {
  /** Import an endpoint by name (grants and metrics work on it). */
  public static fromEndpointName(scope: Construct, id: string, endpointName: string): IEndpoint {
    return Endpoint.fromEndpointAttributes(scope, id, { endpointName });
  }

  /** Import an endpoint by ARN. */
  public static fromEndpointArn(scope: Construct, id: string, endpointArn: string): IEndpoint {
    return Endpoint.fromEndpointAttributes(scope, id, { endpointArn });
  }

  /** Import an endpoint with the facts autoscaling and monitoring need (its variants, whether it is async). */
  public static fromEndpointAttributes(scope: Construct, id: string, attrs: EndpointAttributes): IEndpoint {
    const stack = Stack.of(scope);
    const name = attrs.endpointName ?? (attrs.endpointArn ? stack.splitArn(attrs.endpointArn, ArnFormat.SLASH_RESOURCE_NAME).resourceName : undefined);
    if (name === undefined) throw new Error(`Endpoint.fromEndpointAttributes at ${scope.node.path}/${id}: give endpointName or endpointArn`);
    class Import extends EndpointBase {
      public readonly endpointName = name!;
      public readonly endpointArn = attrs.endpointArn ?? endpointArnOf(stack, name!);
      public readonly variants: readonly ProductionVariant[] = [...(attrs.variants ?? [])];
      public readonly isAsync = attrs.isAsync ?? false;
      public readonly guardrailAlarms: readonly cw.IAlarm[] = [];
      public readonly encryptionKey = attrs.encryptionKey;
      public readonly executionRole = undefined;
    }
    return new Import(scope, id);
  }

  public readonly endpointName: string;
  public readonly endpointArn: string;
  /** The endpoint config (created here unless given). */
  public readonly endpointConfig: EndpointConfig;
  /** Alarms that roll deployments back (created before the endpoint, by fixed name). */
  public readonly guardrailAlarms: readonly cw.Alarm[];
  /** The deployment strategy. */
  public readonly deployment: DeploymentStrategy;
  /** The L1 resource. */
  public readonly resource: CfnEndpoint;
  private readonly guardrailNames: readonly string[];

  constructor(scope: Construct, id: string, props: EndpointProps = {}) {
    const name = props.endpointName ?? deterministicName(scope, id);
    super(scope, id, { physicalName: name });
    const checker = new Checker(this, 'Endpoint');
    checker.name('endpointName', name);
    const given = props.endpointConfig ? [] : checkConfigProps(checker, props);
    const clashing = CONFIG_PROPS.filter((k) => props[k] !== undefined);
    if (props.endpointConfig) {
      checker.check(clashing.length === 0, { field: clashing.join(', '), message: 'configure the endpoint config, which was given finished', received: clashing, allowed: 'endpointConfig alone, or the config props without it' }, AwsErrorCodes.ENDPOINT_CONFIG);
    }
    const g = props.guardrailAlarms ?? {};
    checker.addAll(guardrailIssues(g, (v) => checker.isUnresolved(v)), AwsErrorCodes.GUARDRAIL_ALARMS);
    checker.intRange('guardrailAlarms.evaluationPeriods', g.evaluationPeriods, 2, 100, '', AwsErrorCodes.GUARDRAIL_ALARMS);
    // Inference-component endpoints roll out per component (components carry their own
    // deployment policy), so the endpoint itself gets no guardrail config by default.
    const facts = props.endpointConfig ? props.endpointConfig.variants : given.map((r) => r.facts);
    const instances = facts.filter((v) => !v.shadow && !v.serverless);
    const icMode = instances.length > 0 && instances.every((v) => v.hostsInferenceComponents);
    this.deployment = props.deployment ?? (icMode ? DeploymentStrategy.none() : DeploymentStrategy.blueGreen());
    this.guardrailNames = this.deployment.autoRollback ? guardrailAlarmNames(this) : [];
    this.checkDeployment(checker, facts);
    checker.throwIfAny();

    this.endpointName = name;
    this.endpointArn = endpointArnOf(Stack.of(this), name);
    // The config as the child `Default`: its resources keep the logical IDs they had when the
    // endpoint created them itself.
    this.endpointConfig = props.endpointConfig ?? new EndpointConfig(this, 'Default', props);
    this.guardrailAlarms = this.guardrailNames.length > 0
      ? createGuardrailAlarms(this, { endpointName: name, isAsync: this.isAsync, productionVariantNames: () => this.variants.filter((v) => !v.shadow).map((v) => v.variantName) }, g)
      : [];
    const retain = props.retainVariantProperties ?? true;
    this.resource = new CfnEndpoint(this, 'Resource', {
      endpointName: name,
      endpointConfigName: this.endpointConfig.endpointConfigName,
      deploymentConfig: Lazy.any({ produce: () => this.renderDeployment() }),
      retainAllVariantProperties: retain,
      // Weights and counts survive, but a changed config must be able to change data capture.
      excludeRetainedVariantProperties: retain ? [{ variantPropertyType: 'DataCaptureConfig' }] : undefined,
    });
    this.node.defaultChild = this.resource;
    for (const alarm of this.guardrailAlarms) this.resource.node.addDependency(alarm);
  }

  /** Production variants, then the shadow variant, with their metrics and autoscaling. */
  public get variants(): readonly EndpointVariant[] {
    return this.endpointConfig.variants.map((v) => new EndpointVariant(this, v));
  }

  public get isAsync(): boolean {
    return this.endpointConfig.isAsync;
  }

  /** The key of volumes, capture and async output, when one is used. */
  public get encryptionKey(): kms.IKey | undefined {
    return this.endpointConfig.encryptionKey;
  }

  /** Execution role of the endpoint config (inference-component variants). */
  public get executionRole(): iam.IRole | undefined {
    return this.endpointConfig.executionRole;
  }

  /** Whether `KmsKeyId` was left off the endpoint config (local NVMe storage or serverless). */
  public get volumeKeyOmitted(): boolean {
    return this.endpointConfig.volumeKeyOmitted;
  }

  /** Async output location. */
  public get asyncOutputBucket(): s3.IBucket | undefined {
    return this.endpointConfig.asyncOutputBucket;
  }

  /** Data capture destination. */
  public get dataCaptureBucket(): s3.IBucket | undefined {
    return this.endpointConfig.dataCaptureBucket;
  }

  /** The variant named `variantName` (a production variant unless it is the shadow). */
  public findVariant(variantName: string): EndpointVariant {
    const found = this.variants.find((v) => v.variantName === variantName);
    if (!found) {
      const checker = new Checker(this, 'Endpoint', AwsErrorCodes.VARIANT_NOT_FOUND);
      checker.add({ field: 'variantName', message: 'is not a variant of the endpoint', received: variantName, allowed: this.variants.map((v) => v.variantName).join(' | ') || 'none added yet' });
      checker.throwIfAny();
    }
    return found!;
  }

  /** Add an instance-backed production variant (checked now, rendered at synth). */
  public addInstanceVariant(props: InstanceVariantProps): EndpointVariant {
    return this.added(() => this.endpointConfig.addInstanceVariant(props), { ...props, shadow: false });
  }

  /** Add the serverless variant. */
  public addServerlessVariant(props: ServerlessVariantProps): EndpointVariant {
    return this.added(() => this.endpointConfig.addServerlessVariant(props), { variantName: props.variantName ?? 'AllTraffic', serverless: true });
  }

  /** Add the shadow variant. */
  public addShadowVariant(props: InstanceVariantProps): EndpointVariant {
    return this.added(() => this.endpointConfig.addShadowVariant(props), { ...props, shadow: true });
  }

  /** Check the deployment against the variants with the one to come, then add it to the config. */
  private added(add: () => ProductionVariant, next: Partial<ProductionVariant> & { readonly instanceType?: ProductionVariant['instanceType'] }): EndpointVariant {
    const checker = new Checker(this, 'Endpoint');
    const upcoming: ProductionVariant = { variantName: next.variantName ?? 'AllTraffic', initialInstanceCount: next.serverless ? undefined : (next.initialInstanceCount ?? 1), ...next };
    this.checkDeployment(checker, [...this.endpointConfig.variants, upcoming]);
    checker.throwIfAny();
    return new EndpointVariant(this, add());
  }

  private checkDeployment(checker: Checker, variants: readonly ProductionVariant[]): void {
    const issues = new IssueCollector();
    this.deployment._render(deploymentContext(variants), this.guardrailNames, issues);
    checker.addAll(issues.issues, AwsErrorCodes.DEPLOYMENT);
    const shift = this.deployment.trafficShift;
    if (variants.some((v) => v.instanceType?.isInf1) && shift && shift.type !== 'ALL_AT_ONCE') {
      checker.add({ field: 'deployment.trafficShift', message: 'Inf1 endpoints fall back to all-at-once without baking', received: shift.type, allowed: 'TrafficShift.allAtOnce() or an instance type other than ml.inf1' }, AwsErrorCodes.DEPLOYMENT);
    }
  }

  private renderDeployment(): CfnEndpoint.DeploymentConfigProperty | undefined {
    const checker = new Checker(this, 'Endpoint');
    const issues = new IssueCollector();
    const rendered = this.deployment._render(deploymentContext(this.endpointConfig.variants), this.guardrailNames, issues);
    checker.addAll(issues.issues, AwsErrorCodes.DEPLOYMENT);
    checker.throwIfAny();
    return rendered;
  }
}

function endpointArnOf(stack: Stack, name: string): string {
  return stack.formatArn({ service: 'sagemaker', resource: 'endpoint', resourceName: Token.isUnresolved(name) ? name : name.toLowerCase() });
}

function deploymentContext(variants: readonly ProductionVariant[]): DeploymentContext {
  const production = variants.filter((v) => !v.shadow);
  const counts = production.map((v) => v.initialInstanceCount).filter((c): c is number => c !== undefined);
  return {
    serverless: production.some((v) => v.serverless),
    variantCount: production.length,
    minInstanceCount: counts.length > 0 ? Math.min(...counts) : undefined,
    inf1: variants.some((v) => v.instanceType?.isInf1 === true),
  };
}
