/** Convert an L1 (camelCase) structure to the SageMaker API shape (PascalCase). */
export function toApiShape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toApiShape);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k.charAt(0).toUpperCase() + k.slice(1), toApiShape(v)]));
  }
  return value;
}
