/** Run a commander program as a process: ServingStack errors print `error CODE: message` and exit 2. */
import { Command, CommanderError } from 'commander';
import { ServingStackError } from '../lib/core/errors';

export async function runProgram(program: Command, argv: string[]): Promise<number> {
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

/** Exit code from the program's result; unexpected errors print their stack and exit 1. */
export function exitWith(result: Promise<number>): void {
  result.then(
    (code) => {
      if (code !== 0) process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
