/**
 * Rendering synthesized values (CloudFormation intrinsics, Terraform interpolations) as short,
 * stable strings. Content hashes (CDK asset hashes, fingerprints: 64 hex digits) are replaced by
 * `<asset>`: they change with every source edit and are noise to a reviewer.
 */

const HASH = /[0-9a-f]{64}/g;

export function normalizeHashes(s: string): string {
  return s.replace(HASH, '<asset>');
}

/** A CloudFormation value as text: `Ref(X)`, `X.Arn`, `${AWS::AccountId}` kept as written. */
export function renderCfn(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return normalizeHashes(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.map(renderCfn).join(', ');
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1) {
    const [k] = keys;
    const a = o[k];
    if (k === 'Ref') return `Ref(${stripLogicalHash(String(a))})`;
    if (k === 'Fn::GetAtt') return Array.isArray(a) ? `${[stripLogicalHash(String(a[0])), ...a.slice(1)].join('.')}` : String(a);
    if (k === 'Fn::Join' && Array.isArray(a)) return (a[1] as unknown[]).map(renderCfn).join(String(a[0]));
    if (k === 'Fn::Sub') return normalizeHashes(Array.isArray(a) ? String(a[0]) : String(a));
    if (k === 'Fn::ImportValue') return `Import(${renderCfn(a)})`;
  }
  return `{${keys.sort().map((key) => `${key}: ${renderCfn(o[key])}`).join('; ')}}`;
}

/** CDK logical ids end in 8 hex digits derived from the construct path: not shown. */
export function stripLogicalHash(id: string): string {
  return id.replace(/(?<=[a-z0-9])[0-9A-F]{8}$/, '');
}

/** A number when the value is a literal number (or a numeric string), else undefined. */
export function num(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

/** A literal string when the value is one (numbers too), else its rendering. */
export function str(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? normalizeHashes(v) : renderCfn(v);
}

/** Deep copy with object keys sorted: two orderings of the same object render the same. */
export function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v as object).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

/** Whether a rendered or raw value mentions a logical id or name (references between resources). */
export function mentions(v: unknown, needle: string): boolean {
  if (!needle) return false;
  return JSON.stringify(v ?? null).includes(needle);
}

export function asArray<T>(v: T | T[] | undefined | null): T[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

/** Seconds as `10 min`, `90 s`, `2 h`. */
export function seconds(s: number | undefined): string | undefined {
  if (s === undefined) return undefined;
  if (s >= 3600 && s % 3600 === 0) return `${s / 3600} h`;
  if (s >= 60 && s % 60 === 0) return `${s / 60} min`;
  return `${s} s`;
}
