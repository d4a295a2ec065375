/**
 * Reviewing infrastructure changes in serving terms: `servingstack diff` and `servingstack cost`
 * over synthesized output (cdk.out, cdktf.out). Reads JSON only; never imports an IaC package.
 */
import { StackCost, stackCost } from './cost';
import { DiffReport, diffModels, gates } from './diff';

export type { CostDelta, DiffReport } from './diff';
import { extractStack } from './extract';
import { StackModel } from './model';
import { PriceTable, Traffic } from './prices';
import { readSynthOutput } from './read';

export * from './model';
export { Finding, classify, diffModels, gates, summarize } from './diff';
export { CostLine, StackCost, UnitCost, stackCost, unitCost } from './cost';
export { PriceInputError, PriceTable, Traffic, TrafficProfile, loadPrices, loadTraffic, shippedPrices, PRICE_TABLE_SCHEMA, TRAFFIC_SCHEMA } from './prices';
export { RawStack, SynthOutputError, readSynthOutput } from './read';
export { extractStack, EXTRACTORS } from './extract';
export { formatCost, formatDiff, OutputFormat } from './format';
export { synthesizeGitRef, GitSynthOptions } from './git';

/** Every stack of a synthesized output folder, as serving models. */
export function readServingModels(dir: string): StackModel[] {
  return readSynthOutput(dir).map(extractStack);
}

export function estimate(models: readonly StackModel[], prices: PriceTable, traffic: Traffic): StackCost[] {
  return models.map((m) => stackCost(prices, traffic, m));
}

export function reviewDiff(before: readonly StackModel[], after: readonly StackModel[], prices: PriceTable, traffic: Traffic): DiffReport {
  const findings = diffModels([...before], [...after]);
  const cb = estimate(before, prices, traffic);
  const ca = estimate(after, prices, traffic);
  const key = (s: string, u: string): string => `${s}\u0000${u}`;
  const rows = new Map<string, { stack: string; unit: string; b: [number, number]; a: [number, number] }>();
  for (const [side, costs] of [['b', cb], ['a', ca]] as const) {
    for (const s of costs) {
      for (const u of s.units) {
        const r = rows.get(key(s.stack, u.unit)) ?? { stack: s.stack, unit: u.unit, b: [0, 0] as [number, number], a: [0, 0] as [number, number] };
        r[side] = [u.min, u.max];
        rows.set(key(s.stack, u.unit), r);
      }
    }
  }
  const costDelta = [...rows.values()]
    .filter((r) => r.a[0] !== r.b[0] || r.a[1] !== r.b[1])
    .map((r) => ({ stack: r.stack, unit: r.unit, beforeMin: r.b[0], beforeMax: r.b[1], afterMin: r.a[0], afterMax: r.a[1] }));
  return { findings, costDelta, gate: gates(findings) };
}
