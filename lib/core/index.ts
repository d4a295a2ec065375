export * from './errors';
export * from './dtypes';
export * from './manifest';
export * from './metrics-catalog';
export * from './onnx-signature';
export * from './model-package';
export * from './contract';
