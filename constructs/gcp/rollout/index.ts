export * from './artifact-store';
export * from './clients';
export * from './container-spec';
export * from './health';
export * from './settings';
export * from './traffic';
export * from './vertex-rollout';
