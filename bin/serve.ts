#!/usr/bin/env node
/**
 * The runtime image's entrypoint: only the `serve` command, so the image compiles and carries
 * the runtime (lib/) and nothing of the IaC targets or their CLI commands.
 * `docker run <image> serve` (SageMaker's contract) and `docker run <image>` both serve.
 */
import { Command } from 'commander';
import { exitWith, runProgram } from './cli-main';
import { registerServe } from './commands/serve';

const program = new Command('servingstack-runtime').description('ServingStack inference runtime').exitOverride();
registerServe(program);
const argv = process.argv.slice(2);
exitWith(runProgram(program, argv.length ? argv : ['serve']));
