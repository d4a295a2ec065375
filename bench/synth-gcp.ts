/**
 * Synth benchmark of the GCP target: the Vertex example (examples/gcp-vertex) against a bare
 * one-resource CDKTF app (google provider + one bucket), each in fresh Node processes
 * (`node --import tsx`), interleaved, median of RUNS (default 7). Both load cdktf through the
 * same binding module, so the comparison isolates what the Vertex constructs cost.
 *
 *   tsx bench/synth-gcp.ts            # prints a table, writes bench/results/synth-gcp.json
 *   RUNS=9 tsx bench/synth-gcp.ts
 *
 * Columns: wallMs = spawn to exit (node + tsx startup included); processMs = process start to
 * end of synth; synthMs = construct + synth with modules already loaded.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ChildResult, measureChildSynth, median, runChildSynth } from './lib/cdktf-synth';

export type Scenario = 'bare-one-resource' | 'vertex-example';
const SCENARIOS: Scenario[] = ['bare-one-resource', 'vertex-example'];

export interface SynthRow {
  readonly scenario: Scenario;
  /** Median wall time of a fresh process (spawn to exit). */
  readonly medianMs: number;
  readonly medianProcessMs: number;
  readonly medianSynthMs: number;
  readonly runs: number;
  /** Terraform resources synthesized. */
  readonly resources: number;
}

async function child(scenario: Scenario, outdir: string): Promise<void> {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const binding = require('../constructs/cdktf/binding') as typeof import('../constructs/cdktf/binding');
  const google = require('../constructs/cdktf/google') as typeof import('../constructs/cdktf/google');
  let build: () => { synth(): void };
  if (scenario === 'bare-one-resource') {
    build = () => {
      const app = new binding.App({ outdir });
      const stack = new binding.TerraformStack(app, 'bare');
      new google.GoogleProvider(stack, 'google', { project: 'my-ml-project', region: 'europe-west4' });
      new google.StorageBucket(stack, 'Bucket', { name: 'my-ml-project-bench', location: 'europe-west4' });
      return app;
    };
  } else {
    const { buildVertexExampleApp } = require('../examples/gcp-vertex/stack') as typeof import('../examples/gcp-vertex/stack');
    build = () => buildVertexExampleApp(outdir);
  }
  /* eslint-enable @typescript-eslint/no-require-imports */
  measureChildSynth(build, outdir);
}

function runOnce(scenario: Scenario): ChildResult & { wallMs: number } {
  return runChildSynth(__filename, scenario, 'synth-gcp');
}

export async function benchSynthGcp(runs = Number(process.env.RUNS ?? 7)): Promise<{ rows: SynthRow[] }> {
  const samples = new Map<Scenario, (ChildResult & { wallMs: number })[]>(SCENARIOS.map((s) => [s, []]));
  runOnce('bare-one-resource'); // warm the tsx cache and the disk cache
  for (let i = 0; i < Math.max(5, runs); i++) {
    for (const s of SCENARIOS) samples.get(s)!.push(runOnce(s));
  }
  return {
    rows: SCENARIOS.map((scenario) => {
      const xs = samples.get(scenario)!;
      return {
        scenario,
        medianMs: Math.round(median(xs.map((x) => x.wallMs))),
        medianProcessMs: Math.round(median(xs.map((x) => x.processMs))),
        medianSynthMs: Math.round(median(xs.map((x) => x.synthMs))),
        runs: xs.length,
        resources: xs[0].resources,
      };
    }),
  };
}

async function main(): Promise<void> {
  const { rows } = await benchSynthGcp();
  const [bare, vertex] = rows;
  const ratio = vertex.medianMs / bare.medianMs;
  const table = [
    'scenario             resources  wall ms  process ms  synth ms',
    ...rows.map((r) => `${r.scenario.padEnd(20)} ${String(r.resources).padStart(9)} ${String(r.medianMs).padStart(8)} ${String(r.medianProcessMs).padStart(11)} ${String(r.medianSynthMs).padStart(9)}`),
    '',
    `vertex-example / bare: ${ratio.toFixed(2)}× wall (budget 2×) — ${ratio <= 2 ? 'within budget' : 'OVER BUDGET'}`,
  ];
  process.stdout.write(`${table.join('\n')}\n`);
  const result = {
    date: new Date().toISOString(),
    machine: {
      os: `${os.type()} ${os.release()}`,
      arch: os.arch(),
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
      node: process.version,
      loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
    },
    method: 'median of fresh Node processes per scenario (node --import tsx), interleaved; wall = spawn to exit, process = process start to end of synth, synth = construct + synth with modules loaded',
    rows,
    ratioWall: Math.round(ratio * 100) / 100,
    budget: 2,
  };
  fs.mkdirSync(path.join(__dirname, 'results'), { recursive: true });
  fs.writeFileSync(path.join(__dirname, 'results', 'synth-gcp.json'), `${JSON.stringify(result, null, 2)}\n`);
}

if (require.main === module) {
  const i = process.argv.indexOf('--child');
  if (i >= 0) {
    void child(process.argv[i + 1] as Scenario, process.argv[i + 2]);
  } else {
    main().catch((e) => {
      console.error(e);
      process.exitCode = 1;
    });
  }
}
