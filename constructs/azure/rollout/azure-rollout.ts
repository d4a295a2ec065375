/**
 * The executor around the planner: observes the endpoint over ARM (traffic, deployments) and
 * Azure Monitor (requests, 5xx, p99 per deployment), applies each planned split with a PATCH of
 * the endpoint, bakes, and rolls back on a failed health gate. No cdktf imports.
 */
import { ServingStackError } from '../../../lib/core/errors';
import { AzureErrorCodes } from '../private/errors';
import type { ArmClient } from './arm-client';
import {
  DeploymentHealth, DeploymentObservation, EndpointObservation, RolloutPlan, RolloutPolicy, planPromote, planRollback,
} from './planner';
import { AzureRolloutSettings, endpointPath } from './settings';

/** Azure Monitor metrics API version (Microsoft.Insights/metrics). */
export const METRICS_API_VERSION = '2023-10-01';

interface ArmEndpoint {
  properties?: { provisioningState?: string; traffic?: Record<string, number>; mirrorTraffic?: Record<string, number> };
}
interface ArmDeployment {
  name: string;
  sku?: { capacity?: number };
  properties?: { provisioningState?: string };
}
interface MetricsResponse {
  value?: { name?: { value?: string }; timeseries?: { metadatavalues?: { name?: { value?: string }; value?: string }[]; data?: { total?: number; average?: number; maximum?: number }[] }[] }[];
}

export interface RolloutProgress {
  (line: string): void;
}

export interface AzureRolloutOptions {
  readonly arm: ArmClient;
  readonly settings: Pick<AzureRolloutSettings, 'subscriptionId' | 'resourceGroupName' | 'workspaceName' | 'endpointName' | 'apiVersion'>;
  /** @default Date.now */
  readonly now?: () => number;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default - silent */
  readonly progress?: RolloutProgress;
}

export interface PromoteOptions {
  readonly target: string;
  readonly policy?: RolloutPolicy;
  /** Seconds each step bakes before its health is judged. @default 300 */
  readonly bakeSeconds?: number;
  /** Roll back when a health gate fails. @default true */
  readonly autoRollback?: boolean;
  /** Advance without health gates. @default false */
  readonly skipHealthCheck?: boolean;
  /** Give up waiting for a not-ready target after this long. @default 1800 */
  readonly waitTimeoutSeconds?: number;
  /** Apply at most this many steps, then stop (resume later). @default - until done */
  readonly maxSteps?: number;
}

export type PromoteOutcome = 'promoted' | 'in-progress' | 'rolled-back';

export interface PromoteResult {
  readonly outcome: PromoteOutcome;
  readonly plans: readonly RolloutPlan[];
  readonly final: EndpointObservation;
}

export class AzureRollout {
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly progress: RolloutProgress;
  private readonly endpointPath: string;

  constructor(private readonly o: AzureRolloutOptions) {
    this.now = o.now ?? Date.now;
    this.sleep = o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.progress = o.progress ?? (() => undefined);
    this.endpointPath = endpointPath(o.settings);
  }

  private q(extra = ''): string {
    return `?api-version=${this.o.settings.apiVersion}${extra}`;
  }

  /** Traffic, deployments and (with `since`) each deployment's health since then. */
  public async observe(since?: number): Promise<EndpointObservation> {
    const ep = await this.o.arm.get<ArmEndpoint>(`${this.endpointPath}${this.q()}`);
    const list = await this.o.arm.get<{ value?: ArmDeployment[] }>(`${this.endpointPath}/deployments${this.q()}`);
    const deployments: DeploymentObservation[] = [];
    for (const d of list.value ?? []) {
      deployments.push({
        name: d.name,
        provisioningState: d.properties?.provisioningState ?? 'Unknown',
        instanceCount: d.sku?.capacity ?? 0,
        health: since !== undefined ? await this.health(d.name, since) : undefined,
      });
    }
    return {
      provisioningState: ep.properties?.provisioningState ?? 'Unknown',
      traffic: ep.properties?.traffic ?? {},
      mirrorTraffic: ep.properties?.mirrorTraffic ?? {},
      deployments: deployments.sort((a, b) => (a.name < b.name ? -1 : 1)),
    };
  }

  /** The metrics URL for one endpoint metric of one deployment (RequestsPerMinute, RequestLatency_P99). */
  public metricsUrl(metric: string, aggregation: string, deployment: string, since: number, splitByStatus: boolean): string {
    const timespan = `${new Date(since).toISOString()}/${new Date(this.now()).toISOString()}`;
    const filter = `deployment eq '${deployment}'${splitByStatus ? " and statusCodeClass eq '*'" : ''}`;
    const params = new URLSearchParams({ 'api-version': METRICS_API_VERSION, metricnames: metric, aggregation, interval: 'PT1M', timespan, $filter: filter });
    return `${this.endpointPath}/providers/Microsoft.Insights/metrics?${params.toString()}`;
  }

