/**
 * Registry metadata from a manifest, shared by the ModelPackage construct and
 * `servingstack register` (no CDK or SDK imports: both sides load it).
 */
import { ModelManifest } from '../../../lib/core/manifest';

/** The manifest's identity and lineage as registry metadata (≤ 50 entries, values ≤ 256 characters). */
export function lineageMetadata(manifest: ModelManifest | undefined): Record<string, string> | undefined {
  if (!manifest) return undefined;
  const meta: Record<string, string> = {
    'servingstack:name': manifest.name,
    'servingstack:version': manifest.version,
    'servingstack:format': manifest.format,
  };
  if (manifest.task) meta['servingstack:task'] = manifest.task;
  const l = manifest.lineage;
  if (l?.trainingData) {
    meta['lineage:trainingData'] = l.trainingData.uri;
    if (l.trainingData.version) meta['lineage:trainingDataVersion'] = l.trainingData.version;
  }
  if (l?.codeCommit) meta['lineage:codeCommit'] = l.codeCommit;
  if (l?.codeRepository) meta['lineage:codeRepository'] = l.codeRepository;
  if (l?.createdAt) meta['lineage:createdAt'] = l.createdAt;
  for (const [k, v] of Object.entries(l?.metrics ?? {})) meta[`metric:${k}`.slice(0, 128)] = String(v);
  return Object.fromEntries(Object.entries(meta).slice(0, 50).map(([k, v]) => [k, v.length > 256 ? `${v.slice(0, 255)}…` : v]));
}

