/**
 * The canary rollout as a pure planner over desired state. No cluster, network or cdktf code:
 * the executor (executor.ts) observes the cluster, calls these functions and writes the new state
 * file; `servingstack onprem promote|rollback|status` parses flags and shows the result.
 *
 * State machine (one state file per service, read by CanaryRollout at synth):
 *
 *   stable ──promote --version V──▶ canary(V, w=steps[0]) ──promote──▶ canary(V, next step) … canary(V, 100)
 *   canary(V, 100) ──promote──▶ finalizing: stable := V (rolls with maxUnavailable 0 while the
 *                                canary still takes 100 %) ──promote──▶ stable(V), canary removed
 *   canary / finalizing ──rollback──▶ stable(previous), canary removed
 *
 * Every promote is gated on the health of the track about to receive more traffic.
 */
import { RolloutGateThresholds, Thresholds } from '../../../lib/core/contract/thresholds';
import type { ValidationIssue } from '../../../lib/core/errors';

/** Desired state of one service's rollout (the JSON state file). */
export interface RolloutState {
  /** Model version the stable track serves. */
  readonly stableVersion: string;
  /** Where the stable model package is (`s3://…` or `pvc://…`). */
  readonly stableModelUri: string;
  /**
   * Model version of the canary track.
   * @default - no canary
   */
  readonly canaryVersion?: string;
  /**
   * Where the canary model package is.
   * @default - no canary
   */
  readonly canaryModelUri?: string;
  /**
   * Percent of ingress traffic routed to the canary (0–100).
   * @default 0
   */
  readonly canaryWeight?: number;
  /**
   * The stable version before the last promotion (rollback target after finalizing).
   * @default - none
   */
  readonly previousStableVersion?: string;
  /**
   * Model URI of `previousStableVersion`.
   * @default - none
   */
  readonly previousStableModelUri?: string;
}

export type RolloutPhase = 'stable' | 'canary' | 'finalizing';

/** Observed health of one track. */
export interface TrackHealth {
  readonly desiredReplicas: number;
  readonly readyReplicas: number;
  readonly updatedReplicas: number;
  /** 5xx share over the last 5 minutes, percent (undefined: not measured). */
  readonly errorRatePercent?: number;
  /** p99 latency over the last 5 minutes, milliseconds (undefined: not measured). */
  readonly p99LatencyMillis?: number;
}

export interface RolloutObservation {
  readonly stable?: TrackHealth;
  readonly canary?: TrackHealth;
}

/** The shared rollout gates (`maxErrorRatePercent` 1 %, `maxP99LatencyMillis` 1000 ms) and the canary steps. */
export interface RolloutGates extends RolloutGateThresholds {
  /** Canary weights, ascending, ending at 100. @default [10, 25, 50, 100] */
  readonly steps?: readonly number[];
}

export const DEFAULT_STEPS: readonly number[] = [10, 25, 50, 100];

export type RolloutAction = 'start' | 'advance' | 'finalize' | 'complete' | 'rollback' | 'revert' | 'none';

export interface RolloutPlan {
  readonly action: RolloutAction;
  /** False when a gate or a precondition refused the change; `to` then equals `from`. */
  readonly allowed: boolean;
  /** Why the plan was refused, or what was checked. */
  readonly reasons: readonly string[];
  readonly from: RolloutState;
  readonly to: RolloutState;
  readonly summary: string;
}

const VERSION = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const URI = /^(s3|pvc):\/\/[^/\s]+(\/\S*)?$/;

