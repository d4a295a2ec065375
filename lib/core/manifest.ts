/**
 * The model package manifest, `servingstack.json`: it travels with the model and tells every
 * target and the runtime what the model is, how to call it and where it came from.
 * Format documented in docs/model-package.md; the JSON Schema below is the source of truth.
 */
import Ajv from 'ajv';
import { DATATYPES, Datatype } from './dtypes';
import { IssueCollector, ServingStackError } from './errors';
import { issueFromSchemaError } from './schema-issues';
import { OptimizationLineage, optimizationLineageSchema } from './optimization-lineage';

export const MANIFEST_FILE = 'servingstack.json';
export const MANIFEST_SCHEMA_VERSION = 1;

export const MODEL_FORMATS = ['onnx', 'tensorflow-savedmodel', 'pytorch-torchscript', 'custom'] as const;
export type ModelFormat = (typeof MODEL_FORMATS)[number];

export const MODEL_TASKS = ['classification', 'regression', 'other'] as const;
export type ModelTask = (typeof MODEL_TASKS)[number];

/** One tensor of the model's signature. `-1` marks a dynamic dimension. */
export interface TensorSpec {
  readonly name: string;
  readonly datatype: Datatype;
  readonly shape: readonly number[];
  /** Whether NaN/Infinity may be sent for this (floating point) input. @default false */
  readonly allowNonFinite?: boolean;
}

export interface Signature {
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
}

/** Dynamic batching, with Triton's semantics. */
export interface BatchingSettings {
  /** Largest number of rows (dimension 0) sent to the model in one run; 1 disables batching. @default 32 */
  readonly maxBatchSize?: number;
  /**
   * How long a request may wait in the queue for others to join its batch while a worker is free.
   * 0 = never wait: batches form only from requests that queued while the workers were busy.
   * @default 0
   */
  readonly maxQueueDelayMicroseconds?: number;
}

export interface Lineage {
  readonly trainingData?: { readonly uri: string; readonly version?: string };
  readonly codeCommit?: string;
  readonly codeRepository?: string;
  /** Evaluation metrics, name → value (e.g. `{"accuracy": 0.97}`). */
  readonly metrics?: Readonly<Record<string, number>>;
  readonly createdAt?: string;
  /** How `servingstack optimize` derived this model from another package. */
  readonly optimization?: OptimizationLineage;
}

export interface ModelManifest {
  readonly schemaVersion: number;
  /** Model name: lower-case letters, digits and dashes, 1–63 characters, starting with a letter. */
  readonly name: string;
  /** Model version: a semantic version or a positive integer. */
  readonly version: string;
  readonly format: ModelFormat;
  /** Path of the model file or directory inside the package. @default `model.onnx` for onnx */
  readonly modelFile?: string;
  readonly task?: ModelTask;
  readonly description?: string;
  readonly signature: Signature;
  /** Class names for classifiers, index = class id. */
  readonly classLabels?: readonly string[];
  readonly batching?: BatchingSettings;
  /** Path of a baseline statistics file inside the package. */
  readonly baseline?: string;
  /**
   * Path of an example request inside the package: an Open Inference Protocol v2 JSON request
   * body (`{"inputs": [{name, datatype, shape, data}]}`) the model answers. The runtime warms up
   * with it when zero-filled inputs cannot run (a string input the model parses, for instance).
   */
  readonly exampleRequest?: string;
  readonly lineage?: Lineage;
}

export const DEFAULT_MAX_BATCH_SIZE = 32;
export const MAX_BATCH_SIZE_LIMIT = 4096;
export const MAX_QUEUE_DELAY_LIMIT_MICROS = 10_000_000;
/**
 * Longest tensor name, in UTF-16 code units. ONNX allows any string; exporters write names such as
 * `0`, `input.1`, `onnx::Gemm_0` or `/layer1/Gemm_output_0`. Every non-empty name up to this length
 * is accepted and escaped wherever it appears.
 */
