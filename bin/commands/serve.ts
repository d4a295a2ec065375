import * as fs from 'node:fs';
import { Command, Option } from 'commander';
import type { ConfigOverrides } from '../../lib/runtime/config';

/** Flags shared by `serve` and `up`, mapped onto runtime configuration overrides. */
export function runtimeOptions(cmd: Command): Command {
  return cmd
    .option('--model-dir <dir>', 'model package directory to serve (env SERVINGSTACK_MODEL_DIR)')
    .option('--port <port>', 'port to listen on (env SERVINGSTACK_PORT, SAGEMAKER_BIND_TO_PORT, AIP_HTTP_PORT)')
    .option('--host <host>', 'address to listen on (env SERVINGSTACK_HOST)')
    .option('--workers <n>', 'inference worker threads (env SERVINGSTACK_WORKERS; default one per core)')
    .option('--max-batch-size <n>', 'override the manifest batching.maxBatchSize')
    .option('--max-queue-delay-us <n>', 'override the manifest batching.maxQueueDelayMicroseconds')
    .option('--multi-model', 'start empty and accept /models loads (env SERVINGSTACK_MULTI_MODEL)')
    .addOption(new Option('--log-level <level>', 'log level').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']));
}

interface RuntimeFlags {
  modelDir?: string;
  port?: string;
  host?: string;
  workers?: string;
  maxBatchSize?: string;
  maxQueueDelayUs?: string;
  multiModel?: boolean;
  logLevel?: string;
}

/** Flags win over the environment: put them in the env view the config loader validates. */
export function flagsToEnv(flags: RuntimeFlags, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  const set = (k: string, v: string | undefined): void => {
    if (v !== undefined) out[k] = v;
  };
  set('SERVINGSTACK_MODEL_DIR', flags.modelDir);
  set('SERVINGSTACK_PORT', flags.port);
  set('SERVINGSTACK_HOST', flags.host);
  set('SERVINGSTACK_WORKERS', flags.workers);
  set('SERVINGSTACK_MAX_BATCH_SIZE', flags.maxBatchSize);
  set('SERVINGSTACK_MAX_QUEUE_DELAY_MICROSECONDS', flags.maxQueueDelayUs);
  set('SERVINGSTACK_LOG_LEVEL', flags.logLevel);
  if (flags.multiModel) out.SERVINGSTACK_MULTI_MODEL = 'true';
  return out;
}

export function registerServe(program: Command): void {
  runtimeOptions(
    program
      .command('serve')
      .description(
        'Run the inference runtime (the container entrypoint: SageMaker runs `<image> serve`). Serves /opt/ml/model by default; see docs/runtime.md for every environment variable.',
      ),
  ).action(async (flags: RuntimeFlags) => {
    const { loadConfig } = await import('../../lib/runtime/config');
    const { startRuntime } = await import('../../lib/runtime/server');
    const env = flagsToEnv(flags, process.env);
    const overrides: ConfigOverrides = {};
    if (!env.SERVINGSTACK_MODEL_DIR && !env.AZUREML_MODEL_DIR && fs.existsSync('/opt/ml/model')) overrides.modelDir = '/opt/ml/model';
    const config = loadConfig(env, overrides);
    await startRuntime(config);
    await new Promise<never>(() => undefined); // run until a signal stops the process
  });
}
