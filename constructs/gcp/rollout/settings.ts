/**
 * What the rollout needs from the stack, as one JSON object: the `VertexServing` construct
 * writes it as a Terraform output (`registerOutputs: true`), `cdktf output --json` prints it,
 * `servingstack gcp` reads it back here and validates it before the first API call. Flags
 * override single fields. No cdktf imports.
 */
import { checkRuntimeEnvironment } from '../../../lib/core/contract/environment';
import { ThresholdGroup, Thresholds } from '../../../lib/core/contract/thresholds';
import { ServingStackError } from '../../../lib/core/errors';
import { DeploymentInput, DeploymentSpec, resolveDeployment } from '../deployment-resources';
import { Checker, GCP_ERRORS, checkLabels } from '../private/errors';
import { checkKmsKey } from '../private/kms';
import { VERTEX_REGIONS_ALLOWED, isVertexRegion } from '../regions';

export const ROLLOUT_SETTINGS_KIND = 'servingstack.gcp.rollout';
export const ROLLOUT_SETTINGS_VERSION = 1;

/** Rollout policy: canary share, bake time, the prediction minimum and the error-rate gate. */
export interface RolloutPolicy {
  /**
   * Share of traffic (1–100 %) the new version receives during the canary; 100 skips the canary.
   * @default 10
   */
  readonly canaryTrafficPercent?: number;
  /**
   * Minimum bake time: the canary is never promoted earlier, in seconds (health is checked
   * throughout). Cloud Monitoring data lags a few minutes; bake long enough for it to arrive.
   * @default 600
   */
  readonly bakeTimeSeconds?: number;
  /**
   * Predictions the canary must have served (Cloud Monitoring `prediction_count` of its deployed
   * model since the bake started) before it can be promoted. With fewer the bake goes on until
   * `maxBakeTimeSeconds`, then the canary is rolled back: zero predictions never promote. Applies
   * whenever a champion is deployed to fall back to (a first deployment has none and is judged on
   * replica health and errors only).
   * @default 100
   */
  readonly minPredictions?: number;
  /**
   * How long the bake may last while waiting for `minPredictions`, in seconds; at least
   * `bakeTimeSeconds`.
   * @default - bakeTimeSeconds + 3600
   */
  readonly maxBakeTimeSeconds?: number;
  /**
   * Roll back when the canary's errors exceed this share of its predictions, in percent (the
   * shared rollout gate `RolloutGateThresholds.maxErrorRatePercent`).
   * @default 1
   */
  readonly maxErrorRatePercent?: number;
}

/** The stack output the rollout reads (plain JSON). */
export interface RolloutSettings {
  readonly kind: string;
  readonly schemaVersion: number;
  readonly project: string;
  readonly region: string;
  /** Numeric endpoint ID. */
  readonly endpointId: string;
  /** Model Registry model ID (versions are uploaded under it). */
  readonly modelId: string;
  /** `gs://BUCKET/PREFIX`: packages are uploaded below it. */
  readonly artifactPrefix: string;
  /** Runtime image URI, `REGION-docker.pkg.dev/PROJECT/REPO/IMAGE:TAG`. */
  readonly imageUri: string;
  /** E-mail of the service account the deployed model runs as. */
  readonly runtimeServiceAccount?: string;
  /** CMEK key for the uploaded model. */
  readonly kmsKeyName?: string;
  readonly deployment: DeploymentInput;
  readonly policy: RolloutPolicy;
  /** Extra runtime environment variables. */
  readonly env: Readonly<Record<string, string>>;
  readonly labels?: Readonly<Record<string, string>>;
}

/** Settings after validation, defaults applied. */
export interface ResolvedRolloutSettings extends RolloutSettings {
  readonly deploymentSpec: DeploymentSpec;
  readonly canaryTrafficPercent: number;
  readonly bakeTimeSeconds: number;
  readonly minPredictions: number;
  readonly maxBakeTimeSeconds: number;
  readonly maxErrorRatePercent: number;
  /** `projects/P/locations/R`. */
  readonly location: string;
  /** `projects/P/locations/R/endpoints/ID`. */
  readonly endpointName: string;
  /** `projects/P/locations/R/models/ID`. */
  readonly modelName: string;
}

