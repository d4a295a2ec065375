/**
 * `servingstack azure upload|promote|rollback|status`: what Terraform does not do on Azure ML.
 * `upload` puts a model package where the stack's model version points (Blob REST, Entra token);
 * `promote`/`rollback`/`status` drive the blue/green traffic split of a managed online endpoint
 * (ARM REST + Azure Monitor metrics) with the pure planner in constructs/azure/rollout/planner.ts.
 * Settings come from the stack output (`cdktf output --json`, `--outputs`) or the synthesized JSON
 * (`--synth cdktf.out/stacks/<stack>/cdk.tf.json`), then flags. Loads no cdktf code.
 */
import * as fs from 'node:fs';
import type { Command } from 'commander';
import { ThresholdGroup, Thresholds } from '../../lib/core/contract/thresholds';
import { ServingStackError, ValidationIssue } from '../../lib/core/errors';
import { loadModelPackageSync } from '../../lib/core/model-package';
import { AzureErrorCodes } from '../../constructs/azure/errors';
import { ArmClient } from '../../constructs/azure/rollout/arm-client';
import { AzureRollout } from '../../constructs/azure/rollout/azure-rollout';
import { uploadPackage } from '../../constructs/azure/rollout/blob-upload';
import { HttpClient, TokenProvider, defaultTokenProvider, fetchHttpClient } from '../../constructs/azure/rollout/http';
import { listPackageFiles, packageDigest } from '../../constructs/azure/rollout/package-files';
import { describeEndpoint, validatePolicy } from '../../constructs/azure/rollout/planner';
import { AzureRolloutSettings, findRolloutSettings, validateRolloutSettings } from '../../constructs/azure/rollout/settings';

/** What the commands talk through; tests swap these for a fake server on loopback. */
export const azureDependencies: { http: () => HttpClient; token: () => TokenProvider; sleep?: (ms: number) => Promise<void> } = {
  http: () => fetchHttpClient(),
  token: () => defaultTokenProvider(),
};

interface CommonOptions {
  readonly outputs?: string;
  readonly synth?: string;
  readonly outputName?: string;
  readonly subscriptionId?: string;
  readonly resourceGroup?: string;
  readonly workspace?: string;
  readonly endpoint?: string;
  readonly apiVersion?: string;
  readonly armUrl?: string;
}

const out = (...lines: string[]): void => void process.stdout.write(`${lines.join('\n')}\n`);

function readJson(file: string, flag: string, allowed: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ServingStackError(AzureErrorCodes.ROLLOUT_INPUT, `cannot read ${file}`, [{ field: flag, message: (e as Error).message, received: file, allowed }]);
  }
}

/** Stack output or synthesized JSON, then flags; validated before any call. */
export function azureSettingsFrom(o: CommonOptions, needDeployments = false): AzureRolloutSettings {
  let base: Partial<AzureRolloutSettings> = {};
  if (o.outputs || o.synth) {
    const raw = o.outputs
      ? readJson(o.outputs, '--outputs', 'the JSON written by `cdktf output --json`')
      : (readJson(o.synth!, '--synth', 'a synthesized cdk.tf.json') as { output?: unknown }).output;
    const found = findRolloutSettings(raw, o.outputName);
    if (!found) {
      throw new ServingStackError(AzureErrorCodes.ROLLOUT_INPUT, `no single AzureMlServing output in ${o.outputs ?? o.synth}`, [
        { field: '--output-name', message: 'is needed, or the file holds no output of kind servingstack.azure.rollout', received: o.outputName, allowed: 'AzureMlServing with registerOutputs: true; --output-name when a stack has several' },
      ]);
    }
    base = found;
  }
  // Values only known at apply (e.g. `${var.azure_subscription_id}` in synthesized JSON) need flags.
  const known = (v: string | undefined): string | undefined => (v !== undefined && v.includes('${') ? undefined : v);
  const settings = {
    kind: 'servingstack.azure.rollout',
    schemaVersion: 1,
    deployments: {},
    ...base,
    subscriptionId: o.subscriptionId ?? known(base.subscriptionId),
    resourceGroupName: o.resourceGroup ?? known(base.resourceGroupName),
    workspaceName: o.workspace ?? known(base.workspaceName),
    endpointName: o.endpoint ?? known(base.endpointName),
    apiVersion: o.apiVersion ?? base.apiVersion ?? '2024-10-01',
  } as AzureRolloutSettings;
  const issues = validateRolloutSettings(settings);
  if (needDeployments && Object.keys(settings.deployments).length === 0) issues.push({ field: 'deployments', message: 'are missing', allowed: 'settings from --outputs or --synth' });
  if (issues.length > 0) throw new ServingStackError(AzureErrorCodes.ROLLOUT_INPUT, 'invalid servingstack azure settings', issues);
  return settings;
}

