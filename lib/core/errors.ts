/**
 * ServingStack's error vocabulary shared by every layer.
 *
 * Each failure names what was wrong (`field`), what was received and what is allowed,
 * so a user can fix the input without reading our source. Codes are stable: never reuse one.
 */

const BRAND = Symbol.for('servingstack.ServingStackError');

/** One problem found while validating an input. */
export interface ValidationIssue {
  /** Dotted/indexed path of the offending field, e.g. `signature.inputs[0].shape`. */
  readonly field: string;
  /** What is wrong, in one sentence. */
  readonly message: string;
  /** The value received (JSON-safe rendering). */
  readonly received?: unknown;
  /** What would have been accepted. */
  readonly allowed?: string;
}

/** Render a value for an error message without flooding the log. */
export function renderValue(value: unknown, maxLength = 120): string {
  let text: string;
  if (value === undefined) return 'undefined';
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}

export function formatIssue(issue: ValidationIssue): string {
  const parts = [`${issue.field}: ${issue.message}`];
  if ('received' in issue) parts.push(`received ${renderValue(issue.received)}`);
  if (issue.allowed) parts.push(`allowed: ${issue.allowed}`);
  return parts.join('; ');
}

/** Base class of every error ServingStack throws on purpose. */
export class ServingStackError extends Error {
  /** True for any ServingStackError, across copies of the package. */
  public static isServingStackError(x: unknown): x is ServingStackError {
    return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[BRAND] === true;
  }

  public readonly code: string;
  public readonly issues: readonly ValidationIssue[];

  constructor(code: string, summary: string, issues: readonly ValidationIssue[] = []) {
    const details = issues.map((i) => `  - ${formatIssue(i)}`).join('\n');
    super(details ? `${summary}\n${details}` : summary);
    this.name = 'ServingStackError';
    this.code = code;
    this.issues = issues;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/**
 * Collect issues, then throw once with all of them (users fix everything in one pass).
 */
export class IssueCollector {
  private readonly found: ValidationIssue[] = [];

  public add(issue: ValidationIssue): void {
    this.found.push(issue);
  }

  public check(condition: boolean, issue: ValidationIssue): boolean {
    if (!condition) this.add(issue);
    return condition;
  }

  public get issues(): readonly ValidationIssue[] {
    return this.found;
  }

  public get ok(): boolean {
    return this.found.length === 0;
  }

  public throwIfAny(code: string, summary: string): void {
    if (this.found.length > 0) throw new ServingStackError(code, summary, this.found);
  }
}
