/**
 * The Vertex AI rollout as a pure planner: given what the endpoint and the Model Registry hold
 * (and the health signals during the bake), decide what to change. No API calls, no clock: the
 * executor (vertex-rollout.ts) reads the state, asks here, and applies the steps in order.
 *
 * Rules the plans keep: traffic moves before an undeploy (Vertex refuses to undeploy a model that
 * still receives traffic); an alias is removed from its holder before another version takes it
 * (an alias names one version).
 */
import { ALIASES } from './traffic';

/** A deployed model on the endpoint. */
export interface DeployedModelView {
  readonly id: string;
  /** The model version it serves. */
  readonly versionId: string;
  /** Whether it is a version of the rollout's model (other models may share the endpoint). */
  readonly ours: boolean;
}

/** What the planner sees of the endpoint. */
export interface EndpointView {
  readonly deployedModels: readonly DeployedModelView[];
  /** Deployed model ID → percent. */
  readonly trafficSplit: Readonly<Record<string, number>>;
}

/** A version of the model and its aliases. */
export interface VersionView {
  readonly versionId: string;
  readonly aliases: readonly string[];
}

/** One change, applied in order. */
export type RolloutStep =
  | { readonly kind: 'set-traffic'; readonly split: Readonly<Record<string, number>> }
  | { readonly kind: 'undeploy'; readonly deployedModelId: string; readonly keep: Readonly<Record<string, number>> }
  /** `mergeVersionAliases`: add aliases, `-alias` removes. */
  | { readonly kind: 'merge-aliases'; readonly versionId: string; readonly aliases: readonly string[] };

/** What `deploy` does for a version that exists in the registry. */
export type DeployPlan =
  /** It already serves 100 % alone: only make sure it is the champion. */
  | { readonly kind: 'unchanged'; readonly deployedModelId: string; readonly steps: readonly RolloutStep[] }
  /** It is deployed (an interrupted rollout): bake it again, then promote or roll back. */
  | { readonly kind: 'resume'; readonly deployedModelId: string; readonly championId?: string }
  /** Deploy it with `split` (`"0"` is the new model), after `steps` (the challenger alias). */
  | { readonly kind: 'deploy'; readonly split: Readonly<Record<string, number>>; readonly championId?: string; readonly steps: readonly RolloutStep[] };

/** The bake's verdict after one health check. */
export type BakeVerdict = { readonly kind: 'continue' } | { readonly kind: 'promote' } | { readonly kind: 'roll-back'; readonly reason: string };

/** One health check during the bake (what the health sources report). */
export interface HealthObservation {
  readonly healthy: boolean;
  /** Errors ÷ predictions (0–1), when there were predictions. */
  readonly errorRate?: number;
  /** Predictions the deployed model served since the bake started; unknown counts as none. */
  readonly predictions?: number;
}

/** What a bake is judged against. */
export interface BakeGate {
  /** Minimum bake time, in seconds. */
  readonly bakeTimeSeconds: number;
  /** Largest error rate, in percent. */
  readonly maxErrorRatePercent: number;
  /** Predictions needed before promotion; `undefined`: no minimum (no champion to compare with). */
  readonly minPredictions?: number;
  /** The bake ends here with a roll-back when `minPredictions` was not reached (≥ bakeTimeSeconds). */
  readonly maxBakeTimeSeconds?: number;
}

/** Aliases as they will be after each planned step (each step must see the previous ones). */
class AliasBook {
  private readonly held: Map<string, Set<string>>;

  constructor(versions: readonly VersionView[]) {
    this.held = new Map(versions.map((v) => [v.versionId, new Set(v.aliases)]));
  }

  public holder(alias: string, except?: string): string | undefined {
    for (const [id, aliases] of this.held) if (id !== except && aliases.has(alias)) return id;
    return undefined;
  }

  public has(versionId: string, alias: string): boolean {
    return this.held.get(versionId)?.has(alias) ?? false;
  }

