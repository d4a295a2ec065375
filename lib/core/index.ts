export * from './errors';
export * from './dtypes';
export * from './manifest';
export * from './metrics-catalog';
