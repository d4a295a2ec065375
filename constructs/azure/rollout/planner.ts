/**
 * Blue/green rollout on a managed online endpoint as a pure planner over what Azure reports. No
 * network, no cdktf: `servingstack azure promote|rollback|status` (bin/commands/azure.ts) observes
 * the endpoint through {@link AzureRollout}, asks these functions for the next step and applies it.
 * The state lives in Azure (the endpoint's traffic and mirror split), so a promote that stopped
 * half-way resumes from the split it finds, and re-running a finished promote changes nothing.
 *
 *   blue 100 ──promote green──▶ [mirror green m %] ──▶ green 10 ──▶ green 50 ──▶ green 100 (done)
 *   any split ──rollback──▶ stable 100, mirror off
 *
 * Every shift of live traffic is gated on the target's health: provisioned, instances up, and
 * (once it has taken traffic or mirrored traffic) error rate and p99 latency under the limits.
 */
import { RolloutGateThresholds, ThresholdGroup, Thresholds } from '../../../lib/core/contract/thresholds';
import type { ValidationIssue } from '../../../lib/core/errors';
import { MAX_MIRROR_PERCENT } from '../traffic';

export interface DeploymentHealth {
  /** Requests in the observation window (live or mirrored). */
  readonly requests: number;
  /** 5xx share of those requests, percent. */
  readonly errorRatePercent?: number;
  /** p99 request latency, milliseconds (the worst minute of the window). */
  readonly p99LatencyMillis?: number;
}

export interface DeploymentObservation {
  readonly name: string;
  /** ARM provisioningState (`Succeeded`, `Creating`, `Updating`, `Failed`…). */
  readonly provisioningState: string;
  /** Instances (sku.capacity). */
  readonly instanceCount: number;
  /** @default - not measured */
  readonly health?: DeploymentHealth;
}

export interface EndpointObservation {
  readonly provisioningState: string;
  readonly traffic: Readonly<Record<string, number>>;
  readonly mirrorTraffic: Readonly<Record<string, number>>;
  readonly deployments: readonly DeploymentObservation[];
}

/**
 * How a promote proceeds: the steps, an optional mirror first, and the shared rollout gates
 * (`RolloutGateThresholds`: `maxErrorRatePercent` 1 %, `maxP99LatencyMillis` 1000 ms — the same
 * names, units and defaults as the GCP and on-prem rollouts).
 */
export interface RolloutPolicy extends RolloutGateThresholds {
  /** Live-traffic percentages of the target, ascending, ending at 100. @default [10, 50, 100] */
  readonly steps?: readonly number[];
  /** Mirror this share (1–50 %) to the target before it takes live traffic; 0 skips. @default 0 */
  readonly mirrorPercent?: number;
  /** Requests the target must have served (live or mirrored) before its metrics count. @default 1 */
  readonly minRequests?: number;
}

export const DEFAULT_ROLLOUT_STEPS: readonly number[] = [10, 50, 100];

export type RolloutAction = 'mirror' | 'shift' | 'rollback' | 'none';

export interface RolloutPlan {
  readonly action: RolloutAction;
  /** False when a gate or a precondition refused; `traffic`/`mirrorTraffic` then equal the observed. */
  readonly allowed: boolean;
  readonly reasons: readonly string[];
  readonly summary: string;
  readonly traffic: Readonly<Record<string, number>>;
  readonly mirrorTraffic: Readonly<Record<string, number>>;
  /** True when the target serves 100 % and nothing is left to do. */
  readonly done: boolean;
  /** True when the refusal is a failed health gate (errors, latency): roll back, don't wait. */
  readonly unhealthy?: boolean;
}

/** Problems in a policy (shared by the CLI and the executor). */
export function validatePolicy(p: RolloutPolicy): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const steps = p.steps ?? DEFAULT_ROLLOUT_STEPS;
  const ascending = steps.length > 0 && steps.every((s, i) => Number.isInteger(s) && s >= 1 && s <= 100 && (i === 0 || s > steps[i - 1]!)) && steps[steps.length - 1] === 100;
  if (!ascending) issues.push({ field: 'steps', message: 'are not ascending whole percentages ending at 100', received: steps, allowed: 'e.g. 10,50,100' });
  const m = p.mirrorPercent ?? 0;
  if (!(Number.isInteger(m) && m >= 0 && m <= MAX_MIRROR_PERCENT)) issues.push({ field: 'mirrorPercent', message: 'is out of range', received: m, allowed: `a whole number from 0 to ${MAX_MIRROR_PERCENT}` });
  issues.push(...Thresholds.validate(ThresholdGroup.ROLLOUT_GATE, { maxErrorRatePercent: p.maxErrorRatePercent, maxP99LatencyMillis: p.maxP99LatencyMillis }, ''));
  const r = p.minRequests ?? 1;
  if (!(Number.isInteger(r) && r >= 0)) issues.push({ field: 'minRequests', message: 'is not a whole number', received: r, allowed: '0 or more' });
  return issues;
}

