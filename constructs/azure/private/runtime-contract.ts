/**
 * What the Azure target needs to know about the runtime container, in one place. A later change
 * swaps this module for the shared serving contract in lib/core; until then nothing else in
 * constructs/azure spells a port, a route or a runtime environment variable.
 *
 * Facts (lib/runtime/app.ts, lib/runtime/config.ts, docs/runtime.md "Azure ML"):
 * - the runtime listens on 8080 (`DEFAULTS.port`);
 * - Azure ML routes: `GET /` liveness (200 once the process is up), `GET /ready` readiness (200
 *   once the model is loaded, 503 before), `POST /score` scoring;
 * - it serves the package directory in `SERVINGSTACK_MODEL_DIR`, else `AZUREML_MODEL_DIR`.
 */

export const RUNTIME_PORT = 8080;

export const AZURE_ROUTES = {
  liveness: '/',
  readiness: '/ready',
  scoring: '/score',
} as const;

/** Runtime environment variables the deployment sets. */
export const RUNTIME_ENV = {
  modelDir: 'SERVINGSTACK_MODEL_DIR',
  port: 'SERVINGSTACK_PORT',
  workers: 'SERVINGSTACK_WORKERS',
  executionProviders: 'SERVINGSTACK_EXECUTION_PROVIDERS',
  requestTimeoutMs: 'SERVINGSTACK_REQUEST_TIMEOUT_MS',
} as const;

/** Prefixes the platform owns: users may not set these through `environmentVariables`. */
export const RESERVED_ENV_PREFIXES = ['AZUREML_', 'SERVINGSTACK_MODEL_DIR', 'SERVINGSTACK_PORT'] as const;

/**
 * Where Azure ML mounts a registered model in a managed online deployment: a model named `foo`,
 * version `1` is at `/var/azureml-app/azureml-models/foo/1`, and a folder model keeps its folder
 * name below that (how-to-deploy-custom-container.md, "Locating the mounted model").
 */
export const AZUREML_MODEL_MOUNT_ROOT = '/var/azureml-app/azureml-models';

/** The folder name packages are uploaded under (`…/paths/<prefix>/<name>/<version>/package`). */
export const PACKAGE_FOLDER = 'package';

/** The directory holding `servingstack.json` inside the running deployment. */
export function mountedPackageDir(modelName: string, modelVersion: string): string {
  return `${AZUREML_MODEL_MOUNT_ROOT}/${modelName}/${modelVersion}/${PACKAGE_FOLDER}`;
}

/** The runtime's own request timeout when SERVINGSTACK_REQUEST_TIMEOUT_MS is unset (DEFAULTS.requestTimeoutMs). */
export const RUNTIME_DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
/** Requests the runtime queues per model before answering 503 (DEFAULTS.maxQueueSize). */
export const RUNTIME_MAX_QUEUE_SIZE = 1024;
/** The manifest's batching default (DEFAULT_MAX_BATCH_SIZE in lib/core/manifest). */
export const RUNTIME_DEFAULT_MAX_BATCH_SIZE = 32;
