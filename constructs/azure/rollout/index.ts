export * from './arm-client';
export * from './azure-rollout';
export * from './blob-upload';
export * from './http';
export * from './package-files';
export * from './planner';
export * from './settings';