export const TENSOR_NAME_MAX_LENGTH = 1024;
/** Largest size of one fixed dimension (ONNX Runtime's node binding takes 32-bit dimensions). */
export const MAX_DIMENSION = 2 ** 31 - 1;

const NAME_PATTERN = '^[a-z][a-z0-9-]{0,62}$';
const VERSION_PATTERN = '^(?:[1-9][0-9]{0,8}|(?:0|[1-9][0-9]*)\\.(?:0|[1-9][0-9]*)\\.(?:0|[1-9][0-9]*)(?:-[0-9A-Za-z.-]+)?)$';
const RELATIVE_PATH_PATTERN = '^(?!/)(?!.*(?:^|/)\\.\\.(?:/|$))[A-Za-z0-9_./-]{1,255}$';

const tensorSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'datatype', 'shape'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: TENSOR_NAME_MAX_LENGTH },
    datatype: { enum: [...DATATYPES] },
    shape: {
      type: 'array',
      maxItems: 16,
      items: { type: 'integer', minimum: -1, maximum: MAX_DIMENSION },
    },
    allowNonFinite: { type: 'boolean' },
  },
} as const;

/** JSON Schema (draft-07) of `servingstack.json`. */
export const manifestJsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://servingstack.dev/schemas/servingstack.json',
  title: 'ServingStack model package manifest',
  type: 'object',
  additionalProperties: false,
  required: ['schemaVersion', 'name', 'version', 'format', 'signature'],
  properties: {
    schemaVersion: { const: MANIFEST_SCHEMA_VERSION },
    name: { type: 'string', pattern: NAME_PATTERN },
    version: { type: 'string', pattern: VERSION_PATTERN },
    format: { enum: [...MODEL_FORMATS] },
    modelFile: { type: 'string', pattern: RELATIVE_PATH_PATTERN },
    task: { enum: [...MODEL_TASKS] },
    description: { type: 'string', maxLength: 1024 },
    signature: {
      type: 'object',
      additionalProperties: false,
      required: ['inputs', 'outputs'],
      properties: {
        inputs: { type: 'array', minItems: 0, maxItems: 64, items: tensorSchema },
        outputs: { type: 'array', minItems: 1, maxItems: 64, items: tensorSchema },
      },
    },
    classLabels: { type: 'array', minItems: 1, maxItems: 10000, items: { type: 'string', maxLength: 256 } },
    batching: {
      type: 'object',
      additionalProperties: false,
      properties: {
        maxBatchSize: { type: 'integer', minimum: 1, maximum: MAX_BATCH_SIZE_LIMIT },
        maxQueueDelayMicroseconds: { type: 'integer', minimum: 0, maximum: MAX_QUEUE_DELAY_LIMIT_MICROS },
      },
    },
    baseline: { type: 'string', pattern: RELATIVE_PATH_PATTERN },
    exampleRequest: { type: 'string', pattern: RELATIVE_PATH_PATTERN },
    lineage: {
      type: 'object',
      additionalProperties: false,
      properties: {
        trainingData: {
          type: 'object',
          additionalProperties: false,
          required: ['uri'],
          properties: { uri: { type: 'string', minLength: 1, maxLength: 2048 }, version: { type: 'string', maxLength: 256 } },
        },
        codeCommit: { type: 'string', pattern: '^[0-9a-f]{7,64}$' },
        codeRepository: { type: 'string', maxLength: 2048 },
        metrics: { type: 'object', additionalProperties: { type: 'number' } },
        createdAt: { type: 'string', format: 'date-time' },
        optimization: optimizationLineageSchema,
      },
    },
  },
} as const;

const ajv = new Ajv({ allErrors: true, verbose: true, strict: true });
ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/);
const validateSchema = ajv.compile(manifestJsonSchema);

