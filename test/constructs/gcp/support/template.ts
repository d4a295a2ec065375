/**
 * A small Template-like shim over cdktf's synthesized Terraform JSON, so tests read like
 * aws-cdk's `Template.fromStack(...).hasResourceProperties(...)` and never touch hashed
 * logical IDs or snake_case plumbing directly.
 */
import { Testing, TerraformStack } from '../../../../constructs/cdktf/binding';

type Json = Record<string, unknown>;

/** Deep partial match: every key of `expected` must match in `actual` (arrays element-wise, same length). */
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
  public static synth(stack: TerraformStack): TerraformTemplate {
    return new TerraformTemplate(JSON.parse(Testing.synth(stack)) as Json);
  }

  private constructor(public readonly json: Json) {}

  /** Resources of a Terraform type, in synth order. */
  public resources(type: string): Json[] {
    return Object.values(((this.json.resource as Json | undefined)?.[type] as Json | undefined) ?? {}) as Json[];
  }

  public resourceCount(type: string): number {
    return this.resources(type).length;
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

  public outputs(): Json {
    return (this.json.output as Json | undefined) ?? {};
  }

  public provider(type: string): Json[] {
    return (((this.json.provider as Json | undefined)?.[type] as Json[] | undefined) ?? []);
  }
}
