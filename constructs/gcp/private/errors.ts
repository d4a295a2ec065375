/**
 * The collect-then-throw helper of the GCP target and the label check. No cdktf imports: the
 * rollout uses the same helper; constructs pass cdktf's `Token.isUnresolved` so unresolved values
 * are accepted unchecked.
 */
import { Checker } from '../../../lib/core/validation';
import { GcpErrorCodes } from '../errors';

/** The codes (internal shorthand for {@link GcpErrorCodes}). */
export const GCP_ERRORS = GcpErrorCodes;

export { Checker };
export type { IsUnresolved } from '../../../lib/core/validation';

/** GCP label keys/values: lower-case letters, digits, `_` and `-`, keys start with a letter, ≤ 63. */
export const LABEL_KEY = /^[a-z][a-z0-9_-]{0,62}$/;
export const LABEL_VALUE = /^[a-z0-9_-]{0,63}$/;

/** Check a labels map; returns nothing, records issues. */
export function checkLabels(c: Checker, field: string, labels: Readonly<Record<string, string>> | undefined): void {
  for (const [k, v] of Object.entries(labels ?? {})) {
    c.pattern(`${field}.${k}`, k, LABEL_KEY, 'lower-case letters, digits, _ and -, starting with a letter, at most 63 characters', 'is not a valid label key');
    c.pattern(`${field}.${k}`, v, LABEL_VALUE, 'lower-case letters, digits, _ and -, at most 63 characters', 'is not a valid label value');
  }
}
