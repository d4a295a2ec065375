/**
 * Collect-then-throw validation with the range and pattern checks every target needs. Values
 * that are not known yet (CDK / CDKTF tokens) are skipped: pass the target's `isUnresolved`.
 */
import { IssueCollector, ValidationIssue } from './errors';

export type IsUnresolved = (value: unknown) => boolean;

const neverUnresolved: IsUnresolved = () => false;

export class Checker {
  private readonly issues = new IssueCollector();

  constructor(
    private readonly code: string,
    private readonly summary: string,
    public readonly isUnresolved: IsUnresolved = neverUnresolved,
  ) {}

  public add(issue: ValidationIssue): void {
    this.issues.add(issue);
  }

  public check(condition: boolean, issue: ValidationIssue): boolean {
    return this.issues.check(condition, issue);
  }

  /** A whole number in [min, max]. */
  public intRange(field: string, value: number | undefined, min: number, max: number, unit = ''): boolean {
    if (value === undefined || this.isUnresolved(value)) return true;
    const u = unit ? ` ${unit}` : '';
    return this.check(Number.isInteger(value) && value >= min && value <= max, {
      field,
      message: Number.isInteger(value) ? 'is out of range' : 'is not a whole number',
      received: value,
      allowed: `a whole number from ${min}${u} to ${max}${u}`,
    });
  }

  /** A finite number in [min, max]. */
  public numberRange(field: string, value: number | undefined, min: number, max: number, unit = ''): boolean {
    if (value === undefined || this.isUnresolved(value)) return true;
    const u = unit ? ` ${unit}` : '';
    return this.check(Number.isFinite(value) && value >= min && value <= max, {
      field,
      message: 'is out of range',
      received: value,
      allowed: `a number from ${min}${u} to ${max}${u}`,
    });
  }

  /** A string matching `re`. */
  public pattern(field: string, value: string | undefined, re: RegExp, allowed: string, message = 'has the wrong form'): boolean {
    if (value === undefined || this.isUnresolved(value)) return true;
    return this.check(re.test(value), { field, message, received: value, allowed });
  }

  public get ok(): boolean {
    return this.issues.ok;
  }

  public get found(): readonly ValidationIssue[] {
    return this.issues.issues;
  }

  public throwIfAny(): void {
    this.issues.throwIfAny(this.code, this.summary);
  }
}
