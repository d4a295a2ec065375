/**
 * The AWS rollout planner: pure functions from the registry's and the endpoint's current state
 * (and its health signals) to what to change. No SDK, no I/O: the executor (executor.ts) reads
 * the state, calls these, and performs the plan.
 *
 * One rule decides everything: **an endpoint serves the newest `Approved` version of its model
 * package group.** An approval event, a rejection (rollback) and a `cdk deploy` (the deploy-time
 * lookup) all reconcile towards it, so they never disagree. Pending and rejected versions are
 * never chosen; a version pinned by a delivery pipeline must be approved (production) or at least
 * not rejected (staging).
 */
import { ServingStackError } from '../../../lib/core/errors';
import { AwsErrorCodes } from '../errors';


export const APPROVED = 'Approved';
export const REJECTED = 'Rejected';

/** A registered model package version, as the planner sees it. */
export interface VersionInfo {
  readonly modelPackageArn: string;
  readonly modelPackageVersion?: number;
  readonly approvalStatus: string;
  /** `InferenceSpecification.Containers[0].ModelDataUrl`. */
  readonly modelDataUrl?: string;
}

/** The fields of a "SageMaker Model Package State Change" event the planner reads. */
export interface ModelPackageStateChange {
  readonly ModelPackageArn?: string;
  readonly ModelPackageGroupName?: string;
  readonly ModelPackageVersion?: number;
  readonly ModelApprovalStatus?: string;
}

/** What the rollout handler was configured with (the function's environment). */
export interface RolloutSettings {
  readonly endpointName: string;
  readonly groupName: string;
  /** Variants that receive the new version; empty = every production variant serving a model. */
  readonly variantNames: readonly string[];
  /** Prefix of the models and configs the handler creates (≤ 30 characters). */
  readonly namePrefix: string;
}

/** What the endpoint serves now and how healthy it is. */
export interface EndpointState {
  readonly status: string;
  /** Model data URL served by the first targeted variant; undefined when it serves none. */
  readonly servedModelDataUrl?: string;
  /** Guardrail alarms currently in `ALARM`. */
  readonly alarmsFiring: readonly string[];
}

export type TriggerDecision = { readonly kind: 'reconcile' } | { readonly kind: 'ignore'; readonly reason: string };

export type RolloutPlan =
  | { readonly kind: 'none'; readonly reason: string }
  /** The endpoint is busy or unhealthy: retry later (the executor throws, Lambda retries the event). */
  | { readonly kind: 'wait'; readonly reason: string }
  | { readonly kind: 'deploy'; readonly version: VersionInfo; readonly modelDataUrl: string; readonly reason: 'promote' | 'rollback' };

/**
 * Is this event for us? Another group's event is refused (the rule filters on the group, so it
 * means a mis-wired rule or a forged event); status changes of this group all reconcile.
 */
export function checkTrigger(settings: RolloutSettings, detail: ModelPackageStateChange): TriggerDecision {
  if ((detail.ModelPackageGroupName ?? '').toLowerCase() !== settings.groupName.toLowerCase()) {
    throw new ServingStackError(AwsErrorCodes.ROLLOUT_FOREIGN_GROUP, `rollout for ${settings.endpointName} refused an event of another model package group`, [
      { field: 'detail.ModelPackageGroupName', message: 'is not the group this endpoint follows', received: detail.ModelPackageGroupName ?? null, allowed: settings.groupName },
    ]);
  }
  if (!detail.ModelPackageArn) {
    throw new ServingStackError(AwsErrorCodes.ROLLOUT_EVENT, 'model package state change without a version ARN', [
      { field: 'detail.ModelPackageArn', message: 'is missing', received: detail.ModelPackageArn ?? null, allowed: `a version ARN of ${settings.groupName}` },
    ]);
  }
  if (detail.ModelApprovalStatus === undefined) return { kind: 'ignore', reason: 'event carries no approval status' };
  return { kind: 'reconcile' };
}

/**
 * Given the newest approved version and the endpoint's state, what to do. The version the
 * endpoint should serve is the newest approved; when it serves something else the plan deploys
 * it — a "promote" when the served version is older or unknown, a "rollback" when the event
 * rejected the version being served.
 */
