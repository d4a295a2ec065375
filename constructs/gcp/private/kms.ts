import { Checker } from './errors';

/** `projects/P/locations/L/keyRings/R/cryptoKeys/K`. */
export const KMS_KEY_NAME = /^projects\/([^/]+)\/locations\/([^/]+)\/keyRings\/([^/]+)\/cryptoKeys\/([^/]+)$/;

/** CMEK keys must live in the resources' region (Vertex AI, Artifact Registry, regional buckets). */
export function checkKmsKey(c: Checker, field: string, key: string | undefined, region: string): void {
  if (key === undefined || c.isUnresolved(key)) return;
  const m = KMS_KEY_NAME.exec(key);
  if (!c.check(m !== null, { field, message: 'is not a Cloud KMS key name', received: key, allowed: 'projects/PROJECT/locations/REGION/keyRings/RING/cryptoKeys/KEY' })) return;
  if (!c.isUnresolved(region)) {
    c.check(m![2] === region, { field, message: `is in location ${m![2]}, but CMEK keys must be in the stack's region`, received: key, allowed: `a key in locations/${region}` });
  }
}
