/**
 * Runtime configuration: from CLI flags, then environment variables (ServingStack's own and the
 * platforms' contracts: SageMaker, Vertex AI, Azure ML), then defaults. Validated once at boot
 * with every problem listed, then frozen.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { IssueCollector } from '../core/errors';
import { RuntimeContract } from '../core/contract/container';
import { ENVIRONMENT, PLATFORM_ENVIRONMENT } from '../core/contract/environment';

/** The catalogue lives in lib/core (the container contract every target writes to). */
export { ENVIRONMENT, PLATFORM_ENVIRONMENT };
import { parseTokenLines, TOKEN_ALLOWED, tokenProblem } from './auth';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface RuntimeConfig {
  readonly host: string;
  readonly port: number;
  /** Model package directory served at start (single-model mode). */
  readonly modelDir?: string;
  /** Root that multi-model loads must stay inside. */
  readonly modelRoot: string;
  readonly multiModel: boolean;
  readonly workers: number;
  readonly intraOpThreads: number;
  readonly executionProviders: readonly string[];
  /** GPU device ids; worker i uses gpuDeviceIds[i % n]. */
  readonly gpuDeviceIds: readonly number[];
  readonly graphOptimizationLevel: 'disabled' | 'basic' | 'extended' | 'all';
  /** Overrides the manifest's batching settings when set. */
  readonly maxBatchSize?: number;
  readonly maxQueueDelayMicroseconds?: number;
  readonly maxQueueSize: number;
  readonly requestTimeoutMs: number;
  readonly bodyLimitBytes: number;
  readonly maxTensorElements: number;
  readonly maxJsonDepth: number;
  /** Longest BYTES tensor element, in UTF-8 bytes (JSON strings and binary elements alike). */
  readonly maxBytesElementBytes: number;
  /** On SIGTERM: how long the server keeps serving (readiness off) before it refuses new work. */
  readonly shutdownGraceMs: number;
  /** After the grace period: how long in-flight requests may finish. */
  readonly drainTimeoutMs: number;
  /** Longest time to receive a request's headers (408 after). */
  readonly headersTimeoutMs: number;
  /** Longest time to receive a whole request, headers and body (408 after). */
  readonly receiveTimeoutMs: number;
  /** Idle time after which a keep-alive connection is closed. */
  readonly keepAliveTimeoutMs: number;
  /** Open connections above which new connections are answered 503 and closed (health probes excepted). */
  readonly maxConnections: number;
  /** Bearer token / API key for inference routes (value or file; at most one). */
  readonly authToken?: string;
  readonly authTokenFile?: string;
  /** Bearer token / API key for admin routes (value or file; at most one). */
  readonly adminToken?: string;
  readonly adminTokenFile?: string;
  readonly warmup: boolean;
  readonly emf: boolean;
  readonly emfIntervalMs: number;
  readonly logLevel: LogLevel;
  /** Model monitoring; undefined = on when the package has a baseline. */
  readonly monitoring?: boolean;
  /** undefined: the baseline's calibrated window, else 1000. */
  readonly monitoringWindowRows?: number;
  readonly monitoringWindowSeconds: number;
  readonly monitoringMinWindowRows: number;
  /** undefined: the baseline's calibrated thresholds, else 0.25 / 0.1. */
  readonly driftPsiThreshold?: number;
  readonly driftJsThreshold?: number;
  readonly feedbackCacheSize: number;
  readonly feedbackTtlSeconds: number;
  readonly fairnessGroup?: string;
  readonly fairnessPositiveClass: string;
  readonly fairnessMinGroupCount: number;
  /** Data capture: sampled request/response records as JSONL, rotated. */
  readonly captureDir?: string;
  readonly capturePercent: number;
  readonly captureMaxBytes: number;
  readonly captureMaxFiles: number;
  /** Vertex AI routes (AIP_HEALTH_ROUTE / AIP_PREDICT_ROUTE) when set. */
  readonly vertexHealthRoute?: string;
  readonly vertexPredictRoute?: string;
  /** AIP_STORAGE_URI: where Vertex AI copied the model artifacts. */
  readonly storageUri?: string;
}

/** Defaults, with units in the names. */
export const DEFAULTS = {
  host: '0.0.0.0',
  port: RuntimeContract.PORT,
  modelRoot: '/opt/ml/models',
  intraOpThreads: 1,
  executionProviders: ['cpu'],
  graphOptimizationLevel: 'all',
  maxQueueSize: RuntimeContract.MAX_QUEUE_SIZE,
  requestTimeoutMs: 60_000,
  bodyLimitBytes: 6 * 1024 * 1024,
  maxTensorElements: 64 * 1024 * 1024,
  maxJsonDepth: 32,
  maxBytesElementBytes: 1024 * 1024,
  shutdownGraceMs: RuntimeContract.SHUTDOWN_GRACE_SECONDS * 1000,
  drainTimeoutMs: RuntimeContract.DRAIN_TIMEOUT_SECONDS * 1000,
  headersTimeoutMs: 10_000,
  receiveTimeoutMs: 30_000,
  keepAliveTimeoutMs: 75_000,
  maxConnections: 4096,
  emfIntervalMs: 60_000,
  logLevel: 'info',
} as const;