const ALLOWED_BY_PATTERN: Record<string, string> = {
  [NAME_PATTERN]: 'lower-case letters, digits and dashes, 1–63 characters, starting with a letter',
  [VERSION_PATTERN]: 'a semantic version (1.2.3) or a positive integer (7)',
  [RELATIVE_PATH_PATTERN]: 'a relative path inside the package, without `..`',
};

/**
 * Validate an untrusted manifest object. Returns the typed manifest or throws one
 * ServingStackError (`SS_ERR_MANIFEST_INVALID`) listing every problem.
 */
export function validateManifest(raw: unknown, source = MANIFEST_FILE): ModelManifest {
  const issues = new IssueCollector();
  if (!validateSchema(raw)) {
    for (const e of validateSchema.errors ?? []) {
      const issue = issueFromSchemaError(e, { root: '(manifest)', patternDescriptions: ALLOWED_BY_PATTERN });
      if (issue) issues.add(issue);
    }
    issues.throwIfAny('SS_ERR_MANIFEST_INVALID', `${source} is not a valid ServingStack manifest`);
  }
  const m = raw as ModelManifest;
  for (const side of ['inputs', 'outputs'] as const) {
    const seen = new Set<string>();
    m.signature[side].forEach((t, i) => {
      issues.check(!seen.has(t.name), {
        field: `signature.${side}[${i}].name`,
        message: `duplicates another ${side.slice(0, -1)} name`,
        received: t.name,
        allowed: 'unique names',
      });
      seen.add(t.name);
      if (t.allowNonFinite !== undefined) {
        issues.check(t.datatype.startsWith('FP'), {
          field: `signature.${side}[${i}].allowNonFinite`,
          message: 'only applies to floating point tensors',
          received: t.datatype,
          allowed: 'FP16 | FP32 | FP64',
        });
      }
    });
  }
  const maxBatch = m.batching?.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE;
  if (maxBatch > 1) {
    // Batching concatenates along dimension 0: it must be dynamic on every input.
    m.signature.inputs.forEach((t, i) => {
      issues.check(t.shape.length > 0 && t.shape[0] === -1, {
        field: `signature.inputs[${i}].shape`,
        message: `batching (maxBatchSize ${maxBatch}) needs a dynamic first dimension`,
        received: t.shape,
        allowed: 'a shape starting with -1, or batching.maxBatchSize 1',
      });
    });
  }
  if (m.classLabels) {
    issues.check(m.task === undefined || m.task === 'classification', {
      field: 'classLabels',
      message: 'only applies to classifiers',
      received: m.task,
      allowed: 'task "classification"',
    });
  }
  issues.throwIfAny('SS_ERR_MANIFEST_INVALID', `${source} is not a valid ServingStack manifest`);
  return m;
}

/** The model file inside the package, with the per-format default. */
export function modelFileOf(m: ModelManifest): string {
  if (m.modelFile) return m.modelFile;
  switch (m.format) {
    case 'onnx':
      return 'model.onnx';
    case 'tensorflow-savedmodel':
      return 'saved_model';
    case 'pytorch-torchscript':
      return 'model.pt';
    default:
      return 'model';
  }
}

/**
 * A tensor name for text output (tables, messages): as is when it is plain printable text without
 * spaces, else JSON-quoted, so `a b`, an empty-looking or a multi-line name stays one readable cell.
 */
export function displayTensorName(name: string): string {
  return /^[\x21-\x7e\u00a1-\u2027\u202a-\uffff]+$/.test(name) && !name.startsWith('"') ? name : JSON.stringify(name);
}

/** Parse and validate manifest JSON text. */
export function parseManifest(text: string, source = MANIFEST_FILE): ModelManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ServingStackError('SS_ERR_MANIFEST_INVALID', `${source} is not valid JSON`, [
      { field: '(manifest)', message: (e as Error).message, allowed: 'a JSON object' },
    ]);
  }
  return validateManifest(raw, source);
}
