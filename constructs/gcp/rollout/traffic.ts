import { Checker, GCP_ERRORS } from '../private/errors';

/** Aliases the rollout manages in the Model Registry. */
export const ALIASES = { champion: 'champion', challenger: 'challenger', previous: 'previous' } as const;
export const ALIAS_PATTERN = /^[a-z][a-zA-Z0-9-]{0,126}[a-z0-9]$/;

/**
 * Validate a traffic split (deployed model ID → percent): integers 0–100 summing to 100, keys among
 * `deployedIds` (plus `"0"`, the model being deployed, when `allowNew`). Throws once listing all.
 */
export function validateTrafficSplit(split: Readonly<Record<string, number>>, deployedIds: readonly string[], allowNew = false): void {
  const c = new Checker(GCP_ERRORS.TRAFFIC_SPLIT, 'the traffic split is invalid');
  const total = Object.values(split).reduce((a, b) => a + b, 0);
  for (const [id, pct] of Object.entries(split)) {
    c.check(Number.isInteger(pct) && pct >= 0 && pct <= 100, { field: `trafficSplit.${id}`, message: 'is not a whole percentage', received: pct, allowed: 'a whole number from 0 to 100' });
    c.check(deployedIds.includes(id) || (allowNew && id === '0'), { field: `trafficSplit.${id}`, message: 'names no model deployed on the endpoint', received: id, allowed: deployedIds.join(', ') || '(nothing is deployed)' });
  }
  c.check(Object.keys(split).length > 0 && total === 100, { field: 'trafficSplit', message: `sums to ${total}, not 100`, received: split, allowed: 'percentages summing to exactly 100' });
  c.throwIfAny();
}

/** Parse `ID=PCT,ID=PCT` (CLI form). */
export function parseTrafficSplit(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [k, v] = part.split('=');
    out[k.trim()] = v === undefined || v.trim() === '' ? Number.NaN : Number(v);
  }
  return out;
}
