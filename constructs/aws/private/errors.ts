/**
 * Synth-time validation for the AWS constructs: collect every problem, then throw one
 * ServingStackError whose summary names the construct path, and whose issues name the
 * property, the value received and what is allowed.
 */
import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { IssueCollector, ValidationIssue } from '../../../lib/core/errors';

/** Stable error codes of the AWS target. Never reuse one. */
export const AWS_ERRORS = {
  MODEL: 'SS_ERR_AWS_MODEL_INVALID',
  ENDPOINT: 'SS_ERR_AWS_ENDPOINT_INVALID',
  DEPLOYMENT: 'SS_ERR_AWS_DEPLOYMENT_INVALID',
  SCALING: 'SS_ERR_AWS_SCALING_INVALID',
  REGISTRY: 'SS_ERR_AWS_REGISTRY_INVALID',
  MONITORING: 'SS_ERR_AWS_MONITORING_INVALID',
  COMPONENT: 'SS_ERR_AWS_INFERENCE_COMPONENT_INVALID',
  PACKAGE: 'SS_ERR_AWS_PACKAGE_INVALID',
} as const;

/** Pattern SageMaker applies to endpoint, variant, config and model package group names. */
export const SAGEMAKER_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
export const SAGEMAKER_NAME_ALLOWED = 'letters, digits and dashes, 1–63 characters, starting and ending with a letter or digit';

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
  public intRange(field: string, value: number | undefined, min: number, max: number, unit = ''): void {
    if (value === undefined || Token.isUnresolved(value)) return;
    const u = unit ? ` ${unit}` : '';
    this.check(Number.isInteger(value) && value >= min && value <= max, {
      field,
      message: 'is out of range',
      received: value,
      allowed: `an integer from ${min}${u} to ${max}${u}`,
    });
  }

  public numberRange(field: string, value: number | undefined, min: number, max: number): void {
    if (value === undefined || Token.isUnresolved(value)) return;
    this.check(Number.isFinite(value) && value >= min && value <= max, {
      field,
      message: 'is out of range',
      received: value,
      allowed: `a number from ${min} to ${max}`,
    });
  }

  public name(field: string, value: string | undefined): void {
    if (value === undefined || Token.isUnresolved(value)) return;
    this.check(SAGEMAKER_NAME.test(value), { field, message: 'is not a valid SageMaker name', received: value, allowed: SAGEMAKER_NAME_ALLOWED });
  }

  public get ok(): boolean {
    return this.issues.ok;
  }

  public throwIfAny(): void {
    this.issues.throwIfAny(this.code, `${this.what} at ${this.scope.node.path} is invalid`);
  }
}
