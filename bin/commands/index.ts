import type { Command } from 'commander';

/** Every sub-command registers itself here (one file per command in bin/commands/). */
export type RegisterCommand = (program: Command) => void;

export const COMMANDS: RegisterCommand[] = [];