/** Problems in a state file (shared by the CLI and CanaryRollout). */
export function validateRolloutState(state: RolloutState, prefix = 'state'): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const v = (field: string, value: unknown): void => {
    if (typeof value !== 'string' || !VERSION.test(value)) issues.push({ field: `${prefix}.${field}`, message: 'is not a valid model version (it becomes a Kubernetes label value)', received: value, allowed: 'letters, digits, -, _ and ., 1–63 characters, starting and ending with a letter or digit' });
  };
  const u = (field: string, value: unknown): void => {
    if (typeof value !== 'string' || !URI.test(value)) issues.push({ field: `${prefix}.${field}`, message: 'is not a model URI the init container can fetch', received: value, allowed: 's3://<bucket>/<prefix> or pvc://<claim>/<path>' });
  };
  if (typeof state !== 'object' || state === null) return [{ field: prefix, message: 'is not an object', received: state, allowed: '{ stableVersion, stableModelUri, … }' }];
  v('stableVersion', state.stableVersion);
  u('stableModelUri', state.stableModelUri);
  const hasCanary = state.canaryVersion !== undefined || state.canaryModelUri !== undefined;
  if (hasCanary) {
    v('canaryVersion', state.canaryVersion);
    u('canaryModelUri', state.canaryModelUri);
  }
  const w = state.canaryWeight;
  if (w !== undefined) {
    if (!(Number.isInteger(w) && w >= 0 && w <= 100)) issues.push({ field: `${prefix}.canaryWeight`, message: 'is not a whole percentage', received: w, allowed: 'a whole number from 0 to 100' });
    else if (w > 0 && !hasCanary) issues.push({ field: `${prefix}.canaryWeight`, message: 'routes traffic to a canary that is not defined', received: w, allowed: '0 without canaryVersion/canaryModelUri' });
  }
  if ((state.previousStableVersion === undefined) !== (state.previousStableModelUri === undefined)) {
    issues.push({ field: `${prefix}.previousStableVersion`, message: 'and previousStableModelUri must be given together', received: { previousStableVersion: state.previousStableVersion, previousStableModelUri: state.previousStableModelUri }, allowed: 'both or neither' });
  } else if (state.previousStableVersion !== undefined) {
    v('previousStableVersion', state.previousStableVersion);
    u('previousStableModelUri', state.previousStableModelUri);
  }
  return issues;
}

export function rolloutPhase(state: RolloutState): RolloutPhase {
  if (state.canaryVersion === undefined) return 'stable';
  return state.canaryVersion === state.stableVersion ? 'finalizing' : 'canary';
}

