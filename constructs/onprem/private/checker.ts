/**
 * Synth-time validation for the on-prem constructs: collect every problem, then throw one
 * ServingStackError whose summary names the construct path, and whose issues name the
 * property, the value received and what is allowed.
 */
import type { IConstruct } from 'constructs';
import { Token } from './binding';
import { Checker as CoreChecker } from '../../../lib/core/validation';

export { ONPREM_ERRORS } from './error-codes';

/** RFC 1123 label: what Kubernetes accepts for namespace, Service and most object names. */
export const DNS_LABEL = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
export const DNS_LABEL_ALLOWED = 'lower-case letters, digits and dashes, 1–63 characters, starting with a letter and ending with a letter or digit';

/** The shared checker bound to a construct: CDKTF tokens are skipped; the summary names the construct path. */
export class Checker extends CoreChecker {
  constructor(scope: IConstruct, code: string, what: string) {
    super(code, `${what} at ${scope.node.path} is invalid`, (v) => Token.isUnresolved(v));
  }

  /** A Kubernetes object name (RFC 1123 label). */
  public dnsLabel(field: string, value: string | undefined): boolean {
    return this.pattern(field, value, DNS_LABEL, DNS_LABEL_ALLOWED, 'is not a valid Kubernetes name');
  }
}

/** Lower-case, dash-separated, ≤ 63 characters: a default Kubernetes name from a construct id. */
export function defaultName(id: string): string {
  const s = id
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .replace(/-+/g, '-')
    .slice(0, 63)
    .replace(/-+$/, '');
  return s || 'servingstack';
}
