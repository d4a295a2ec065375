/**
 * The on-prem rollout executor: reads and writes the rollout state file, asks MLflow for a model
 * version, observes both tracks (`kubectl get deployment -o json` and Prometheus' HTTP API), hands
 * everything to the pure planner (planner.ts) and commits its plan. The outside world is reached
 * only through `RolloutIo` (kubectl, HTTP GET, files), so tests drive it with fakes and check the
 * exact commands and queries. The state file is the desired state the CanaryRollout construct
 * reads; after a write, `cdktf deploy` applies it.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import { promisify } from 'node:util';
import { ServingStackError } from '../../../lib/core/errors';
import { RUNTIME_METRICS } from '../../../lib/core/metrics-catalog';
import { NON_INFERENCE_ROUTES } from '../alert-rules';
import { OnPremErrorCodes } from '../errors';
import { PromoteRequest, RolloutObservation, RolloutPlan, RolloutState, TrackHealth, planPromote, planRollback, validateRolloutState } from './planner';

/** How the executor reaches the outside world. */
export interface RolloutIo {
  /** Run kubectl with `args`; its stdout. */
  kubectl(args: readonly string[]): Promise<string>;
  /** GET `url` and parse the JSON answer (non-2xx: throw). */
  getJson(url: string): Promise<unknown>;
  readFile(file: string): string;
  /** Write `text` to `file` (atomically). */
  writeFile(file: string, text: string): void;
}

/** kubectl on PATH, Node's fetch, the local file system. */
export function systemRolloutIo(): RolloutIo {
  return {
    async kubectl(args) {
      const { stdout } = await promisify(execFile)('kubectl', [...args], { timeout: 30_000, maxBuffer: 16 * 1024 * 1024 });
      return stdout;
    },
    async getJson(url) {
      const res = await fetch(url, { signal: AbortSignal.timeout(15_000) });
      if (!res.ok) throw new ServingStackError(OnPremErrorCodes.ROLLOUT_UNREACHABLE, `GET ${url} answered ${res.status}`, [{ field: 'url', message: await res.text(), received: url }]);
      return res.json();
    },
    readFile: (file) => fs.readFileSync(file, 'utf8'),
    writeFile(file, text) {
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, text);
      fs.renameSync(tmp, file);
    },
  };
}

/** Where the tracks run and how to observe them. */
export interface ClusterAccess {
  /** Service name (CanaryRollout name); without it nothing is observed. */
  readonly name?: string;
  readonly namespace: string;
  /** kubeconfig context. @default - kubectl's current context */
  readonly context?: string;
  /** Prometheus base URL for the error-rate and latency gates. @default - replica gates only */
  readonly prometheusUrl?: string;
}

/** Which version to start a canary of: explicit, or resolved in MLflow. */
export interface TargetRequest {
  readonly modelVersion?: string;
  readonly alias?: string;
  /** `s3://` or `pvc://` URI of `modelVersion` (skips MLflow). */
  readonly modelUri?: string;
  readonly mlflowUrl?: string;
  /** MLflow registered model name. */
  readonly model?: string;
}

const CODE_INVALID = OnPremErrorCodes.ROLLOUT;

export class OnPremRollout {
  constructor(private readonly io: RolloutIo = systemRolloutIo()) {}

  /** The state file, validated. */
  public readState(file: string): RolloutState {
    let state: RolloutState;
    try {
      state = JSON.parse(this.io.readFile(file)) as RolloutState;
    } catch (e) {
      throw new ServingStackError(CODE_INVALID, `rollout state ${file} cannot be read`, [{ field: 'state', message: (e as Error).message, received: file, allowed: 'a JSON file like examples/onprem-k8s-gpu/rollout.json' }]);
    }
    const issues = validateRolloutState(state);
    if (issues.length > 0) throw new ServingStackError(CODE_INVALID, `rollout state ${file} is invalid`, issues);
    return state;
  }

  /** Health of `<name>` (stable) and `<name>-canary`, when a name is given. */
  public async observe(c: ClusterAccess): Promise<RolloutObservation> {
    if (!c.name) return {};
    const track = async (deployment: string, label: string): Promise<TrackHealth | undefined> => {
      const h = await this.deployment(c, deployment);
      if (!h || !c.prometheusUrl) return h;
      const q = healthQueries(c.namespace, c.name!, label);
      const p99Seconds = await this.promQuery(c.prometheusUrl, q.p99LatencySeconds);
      return { ...h, errorRatePercent: await this.promQuery(c.prometheusUrl, q.errorRatePercent), p99LatencyMillis: p99Seconds === undefined ? undefined : p99Seconds * 1000 };
    };
    return { stable: await track(c.name, 'stable'), canary: await track(`${c.name}-canary`, 'canary') };
  }

  /** The version a new canary serves, or undefined when none is named. */
  public async resolveTarget(t: TargetRequest): Promise<{ version: string; modelUri: string } | undefined> {
    if (t.modelUri) {
      if (!t.modelVersion) throw new ServingStackError(CODE_INVALID, '--model-uri needs --model-version', [{ field: '--model-version', message: 'is missing', allowed: 'the version label of the model at --model-uri' }]);
      return { version: t.modelVersion, modelUri: t.modelUri };
    }
    if (!t.modelVersion && !t.alias) return undefined;
    if (!t.mlflowUrl || !t.model) {
      throw new ServingStackError(CODE_INVALID, 'resolving a model version needs the registry', [{ field: '--mlflow-url/--model', message: 'are missing', allowed: '--mlflow-url http://… --model <registered model name>, or --model-uri with --model-version' }]);
    }
    const base = t.mlflowUrl.replace(/\/+$/, '');
    const url = t.alias
      ? `${base}/api/2.0/mlflow/registered-models/alias?name=${encodeURIComponent(t.model)}&alias=${encodeURIComponent(t.alias)}`
      : `${base}/api/2.0/mlflow/model-versions/get?name=${encodeURIComponent(t.model)}&version=${encodeURIComponent(t.modelVersion!)}`;
    return parseMlflowModelVersion(await this.fetch(url));
  }

