/**
 * `servingstack gcp deploy|versions|alias|promote|rollback|traffic`: what Terraform cannot do on
 * Vertex AI (terraform-provider-google #15303, #25152). Upload the model package as a new version
 * of a Model Registry model, deploy it next to the current champion with a canary traffic share,
 * bake while checking health and error rate, then promote (100 %, undeploy the loser, move
 * aliases) or roll back. Traffic always moves before an undeploy, so no undeployed model is ever
 * left in the split; Vertex refuses to undeploy a model that still receives traffic.
 *
 * Idempotent: a version is identified by the package's manifest version and archive SHA-256
 * (labels `servingstack-version`, `servingstack-sha256`); re-running with the same package
 * reuses the version, and when it already serves 100 % nothing changes. A run interrupted
 * during the bake resumes from the canary; `promote`/`rollback` finish it by hand.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { protos } from '@google-cloud/aiplatform';
import { ServingStackError } from '../../../lib/core/errors';
import { ModelManifest } from '../../../lib/core/manifest';
import { createModelArchive, openModelSource } from '../../../lib/core/model-package';
import { GCP_ERRORS } from '../private/errors';
import type { ArtifactStore } from './artifact-store';
import type { VertexClients } from './clients';
import { runtimeContainerSpec } from './container-spec';
import type { HealthReport, HealthSource } from './health';
import type { ResolvedRolloutSettings } from './settings';
import { ALIASES, ALIAS_PATTERN, validateTrafficSplit } from './traffic';

type IModel = protos.google.cloud.aiplatform.v1.IModel;
type IEndpoint = protos.google.cloud.aiplatform.v1.IEndpoint;
type IDeployedModel = protos.google.cloud.aiplatform.v1.IDeployedModel;

export const VERSION_LABEL = 'servingstack-version';
export const SHA_LABEL = 'servingstack-sha256';

export interface VertexRolloutOptions {
  readonly settings: ResolvedRolloutSettings;
  readonly clients: VertexClients;
  readonly artifacts: ArtifactStore;
  readonly health: HealthSource;
  /** Progress lines. @default - stdout */
  readonly log?: (line: string) => void;
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

function labelValue(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9_-]/g, '_').slice(0, 63);
}

