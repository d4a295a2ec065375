import { Duration, Environment, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { Construct } from 'constructs';
import { ServingStackError } from '../../../lib/core/errors';
import { ContainerImage } from '../container-image';
import { ModelRegistry } from '../model-registry';
import { AwsErrorCodes } from '../errors';
import { Checker } from '../private/errors';
import { SecureBucket } from '../secure-bucket';
import { ServingEndpointOptions } from '../serving-endpoint-options';
import { acknowledgePipeline } from './pipeline-acknowledgements';
import { ApprovalGate, PipelineSource } from './pipeline-parts';
import { ServingStage } from './serving-stage';


/** One production deployment target (an account, or a region holding a replica of the registry bucket). */
export interface ProductionTarget {
  /** Stage name, e.g. `Prod-EU`. */
  readonly stageName: string;
  /**
   * @default - the pipeline's environment
   */
  readonly env?: Environment;
}

/** The post-deploy integration test against the staging endpoint (`servingstack endpoint-test`). */
export interface DeliveryIntegrationTestOptions {
  /** @default 50 */
  readonly requests?: number;
  /** @default Duration.seconds(1) */
  readonly maxP99Latency?: Duration;
  /**
   * Labelled holdout set, a path in the repository: the accuracy is checked against the
   * manifest's `lineage.metrics.accuracy`.
   * @default - no accuracy check
   */
  readonly holdoutFile?: string;
  /** @default 'label' */
  readonly labelColumn?: string;
  /** @default 0.02 */
  readonly accuracyTolerance?: number;
}

/** Properties of {@link ModelDeliveryPipeline}. */
export interface ModelDeliveryPipelineProps {
  /** The repository holding the app and the model package. */
  readonly source: PipelineSource;
  /** Directory of the model package in the repository. */
  readonly modelPackageDirectory: string;
  /** The registry (in this stack) versions are registered in. Its bucket needs a literal name. */
  readonly registry: ModelRegistry;
  /** The gate in front of production: `ApprovalGate.manual()` or `ApprovalGate.registry()`. Required. */
  readonly approval: ApprovalGate;
  /** Production targets, deployed in one wave after the gate (more waves: `addProductionWave`). */
  readonly production: readonly ProductionTarget[];
  /**
   * Staging environment.
   * @default - the pipeline's environment
   */
  readonly stagingEnv?: Environment;
  /**
   * The endpoint every stage deploys.
   * @default - ServingEndpoint defaults
   */
  readonly endpoint?: ServingEndpointOptions;
  /** @default - 50 requests, p99 ≤ 1 s, no accuracy check */
  readonly integrationTest?: DeliveryIntegrationTestOptions;
  /** @default ['npm ci'] */
  readonly installCommands?: readonly string[];
  /** @default ['npm test'] */
  readonly testCommands?: readonly string[];
  /** @default 'npx cdk synth' */
  readonly synthCommand?: string;
  /**
   * Serving image recorded with registered versions (endpoints run their own runtime image).
   * @default - the ServingStack runtime image built as an asset of this stack
   */
  readonly registrationImageUri?: string;
  /** @default - generated */
  readonly pipelineName?: string;
}

/**
 * Model delivery on CDK Pipelines: source → build (install, test, `servingstack package`, then
 * `servingstack register` uploads the archive into the registry bucket and creates the version,
 * pending approval, and `cdk synth` pins the stages to it) → staging (the serving stack with that
 * version) → post-deploy integration test against the staging endpoint → approval gate →
 * production waves. Model archives travel as S3 references, never in the cloud assembly (no
 * CodePipeline artifact limit), and production stacks refuse, at deploy time, a version that is
 * not approved. A pipeline without a gate in front of any production stage fails synth.
 */
export class ModelDeliveryPipeline extends Construct {
  /** Context key the synth step sets to the version it registered (`-c servingstack:modelPackageArn=…`). */
  public static readonly MODEL_VERSION_CONTEXT = 'servingstack:modelPackageArn';

  public readonly pipeline: pipelines.CodePipeline;
  public readonly staging: ServingStage;
  private readonly productionStages: ServingStage[] = [];
  /** The version this synth was pinned to ('' without the context). */
  public readonly modelPackageArn: string;
  private readonly props: ModelDeliveryPipelineProps;
  private readonly gateSteps = new Set<pipelines.Step>();
  private waveCount = 0;

  constructor(scope: Construct, id: string, props: ModelDeliveryPipelineProps) {
    super(scope, id);
    if (!props.approval) {
      throw new ServingStackError(AwsErrorCodes.PIPELINE_APPROVAL, `ModelDeliveryPipeline at ${this.node.path} deploys to production without approval`, [
        { field: 'approval', message: 'is required: only approved model versions reach production', received: props.approval ?? null, allowed: 'ApprovalGate.manual() | ApprovalGate.registry()' },
      ]);
    }
    this.props = props;
    const stack = Stack.of(this);
    const checker = new Checker(this, 'ModelDeliveryPipeline', AwsErrorCodes.PIPELINE);
    checker.check(props.production.length > 0, { field: 'production', message: 'needs at least one target', received: [], allowed: '[{ stageName, env }]' });
    checker.check(!Token.isUnresolved(props.registry.artifactBucketName), {
      field: 'registry.artifactBucket', message: 'has a name known only at deploy time; the stages name the bucket at synth', received: 'a generated bucket name', allowed: "new ModelRegistry(this, 'Registry', { artifactBucketName: '<globally unique name>' })",
    });
    checker.check(!/^\/|\.\./.test(props.modelPackageDirectory), { field: 'modelPackageDirectory', message: 'must be a path inside the repository', received: props.modelPackageDirectory, allowed: 'a relative path without ..' });
    this.checkRegions('production', props.production.map((t) => t.env), checker);
    this.checkRegions('stagingEnv', [props.stagingEnv], checker);
    const names = props.production.map((t) => t.stageName);
    checker.check(new Set(names).size === names.length && !names.includes('Staging'), { field: 'production[].stageName', message: 'must be unique and not Staging', received: names, allowed: 'distinct names' });
    checker.throwIfAny();

    const arn = this.node.tryGetContext(ModelDeliveryPipeline.MODEL_VERSION_CONTEXT);
    this.modelPackageArn = typeof arn === 'string' ? arn : '';
    const dir = props.modelPackageDirectory;
    const registry = props.registry;
    const image = props.registrationImageUri ?? ContainerImage.fromRuntimeAsset().bind(this).imageUri;

    const synth = new pipelines.CodeBuildStep('Build', {
      input: props.source.fileSet,
      installCommands: [...(props.installCommands ?? ['npm ci'])],
      commands: [
        ...(props.testCommands ?? ['npm test']),
        `npx servingstack package ${dir} -o model.tar.gz`,
        `npx servingstack register ${dir} -o model-version.json`,
        `${props.synthCommand ?? 'npx cdk synth'} -c ${ModelDeliveryPipeline.MODEL_VERSION_CONTEXT}="$(node -p "require('./model-version.json').modelPackageArn")"`,
      ],
      env: { SERVINGSTACK_REGISTRY_GROUP: registry.group.modelPackageGroupName, SERVINGSTACK_REGISTRY_BUCKET: registry.artifactBucketName, SERVINGSTACK_REGISTRY_IMAGE: image },
      // The build registers the version: write under the registry prefix, create versions of the group.
      rolePolicyStatements: registry.registerStatements(),
      primaryOutputDirectory: 'cdk.out',
    });
    // The pipeline's artifacts: KMS (a customer key, so other accounts can read them), TLS-only,
    // versioned, access-logged. Model archives never land here: they are in the registry bucket.
    const artifacts = new SecureBucket(this, 'Artifacts', { removalPolicy: RemovalPolicy.RETAIN });
    this.pipeline = new pipelines.CodePipeline(this, 'Pipeline', {
      pipelineName: props.pipelineName,
      synth,
      artifactBucket: artifacts.bucket,
      dockerEnabledForSynth: false,
      publishAssetsInParallel: false,
    });

    this.staging = this.stage('Staging', props.stagingEnv, false);
    const t = props.integrationTest ?? {};
    const testArgs = [
      `--endpoint "$ENDPOINT_NAME"`,
      `--requests ${t.requests ?? 50}`,
      `--max-p99-ms ${(t.maxP99Latency ?? Duration.seconds(1)).toMilliseconds()}`,
      ...(t.holdoutFile ? [`--holdout ${t.holdoutFile}`, `--label-column ${t.labelColumn ?? 'label'}`, `--accuracy-tolerance ${t.accuracyTolerance ?? 0.02}`] : []),
    ];
    const stagingEnv = this.staging.stack;
    const integrationTest = new pipelines.CodeBuildStep('IntegrationTest', {
      input: props.source.fileSet,
      installCommands: [...(props.installCommands ?? ['npm ci'])],
      envFromCfnOutputs: { ENDPOINT_NAME: this.staging.endpointNameOutput },
      commands: [`npx servingstack endpoint-test ${dir} ${testArgs.join(' ')}`],
      rolePolicyStatements: [new iam.PolicyStatement({
        actions: ['sagemaker:InvokeEndpoint'],
        resources: [stack.formatArn({ service: 'sagemaker', account: stagingEnv.account, region: stagingEnv.region, resource: 'endpoint', resourceName: this.staging.endpointName.toLowerCase() })],
      })],
    });
    this.pipeline.addStage(this.staging, { post: [integrationTest] });
    this.addProductionWave('Production', props.production);
    this.node.addValidation({ validate: () => this.validateGates() });
    acknowledgePipeline(this);
  }

  /** The production stages, wave by wave. */
  public get production(): readonly ServingStage[] {
    return [...this.productionStages];
  }

  /** Another production wave (e.g. a second region or a second set of accounts), behind its own gate. */
  public addProductionWave(waveId: string, targets: readonly ProductionTarget[]): pipelines.Wave {
    const checker = new Checker(this, 'ModelDeliveryPipeline', AwsErrorCodes.PIPELINE);
    checker.check(targets.length > 0, { field: `${waveId}.targets`, message: 'needs at least one target', received: [], allowed: '[{ stageName, env }]' });
    this.checkRegions(waveId, targets.map((x) => x.env), checker);
    checker.throwIfAny();
    const gate = this.props.approval.steps(`${waveId}Gate${this.waveCount++ || ''}`, { modelPackageArn: this.modelPackageArn, versionArnPattern: this.props.registry.group.modelPackageArnPattern });
    gate.forEach((s) => this.gateSteps.add(s));
    // Steps of one wave run in order: approval, then marking the version approved.
    for (let i = 1; i < gate.length; i++) gate[i].addStepDependency(gate[i - 1]);
    const wave = this.pipeline.addWave(waveId, { pre: [...gate] });
    for (const target of targets) {
      const stage = this.stage(target.stageName, target.env, true);
      this.productionStages.push(stage);
      wave.addStage(stage);
    }
    return wave;
  }

  private stage(id: string, env: Environment | undefined, production: boolean): ServingStage {
    const registryStack = Stack.of(this.props.registry);
    return new ServingStage(this, id, {
      env,
      modelPackageGroupName: this.props.registry.group.modelPackageGroupName,
      artifactBucketName: this.props.registry.artifactBucketName,
      artifactKeyAccount: Token.isUnresolved(registryStack.account) ? undefined : registryStack.account,
      modelPackageArn: this.modelPackageArn || undefined,
      requireApproved: production,
      endpoint: this.props.endpoint,
    });
  }

  /** SageMaker reads model data from its own region: targets must be in the registry bucket's region. */
  private checkRegions(field: string, envs: Array<Environment | undefined>, checker: Checker): void {
    const region = Stack.of(this.props.registry).region;
    envs.forEach((env, i) => {
      if (!env?.region || Token.isUnresolved(region) || Token.isUnresolved(env.region)) return;
      checker.check(env.region === region, {
        field: `${field}[${i}].env.region`, message: 'is not the region of the registry bucket (SageMaker loads model data from its own region)', received: env.region, allowed: `${region} (another region needs a pipeline whose registry bucket is there)`,
      });
    });
  }

  /** Every stage deployed after staging, including ones added through `pipeline.addStage`, sits behind a gate. */
  private validateGates(): string[] {
    const errors: string[] = [];
    for (const wave of this.pipeline.waves) {
      for (const stage of wave.stages) {
        if (stage.stageName === this.staging.stageName) continue;
        const gated = [...wave.pre, ...stage.pre].some((s) => this.gateSteps.has(s));
        if (!gated) {
          errors.push(new ServingStackError(AwsErrorCodes.PIPELINE_APPROVAL, `stage ${stage.stageName} deploys after staging without an approval gate`, [
            { field: `waves.${wave.id}.pre`, message: 'has no approval gate in front of this stage', received: [...wave.pre, ...stage.pre].map((s) => s.id), allowed: 'ModelDeliveryPipeline.addProductionWave(), which puts the ApprovalGate in front' },
          ]).message);
        }
      }
    }
    return errors;
  }
}
