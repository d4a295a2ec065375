/**
 * Synth benchmark of the Azure target: the Azure ML example (examples/azure-ml) against a bare
 * one-resource CDKTF app (azapi provider + one storage account) and against the Vertex example
 * (examples/gcp-vertex), in the same run: fresh Node processes (`node --import tsx`), interleaved,
 * median of RUNS (default 7). All load cdktf through constructs/cdktf/binding.ts.
 *
 *   tsx bench/synth-azure.ts          # prints a table, writes bench/results/synth-azure.json
 *   RUNS=9 tsx bench/synth-azure.ts
 *
 * Budget (issue 16): the Azure example's wall time ≤ 1.5× the bare app's. The ratio to the
 * Vertex example is printed beside it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { measureChildSynth, median, runChildSynth } from './lib/cdktf-synth';

export type AzureScenario = 'bare-one-resource' | 'azure-example' | 'vertex-example';
const SCENARIOS: AzureScenario[] = ['bare-one-resource', 'azure-example', 'vertex-example'];
const BUDGET = 1.5;

interface Sample {
  readonly wallMs: number;
  readonly processMs: number;
  readonly synthMs: number;
  readonly resources: number;
}

function child(scenario: AzureScenario, outdir: string): void {
  /* eslint-disable @typescript-eslint/no-require-imports */
  let build: () => { synth(): void };
  if (scenario === 'bare-one-resource') {
    const b = require('../constructs/cdktf/binding') as typeof import('../constructs/cdktf/binding');
    build = () => {
      const app = new b.App({ outdir });
      const stack = new b.TerraformStack(app, 'bare');
      new b.AzapiProvider(stack, 'azapi', { subscriptionId: '00000000-0000-0000-0000-000000000000' });
      new b.AzapiResource(stack, 'Storage', {
        type: 'Microsoft.Storage/storageAccounts@2023-05-01',
        name: 'servingstackbench',
        parentId: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg',
        location: 'westeurope',
        body: { kind: 'StorageV2', sku: { name: 'Standard_LRS' } },
      });
      return app;
    };
  } else if (scenario === 'azure-example') {
    const { buildAzureExampleApp } = require('../examples/azure-ml/stack') as typeof import('../examples/azure-ml/stack');
    build = () => buildAzureExampleApp(outdir);
  } else {
    const { buildVertexExampleApp } = require('../examples/gcp-vertex/stack') as typeof import('../examples/gcp-vertex/stack');
    build = () => buildVertexExampleApp(outdir);
  }
  /* eslint-enable @typescript-eslint/no-require-imports */
  measureChildSynth(build, outdir);
}

function runOnce(scenario: AzureScenario): Sample {
  return runChildSynth(__filename, scenario, 'synth-azure');
}

function main(): void {
  const runs = Math.max(5, Number(process.env.RUNS ?? 7));
  const loadBefore = os.loadavg();
  runOnce('bare-one-resource'); // warm the tsx cache and the disk cache
  const samples = new Map<AzureScenario, Sample[]>(SCENARIOS.map((s) => [s, []]));
  for (let i = 0; i < runs; i++) for (const s of SCENARIOS) samples.get(s)!.push(runOnce(s));
  const rows = SCENARIOS.map((scenario) => {
    const xs = samples.get(scenario)!;
    return {
      scenario,
      resources: xs[0].resources,
      medianMs: Math.round(median(xs.map((x) => x.wallMs))),
      medianProcessMs: Math.round(median(xs.map((x) => x.processMs))),
      medianSynthMs: Math.round(median(xs.map((x) => x.synthMs))),
      runs: xs.length,
    };
  });
  const [bare, azure, vertex] = rows;
  const ratioBare = azure.medianMs / bare.medianMs;
  const ratioVertex = azure.medianMs / vertex.medianMs;
  process.stdout.write(
    [
      'scenario             resources  wall ms  process ms  synth ms',
      ...rows.map((r) => `${r.scenario.padEnd(20)} ${String(r.resources).padStart(9)} ${String(r.medianMs).padStart(8)} ${String(r.medianProcessMs).padStart(11)} ${String(r.medianSynthMs).padStart(9)}`),
      '',
      `azure-example / bare: ${ratioBare.toFixed(2)}× wall (budget ${BUDGET}×) — ${ratioBare <= BUDGET ? 'within budget' : 'OVER BUDGET'}`,
      `azure-example / vertex-example: ${ratioVertex.toFixed(2)}× wall`,
      `load average before / after: ${loadBefore.map((l) => l.toFixed(1)).join(' ')} / ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`,
    ].join('\n') + '\n',
  );
  const result = {
    date: new Date().toISOString(),
    machine: {
      os: `${os.type()} ${os.release()}`,
      arch: os.arch(),
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
      node: process.version,
      loadAverageBefore: loadBefore.map((l) => Math.round(l * 100) / 100),
      loadAverageAfter: os.loadavg().map((l) => Math.round(l * 100) / 100),
    },
    method: 'median of fresh Node processes per scenario (node --import tsx), interleaved; wall = spawn to exit, process = process start to end of synth, synth = construct + synth with modules loaded',
    rows,
    ratioWallToBare: Math.round(ratioBare * 100) / 100,
    ratioWallToVertex: Math.round(ratioVertex * 100) / 100,
    budget: BUDGET,
  };
  fs.mkdirSync(path.join(__dirname, 'results'), { recursive: true });
  fs.writeFileSync(path.join(__dirname, 'results', 'synth-azure.json'), `${JSON.stringify(result, null, 2)}\n`);
}

if (require.main === module) {
  const i = process.argv.indexOf('--child');
  if (i >= 0) child(process.argv[i + 1] as AzureScenario, process.argv[i + 2]);
  else main();
}