async function sha256Of(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

function grpcCode(e: unknown): number | undefined {
  return typeof e === 'object' && e !== null ? (e as { code?: number }).code : undefined;
}

interface PreparedPackage {
  readonly manifest: ModelManifest;
  readonly archive: string;
  readonly sha256: string;
  cleanup(): Promise<void>;
}

export class VertexRollout {
  private readonly s: ResolvedRolloutSettings;
  private readonly log: (line: string) => void;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly o: VertexRolloutOptions) {
    this.s = o.settings;
    this.log = o.log ?? ((line) => process.stdout.write(`${line}\n`));
    this.now = o.now ?? Date.now;
    this.sleep = o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  // --- package ------------------------------------------------------------------------------

  /** Validate the package (manifest, ONNX signature) and produce its archive; no API call. */
  public async preparePackage(packagePath: string): Promise<PreparedPackage> {
    const source = await openModelSource(packagePath);
    try {
      if (!source.pkg || !source.manifest) {
        throw new ServingStackError(GCP_ERRORS.ROLLOUT_INPUT, `${packagePath} is not a model package`, [
          { field: 'package', message: 'is a bare model file without servingstack.json', received: packagePath, allowed: 'a package directory or a .tar.gz made by `servingstack package`' },
        ]);
      }
      if (source.kind === 'archive') {
        return { manifest: source.manifest, archive: path.resolve(packagePath), sha256: await sha256Of(packagePath), cleanup: () => source.cleanup() };
      }
      const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'servingstack-gcp-'));
      const archive = await createModelArchive(source.pkg.dir, path.join(tmp, 'model.tar.gz'));
      return { manifest: source.manifest, archive: archive.file, sha256: archive.sha256, cleanup: () => fs.rm(tmp, { recursive: true, force: true }) };
    } catch (e) {
      await source.cleanup();
      throw e;
    }
  }

  // --- registry -----------------------------------------------------------------------------

  private async modelVersions(): Promise<IModel[] | undefined> {
    try {
      const [versions] = await this.o.clients.models.listModelVersions({ name: this.s.modelName });
      return versions;
    } catch (e) {
      if (grpcCode(e) === 5) return undefined;
      throw e;
    }
  }

  private async resolveVersion(ref: string): Promise<IModel> {
    const versions = (await this.modelVersions()) ?? [];
    const found = versions.find((v) => v.versionId === ref || (v.versionAliases ?? []).includes(ref));
    if (!found) {
      throw new ServingStackError(GCP_ERRORS.ROLLOUT_INPUT, `model ${this.s.modelName} has no version ${ref}`, [
        { field: 'version', message: 'names no version or alias of the model', received: ref, allowed: versions.map((v) => `${v.versionId}${v.versionAliases?.length ? ` (${v.versionAliases.join(', ')})` : ''}`).join(', ') || '(no versions yet)' },
      ]);
    }
    return found;
  }

  private async uploadVersion(pkg: PreparedPackage): Promise<{ version: IModel; uploaded: boolean }> {
    const versions = await this.modelVersions();
    const match = (versions ?? []).find((v) => v.labels?.[SHA_LABEL] === pkg.sha256.slice(0, 32) && v.labels?.[VERSION_LABEL] === labelValue(pkg.manifest.version));
    if (match) {
      this.log(`model ${this.s.modelId} version ${match.versionId} already holds ${pkg.manifest.name} ${pkg.manifest.version} (sha256 ${pkg.sha256.slice(0, 12)}): reusing it`);
      return { version: match, uploaded: false };
    }
    const dir = `${this.s.artifactPrefix.replace(/\/$/, '')}/${pkg.manifest.name}/${labelValue(pkg.manifest.version)}-${pkg.sha256.slice(0, 12)}`;
    const object = `${dir}/model.tar.gz`;
    if (await this.o.artifacts.exists(object)) this.log(`${object} already uploaded`);
    else {
      this.log(`uploading ${object}`);
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
    this.log(first ? `creating model ${this.s.modelName}` : `uploading a new version of ${this.s.modelName}`);
    const [op] = await this.o.clients.models.uploadModel({
      parent: this.s.location,
      model,
      ...(first ? { modelId: this.s.modelId } : { parentModel: this.s.modelName }),
      ...(this.s.runtimeServiceAccount ? { serviceAccount: this.s.runtimeServiceAccount } : {}),
    });
    const [res] = await this.wait('upload', op.promise());
    const [version] = await this.o.clients.models.getModel({ name: `${this.s.modelName}@${res.modelVersionId}` });
    this.log(`uploaded version ${version.versionId}`);
    return { version, uploaded: true };
  }

  /** Add and remove aliases (`-alias` removes); an alias held by another version moves here. */
  public async setAliases(ref: string, aliases: readonly string[]): Promise<string[]> {
    const bad = aliases.filter((a) => !ALIAS_PATTERN.test(a.replace(/^-/, '')));
    if (bad.length > 0) {
      throw new ServingStackError(GCP_ERRORS.ROLLOUT_INPUT, 'invalid version aliases', bad.map((a) => ({ field: 'alias', message: 'has the wrong form', received: a, allowed: '[a-z][a-zA-Z0-9-]{0,126}[a-z0-9], prefixed with - to remove' })));
    }
    const version = await this.resolveVersion(ref);
    const versions = (await this.modelVersions()) ?? [];
    for (const alias of aliases.filter((a) => !a.startsWith('-'))) {
      const holder = versions.find((v) => v.versionId !== version.versionId && (v.versionAliases ?? []).includes(alias));
      if (holder) await this.o.clients.models.mergeVersionAliases({ name: `${this.s.modelName}@${holder.versionId}`, versionAliases: [`-${alias}`] });
    }
    const [updated] = await this.o.clients.models.mergeVersionAliases({ name: `${this.s.modelName}@${version.versionId}`, versionAliases: [...aliases] });
    return updated.versionAliases ?? [];
  }

  private async ensureAlias(versionId: string, alias: string): Promise<void> {
    const versions = (await this.modelVersions()) ?? [];
    if (versions.find((v) => v.versionId === versionId)?.versionAliases?.includes(alias)) return;
    await this.setAliases(versionId, [alias]);
  }

  private async dropAlias(alias: string): Promise<void> {
    const holder = ((await this.modelVersions()) ?? []).find((v) => (v.versionAliases ?? []).includes(alias));
    if (holder) await this.o.clients.models.mergeVersionAliases({ name: `${this.s.modelName}@${holder.versionId}`, versionAliases: [`-${alias}`] });
  }

  public async versions(): Promise<VersionRow[]> {
    const [versions, endpoint] = await Promise.all([this.modelVersions(), this.endpoint()]);
    return (versions ?? []).map((v) => {
      const deployed = this.deployedOf(endpoint, v.versionId ?? '');
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

  // --- endpoint -----------------------------------------------------------------------------

  private async endpoint(): Promise<IEndpoint> {
    const [ep] = await this.o.clients.endpoints.getEndpoint({ name: this.s.endpointName });
    return ep;
  }

  private ours(ep: IEndpoint): IDeployedModel[] {
    return (ep.deployedModels ?? []).filter((d) => d.model === this.s.modelName);
  }

  private deployedOf(ep: IEndpoint, versionId: string): IDeployedModel[] {
    return this.ours(ep).filter((d) => d.modelVersionId === versionId);
  }

  private traffic(ep: IEndpoint, id: string | null | undefined): number {
    return ep.trafficSplit?.[id ?? ''] ?? 0;
  }

  private async wait<T>(what: string, promise: Promise<T>): Promise<T> {
    const started = this.now();
    const every = (this.o.progressIntervalSeconds ?? 15) * 1000;
    const timer = setInterval(() => this.log(`  … ${what} still running (${Math.round((this.now() - started) / 1000)} s)`), every);
    try {
      return await promise;
    } finally {
      clearInterval(timer);
    }
  }

  private async setTraffic(split: Record<string, number>): Promise<void> {
    const ep = await this.endpoint();
    validateTrafficSplit(split, (ep.deployedModels ?? []).map((d) => d.id ?? ''));
    this.log(`traffic → ${Object.entries(split).map(([k, v]) => `${k}: ${v}%`).join(', ')}`);
    await this.o.clients.endpoints.updateEndpoint({ endpoint: { name: this.s.endpointName, trafficSplit: split }, updateMask: { paths: ['traffic_split'] } });
  }

  private async undeploy(id: string, keep: Record<string, number>): Promise<void> {
    this.log(`undeploying ${id}`);
    const [op] = await this.o.clients.endpoints.undeployModel({ endpoint: this.s.endpointName, deployedModelId: id, ...(Object.keys(keep).length > 0 ? { trafficSplit: keep } : {}) });
    await this.wait(`undeploy of ${id}`, op.promise());
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
      const versionId = version.versionId ?? '';
      const result = await this.rollOut(versionId);
      return { ...result, uploaded };
    } finally {
      await pkg?.cleanup();
    }
  }

  private async rollOut(versionId: string): Promise<Omit<DeployResult, 'uploaded'>> {
    const ep = await this.endpoint();
    const target = this.deployedOf(ep, versionId)[0];
    const others = (ep.deployedModels ?? []).filter((d) => d !== target);
    if (target && this.traffic(ep, target.id) === 100 && this.ours(ep).length === 1) {
      await this.ensureAlias(versionId, ALIASES.champion);
      this.log(`version ${versionId} already serves 100% as deployed model ${target.id}: nothing to do`);
      return { outcome: 'unchanged', modelVersion: versionId, deployedModelId: target.id ?? undefined };
    }
    let deployedId: string;
    const incumbents = others.filter((d) => this.traffic(ep, d.id) > 0);
    const champion = [...incumbents].sort((a, b) => this.traffic(ep, b.id) - this.traffic(ep, a.id))[0];
    if (target) {
      deployedId = target.id ?? '';
      this.log(`version ${versionId} is already deployed as ${deployedId} with ${this.traffic(ep, deployedId)}% of the traffic: resuming`);
    } else {
      const canary = champion ? this.s.canaryTrafficPercent : 100;
      const split: Record<string, number> = { '0': canary };
      if (champion && canary < 100) split[champion.id ?? ''] = 100 - canary;
      validateTrafficSplit(split, (ep.deployedModels ?? []).map((d) => d.id ?? ''), true);
      if (champion) await this.ensureAlias(versionId, ALIASES.challenger);
      deployedId = await this.deployVersion(versionId, split, champion);
    }
    const verdict = await this.bake(deployedId);
    if (!verdict.ok) {
      await this.rollBackTo(champion?.id ?? undefined, deployedId, versionId);
      const reason = verdict.reason;
      this.log(`rolled back: ${reason}`);
      throw new ServingStackError(GCP_ERRORS.ROLLOUT_FAILED, `version ${versionId} was rolled back: ${reason}`, [
        { field: 'health', message: reason, received: verdict.last?.detail, allowed: `healthy replicas and an error rate ≤ ${this.s.maxErrorRatePercent}%` },
      ]);
    }
    await this.promoteTo(deployedId, versionId);
    return { outcome: champion ? 'promoted' : 'deployed', modelVersion: versionId, deployedModelId: deployedId };
  }

  private async deployVersion(versionId: string, split: Record<string, number>, champion: IDeployedModel | undefined): Promise<string> {
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
    this.log(`deploying version ${versionId} on ${spec.machineType}${spec.acceleratorCount ? ` + ${spec.acceleratorCount} × ${spec.acceleratorType}` : ''}, replicas ${spec.minReplicaCount}–${spec.maxReplicaCount}, ${split['0']}% of the traffic`);
    try {
      const [op] = await this.o.clients.endpoints.deployModel({ endpoint: this.s.endpointName, deployedModel, trafficSplit: split });
      const [res] = await this.wait(`deploy of version ${versionId}`, op.promise());
      const id = res.deployedModel?.id ?? '';
      this.log(`deployed as ${id}`);
      return id;
    } catch (e) {
      // The split only takes effect with a successful deploy; make sure of it, clean up, report.
      const ep = await this.endpoint();
      const stray = this.deployedOf(ep, versionId)[0];
      await this.rollBackTo(champion?.id ?? undefined, stray?.id ?? undefined, versionId);
      throw new ServingStackError(GCP_ERRORS.ROLLOUT_FAILED, `deploying version ${versionId} failed; the endpoint still serves ${champion ? `deployed model ${champion.id}` : 'nothing'}`, [
        { field: 'deployModel', message: (e as Error).message, allowed: 'check quota, machine availability in the region and the container logs' },
      ]);
    }
  }

  private async bake(deployedModelId: string): Promise<{ ok: boolean; reason: string; last?: HealthReport }> {
    const bakeMs = this.s.bakeTimeSeconds * 1000;
    const interval = (this.o.checkIntervalSeconds ?? 30) * 1000;
    const started = this.now();
    const since = new Date(started);
    const maxRate = this.s.maxErrorRatePercent / 100;
    let last: HealthReport | undefined;
    for (;;) {
      last = await this.o.health.check({ endpointName: this.s.endpointName, deployedModelId, minReplicaCount: this.s.deploymentSpec.minReplicaCount, since });
      const elapsed = Math.round((this.now() - started) / 1000);
      this.log(`  health @${elapsed}s/${this.s.bakeTimeSeconds}s: ${last.healthy ? 'healthy' : 'not healthy'}; ${last.detail}`);
      if (last.errorRate !== undefined && last.errorRate > maxRate) {
        return { ok: false, reason: `error rate ${(last.errorRate * 100).toFixed(2)}% is above ${this.s.maxErrorRatePercent}%`, last };
      }
      if (this.now() - started >= bakeMs) break;
      await this.sleep(Math.min(interval, Math.max(0, bakeMs - (this.now() - started))));
    }
    return last.healthy ? { ok: true, reason: 'healthy', last } : { ok: false, reason: `not healthy after ${this.s.bakeTimeSeconds} s`, last };
  }

  private async promoteTo(deployedId: string, versionId: string): Promise<void> {
    let ep = await this.endpoint();
    if (this.traffic(ep, deployedId) !== 100) await this.setTraffic({ [deployedId]: 100 });
    ep = await this.endpoint();
    const oldVersions = new Set<string>();
    for (const d of (ep.deployedModels ?? []).filter((x) => x.id !== deployedId && x.model === this.s.modelName)) {
      oldVersions.add(d.modelVersionId ?? '');
      await this.undeploy(d.id ?? '', { [deployedId]: 100 });
    }
    const versions = (await this.modelVersions()) ?? [];
    const oldChampion = versions.find((v) => v.versionId !== versionId && (v.versionAliases ?? []).includes(ALIASES.champion));
    if (oldChampion) await this.setAliases(oldChampion.versionId ?? '', [ALIASES.previous, `-${ALIASES.champion}`]);
    await this.setAliases(versionId, [ALIASES.champion]);
    if ((await this.resolveVersion(versionId)).versionAliases?.includes(ALIASES.challenger)) {
      await this.o.clients.models.mergeVersionAliases({ name: `${this.s.modelName}@${versionId}`, versionAliases: [`-${ALIASES.challenger}`] });
    }
    this.log(`promoted version ${versionId} (deployed model ${deployedId}) to champion`);
  }

  private async rollBackTo(championId: string | undefined, loserId: string | undefined, loserVersion: string): Promise<void> {
    const ep = await this.endpoint();
    if (championId && this.traffic(ep, championId) !== 100) await this.setTraffic({ [championId]: 100 });
    if (loserId && (ep.deployedModels ?? []).some((d) => d.id === loserId)) await this.undeploy(loserId, championId ? { [championId]: 100 } : {});
    const holder = ((await this.modelVersions()) ?? []).find((v) => v.versionId === loserVersion);
    if (holder?.versionAliases?.includes(ALIASES.challenger)) {
      await this.o.clients.models.mergeVersionAliases({ name: `${this.s.modelName}@${loserVersion}`, versionAliases: [`-${ALIASES.challenger}`] });
    }
  }

  // --- manual completion of an interrupted rollout --------------------------------------------

  /** Give the challenger (or `ref`) 100 %, undeploy the rest, move aliases. */
  public async promote(ref: string = ALIASES.challenger): Promise<DeployResult> {
    const version = await this.resolveVersion(ref);
    const ep = await this.endpoint();
    const target = this.deployedOf(ep, version.versionId ?? '')[0];
    if (!target) {
      throw new ServingStackError(GCP_ERRORS.ROLLOUT_STATE, `version ${version.versionId} is not deployed on ${this.s.endpointName}`, [
        { field: 'version', message: 'is not deployed', received: ref, allowed: 'a deployed version; deploy it first with `servingstack gcp deploy --version`' },
      ]);
    }
    await this.promoteTo(target.id ?? '', version.versionId ?? '');
    return { outcome: 'promoted', modelVersion: version.versionId ?? '', deployedModelId: target.id ?? undefined, uploaded: false };
  }

  /** Give the champion 100 % again and undeploy everything else of this model. */
  public async rollback(): Promise<DeployResult> {
    const versions = (await this.modelVersions()) ?? [];
    const champion = versions.find((v) => (v.versionAliases ?? []).includes(ALIASES.champion));
    const ep = await this.endpoint();
    const deployed = champion ? this.deployedOf(ep, champion.versionId ?? '')[0] : undefined;
    if (!champion || !deployed) {
      throw new ServingStackError(GCP_ERRORS.ROLLOUT_STATE, 'there is no deployed champion to roll back to', [
        {
          field: 'champion',
          message: champion ? `version ${champion.versionId} (champion) is not deployed` : 'no version carries the champion alias',
          allowed: 'redeploy a known-good version: `servingstack gcp deploy --version previous`',
        },
      ]);
    }
    const keep = { [deployed.id ?? '']: 100 };
    if (this.traffic(ep, deployed.id) !== 100) await this.setTraffic(keep);
    for (const d of this.ours(ep).filter((x) => x.id !== deployed.id)) {
      await this.undeploy(d.id ?? '', keep);
      const holder = versions.find((v) => v.versionId === d.modelVersionId);
      if (holder?.versionAliases?.includes(ALIASES.challenger)) await this.dropAlias(ALIASES.challenger);
    }
    this.log(`rolled back to version ${champion.versionId} (deployed model ${deployed.id})`);
    return { outcome: 'rolled-back', modelVersion: champion.versionId ?? '', deployedModelId: deployed.id ?? undefined, uploaded: false };
  }
}
