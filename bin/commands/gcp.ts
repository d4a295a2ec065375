/**
 * `servingstack gcp …`: the Vertex AI rollout Terraform cannot do (upload a custom model, deploy
 * it, shift traffic), driven by what the CDKTF stack provisioned. Settings come from the stack's
 * outputs (`cdktf output --json > outputs.json`, then `--outputs outputs.json`) and/or flags;
 * everything is validated before the first API call. Loads no cdktf code.
 */
import * as fs from 'node:fs';
import type { Command } from 'commander';
import { ServingStackError } from '../../lib/core/errors';
import { GcpErrorCodes } from '../../constructs/gcp/errors';
import {
  ArtifactStore, CloudMonitoringErrorRate, EndpointReplicaHealth, GcsArtifactStore, HealthSource, ResolvedRolloutSettings, VertexClients,
  VertexRollout, combineHealth, createVertexClients, findRolloutSettings, parseTrafficSplit, resolveRolloutSettings, validateTrafficSplit,
} from '../../constructs/gcp/rollout';
import { printResult, Progress } from '../progress';

interface CommonOptions {
  readonly outputs?: string;
  readonly outputName?: string;
  readonly project?: string;
  readonly region?: string;
  readonly endpointId?: string;
  readonly modelId?: string;
  readonly apiEndpoint?: string;
  readonly json?: boolean;
}

interface DeployOptions extends CommonOptions {
  readonly version?: string;
  readonly artifactPrefix?: string;
  readonly image?: string;
  readonly runtimeServiceAccount?: string;
  readonly machineType?: string;
  readonly acceleratorType?: string;
  readonly acceleratorCount?: string;
  readonly minReplicas?: string;
  readonly maxReplicas?: string;
  readonly canaryPercent?: string;
  readonly bakeSeconds?: string;
  readonly minPredictions?: string;
  readonly maxBakeSeconds?: string;
  readonly maxErrorRate?: string;
  readonly checkInterval?: string;
}

/** What a command needs to talk to Vertex; tests swap `connect` for a local fake. */
export interface GcpConnection {
  readonly clients: VertexClients;
  readonly artifacts: ArtifactStore;
  readonly health: HealthSource;
}

export const gcpDependencies = {
  connect(settings: ResolvedRolloutSettings, apiEndpoint?: string): GcpConnection {
    const [host, port] = (apiEndpoint ?? '').split(':');
    const clients = createVertexClients({ region: settings.region, ...(host ? { apiEndpoint: host } : {}), ...(port ? { port: Number(port) } : {}) });
    return {
      clients,
      artifacts: new GcsArtifactStore(clients.http),
      health: combineHealth(new EndpointReplicaHealth(clients), new CloudMonitoringErrorRate(clients.http)),
    };
  },
};

function num(v: string | undefined): number | undefined {
  return v === undefined ? undefined : Number(v);
}

function readOutputs(o: CommonOptions): Record<string, unknown> {
  if (!o.outputs) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(o.outputs, 'utf8'));
  } catch (e) {
    throw new ServingStackError(GcpErrorCodes.ROLLOUT_INPUT, `cannot read the stack outputs ${o.outputs}`, [
      { field: '--outputs', message: (e as Error).message, received: o.outputs, allowed: 'the JSON written by `cdktf output --json`' },
    ]);
  }
  return findRolloutSettings(raw, o.outputName) as Record<string, unknown>;
}

