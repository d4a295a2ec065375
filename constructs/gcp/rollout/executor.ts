/**
 * The Vertex AI rollout executor behind `servingstack gcp deploy|versions|alias|promote|rollback|
 * traffic`: what Terraform cannot do on Vertex AI (terraform-provider-google #15303, #25152).
 * Upload the model package as a new version of a Model Registry model, deploy it next to the
 * current champion with a canary traffic share, bake while checking health and error rate, then
 * promote (100 %, undeploy the loser, move aliases) or roll back. Every decision is the pure
 * planner's (planner.ts); this file reads the state, calls the Vertex API and applies the steps.
 *
 * Idempotent: a version is identified by the package's manifest version and archive SHA-256
 * (labels `servingstack-version`, `servingstack-sha256`); re-running with the same package
 * reuses the version, and when it already serves 100 % nothing changes. A run interrupted
 * during the bake resumes from the canary; `promote`/`rollback` finish it by hand.
 */
import type { protos } from '@google-cloud/aiplatform';
import { ServingStackError } from '../../../lib/core/errors';
import { lineProgress, ProgressSink } from '../../../lib/core/progress';
import { GCP_ERRORS } from '../private/errors';
import type { ArtifactStore } from './artifact-store';
import type { VertexClients } from './clients';
import { runtimeContainerSpec } from './container-spec';
import type { HealthReport, HealthSource } from './health';
import { labelValue, PreparedPackage, preparePackage, SHA_LABEL, VERSION_LABEL } from './package-archive';
import { EndpointView, judgeBake, planAliases, planCanaryRollback, planDeploy, planPromotion, planRollback, RolloutStep, VersionView } from './planner';
import type { ResolvedRolloutSettings } from './settings';
import { ALIASES, ALIAS_PATTERN, validateTrafficSplit } from './traffic';

type IModel = protos.google.cloud.aiplatform.v1.IModel;
type IEndpoint = protos.google.cloud.aiplatform.v1.IEndpoint;
type IDeployedModel = protos.google.cloud.aiplatform.v1.IDeployedModel;

