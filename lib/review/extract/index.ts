/**
 * Extraction: one table of extractors keyed by resource type, over every target. A stack's
 * target is the one whose extractors claim most of its resources.
 */
import { StackModel, Target } from '../model';
import { RawStack } from '../read';
import { AWS_EXTRACTORS } from './aws';
import { AZURE_EXTRACTORS } from './azure';
import { ExtractContext, Extractor, Resource, phaseOf } from './context';
import { EDGE_EXTRACTORS } from './edge';
import { GCP_EXTRACTORS } from './gcp';
import { ONPREM_EXTRACTORS } from './onprem';
import { terraformResources } from './terraform';

const TABLES: ReadonlyArray<[Target, Readonly<Record<string, Extractor>>]> = [
  ['aws', AWS_EXTRACTORS],
  ['edge', EDGE_EXTRACTORS],
  ['gcp', GCP_EXTRACTORS],
  ['onprem', ONPREM_EXTRACTORS],
  ['azure', AZURE_EXTRACTORS],
];

/** Every resource type any extractor reads, with its target. */
export const EXTRACTORS: ReadonlyMap<string, { readonly target: Target; readonly extractor: Extractor }> = new Map(
  TABLES.flatMap(([target, table]) => Object.entries(table).map(([type, extractor]) => [type, { target, extractor }] as const)),
);

function cloudFormationResources(doc: Record<string, unknown>): Map<string, Resource> {
  const out = new Map<string, Resource>();
  const resources = (doc.Resources ?? {}) as Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  for (const id of Object.keys(resources).sort()) out.set(id, { id, type: resources[id].Type, props: resources[id].Properties ?? {} });
  return out;
}

function targetOf(stack: RawStack, resources: Map<string, Resource>): Target {
  const votes = new Map<Target, number>();
  for (const r of resources.values()) {
    const e = EXTRACTORS.get(r.type);
    if (e) votes.set(e.target, (votes.get(e.target) ?? 0) + (phaseOf(e.extractor, r) === 1 ? 100 : 1));
  }
  const best = [...votes.entries()].sort((a, b) => b[1] - a[1])[0];
  return best?.[0] ?? (stack.format === 'cloudformation' ? 'aws' : 'onprem');
}

/** The serving model of one synthesized stack. */
export function extractStack(stack: RawStack): StackModel {
  const resources = stack.format === 'cloudformation' ? cloudFormationResources(stack.doc) : terraformResources(stack.doc);
  const ctx = new ExtractContext(stack, targetOf(stack, resources), resources);
  const work = [...resources.values()]
    .map((r) => ({ r, e: EXTRACTORS.get(r.type)?.extractor }))
    .filter((w): w is { r: Resource; e: Extractor } => w.e !== undefined)
    .sort((a, b) => phaseOf(a.e, a.r) - phaseOf(b.e, b.r) || a.r.id.localeCompare(b.r.id));
  for (const { r, e } of work) e.extract(ctx, r);
  return ctx.model();
}
