import { Construct, IConstruct } from 'constructs';
import { ServingStackError } from '../../lib/core/errors';
import { AZAPI_TYPES, API_VERSION_PATTERN, AzapiKind, compareApiVersions, isRealDate } from './azapi/api-versions';
import type { AzapiBodies } from './azapi/bodies';
import {
  AzapiIdentity, AzapiProvider, AzapiResource, AzapiUpdateResource, IResolvable, ITerraformDependable, TerraformResourceLifecycle,
  TerraformStack, TerraformVariable, Token,
} from './private/binding';
import { AzureErrorCodes, Checker, GUID, checkTags } from './private/errors';

const STACK_BRAND = Symbol.for('servingstack.azure.AzureServingStack');

export interface AzureServingStackProps {
  /** Azure region every resource is created in, e.g. `westeurope`. */
  readonly location: string;
  /** The existing resource group the stack deploys into. */
  readonly resourceGroupName: string;
  /**
   * Subscription ID. It is not a secret, but it is deployment configuration: leave it out and the
   * stack declares the Terraform variable `azure_subscription_id` (set it with `TF_VAR_…`).
   * @default - the Terraform variable `azure_subscription_id`
   */
  readonly subscriptionId?: string;
  /**
   * Entra tenant ID (Key Vault needs it).
   * @default - the Terraform variable `azure_tenant_id`
   */
  readonly tenantId?: string;
  /**
   * API version overrides per resource kind (e.g. `{ onlineDeployment: '2025-01-01-preview' }`).
   * Each key must be a resource kind the target writes (constructs/azure/azapi/api-versions.ts),
   * each value a valid version no older than the oldest that accepts the properties written.
   * @default - the versions in constructs/azure/azapi/api-versions.ts
   */
  readonly apiVersions?: { readonly [kind: string]: string };
  /**
   * Tags the provider adds to every resource that takes tags.
   * @default - `{ "managed-by": "servingstack" }`
   */
  readonly defaultTags?: { readonly [key: string]: string };
  /**
   * How the azapi provider authenticates in CI (OIDC workload identity federation).
   * @default false (Azure CLI or environment credentials)
   */
  readonly useOidc?: boolean;
}

/** Common options of {@link AzureServingStack.resource}. */
export interface AzureResourceOptions<B> {
  readonly name: string;
  readonly parentId: string;
  readonly body: B | IResolvable;
  /** @default - the stack's location for top-level resources, none for child resources */
  readonly location?: string;
  /** @default - the provider's default tags only */
  readonly tags?: { readonly [key: string]: string };
  /** @default - none */
  readonly identity?: AzapiIdentity;
  /** @default - none */
  readonly responseExportValues?: string[];
  /** @default - none */
  readonly dependsOn?: ITerraformDependable[];
  /** @default - none */
  readonly lifecycle?: TerraformResourceLifecycle;
  /** @default - none */
  readonly locks?: string[];
}

/**
 * The deploy unit of the Azure target: a Terraform stack that owns the azapi provider (pinned,
 * subscription and tenant from configuration, no credentials), the location and resource group,
 * and the API version of every resource type. Constructs find it with `AzureServingStack.of(this)`
 * and create ARM resources through {@link AzureServingStack.resource}.
 */
export class AzureServingStack extends TerraformStack {
  /** The AzureServingStack `construct` belongs to; throws naming the construct path when none. */
  public static override of(construct: IConstruct): AzureServingStack {
    for (let s: IConstruct | undefined = construct; s; s = s.node.scope) {
      if ((s as unknown as Record<symbol, unknown>)[STACK_BRAND] === true) return s as AzureServingStack;
    }
    throw new ServingStackError(AzureErrorCodes.NO_STACK, `${construct.node.path} is not inside an AzureServingStack`, [
      { field: 'scope', message: 'the Azure constructs need an AzureServingStack above them (it owns the azapi provider, location and resource group)', allowed: 'new AzureServingStack(app, id, { location, resourceGroupName })' },
    ]);
  }

  public readonly location: string;
  public readonly resourceGroupName: string;
  public readonly subscriptionId: string;
  public readonly tenantId: string;
  /** `/subscriptions/<sub>/resourceGroups/<rg>`. */
  public readonly resourceGroupId: string;
  public readonly provider: AzapiProvider;
  private readonly apiVersions: Readonly<Record<AzapiKind, string>>;

