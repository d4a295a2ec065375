/**
 * What the CDKTF synth benchmarks (synth-gcp.ts, synth-azure.ts) share: a child process that
 * synthesizes one scenario and reports its timings, and the parent's fresh-process run of it.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';

/** What a child reports: process start to end of synth, construct + synth alone, resources synthesized. */
export interface ChildResult {
  readonly processMs: number;
  readonly synthMs: number;
  readonly resources: number;
}

/** In the child: synthesize `build()` into `outdir`, count the Terraform resources, print the result line. */
export function measureChildSynth(build: () => { synth(): void }, outdir: string): void {
  const t0 = performance.now();
  build().synth();
  const end = performance.now();
  const stackDir = path.join(outdir, 'stacks', fs.readdirSync(path.join(outdir, 'stacks'))[0]);
  const tf = JSON.parse(fs.readFileSync(path.join(stackDir, 'cdk.tf.json'), 'utf8')) as { resource: Record<string, Record<string, unknown>> };
  const resources = Object.values(tf.resource).reduce((n, r) => n + Object.keys(r).length, 0);
  const result: ChildResult = { processMs: end, synthMs: end - t0, resources };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** In the parent: run `script --child scenario outdir` in a fresh `node --import tsx` process, timed spawn to exit. */
export function runChildSynth(script: string, scenario: string, prefix: string): ChildResult & { wallMs: number } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-${scenario}-`));
  try {
    const t0 = performance.now();
    const out = execFileSync(process.execPath, ['--import', 'tsx', script, '--child', scenario, outdir], { cwd: path.join(__dirname, '..', '..'), encoding: 'utf8' });
    const wallMs = performance.now() - t0;
    return { ...(JSON.parse(out.trim().split('\n').pop() as string) as ChildResult), wallMs };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