/** Stack outputs, then flags on top; validated (throws before any API call). */
export function settingsFrom(o: DeployOptions): ResolvedRolloutSettings {
  const base = readOutputs(o);
  const baseDeployment = (base.deployment ?? {}) as Record<string, unknown>;
  const basePolicy = (base.policy ?? {}) as Record<string, unknown>;
  const pick = <T>(flag: T | undefined, key: string, from: Record<string, unknown> = base): T | undefined => flag ?? (from[key] as T | undefined);
  const deployment = {
    ...baseDeployment,
    machineType: pick(o.machineType, 'machineType', baseDeployment),
    acceleratorType: pick(o.acceleratorType, 'acceleratorType', baseDeployment),
    acceleratorCount: num(o.acceleratorCount) ?? baseDeployment.acceleratorCount,
    minReplicaCount: num(o.minReplicas) ?? baseDeployment.minReplicaCount,
    maxReplicaCount: num(o.maxReplicas) ?? baseDeployment.maxReplicaCount,
  };
  return resolveRolloutSettings({
    kind: 'servingstack.gcp.rollout',
    schemaVersion: 1,
    env: {},
    ...base,
    project: pick(o.project, 'project'),
    region: pick(o.region, 'region'),
    endpointId: pick(o.endpointId, 'endpointId'),
    modelId: pick(o.modelId, 'modelId'),
    artifactPrefix: pick(o.artifactPrefix, 'artifactPrefix'),
    imageUri: pick(o.image, 'imageUri'),
    runtimeServiceAccount: pick(o.runtimeServiceAccount, 'runtimeServiceAccount'),
    deployment,
    policy: {
      ...basePolicy,
      canaryTrafficPercent: num(o.canaryPercent) ?? basePolicy.canaryTrafficPercent,
      bakeTimeSeconds: num(o.bakeSeconds) ?? basePolicy.bakeTimeSeconds,
      minPredictions: num(o.minPredictions) ?? basePolicy.minPredictions,
      maxBakeTimeSeconds: num(o.maxBakeSeconds) ?? basePolicy.maxBakeTimeSeconds,
      maxErrorRatePercent: num(o.maxErrorRate) ?? basePolicy.maxErrorRatePercent,
    },
  });
}

/** Registry/traffic commands need only where the model and endpoint are. */
function locationSettings(o: CommonOptions): ResolvedRolloutSettings {
  return settingsFrom({ machineType: 'n1-standard-2', image: 'placeholder.invalid/none:none', artifactPrefix: 'gs://unused-bucket', ...o });
}

/** Connect, run `fn` on the rollout executor with progress output, close. */
async function withRollout<T>(settings: ResolvedRolloutSettings, o: CommonOptions & { checkInterval?: string }, fn: (r: VertexRollout) => Promise<T>): Promise<T> {
  const conn = gcpDependencies.connect(settings, o.apiEndpoint);
  try {
    return await Progress.start({ json: o.json }).run((progress) => fn(new VertexRollout({ settings, ...conn, progress, checkIntervalSeconds: num(o.checkInterval) })));
  } finally {
    await conn.clients.close();
  }
}

function common(cmd: Command): Command {
  return cmd
    .option('--outputs <file>', 'stack outputs JSON (`cdktf output --json`)')
    .option('--output-name <name>', 'which VertexServing output, when the stack has several')
    .option('--project <id>', 'Google Cloud project ID')
    .option('--region <region>', 'Vertex AI region')
    .option('--endpoint-id <id>', 'numeric Vertex endpoint ID')
    .option('--model-id <id>', 'Model Registry model ID')
    .option('--api-endpoint <host:port>', 'Vertex API host (default REGION-aiplatform.googleapis.com)')
    .option('--json', 'print the result as JSON (progress goes to stderr)');
}

