/**
 * Error codes and the collect-then-throw helper of the GCP target. No cdktf imports: the rollout
 * uses the same codes and helper; constructs pass cdktf's `Token.isUnresolved` so unresolved
 * values are accepted unchecked.
 */
import { Checker } from '../../../lib/core/validation';

/** Stable error codes of the GCP target. Never reuse one. */
export const GCP_ERRORS = {
  STACK: 'SS_ERR_GCP_STACK_INVALID',
  REPOSITORY: 'SS_ERR_GCP_REPOSITORY_INVALID',
  BUCKET: 'SS_ERR_GCP_BUCKET_INVALID',
  IDENTITY: 'SS_ERR_GCP_IDENTITY_INVALID',
  ENDPOINT: 'SS_ERR_GCP_ENDPOINT_INVALID',
  DEPLOYMENT: 'SS_ERR_GCP_DEPLOYMENT_INVALID',
  MONITORING: 'SS_ERR_GCP_MONITORING_INVALID',
  ROLLOUT_INPUT: 'SS_ERR_GCP_ROLLOUT_INPUT_INVALID',
  ROLLOUT_FAILED: 'SS_ERR_GCP_ROLLOUT_FAILED',
  ROLLOUT_STATE: 'SS_ERR_GCP_ROLLOUT_STATE',
} as const;

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
