/**
 * Test helpers for the on-prem constructs: synthesize a stack to Terraform JSON and read
 * resources and Helm values back with camelCase-free, snake_case-hiding accessors.
 */
import { App, Testing } from '../../../constructs/cdktf/binding';
import { ServingStackError, ValidationIssue } from '../../../lib/core/errors';
import { OnPremServingStack, OnPremServingStackProps } from '../../../constructs/onprem';

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export function newStack(props: Partial<OnPremServingStackProps> = {}): OnPremServingStack {
  const app: App = Testing.app();
  return new OnPremServingStack(app, 'test', { kubeconfigContext: 'lab-gpu', ...props });
}

export class Synth {
  public static of(stack: OnPremServingStack): Synth {
    return new Synth(JSON.parse(Testing.synth(stack)) as Json);
  }

  private constructor(public readonly json: Json) {}

  /** Every resource of a Terraform type, keyed by logical id. */
  public resources(type: string): Record<string, Json> {
    return (this.json.resource?.[type] ?? {}) as Record<string, Json>;
  }

  /** The one resource of `type` whose `metadata.name` (or helm `name`) is `name`. */
  public resource(type: string, name: string): Json {
    const found = Object.values(this.resources(type)).filter((r) => (r.metadata?.name ?? r.name) === name);
    if (found.length !== 1) throw new Error(`expected one ${type} named ${name}, found ${found.length} (have: ${Object.values(this.resources(type)).map((r) => r.metadata?.name ?? r.name).join(', ')})`);
    return found[0]!;
  }

  /** The values document of a helm_release, parsed. */
  public helmValues(releaseName: string): Json {
    const r = this.resource('helm_release', releaseName);
    expect(r.values).toHaveLength(1);
    return JSON.parse(r.values[0]) as Json;
  }

  /** Terraform resource types present, sorted. */
  public get types(): string[] {
    return Object.keys(this.json.resource ?? {}).sort();
  }
}

/** Run `fn`, expect one ServingStackError with `code`, and return its issues. */
export function issuesOf(fn: () => unknown, code: string): readonly ValidationIssue[] {
  try {
    fn();
  } catch (e) {
    if (!ServingStackError.isServingStackError(e)) throw e;
    expect(e.code).toBe(code);
    return e.issues;
  }
  throw new Error(`expected a ServingStackError ${code}, nothing was thrown`);
}

/** The issue for `field` (fails the test when there is none). */
export function issueFor(issues: readonly ValidationIssue[], field: string): ValidationIssue {
  const issue = issues.find((i) => i.field === field);
  if (!issue) throw new Error(`no issue for ${field}; got ${issues.map((i) => i.field).join(', ')}`);
  return issue;
}
