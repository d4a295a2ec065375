/**
 * `servingstack onprem promote|rollback|status`: flags in, the on-prem rollout executor
 * (constructs/onprem/rollout/executor.ts) plans with the pure planner and commits; this file
 * parses the flags, shows progress and prints the plan. Loads no cdktf code.
 */
import type { Command } from 'commander';
import { ServingStackError, ValidationIssue } from '../../lib/core/errors';
import { OnPremErrorCodes } from '../../constructs/onprem/errors';
import { ClusterAccess, OnPremRollout } from '../../constructs/onprem/rollout/executor';
import { describeRollout, RolloutPlan, validateSteps } from '../../constructs/onprem/rollout/planner';
import { printResult, Progress } from '../progress';

interface ClusterOptions {
  readonly state: string;
  readonly name?: string;
  readonly namespace?: string;
  readonly context?: string;
  readonly prometheusUrl?: string;
  readonly write?: boolean;
  readonly json?: boolean;
}

interface PromoteOptions extends ClusterOptions {
  readonly modelVersion?: string;
  readonly alias?: string;
  readonly modelUri?: string;
  readonly mlflowUrl?: string;
  readonly model?: string;
  readonly steps?: string;
  readonly maxErrorRate?: string;
  readonly maxP99LatencyMillis?: string;
  readonly skipHealthCheck?: boolean;
}

/** Tests replace the executor's outside world. */
export const onpremDependencies = { rollout: (): OnPremRollout => new OnPremRollout() };

function numberOption(field: string, raw: string | undefined, issues: ValidationIssue[]): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) issues.push({ field, message: 'is not a positive number', received: raw, allowed: 'e.g. 1 or 0.5' });
  return n;
}

const cluster = (o: ClusterOptions): ClusterAccess => ({ name: o.name, namespace: o.namespace ?? 'default', context: o.context, prometheusUrl: o.prometheusUrl });

function planText(plan: RolloutPlan, o: ClusterOptions): string {
  const lines = [`${plan.allowed ? 'plan' : 'refused'}: ${plan.action} — ${plan.summary}`, ...plan.reasons.map((r) => `  - ${r}`)];
  if (!plan.allowed) return lines.join('\n');
  lines.push('', describeRollout(plan.to));
  if (o.write) {
    lines.push('', `wrote ${o.state}`, 'next: cdktf deploy   (the canary gets traffic only after its Deployment is Ready)');
    if (o.name) lines.push(`then: kubectl ${o.context ? `--context ${o.context} ` : ''}-n ${o.namespace ?? 'default'} rollout status deployment/${plan.to.canaryVersion !== undefined ? `${o.name}-canary` : o.name}`);
  } else {
    lines.push('', `dry run; --write updates ${o.state} to:`, JSON.stringify(plan.to, null, 2));
  }
  return lines.join('\n');
}

/** Print the plan (a refused one too, before its error), then commit it. */
function finish(rollout: OnPremRollout, plan: RolloutPlan, o: ClusterOptions): void {
  if (!plan.allowed && !o.json) process.stdout.write(`${planText(plan, o)}\n`);
  rollout.commit(plan, o.state, o.write === true);
  printResult(o.json, { ...plan, written: o.write === true }, () => planText(plan, o));
}

function clusterOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--state <file>', 'rollout state file read by the CanaryRollout construct')
    .option('--name <name>', 'service name (CanaryRollout name); enables observation of <name> and <name>-canary')
    .option('-n, --namespace <ns>', 'serving namespace', 'default')
    .option('--context <ctx>', 'kubeconfig context for kubectl')
    .option('--prometheus-url <url>', 'Prometheus base URL for error-rate and latency gates (e.g. via kubectl port-forward)')
    .option('--json', 'print the result as JSON (progress goes to stderr)');
}

export function registerOnpremCommand(program: Command): void {
  const onprem = program.command('onprem').summary('on-prem Kubernetes blueprint: canary promotion, rollback and status');

  clusterOptions(onprem.command('status').description('Show the rollout state and, with --name, the observed health of both tracks.')).action(async (o: ClusterOptions) => {
    const rollout = onpremDependencies.rollout();
    const state = rollout.readState(o.state);
    const observation = await Progress.start({ json: o.json }).run(async (p) => {
      if (o.name) p.step(`observing ${o.name} and ${o.name}-canary in ${o.namespace ?? 'default'}`);
      return rollout.observe(cluster(o));
    });
    printResult(o.json, { state, observation }, () => describeRollout(state, observation));
  });

  clusterOptions(
    onprem
      .command('promote')
      .description(
        [
          'Start a canary of a model version (resolved from MLflow with --mlflow-url/--model and --model-version or --alias, or given with --model-uri), or move the running canary one step (default weights 10,25,50,100), then make it stable and remove the canary.',
          'Each step is gated on the health of the track receiving more traffic: all replicas updated and ready, and (with --prometheus-url) error rate and p99 latency under the limits (the shared rollout gates: 1 % and 1000 ms). Dry run unless --write.',
        ].join('\n\n'),
      ),
  )
    .option('--model-version <v>', 'model version to start a canary of (MLflow version number, or your label with --model-uri)')
    .option('--alias <alias>', 'MLflow alias to resolve instead of --model-version (e.g. champion)')
    .option('--model-uri <uri>', 's3:// or pvc:// URI of the version (skips MLflow)')
    .option('--mlflow-url <url>', 'MLflow tracking/registry URL')
    .option('--model <name>', 'MLflow registered model name')
    .option('--steps <list>', 'canary weights', '10,25,50,100')
    .option('--max-error-rate <percent>', 'largest 5xx share allowed to advance (default 1)')
    .option('--max-p99-latency-millis <ms>', 'largest p99 latency allowed to advance (default 1000)')
    .option('--skip-health-check', 'advance without observing health (recorded in the output)')
    .option('--write', 'write the new state file')
    .action(async (o: PromoteOptions) => {
      const issues: ValidationIssue[] = [];
      const steps = (o.steps ?? '10,25,50,100').split(',').map((s) => Number(s.trim()));
      issues.push(...validateSteps(steps).map((i) => ({ ...i, field: '--steps' })));
      const maxErrorRatePercent = numberOption('--max-error-rate', o.maxErrorRate, issues);
      const maxP99LatencyMillis = numberOption('--max-p99-latency-millis', o.maxP99LatencyMillis, issues);
      if (o.modelVersion && o.alias) issues.push({ field: '--alias', message: 'cannot be combined with --model-version', received: o.alias, allowed: 'one of --model-version or --alias' });
      if (issues.length > 0) throw new ServingStackError(OnPremErrorCodes.ROLLOUT, 'invalid promote options', issues);
      const rollout = onpremDependencies.rollout();
      const plan = await Progress.start({ json: o.json }).run(async (p) => {
        if (!o.skipHealthCheck && o.name) p.step(`observing ${o.name} and ${o.name}-canary in ${o.namespace ?? 'default'}`);
        return rollout.planPromote(o.state, o, cluster(o), { gates: { steps, maxErrorRatePercent, maxP99LatencyMillis }, skipHealthCheck: o.skipHealthCheck === true });
      });
      finish(rollout, plan, o);
    });

  clusterOptions(onprem.command('rollback').description('Remove the canary (or, after a promotion, roll stable back to the previous version). Never gated. Dry run unless --write.'))
    .option('--write', 'write the new state file')
    .action(async (o: ClusterOptions) => {
      const rollout = onpremDependencies.rollout();
      finish(rollout, rollout.planRollback(o.state), o);
    });
}
