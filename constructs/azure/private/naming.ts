/** Name helpers of the Azure target (no cdktf imports). */

/** FNV-1a → 6 base-36 characters: stable, short suffixes for globally unique names. */
export function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(36).padStart(7, '0').slice(-6);
}

/** The last segment of an ARM ID. */
export function lastSegment(id: string): string {
  return id.split('/').pop() ?? id;
}