  private async health(deployment: string, since: number): Promise<DeploymentHealth | undefined> {
    const requests = await this.o.arm.get<MetricsResponse>(this.metricsUrl('RequestsPerMinute', 'Total', deployment, since, true));
    let total = 0;
    let errors = 0;
    let seen = false;
    for (const ts of requests.value?.[0]?.timeseries ?? []) {
      seen = true;
      const cls = ts.metadatavalues?.find((m) => m.name?.value?.toLowerCase() === 'statuscodeclass')?.value ?? '';
      const sum = (ts.data ?? []).reduce((a, p) => a + (p.total ?? 0), 0);
      total += sum;
      if (cls.startsWith('5')) errors += sum;
    }
    const latency = await this.o.arm.get<MetricsResponse>(this.metricsUrl('RequestLatency_P99', 'Average', deployment, since, false));
    const points = (latency.value?.[0]?.timeseries ?? []).flatMap((ts) => ts.data ?? []).map((p) => p.average).filter((v): v is number => typeof v === 'number');
    if (!seen && points.length === 0) return undefined;
    return {
      requests: total,
      errorRatePercent: total > 0 ? (100 * errors) / total : undefined,
      // The worst minute's p99 over the window (RequestLatency_P99 is in milliseconds).
      p99LatencyMillis: points.length > 0 ? Math.max(...points) : undefined,
    };
  }

  /** PATCH the endpoint's traffic and mirror split and wait until Azure has applied it. */
  public async apply(plan: Pick<RolloutPlan, 'traffic' | 'mirrorTraffic'>): Promise<void> {
    await this.o.arm.change('PATCH', `${this.endpointPath}${this.q()}`, { properties: { traffic: plan.traffic, mirrorTraffic: plan.mirrorTraffic } });
  }

  public async rollback(to?: string): Promise<RolloutPlan> {
    const plan = planRollback(await this.observe(), { to });
    this.progress(`${plan.allowed ? 'rollback' : 'refused'}: ${plan.summary}`);
    if (!plan.allowed) throw new ServingStackError(AzureErrorCodes.ROLLOUT_REFUSED, `rollback refused: ${plan.summary}`, plan.reasons.map((r) => ({ field: 'rollback', message: r })));
    if (plan.action !== 'none') await this.apply(plan);
    return plan;
  }

  /**
   * Promote `target` step by step: plan, apply, bake, observe health since the step, repeat.
   * Resumes from whatever split it finds; stops when the target serves 100 %.
   */
  public async promote(o: PromoteOptions): Promise<PromoteResult> {
    const plans: RolloutPlan[] = [];
    const bakeMs = (o.bakeSeconds ?? 300) * 1000;
    const waitUntil = this.now() + (o.waitTimeoutSeconds ?? 1800) * 1000;
    // Health before the first step is judged over the last bake window (resuming a promote that
    // stopped half-way needs it); after each step, over the time since that step.
    let since = this.now() - Math.max(bakeMs, 60_000);
    let steps = 0;
    for (;;) {
      const obs = await this.observe(since);
      const plan = planPromote(obs, { target: o.target, policy: o.policy, skipHealthCheck: o.skipHealthCheck });
      plans.push(plan);
      this.progress(`${plan.allowed ? plan.action : 'refused'}: ${plan.summary}${plan.reasons.length ? `\n  - ${plan.reasons.join('\n  - ')}` : ''}`);
      if (!plan.allowed) {
        if (plan.unhealthy && (o.autoRollback ?? true)) {
          const back = await this.rollback();
          plans.push(back);
          return { outcome: 'rolled-back', plans, final: await this.observe() };
        }
        if (plan.unhealthy || this.now() >= waitUntil) {
          throw new ServingStackError(AzureErrorCodes.ROLLOUT_REFUSED, `promote ${o.target} refused: ${plan.summary}`, plan.reasons.map((r) => ({ field: 'gate', message: r })));
        }
        await this.sleep(Math.min(bakeMs, 30_000) || 1000);
        continue;
      }
      if (plan.action === 'none') return { outcome: 'promoted', plans, final: obs };
      await this.apply(plan);
      steps += 1;
      if (plan.done) return { outcome: 'promoted', plans, final: await this.observe() };
      if (o.maxSteps !== undefined && steps >= o.maxSteps) return { outcome: 'in-progress', plans, final: await this.observe() };
      since = this.now();
      await this.sleep(bakeMs);
    }
  }
}
