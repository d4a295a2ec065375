/**
 * The runtime's error catalogue. Every error a client can see has a stable code, an HTTP status
 * and a JSON body `{ error, code, field?, received?, allowed? }` (OIP clients read `error`).
 * docs/runtime-errors.md is generated from this table and a test keeps the two in sync.
 */
import { renderValue } from '../core/errors';

export interface ErrorDefinition {
  readonly status: number;
  readonly description: string;
}

export const RUNTIME_ERRORS = {
  RT_ERR_BAD_JSON: { status: 400, description: 'The body is not valid JSON.' },
  RT_ERR_BAD_REQUEST: { status: 400, description: 'The request body does not have the expected structure.' },
  RT_ERR_BAD_CSV: { status: 400, description: 'A CSV body has a non-numeric cell or ragged rows.' },
  RT_ERR_UNKNOWN_INPUT: { status: 400, description: 'An input name is not in the model signature.' },
  RT_ERR_MISSING_INPUT: { status: 400, description: 'A required model input is missing.' },
  RT_ERR_DUPLICATE_INPUT: { status: 400, description: 'The same input (or requested output) name appears twice.' },
  RT_ERR_UNKNOWN_OUTPUT: { status: 400, description: 'A requested output name is not in the model signature.' },
  RT_ERR_DATATYPE: { status: 400, description: "An input's datatype differs from the model's, or a value does not fit it." },
  RT_ERR_SHAPE: { status: 400, description: "An input's shape does not fit the model's, or disagrees with its data length." },
  RT_ERR_NON_FINITE: { status: 400, description: 'NaN or Infinity sent for an input that does not allow it.' },
  RT_ERR_TOO_DEEP: { status: 400, description: 'Nested arrays deeper than the limit.' },
  RT_ERR_TOO_LARGE_TENSOR: { status: 400, description: 'A declared shape would allocate more elements than the limit (rejected before allocating).' },
  RT_ERR_TOO_LARGE_ELEMENT: { status: 400, description: 'A BYTES element is longer than the limit.' },
  RT_ERR_BINARY: { status: 400, description: 'A binary tensor body is malformed (header length, data sizes).' },
  RT_ERR_BAD_PARAMETER: { status: 400, description: 'A request parameter has the wrong type or value.' },
  RT_ERR_MODEL_PATH: { status: 400, description: 'A model load path escapes the model root or is not a model package.' },
  RT_ERR_BAD_FEEDBACK: { status: 400, description: 'A feedback body is malformed, or none of its labels could be used (each skip names its reason).' },
  RT_ERR_FEEDBACK_TOKEN_INVALID: { status: 400, description: 'A prediction token is malformed, or its signature does not match (altered, or signed with another key).' },
  RT_ERR_FEEDBACK_TOKEN_EXPIRED: { status: 400, description: 'A prediction token is past its expiry (SERVINGSTACK_FEEDBACK_TOKEN_TTL_SECONDS after the prediction).' },
  RT_ERR_UNAUTHORIZED: { status: 401, description: 'The route needs a token (Authorization: Bearer or x-api-key) and none, or one not accepted, was sent.' },
  RT_ERR_MONITORING_OFF: { status: 409, description: 'Feedback was sent for a model that is not monitored (its package names no baseline).' },
  RT_ERR_FEEDBACK_KEY: { status: 409, description: 'Feedback carries a prediction token but this runtime has no feedback key (SERVINGSTACK_FEEDBACK_KEY…), or the key could not be read at start.' },
  RT_ERR_MODEL_NOT_FOUND: { status: 404, description: 'No model (or model version) of that name is loaded.' },
  RT_ERR_ROUTE_NOT_FOUND: { status: 404, description: 'No route matches the path.' },
  RT_ERR_METHOD_NOT_ALLOWED: { status: 405, description: 'The route exists but not for this HTTP method.' },
  RT_ERR_NOT_ACCEPTABLE: { status: 406, description: 'The Accept header asks for a format the route cannot produce.' },
  RT_ERR_REQUEST_TIMEOUT: { status: 408, description: 'The client did not send the request headers, or the whole request, within the time allowed.' },
  RT_ERR_MODEL_EXISTS: { status: 409, description: 'A model of that name is already loaded.' },
  RT_ERR_BODY_TOO_LARGE: { status: 413, description: 'The body is larger than the configured limit.' },
  RT_ERR_UNSUPPORTED_MEDIA_TYPE: { status: 415, description: 'The Content-Type is not one the route reads.' },
  RT_ERR_HEADERS_TOO_LARGE: { status: 431, description: 'The request headers are larger than the HTTP parser allows.' },
  RT_ERR_INFERENCE_FAILED: { status: 500, description: 'The model raised an error while running.' },
  RT_ERR_INTERNAL: { status: 500, description: 'An unexpected server error (a bug: please report it).' },
  RT_ERR_NOT_READY: { status: 503, description: 'The model is not loaded and warmed up yet, or failed to load.' },
  RT_ERR_QUEUE_FULL: { status: 503, description: 'The request queue is full; retry after the Retry-After delay.' },
  RT_ERR_DRAINING: { status: 503, description: 'The server is shutting down and takes no new requests.' },
  RT_ERR_TOO_MANY_CONNECTIONS: { status: 503, description: 'The server holds as many connections as it allows; this one is answered and closed.' },
  RT_ERR_TIMEOUT: { status: 503, description: 'The request waited longer than the request timeout.' },
  RT_ERR_OUT_OF_RESOURCES: { status: 507, description: 'Not enough memory to load another model (SageMaker multi-model endpoints evict one and retry).' },
} as const satisfies Record<string, ErrorDefinition>;