export type ConfigOverrides = Partial<{ -readonly [K in keyof RuntimeConfig]: RuntimeConfig[K] }>;

type Env = Readonly<Record<string, string | undefined>>;

function parseIntIn(issues: IssueCollector, env: Env, name: string, min: number, max: number): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!issues.check(Number.isInteger(n) && n >= min && n <= max, { field: name, message: 'is not a whole number in range', received: raw, allowed: `${min} … ${max}` })) {
    return undefined;
  }
  return n;
}

function parseBool(issues: IssueCollector, env: Env, name: string): boolean | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const v = raw.toLowerCase();
  if (['true', '1', 'yes'].includes(v)) return true;
  if (['false', '0', 'no'].includes(v)) return false;
  issues.add({ field: name, message: 'is not a boolean', received: raw, allowed: 'true | false' });
  return undefined;
}

function parseRoute(issues: IssueCollector, env: Env, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  issues.check(/^\/[A-Za-z0-9_\-./:@]*$/.test(raw), { field: name, message: 'is not an absolute URL path', received: raw, allowed: 'a path starting with /' });
  return raw;
}

function parseToken(issues: IssueCollector, env: Env, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const problem = tokenProblem(raw);
  issues.check(problem === undefined, { field: name, message: problem ?? '', received: `(${raw.length} characters, not shown)`, allowed: TOKEN_ALLOWED });
  return raw;
}

