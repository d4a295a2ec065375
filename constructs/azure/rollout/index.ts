export * from './package-files';
export * from './settings';