function rolloutFor(settings: AzureRolloutSettings, o: CommonOptions): AzureRollout {
  const arm = new ArmClient({ http: azureDependencies.http(), token: azureDependencies.token(), baseUrl: o.armUrl, sleep: azureDependencies.sleep });
  return new AzureRollout({ arm, settings, sleep: azureDependencies.sleep, progress: (line) => out(line) });
}

function num(field: string, raw: string | undefined, issues: ValidationIssue[]): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n)) issues.push({ field, message: 'is not a number', received: raw, allowed: 'a number' });
  return n;
}

function common(cmd: Command): Command {
  return cmd
    .option('--outputs <file>', 'stack outputs JSON (`cdktf output --json`)')
    .option('--synth <file>', 'synthesized stack JSON (cdktf.out/stacks/<stack>/cdk.tf.json), before the first apply')
    .option('--output-name <name>', 'which AzureMlServing output, when the stack has several')
    .option('--subscription-id <guid>', 'Azure subscription ID')
    .option('--resource-group <name>', 'resource group of the workspace')
    .option('--workspace <name>', 'Azure ML workspace name')
    .option('--endpoint <name>', 'online endpoint name')
    .option('--api-version <version>', 'Microsoft.MachineLearningServices API version')
    .option('--arm-url <url>', 'ARM base URL (default https://management.azure.com)');
}

