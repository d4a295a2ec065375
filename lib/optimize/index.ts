export * from './quantize';
export * from './compare';
export * from './samples';
export * from './ort-host';
export * from './optimize-package';
export type { GraphOptimizationLevel, WireFeed, WireTensorIn, WireTensorOut } from './ort-protocol';
