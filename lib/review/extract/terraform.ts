/** Helpers shared by the Terraform (CDK for Terraform) extractors. */
import { normalizeHashes, sortKeys } from '../render';
import { Resource } from './context';

/** `${google_service_account.Tiny_Identity_Runtime_2540542D.email}` → `google_service_account.Tiny_Identity_Runtime.email`. */
export function renderTf(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return normalizeHashes(v).replace(/\$\{([^}]+)\}/g, (_, e: string) => e.replace(/_[0-9A-F]{8}\b/g, ''));
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.map(renderTf).join(', ');
  return renderTf(JSON.stringify(sortKeys(v)));
}

/** A Terraform address without its construct hash: `kubernetes_deployment_v1.BreastCancer_Stable`. */
export const shortAddress = (id: string): string => id.replace(/_[0-9A-F]{8}$/, '');

/** Every resource of a Terraform JSON stack, plus outputs whose value declares a `kind` (as `output:<kind>`). */
export function terraformResources(doc: Record<string, unknown>): Map<string, Resource> {
  const out = new Map<string, Resource>();
  const resources = (doc.resource ?? {}) as Record<string, Record<string, Record<string, unknown>>>;
  for (const type of Object.keys(resources).sort()) {
    for (const name of Object.keys(resources[type]).sort()) {
      const { '//': _meta, ...props } = resources[type][name];
      out.set(`${type}.${name}`, { id: `${type}.${name}`, type, props });
    }
  }
  const outputs = (doc.output ?? {}) as Record<string, { value?: unknown }>;
  for (const name of Object.keys(outputs).sort()) {
    const value = outputs[name].value;
    if (value && typeof value === 'object' && typeof (value as { kind?: unknown }).kind === 'string') {
      out.set(`output.${name}`, { id: `output.${name}`, type: `output:${(value as { kind: string }).kind}`, props: value as Record<string, unknown> });
    }
  }
  return out;
}
