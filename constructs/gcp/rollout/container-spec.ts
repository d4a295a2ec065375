/**
 * The Vertex `ModelContainerSpec` of the ServingStack runtime, from the container contract
 * (lib/core/contract): the runtime listens on `RuntimeContract.PORT` (Vertex passes it as
 * AIP_HTTP_PORT), answers the Vertex health route once the model is loaded and warmed up, and
 * serves `{instances, parameters}` → `{predictions}` on the Vertex predict route; it downloads
 * AIP_STORAGE_URI (the copy of `artifact_uri`) itself.
 */
import { RuntimeContract, ServingProtocol } from '../../../lib/core/contract/container';
import { renderRuntimeEnvironment } from '../../../lib/core/contract/environment';

export interface ContainerSpec {
  readonly imageUri: string;
  readonly ports: { containerPort: number }[];
  readonly predictRoute: string;
  readonly healthRoute: string;
  readonly env: { name: string; value: string }[];
}

/** The container spec for `imageUri`, with the user's extra runtime variables (sorted by name). */
export function runtimeContainerSpec(imageUri: string, env: Readonly<Record<string, string>>): ContainerSpec {
  return {
    imageUri,
    ports: [{ containerPort: RuntimeContract.PORT }],
    predictRoute: ServingProtocol.VERTEX_AI.predictPath,
    healthRoute: ServingProtocol.VERTEX_AI.readinessPath,
    env: Object.entries(renderRuntimeEnvironment({}, env)).map(([name, value]) => ({ name, value })),
  };
}
