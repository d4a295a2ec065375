#!/usr/bin/env node
/**
 * The `servingstack` command line. Each sub-command lives in bin/commands/<name>.ts and
 * registers itself on the program; the library code it calls lives in lib/.
 */
import { Command, CommanderError } from 'commander';
import { ServingStackError } from '../lib/core/errors';
import { COMMANDS } from './commands';
import { version } from '../package.json';

export function buildProgram(): Command {
  const program = new Command('servingstack')
    .description('Model-serving blueprints and the ServingStack inference runtime.')
    .version(version)
    .showHelpAfterError()
    .exitOverride();
  for (const register of COMMANDS) register(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
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

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      if (code !== 0) process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
