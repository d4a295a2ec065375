#!/usr/bin/env node
/**
 * The runtime image's entrypoint: only the `serve` command, so the image compiles and carries
 * the runtime (lib/) and nothing of the IaC targets or their CLI commands.
 * `docker run <image> serve` (SageMaker's contract) and `docker run <image>` both serve.
 */
import { Command, CommanderError } from 'commander';
import { ServingStackError } from '../lib/core/errors';
import { registerServe } from './commands/serve';

async function main(argv: string[]): Promise<number> {
  const program = new Command('servingstack-runtime').description('ServingStack inference runtime').exitOverride();
  registerServe(program);
  try {
    await program.parseAsync(argv.length ? argv : ['serve'], { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    if (ServingStackError.isServingStackError(e)) {
      process.stderr.write(`error ${e.code}: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