export function planRollout(input: {
  readonly event: ModelPackageStateChange;
  readonly newestApproved?: VersionInfo;
  readonly endpoint: EndpointState;
  /** The version the event is about, as described now (the event can be stale). */
  readonly eventVersion?: VersionInfo;
}): RolloutPlan {
  const { newestApproved: target, endpoint, eventVersion } = input;
  if (!target) return { kind: 'none', reason: 'no approved version in the group: the endpoint keeps what it serves' };
  if (!target.modelDataUrl) return { kind: 'none', reason: `newest approved version ${target.modelPackageArn} has no model data URL` };
  if (endpoint.servedModelDataUrl === target.modelDataUrl) {
    return { kind: 'none', reason: `already serving the newest approved version ${describe(target)}` };
  }
  if (endpoint.status !== 'InService') return { kind: 'wait', reason: `endpoint is ${endpoint.status}; retry when it is InService` };
  if (endpoint.alarmsFiring.length > 0) return { kind: 'wait', reason: `guardrail alarms in ALARM: ${endpoint.alarmsFiring.join(', ')}; no rollout into a failing endpoint` };
  const rejectedServed = eventVersion !== undefined && eventVersion.approvalStatus !== APPROVED && eventVersion.modelDataUrl !== undefined && eventVersion.modelDataUrl === endpoint.servedModelDataUrl;
  return { kind: 'deploy', version: target, modelDataUrl: target.modelDataUrl, reason: rejectedServed ? 'rollback' : 'promote' };
}

/** How a deploy-time lookup chooses the version a stack serves. */
export interface ServedVersionRequest {
  /** A version pinned by the app (a delivery pipeline's build). */
  readonly pinned?: VersionInfo;
  /** Production pins must be approved; staging pins may be pending (never rejected). */
  readonly requireApproved: boolean;
  readonly newestApproved?: VersionInfo;
  /** The app's own archive, served until a version is approved. */
  readonly fallbackModelDataUrl?: string;
  readonly groupName: string;
}

/** The version a stack serves, resolved at deploy time: the same rule as the rollout handler. */
export function planServedVersion(request: ServedVersionRequest): { readonly modelDataUrl: string; readonly version?: VersionInfo; readonly source: 'pinned' | 'newest-approved' | 'fallback' } {
  const { pinned } = request;
  if (pinned) {
    if (pinned.approvalStatus === REJECTED) {
      throw new ServingStackError(AwsErrorCodes.VERSION_REJECTED, `model package version ${pinned.modelPackageArn} was rejected and never deploys`, [
        { field: 'modelPackageArn', message: 'names a rejected version', received: pinned.approvalStatus, allowed: request.requireApproved ? APPROVED : `${APPROVED} | PendingManualApproval` },
      ]);
    }
    if (request.requireApproved && pinned.approvalStatus !== APPROVED) {
      throw new ServingStackError(AwsErrorCodes.VERSION_NOT_APPROVED, `model package version ${pinned.modelPackageArn} is not approved: only approved versions reach this stage`, [
        { field: 'modelPackageArn', message: 'names a version that is not approved', received: pinned.approvalStatus, allowed: APPROVED },
      ]);
    }
    return { modelDataUrl: artifactOf(pinned), version: pinned, source: 'pinned' };
  }
  if (request.newestApproved) return { modelDataUrl: artifactOf(request.newestApproved), version: request.newestApproved, source: 'newest-approved' };
  if (request.fallbackModelDataUrl) return { modelDataUrl: request.fallbackModelDataUrl, source: 'fallback' };
  throw new ServingStackError(AwsErrorCodes.NO_APPROVED_VERSION, `model package group ${request.groupName} has no approved version to deploy`, [
    { field: 'ModelPackageGroupName', message: 'has no version with status Approved', received: request.groupName, allowed: 'a group with an approved version (servingstack register, then approve it), or a fallback package (ModelData.fromRegistry(registry, { fallback }))' },
  ]);
}

function artifactOf(version: VersionInfo): string {
  if (!version.modelDataUrl) {
    throw new ServingStackError(AwsErrorCodes.VERSION_ARTIFACT_MISSING, `model package version ${version.modelPackageArn} has no model data`, [
      { field: 'InferenceSpecification.Containers[0].ModelDataUrl', message: 'is missing', received: null, allowed: 'an s3:// URL of a .tar.gz in the registry bucket' },
    ]);
  }
  return version.modelDataUrl;
}

function describe(v: VersionInfo): string {
  return v.modelPackageVersion !== undefined ? `v${v.modelPackageVersion}` : v.modelPackageArn;
}

/** A name SageMaker accepts (≤ 63, `[a-zA-Z0-9-]`), unique per version and time. */
export function resourceName(prefix: string, version: number | undefined, now: Date): string {
  const stamp = now.toISOString().replace(/[-:TZ.]/g, '').slice(0, 14);
  return `${prefix}-v${version ?? 0}-${stamp}`.replace(/[^A-Za-z0-9-]/g, '-').slice(0, 63).replace(/-+$/, '');
}
