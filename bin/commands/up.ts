import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import { flagsToEnv, runtimeOptions } from './serve';

/** The example model `up` serves when no --model-dir is given. */
export function exampleModelDir(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'examples', 'models', 'breast-cancer');
    if (fs.existsSync(path.join(candidate, 'servingstack.json'))) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error('examples/models/breast-cancer not found next to the servingstack package');
}

/** bin/app/synth-all.(ts|js): present in a source checkout (`npm start`), absent from the image and the compiled package. */
function synthScript(): string | undefined {
  const base = path.join(__dirname, '..', 'app', 'synth-all');
  for (const ext of [path.extname(__filename), '.ts', '.js']) if (fs.existsSync(`${base}${ext}`)) return `${base}${ext}`;
  return undefined;
}

/** One line per synthesis step, as the child process reports it. */
interface StepReport {
  readonly name: string;
  readonly ok: boolean;
  readonly message: string;
  readonly seconds: number;
}

/**
 * Run the blueprint synthesis in a child process: aws-cdk-lib and cdktf (hundreds of MB once
 * loaded) then never enter the process that goes on to serve, which stays as small as `serve`.
 * Resolves false when a step failed or the child did not finish.
 */
function synthesizeInChild(script: string, root: string, out: (s: string) => void): Promise<boolean> {
  return new Promise((resolve) => {
    let failed = false;
    let reported = 0;
    const child = fork(script, ['--run', root], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.on('message', (r: StepReport) => {
      reported++;
      if (r.ok) out(`Synthesized ${r.name}: ${r.message} (${r.seconds.toFixed(1)} s)`);
      else {
        failed = true;
        out(`Synthesis of ${r.name} failed: ${r.message}`);
      }
    });
    child.on('error', (e) => {
      out(`Synthesis could not start: ${e.message}`);
      failed = true;
    });
    child.on('exit', (code, signal) => {
      if (code !== 0 && !failed) out(`Synthesis stopped (${signal ?? `exit code ${code}`}) after ${reported} step(s)`);
      resolve(!failed && code === 0);
    });
  });
}

export function registerUp(program: Command): void {
  runtimeOptions(
    program
      .command('up')
      .description('Embedded default: synthesize the example blueprints offline and serve the example model on localhost, with a working curl.')
      .option('--no-synth', 'skip synthesizing the example blueprints')
      .option('--exit-after-check', 'stop after the self-check request (for scripts and CI)'),
  ).action(async (flags: Record<string, unknown>) => {
    const { loadConfig } = await import('../../lib/runtime/config');
    const { startRuntime } = await import('../../lib/runtime/server');
    const out = (s: string): void => void process.stdout.write(`${s}\n`);
    if (flags.synth !== false) {
      const root = path.resolve(exampleModelDir(), '..', '..', '..');
      const script = synthScript();
      if (!script) out('Blueprints: skipped (synthesis runs from a source checkout: npm start)');
      else if (!(await synthesizeInChild(script, root, out))) process.exitCode = 1;
    }
    const env = flagsToEnv({ ...flags, modelDir: (flags.modelDir as string | undefined) ?? exampleModelDir(), host: (flags.host as string | undefined) ?? '127.0.0.1', logLevel: (flags.logLevel as string | undefined) ?? 'warn' }, process.env);
    const config = loadConfig(env);
    const { runtime, url } = await startRuntime(config);
    if (!runtime.ready) {
      out('the model failed to load; see the log above');
      process.exitCode = 1;
      await runtime.shutdown();
      return;
    }
    const model = [...runtime.repository.models.values()][0];
    const input = model.inputs[0];
    const width = input.shape.slice(1).reduce((a, d) => a * (d < 0 ? 1 : d), 1);
    const example = exampleRow(model.dir, width);
    const body = JSON.stringify({ inputs: [{ name: input.name, shape: [1, width], datatype: input.datatype, data: example }] });
    out('');
    out(`ServingStack runtime serving '${model.name}' ${model.version} at ${url}`);
    out(`  ready:     ${url}/v2/health/ready`);
    out(`  metadata:  ${url}/v2/models/${model.name}`);
    out(`  infer:     ${url}/v2/models/${model.name}/infer      (Open Inference Protocol v2)`);
    out(`  SageMaker: ${url}/ping, ${url}/invocations`);
    out(`  metrics:   ${url}/metrics`);
    out('');
    out('Try it:');
    out(`  curl -s -H 'Content-Type: application/json' -d '${body}' ${url}/v2/models/${model.name}/infer`);
    const res = await fetch(`${url}/v2/models/${model.name}/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    out('');
    out(`Self-check (${res.status}): ${await res.text()}`);
    if (flags.exitAfterCheck) {
      await runtime.shutdown();
      process.exitCode = res.status === 200 ? 0 : 1;
      return;
    }
    out('');
    out('Ctrl-C stops the server.');
    await new Promise<never>(() => undefined);
  });
}

/** The first row of the example data set, if the package ships one, else zeros. */
function exampleRow(modelDir: string, width: number): number[] {
  const csv = path.resolve(modelDir, '..', '..', 'data', 'breast_cancer.csv');
  if (fs.existsSync(csv)) {
    const line = fs.readFileSync(csv, 'utf8').split('\n')[1];
    const cells = line.split(',').slice(0, width).map(Number);
    if (cells.length === width && cells.every(Number.isFinite)) return cells;
  }
  return new Array<number>(width).fill(0);
}
