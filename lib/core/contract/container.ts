/**
 * The runtime's container contract: what every target may rely on when it runs the ServingStack
 * runtime image. Port, user, the routes each platform probes and calls (and who may call them),
 * and the HTTP statuses the runtime answers. Targets read these facts from here instead of
 * restating them; tests check the runtime answers what this file says.
 */

/** Who may call a route once authentication is on (the on-prem blueprint turns it on). */
export class RouteAccess {
  /** Health and readiness probes: always open (platforms probe without credentials). */
  public static readonly HEALTH = new RouteAccess('health');
  /** Inference and model metadata: the inference token (`SERVINGSTACK_AUTH_TOKEN_FILE`). */
  public static readonly INFERENCE = new RouteAccess('inference');
  /**
   * Admin: multi-model load/unload, the model repository, feedback (labels) and metrics: the
   * admin token (`SERVINGSTACK_ADMIN_TOKEN_FILE`). Never exposed through a public entry point.
   */
  public static readonly ADMIN = new RouteAccess('admin');

  private constructor(
    /** `health`, `inference` or `admin`. */
    public readonly name: string,
  ) {}

  public toString(): string {
    return this.name;
  }
}

/** One HTTP route of the runtime. Path parameters are written `:name`. */
export interface RuntimeRoute {
  /** `GET`, `POST` or `DELETE`. */
  readonly method: string;
  /** e.g. `/v2/models/:model/infer`. */
  readonly path: string;
  readonly access: RouteAccess;
  /** The protocol the route belongs to. */
  readonly protocol: ServingProtocol;
}

/**
 * A serving protocol the runtime speaks, with the routes its platform probes and calls. One
 * image serves them all at once; each platform uses its own.
 */
export class ServingProtocol {
  /** Open Inference Protocol v2 (KServe, Triton, the on-prem blueprint). */
  public static readonly OPEN_INFERENCE = new ServingProtocol('open-inference-v2', '/v2/health/live', '/v2/health/ready', '/v2/models/:model/infer');
  /** SageMaker hosting: `GET /ping`, `POST /invocations` (and multi-model `/models`). */
  public static readonly SAGEMAKER = new ServingProtocol('sagemaker', '/ping', '/ping', '/invocations');
  /**
   * Vertex AI: the routes ServingStack sets as `AIP_HEALTH_ROUTE` and `AIP_PREDICT_ROUTE` in the
   * model's container spec (the runtime serves whatever those variables name).
   */
  public static readonly VERTEX_AI = new ServingProtocol('vertex-ai', '/health', '/health', '/predict');
  /** Azure Machine Learning online endpoints: liveness `/`, readiness `/ready`, scoring `/score`. */
  public static readonly AZURE_ML = new ServingProtocol('azure-ml', '/', '/ready', '/score');

  /** Every protocol. */
  public static all(): readonly ServingProtocol[] {
    return [ServingProtocol.OPEN_INFERENCE, ServingProtocol.SAGEMAKER, ServingProtocol.VERTEX_AI, ServingProtocol.AZURE_ML];
  }

  private constructor(
    /** Protocol name, e.g. `sagemaker`. */
    public readonly name: string,
    /** Liveness probe path (200 while the process serves). */
    public readonly livenessPath: string,
    /** Readiness probe path (200 once the model is loaded and warmed up, 503 before and while draining). */
    public readonly readinessPath: string,
    /** The prediction route. */
    public readonly predictPath: string,
  ) {}

  /** The runtime's routes of this protocol. */
  public get routes(): readonly RuntimeRoute[] {
    return RuntimeContract.routes().filter((r) => r.protocol === this);
  }

  public toString(): string {
    return this.name;
  }
}

/** One HTTP status the runtime answers, and when. */
export interface RuntimeStatus {
  readonly status: number;
  /** When the runtime sends it. */
  readonly meaning: string;
  /** Whether the answer carries `Retry-After` (seconds). */
  readonly retryAfter: boolean;
}

const OIP = ServingProtocol.OPEN_INFERENCE;
const SM = ServingProtocol.SAGEMAKER;
const VX = ServingProtocol.VERTEX_AI;
const AZ = ServingProtocol.AZURE_ML;
const H = RouteAccess.HEALTH;
const I = RouteAccess.INFERENCE;
const A = RouteAccess.ADMIN;
const r = (method: string, path: string, access: RouteAccess, protocol: ServingProtocol): RuntimeRoute => ({ method, path, access, protocol });