export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Validate the policy fields; shared by the construct (synth) and the CLI. */
export function checkPolicy(c: Checker, policy: RolloutPolicy, prefix = 'policy'): ResolvedRolloutPolicy {
  const canary = policy.canaryTrafficPercent ?? 10;
  const bake = policy.bakeTimeSeconds ?? DEFAULT_BAKE_TIME_SECONDS;
  const minPredictions = policy.minPredictions ?? DEFAULT_MIN_PREDICTIONS;
  const maxBake = policy.maxBakeTimeSeconds ?? (typeof bake === 'number' ? bake + DEFAULT_EXTRA_BAKE_SECONDS : bake);
  c.intRange(`${prefix}.canaryTrafficPercent`, canary, 1, 100, '%');
  c.intRange(`${prefix}.bakeTimeSeconds`, bake, 0, 86_400, 's');
  // Zero predictions must never count as a healthy canary: the minimum is at least 1.
  c.intRange(`${prefix}.minPredictions`, minPredictions, 1, 1_000_000_000, 'predictions');
  if (c.intRange(`${prefix}.maxBakeTimeSeconds`, maxBake, 0, 7 * 86_400, 's') && typeof bake === 'number' && !c.isUnresolved(maxBake) && !c.isUnresolved(bake)) {
    c.check(maxBake >= bake, { field: `${prefix}.maxBakeTimeSeconds`, message: 'is shorter than the minimum bake time', received: maxBake, allowed: `at least ${prefix}.bakeTimeSeconds (${bake} s)` });
  }
  // The error-rate gate is the shared rollout-gate threshold (same name, unit and default on every target).
  for (const issue of Thresholds.validate(ThresholdGroup.ROLLOUT_GATE, { maxErrorRatePercent: policy.maxErrorRatePercent }, prefix, (v) => c.isUnresolved(v))) c.add(issue);
  const { maxErrorRatePercent } = Thresholds.resolveRolloutGates({ maxErrorRatePercent: policy.maxErrorRatePercent });
  return { canaryTrafficPercent: canary, bakeTimeSeconds: bake, minPredictions, maxBakeTimeSeconds: maxBake, maxErrorRatePercent };
}

/** The policy with defaults applied. */
export interface ResolvedRolloutPolicy {
  readonly canaryTrafficPercent: number;
  readonly bakeTimeSeconds: number;
  readonly minPredictions: number;
  readonly maxBakeTimeSeconds: number;
  readonly maxErrorRatePercent: number;
}

/** Defaults of {@link RolloutPolicy} (stated in docs/gcp.md). */
export const DEFAULT_BAKE_TIME_SECONDS = 600;
export const DEFAULT_MIN_PREDICTIONS = 100;
/** `maxBakeTimeSeconds` defaults to the bake time plus this. */
export const DEFAULT_EXTRA_BAKE_SECONDS = 3600;