  /** Steps that give `versionId` the aliases (`-a` removes), moving each from its holder first. */
  public set(versionId: string, aliases: readonly string[]): RolloutStep[] {
    const steps: RolloutStep[] = [];
    for (const alias of aliases.filter((a) => !a.startsWith('-'))) {
      const holder = this.holder(alias, versionId);
      if (holder !== undefined) steps.push(this.merge(holder, [`-${alias}`]));
    }
    steps.push(this.merge(versionId, aliases));
    return steps;
  }

  /** `set` unless the version holds the alias already. */
  public ensure(versionId: string, alias: string): RolloutStep[] {
    return this.has(versionId, alias) ? [] : this.set(versionId, [alias]);
  }

  /** Remove `alias` from `versionId` if it holds it. */
  public drop(versionId: string, alias: string): RolloutStep[] {
    return this.has(versionId, alias) ? [this.merge(versionId, [`-${alias}`])] : [];
  }

  private merge(versionId: string, aliases: readonly string[]): RolloutStep {
    const set = this.held.get(versionId) ?? new Set<string>();
    for (const a of aliases) {
      if (a.startsWith('-')) set.delete(a.slice(1));
      else set.add(a);
    }
    this.held.set(versionId, set);
    return { kind: 'merge-aliases', versionId, aliases: [...aliases] };
  }
}

const traffic = (ep: EndpointView, id: string | undefined): number => (id === undefined ? 0 : ep.trafficSplit[id] ?? 0);
const ours = (ep: EndpointView): DeployedModelView[] => ep.deployedModels.filter((d) => d.ours);

/** Steps that give `versionId` the `aliases` (`-a` removes), moving each from its holder first. */
export function planAliases(versions: readonly VersionView[], versionId: string, aliases: readonly string[]): RolloutStep[] {
  return new AliasBook(versions).set(versionId, aliases);
}

/** What `deploy` does for `versionId`, with `canaryTrafficPercent` for a new version next to a champion. */
export function planDeploy(ep: EndpointView, versions: readonly VersionView[], versionId: string, canaryTrafficPercent: number): DeployPlan {
  const target = ep.deployedModels.find((d) => d.ours && d.versionId === versionId);
  const book = new AliasBook(versions);
  if (target && traffic(ep, target.id) === 100 && ours(ep).length === 1) {
    return { kind: 'unchanged', deployedModelId: target.id, steps: book.ensure(versionId, ALIASES.champion) };
  }
  // The incumbent: whatever else receives the most traffic.
  const champion = ep.deployedModels.filter((d) => d !== target && traffic(ep, d.id) > 0).sort((a, b) => traffic(ep, b.id) - traffic(ep, a.id))[0];
  if (target) return { kind: 'resume', deployedModelId: target.id, championId: champion?.id };
  const canary = champion ? canaryTrafficPercent : 100;
  const split: Record<string, number> = { '0': canary };
  if (champion && canary < 100) split[champion.id] = 100 - canary;
  return { kind: 'deploy', split, championId: champion?.id, steps: champion ? book.ensure(versionId, ALIASES.challenger) : [] };
}

/**
 * The bake's verdict after a health check `elapsedSeconds` into a bake of `bakeTimeSeconds`: an
 * error rate above the gate rolls back at once; after the minimum bake time, unhealthy rolls back,
 * healthy with at least `minPredictions` served promotes, and healthy with fewer waits until
 * `maxBakeTimeSeconds`, then rolls back: zero predictions never promote a canary.
 */
