/**
 * Synth-time validation for the AWS constructs: collect every problem, then throw one
 * ServingStackError. Each problem is recorded with the code of its rule (AwsErrorCodes); the
 * error's `code` is its first problem's, and its first line names the construct path and every
 * code found, so a user can look each one up in docs/aws.md.
 */
import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ServingStackError, ValidationIssue } from '../../../lib/core/errors';
import { AwsErrorCodes } from '../errors';

/** Pattern SageMaker applies to endpoint, variant, config and model package group names. */
export const SAGEMAKER_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
export const SAGEMAKER_NAME_ALLOWED = 'letters, digits and dashes, 1–63 characters, starting and ending with a letter or digit';

interface Found {
  readonly code: string;
  readonly issue: ValidationIssue;
}

/** Collect-then-throw checks bound to a construct; CDK tokens are skipped. */
export class Checker {
  private readonly found: Found[] = [];

  /**
   * @param scope the construct validated (its path goes into the message)
   * @param what its kind, e.g. `Endpoint`
   * @param defaultCode the code of checks that name none (constructs with one rule family)
   */
  constructor(private readonly scope: IConstruct, private readonly what: string, private readonly defaultCode?: string) {}

  public isUnresolved(value: unknown): boolean {
    return Token.isUnresolved(value);
  }

  public add(issue: ValidationIssue, code?: string): void {
    const c = code ?? this.defaultCode;
    if (!c) throw new Error(`${this.what} check ${issue.field} has no error code`);
    this.found.push({ code: c, issue });
  }

  public check(condition: boolean, issue: ValidationIssue, code?: string): boolean {
    if (!condition) this.add(issue, code);
    return condition;
  }

  /** Issues found elsewhere (lib/core validation), all under one code. */
  public addAll(issues: readonly ValidationIssue[], code?: string): void {
    for (const issue of issues) this.add(issue, code);
  }

  /** A whole number in [min, max]. */
  public intRange(field: string, value: number | undefined, min: number, max: number, unit = '', code?: string): boolean {
    if (value === undefined || this.isUnresolved(value)) return true;
    const u = unit ? ` ${unit}` : '';
    return this.check(Number.isInteger(value) && value >= min && value <= max, {
      field, message: Number.isInteger(value) ? 'is out of range' : 'is not a whole number', received: value, allowed: `a whole number from ${min}${u} to ${max}${u}`,
    }, code);
  }

  /** A finite number in [min, max]. */
  public numberRange(field: string, value: number | undefined, min: number, max: number, unit = '', code?: string): boolean {
    if (value === undefined || this.isUnresolved(value)) return true;
    const u = unit ? ` ${unit}` : '';
    return this.check(Number.isFinite(value) && value >= min && value <= max, { field, message: 'is out of range', received: value, allowed: `a number from ${min}${u} to ${max}${u}` }, code);
  }

  /** A string matching `re`. */
  public pattern(field: string, value: string | undefined, re: RegExp, allowed: string, message = 'has the wrong form', code?: string): boolean {
    if (value === undefined || this.isUnresolved(value)) return true;
    return this.check(re.test(value), { field, message, received: value, allowed }, code);
  }

  /** A SageMaker resource name. */
  public name(field: string, value: string | undefined): boolean {
    return this.pattern(field, value, SAGEMAKER_NAME, SAGEMAKER_NAME_ALLOWED, 'is not a valid SageMaker name', AwsErrorCodes.NAME);
  }

  public get ok(): boolean {
    return this.found.length === 0;
  }

  /** The error of everything found so far (undefined when nothing was). */
  public error(): ServingStackError | undefined {
    if (this.found.length === 0) return undefined;
    const codes = [...new Set(this.found.map((f) => f.code))];
    return new ServingStackError(codes[0], `${this.what} at ${this.scope.node.path} is invalid (${codes.join(', ')})`, this.found.map((f) => f.issue));
  }

  public throwIfAny(): void {
    const e = this.error();
    if (e) throw e;
  }
}
