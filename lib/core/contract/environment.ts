/**
 * Every environment variable of the runtime's container contract, in one catalogue: ServingStack's
 * own `SERVINGSTACK_*` variables and the platform variables the runtime reads. The runtime
 * (lib/runtime/config.ts) reads them; every target types the environment it writes with
 * {@link RuntimeVariable}, so a misspelt name fails to compile; docs/runtime.md lists them (a test
 * keeps the two in sync).
 */

/** Every environment variable the runtime reads, for docs and `--help`. */
export const ENVIRONMENT = {
  SERVINGSTACK_HOST: 'Address to listen on (default 0.0.0.0).',
  SERVINGSTACK_PORT: 'Port (default 8080). When unset, SAGEMAKER_BIND_TO_PORT, then AIP_HTTP_PORT, are used.',
  SERVINGSTACK_MODEL_DIR: 'Model package directory to serve. When unset: AZUREML_MODEL_DIR, then (serve) /opt/ml/model if it exists, then AIP_STORAGE_URI.',
  SERVINGSTACK_MODEL_ROOT: 'Root for multi-model loads (default /opt/ml/models).',
  SERVINGSTACK_MULTI_MODEL: 'true: start with no model and take /models loads (also SAGEMAKER_MULTI_MODEL).',
  SERVINGSTACK_WORKERS: 'Inference worker threads (default: one per core).',
  SERVINGSTACK_INTRA_OP_THREADS: 'ONNX Runtime threads per worker (default 1).',
  SERVINGSTACK_EXECUTION_PROVIDERS: 'Comma-separated providers in order of preference, e.g. cuda,cpu (default cpu). Unavailable ones fall back to CPU with a warning.',
  SERVINGSTACK_GPU_DEVICES: 'Comma-separated GPU device ids; worker i uses device i mod n (default 0).',
  SERVINGSTACK_GRAPH_OPTIMIZATION: 'One of disabled, basic, extended, all (default all).',
  SERVINGSTACK_MAX_BATCH_SIZE: "Override the manifest's batching.maxBatchSize (1 disables batching).",
  SERVINGSTACK_MAX_QUEUE_DELAY_MICROSECONDS: "Override the manifest's batching.maxQueueDelayMicroseconds.",
  SERVINGSTACK_MAX_QUEUE_SIZE: 'Queued requests per model before 503 + Retry-After (default 1024).',
  SERVINGSTACK_REQUEST_TIMEOUT_MS: 'Longest a request may wait and run (default 60000, SageMaker’s limit).',
  SERVINGSTACK_BODY_LIMIT_BYTES: 'Largest request body (default 6291456 = 6 MiB, SageMaker real-time; async endpoints take up to 1 GiB).',
  SERVINGSTACK_MAX_TENSOR_ELEMENTS: 'Largest element count one tensor may declare (default 67108864).',
  SERVINGSTACK_MAX_JSON_DEPTH: 'Deepest nesting of JSON tensor data (default 32).',
  SERVINGSTACK_SHUTDOWN_GRACE_MS: 'On SIGTERM: how long readiness is off while requests are still served, each answer closing its connection, so platforms stop routing first (default 5000 ms; SIGINT skips it).',
  SERVINGSTACK_MAX_BYTES_ELEMENT_BYTES: 'Longest BYTES tensor element in UTF-8 bytes, JSON or binary (default 1048576).',
  SERVINGSTACK_DRAIN_TIMEOUT_MS: 'After the grace period: how long in-flight requests may finish while new ones get 503 + Retry-After (default 20000 ms; grace + drain + 2 s worker stop stay inside the 30 s SageMaker and Kubernetes allow).',
  SERVINGSTACK_HEADERS_TIMEOUT_MS: 'Longest time a client may take to send the request headers, from connecting or its first byte, before a 408 (default 10000 ms).',
  SERVINGSTACK_RECEIVE_TIMEOUT_MS: 'Longest time a client may take to send a whole request, headers and body, before a 408 (default 30000 ms).',
  SERVINGSTACK_KEEP_ALIVE_TIMEOUT_MS: 'Idle time after which a keep-alive connection is closed (default 75000 ms: longer than the 60 s idle timeout of AWS load balancers).',
  SERVINGSTACK_MAX_CONNECTIONS: 'Open connections above which a new connection gets 503 + Retry-After and is closed; health routes are still answered (default 4096).',
  SERVINGSTACK_AUTH_TOKEN: 'Bearer token (or x-api-key) required on inference and metadata routes (default: none, open). At least 16 visible ASCII characters. For SageMaker, Vertex AI and Azure ML leave it unset: the platform authenticates.',
  SERVINGSTACK_WARMUP: 'false skips the warm-up inference before ready (default true).',
  SERVINGSTACK_EMF: 'true: write CloudWatch Embedded Metric Format lines to stdout (default false).',
  SERVINGSTACK_EMF_INTERVAL_MS: 'EMF flush interval (default 60000).',
  SERVINGSTACK_LOG_LEVEL: 'One of fatal, error, warn, info, debug, trace, silent (default info).',
  SERVINGSTACK_MONITORING: 'true/false: drift, accuracy and fairness monitoring (default: on when the package names a baseline).',
  SERVINGSTACK_MONITORING_WINDOW_ROWS: "A monitoring window closes after this many rows (default: the baseline's calibrated window, else 1000)…",
  SERVINGSTACK_MONITORING_WINDOW_SECONDS: '…or this many seconds (default 300).',
  SERVINGSTACK_MONITORING_MIN_WINDOW_ROWS: 'Windows with fewer rows publish no drift scores (default 100).',
  SERVINGSTACK_DRIFT_PSI_THRESHOLD: "PSI at or above which a feature counts as drifted (default: the baseline's calibrated value, else 0.25).",
  SERVINGSTACK_DRIFT_JS_THRESHOLD: "Jensen-Shannon divergence (log2) at or above which a feature counts as drifted (default: the baseline's calibrated value, else 0.1).",
  SERVINGSTACK_FEEDBACK_CACHE_SIZE: 'Request ids kept for late labels (default 100000).',
  SERVINGSTACK_FEEDBACK_TTL_SECONDS: 'How long a request id waits for its label (default 3600).',
  SERVINGSTACK_FEEDBACK_KEY: 'HMAC key of the feedback tokens that let labels arrive on the scoring route (content type application/vnd.servingstack.feedback+json). Exclusive with SERVINGSTACK_FEEDBACK_KEY_FILE.',
  SERVINGSTACK_FEEDBACK_KEY_FILE: 'File holding the feedback token HMAC key (a mounted secret). Exclusive with SERVINGSTACK_FEEDBACK_KEY.',
  SERVINGSTACK_FAIRNESS_GROUP: 'Group attribute for fairness: a request parameter or a baseline feature name (default: off).',
  SERVINGSTACK_FAIRNESS_POSITIVE_CLASS: 'Class counted as the favourable outcome (default 1).',
  SERVINGSTACK_FAIRNESS_MIN_GROUP_COUNT: 'Groups with fewer rows publish no fairness values (default 30).',
  SERVINGSTACK_CAPTURE_DIR: 'Directory for sampled request/response records (JSONL; default: off).',
  SERVINGSTACK_CAPTURE_PERCENT: 'Share of requests captured, 0-100 (default 100 when SERVINGSTACK_CAPTURE_DIR is set).',
  SERVINGSTACK_CAPTURE_MAX_BYTES: 'Rotate the capture file at this size (default 67108864).',
  SERVINGSTACK_CAPTURE_MAX_FILES: 'Rotated capture files kept (default 10).',
  SERVINGSTACK_AUTH_TOKEN_FILE: 'File holding the inference token(s), one per line, re-read within 1 s when it changes (a mounted Kubernetes secret). Exclusive with SERVINGSTACK_AUTH_TOKEN.',
  SERVINGSTACK_ADMIN_TOKEN: 'Bearer token (or x-api-key) required on admin routes: model load/unload, the repository extension, feedback, /metrics (default: the inference token when one is set, else none).',
  SERVINGSTACK_ADMIN_TOKEN_FILE: 'File holding the admin token(s), one per line, re-read within 1 s when it changes. Exclusive with SERVINGSTACK_ADMIN_TOKEN.',
} as const;

