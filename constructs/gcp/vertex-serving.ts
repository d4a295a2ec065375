import { Construct } from 'constructs';
import { TerraformOutput, Token } from '../cdktf/binding';
import { KmsCryptoKeyIamMember } from '../cdktf/google';
import { ModelManifest } from '../../lib/core/manifest';
import { loadModelPackageSync } from '../../lib/core/model-package';
import { DeploymentResources, DeploymentSpec, deploymentInputOf, resolveDeployment } from './deployment-resources';
import { EndpointNetworking } from './endpoint-networking';
import { FeedbackKey } from './feedback-key';
import { MachineType } from './machine-type';
import { ModelPackageBucket, ModelPackageBucketProps } from './model-package-bucket';
import { Checker, GCP_ERRORS, checkLabels } from './private/errors';
import { checkKmsKey } from './private/kms';
import { ROLLOUT_SETTINGS_KIND, ROLLOUT_SETTINGS_VERSION, RolloutPolicy, RolloutSettings, checkEnv, checkPolicy } from './rollout/settings';
import { RuntimeImageRepository, RuntimeImageRepositoryProps } from './runtime-image-repository';
import { MonitoringOptions, ServingMonitoring } from './serving-monitoring';
import { ServingServiceAccounts, ServingServiceAccountsProps } from './serving-service-accounts';
import { VertexEndpoint, VertexEndpointProps } from './vertex-endpoint';
import { VertexServingStack } from './vertex-serving-stack';

export interface VertexServingProps {
  /**
   * A model package directory (holding `servingstack.json`). It is checked at synth as on every
   * target (lib/core's package check: manifest, model and baseline files, the manifest's signature
   * against the ONNX file), and its manifest names the Model Registry model.
   * @default - none; then `modelId` is required
   */
  readonly modelPackage?: string;
  /**
   * Model Registry model ID the rollout uploads versions under.
   * @default - the manifest's `name`
   */
  readonly modelId?: string;
  /**
   * Machine, accelerators, replicas and autoscaling of every deployed version.
   * @default - n1-standard-4, 1 replica, no accelerator
   */
  readonly deployment?: DeploymentResources;
  /**
   * Canary share, bake time and error-rate gate of `servingstack gcp deploy`.
   * @default - 10 % canary, 600 s bake, roll back above 1 % errors (the shared rollout gate)
   */
  readonly rollout?: RolloutPolicy;
  /**
   * Name of the runtime image inside the repository.
   * @default 'servingstack-runtime'
   */
  readonly runtimeImageName?: string;
  /**
   * Tag of the runtime image the rollout deploys (override per run with `--image`).
   * @default 'latest'
   */
  readonly runtimeImageTag?: string;
  /**
   * Extra runtime environment variables (e.g. `SERVINGSTACK_WORKERS`); `AIP_*` are reserved.
   * @default - none
   */
  readonly runtimeEnvironment?: { readonly [name: string]: string };
  /**
   * Cloud KMS key (CMEK) for the bucket, repository, endpoint and uploaded models; must be in the
   * stack's region. Google's service agents get encrypt/decrypt on it (needs the stack's
   * `projectNumber`).
   * @default - Google-managed encryption
   */
  readonly kmsKeyName?: string;
  /**
   * Public (default), VPC peering or Private Service Connect.
   * @default EndpointNetworking.publicEndpoint()
   */
  readonly networking?: EndpointNetworking;
  /**
   * Further endpoint settings (ID, display name, request/response logging…).
   * @default - see VertexEndpointProps
   */
  readonly endpoint?: VertexEndpointProps;
  /**
   * Bucket settings.
   * @default - see ModelPackageBucketProps
   */
  readonly bucket?: ModelPackageBucketProps;
  /**
   * Image repository settings.
   * @default - see RuntimeImageRepositoryProps
   */
  readonly repository?: RuntimeImageRepositoryProps;
  /**
   * Service account settings.
   * @default - see ServingServiceAccountsProps
   */
  readonly serviceAccounts?: ServingServiceAccountsProps;
  /**
   * Dashboard and alerts; `maxReplicaCount` defaults to the deployment's.
   * @default - see MonitoringOptions
   */
  readonly monitoring?: MonitoringOptions;
  /**
   * Labels on the uploaded model versions.
   * @default - none
   */
  readonly modelLabels?: { readonly [key: string]: string };
  /**
   * Write the rollout settings as a Terraform output (read by `servingstack gcp deploy --outputs`).
   * @default false
   */
  readonly registerOutputs?: boolean;
  /**
   * Create the prediction-token HMAC key in Secret Manager (readable by the runtime identity on
   * that secret only) and pass its version to the runtime as `SERVINGSTACK_FEEDBACK_KEY_GCP_SECRET`,
   * so labels sent to any replica through the predict route can be scored. False: no key (labels
   * need the request-id path, one replica).
   * @default true
   */
  readonly feedbackKey?: boolean;
}