const ROUTES: readonly RuntimeRoute[] = [
  r('GET', '/v2/health/live', H, OIP),
  r('GET', '/v2/health/ready', H, OIP),
  r('GET', '/v2', I, OIP),
  r('GET', '/v2/models', I, OIP),
  ...['', '/versions/:version'].flatMap((v) => [
    r('GET', `/v2/models/:model${v}`, I, OIP),
    r('GET', `/v2/models/:model${v}/ready`, H, OIP),
    r('POST', `/v2/models/:model${v}/infer`, I, OIP),
    r('POST', `/v2/models/:model${v}/feedback`, A, OIP),
  ]),
  r('POST', '/feedback', A, OIP),
  r('GET', '/ping', H, SM),
  r('POST', '/invocations', I, SM),
  // SageMaker multi-model endpoints (multi-model mode only).
  r('GET', '/models', A, SM),
  r('POST', '/models', A, SM),
  r('GET', '/models/:name', A, SM),
  r('DELETE', '/models/:name', A, SM),
  r('POST', '/models/:name/invoke', I, SM),
  r('GET', VX.livenessPath, H, VX),
  r('POST', VX.predictPath, I, VX),
  r('GET', AZ.livenessPath, H, AZ),
  r('GET', AZ.readinessPath, H, AZ),
  r('POST', AZ.predictPath, I, AZ),
  r('GET', '/metrics', A, OIP),
];

const STATUSES: readonly RuntimeStatus[] = [
  { status: 200, meaning: 'answered', retryAfter: false },
  { status: 400, meaning: 'the request does not fit the model or the protocol (the body names the field)', retryAfter: false },
  { status: 401, meaning: 'authentication is on and the token is missing or wrong', retryAfter: false },
  { status: 404, meaning: 'no such route, model or model version', retryAfter: false },
  { status: 405, meaning: 'the route exists, not for this method', retryAfter: false },
  { status: 406, meaning: 'the Accept header asks for a format the route cannot produce', retryAfter: false },
  { status: 408, meaning: 'the client sent the request too slowly', retryAfter: false },
  { status: 409, meaning: 'a model of that name is already loaded, or feedback for an unmonitored model', retryAfter: false },
  { status: 413, meaning: 'the body is larger than SERVINGSTACK_BODY_LIMIT_BYTES', retryAfter: false },
  { status: 415, meaning: 'the Content-Type is not one the route reads', retryAfter: false },
  { status: 431, meaning: 'the request headers are larger than the HTTP parser allows (16 KiB)', retryAfter: false },
  { status: 500, meaning: 'the model failed while running, or a bug', retryAfter: false },
  {
    status: 503,
    meaning: 'not ready, the queue is full (never 429), the request timed out in the queue, or the server is draining',
    retryAfter: true,
  },
  { status: 507, meaning: 'not enough memory to load another model (multi-model)', retryAfter: false },
];

/** The runtime's container contract. */
export class RuntimeContract {
  /** Port the runtime listens on unless told otherwise (`SERVINGSTACK_PORT`, `AIP_HTTP_PORT`, `SAGEMAKER_BIND_TO_PORT`). */
  public static readonly PORT = 8080;
  /** Non-root user (and group) the image runs as. */
  public static readonly USER_ID = 10001;
  /** Prometheus metrics route (an admin route). */
  public static readonly METRICS_PATH = '/metrics';
  /**
   * Seconds after SIGTERM during which the runtime keeps serving with readiness off (every answer
   * closing its connection), so the platform stops routing to it first; `SERVINGSTACK_SHUTDOWN_GRACE_MS`.
   */
  public static readonly SHUTDOWN_GRACE_SECONDS = 5;
  /** Seconds in-flight requests may finish after the grace period unless `SERVINGSTACK_DRAIN_TIMEOUT_MS` says otherwise. */
  public static readonly DRAIN_TIMEOUT_SECONDS = 20;
  /** Seconds the runtime needs after the drain to stop its workers and exit. */
  public static readonly EXIT_SECONDS = 2;

  /** Seconds from SIGTERM to exit at most: grace + drain + exit (the platform's kill deadline must not be shorter). */
  public static shutdownSeconds(graceSeconds: number = RuntimeContract.SHUTDOWN_GRACE_SECONDS, drainSeconds: number = RuntimeContract.DRAIN_TIMEOUT_SECONDS): number {
    return graceSeconds + drainSeconds + RuntimeContract.EXIT_SECONDS;
  }
  /** Queued requests per model before the runtime answers 503 with `Retry-After`, unless `SERVINGSTACK_MAX_QUEUE_SIZE` says otherwise. */
  public static readonly MAX_QUEUE_SIZE = 1024;
  /** The status of a full queue: 503 with `Retry-After`, never 429 (platforms retry 503s, and count 429s as client errors). */
  public static readonly QUEUE_FULL_STATUS = 503;
  /** Where SageMaker (and the on-prem init container) put the model package. */
  public static readonly MODEL_DIR = '/opt/ml/model';
  /** The only directory the runtime writes to (the root filesystem may be read-only). */
  public static readonly WRITABLE_DIR = '/tmp';

  /** Every route of the runtime. */
  public static routes(): readonly RuntimeRoute[] {
    return ROUTES;
  }

  /** The routes `access` allows. */
  public static routesFor(access: RouteAccess): readonly RuntimeRoute[] {
    return ROUTES.filter((x) => x.access === access);
  }

  /** Every status the runtime answers. */
  public static statuses(): readonly RuntimeStatus[] {
    return STATUSES;
  }

  private constructor() {}
}