/** Platform variables the runtime reads (set by SageMaker, Vertex AI, Azure ML or the user). */
export const PLATFORM_ENVIRONMENT = {
  SAGEMAKER_BIND_TO_PORT: 'SageMaker inference pipelines: the port to listen on.',
  SAGEMAKER_MULTI_MODEL: 'SageMaker multi-model endpoints: true starts in multi-model mode.',
  SAGEMAKER_CONTAINER_LOG_LEVEL_NAME: 'Log level when SERVINGSTACK_LOG_LEVEL is unset.',
  AIP_HTTP_PORT: 'Vertex AI: the port to listen on.',
  AIP_HEALTH_ROUTE: 'Vertex AI: the health route to serve.',
  AIP_PREDICT_ROUTE: 'Vertex AI: the prediction route to serve.',
  AIP_STORAGE_URI: 'Vertex AI: gs:// copy of the model artifacts, downloaded at start.',
  STORAGE_EMULATOR_HOST: 'Cloud Storage endpoint override for AIP_STORAGE_URI (tests, emulators).',
  GCE_METADATA_HOST: 'Metadata server override for the Cloud Storage token.',
  AZUREML_MODEL_DIR: 'Azure ML: where the model is mounted.',
} as const;

/** The name of a `SERVINGSTACK_*` variable of the catalogue. */
export type RuntimeVariable = keyof typeof ENVIRONMENT;

/** The name of a platform variable the runtime reads. */
export type PlatformVariable = keyof typeof PLATFORM_ENVIRONMENT;

/** Values a target sets for the runtime, typed by the catalogue (a misspelt name does not compile). */
export type RuntimeEnvironmentValues = { readonly [K in RuntimeVariable]?: string | number | boolean };

/**
 * The container environment: `extra` (user-supplied), then `values` on top (what the target sets
 * wins), rendered as strings, unset values dropped, sorted by name (stable diffs).
 */
export function renderRuntimeEnvironment(values: RuntimeEnvironmentValues, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  const out: Record<string, string> = { ...extra };
  for (const [name, value] of Object.entries(values)) if (value !== undefined) out[name] = String(value);
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Problems with user-supplied variables: a `SERVINGSTACK_` name the runtime does not read (a typo
 * would otherwise be ignored silently). Other names pass.
 */
export function checkRuntimeEnvironment(field: string, env: Readonly<Record<string, string>> | undefined): { field: string; message: string; received: string; allowed: string }[] {
  return Object.keys(env ?? {})
    .filter((name) => name.startsWith('SERVINGSTACK_') && !(name in ENVIRONMENT))
    .map((name) => ({ field: `${field}.${name}`, message: 'is not a variable the runtime reads', received: name, allowed: `a variable of the runtime's catalogue (docs/runtime.md), e.g. ${closest(name)}` }));
}

function closest(name: string): string {
  let best = 'SERVINGSTACK_WORKERS';
  let bestScore = Infinity;
  for (const known of Object.keys(ENVIRONMENT)) {
    const score = distance(name, known);
    if (score < bestScore) [best, bestScore] = [known, score];
  }
  return best;
}

/** Levenshtein distance (names are short). */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}