  /** Plan a promotion from the state file (resolving the target and observing unless skipped). */
  public async planPromote(stateFile: string, target: TargetRequest, cluster: ClusterAccess, request: Omit<PromoteRequest, 'target' | 'observation'>): Promise<RolloutPlan> {
    const state = this.readState(stateFile);
    const resolved = await this.resolveTarget(target);
    const observation = request.skipHealthCheck ? {} : await this.observe(cluster);
    return planPromote(state, { ...request, target: resolved, observation });
  }

  /** Plan a rollback from the state file (never gated). */
  public planRollback(stateFile: string): RolloutPlan {
    return planRollback(this.readState(stateFile));
  }

  /**
   * Commit a plan: a refused plan throws with its reasons, a next state that would not deploy
   * throws naming its fields; otherwise, with `write`, the state file is replaced.
   */
  public commit(plan: RolloutPlan, stateFile: string, write: boolean): void {
    if (!plan.allowed) throw new ServingStackError(OnPremErrorCodes.ROLLOUT_REFUSED, `${plan.action} refused: ${plan.summary}`, plan.reasons.map((r) => ({ field: 'gate', message: r })));
    const issues = validateRolloutState(plan.to, 'next state');
    if (issues.length > 0) throw new ServingStackError(CODE_INVALID, 'the planned state is invalid', issues);
    if (write) this.io.writeFile(stateFile, `${JSON.stringify(plan.to, null, 2)}\n`);
  }

  private async deployment(c: ClusterAccess, deployment: string): Promise<TrackHealth | undefined> {
    const args = [...(c.context ? ['--context', c.context] : []), '-n', c.namespace, 'get', 'deployment', deployment, '-o', 'json', '--ignore-not-found'];
    let stdout: string;
    try {
      stdout = await this.io.kubectl(args);
    } catch (e) {
      throw new ServingStackError(OnPremErrorCodes.ROLLOUT_UNREACHABLE, `kubectl ${args.join(' ')} failed`, [{ field: 'kubectl', message: (e as Error).message, allowed: 'kubectl on PATH with access to the cluster (--context)' }]);
    }
    return stdout.trim() === '' ? undefined : parseDeploymentStatus(JSON.parse(stdout));
  }

  private async promQuery(base: string, query: string): Promise<number | undefined> {
    return parsePrometheusScalar(await this.fetch(`${base.replace(/\/+$/, '')}/api/v1/query?query=${encodeURIComponent(query)}`));
  }

  private async fetch(url: string): Promise<unknown> {
    try {
      return await this.io.getJson(url);
    } catch (e) {
      if (ServingStackError.isServingStackError(e)) throw e;
      throw new ServingStackError(OnPremErrorCodes.ROLLOUT_UNREACHABLE, `GET ${url} failed`, [{ field: 'url', message: (e as Error).message, received: url }]);
    }
  }
}

// ---- parsers for what the executor fetches (pure) ----

/** TrackHealth from `kubectl get deployment <name> -o json`. */
export function parseDeploymentStatus(json: unknown): TrackHealth {
  const d = json as { spec?: { replicas?: number }; status?: { readyReplicas?: number; updatedReplicas?: number; replicas?: number } };
  return {
    desiredReplicas: d?.spec?.replicas ?? 0,
    readyReplicas: d?.status?.readyReplicas ?? 0,
    updatedReplicas: d?.status?.updatedReplicas ?? 0,
  };
}

/** The scalar of a Prometheus `/api/v1/query` answer (undefined when empty or NaN). */
export function parsePrometheusScalar(json: unknown): number | undefined {
  const r = json as { status?: string; data?: { resultType?: string; result?: { value?: [number, string] }[] } };
  if (r?.status !== 'success') return undefined;
  const first = r.data?.result?.[0]?.value?.[1];
  if (first === undefined) return undefined;
  const n = Number(first);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * The model URI of an MLflow model version, from `GET /api/2.0/mlflow/model-versions/get` or
 * `GET /api/2.0/mlflow/registered-models/alias`. Proxied `mlflow-artifacts:/` sources are refused
 * (the init container reads the store directly; deploy MLflow with proxied artifacts off).
 */
export function parseMlflowModelVersion(json: unknown): { version: string; modelUri: string } {
  const mv = (json as { model_version?: { version?: string; source?: string } })?.model_version;
  if (!mv || typeof mv.version !== 'string') throw new Error('MLflow answered without a model_version');
  if (typeof mv.source !== 'string' || mv.source === '') throw new Error(`MLflow model version ${mv.version} has no source`);
  // The URI is checked by validateRolloutState (s3:// or pvc:// only) before any state is written.
  return { version: mv.version, modelUri: mv.source };
}

/** PromQL for a track's 5xx share (percent) and p99 latency, with the labels the scrape job sets. */
export function healthQueries(namespace: string, app: string, track: string): { errorRatePercent: string; p99LatencySeconds: string } {
  const sel = `namespace="${namespace}",app="${app}",track="${track}",route!~"${NON_INFERENCE_ROUTES}"`;
  const requests = RUNTIME_METRICS.requests.name;
  return {
    errorRatePercent: `100 * sum(rate(${requests}{${sel},status=~"5.."}[5m])) / sum(rate(${requests}{${sel}}[5m]))`,
    p99LatencySeconds: `histogram_quantile(0.99, sum by (le) (rate(${RUNTIME_METRICS.requestDuration.name}_bucket{${sel}}[5m])))`,
  };
}
