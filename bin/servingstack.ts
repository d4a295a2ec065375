#!/usr/bin/env node
/**
 * The `servingstack` command line. Each sub-command lives in bin/commands/<name>.ts and
 * registers itself on the program; the library code it calls lives in lib/.
 */
import { Command } from 'commander';
import { exitWith, runProgram } from './cli-main';
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

export function main(argv: string[]): Promise<number> {
  return runProgram(buildProgram(), argv);
}

if (require.main === module) exitWith(main(process.argv.slice(2)));