export type RuntimeErrorCode = keyof typeof RUNTIME_ERRORS;

export interface RuntimeErrorDetails {
  readonly field?: string;
  readonly received?: unknown;
  readonly allowed?: string;
  /** Seconds, for 503s: sent as Retry-After. */
  readonly retryAfterSeconds?: number;
}

export class RuntimeError extends Error {
  public readonly code: RuntimeErrorCode;
  public readonly status: number;
  public readonly details: RuntimeErrorDetails;

  constructor(code: RuntimeErrorCode, message: string, details: RuntimeErrorDetails = {}) {
    super(message);
    this.name = 'RuntimeError';
    this.code = code;
    this.status = RUNTIME_ERRORS[code].status;
    this.details = details;
  }

  /** The JSON body sent to the client. */
  public toBody(): Record<string, unknown> {
    const d = this.details;
    const parts = [this.message];
    if ('received' in d) parts.push(`received ${render(d.received)}`);
    if (d.allowed) parts.push(`allowed: ${d.allowed}`);
    const body: Record<string, unknown> = { error: parts.join('; '), code: this.code };
    if (d.field !== undefined) body.field = d.field;
    if ('received' in d) body.received = safeJson(d.received);
    if (d.allowed !== undefined) body.allowed = d.allowed;
    return body;
  }
}

function safeJson(v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  if (typeof v === 'string' && v.length > 200) return `${v.slice(0, 199)}…`;
  if (Array.isArray(v) && v.length > 20) return render(v, 200);
  if (typeof v === 'object' && v !== null) return render(v, 200);
  return v;
}

/** renderValue, safe for values a client made pathological (arrays nested thousands deep overflow the stack). */
function render(v: unknown, maxLength?: number): string {
  const tooDeep = (): string => (Array.isArray(v) ? `[an array of ${v.length} nested too deeply to print]` : '(a value nested too deeply to print)');
  // Decided by depth, not by the stack: Node 20 overflows where Node 26's larger stack does not.
  if (deeperThan(v, MAX_ECHO_DEPTH)) return tooDeep();
  try {
    return renderValue(v, maxLength);
  } catch {
    return tooDeep();
  }
}

const MAX_ECHO_DEPTH = 64;

/** Whether a value nests deeper than `limit` (iterative, at most 10,000 nodes looked at). */
function deeperThan(v: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[v, 0]];
  for (let seen = 0; stack.length > 0 && seen < 10_000; seen++) {
    const [x, depth] = stack.pop()!;
    if (depth > limit) return true;
    if (Array.isArray(x)) for (const c of x.slice(0, 50)) stack.push([c, depth + 1]);
    else if (typeof x === 'object' && x !== null) for (const c of Object.values(x).slice(0, 50)) stack.push([c, depth + 1]);
  }
  return false;
}

export function rtError(code: RuntimeErrorCode, message: string, details?: RuntimeErrorDetails): RuntimeError {
  return new RuntimeError(code, message, details);
}
