/**
 * Synth-time validation of the edge target: every problem is collected, then thrown once as a
 * ServingStackError naming the construct path; each issue names the property, the value received
 * and what is allowed, and starts with the code of its own rule. (The same idea as the AWS
 * target's checker, written here because targets never import each other.)
 */
import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ServingStackError, ValidationIssue } from '../../../lib/core/errors';
import { EdgeErrorCodes } from '../errors';

/** The codes by rule, as the checks name them (the public list is {@link EdgeErrorCodes}). */
export const EDGE_ERRORS = {
  COMPONENT: EdgeErrorCodes.COMPONENT,
  PLATFORM: EdgeErrorCodes.PLATFORM,
  DEVICE: EdgeErrorCodes.DEVICE,
  VERSION: EdgeErrorCodes.VERSION,
  DEPLOYMENT: EdgeErrorCodes.DEPLOYMENT,
  PACKAGE: EdgeErrorCodes.PACKAGE,
  BUNDLE: EdgeErrorCodes.BUNDLE,
  MONITORING: EdgeErrorCodes.MONITORING,
} as const;

export type EdgeErrorCode = (typeof EDGE_ERRORS)[keyof typeof EDGE_ERRORS];

interface CodedIssue extends ValidationIssue {
  readonly code: EdgeErrorCode;
}

/** Collects issues by rule; throws one error whose code is the rule's (or the first rule's when several failed). */
export class EdgeChecker {
  private readonly found: CodedIssue[] = [];

  constructor(
    private readonly scope: IConstruct,
    private readonly what: string,
  ) {}

  public add(code: EdgeErrorCode, issue: ValidationIssue): void {
    this.found.push({ ...issue, code });
  }

  public check(condition: boolean, code: EdgeErrorCode, issue: ValidationIssue): boolean {
    if (!condition) this.add(code, issue);
    return condition;
  }

  /** A whole number in [min, max]; tokens pass. */
  public intRange(code: EdgeErrorCode, field: string, value: number | undefined, min: number, max: number, unit = ''): void {
    if (value === undefined || Token.isUnresolved(value)) return;
    const u = unit ? ` ${unit}` : '';
    this.check(Number.isInteger(value) && value >= min && value <= max, code, {
      field,
      message: Number.isInteger(value) ? 'is out of range' : 'is not a whole number',
      received: value,
      allowed: `a whole number from ${min}${u} to ${max}${u}`,
    });
  }

  public get ok(): boolean {
    return this.found.length === 0;
  }

  public throwIfAny(): void {
    if (this.found.length === 0) return;
    const codes = [...new Set(this.found.map((i) => i.code))];
    const issues = this.found.map(({ code, ...issue }) => (codes.length > 1 ? { ...issue, message: `[${code}] ${issue.message}` } : issue));
    throw new ServingStackError(codes[0]!, `${this.what} at ${this.scope.node.path} is invalid`, issues);
  }
}
