/**
 * `servingstack onprem promote|rollback|status`: drive the on-prem canary rollout.
 *
 * The decision is made by the pure planner in constructs/onprem/rollout-plan.ts (tested). This
 * file is the thin executor around it: it reads and writes the state file, asks MLflow for a
 * model version, and observes the cluster with `kubectl get deployment -o json` and Prometheus'
 * HTTP API. Those calls need a reachable cluster and are not exercised by the test suite.
 * The state file is the desired state the CanaryRollout construct reads; after `--write`,
 * apply it with `cdktf deploy`.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import { promisify } from 'node:util';
import type { Command } from 'commander';
import { ServingStackError, ValidationIssue } from '../../lib/core/errors';
import {
  RolloutObservation, RolloutPlan, RolloutState, TrackHealth, describeRollout, healthQueries, parseDeploymentStatus,
  parseMlflowModelVersion, parsePrometheusScalar, planPromote, planRollback, validateRolloutState, validateSteps,
} from '../../constructs/onprem/rollout-plan';
// Pure modules only: the command never loads cdktf or the providers.
import { ONPREM_ERRORS } from '../../constructs/onprem/private/error-codes';

const CODE_INVALID = ONPREM_ERRORS.ROLLOUT;
const CODE_REFUSED = ONPREM_ERRORS.ROLLOUT_REFUSED;
const CODE_UNREACHABLE = ONPREM_ERRORS.ROLLOUT_UNREACHABLE;

interface ClusterOptions {
  readonly state: string;
  readonly name?: string;
  readonly namespace?: string;
  readonly context?: string;
  readonly prometheusUrl?: string;
  readonly write?: boolean;
}

interface PromoteOptions extends ClusterOptions {
  readonly modelVersion?: string;
  readonly alias?: string;
  readonly modelUri?: string;
  readonly mlflowUrl?: string;
  readonly model?: string;
  readonly steps?: string;
  readonly maxErrorRate?: string;
  readonly maxP99?: string;
  readonly skipHealthCheck?: boolean;
}

const out = (...lines: string[]): void => void process.stdout.write(`${lines.join('\n')}\n`);

export function readState(file: string): RolloutState {
  let state: RolloutState;
  try {
    state = JSON.parse(fs.readFileSync(file, 'utf8')) as RolloutState;
  } catch (e) {
    throw new ServingStackError(CODE_INVALID, `rollout state ${file} cannot be read`, [{ field: 'state', message: (e as Error).message, received: file, allowed: 'a JSON file like examples/onprem-k8s-gpu/rollout.json' }]);
  }
  const issues = validateRolloutState(state);
  if (issues.length > 0) throw new ServingStackError(CODE_INVALID, `rollout state ${file} is invalid`, issues);
  return state;
}

function numberOption(field: string, raw: string | undefined, issues: ValidationIssue[]): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) issues.push({ field, message: 'is not a positive number', received: raw, allowed: 'e.g. 1 or 0.5' });
  return n;
}

// ---- executor: the only code here that talks to the outside (not covered by tests) ----

async function kubectlDeployment(o: ClusterOptions, deployment: string): Promise<TrackHealth | undefined> {
  const args = [...(o.context ? ['--context', o.context] : []), '-n', o.namespace ?? 'default', 'get', 'deployment', deployment, '-o', 'json', '--ignore-not-found'];
  try {
    const { stdout } = await promisify(execFile)('kubectl', args, { timeout: 30_000, maxBuffer: 16 * 1024 * 1024 });
    return stdout.trim() === '' ? undefined : parseDeploymentStatus(JSON.parse(stdout));
  } catch (e) {
    throw new ServingStackError(CODE_UNREACHABLE, `kubectl ${args.join(' ')} failed`, [{ field: 'kubectl', message: (e as Error).message, allowed: 'kubectl on PATH with access to the cluster (--context)' }]);
  }
}

async function getJson(url: string): Promise<unknown> {
  const res = await fetch(url, { signal: AbortSignal.timeout(15_000) });
  if (!res.ok) throw new ServingStackError(CODE_UNREACHABLE, `GET ${url} answered ${res.status}`, [{ field: 'url', message: await res.text(), received: url }]);
  return res.json();
}

async function promQuery(base: string, query: string): Promise<number | undefined> {
  return parsePrometheusScalar(await getJson(`${base.replace(/\/+$/, '')}/api/v1/query?query=${encodeURIComponent(query)}`));
}

async function observe(o: ClusterOptions): Promise<RolloutObservation> {
  if (!o.name) return {};
  const ns = o.namespace ?? 'default';
  const track = async (deployment: string, label: 'stable' | 'canary'): Promise<TrackHealth | undefined> => {
    const h = await kubectlDeployment(o, deployment);
    if (!h || !o.prometheusUrl) return h;
    const q = healthQueries(ns, o.name!, label);
    return { ...h, errorRatePercent: await promQuery(o.prometheusUrl, q.errorRatePercent), p99LatencySeconds: await promQuery(o.prometheusUrl, q.p99LatencySeconds) };
  };
  return { stable: await track(o.name, 'stable'), canary: await track(`${o.name}-canary`, 'canary') };
}

async function resolveTarget(o: PromoteOptions): Promise<{ version: string; modelUri: string } | undefined> {
  if (o.modelUri) {
    if (!o.modelVersion) throw new ServingStackError(CODE_INVALID, '--model-uri needs --model-version', [{ field: '--model-version', message: 'is missing', allowed: 'the version label of the model at --model-uri' }]);
    return { version: o.modelVersion, modelUri: o.modelUri };
  }
  if (!o.modelVersion && !o.alias) return undefined;
  if (!o.mlflowUrl || !o.model) {
    throw new ServingStackError(CODE_INVALID, 'resolving a model version needs the registry', [{ field: '--mlflow-url/--model', message: 'are missing', allowed: '--mlflow-url http://… --model <registered model name>, or --model-uri with --model-version' }]);
  }
  const base = o.mlflowUrl.replace(/\/+$/, '');
  const url = o.alias
    ? `${base}/api/2.0/mlflow/registered-models/alias?name=${encodeURIComponent(o.model)}&alias=${encodeURIComponent(o.alias)}`
    : `${base}/api/2.0/mlflow/model-versions/get?name=${encodeURIComponent(o.model)}&version=${encodeURIComponent(o.modelVersion!)}`;
  return parseMlflowModelVersion(await getJson(url));
}

// ---- rendering and state writes ----

function finish(plan: RolloutPlan, o: ClusterOptions): void {
  out(`${plan.allowed ? 'plan' : 'refused'}: ${plan.action} — ${plan.summary}`);
  for (const r of plan.reasons) out(`  - ${r}`);
  if (!plan.allowed) {
    throw new ServingStackError(CODE_REFUSED, `${plan.action} refused: ${plan.summary}`, plan.reasons.map((r) => ({ field: 'gate', message: r })));
  }
  const issues = validateRolloutState(plan.to, 'next state');
  if (issues.length > 0) throw new ServingStackError(CODE_INVALID, 'the planned state is invalid', issues);
  out('', describeRollout(plan.to));
  const json = `${JSON.stringify(plan.to, null, 2)}\n`;
  if (o.write) {
    fs.writeFileSync(o.state, json);
    out('', `wrote ${o.state}`, 'next: cdktf deploy   (the canary gets traffic only after its Deployment is Ready)');
    if (o.name) out(`then: kubectl ${o.context ? `--context ${o.context} ` : ''}-n ${o.namespace ?? 'default'} rollout status deployment/${plan.to.canaryVersion !== undefined ? `${o.name}-canary` : o.name}`);
  } else {
    out('', `dry run; --write updates ${o.state} to:`, json.trimEnd());
  }
}

function clusterOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--state <file>', 'rollout state file read by the CanaryRollout construct')
    .option('--name <name>', 'service name (CanaryRollout name); enables observation of <name> and <name>-canary')
    .option('-n, --namespace <ns>', 'serving namespace', 'default')
    .option('--context <ctx>', 'kubeconfig context for kubectl')
    .option('--prometheus-url <url>', 'Prometheus base URL for error-rate and latency gates (e.g. via kubectl port-forward)');
}

export function registerOnpremCommand(program: Command): void {
  const onprem = program.command('onprem').summary('on-prem Kubernetes blueprint: canary promotion, rollback and status');

  clusterOptions(onprem.command('status').description('Show the rollout state and, with --name, the observed health of both tracks.')).action(async (o: ClusterOptions) => {
    const state = readState(o.state);
    out(describeRollout(state, await observe(o)));
  });

  clusterOptions(
    onprem
      .command('promote')
      .description(
        [
          'Start a canary of a model version (resolved from MLflow with --mlflow-url/--model and --model-version or --alias, or given with --model-uri), or move the running canary one step (default weights 10,25,50,100), then make it stable and remove the canary.',
          'Each step is gated on the health of the track receiving more traffic: all replicas updated and ready, and (with --prometheus-url) error rate and p99 latency under the limits. Dry run unless --write.',
        ].join('\n\n'),
      ),
  )
    .option('--model-version <v>', 'model version to start a canary of (MLflow version number, or your label with --model-uri)')
    .option('--alias <alias>', 'MLflow alias to resolve instead of --model-version (e.g. champion)')
    .option('--model-uri <uri>', 's3:// or pvc:// URI of the version (skips MLflow)')
    .option('--mlflow-url <url>', 'MLflow tracking/registry URL')
    .option('--model <name>', 'MLflow registered model name')
    .option('--steps <list>', 'canary weights', '10,25,50,100')
    .option('--max-error-rate <percent>', 'largest 5xx share allowed to advance', '1')
    .option('--max-p99 <seconds>', 'largest p99 latency allowed to advance', '1')
    .option('--skip-health-check', 'advance without observing health (recorded in the output)')
    .option('--write', 'write the new state file')
    .action(async (o: PromoteOptions) => {
      const issues: ValidationIssue[] = [];
      const steps = (o.steps ?? '10,25,50,100').split(',').map((s) => Number(s.trim()));
      issues.push(...validateSteps(steps).map((i) => ({ ...i, field: '--steps' })));
      const maxErrorRatePercent = numberOption('--max-error-rate', o.maxErrorRate, issues);
      const maxP99LatencySeconds = numberOption('--max-p99', o.maxP99, issues);
      if (o.modelVersion && o.alias) issues.push({ field: '--alias', message: 'cannot be combined with --model-version', received: o.alias, allowed: 'one of --model-version or --alias' });
      if (issues.length > 0) throw new ServingStackError(CODE_INVALID, 'invalid promote options', issues);
      const state = readState(o.state);
      const target = await resolveTarget(o);
      const observation = o.skipHealthCheck ? {} : await observe(o);
      finish(planPromote(state, { target, observation, gates: { steps, maxErrorRatePercent, maxP99LatencySeconds }, skipHealthCheck: o.skipHealthCheck === true }), o);
    });

  clusterOptions(onprem.command('rollback').description('Remove the canary (or, after a promotion, roll stable back to the previous version). Never gated. Dry run unless --write.'))
    .option('--write', 'write the new state file')
    .action(async (o: ClusterOptions) => {
      finish(planRollback(readState(o.state)), o);
    });
}