function refused(obs: EndpointObservation, action: RolloutAction, reasons: string[], summary: string, unhealthy = false): RolloutPlan {
  return { action, allowed: false, reasons, summary, traffic: obs.traffic, mirrorTraffic: obs.mirrorTraffic, done: false, unhealthy };
}

function pct(map: Readonly<Record<string, number>>, name: string): number {
  return map[name] ?? 0;
}

export interface GateResult {
  /** Not ready yet: provisioning, no instances, too few requests. Waiting may help. */
  readonly wait: string[];
  /** Failed health gates: error rate or latency above the limits. */
  readonly fail: string[];
}

/** Why `d` may not take more traffic (both lists empty when it may). */
export function checkGates(d: DeploymentObservation | undefined, policy: RolloutPolicy, measured: boolean): GateResult {
  if (!d) return { wait: ['the deployment does not exist'], fail: [] };
  const out: string[] = [];
  const fail: string[] = [];
  if (d.provisioningState !== 'Succeeded') out.push(`${d.name}: provisioning state is ${d.provisioningState}, not Succeeded`);
  if (d.instanceCount < 1) out.push(`${d.name}: no instances`);
  if (!measured) return { wait: out, fail };
  const h = d.health;
  const minRequests = policy.minRequests ?? 1;
  if (!h) {
    out.push(`${d.name}: no health metrics (Azure Monitor) for the observation window`);
    return { wait: out, fail };
  }
  if (h.requests < minRequests) out.push(`${d.name}: ${h.requests} requests observed, fewer than ${minRequests}; wait for traffic`);
  const g = Thresholds.resolveRolloutGates(policy);
  if (h.errorRatePercent !== undefined && h.errorRatePercent > g.maxErrorRatePercent) fail.push(`${d.name}: error rate ${round(h.errorRatePercent)} % is above ${g.maxErrorRatePercent} %`);
  if (h.p99LatencyMillis !== undefined && h.p99LatencyMillis > g.maxP99LatencyMillis) fail.push(`${d.name}: p99 latency ${round(h.p99LatencyMillis)} ms is above ${g.maxP99LatencyMillis} ms`);
  return { wait: out, fail };
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

export interface PromoteRequest {
  /** The deployment to promote (e.g. green). */
  readonly target: string;
  readonly policy?: RolloutPolicy;
  /** Advance without health gates (recorded in the reasons). @default false */
  readonly skipHealthCheck?: boolean;
}

/** The next step of promoting `target` to 100 % of live traffic. */
export function planPromote(obs: EndpointObservation, req: PromoteRequest): RolloutPlan {
  const policy = req.policy ?? {};
  const steps = policy.steps ?? DEFAULT_ROLLOUT_STEPS;
  const target = obs.deployments.find((d) => d.name === req.target);
  if (!target) return refused(obs, 'shift', [`deployment ${req.target} does not exist on this endpoint (have: ${obs.deployments.map((d) => d.name).join(', ') || 'none'})`], 'nothing to promote');
  const current = pct(obs.traffic, target.name);
  const mirrored = pct(obs.mirrorTraffic, target.name);
  if (current >= 100) {
    const mirrorOff = Object.values(obs.mirrorTraffic).every((v) => v === 0);
    if (mirrorOff) return { action: 'none', allowed: true, reasons: [], summary: `${target.name} already serves 100 %`, traffic: obs.traffic, mirrorTraffic: obs.mirrorTraffic, done: true };
    return { action: 'shift', allowed: true, reasons: [], summary: `${target.name} serves 100 %; turn mirroring off`, traffic: obs.traffic, mirrorTraffic: {}, done: true };
  }
  const live = Object.entries(obs.traffic).filter(([n, p]) => p > 0 && n !== target.name);
  if (live.length > 1) return refused(obs, 'shift', [`${live.map(([n]) => n).join(' and ')} both take live traffic besides ${target.name}; roll back to one stable deployment first`], 'ambiguous stable deployment');
  const stable = live[0]?.[0];
  const skipped = req.skipHealthCheck ? ['health gates skipped on request'] : [];
  const gate = (measured: boolean): GateResult => (req.skipHealthCheck ? { wait: [], fail: [] } : checkGates(target, policy, measured));

  const mirrorPercent = policy.mirrorPercent ?? 0;
  if (current === 0 && mirrorPercent > 0 && mirrored !== mirrorPercent && stable !== undefined) {
    const g = gate(false);
    if (g.wait.length > 0) return refused(obs, 'mirror', g.wait, `${target.name} is not ready to receive mirrored traffic`);
    return { action: 'mirror', allowed: true, reasons: skipped, summary: `mirror ${mirrorPercent} % of ${stable}'s traffic to ${target.name}`, traffic: obs.traffic, mirrorTraffic: { [target.name]: mirrorPercent }, done: false };
  }
  // Health is measured once the target has served something: live traffic, or the mirror.
  const g = gate(current > 0 || mirrored > 0);
  const at = `${current} %${mirrored > 0 ? ` (mirror ${mirrored} %)` : ''}`;
  if (g.fail.length > 0) return refused(obs, 'shift', [...g.fail, ...g.wait], `${target.name} is unhealthy at ${at}; roll back`, true);
  if (g.wait.length > 0) return refused(obs, 'shift', g.wait, `${target.name} is not ready to advance from ${at}; wait`);
  const next = stable === undefined ? 100 : (steps.find((s) => s > current) ?? 100);
  const traffic: Record<string, number> = Object.fromEntries(obs.deployments.map((d) => [d.name, 0]));
  traffic[target.name] = next;
  if (stable !== undefined) traffic[stable] = 100 - next;
  return {
    action: 'shift',
    allowed: true,
    reasons: skipped,
    summary: stable === undefined ? `${target.name} takes 100 % (no other deployment serves)` : `shift ${target.name} from ${current} % to ${next} % (${stable} ${100 - next} %)`,
    traffic,
    mirrorTraffic: {},
    done: next === 100,
  };
}

export interface RollbackRequest {
  /** The deployment to give 100 % back to. @default - the stable one (see planRollback) */
  readonly to?: string;
}

/**
 * All live traffic back to one deployment, mirroring off; never gated. Without `to` it acts only
 * on a rollout in progress (two deployments with live traffic, or a mirror): the one with more
 * live traffic wins. One deployment at 100 % and no mirror is nothing in progress, so re-running
 * a rollback changes nothing; reverting a finished promote names its target (`--to blue`).
 */
export function planRollback(obs: EndpointObservation, req: RollbackRequest = {}): RolloutPlan {
  const names = obs.deployments.map((d) => d.name);
  let to = req.to;
  if (to === undefined) {
    const live = Object.entries(obs.traffic).filter(([, p]) => p > 0).sort((a, b) => b[1] - a[1]);
    const mirroring = Object.entries(obs.mirrorTraffic).some(([, p]) => p > 0);
    if (live.length >= 2 && live[0]![1] !== live[1]![1]) to = live[0]![0];
    else if (live.length === 1 && mirroring) to = live[0]![0];
    else if (live.length === 1) return { action: 'none', allowed: true, reasons: [], summary: `${live[0]![0]} serves 100 % and nothing is in progress; revert a finished promote with --to`, traffic: obs.traffic, mirrorTraffic: obs.mirrorTraffic, done: true };
    if (to === undefined) return refused(obs, 'rollback', [`cannot tell which deployment is stable (live: ${JSON.stringify(obs.traffic)}); name it with --to`], 'ambiguous rollback target');
  }
  const d = obs.deployments.find((x) => x.name === to);
  if (!d) return refused(obs, 'rollback', [`deployment ${to} does not exist on this endpoint (have: ${names.join(', ') || 'none'})`], 'nothing to roll back to');
  const traffic: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
  traffic[to] = 100;
  const unchanged = names.every((n) => pct(obs.traffic, n) === traffic[n]) && Object.values(obs.mirrorTraffic).every((v) => v === 0);
  if (unchanged) return { action: 'none', allowed: true, reasons: [], summary: `${to} already serves 100 %`, traffic: obs.traffic, mirrorTraffic: obs.mirrorTraffic, done: true };
  const warn = d.provisioningState === 'Succeeded' ? [] : [`${to} is ${d.provisioningState}; rolling back anyway`];
  return { action: 'rollback', allowed: true, reasons: warn, summary: `${to} takes 100 % again, mirroring off`, traffic, mirrorTraffic: {}, done: true };
}

/** Status lines for `servingstack azure status`. */
export function describeEndpoint(obs: EndpointObservation): string {
  const lines = [`endpoint ${obs.provisioningState}`, 'DEPLOYMENT  STATE       INSTANCES  LIVE   MIRROR  REQUESTS  ERRORS    P99'];
  for (const d of obs.deployments) {
    const h = d.health;
    lines.push([
      d.name.padEnd(11), d.provisioningState.padEnd(11), String(d.instanceCount).padEnd(10), `${pct(obs.traffic, d.name)}%`.padEnd(6), `${pct(obs.mirrorTraffic, d.name)}%`.padEnd(7),
      String(h?.requests ?? '-').padEnd(9), (h?.errorRatePercent !== undefined ? `${round(h.errorRatePercent)}%` : '-').padEnd(9), h?.p99LatencyMillis !== undefined ? `${round(h.p99LatencyMillis)}ms` : '-',
    ].join(' '));
  }
  return lines.join('\n');
}