/** Validate runtime env: names, no `AIP_*` (Vertex sets those), `SERVINGSTACK_*` from the runtime's catalogue. */
export function checkEnv(c: Checker, env: Readonly<Record<string, string>> | undefined, field = 'env'): void {
  for (const issue of checkRuntimeEnvironment(field, env)) c.add(issue);
  for (const [k, v] of Object.entries(env ?? {})) {
    c.pattern(`${field}.${k}`, k, ENV_NAME, 'letters, digits and _, not starting with a digit', 'is not a valid environment variable name');
    c.check(!k.startsWith('AIP_'), { field: `${field}.${k}`, message: 'is reserved: Vertex AI sets AIP_* variables itself', received: k, allowed: 'any name not starting with AIP_' });
    c.check(typeof v === 'string', { field: `${field}.${k}`, message: 'must be a string', received: v, allowed: 'a string value' });
  }
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * Find the rollout settings in `cdktf output --json` / `terraform output -json` text: the object
 * itself, `{ NAME: { value: settings } }`, or `{ STACK: { NAME: settings } }`. With several
 * VertexServing outputs, `outputName` picks one.
 */
export function findRolloutSettings(raw: unknown, outputName?: string): unknown {
  const found: { name: string; value: unknown }[] = [];
  const visit = (x: unknown, name: string, depth: number): void => {
    if (!isObject(x) || depth > 3) return;
    if (x.kind === ROLLOUT_SETTINGS_KIND) {
      found.push({ name, value: x });
      return;
    }
    for (const [k, v] of Object.entries(x)) visit(v, k === 'value' ? name : k, depth + 1);
  };
  visit(raw, '', 0);
  const matching = outputName ? found.filter((f) => f.name === outputName) : found;
  if (matching.length === 1) return matching[0].value;
  throw new ServingStackError(GCP_ERRORS.ROLLOUT_INPUT, 'cannot pick the rollout settings from the stack outputs', [
    {
      field: 'outputs',
      message: matching.length === 0 ? 'holds no VertexServing rollout output' : 'holds several VertexServing rollout outputs',
      received: found.map((f) => f.name),
      allowed: matching.length === 0 ? 'the JSON of `cdktf output --json` for a stack with VertexServing({ registerOutputs: true })' : 'pass --output-name with one of them',
    },
  ]);
}

/** Validate settings (stack output merged with flags) before any API call. */
export function resolveRolloutSettings(raw: unknown): ResolvedRolloutSettings {
  const c = new Checker(GCP_ERRORS.ROLLOUT_INPUT, 'the rollout settings are invalid (stack outputs and flags)');
  if (!isObject(raw)) {
    c.add({ field: '(settings)', message: 'is not an object', received: raw, allowed: 'the rollout settings object' });
    c.throwIfAny();
  }
  const s = raw as unknown as RolloutSettings;
  c.check(s.schemaVersion === ROLLOUT_SETTINGS_VERSION, { field: 'schemaVersion', message: 'is not supported', received: s.schemaVersion, allowed: String(ROLLOUT_SETTINGS_VERSION) });
  const FLAGS: Record<string, string> = { project: '--project', region: '--region', endpointId: '--endpoint-id', modelId: '--model-id', artifactPrefix: '--artifact-prefix', imageUri: '--image' };
  const present = (key: keyof RolloutSettings): boolean =>
    c.check(typeof s[key] === 'string' && s[key] !== '', { field: key, message: 'is required', received: s[key], allowed: `a value in the stack outputs (--outputs) or ${FLAGS[key]}` });
  if (present('project')) c.pattern('project', s.project, /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, 'a project ID');
  if (present('region')) c.check(isVertexRegion(s.region), { field: 'region', message: 'is not a region Vertex AI prediction is offered in', received: s.region, allowed: VERTEX_REGIONS_ALLOWED });
  if (present('endpointId')) c.pattern('endpointId', s.endpointId, /^[1-9][0-9]{0,9}$/, 'a numeric endpoint ID');
  if (present('modelId')) c.pattern('modelId', s.modelId, /^[a-z][a-z0-9_-]{0,62}$/, 'lower-case letters, digits, _ and -, starting with a letter, at most 63 characters');
  if (present('artifactPrefix')) c.pattern('artifactPrefix', s.artifactPrefix, /^gs:\/\/[a-z0-9][a-z0-9._-]{1,221}[a-z0-9](\/[^\s]*)?$/, 'gs://BUCKET[/PREFIX]');
  if (present('imageUri')) c.pattern('imageUri', s.imageUri, /^[a-z0-9.-]+(:[0-9]+)?\/[^\s:@]+(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[0-9a-f]{64})$/, 'an image URI with a tag or digest, e.g. europe-west4-docker.pkg.dev/PROJECT/REPO/servingstack-runtime:0.1.0');
  if (s.runtimeServiceAccount !== undefined) c.pattern('runtimeServiceAccount', s.runtimeServiceAccount, /^[^@\s]+@[a-z0-9.-]+\.iam\.gserviceaccount\.com$/, 'a service account e-mail');
  checkEnv(c, s.env);
  if (typeof s.region === 'string') checkKmsKey(c, 'kmsKeyName', s.kmsKeyName, s.region);
  checkLabels(c, 'labels', s.labels);
  const policy = checkPolicy(c, isObject(s.policy) ? s.policy : {});
  let spec: DeploymentSpec | undefined;
  if (c.check(isObject(s.deployment) && typeof s.deployment.machineType === 'string', { field: 'deployment.machineType', message: 'is required', received: s.deployment, allowed: 'a machine type such as n1-standard-4' })) {
    spec = resolveDeployment(s.deployment, c, 'deployment');
  }
  c.throwIfAny();
  const location = `projects/${s.project}/locations/${s.region}`;
  return {
    ...s,
    env: s.env ?? {},
    ...policy,
    deploymentSpec: spec!,
    location,
    endpointName: `${location}/endpoints/${s.endpointId}`,
    modelName: `${location}/models/${s.modelId}`,
  };
}