export function registerGcpCommand(program: Command): void {
  const gcp = program
    .command('gcp')
    .summary('upload, deploy and roll out models on Vertex AI (the part Terraform cannot do)')
    .description('Model Registry and endpoint operations for stacks built with servingstack/gcp. Settings come from `cdktf output --json` (--outputs) and flags; all input is validated before the first API call.');

  common(gcp.command('deploy'))
    .summary('upload a model package as a new version and roll it out (canary → promote or roll back)')
    .argument('[package]', 'model package directory or .tar.gz (omit with --version)')
    .option('--version <id|alias>', 'deploy an existing version instead of uploading (e.g. previous)')
    .option('--artifact-prefix <gs://bucket/prefix>', 'where packages are uploaded')
    .option('--image <uri>', 'runtime image URI with tag or digest')
    .option('--runtime-service-account <email>', 'service account the deployed model runs as')
    .option('--machine-type <type>', 'e.g. n1-standard-4, g2-standard-8')
    .option('--accelerator-type <type>', 'e.g. NVIDIA_L4, NVIDIA_TESLA_T4')
    .option('--accelerator-count <n>', 'accelerators per replica')
    .option('--min-replicas <n>', 'minimum replicas')
    .option('--max-replicas <n>', 'maximum replicas')
    .option('--canary-percent <n>', 'traffic share of the new version during the bake (100 = no canary)')
    .option('--bake-seconds <n>', 'minimum time the canary bakes before promotion')
    .option('--min-predictions <n>', 'predictions the canary must serve before promotion (default 100)')
    .option('--max-bake-seconds <n>', 'roll back when --min-predictions is not reached by then (default bake + 3600)')
    .option('--max-error-rate <percent>', 'roll back above this error rate')
    .option('--check-interval <seconds>', 'seconds between health checks (default 30)')
    .action(async (pkg: string | undefined, o: DeployOptions) => {
      const settings = settingsFrom(o);
      const result = await withRollout(settings, o, (r) => r.deploy(pkg !== undefined ? { packagePath: pkg } : { version: o.version }));
      printResult(o.json, result, () => `${result.outcome}: version ${result.modelVersion}${result.deployedModelId ? ` (deployed model ${result.deployedModelId})` : ''}`);
    });

  common(gcp.command('versions'))
    .summary('list the model versions with aliases and traffic')
    .action(async (o: CommonOptions) => {
      const rows = await withRollout(locationSettings(o), o, (r) => r.versions());
      printResult(o.json, rows, () => ['VERSION  TRAFFIC  ALIASES                     PACKAGE', ...rows.map((r) => `${r.versionId.padEnd(8)} ${`${r.trafficPercent}%`.padEnd(8)} ${r.aliases.join(',').padEnd(27)} ${r.packageVersion ?? ''}`)].join('\n'));
    });

  common(gcp.command('alias'))
    .summary('add (or with a leading -, remove) version aliases; an alias held elsewhere moves')
    .argument('<version>', 'version ID or alias')
    .argument('<aliases...>', 'aliases, e.g. champion or -challenger')
    .action(async (version: string, aliases: string[], o: CommonOptions) => {
      const result = await withRollout(locationSettings(o), o, (r) => r.setAliases(version, aliases));
      printResult(o.json, { version, aliases: result }, () => `version ${version}: ${result.join(', ')}`);
    });

  common(gcp.command('promote'))
    .summary('finish a rollout: the challenger (or <version>) gets 100 %, the rest is undeployed')
    .argument('[version]', 'version ID or alias', 'challenger')
    .action(async (version: string, o: CommonOptions) => {
      const r = await withRollout(locationSettings(o), o, (x) => x.promote(version));
      printResult(o.json, r, () => `promoted version ${r.modelVersion}`);
    });

  common(gcp.command('rollback'))
    .summary('abort a rollout: the champion gets 100 % again, everything else is undeployed')
    .action(async (o: CommonOptions) => {
      const r = await withRollout(locationSettings(o), o, (x) => x.rollback());
      printResult(o.json, r, () => `rolled back to version ${r.modelVersion}`);
    });

  common(gcp.command('traffic'))
    .summary('set the traffic split by deployed model ID (must sum to 100)')
    .argument('<split>', 'ID=PERCENT,ID=PERCENT')
    .action(async (split: string, o: CommonOptions) => {
      const parsed = parseTrafficSplit(split);
      validateTrafficSplit(parsed, Object.keys(parsed)); // form and sum, before any API call
      await withRollout(locationSettings(o), o, (x) => x.setTrafficSplit(parsed));
      printResult(o.json, { trafficSplit: parsed }, () => 'traffic split updated');
    });
}