/**
 * The complete Vertex AI serving stack for one model: runtime image repository, model package
 * bucket, runtime and deployer service accounts with least-privilege bindings, the endpoint,
 * dashboard and alerts, CMEK where supported, and (opt-in) the output `servingstack gcp deploy`
 * reads. Terraform cannot upload or deploy custom models; the rollout command does that.
 */
export class VertexServing extends Construct {
  public readonly repository: RuntimeImageRepository;
  public readonly bucket: ModelPackageBucket;
  public readonly serviceAccounts: ServingServiceAccounts;
  public readonly endpoint: VertexEndpoint;
  public readonly monitoring: ServingMonitoring;
  public readonly deploymentSpec: DeploymentSpec;
  /** The rollout settings (also the output's value when `registerOutputs` is set). */
  public readonly rolloutSettings: RolloutSettings;
  public readonly manifest?: ModelManifest;
  /** The prediction-token key (unless `feedbackKey` is false). */
  public readonly feedbackKey?: FeedbackKey;

  constructor(scope: Construct, id: string, props: VertexServingProps = {}) {
    super(scope, id);
    const stack = VertexServingStack.of(this);
    const manifest = props.modelPackage !== undefined ? loadModelPackageSync(props.modelPackage).manifest : undefined;
    this.manifest = manifest;
    const c = new Checker(GCP_ERRORS.DEPLOYMENT, `VertexServing at ${this.node.path} is invalid`, (v) => Token.isUnresolved(v));
    const modelId = props.modelId ?? manifest?.name;
    if (c.check(modelId !== undefined, { field: 'modelId', message: 'is required without a modelPackage', allowed: 'a model ID, or modelPackage' })) {
      c.pattern('modelId', modelId, /^[a-z][a-z0-9_-]{0,62}$/, 'lower-case letters, digits, _ and -, starting with a letter, at most 63 characters');
    }
    const deployment = props.deployment ?? { machineType: MachineType.N1_STANDARD_4 };
    const spec = resolveDeployment(deploymentInputOf(deployment), c, 'deployment');
    const policy = props.rollout ?? {};
    checkPolicy(c, policy, 'rollout');
    checkEnv(c, props.runtimeEnvironment, 'runtimeEnvironment');
    checkLabels(c, 'modelLabels', props.modelLabels);
    checkKmsKey(c, 'kmsKeyName', props.kmsKeyName, stack.region);
    if (props.kmsKeyName !== undefined) {
      c.check(stack.projectNumber !== undefined, { field: 'kmsKeyName', message: "needs the stack's projectNumber to grant Google's service agents use of the key", received: props.kmsKeyName, allowed: 'set VertexServingStackProps.projectNumber' });
    }
    const imageName = props.runtimeImageName ?? 'servingstack-runtime';
    const imageTag = props.runtimeImageTag ?? 'latest';
    c.pattern('runtimeImageName', imageName, /^[a-z0-9]+([._/-][a-z0-9]+)*$/, 'lower-case letters, digits and . _ / -');
    c.pattern('runtimeImageTag', imageTag, /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, 'a Docker tag: letters, digits, _ . -, at most 128 characters');
    c.throwIfAny();
    this.deploymentSpec = spec;

    const kms = props.kmsKeyName;
    if (kms !== undefined) {
      const agents = {
        Storage: `service-${stack.projectNumber}@gs-project-accounts.iam.gserviceaccount.com`,
        ArtifactRegistry: `service-${stack.projectNumber}@gcp-sa-artifactregistry.iam.gserviceaccount.com`,
        VertexAi: `service-${stack.projectNumber}@gcp-sa-aiplatform.iam.gserviceaccount.com`,
      };
      for (const [name, email] of Object.entries(agents)) {
        new KmsCryptoKeyIamMember(this, `Kms${name}Agent`, { cryptoKeyId: kms, role: 'roles/cloudkms.cryptoKeyEncrypterDecrypter', member: `serviceAccount:${email}` });
      }
    }
    this.repository = new RuntimeImageRepository(this, 'Repository', { kmsKeyName: kms, ...props.repository });
    this.bucket = new ModelPackageBucket(this, 'Bucket', { kmsKeyName: kms, ...props.bucket });
    this.serviceAccounts = new ServingServiceAccounts(this, 'Identity', props.serviceAccounts);
    // Images are pulled by the Vertex AI service agent, whose project role covers same-project
    // repositories; the runtime identity needs no Artifact Registry access.
    this.bucket.grantRead('RuntimeReadsPackages', this.serviceAccounts.runtimeMember);
    this.bucket.grantRead('DeployerReadsPackages', this.serviceAccounts.deployerMember);
    this.bucket.grantCreate('DeployerCreatesPackages', this.serviceAccounts.deployerMember);
    this.endpoint = new VertexEndpoint(this, 'Endpoint', {
      displayName: manifest?.name ?? id,
      kmsKeyName: kms,
      networking: props.networking,
      ...props.endpoint,
    });
    this.monitoring = new ServingMonitoring(this, 'Monitoring', {
      maxReplicaCount: spec.maxReplicaCount > spec.minReplicaCount ? spec.maxReplicaCount : undefined,
      ...props.monitoring,
      endpointId: this.endpoint.endpointId,
    });
    if (props.feedbackKey ?? true) {
      this.feedbackKey = new FeedbackKey(this, 'FeedbackKey', { secretId: `servingstack-feedback-key-${modelId!}`, reader: this.serviceAccounts.runtimeMember });
    }
    // Defaults under the user's environment: the verdict lines the log-based metrics read, the key.
    const env: Record<string, string> = {};
    if (props.monitoring?.modelQualityMonitoring ?? true) env.SERVINGSTACK_EMF = 'true';
    if (this.feedbackKey) env.SERVINGSTACK_FEEDBACK_KEY_GCP_SECRET = this.feedbackKey.versionName;
    this.rolloutSettings = {
      kind: ROLLOUT_SETTINGS_KIND,
      schemaVersion: ROLLOUT_SETTINGS_VERSION,
      project: stack.project,
      region: stack.region,
      endpointId: this.endpoint.endpointId,
      modelId: modelId!,
      artifactPrefix: this.bucket.artifactPrefix,
      imageUri: `${this.repository.repositoryUrl}/${imageName}:${imageTag}`,
      runtimeServiceAccount: this.serviceAccounts.runtime.email,
      kmsKeyName: kms,
      deployment: deploymentInputOf(deployment),
      policy,
      env: { ...env, ...props.runtimeEnvironment },
      labels: props.modelLabels,
    };
    if (props.registerOutputs ?? false) {
      const out = new TerraformOutput(this, 'Rollout', {
        value: this.rolloutSettings,
        description: 'Settings for `servingstack gcp deploy --outputs` (cdktf output --json)',
      });
      out.overrideLogicalId(`${id.replace(/[^A-Za-z0-9_]/g, '_')}_rollout`);
    }
  }
}
