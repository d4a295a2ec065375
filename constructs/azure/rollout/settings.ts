/**
 * What `servingstack azure` needs from the stack, as one JSON object: `AzureMlServing` writes it
 * as a Terraform output (`registerOutputs: true`), `cdktf output --json` prints it, the CLI reads
 * it back and validates it before the first call. No cdktf imports.
 */
import type { ValidationIssue } from '../../../lib/core/errors';
import { GUID, ONLINE_NAME, ONLINE_NAME_ALLOWED } from '../private/errors';

export const AZURE_ROLLOUT_KIND = 'servingstack.azure.rollout';
export const AZURE_ROLLOUT_VERSION = 1;

export interface AzureModelSettings {
  readonly name: string;
  readonly version: string;
  /** SHA-256 over the package files (`servingstack.packageSha256` on the model version). */
  readonly packageDigest: string;
  /** `https://<account>.blob.core.windows.net/<container>/models/<name>/<version>/package`. */
  readonly packageUrl: string;
}

export interface AzureRolloutSettings {
  readonly kind: string;
  readonly schemaVersion: number;
  readonly subscriptionId: string;
  readonly resourceGroupName: string;
  readonly workspaceName: string;
  readonly endpointName: string;
  /** API version of Microsoft.MachineLearningServices calls. */
  readonly apiVersion: string;
  /** Deployment name → the model it serves. */
  readonly deployments: Readonly<Record<string, AzureModelSettings>>;
}

export function endpointPath(s: Pick<AzureRolloutSettings, 'subscriptionId' | 'resourceGroupName' | 'workspaceName' | 'endpointName'>): string {
  return `/subscriptions/${s.subscriptionId}/resourceGroups/${s.resourceGroupName}/providers/Microsoft.MachineLearningServices/workspaces/${s.workspaceName}/onlineEndpoints/${s.endpointName}`;
}

/** Problems in settings read from `cdktf output --json` or flags. */
export function validateRolloutSettings(s: Partial<AzureRolloutSettings>): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const str = (field: keyof AzureRolloutSettings, re: RegExp, allowed: string): void => {
    const v = s[field];
    if (typeof v !== 'string' || !re.test(v)) issues.push({ field, message: v === undefined ? 'is missing' : 'has the wrong form', received: v, allowed });
  };
  str('subscriptionId', GUID, 'a GUID (--subscription-id or the stack output)');
  str('resourceGroupName', /^[-\w._()]{1,90}$/, 'a resource group name');
  str('workspaceName', /^[a-zA-Z0-9][a-zA-Z0-9_-]{2,32}$/, 'a workspace name');
  str('endpointName', ONLINE_NAME, ONLINE_NAME_ALLOWED);
  str('apiVersion', /^\d{4}-\d{2}-\d{2}(-preview)?$/, 'an API version such as 2024-10-01');
  for (const [name, m] of Object.entries(s.deployments ?? {})) {
    if (!ONLINE_NAME.test(name)) issues.push({ field: `deployments.${name}`, message: 'is not a deployment name', received: name, allowed: ONLINE_NAME_ALLOWED });
    if (!m || typeof m.packageUrl !== 'string' || !/^https:\/\/[a-z0-9]{3,24}\.blob\.core\.windows\.net\/[a-z0-9-]{3,63}\/\S+$/.test(m.packageUrl)) {
      issues.push({ field: `deployments.${name}.packageUrl`, message: 'is not a blob folder URL', received: m?.packageUrl, allowed: 'https://<account>.blob.core.windows.net/<container>/<path>' });
    }
    if (!m || typeof m.packageDigest !== 'string' || !/^[a-f0-9]{64}$/.test(m.packageDigest)) issues.push({ field: `deployments.${name}.packageDigest`, message: 'is not a SHA-256', received: m?.packageDigest, allowed: '64 hex digits' });
  }
  return issues;
}

/** The AzureMlServing output inside `cdktf output --json` (a stack's outputs, or all stacks'). */
export function findRolloutSettings(outputs: unknown, name?: string): Partial<AzureRolloutSettings> | undefined {
  const found: [string, Partial<AzureRolloutSettings>][] = [];
  const visit = (key: string, v: unknown): void => {
    if (!v || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    if (o.kind === AZURE_ROLLOUT_KIND) {
      found.push([key, o as Partial<AzureRolloutSettings>]);
      return;
    }
    // In synthesized JSON an output is `{ "<name>": { "value": … } }`: the name is the parent's key.
    for (const [k, child] of Object.entries(o)) visit(k === 'value' ? key : k, child);
  };
  visit('', outputs);
  const match = name ? found.filter(([k]) => k === name || k === `${name}_rollout`) : found;
  return match.length === 1 ? match[0]![1] : undefined;
}
