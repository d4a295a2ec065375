export { createRuntime } from './app';
export { confine } from './package';
export type { Runtime, RuntimeOptions } from './app';
export { loadConfig, DEFAULTS, ENVIRONMENT } from './config';
export type { RuntimeConfig, ConfigOverrides } from './config';
export { RUNTIME_ERRORS, RuntimeError } from './errors';
export { startRuntime } from './server';
export type { StartedRuntime } from './server';
