/**
 * JSON Schema (ajv) errors as ServingStack validation issues: the field as a dotted/indexed path,
 * the value received and what is allowed. Shared by every validated document (manifest, baseline).
 */
import type { ErrorObject } from 'ajv';
import type { ValidationIssue } from './errors';

export interface SchemaIssueOptions {
  /** Name of the document root in messages, e.g. `(manifest)`. */
  readonly root: string;
  /** Human wording of a `pattern`, when known. */
  readonly patternDescriptions?: Readonly<Record<string, string>>;
  /** Message and allowed text for a failed `not` (the schemas use `not` for one rule each). */
  readonly not?: { readonly message: string; readonly allowed: string };
}

/** `/signature/inputs/0/shape` → `signature.inputs[0].shape`. */
export function fieldOfPointer(instancePath: string, root: string): string {
  if (!instancePath) return root;
  return instancePath
    .slice(1)
    .split('/')
    .map((seg) => seg.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, seg) => (/^\d+$/.test(seg) ? `${acc}[${seg}]` : acc ? `${acc}.${seg}` : seg), '');
}

export function issueFromSchemaError(e: ErrorObject, o: SchemaIssueOptions): ValidationIssue | undefined {
  const field = fieldOfPointer(e.instancePath, o.root);
  const child = (key: unknown): string => (field === o.root ? String(key) : `${field}.${String(key)}`);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return { field: child(p.missingProperty), message: 'is required' };
    case 'additionalProperties':
      return { field: child(p.additionalProperty), message: 'is not a known field', allowed: Object.keys((e.parentSchema as { properties?: object })?.properties ?? {}).join(', ') };
    case 'enum':
      return { field, message: 'is not one of the allowed values', received: e.data, allowed: (p.allowedValues as unknown[]).join(' | ') };
    case 'const':
      return { field, message: 'has an unsupported value', received: e.data, allowed: String(p.allowedValue) };
    case 'type':
      return { field, message: `must be ${String(p.type)}`, received: e.data, allowed: String(p.type) };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const sign = { minimum: '≥', maximum: '≤', exclusiveMinimum: '>', exclusiveMaximum: '<' }[e.keyword];
      return { field, message: 'is out of range', received: e.data, allowed: `${sign} ${String(p.limit)}` };
    }
    case 'minItems':
    case 'maxItems':
      return {
        field,
        message: `must have ${e.keyword === 'minItems' ? 'at least' : 'at most'} ${String(p.limit)} items`,
        received: Array.isArray(e.data) ? `${e.data.length} items` : e.data,
        allowed: `${e.keyword === 'minItems' ? '≥' : '≤'} ${String(p.limit)} items`,
      };
    case 'minLength':
    case 'maxLength':
      return {
        field,
        message: `must have ${e.keyword === 'minLength' ? 'at least' : 'at most'} ${String(p.limit)} characters`,
        received: typeof e.data === 'string' && e.data.length > 80 ? `${e.data.length} characters` : e.data,
        allowed: `${e.keyword === 'minLength' ? '≥' : '≤'} ${String(p.limit)} characters`,
      };
    case 'pattern':
      return { field, message: 'has the wrong form', received: e.data, allowed: o.patternDescriptions?.[String(p.pattern)] ?? `matching ${String(p.pattern)}` };
    case 'not':
      return { field, message: o.not?.message ?? 'has a value that is not allowed', received: e.data, allowed: o.not?.allowed };
    case 'if':
      return undefined; // reported by the branch that failed
    default:
      return { field, message: e.message ?? 'is invalid', received: e.data };
  }
}
