/**
 * Synth benchmark of the AWS examples (`npm run bench:synth`).
 *
 * Every case runs in a fresh Node process, the way `cdk synth` runs an app: the wall time
 * includes loading TypeScript, aws-cdk-lib and the constructs, bundling the rollout Lambda and
 * archiving the model. The baseline is a one-bucket app measured in the same run. Each case
 * runs RUNS times (default 3); the median is reported. Writes bench/results/synth.json.
 *
 * Targets: the full real-time example within 1.5x of the baseline; 50 endpoints in one app
 * (5 stacks of 10, under CloudFormation's 500-resource limit) in under 10 s.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';

const CASES = ['baseline-one-bucket', 'ServingStack-RealtimeCanary', 'ServingStack-Serverless', 'ServingStack-Async', 'ServingStack-AbTest', 'ServingStack-DeliveryPipeline', 'fifty-endpoints'] as const;
type Case = (typeof CASES)[number];

interface ChildResult {
  readonly case: Case;
  /** From process start to the end of synth (what the user waits for, minus process spawn). */
  readonly processMs: number;
  /** Loading aws-cdk-lib and the constructs (after the process started). */
  readonly importMs: number;
  /** Constructing and synthesizing only, modules already loaded. */
  readonly synthMs: number;
  readonly resources: number;
  readonly stacks: number;
}

async function child(name: Case): Promise<void> {
  const t0 = performance.now();
  const { App, Stack } = await import('aws-cdk-lib');
  const s3 = await import('aws-cdk-lib/aws-s3');
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-bench-'));
  const env = { account: '123456789012', region: 'us-east-1' };
  let app: InstanceType<typeof App>;
  let tBuild: number;
  if (name === 'baseline-one-bucket') {
    tBuild = performance.now();
    app = new App({ outdir });
    new s3.Bucket(new Stack(app, 'Baseline', { env }), 'Bucket');
  } else if (name === 'fifty-endpoints') {
    const aws = await import('../constructs/aws');
    const { BREAST_CANCER_PACKAGE } = await import('../examples/aws-realtime-canary/stack');
    tBuild = performance.now();
    app = new App({ outdir });
    for (let s = 0; s < 5; s++) {
      const stack = new Stack(app, `Fifty${s}`, { env });
      for (let e = 0; e < 10; e++) new aws.ServingEndpoint(stack, `Endpoint${e}`, { modelData: aws.ModelData.fromAsset(BREAST_CANCER_PACKAGE), variant: { instanceType: aws.InstanceType.C6I_LARGE } });
    }
  } else {
    const { addExample } = await import('../bin/app/examples');
    tBuild = performance.now();
    app = new App({ outdir });
    addExample(app, name, { env });
  }
  const assembly = app.synth();
  const t1 = performance.now();
  // processMs: from process start (node + tsx + imports + synth); importMs: loading modules only.
  const processMs = process.uptime() * 1000;
  const resources = assembly.stacks.reduce((n, s) => n + Object.keys((s.template as { Resources?: object }).Resources ?? {}).length, 0);
  fs.rmSync(outdir, { recursive: true, force: true });
  const result: ChildResult = { case: name, processMs, importMs: tBuild - t0, synthMs: t1 - tBuild, resources, stacks: assembly.stacks.length };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function parent(): void {
  const runs = Number(process.env.RUNS ?? 3);
  const rows: Array<{ case: Case; wallMs: number; processMs: number; synthMs: number; resources: number; stacks: number; runs: number[] }> = [];
  // Round-robin (every case once per round) so load from other processes on a shared machine
  // hits all cases alike.
  const walls = new Map<Case, number[]>(CASES.map((c) => [c, []]));
  const results = new Map<Case, ChildResult[]>(CASES.map((c) => [c, []]));
  for (let i = 0; i < runs; i++) {
    for (const name of CASES) {
      const t = performance.now();
      const out = execFileSync(process.execPath, ['--import', 'tsx', __filename, '--child', name], {
        cwd: path.join(__dirname, '..'),
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
        env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1' },
      });
      walls.get(name)!.push(performance.now() - t);
      const line = out.trim().split('\n').filter((l) => l.startsWith('{')).pop();
      if (!line) throw new Error(`case ${name} printed no result`);
      results.get(name)!.push(JSON.parse(line) as ChildResult);
    }
    process.stderr.write(`round ${i + 1}/${runs} done\n`);
  }
  for (const name of CASES) {
    const w = walls.get(name)!;
    const r = results.get(name)!;
    rows.push({
      case: name,
      wallMs: median(w),
      processMs: median(r.map((x) => x.processMs)),
      synthMs: median(r.map((x) => x.synthMs)),
      resources: r[0].resources,
      stacks: r[0].stacks,
      runs: w.map((x) => Math.round(x)),
    });
  }
  const baseline = rows.find((r) => r.case === 'baseline-one-bucket')!;
  const realtime = rows.find((r) => r.case === 'ServingStack-RealtimeCanary')!;
  const fifty = rows.find((r) => r.case === 'fifty-endpoints')!;
  const checks = {
    realtimeWithin1_5xBaseline: { ratio: realtime.wallMs / baseline.wallMs, limit: 1.5, pass: realtime.wallMs <= 1.5 * baseline.wallMs },
    fiftyEndpointsUnder10s: { wallMs: fifty.wallMs, limitMs: 10_000, pass: fifty.wallMs < 10_000 },
  };
  const pad = (s: string, n: number): string => s.padEnd(n);
  const num = (x: number, n: number): string => Math.round(x).toString().padStart(n);
  console.log(`${pad('case', 30)} ${'wall ms'.padStart(8)} ${'vs base'.padStart(8)} ${'synth ms'.padStart(9)} ${'stacks'.padStart(6)} ${'resources'.padStart(9)}`);
  for (const r of rows) {
    console.log(`${pad(r.case, 30)} ${num(r.wallMs, 8)} ${(r.wallMs / baseline.wallMs).toFixed(2).padStart(7)}x ${num(r.synthMs, 9)} ${String(r.stacks).padStart(6)} ${String(r.resources).padStart(9)}`);
  }
  console.log(`\nreal-time example / baseline: ${checks.realtimeWithin1_5xBaseline.ratio.toFixed(2)}x (limit 1.5x) ${checks.realtimeWithin1_5xBaseline.pass ? 'PASS' : 'FAIL'}`);
  console.log(`50 endpoints: ${Math.round(fifty.wallMs)} ms (limit 10000 ms) ${checks.fiftyEndpointsUnder10s.pass ? 'PASS' : 'FAIL'}`);
  const result = {
    date: new Date().toISOString(),
    machine: { os: `${os.type()} ${os.release()}`, platform: process.platform, arch: process.arch, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, loadAverage: os.loadavg() },
    method: 'median of RUNS fresh Node processes per case (node --import tsx); wallMs = spawn to exit, processMs = process start to end of synth, synthMs = construct + synth with modules loaded',
    runsPerCase: runs,
    cases: rows,
    checks,
  };
  const dir = path.join(__dirname, 'results');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'synth.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(`\nwrote ${path.relative(process.cwd(), path.join(dir, 'synth.json'))}`);
}

const i = process.argv.indexOf('--child');
if (i >= 0) {
  child(process.argv[i + 1] as Case).catch((e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  });
} else {
  parent();
}
