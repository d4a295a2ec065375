import { Construct } from 'constructs';
import { AzureServingStack } from './azure-serving-stack';
import type { EndpointAuthModeValue as AuthModeValue, EndpointTrafficBody } from './azapi/bodies';
import type { IMlWorkspace } from './ml-workspace';
import type { OnlineDeployment } from './online-deployment';
import { AzapiResource, AzapiUpdateResource, Lazy, Token, addDependsOn } from './private/binding';
import { AzureErrorCodes, Checker, checkOnlineName, checkTags } from './private/errors';
import { validateTraffic } from './traffic';

/** How callers authenticate to the endpoint. */
export class EndpointAuthMode {
  /** Microsoft Entra ID tokens; callers need the `onlineEndpoints/score/action` permission. */
  public static readonly ENTRA_ID = new EndpointAuthMode('AADToken');
  /** Azure ML tokens (expire; fetched with `az ml online-endpoint get-credentials`). */
  public static readonly AML_TOKEN = new EndpointAuthMode('AMLToken');
  /** Static keys (never expire; rotate them yourself). */
  public static readonly KEY = new EndpointAuthMode('Key');
  private constructor(public readonly value: AuthModeValue) {}
}

/** Who owns the traffic split after the first apply. */
export class TrafficOwner {
  /**
   * `servingstack azure promote|rollback` (the default): Terraform sets the first split and then
   * ignores `body` changes of the traffic update, so an apply never undoes a rollout.
   */
  public static readonly ROLLOUT = new TrafficOwner('rollout');
  /** Terraform: every apply sets the split declared here. */
  public static readonly TERRAFORM = new TrafficOwner('terraform');
  private constructor(public readonly value: 'rollout' | 'terraform') {}
}

export interface OnlineEndpointProps {
  readonly workspace: IMlWorkspace;
  /**
   * Endpoint name: unique in the region (it is the scoring host name).
   * @default - the construct ID, lower case
   */
  readonly endpointName?: string;
  /**
   * Caller authentication.
   * @default EndpointAuthMode.ENTRA_ID
   */
  readonly authMode?: EndpointAuthMode;
  /**
   * ARM ID of the user-assigned identity the endpoint's deployments run as (pulls the image,
   * reads the model, writes metrics).
   */
  readonly identityId: string;
  /**
   * Who owns the traffic split after the first apply.
   * @default TrafficOwner.ROLLOUT
   */
  readonly trafficOwner?: TrafficOwner;
  /**
   * Description.
   * @default - none
   */
  readonly description?: string;
  /**
   * Tags.
   * @default - the provider's default tags only
   */
  readonly tags?: { readonly [key: string]: string };
}

/**
 * A managed online endpoint. Deployments are added with `addDeployment` (or `new
 * OnlineDeployment`); the traffic and mirror split are written after they exist, by an
 * `azapi_update_resource` that depends on every deployment (Azure rejects traffic to a
 * deployment that does not exist yet). The split is validated at synth: whole percentages of
 * this endpoint's deployments summing to 100, at most one mirror target at most 50 %, and no
 * deployment both live and mirrored.
 */
export class OnlineEndpoint extends Construct {
  public readonly resource: AzapiResource;
  public readonly endpointName: string;
  /** ARM ID of the endpoint. */
  public readonly endpointId: string;
  public readonly workspace: IMlWorkspace;
  public readonly authMode: EndpointAuthMode;
  private readonly deployments: OnlineDeployment[] = [];
  private traffic?: Record<string, number>;
  private mirror: Record<string, number> = {};
  private trafficUpdate?: AzapiUpdateResource<EndpointTrafficBody>;
  private readonly trafficOwner: TrafficOwner;

  constructor(scope: Construct, id: string, props: OnlineEndpointProps) {
    super(scope, id);
    const stack = AzureServingStack.of(this);
    const endpointName = props.endpointName ?? id.toLowerCase();
    const c = new Checker(AzureErrorCodes.ENDPOINT, `OnlineEndpoint at ${this.node.path} is invalid`, (v) => Token.isUnresolved(v));
    checkOnlineName(c, 'endpointName', endpointName);
    checkTags(c, 'tags', props.tags);
    c.check(props.description === undefined || props.description.length <= 1024, { field: 'description', message: 'is too long', received: props.description?.length, allowed: 'at most 1024 characters' });
    c.throwIfAny();
    this.endpointName = endpointName;
    this.workspace = props.workspace;
    this.authMode = props.authMode ?? EndpointAuthMode.ENTRA_ID;
    this.trafficOwner = props.trafficOwner ?? TrafficOwner.ROLLOUT;
    this.resource = stack.resource(this, 'Resource', 'onlineEndpoint', {
      name: endpointName,
      parentId: props.workspace.workspaceId,
      location: stack.location,
      tags: props.tags,
      identity: { type: 'UserAssigned', identityIds: [props.identityId] },
      body: {
        properties: {
          authMode: this.authMode.value,
          description: props.description,
          publicNetworkAccess: props.workspace.networking.publicNetworkAccess,
        },
      },
      responseExportValues: ['properties.scoringUri'],
    });
    this.endpointId = this.resource.id;
  }

  /** The HTTPS scoring URI (known after apply). */
  public get scoringUri(): string {
    return this.resource.output('properties.scoringUri');
  }

  /** Deployments of this endpoint, in the order they were added. */
  public get deploymentNames(): readonly string[] {
    return this.deployments.map((d) => d.deploymentName);
  }

  /** @internal called by OnlineDeployment. */
  public _registerDeployment(deployment: OnlineDeployment): void {
    this.deployments.push(deployment);
    addDependsOn(this.trafficUpdateResource(), deployment.resource);
  }

  /**
   * Live traffic per deployment name, whole percentages summing to 100.
   * @default - 100 % to the first deployment
   */
  public setTraffic(split: { readonly [deployment: string]: number }): void {
    this.traffic = { ...split };
  }

  /** Copy a share of live traffic (≤ 50 %) to one deployment that takes no live traffic. */
  public mirrorTraffic(split: { readonly [deployment: string]: number }): void {
    this.mirror = { ...split };
  }

  private trafficUpdateResource(): AzapiUpdateResource<EndpointTrafficBody> {
    if (!this.trafficUpdate) {
      const stack = AzureServingStack.of(this);
      this.trafficUpdate = stack.update<'onlineEndpoint', EndpointTrafficBody>(this, 'Traffic', 'onlineEndpoint', {
        resourceId: this.endpointId,
        body: Lazy.anyValue({ produce: () => this.renderTraffic() }),
        lifecycle: this.trafficOwner === TrafficOwner.ROLLOUT ? { ignoreChanges: ['body'] } : undefined,
      });
    }
    return this.trafficUpdate;
  }

  private renderTraffic(): EndpointTrafficBody {
    const names = this.deploymentNames;
    const traffic = this.traffic ?? (names.length > 0 ? { [names[0]!]: 100 } : {});
    const c = new Checker(AzureErrorCodes.TRAFFIC, `OnlineEndpoint at ${this.node.path} has an invalid traffic split`);
    validateTraffic(c, traffic, this.mirror, names);
    c.throwIfAny();
    const full = Object.fromEntries(names.map((n) => [n, traffic[n] ?? 0]));
    return { properties: { traffic: full, mirrorTraffic: { ...this.mirror } } };
  }
}
