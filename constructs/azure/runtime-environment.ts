import { Construct } from 'constructs';
import { AzureServingStack } from './azure-serving-stack';
import type { IMlWorkspace } from './ml-workspace';
import { shortHash } from './private/naming';
import { AzapiResource, Token } from './private/binding';
import { ASSET_NAME, ASSET_NAME_ALLOWED, AzureErrorCodes, Checker } from './private/errors';
import { RuntimeContract, ServingProtocol } from '../../lib/core/contract/container';

/** Which runtime image an environment version runs. */
export interface RuntimeImageOptions {
  /**
   * Repository of the runtime image in the workspace's registry (built from this package's
   * Dockerfile and pushed with `docker push`; see the README).
   * @default 'servingstack-runtime'
   */
  readonly imageName?: string;
  /**
   * Image tag or `sha256:` digest. Use an immutable tag: an environment version is immutable.
   * @default 'latest'
   */
  readonly imageTag?: string;
  /**
   * A full image reference instead (another registry; pull access is then yours to grant).
   * @default - `<registry>.azurecr.io/<imageName>:<imageTag>`
   */
  readonly image?: string;
  /**
   * Environment name.
   * @default 'servingstack-runtime'
   */
  readonly environmentName?: string;
  /**
   * Environment version.
   * @default - derived from the image reference (a new image gets a new version)
   */
  readonly environmentVersion?: string;
}

export interface RuntimeEnvironmentProps extends RuntimeImageOptions {
  readonly workspace: IMlWorkspace;
}

/**
 * The runtime image as an Azure ML environment version with the `inferenceConfig` the managed
 * online endpoint probes and routes to: liveness `/`, readiness `/ready`, scoring `/score`, all
 * on the runtime's port.
 */
export class RuntimeEnvironment extends Construct {
  public readonly resource: AzapiResource;
  public readonly image: string;
  public readonly environmentName: string;
  public readonly environmentVersion: string;
  /** ARM ID of the environment version (what a deployment's `environmentId` names). */
  public readonly environmentId: string;

  constructor(scope: Construct, id: string, props: RuntimeEnvironmentProps) {
    super(scope, id);
    const stack = AzureServingStack.of(this);
    const imageName = props.imageName ?? 'servingstack-runtime';
    const imageTag = props.imageTag ?? 'latest';
    const c = new Checker(AzureErrorCodes.ENVIRONMENT, `RuntimeEnvironment at ${this.node.path} is invalid`, (v) => Token.isUnresolved(v));
    c.pattern('imageName', imageName, /^[a-z0-9]+(?:[._/-][a-z0-9]+)*$/, 'lower-case letters, digits and . _ / -');
    c.pattern('imageTag', imageTag, /^(?:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|sha256:[a-f0-9]{64})$/, 'a Docker tag (letters, digits, _ . -, at most 128) or sha256:<64 hex>');
    c.pattern('image', props.image, /^[a-z0-9.-]+(?::[0-9]+)?\/[a-z0-9._/-]+(?::[A-Za-z0-9_.-]{1,128}|@sha256:[a-f0-9]{64})$/, 'registry/repository:tag or registry/repository@sha256:<digest>');
    const image = props.image ?? `${props.workspace.registryLoginServer}/${imageName}${imageTag.startsWith('sha256:') ? `@${imageTag}` : `:${imageTag}`}`;
    const environmentName = props.environmentName ?? 'servingstack-runtime';
    const environmentVersion = props.environmentVersion ?? `i${shortHash(image)}`;
    c.pattern('environmentName', environmentName, ASSET_NAME, ASSET_NAME_ALLOWED);
    c.pattern('environmentVersion', environmentVersion, /^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$/, 'letters, digits, . _ -, at most 50 characters');
    c.throwIfAny();
    this.image = image;
    this.environmentName = environmentName;
    this.environmentVersion = environmentVersion;
    // The runtime's container contract (lib/core/contract): its port and its Azure ML routes.
    const route = (path: string): { path: string; port: number } => ({ path, port: RuntimeContract.PORT });
    const azure = ServingProtocol.AZURE_ML;
    this.resource = stack.resource(this, 'Resource', 'environmentVersion', {
      name: environmentVersion,
      parentId: `${props.workspace.workspaceId}/environments/${environmentName}`,
      body: {
        properties: {
          image,
          osType: 'Linux',
          inferenceConfig: { livenessRoute: route(azure.livenessPath), readinessRoute: route(azure.readinessPath), scoringRoute: route(azure.predictPath) },
          autoRebuild: 'Disabled',
          description: 'ServingStack runtime (Node.js + ONNX Runtime)',
          isAnonymous: false,
        },
      },
    });
    this.environmentId = this.resource.id;
  }
}
