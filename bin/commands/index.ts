import type { Command } from 'commander';
import { registerInspectCommand } from './inspect';
import { registerPackageCommand } from './package';
import { registerServe } from './serve';
import { registerUp } from './up';

/** Every sub-command registers itself here (one file per command in bin/commands/). */
export type RegisterCommand = (program: Command) => void;

export const COMMANDS: RegisterCommand[] = [registerPackageCommand, registerInspectCommand, registerServe, registerUp];
