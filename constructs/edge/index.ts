export * from './edge-platform';
export * from './edge-model';
export * from './node-runtime';
export * from './edge-model-component';
export * from './fleet-deployment';
export * from './errors';
