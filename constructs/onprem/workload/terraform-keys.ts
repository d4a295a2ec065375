/**
 * The one place that writes the kubernetes provider's snake_case keys.
 *
 * Why: the generated cdktf classes take camelCase props and convert them to the provider's
 * snake_case schema when they synthesize (`deploymentV1SpecTemplateSpecToTerraform`…). A value
 * produced later by `Lazy.anyValue` — which is how blocks that may change after construction
 * are rendered (scheduling intents, the namespaces a NetworkPolicy admits) — is resolved after
 * that conversion and written to the Terraform JSON as it is. Lazy blocks must therefore already
 * be in the provider's schema. Everything else in the on-prem target writes camelCase and lets
 * the generated classes convert; lazy blocks are written camelCase too and converted here.
 *
 * Map-valued fields (`matchLabels`, `nodeSelector`, labels, annotations) hold user keys such as
 * `app.kubernetes.io/name`: their keys are copied verbatim.
 */
import { Lazy } from '../private/binding';

/** Fields whose value is a map of user keys (not schema keys). */
const MAP_FIELDS = new Set(['matchLabels', 'nodeSelector', 'labels', 'annotations']);

const snake = (key: string): string => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** `value` with every schema key in snake_case (maps of user keys untouched). */
export function toTerraformKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toTerraformKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === undefined) continue;
    out[snake(k)] = MAP_FIELDS.has(k) ? { ...(v as Record<string, unknown>) } : toTerraformKeys(v);
  }
  return out;
}

/**
 * A block rendered at synth: `produce` returns it in camelCase (as every other prop is written),
 * the provider receives it in snake_case. The result is typed as the generated class expects.
 */
export function lazyBlock<T>(produce: () => unknown): T {
  return Lazy.anyValue({ produce: () => toTerraformKeys(produce()) }) as unknown as T;
}

/** A map of user keys rendered at synth (no key conversion: `nodeSelector`, labels). */
export function lazyMap<T>(produce: () => Readonly<Record<string, string>>): T {
  return Lazy.anyValue({ produce: () => ({ ...produce() }) }) as unknown as T;
}