export interface VertexRolloutOptions {
  readonly settings: ResolvedRolloutSettings;
  readonly clients: VertexClients;
  readonly artifacts: ArtifactStore;
  readonly health: HealthSource;
  /** Progress: a step per phase, details during it. @default - plain lines on stdout */
  readonly progress?: ProgressSink;
  /** Seconds between health checks during the bake. @default 30 */
  readonly checkIntervalSeconds?: number;
  /** Seconds between "still waiting" lines while an operation runs. @default 15 */
  readonly progressIntervalSeconds?: number;
  /** Injectable clock and sleep (tests). */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface DeployRequest {
  /** A model package directory or `.tar.gz` archive to upload as a new version. */
  readonly packagePath?: string;
  /** Or an existing version to (re)deploy: a version ID or alias (e.g. `previous`). */
  readonly version?: string;
}

export type DeployOutcome = 'unchanged' | 'deployed' | 'promoted' | 'rolled-back';

export interface DeployResult {
  readonly outcome: DeployOutcome;
  readonly modelVersion: string;
  readonly deployedModelId?: string;
  readonly uploaded: boolean;
  readonly reason?: string;
}

export interface VersionRow {
  readonly versionId: string;
  readonly aliases: string[];
  readonly packageVersion?: string;
  readonly sha256?: string;
  readonly deployedModelIds: string[];
  readonly trafficPercent: number;
}

function grpcCode(e: unknown): number | undefined {
  return typeof e === 'object' && e !== null ? (e as { code?: number }).code : undefined;
}

export class VertexRollout {
  private readonly s: ResolvedRolloutSettings;
  private readonly progress: ProgressSink;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly o: VertexRolloutOptions) {
    this.s = o.settings;
    this.progress = o.progress ?? lineProgress((line) => process.stdout.write(`${line}\n`));
    this.now = o.now ?? Date.now;
    this.sleep = o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  // --- package ------------------------------------------------------------------------------

  /** Validate the package (manifest, ONNX signature) and produce its archive; no API call. */
  public preparePackage(packagePath: string): Promise<PreparedPackage> {
    return preparePackage(packagePath);
  }

  // --- state --------------------------------------------------------------------------------

  private async modelVersions(): Promise<IModel[] | undefined> {
    try {
      const [versions] = await this.o.clients.models.listModelVersions({ name: this.s.modelName });
      return versions;
    } catch (e) {
      if (grpcCode(e) === 5) return undefined;
      throw e;
    }
  }

  private async endpoint(): Promise<IEndpoint> {
    const [ep] = await this.o.clients.endpoints.getEndpoint({ name: this.s.endpointName });
    return ep;
  }

  /** The endpoint and the registry as the planner sees them. */
  private async state(): Promise<{ ep: EndpointView; versions: VersionView[] }> {
    const [ep, versions] = await Promise.all([this.endpoint(), this.modelVersions()]);
    return {
      ep: {
        deployedModels: (ep.deployedModels ?? []).map((d) => ({ id: d.id ?? '', versionId: d.modelVersionId ?? '', ours: d.model === this.s.modelName })),
        trafficSplit: { ...(ep.trafficSplit ?? {}) },
      },
      versions: (versions ?? []).map((v) => ({ versionId: v.versionId ?? '', aliases: [...(v.versionAliases ?? [])] })),
    };
  }

  private async resolveVersion(ref: string): Promise<IModel> {
    const versions = (await this.modelVersions()) ?? [];
    const found = versions.find((v) => v.versionId === ref || (v.versionAliases ?? []).includes(ref));
    if (!found) {
      throw new ServingStackError(GCP_ERRORS.VERSION_NOT_FOUND, `model ${this.s.modelName} has no version ${ref}`, [
        { field: 'version', message: 'names no version or alias of the model', received: ref, allowed: versions.map((v) => `${v.versionId}${v.versionAliases?.length ? ` (${v.versionAliases.join(', ')})` : ''}`).join(', ') || '(no versions yet)' },
      ]);
    }
    return found;
  }

  // --- applying the planner's steps -----------------------------------------------------------

  /** Apply steps in order; returns the aliases the last alias merge left. */
  private async apply(steps: readonly RolloutStep[]): Promise<string[]> {
    let aliases: string[] = [];
    for (const step of steps) {
      switch (step.kind) {
        case 'set-traffic':
          await this.setTraffic({ ...step.split });
          break;
        case 'undeploy':
          await this.undeploy(step.deployedModelId, { ...step.keep });
          break;
        case 'merge-aliases': {
          const [updated] = await this.o.clients.models.mergeVersionAliases({ name: `${this.s.modelName}@${step.versionId}`, versionAliases: [...step.aliases] });
          aliases = updated.versionAliases ?? [];
          break;
        }
      }
    }
    return aliases;
  }

  private async setTraffic(split: Record<string, number>): Promise<void> {
    const ep = await this.endpoint();
    validateTrafficSplit(split, (ep.deployedModels ?? []).map((d) => d.id ?? ''));
    this.progress.step(`traffic → ${Object.entries(split).map(([k, v]) => `${k}: ${v}%`).join(', ')}`);
    await this.o.clients.endpoints.updateEndpoint({ endpoint: { name: this.s.endpointName, trafficSplit: split }, updateMask: { paths: ['traffic_split'] } });
  }

  private async undeploy(id: string, keep: Record<string, number>): Promise<void> {
    this.progress.step(`undeploying ${id}`);
    const [op] = await this.o.clients.endpoints.undeployModel({ endpoint: this.s.endpointName, deployedModelId: id, ...(Object.keys(keep).length > 0 ? { trafficSplit: keep } : {}) });
    await this.wait(`undeploy of ${id}`, op.promise());
  }

  private async wait<T>(what: string, promise: Promise<T>): Promise<T> {
    const started = this.now();
    const every = (this.o.progressIntervalSeconds ?? 15) * 1000;
    const timer = setInterval(() => this.progress.detail(`  … ${what} still running (${Math.round((this.now() - started) / 1000)} s)`), every);
    try {
      return await promise;
    } finally {
      clearInterval(timer);
    }
  }

  // --- registry -----------------------------------------------------------------------------

  private async uploadVersion(pkg: PreparedPackage): Promise<{ version: IModel; uploaded: boolean }> {
    const versions = await this.modelVersions();
    const match = (versions ?? []).find((v) => v.labels?.[SHA_LABEL] === pkg.sha256.slice(0, 32) && v.labels?.[VERSION_LABEL] === labelValue(pkg.manifest.version));
    if (match) {
      this.progress.step(`model ${this.s.modelId} version ${match.versionId} already holds ${pkg.manifest.name} ${pkg.manifest.version} (sha256 ${pkg.sha256.slice(0, 12)}): reusing it`);
      return { version: match, uploaded: false };
    }
    const dir = `${this.s.artifactPrefix.replace(/\/$/, '')}/${pkg.manifest.name}/${labelValue(pkg.manifest.version)}-${pkg.sha256.slice(0, 12)}`;
    const object = `${dir}/model.tar.gz`;
    if (await this.o.artifacts.exists(object)) this.progress.step(`${object} already uploaded`);
    else {
      this.progress.step(`uploading ${object}`);
      await this.o.artifacts.upload(pkg.archive, object);
    }
    const model: IModel = {
      displayName: this.s.modelId,
      versionDescription: `${pkg.manifest.name} ${pkg.manifest.version} (sha256 ${pkg.sha256})`,
      artifactUri: dir,
      containerSpec: runtimeContainerSpec(this.s.imageUri, this.s.env),
      labels: { ...(this.s.labels ?? {}), [VERSION_LABEL]: labelValue(pkg.manifest.version), [SHA_LABEL]: pkg.sha256.slice(0, 32) },
      ...(this.s.kmsKeyName ? { encryptionSpec: { kmsKeyName: this.s.kmsKeyName } } : {}),
    };
    const first = versions === undefined;
    this.progress.step(first ? `creating model ${this.s.modelName}` : `uploading a new version of ${this.s.modelName}`);
    const [op] = await this.o.clients.models.uploadModel({
      parent: this.s.location,
      model,
      ...(first ? { modelId: this.s.modelId } : { parentModel: this.s.modelName }),
      ...(this.s.runtimeServiceAccount ? { serviceAccount: this.s.runtimeServiceAccount } : {}),
    });
    const [res] = await this.wait('upload', op.promise());
    const [version] = await this.o.clients.models.getModel({ name: `${this.s.modelName}@${res.modelVersionId}` });
    this.progress.step(`uploaded version ${version.versionId}`);
    return { version, uploaded: true };
  }

  /** Add and remove aliases (`-alias` removes); an alias held by another version moves here. */
  public async setAliases(ref: string, aliases: readonly string[]): Promise<string[]> {
    const bad = aliases.filter((a) => !ALIAS_PATTERN.test(a.replace(/^-/, '')));
    if (bad.length > 0) {
      throw new ServingStackError(GCP_ERRORS.ALIAS, 'invalid version aliases', bad.map((a) => ({ field: 'alias', message: 'has the wrong form', received: a, allowed: '[a-z][a-zA-Z0-9-]{0,126}[a-z0-9], prefixed with - to remove' })));
    }
    const version = await this.resolveVersion(ref);
    const { versions } = await this.state();
    return this.apply(planAliases(versions, version.versionId ?? '', aliases));
  }

  public async versions(): Promise<VersionRow[]> {
    const [versions, endpoint] = await Promise.all([this.modelVersions(), this.endpoint()]);
    return (versions ?? []).map((v) => {
      const deployed = (endpoint.deployedModels ?? []).filter((d) => d.model === this.s.modelName && d.modelVersionId === v.versionId);
      return {
        versionId: v.versionId ?? '',
        aliases: v.versionAliases ?? [],
        packageVersion: v.labels?.[VERSION_LABEL],
        sha256: v.labels?.[SHA_LABEL],
        deployedModelIds: deployed.map((d) => d.id ?? ''),
        trafficPercent: deployed.reduce((a, d) => a + (endpoint.trafficSplit?.[d.id ?? ''] ?? 0), 0),
      };
    });
  }

  /** Manual traffic split, e.g. `{ "123": 90, "456": 10 }`. */
  public async setTrafficSplit(split: Record<string, number>): Promise<void> {
    await this.setTraffic(split);
  }

  // --- deploy -------------------------------------------------------------------------------

  public async deploy(req: DeployRequest): Promise<DeployResult> {
    if ((req.packagePath === undefined) === (req.version === undefined)) {
      throw new ServingStackError(GCP_ERRORS.ROLLOUT_INPUT, 'deploy needs exactly one of a package and a version', [
        { field: 'package/version', message: 'both or neither given', received: req, allowed: 'a package path, or --version ID|ALIAS' },
      ]);
    }
    // Everything that can be checked offline is checked before the first API call.
    const pkg = req.packagePath !== undefined ? await this.preparePackage(req.packagePath) : undefined;
    try {
      const { version, uploaded } = pkg ? await this.uploadVersion(pkg) : { version: await this.resolveVersion(req.version!), uploaded: false };
      const result = await this.rollOut(version.versionId ?? '');
      return { ...result, uploaded };
    } finally {
      await pkg?.cleanup();
    }
  }

  private async rollOut(versionId: string): Promise<Omit<DeployResult, 'uploaded'>> {
    const { ep, versions } = await this.state();
    const plan = planDeploy(ep, versions, versionId, this.s.canaryTrafficPercent);
    if (plan.kind === 'unchanged') {
      await this.apply(plan.steps);
      this.progress.step(`version ${versionId} already serves 100% as deployed model ${plan.deployedModelId}: nothing to do`);
      return { outcome: 'unchanged', modelVersion: versionId, deployedModelId: plan.deployedModelId };
    }
    let deployedId: string;
    if (plan.kind === 'resume') {
      deployedId = plan.deployedModelId;
      this.progress.step(`version ${versionId} is already deployed as ${deployedId} with ${ep.trafficSplit[deployedId] ?? 0}% of the traffic: resuming`);
    } else {
      validateTrafficSplit(plan.split, ep.deployedModels.map((d) => d.id), true);
      await this.apply(plan.steps);
      deployedId = await this.deployVersion(versionId, plan.split, plan.championId);
    }
    const verdict = await this.bake(deployedId, plan.championId !== undefined);
    if (verdict.reason !== undefined) {
      const now = await this.state();
      await this.apply(planCanaryRollback(now.ep, now.versions, plan.championId, deployedId, versionId));
      this.progress.step(`rolled back: ${verdict.reason}`);
      throw new ServingStackError(GCP_ERRORS.ROLLOUT_FAILED, `version ${versionId} was rolled back: ${verdict.reason}`, [
        { field: 'health', message: verdict.reason, received: verdict.last?.detail, allowed: `healthy replicas, an error rate ≤ ${this.s.maxErrorRatePercent}% and, beside a champion, at least ${this.s.minPredictions} predictions within ${this.s.maxBakeTimeSeconds} s` },
      ]);
    }
    const now = await this.state();
    await this.apply(planPromotion(now.ep, now.versions, deployedId, versionId));
    this.progress.step(`promoted version ${versionId} (deployed model ${deployedId}) to champion`);
    return { outcome: plan.championId !== undefined ? 'promoted' : 'deployed', modelVersion: versionId, deployedModelId: deployedId };
  }

  private async deployVersion(versionId: string, split: Readonly<Record<string, number>>, championId: string | undefined): Promise<string> {
    const spec = this.s.deploymentSpec;
    const deployedModel: IDeployedModel = {
      model: `${this.s.modelName}@${versionId}`,
      displayName: `${this.s.modelId}-v${versionId}`,
      dedicatedResources: {
        machineSpec: {
          machineType: spec.machineType,
          ...(spec.acceleratorCount > 0 ? { acceleratorType: spec.acceleratorType as unknown as protos.google.cloud.aiplatform.v1.AcceleratorType, acceleratorCount: spec.acceleratorCount } : {}),
        },
        minReplicaCount: spec.minReplicaCount,
        maxReplicaCount: spec.maxReplicaCount,
        autoscalingMetricSpecs: spec.autoscalingMetricSpecs.map((m) => ({ ...m })),
        spot: spec.spot,
      },
      ...(this.s.runtimeServiceAccount ? { serviceAccount: this.s.runtimeServiceAccount } : {}),
    };
    this.progress.step(`deploying version ${versionId} on ${spec.machineType}${spec.acceleratorCount ? ` + ${spec.acceleratorCount} × ${spec.acceleratorType}` : ''}, replicas ${spec.minReplicaCount}–${spec.maxReplicaCount}, ${split['0']}% of the traffic`);
    try {
      const [op] = await this.o.clients.endpoints.deployModel({ endpoint: this.s.endpointName, deployedModel, trafficSplit: { ...split } });
      const [res] = await this.wait(`deploy of version ${versionId}`, op.promise());
      const id = res.deployedModel?.id ?? '';
      this.progress.step(`deployed as ${id}`);
      return id;
    } catch (e) {
      // The split only takes effect with a successful deploy; make sure of it, clean up, report.
      const now = await this.state();
      const stray = now.ep.deployedModels.find((d) => d.ours && d.versionId === versionId);
      await this.apply(planCanaryRollback(now.ep, now.versions, championId, stray?.id, versionId));
      throw new ServingStackError(GCP_ERRORS.ROLLOUT_FAILED, `deploying version ${versionId} failed; the endpoint still serves ${championId !== undefined ? `deployed model ${championId}` : 'nothing'}`, [
        { field: 'deployModel', message: (e as Error).message, allowed: 'check quota, machine availability in the region and the container logs' },
      ]);
    }
  }

  /** Check health until the planner's verdict; `reason` is set when the canary must roll back. */
  private async bake(deployedModelId: string, canary: boolean): Promise<{ reason?: string; last?: HealthReport }> {
    // Beside a champion the canary must also serve minPredictions (until maxBakeTimeSeconds).
    const gate = {
      bakeTimeSeconds: this.s.bakeTimeSeconds,
      maxErrorRatePercent: this.s.maxErrorRatePercent,
      minPredictions: canary ? this.s.minPredictions : undefined,
      maxBakeTimeSeconds: canary ? this.s.maxBakeTimeSeconds : this.s.bakeTimeSeconds,
    };
    const bakeMs = gate.maxBakeTimeSeconds * 1000;
    const interval = (this.o.checkIntervalSeconds ?? 30) * 1000;
    const started = this.now();
    const since = new Date(started);
    this.progress.step(`baking deployed model ${deployedModelId} for ${this.s.bakeTimeSeconds} s${canary ? ` and at least ${this.s.minPredictions} predictions (at most ${gate.maxBakeTimeSeconds} s)` : ''}`);
    for (;;) {
      const last = await this.o.health.check({ endpointName: this.s.endpointName, deployedModelId, minReplicaCount: this.s.deploymentSpec.minReplicaCount, since });
      const elapsedMs = this.now() - started;
      this.progress.detail(`  health @${Math.round(elapsedMs / 1000)}s/${this.s.bakeTimeSeconds}s: ${last.healthy ? 'healthy' : 'not healthy'}; ${last.detail}`);
      const verdict = judgeBake(last, elapsedMs / 1000, gate);
      if (verdict.kind === 'roll-back') return { reason: verdict.reason, last };
      if (verdict.kind === 'promote') return { last };
      const untilMinimum = this.s.bakeTimeSeconds * 1000 - (this.now() - started);
      await this.sleep(Math.min(interval, Math.max(0, untilMinimum > 0 ? untilMinimum : bakeMs - (this.now() - started))));
    }
  }

  // --- manual completion of an interrupted rollout --------------------------------------------

  /** Give the challenger (or `ref`) 100 %, undeploy the rest, move aliases. */
  public async promote(ref: string = ALIASES.challenger): Promise<DeployResult> {
    const version = await this.resolveVersion(ref);
    const versionId = version.versionId ?? '';
    const { ep, versions } = await this.state();
    const target = ep.deployedModels.find((d) => d.ours && d.versionId === versionId);
    if (!target) {
      throw new ServingStackError(GCP_ERRORS.ROLLOUT_STATE, `version ${versionId} is not deployed on ${this.s.endpointName}`, [
        { field: 'version', message: 'is not deployed', received: ref, allowed: 'a deployed version; deploy it first with `servingstack gcp deploy --version`' },
      ]);
    }
    await this.apply(planPromotion(ep, versions, target.id, versionId));
    this.progress.step(`promoted version ${versionId} (deployed model ${target.id}) to champion`);
    return { outcome: 'promoted', modelVersion: versionId, deployedModelId: target.id, uploaded: false };
  }

  /** Give the champion 100 % again and undeploy everything else of this model. */
  public async rollback(): Promise<DeployResult> {
    const { ep, versions } = await this.state();
    const plan = planRollback(ep, versions);
    if ('missing' in plan) {
      throw new ServingStackError(GCP_ERRORS.ROLLOUT_STATE, 'there is no deployed champion to roll back to', [
        { field: 'champion', message: plan.missing, allowed: 'redeploy a known-good version: `servingstack gcp deploy --version previous`' },
      ]);
    }
    await this.apply(plan.steps);
    this.progress.step(`rolled back to version ${plan.championVersion} (deployed model ${plan.deployedModelId})`);
    return { outcome: 'rolled-back', modelVersion: plan.championVersion, deployedModelId: plan.deployedModelId, uploaded: false };
  }
}
