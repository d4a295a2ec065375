/**
 * The one reader of synthesized Terraform JSON for every CDK for Terraform target's tests (GCP,
 * on-prem, Azure): aws-cdk's `Template` shape (`hasResourceWithProperties`, `resourceCount`),
 * plus lookups by Kubernetes/Helm name, so tests never touch hashed logical IDs.
 */
import { TerraformStack, Testing } from '../../constructs/cdktf/binding';

/** A parsed JSON object (deep reads in assertions). */
export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Deep partial match: every key of `expected` must match in `actual` (arrays element-wise, same length); `undefined` means absent. */
export function matches(actual: unknown, expected: unknown): boolean {
  if (expected && typeof expected === 'object' && 'asymmetricMatch' in (expected as object)) {
    return (expected as { asymmetricMatch(x: unknown): boolean }).asymmetricMatch(actual);
  }
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => matches(actual[i], e));
  }
  if (expected && typeof expected === 'object') {
    if (!actual || typeof actual !== 'object') return false;
    return Object.entries(expected as Json).every(([k, v]) => (v === undefined ? !(k in (actual as Json)) : matches((actual as Json)[k], v)));
  }
  return actual === expected;
}

export class TerraformTemplate {
  /** Synthesize `stack` and read it. */
  public static synth(stack: TerraformStack): TerraformTemplate {
    return new TerraformTemplate(JSON.parse(Testing.synth(stack)) as Json);
  }

  private constructor(public readonly json: Json) {}

  /** Resources of a Terraform type, in synth order. */
  public resources(type: string): Json[] {
    return Object.values((this.json.resource?.[type] as Json | undefined) ?? {}) as Json[];
  }

  public resourceCount(type: string): number {
    return this.resources(type).length;
  }

  /** Terraform resource types present, sorted. */
  public get types(): string[] {
    return Object.keys(this.json.resource ?? {}).sort();
  }

  /** The one resource of `type` that matches `props`; throws listing candidates when none or several. */
  public hasResourceWithProperties(type: string, props: Json): Json {
    const all = this.resources(type);
    const found = all.filter((r) => matches(r, props));
    if (found.length !== 1) {
      throw new Error(`expected 1 ${type} matching ${JSON.stringify(props)}, found ${found.length} among:\n${JSON.stringify(all, null, 2).slice(0, 4000)}`);
    }
    return found[0];
  }

  public hasNoResource(type: string, props: Json = {}): void {
    const found = this.resources(type).filter((r) => matches(r, props));
    if (found.length > 0) throw new Error(`expected no ${type} matching ${JSON.stringify(props)}, found ${found.length}`);
  }

  /** The one resource of `type` whose `metadata.name` (Kubernetes) or `name` (Helm, most others) is `name`. */
  public resource(type: string, name: string): Json {
    const nameOf = (r: Json): unknown => r.metadata?.name ?? r.name;
    const found = this.resources(type).filter((r) => nameOf(r) === name);
    if (found.length !== 1) throw new Error(`expected one ${type} named ${name}, found ${found.length} (have: ${this.resources(type).map(nameOf).join(', ')})`);
    return found[0]!;
  }

  /** The values document of a `helm_release`, parsed. */
  public helmValues(releaseName: string): Json {
    const r = this.resource('helm_release', releaseName);
    if (!Array.isArray(r.values) || r.values.length !== 1) throw new Error(`helm_release ${releaseName} has ${r.values?.length ?? 0} values documents, expected 1`);
    return JSON.parse(r.values[0]) as Json;
  }

  public outputs(): Json {
    return (this.json.output as Json | undefined) ?? {};
  }

  public provider(type: string): Json[] {
    return (this.json.provider?.[type] as Json[] | undefined) ?? [];
  }
}
