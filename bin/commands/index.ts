import type { Command } from 'commander';
import { registerAzureCommand } from './azure';
import { registerBaselineCommand } from './baseline';
import { registerCostCommand } from './cost';
import { registerDiffCommand } from './diff';
import { registerDriftReportCommand } from './drift-report';
import { registerEndpointTestCommand } from './endpoint-test';
import { registerGcpCommand } from './gcp';
import { registerInspectCommand } from './inspect';
import { registerOnpremCommand } from './onprem';
import { registerOptimizeCommand } from './optimize';
import { registerPackageCommand } from './package';
import { registerQualityReportCommand } from './quality-report';
import { registerRegisterCommands } from './register';
import { registerServe } from './serve';
import { registerUp } from './up';

/** Every sub-command registers itself here (one file per command in bin/commands/). */
export type RegisterCommand = (program: Command) => void;

export const COMMANDS: RegisterCommand[] = [registerPackageCommand, registerInspectCommand, registerServe, registerUp, registerOnpremCommand, registerGcpCommand, registerAzureCommand, registerBaselineCommand, registerDriftReportCommand, registerQualityReportCommand, registerOptimizeCommand, registerRegisterCommands, registerEndpointTestCommand, registerDiffCommand, registerCostCommand];
