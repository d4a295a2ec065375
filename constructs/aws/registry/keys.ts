/** Where registered archives live in a registry bucket (shared by the constructs and `servingstack register`). */

/** Key prefix of every registered archive: `model-packages/<group>/…`. */
export const REGISTRY_KEY_PREFIX = 'model-packages/';

/** The S3 key of a version's archive: one key per group, manifest version and content. */
export function registryKey(groupName: string, manifest: { readonly version: string }, sha256: string): string {
  return `${REGISTRY_KEY_PREFIX}${groupName}/${manifest.version}/${sha256}/model.tar.gz`;
}
