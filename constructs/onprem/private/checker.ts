/**
 * Synth-time validation for the on-prem constructs: collect every problem, then throw one
 * ServingStackError whose summary names the construct path, and whose issues name the
 * property, the value received and what is allowed.
 */
import type { IConstruct } from 'constructs';
import { Token } from './binding';
import { IssueCollector, ValidationIssue } from '../../../lib/core/errors';

export { ONPREM_ERRORS } from './error-codes';

/** RFC 1123 label: what Kubernetes accepts for namespace, Service and most object names. */
export const DNS_LABEL = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
export const DNS_LABEL_ALLOWED = 'lower-case letters, digits and dashes, 1–63 characters, starting with a letter and ending with a letter or digit';

/** An IssueCollector bound to a construct, with range helpers that skip unresolved tokens. */
export class Checker {
  private readonly issues = new IssueCollector();

  constructor(private readonly scope: IConstruct, private readonly code: string, private readonly what: string) {}

  public add(issue: ValidationIssue): void {
    this.issues.add(issue);
  }

  public check(condition: boolean, issue: ValidationIssue): boolean {
    return this.issues.check(condition, issue);
  }

  /** Integer in [min, max]; tokens are accepted unchecked. */
  public intRange(field: string, value: number | undefined, min: number, max: number, unit = ''): boolean {
    if (value === undefined || Token.isUnresolved(value)) return true;
    const u = unit ? ` ${unit}` : '';
    return this.check(Number.isInteger(value) && value >= min && value <= max, {
      field,
      message: Number.isInteger(value) ? 'is out of range' : 'is not a whole number',
      received: value,
      allowed: `a whole number from ${min}${u} to ${max}${u}`,
    });
  }

  public numberRange(field: string, value: number | undefined, min: number, max: number, unit = ''): boolean {
    if (value === undefined || Token.isUnresolved(value)) return true;
    const u = unit ? ` ${unit}` : '';
    return this.check(Number.isFinite(value) && value >= min && value <= max, {
      field,
      message: 'is out of range',
      received: value,
      allowed: `a number from ${min}${u} to ${max}${u}`,
    });
  }

  /** A Kubernetes object name (RFC 1123 label). */
  public dnsLabel(field: string, value: string | undefined): boolean {
    if (value === undefined || Token.isUnresolved(value)) return true;
    return this.check(DNS_LABEL.test(value), { field, message: 'is not a valid Kubernetes name', received: value, allowed: DNS_LABEL_ALLOWED });
  }

  public get ok(): boolean {
    return this.issues.ok;
  }

  public throwIfAny(): void {
    this.issues.throwIfAny(this.code, `${this.what} at ${this.scope.node.path} is invalid`);
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