  constructor(scope: Construct, id: string, props: AzureServingStackProps) {
    super(scope, id);
    Object.defineProperty(this, STACK_BRAND, { value: true });
    const c = new Checker(AzureErrorCodes.STACK, `AzureServingStack ${id} is invalid`, (v) => Token.isUnresolved(v));
    c.pattern('location', props.location, /^[a-z][a-z0-9]{2,39}$/, 'an Azure region name such as westeurope or eastus2 (lower case, no spaces)');
    c.pattern('resourceGroupName', props.resourceGroupName, /^[-\w._()]{0,89}[-\w_()]$/, '1–90 letters, digits, - _ . ( ), not ending with .');
    c.pattern('subscriptionId', props.subscriptionId, GUID, 'a GUID');
    c.pattern('tenantId', props.tenantId, GUID, 'a GUID');
    checkTags(c, 'defaultTags', props.defaultTags);
    c.throwIfAny();

    const versions = checkApiVersions(id, props.apiVersions ?? {});
    this.apiVersions = versions;
    this.location = props.location;
    this.resourceGroupName = props.resourceGroupName;
    const variable = (name: string, description: string): string =>
      new TerraformVariable(this, name, {
        type: 'string',
        description,
        nullable: false,
        validation: [{ condition: `\${can(regex("^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$", var.${name}))}`, errorMessage: `${name} must be a GUID.` }],
      }).stringValue;
    this.subscriptionId = props.subscriptionId ?? variable('azure_subscription_id', 'Azure subscription the stack deploys into');
    this.tenantId = props.tenantId ?? variable('azure_tenant_id', 'Entra tenant of the subscription');
    this.resourceGroupId = `/subscriptions/${this.subscriptionId}/resourceGroups/${props.resourceGroupName}`;
    this.provider = new AzapiProvider(this, 'azapi', {
      subscriptionId: this.subscriptionId,
      tenantId: this.tenantId,
      useOidc: props.useOidc,
      defaultLocation: props.location,
      defaultTags: { ...(props.defaultTags ?? { 'managed-by': 'servingstack' }) },
    });
  }

  /** `Namespace/type@version` for a resource kind (with the stack's overrides). */
  public typeOf(kind: AzapiKind): string {
    return `${AZAPI_TYPES[kind].resourceType}@${this.apiVersions[kind]}`;
  }

  public apiVersionOf(kind: AzapiKind): string {
    return this.apiVersions[kind];
  }

  /** An `azapi_resource` of `kind`, with its typed body. */
  public resource<K extends AzapiKind>(scope: Construct, id: string, kind: K, options: AzureResourceOptions<AzapiBodies[K]>): AzapiResource<AzapiBodies[K]> {
    return new AzapiResource<AzapiBodies[K]>(scope, id, { type: this.typeOf(kind), ...options });
  }

  /** An `azapi_update_resource` patching a resource of `kind`. */
  public update<K extends AzapiKind, B>(scope: Construct, id: string, kind: K, options: { resourceId: string; body: B | IResolvable; dependsOn?: ITerraformDependable[]; lifecycle?: TerraformResourceLifecycle; locks?: string[] }): AzapiUpdateResource<B> {
    return new AzapiUpdateResource<B>(scope, id, { type: this.typeOf(kind), ...options });
  }

  /** The role definition ID of a built-in role GUID in this subscription. */
  public roleDefinitionId(roleGuid: string): string {
    return `/subscriptions/${this.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${roleGuid}`;
  }
}

function checkApiVersions(id: string, overrides: { readonly [kind: string]: string }): Record<AzapiKind, string> {
  const c = new Checker(AzureErrorCodes.API_VERSION, `AzureServingStack ${id} has invalid API versions`);
  const out = Object.fromEntries(Object.entries(AZAPI_TYPES).map(([k, v]) => [k, v.apiVersion])) as Record<AzapiKind, string>;
  for (const [kind, version] of Object.entries(overrides) as [string, string][]) {
    const field = `apiVersions.${kind}`;
    const info = (AZAPI_TYPES as Record<string, { resourceType: string; minimum: string }>)[kind];
    if (!c.check(info !== undefined, { field, message: 'is not a resource kind the Azure target writes', received: kind, allowed: Object.keys(AZAPI_TYPES).join(', ') })) continue;
    if (!c.check(API_VERSION_PATTERN.test(version) && isRealDate(version), { field, message: 'is not an ARM API version', received: version, allowed: 'YYYY-MM-DD, optionally followed by -preview' })) continue;
    if (!c.check(compareApiVersions(version, info!.minimum) >= 0, { field, message: `is older than the first ${info!.resourceType} version accepting the properties ServingStack writes`, received: version, allowed: `${info!.minimum} or later` })) continue;
    out[kind as AzapiKind] = version;
  }
  c.throwIfAny();
  return out;
}
