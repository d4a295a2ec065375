/** The one way tests capture a ServingStackError: thrown, rejected, or its issues by field. */
import { ServingStackError, ValidationIssue } from '../../lib/core/errors';

/** Run `fn`; it must throw a ServingStackError (with `code`, when given), which is returned. */
export function errorOf(fn: () => unknown, code?: string): ServingStackError {
  try {
    fn();
  } catch (e) {
    return checked(e, code);
  }
  throw new Error(`expected a ServingStackError${code ? ` ${code}` : ''}, nothing was thrown`);
}

/** `promise` must reject with a ServingStackError (with `code`, when given), which is returned. */
export async function rejectionOf(promise: Promise<unknown>, code?: string): Promise<ServingStackError> {
  try {
    await promise;
  } catch (e) {
    return checked(e, code);
  }
  throw new Error(`expected a ServingStackError${code ? ` ${code}` : ''}, the promise resolved`);
}

/** The issues of the ServingStackError `fn` throws (with `code`, when given). */
export function issuesOf(fn: () => unknown, code?: string): readonly ValidationIssue[] {
  return errorOf(fn, code).issues;
}

/** The fields of the issues of the ServingStackError `fn` throws, in order. */
export function fieldsOf(fn: () => unknown, code?: string): string[] {
  return issuesOf(fn, code).map((i) => i.field);
}

/** The issue for `field` (fails the test when there is none). */
export function issueFor(issues: readonly ValidationIssue[], field: string): ValidationIssue {
  const issue = issues.find((i) => i.field === field);
  if (!issue) throw new Error(`no issue for ${field}; got ${issues.map((i) => i.field).join(', ')}`);
  return issue;
}

function checked(e: unknown, code: string | undefined): ServingStackError {
  if (!ServingStackError.isServingStackError(e)) throw e;
  if (code !== undefined && e.code !== code) throw new Error(`expected ${code}, got ${e.code}: ${e.message}`);
  return e;
}