function gateReasons(track: 'canary' | 'stable', h: TrackHealth | undefined, gates: RolloutGates): string[] {
  if (!h) return [`no health observation for the ${track} track (run with cluster access, or pass --skip-health-check deliberately)`];
  const out: string[] = [];
  if (h.desiredReplicas < 1) out.push(`${track}: no replicas desired`);
  if (h.readyReplicas < h.desiredReplicas) out.push(`${track}: ${h.readyReplicas}/${h.desiredReplicas} replicas ready`);
  if (h.updatedReplicas < h.desiredReplicas) out.push(`${track}: ${h.updatedReplicas}/${h.desiredReplicas} replicas updated (rollout in progress)`);
  const g = Thresholds.resolveRolloutGates(gates);
  if (h.errorRatePercent !== undefined && h.errorRatePercent > g.maxErrorRatePercent) out.push(`${track}: error rate ${round(h.errorRatePercent)}% is above ${g.maxErrorRatePercent}%`);
  if (h.p99LatencyMillis !== undefined && h.p99LatencyMillis > g.maxP99LatencyMillis) out.push(`${track}: p99 latency ${round(h.p99LatencyMillis)} ms is above ${g.maxP99LatencyMillis} ms`);
  return out;
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

function refused(action: RolloutAction, state: RolloutState, reasons: string[], summary: string): RolloutPlan {
  return { action, allowed: false, reasons, from: state, to: state, summary };
}

function withoutCanary(s: RolloutState): RolloutState {
  const { canaryVersion: _v, canaryModelUri: _u, canaryWeight: _w, ...rest } = s;
  return rest;
}

export interface PromoteRequest {
  /** The version to start a canary of (required when no canary is in progress). */
  readonly target?: { readonly version: string; readonly modelUri: string };
  readonly observation?: RolloutObservation;
  readonly gates?: RolloutGates;
  /** Skip health gates (recorded in the plan's reasons). */
  readonly skipHealthCheck?: boolean;
}

/** Validate gate steps: ascending whole percentages ending at 100. */
export function validateSteps(steps: readonly number[]): ValidationIssue[] {
  const ok = steps.length > 0 && steps.every((s, i) => Number.isInteger(s) && s >= 1 && s <= 100 && (i === 0 || s > steps[i - 1]!)) && steps[steps.length - 1] === 100;
  return ok ? [] : [{ field: 'steps', message: 'are not ascending whole percentages ending at 100', received: steps, allowed: 'e.g. 10,25,50,100' }];
}

export function planPromote(state: RolloutState, req: PromoteRequest = {}): RolloutPlan {
  const gates = req.gates ?? {};
  const steps = gates.steps ?? DEFAULT_STEPS;
  const phase = rolloutPhase(state);
  const gate = (track: 'canary' | 'stable'): string[] => (req.skipHealthCheck ? [] : gateReasons(track, req.observation?.[track], gates));
  const skipped = req.skipHealthCheck ? ['health gates skipped on request'] : [];

  if (phase === 'stable') {
    if (!req.target) return refused('start', state, ['no canary is in progress; name the version to start one with'], 'nothing to promote');
    if (req.target.version === state.stableVersion) return refused('start', state, [`version ${req.target.version} is already stable`], 'nothing to promote');
    const to: RolloutState = { ...state, canaryVersion: req.target.version, canaryModelUri: req.target.modelUri, canaryWeight: steps[0] };
    return { action: 'start', allowed: true, reasons: [], from: state, to, summary: `start canary ${req.target.version} at ${steps[0]}% next to stable ${state.stableVersion}` };
  }
  if (req.target && req.target.version !== state.canaryVersion) {
    return refused('advance', state, [`canary ${state.canaryVersion} is in progress; promote or roll it back before starting ${req.target.version}`], 'another canary is in progress');
  }
  if (phase === 'canary') {
    const weight = state.canaryWeight ?? 0;
    const blocked = gate('canary');
    if (weight >= 100) {
      if (blocked.length > 0) return refused('finalize', state, blocked, `canary ${state.canaryVersion} is not healthy; roll back or wait`);
      const to: RolloutState = { ...state, stableVersion: state.canaryVersion!, stableModelUri: state.canaryModelUri!, previousStableVersion: state.stableVersion, previousStableModelUri: state.stableModelUri, canaryWeight: 100 };
      return { action: 'finalize', allowed: true, reasons: skipped, from: state, to, summary: `roll stable to ${state.canaryVersion} while the canary serves 100%` };
    }
    if (blocked.length > 0) return refused('advance', state, blocked, `canary ${state.canaryVersion} is not healthy at ${weight}%; roll back or wait`);
    const next = steps.find((s) => s > weight) ?? 100;
    return { action: 'advance', allowed: true, reasons: skipped, from: state, to: { ...state, canaryWeight: next }, summary: `shift canary ${state.canaryVersion} from ${weight}% to ${next}%` };
  }
  // finalizing: the stable track must have rolled to the new version before the canary goes.
  const blocked = gate('stable');
  if (blocked.length > 0) return refused('complete', state, blocked, `stable is still rolling to ${state.stableVersion}; wait`);
  return { action: 'complete', allowed: true, reasons: skipped, from: state, to: withoutCanary(state), summary: `remove the canary; ${state.stableVersion} is stable` };
}

export function planRollback(state: RolloutState): RolloutPlan {
  const phase = rolloutPhase(state);
  if (phase === 'canary') {
    return { action: 'rollback', allowed: true, reasons: [], from: state, to: withoutCanary(state), summary: `remove canary ${state.canaryVersion}; stable ${state.stableVersion} takes all traffic` };
  }
  if (state.previousStableVersion === undefined || state.previousStableModelUri === undefined) {
    return refused('rollback', state, ['no canary is in progress and no previous stable version is recorded'], 'nothing to roll back');
  }
  const to: RolloutState = { ...withoutCanary(state), stableVersion: state.previousStableVersion, stableModelUri: state.previousStableModelUri, previousStableVersion: state.stableVersion, previousStableModelUri: state.stableModelUri };
  return phase === 'finalizing'
    ? { action: 'rollback', allowed: true, reasons: [], from: state, to, summary: `remove canary ${state.canaryVersion} and roll stable back to ${state.previousStableVersion}` }
    : { action: 'revert', allowed: true, reasons: [], from: state, to, summary: `roll stable back from ${state.stableVersion} to ${state.previousStableVersion}` };
}

/** One-paragraph status for `servingstack onprem status`. */
export function describeRollout(state: RolloutState, observation: RolloutObservation = {}): string {
  const lines: string[] = [];
  const phase = rolloutPhase(state);
  const h = (t: TrackHealth | undefined): string =>
    t ? ` (${t.readyReplicas}/${t.desiredReplicas} ready${t.errorRatePercent !== undefined ? `, ${round(t.errorRatePercent)}% errors` : ''}${t.p99LatencyMillis !== undefined ? `, p99 ${round(t.p99LatencyMillis)} ms` : ''})` : '';
  lines.push(`phase    ${phase}`);
  lines.push(`stable   ${state.stableVersion}  ${state.stableModelUri}${h(observation.stable)}`);
  if (state.canaryVersion !== undefined) lines.push(`canary   ${state.canaryVersion}  ${state.canaryModelUri}  weight ${state.canaryWeight ?? 0}%${h(observation.canary)}`);
  if (state.previousStableVersion !== undefined) lines.push(`previous ${state.previousStableVersion}  ${state.previousStableModelUri}`);
  return lines.join('\n');
}
