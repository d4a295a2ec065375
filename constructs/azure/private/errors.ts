/**
 * Error codes and shared checks of the Azure target. No cdktf imports: the rollout and the CLI
 * use the same codes and checks; constructs pass cdktf's `Token.isUnresolved` so values only
 * known at apply are accepted unchecked.
 */
import { Checker } from '../../../lib/core/validation';

export { AzureErrorCodes } from '../errors';

export { Checker };

/**
 * Endpoint and deployment names (learn.microsoft.com/azure/machine-learning/how-to-manage-quotas,
 * "Azure Machine Learning online endpoints and batch endpoints"): begin with a letter, 3–32
 * characters, letters and digits, single dashes accepted (not two in a row, not at the end).
 */
export const ONLINE_NAME = /^[A-Za-z](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){2,31}$/;
export const ONLINE_NAME_ALLOWED = 'begins with a letter, 3–32 characters, letters and digits with single dashes between them';

/** Azure ML asset names (models, environments): letters, digits, `-`, `_`, `.`, up to 255, starting with a letter or digit. */
export const ASSET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/;
export const ASSET_NAME_ALLOWED = 'letters, digits, - _ and ., at most 255 characters, starting with a letter or digit';

/** A GUID (subscription, tenant, principal IDs). */
export const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** An ARM resource ID of a given type (case-insensitive provider/type segments). */
export function armIdPattern(namespaceAndType: string): RegExp {
  const parts = namespaceAndType.split('/');
  const ns = parts[0]!.replace(/\./g, '\\.');
  const types = parts.slice(1).map((t) => `${t}/[^/]+`).join('/');
  return new RegExp(`^/subscriptions/[0-9a-fA-F-]{36}/resourceGroups/[^/]+/providers/${ns}/${types}$`, 'i');
}

export const RESOURCE_GROUP_ID = /^\/subscriptions\/[0-9a-fA-F-]{36}\/resourceGroups\/[-\w._()]{1,90}$/i;

/** Environment variable names the deployment may set. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Check `field` is a name Azure accepts for an online endpoint or deployment. */
export function checkOnlineName(c: Checker, field: string, value: string | undefined): boolean {
  return c.pattern(field, value, ONLINE_NAME, ONLINE_NAME_ALLOWED, 'is not a valid online endpoint/deployment name');
}

/** Azure resource tags: at most 50, keys ≤ 512 characters without `<>%&\?/`, values ≤ 256. */
export function checkTags(c: Checker, field: string, tags: Readonly<Record<string, string>> | undefined): void {
  const entries = Object.entries(tags ?? {});
  c.check(entries.length <= 50, { field, message: 'has too many tags', received: entries.length, allowed: 'at most 50 tags' });
  for (const [k, v] of entries) {
    c.pattern(`${field}.${k}`, k, /^[^<>%&\\?/]{1,512}$/, '1–512 characters without < > % & \\ ? /', 'is not a valid tag name');
    c.check(typeof v === 'string' && v.length <= 256, { field: `${field}.${k}`, message: 'is not a valid tag value', received: v, allowed: 'a string of at most 256 characters' });
  }
}
