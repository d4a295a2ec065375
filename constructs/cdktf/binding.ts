/**
 * The one module that imports CDK for Terraform (`cdktf`).
 *
 * Every Terraform-based target (constructs/gcp, constructs/onprem, constructs/azure) imports cdktf
 * classes from here and nowhere else, so moving to the CDK Terrain fork (`cdktn`) is a change to
 * this folder only. The prebuilt providers sit beside it, one module per provider package
 * (`google.ts`, `kubernetes.ts`), so that a target loads only its own provider: a GCP user
 * installs no Kubernetes provider, an on-prem user not the 307 MB Google one.
 */

// --- cdktf core ---------------------------------------------------------------------------------
export { App, TerraformStack, TerraformOutput, TerraformVariable, TerraformLocal, Fn, Token, Lazy, Testing, Aspects, Annotations, LocalBackend } from 'cdktf';
export type { IAspect, TerraformResource, TerraformElement } from 'cdktf';

// --- azapi (constructs/azure) -------------------------------------------------------------------
// No prebuilt CDKTF binding exists for the azapi provider (`@cdktf/provider-azapi` was never
// published), so these classes (provider, two resources, one data source) are our own, over cdktf's TerraformProvider and
// TerraformResource. They write the attributes of azapi 2.x (body is a dynamic object, not a
// jsonencode string; Azure/terraform-provider-azapi#683). The typed bodies and the API version
// of each resource type live in constructs/azure/azapi/ (no cdktf import there).
import { TerraformDataSource as CdktfDataSource, TerraformProvider as CdktfProvider, TerraformResource as CdktfResource } from 'cdktf';
import type { Construct as CdktfConstruct } from 'constructs';
import type { IResolvable, ITerraformDependable, TerraformResourceLifecycle } from 'cdktf';
export type { IResolvable, ITerraformDependable, TerraformResourceLifecycle };

/** The azapi provider this binding targets: `Azure/azapi`, pinned exactly. */
export const AZAPI_PROVIDER_SOURCE = 'Azure/azapi';
export const AZAPI_PROVIDER_VERSION = '2.13.0';

export interface AzapiProviderConfig {
  /** Subscription ID (a value, or a variable reference). @default - ARM_SUBSCRIPTION_ID / the CLI default */
  readonly subscriptionId?: string;
  /** Entra tenant ID. @default - ARM_TENANT_ID / the CLI default */
  readonly tenantId?: string;
  /** Authenticate with OIDC (CI workload identity federation). @default - provider default */
  readonly useOidc?: boolean;
  /** Authenticate with a managed identity. @default - provider default */
  readonly useMsi?: boolean;
  /** Authenticate with the Azure CLI. @default - provider default */
  readonly useCli?: boolean;
  /** Location of resources that take one and set none. @default - none */
  readonly defaultLocation?: string;
  /** Tags merged into every resource that takes tags. @default - none */
  readonly defaultTags?: Record<string, string>;
  /** Provider alias. @default - none */
  readonly alias?: string;
}

/** `provider "azapi"`. Credentials never go here: the provider reads them from the environment. */
export class AzapiProvider extends CdktfProvider {
  private readonly config: AzapiProviderConfig;

  constructor(scope: CdktfConstruct, id: string, config: AzapiProviderConfig = {}) {
    super(scope, id, {
      terraformResourceType: 'azapi',
      terraformGeneratorMetadata: { providerName: 'azapi', providerVersion: AZAPI_PROVIDER_VERSION, providerVersionConstraint: AZAPI_PROVIDER_VERSION },
      terraformProviderSource: AZAPI_PROVIDER_SOURCE,
    });
    this.config = config;
    this.alias = config.alias;
    // Through an override: provider attributes are snake-cased, tag keys must not be.
    if (config.defaultTags) this.addOverride('default_tags', config.defaultTags);
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    return {
      subscription_id: this.config.subscriptionId,
      tenant_id: this.config.tenantId,
      use_oidc: this.config.useOidc,
      use_msi: this.config.useMsi,
      use_cli: this.config.useCli,
      default_location: this.config.defaultLocation,
      alias: this.config.alias,
    };
  }
}

/** The `identity` block of azapi_resource. */
export interface AzapiIdentity {
  readonly type: 'SystemAssigned' | 'UserAssigned' | 'SystemAssigned, UserAssigned' | 'None';
  readonly identityIds?: string[];
}

interface AzapiCommonConfig<B> {
  /** `<resource-type>@<api-version>`. */
  readonly type: string;
  /** The request body: an object (azapi 2.x), or a Lazy that renders one at synth. */
  readonly body: B | IResolvable;
  /** Paths exported from the response into `output` (e.g. `properties.loginServer`). @default - none */
  readonly responseExportValues?: string[];
  /** ARM IDs locked while this resource changes (serialises writes to one parent). @default - none */
  readonly locks?: string[];
  readonly dependsOn?: ITerraformDependable[];
  readonly lifecycle?: TerraformResourceLifecycle;
  readonly provider?: CdktfProvider;
}