export function registerAzureCommand(program: Command): void {
  const azure = program
    .command('azure')
    .summary('Azure ML: upload model packages, promote or roll back deployments, show status')
    .description('Operations for stacks built with servingstack/azure. Settings come from `cdktf output --json` (--outputs) or the synthesized stack (--synth), then flags; everything is validated before the first call. Credentials: DefaultAzureCredential (environment, workload identity, managed identity or `az login`).');

  common(azure.command('upload'))
    .summary('upload a model package to the folder its model version points at (before `cdktf deploy`)')
    .argument('<package>', 'model package directory')
    .option('--deployment <name>', 'the deployment whose model this package is (default: the one whose digest matches)')
    .option('--blob-endpoint <url>', 'Blob endpoint override, e.g. http://127.0.0.1:10000/account (tests, emulators)')
    .action(async (dir: string, o: CommonOptions & { deployment?: string; blobEndpoint?: string }) => {
      const settings = azureSettingsFrom({ ...o, subscriptionId: o.subscriptionId ?? '00000000-0000-0000-0000-000000000000' }, true);
      const pkg = loadModelPackageSync(dir);
      const files = listPackageFiles(pkg.dir);
      const digest = packageDigest(files);
      const entries = Object.entries(settings.deployments);
      const match = o.deployment !== undefined ? entries.filter(([n]) => n === o.deployment) : entries.filter(([, m]) => m.packageDigest === digest);
      if (match.length === 0 || match[0]![1].packageDigest !== digest) {
        throw new ServingStackError(AzureErrorCodes.UPLOAD_FAILED, `${dir} is not the package the stack registered`, [
          { field: 'package', message: o.deployment ? `differs from deployment ${o.deployment}'s package (rebuild and synthesize the stack with this package)` : 'matches no deployment of the stack', received: digest, allowed: entries.map(([n, m]) => `${n}: ${m.name}:${m.version} ${m.packageDigest}`).join('; ') || 'a deployment' },
        ]);
      }
      const [name, model] = match[0]!;
      const target = o.blobEndpoint ? model.packageUrl.replace(/^https:\/\/[^/]+/, o.blobEndpoint.replace(/\/+$/, '')) : model.packageUrl;
      const r = await uploadPackage(files, target, azureDependencies.http(), azureDependencies.token());
      out(`uploaded ${r.files} files (${r.bytes} bytes) of ${model.name}:${model.version} for deployment ${name} to ${model.packageUrl}`, 'next: cdktf deploy');
    });

  common(azure.command('status'))
    .summary('show the endpoint: deployments, traffic and mirror split, and (with --window) their health')
    .option('--window <minutes>', 'health over the last N minutes')
    .action(async (o: CommonOptions & { window?: string }) => {
      const issues: ValidationIssue[] = [];
      const w = num('--window', o.window, issues);
      if (issues.length > 0) throw new ServingStackError(AzureErrorCodes.ROLLOUT_INPUT, 'invalid status options', issues);
      const settings = azureSettingsFrom(o);
      const r = rolloutFor(settings, o);
      out(describeEndpoint(await r.observe(w !== undefined ? Date.now() - w * 60_000 : undefined)));
    });

  common(azure.command('promote'))
    .summary('shift live traffic to a deployment step by step (optionally mirroring first), with health gates and automatic rollback')
    .argument('<deployment>', 'the deployment to promote, e.g. green')
    .option('--steps <list>', 'live-traffic steps', '10,50,100')
    .option('--mirror <percent>', 'mirror this share to the deployment before live traffic (0 = skip)', '0')
    .option('--bake-seconds <n>', 'seconds each step bakes before its health is judged', '300')
    .option('--max-error-rate <percent>', 'largest 5xx share allowed to advance (RolloutGateThresholds.maxErrorRatePercent)', String(Thresholds.defaultOf(ThresholdGroup.ROLLOUT_GATE, 'maxErrorRatePercent')))
    .option('--max-p99-latency-millis <ms>', 'largest p99 latency allowed to advance (RolloutGateThresholds.maxP99LatencyMillis)', String(Thresholds.defaultOf(ThresholdGroup.ROLLOUT_GATE, 'maxP99LatencyMillis')))
    .option('--min-requests <n>', 'requests a step must see before its health counts', '1')
    .option('--max-steps <n>', 'apply at most N steps, then stop (resume with the same command)')
    .option('--no-auto-rollback', 'stop instead of rolling back when a gate fails')
    .option('--skip-health-check', 'advance without health gates')
    .action(async (target: string, o: CommonOptions & { steps: string; mirror: string; bakeSeconds: string; maxErrorRate: string; maxP99LatencyMillis: string; minRequests: string; maxSteps?: string; autoRollback: boolean; skipHealthCheck?: boolean }) => {
      const issues: ValidationIssue[] = [];
      const policy = {
        steps: o.steps.split(',').map((s) => Number(s.trim())),
        mirrorPercent: num('--mirror', o.mirror, issues),
        maxErrorRatePercent: num('--max-error-rate', o.maxErrorRate, issues),
        maxP99LatencyMillis: num('--max-p99-latency-millis', o.maxP99LatencyMillis, issues),
        minRequests: num('--min-requests', o.minRequests, issues),
      };
      const flags: Record<string, string> = { steps: '--steps', mirrorPercent: '--mirror', maxErrorRatePercent: '--max-error-rate', maxP99LatencyMillis: '--max-p99-latency-millis', minRequests: '--min-requests' };
      issues.push(...validatePolicy(policy).map((i) => ({ ...i, field: flags[i.field] ?? i.field })));
      const bake = num('--bake-seconds', o.bakeSeconds, issues);
      const maxSteps = num('--max-steps', o.maxSteps, issues);
      if (issues.length > 0) throw new ServingStackError(AzureErrorCodes.ROLLOUT_INPUT, 'invalid promote options', issues);
      const settings = azureSettingsFrom(o);
      const result = await rolloutFor(settings, o).promote({ target, policy, bakeSeconds: bake, autoRollback: o.autoRollback, skipHealthCheck: o.skipHealthCheck, maxSteps });
      out(describeEndpoint(result.final), `${result.outcome}: ${target}`);
      if (result.outcome === 'rolled-back') {
        throw new ServingStackError(AzureErrorCodes.ROLLOUT_REFUSED, `promote ${target} failed its health gates and was rolled back`, result.plans.filter((p) => p.unhealthy).flatMap((p) => p.reasons.map((r) => ({ field: 'gate', message: r }))));
      }
    });

  common(azure.command('rollback'))
    .summary('give all live traffic back to the stable deployment (or --to) and stop mirroring; never gated')
    .option('--to <deployment>', 'the deployment to restore')
    .action(async (o: CommonOptions & { to?: string }) => {
      const settings = azureSettingsFrom(o);
      const r = rolloutFor(settings, o);
      await r.rollback(o.to);
      out(describeEndpoint(await r.observe()));
    });
}