function parseTokenFile(issues: IssueCollector, env: Env, name: string, valueName: string): string | undefined {
  const file = env[name];
  if (file === undefined || file === '') return undefined;
  if (!issues.check(!env[valueName], { field: name, message: `is set together with ${valueName}`, received: file, allowed: 'one of the two' })) return undefined;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    issues.add({ field: name, message: `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, received: file, allowed: 'a readable file holding one token per line' });
    return undefined;
  }
  const parsed = parseTokenLines(text);
  if (typeof parsed === 'string') issues.add({ field: name, message: parsed, received: file, allowed: TOKEN_ALLOWED });
  return file;
}

/**
 * Build the configuration. `overrides` (CLI flags) win over the environment.
 * Throws one ServingStackError listing every invalid setting.
 */
export function loadConfig(env: Env = process.env, overrides: ConfigOverrides = {}): RuntimeConfig {
  const issues = new IssueCollector();
  const cores = Math.max(1, os.availableParallelism?.() ?? os.cpus().length);

  const portFromPlatform =
    parseIntIn(issues, env, 'SAGEMAKER_BIND_TO_PORT', 1, 65535) ?? parseIntIn(issues, env, 'AIP_HTTP_PORT', 1, 65535);
  const providersRaw = env.SERVINGSTACK_EXECUTION_PROVIDERS;
  const knownProviders = ['cpu', 'cuda', 'tensorrt', 'webgpu', 'dml', 'coreml'];
  let executionProviders: string[] | undefined;
  if (providersRaw) {
    executionProviders = providersRaw.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
    for (const p of executionProviders) {
      issues.check(knownProviders.includes(p), { field: 'SERVINGSTACK_EXECUTION_PROVIDERS', message: `names an unknown provider '${p}'`, received: providersRaw, allowed: knownProviders.join(', ') });
    }
  }
  let gpuDeviceIds: number[] = [0];
  const devicesRaw = env.SERVINGSTACK_GPU_DEVICES;
  if (devicesRaw) {
    gpuDeviceIds = devicesRaw.split(',').map((d) => Number(d.trim()));
    issues.check(gpuDeviceIds.length > 0 && gpuDeviceIds.every((d) => Number.isInteger(d) && d >= 0 && d < 64), {
      field: 'SERVINGSTACK_GPU_DEVICES',
      message: 'is not a list of device ids',
      received: devicesRaw,
      allowed: 'comma-separated whole numbers 0 … 63, e.g. 0,1',
    });
  }
  const graph = env.SERVINGSTACK_GRAPH_OPTIMIZATION;
  if (graph !== undefined) {
    issues.check(['disabled', 'basic', 'extended', 'all'].includes(graph), { field: 'SERVINGSTACK_GRAPH_OPTIMIZATION', message: 'is not a known level', received: graph, allowed: 'disabled | basic | extended | all' });
  }
  const logLevel = env.SERVINGSTACK_LOG_LEVEL ?? env.SAGEMAKER_CONTAINER_LOG_LEVEL_NAME;
  const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
  if (logLevel !== undefined) issues.check(levels.includes(logLevel), { field: 'SERVINGSTACK_LOG_LEVEL', message: 'is not a log level', received: logLevel, allowed: levels.join(' | ') });

  const parseNumberIn = (name: string, min: number, max: number): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    const n = Number(raw);
    if (!issues.check(Number.isFinite(n) && n >= min && n <= max, { field: name, message: 'is not a number in range', received: raw, allowed: `${min} … ${max}` })) return undefined;
    return n;
  };
  const multiModel = parseBool(issues, env, 'SERVINGSTACK_MULTI_MODEL') ?? parseBool(issues, env, 'SAGEMAKER_MULTI_MODEL') ?? false;

  const fromEnv: RuntimeConfig = {
    host: env.SERVINGSTACK_HOST || DEFAULTS.host,
    port: parseIntIn(issues, env, 'SERVINGSTACK_PORT', 0, 65535) ?? portFromPlatform ?? DEFAULTS.port,
    modelDir: env.SERVINGSTACK_MODEL_DIR || env.AZUREML_MODEL_DIR || undefined,
    modelRoot: env.SERVINGSTACK_MODEL_ROOT || DEFAULTS.modelRoot,
    multiModel,
    workers: parseIntIn(issues, env, 'SERVINGSTACK_WORKERS', 1, 256) ?? cores,
    intraOpThreads: parseIntIn(issues, env, 'SERVINGSTACK_INTRA_OP_THREADS', 1, 256) ?? DEFAULTS.intraOpThreads,
    executionProviders: executionProviders ?? [...DEFAULTS.executionProviders],
    gpuDeviceIds,
    graphOptimizationLevel: (graph as RuntimeConfig['graphOptimizationLevel']) ?? DEFAULTS.graphOptimizationLevel,
    maxBatchSize: parseIntIn(issues, env, 'SERVINGSTACK_MAX_BATCH_SIZE', 1, 4096),
    maxQueueDelayMicroseconds: parseIntIn(issues, env, 'SERVINGSTACK_MAX_QUEUE_DELAY_MICROSECONDS', 0, 10_000_000),
    maxQueueSize: parseIntIn(issues, env, 'SERVINGSTACK_MAX_QUEUE_SIZE', 1, 1_000_000) ?? DEFAULTS.maxQueueSize,
    requestTimeoutMs: parseIntIn(issues, env, 'SERVINGSTACK_REQUEST_TIMEOUT_MS', 1, 3_600_000) ?? DEFAULTS.requestTimeoutMs,
    bodyLimitBytes: parseIntIn(issues, env, 'SERVINGSTACK_BODY_LIMIT_BYTES', 1024, 1024 ** 3) ?? DEFAULTS.bodyLimitBytes,
    maxTensorElements: parseIntIn(issues, env, 'SERVINGSTACK_MAX_TENSOR_ELEMENTS', 1, 2 ** 31 - 1) ?? DEFAULTS.maxTensorElements,
    maxJsonDepth: parseIntIn(issues, env, 'SERVINGSTACK_MAX_JSON_DEPTH', 1, 100) ?? DEFAULTS.maxJsonDepth,
    maxBytesElementBytes: parseIntIn(issues, env, 'SERVINGSTACK_MAX_BYTES_ELEMENT_BYTES', 1, 2 ** 30) ?? DEFAULTS.maxBytesElementBytes,
    shutdownGraceMs: parseIntIn(issues, env, 'SERVINGSTACK_SHUTDOWN_GRACE_MS', 0, 600_000) ?? DEFAULTS.shutdownGraceMs,
    drainTimeoutMs: parseIntIn(issues, env, 'SERVINGSTACK_DRAIN_TIMEOUT_MS', 0, 600_000) ?? DEFAULTS.drainTimeoutMs,
    headersTimeoutMs: parseIntIn(issues, env, 'SERVINGSTACK_HEADERS_TIMEOUT_MS', 100, 600_000) ?? DEFAULTS.headersTimeoutMs,
    receiveTimeoutMs: parseIntIn(issues, env, 'SERVINGSTACK_RECEIVE_TIMEOUT_MS', 100, 3_600_000) ?? DEFAULTS.receiveTimeoutMs,
    keepAliveTimeoutMs: parseIntIn(issues, env, 'SERVINGSTACK_KEEP_ALIVE_TIMEOUT_MS', 1, 3_600_000) ?? DEFAULTS.keepAliveTimeoutMs,
    maxConnections: parseIntIn(issues, env, 'SERVINGSTACK_MAX_CONNECTIONS', 1, 1_000_000) ?? DEFAULTS.maxConnections,
    authToken: parseToken(issues, env, 'SERVINGSTACK_AUTH_TOKEN'),
    authTokenFile: parseTokenFile(issues, env, 'SERVINGSTACK_AUTH_TOKEN_FILE', 'SERVINGSTACK_AUTH_TOKEN'),
    adminToken: parseToken(issues, env, 'SERVINGSTACK_ADMIN_TOKEN'),
    adminTokenFile: parseTokenFile(issues, env, 'SERVINGSTACK_ADMIN_TOKEN_FILE', 'SERVINGSTACK_ADMIN_TOKEN'),
    warmup: parseBool(issues, env, 'SERVINGSTACK_WARMUP') ?? true,
    emf: parseBool(issues, env, 'SERVINGSTACK_EMF') ?? false,
    emfIntervalMs: parseIntIn(issues, env, 'SERVINGSTACK_EMF_INTERVAL_MS', 1000, 3_600_000) ?? DEFAULTS.emfIntervalMs,
    logLevel: (logLevel as LogLevel) ?? DEFAULTS.logLevel,
    monitoring: parseBool(issues, env, 'SERVINGSTACK_MONITORING'),
    monitoringWindowRows: parseIntIn(issues, env, 'SERVINGSTACK_MONITORING_WINDOW_ROWS', 1, 10_000_000),
    monitoringWindowSeconds: parseIntIn(issues, env, 'SERVINGSTACK_MONITORING_WINDOW_SECONDS', 1, 86_400) ?? 300,
    monitoringMinWindowRows: parseIntIn(issues, env, 'SERVINGSTACK_MONITORING_MIN_WINDOW_ROWS', 1, 10_000_000) ?? 100,
    driftPsiThreshold: parseNumberIn('SERVINGSTACK_DRIFT_PSI_THRESHOLD', 0, 100),
    driftJsThreshold: parseNumberIn('SERVINGSTACK_DRIFT_JS_THRESHOLD', 0, 1),
    feedbackCacheSize: parseIntIn(issues, env, 'SERVINGSTACK_FEEDBACK_CACHE_SIZE', 1, 10_000_000) ?? 100_000,
    feedbackTtlSeconds: parseIntIn(issues, env, 'SERVINGSTACK_FEEDBACK_TTL_SECONDS', 1, 30 * 86_400) ?? 3600,
    fairnessGroup: env.SERVINGSTACK_FAIRNESS_GROUP || undefined,
    fairnessPositiveClass: env.SERVINGSTACK_FAIRNESS_POSITIVE_CLASS || '1',
    fairnessMinGroupCount: parseIntIn(issues, env, 'SERVINGSTACK_FAIRNESS_MIN_GROUP_COUNT', 1, 10_000_000) ?? 30,
    captureDir: env.SERVINGSTACK_CAPTURE_DIR || undefined,
    capturePercent: parseNumberIn('SERVINGSTACK_CAPTURE_PERCENT', 0, 100) ?? 100,
    captureMaxBytes: parseIntIn(issues, env, 'SERVINGSTACK_CAPTURE_MAX_BYTES', 1024, 2 ** 40) ?? 64 * 1024 * 1024,
    captureMaxFiles: parseIntIn(issues, env, 'SERVINGSTACK_CAPTURE_MAX_FILES', 1, 10_000) ?? 10,
    vertexHealthRoute: parseRoute(issues, env, 'AIP_HEALTH_ROUTE'),
    vertexPredictRoute: parseRoute(issues, env, 'AIP_PREDICT_ROUTE'),
    storageUri: env.AIP_STORAGE_URI || undefined,
  };
  issues.throwIfAny('RT_ERR_CONFIG', 'The runtime configuration is invalid');
  const merged: RuntimeConfig = { ...fromEnv, ...stripUndefined(overrides) };
  const check = new IssueCollector();
  check.check(merged.multiModel || merged.modelDir !== undefined || merged.storageUri !== undefined, {
    field: 'SERVINGSTACK_MODEL_DIR',
    message: 'no model to serve',
    allowed: 'a model package directory (--model-dir, SERVINGSTACK_MODEL_DIR, /opt/ml/model, AIP_STORAGE_URI) or multi-model mode',
  });
  check.check(merged.headersTimeoutMs <= merged.receiveTimeoutMs, {
    field: 'SERVINGSTACK_HEADERS_TIMEOUT_MS',
    message: 'is longer than the time allowed for the whole request',
    received: merged.headersTimeoutMs,
    allowed: `at most SERVINGSTACK_RECEIVE_TIMEOUT_MS (${merged.receiveTimeoutMs})`,
  });
  check.throwIfAny('RT_ERR_CONFIG', 'The runtime configuration is invalid');
  return Object.freeze({ ...merged, executionProviders: Object.freeze([...merged.executionProviders]), gpuDeviceIds: Object.freeze([...merged.gpuDeviceIds]) });
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