export interface AzapiResourceConfig<B> extends AzapiCommonConfig<B> {
  readonly name: string;
  /** Resource group, parent resource or scope ID. */
  readonly parentId: string;
  /** @default - none (child and extension resources take no location) */
  readonly location?: string;
  /** @default - none */
  readonly tags?: Record<string, string>;
  /** @default - none */
  readonly identity?: AzapiIdentity;
  /** Validate the body against azapi's embedded schema. @default true */
  readonly schemaValidationEnabled?: boolean;
}

/** What azapi_resource and azapi_update_resource share: type, body, exports, locks, meta-arguments. */
abstract class AzapiElement<C extends AzapiCommonConfig<unknown>> extends CdktfResource {
  public readonly config: C;

  protected constructor(scope: CdktfConstruct, id: string, terraformResourceType: string, config: C) {
    super(scope, id, {
      terraformResourceType,
      terraformGeneratorMetadata: { providerName: 'azapi', providerVersion: AZAPI_PROVIDER_VERSION },
      provider: config.provider,
      dependsOn: config.dependsOn,
      lifecycle: config.lifecycle,
    });
    this.config = config;
  }

  protected commonAttributes(): Record<string, unknown> {
    const c = this.config;
    return { type: c.type, body: c.body, response_export_values: c.responseExportValues, locks: c.locks };
  }
}

/** `azapi_resource`: creates, updates and deletes one ARM resource. */
export class AzapiResource<B = unknown> extends AzapiElement<AzapiResourceConfig<B>> {
  constructor(scope: CdktfConstruct, id: string, config: AzapiResourceConfig<B>) {
    super(scope, id, 'azapi_resource', config);
  }

  /** The ARM resource ID. */
  public get id(): string {
    return this.getStringAttribute('id');
  }

  /** A value exported with `responseExportValues`, e.g. `properties.loginServer`. */
  public output(path: string): string {
    return this.getStringAttribute(`output.${path}`);
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    const c = this.config;
    return {
      ...this.commonAttributes(),
      name: c.name,
      parent_id: c.parentId,
      location: c.location,
      tags: c.tags,
      identity: c.identity ? [{ type: c.identity.type, identity_ids: c.identity.identityIds }] : undefined,
      schema_validation_enabled: c.schemaValidationEnabled,
    };
  }
}

export interface AzapiUpdateResourceConfig<B> extends AzapiCommonConfig<B> {
  /** The ID of the existing resource to patch. */
  readonly resourceId: string;
}

/**
 * `azapi_update_resource`: patches properties of a resource that exists (created here or
 * elsewhere). Deleting it leaves the properties as they are.
 */
export class AzapiUpdateResource<B = unknown> extends AzapiElement<AzapiUpdateResourceConfig<B>> {
  constructor(scope: CdktfConstruct, id: string, config: AzapiUpdateResourceConfig<B>) {
    super(scope, id, 'azapi_update_resource', config);
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    return { ...this.commonAttributes(), resource_id: this.config.resourceId };
  }
}

export interface DataAzapiResourceActionConfig {
  /** `<resource-type>@<api-version>` of the resource the action is on. */
  readonly type: string;
  /** ARM ID of that resource. */
  readonly resourceId: string;
  /** The action, e.g. `listCallbackUrl`. */
  readonly action: string;
  /** @default 'POST' */
  readonly method?: 'POST' | 'GET';
  /** Paths of the response exported into `sensitive_output` (redacted in plans and logs). */
  readonly sensitiveResponseExportValues: string[];
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * `data "azapi_resource_action"`: a read-only action on a resource, evaluated on every plan (e.g.
 * a Logic App trigger's callback URL). What it returns goes to `sensitive_output` only, so
 * Terraform redacts it in plans; the state still holds it.
 */
export class DataAzapiResourceAction extends CdktfDataSource {
  public readonly config: DataAzapiResourceActionConfig;

  constructor(scope: CdktfConstruct, id: string, config: DataAzapiResourceActionConfig) {
    super(scope, id, {
      terraformResourceType: 'azapi_resource_action',
      terraformGeneratorMetadata: { providerName: 'azapi', providerVersion: AZAPI_PROVIDER_VERSION },
      dependsOn: config.dependsOn,
    });
    this.config = config;
  }

  /** A value exported with `sensitiveResponseExportValues`, e.g. `value`. */
  public sensitiveOutput(path: string): string {
    return this.getStringAttribute(`sensitive_output.${path}`);
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    const c = this.config;
    return { type: c.type, resource_id: c.resourceId, action: c.action, method: c.method ?? 'POST', sensitive_response_export_values: c.sensitiveResponseExportValues };
  }
}

/** Make `resource` depend on `deps` after construction (`depends_on` takes bare addresses). */
export function addDependsOn(resource: CdktfResource, ...deps: CdktfResource[]): void {
  const addresses = deps.map((d) => `${d.terraformResourceType}.${d.friendlyUniqueId}`);
  resource.dependsOn = [...new Set([...(resource.dependsOn ?? []), ...addresses])];
}