export function judgeBake(h: HealthObservation, elapsedSeconds: number, gate: BakeGate): BakeVerdict {
  if (h.errorRate !== undefined && h.errorRate > gate.maxErrorRatePercent / 100) {
    return { kind: 'roll-back', reason: `error rate ${(h.errorRate * 100).toFixed(2)}% is above ${gate.maxErrorRatePercent}%` };
  }
  if (elapsedSeconds < gate.bakeTimeSeconds) return { kind: 'continue' };
  if (!h.healthy) return { kind: 'roll-back', reason: `not healthy after ${gate.bakeTimeSeconds} s` };
  const served = h.predictions ?? 0;
  if (gate.minPredictions !== undefined && served < gate.minPredictions) {
    const limit = Math.max(gate.maxBakeTimeSeconds ?? gate.bakeTimeSeconds, gate.bakeTimeSeconds);
    if (elapsedSeconds < limit) return { kind: 'continue' };
    return { kind: 'roll-back', reason: `served ${served} predictions in ${Math.round(elapsedSeconds)} s, fewer than the ${gate.minPredictions} required (minPredictions)` };
  }
  return { kind: 'promote' };
}

/**
 * Promote deployed model `deployedId` (version `versionId`): 100 % to it, undeploy the other
 * versions of the model, the old champion becomes `previous`, this one `champion` (and stops
 * being `challenger`).
 */
export function planPromotion(ep: EndpointView, versions: readonly VersionView[], deployedId: string, versionId: string): RolloutStep[] {
  const steps: RolloutStep[] = [];
  if (traffic(ep, deployedId) !== 100) steps.push({ kind: 'set-traffic', split: { [deployedId]: 100 } });
  for (const d of ours(ep).filter((x) => x.id !== deployedId)) steps.push({ kind: 'undeploy', deployedModelId: d.id, keep: { [deployedId]: 100 } });
  const book = new AliasBook(versions);
  const oldChampion = book.holder(ALIASES.champion, versionId);
  if (oldChampion !== undefined) steps.push(...book.set(oldChampion, [ALIASES.previous, `-${ALIASES.champion}`]));
  steps.push(...book.set(versionId, [ALIASES.champion]));
  steps.push(...book.drop(versionId, ALIASES.challenger));
  return steps;
}

/**
 * Roll back a canary (`loserId`, version `loserVersion`): the champion (if any) gets 100 % again,
 * the canary is undeployed (if it got that far) and loses the `challenger` alias.
 */
export function planCanaryRollback(ep: EndpointView, versions: readonly VersionView[], championId: string | undefined, loserId: string | undefined, loserVersion: string): RolloutStep[] {
  const steps: RolloutStep[] = [];
  if (championId !== undefined && traffic(ep, championId) !== 100) steps.push({ kind: 'set-traffic', split: { [championId]: 100 } });
  if (loserId !== undefined && ep.deployedModels.some((d) => d.id === loserId)) {
    steps.push({ kind: 'undeploy', deployedModelId: loserId, keep: championId !== undefined ? { [championId]: 100 } : {} });
  }
  steps.push(...new AliasBook(versions).drop(loserVersion, ALIASES.challenger));
  return steps;
}

/**
 * `rollback`: the champion's deployed model gets 100 % and every other version of the model is
 * undeployed (dropping `challenger` from the version that held it). Undefined when no deployed
 * champion exists (the reason says which part is missing).
 */
export function planRollback(ep: EndpointView, versions: readonly VersionView[]): { readonly championVersion: string; readonly deployedModelId: string; readonly steps: readonly RolloutStep[] } | { readonly missing: string } {
  const champion = versions.find((v) => v.aliases.includes(ALIASES.champion));
  const deployed = champion ? ours(ep).find((d) => d.versionId === champion.versionId) : undefined;
  if (!champion || !deployed) {
    return { missing: champion ? `version ${champion.versionId} (champion) is not deployed` : 'no version carries the champion alias' };
  }
  const keep = { [deployed.id]: 100 };
  const steps: RolloutStep[] = [];
  if (traffic(ep, deployed.id) !== 100) steps.push({ kind: 'set-traffic', split: keep });
  const book = new AliasBook(versions);
  for (const d of ours(ep).filter((x) => x.id !== deployed.id)) {
    steps.push({ kind: 'undeploy', deployedModelId: d.id, keep });
    if (book.has(d.versionId, ALIASES.challenger)) steps.push(...book.drop(d.versionId, ALIASES.challenger));
  }
  return { championVersion: champion.versionId, deployedModelId: deployed.id, steps };
}
