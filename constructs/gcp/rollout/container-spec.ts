/**
 * The Vertex `ModelContainerSpec` of the ServingStack runtime. The runtime listens on
 * AIP_HTTP_PORT (8080), answers AIP_HEALTH_ROUTE once the model is loaded and warmed up, and
 * serves `{instances, parameters}` → `{predictions}` on AIP_PREDICT_ROUTE; it downloads
 * AIP_STORAGE_URI (the copy of `artifact_uri`) itself.
 */
export const RUNTIME_PORT = 8080;
export const HEALTH_ROUTE = '/health';
export const PREDICT_ROUTE = '/predict';

export interface ContainerSpec {
  readonly imageUri: string;
  readonly ports: { containerPort: number }[];
  readonly predictRoute: string;
  readonly healthRoute: string;
  readonly env: { name: string; value: string }[];
}

export function runtimeContainerSpec(imageUri: string, env: Readonly<Record<string, string>>): ContainerSpec {
  return {
    imageUri,
    ports: [{ containerPort: RUNTIME_PORT }],
    predictRoute: PREDICT_ROUTE,
    healthRoute: HEALTH_ROUTE,
    env: Object.entries(env)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, value]) => ({ name, value })),
  };
}
