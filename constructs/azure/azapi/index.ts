export * from './api-versions';
export * from './bodies';
