/** Helm values are passed to `helm_release.values` as one JSON document (JSON is YAML). */
export function helmValues(values: Record<string, unknown>): string[] {
  return [JSON.stringify(values, null, 2)];
}

/** Deep merge of plain objects (arrays and scalars from `b` replace). */
export function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = isPlain(prev) && isPlain(v) ? deepMerge(prev, v) : v;
  }
  return out;
}

function isPlain(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
