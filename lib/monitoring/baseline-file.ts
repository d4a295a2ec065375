/**
 * baseline.json files: the JSON Schema, validation of untrusted baselines (schema, then the
 * semantics), reading and writing.
 */
import * as fs from 'node:fs';
import Ajv from 'ajv';
import { IssueCollector, ServingStackError } from '../core/errors';
import { TENSOR_NAME_MAX_LENGTH } from '../core/manifest';
import { issueFromSchemaError } from '../core/schema-issues';
import { BASELINE_SCHEMA_VERSION, Baseline, Distribution, SHARE_SUM_TOLERANCE } from './types';

const shareArray = { type: 'array', minItems: 1, items: { type: 'number', minimum: 0, maximum: 1 } } as const;

const numericSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'edges', 'expected', 'min', 'max', 'mean', 'std'],
  properties: {
    kind: { const: 'numeric' },
    edges: { type: 'array', minItems: 2, items: { type: 'number' } },
    expected: shareArray,
    min: { type: 'number' },
    max: { type: 'number' },
    mean: { type: 'number' },
    std: { type: 'number', minimum: 0 },
  },
} as const;

const categoricalSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'values', 'expected'],
  properties: {
    kind: { const: 'categorical' },
    values: { type: 'array', items: { type: 'string' } },
    expected: shareArray,
  },
} as const;

const distributionSchema = {
  type: 'object',
  required: ['kind'],
  properties: { kind: { enum: ['numeric', 'categorical'] } },
  if: { type: 'object', properties: { kind: { const: 'numeric' } } },
  then: numericSchema,
  else: categoricalSchema,
} as const;

/** JSON Schema (draft-07) of baseline.json. */
export const baselineJsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://servingstack.dev/schemas/baseline.json',
  title: 'ServingStack baseline',
  type: 'object',
  additionalProperties: false,
  required: ['schemaVersion', 'rowCount', 'task', 'features'],
  properties: {
    schemaVersion: { const: BASELINE_SCHEMA_VERSION },
    rowCount: { type: 'integer', minimum: 1 },
    task: { enum: ['classification', 'regression', 'other'] },
    features: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'input', 'column', 'missingRate', 'distribution'],
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 256 },
          input: { type: 'string', minLength: 1, maxLength: TENSOR_NAME_MAX_LENGTH },
          column: { type: 'integer', minimum: 0 },
          missingRate: { type: 'number', minimum: 0, maximum: 1 },
          distribution: distributionSchema,
        },
      },
    },
    prediction: {
      type: 'object',
      additionalProperties: false,
      required: ['output', 'mode', 'distribution'],
      properties: {
        output: { type: 'string', minLength: 1, maxLength: TENSOR_NAME_MAX_LENGTH },
        mode: { enum: ['class', 'value'] },
        distribution: distributionSchema,
      },
    },
    labels: categoricalSchema,
    source: {
      type: 'object',
      additionalProperties: false,
      required: ['uri', 'sha256'],
      properties: { uri: { type: 'string', minLength: 1, maxLength: 2048 }, sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' } },
    },
    thresholds: {
      type: 'object',
      additionalProperties: false,
      required: ['windowRows', 'psi', 'jsDivergenceLog2', 'quantile', 'rounds'],
      properties: {
        windowRows: { type: 'integer', minimum: 1 },
        psi: { type: 'number', minimum: 0 },
        jsDivergenceLog2: { type: 'number', minimum: 0, maximum: 1 },
        quantile: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
        rounds: { type: 'integer', minimum: 1 },
      },
    },
  },
} as const;

const ajv = new Ajv({ allErrors: true, verbose: true, strict: true });
const validateSchema = ajv.compile(baselineJsonSchema);

function checkShares(issues: IssueCollector, field: string, expected: readonly number[], expectedLength: number, lengthRule: string): void {
  issues.check(expected.length === expectedLength, {
    field,
    message: `has ${expected.length} shares; ${lengthRule}`,
    received: expected.length,
    allowed: String(expectedLength),
  });
  const finite = expected.every((x) => Number.isFinite(x));
  if (!issues.check(finite, { field, message: 'contains a non-finite share', received: expected, allowed: 'finite numbers in [0, 1]' })) return;
  const sum = expected.reduce((s, x) => s + x, 0);
  issues.check(Math.abs(sum - 1) <= SHARE_SUM_TOLERANCE, {
    field,
    message: 'shares must sum to 1',
    received: sum,
    allowed: `1 ± ${SHARE_SUM_TOLERANCE}`,
  });
}

function checkDistribution(issues: IssueCollector, field: string, d: Distribution): void {
  if (d.kind === 'numeric') {
    const edges = d.edges;
    const finite = edges.every((x) => Number.isFinite(x));
    issues.check(finite, { field: `${field}.edges`, message: 'contains a non-finite edge', received: edges, allowed: 'finite numbers' });
    if (finite) {
      const bad = edges.findIndex((x, i) => i > 0 && !(x > edges[i - 1]!));
      issues.check(bad < 0, {
        field: `${field}.edges`,
        message: `must be strictly ascending (edges[${bad}] = ${edges[bad]} follows ${edges[bad - 1]})`,
        received: edges,
        allowed: 'strictly ascending numbers (duplicate quantiles collapsed)',
      });
      issues.check(d.min === edges[0], { field: `${field}.min`, message: 'must equal the first edge', received: d.min, allowed: String(edges[0]) });
      issues.check(d.max === edges[edges.length - 1], { field: `${field}.max`, message: 'must equal the last edge', received: d.max, allowed: String(edges[edges.length - 1]) });
    }
    for (const key of ['min', 'max', 'mean', 'std'] as const) {
      issues.check(Number.isFinite(d[key]), { field: `${field}.${key}`, message: 'must be a finite number', received: d[key], allowed: 'a finite number' });
    }
    checkShares(issues, `${field}.expected`, d.expected, edges.length + 1, `a numeric distribution has edges.length + 1 (underflow, ${Math.max(0, edges.length - 1)} inner bins, overflow)`);
  } else {
    const seen = new Set<string>();
    d.values.forEach((v, i) => {
      issues.check(!seen.has(v), { field: `${field}.values[${i}]`, message: 'duplicates another value', received: v, allowed: 'unique values' });
      seen.add(v);
    });
    checkShares(issues, `${field}.expected`, d.expected, d.values.length + 1, 'a categorical distribution has values.length + 1 (the values, then "other")');
  }
}

/**
 * Validate an untrusted baseline object: the JSON Schema (every error at once), then the
 * semantics (edges strictly ascending, shares per layout and summing to 1, finite numbers,
 * unique names and columns). Throws one ServingStackError `SS_ERR_BASELINE_INVALID`.
 */
export function validateBaseline(raw: unknown, source = 'baseline'): Baseline {
  const issues = new IssueCollector();
  const summary = `${source} is not a valid ServingStack baseline`;
  if (!validateSchema(raw)) {
    for (const e of validateSchema.errors ?? []) {
      const issue = issueFromSchemaError(e, { root: '(baseline)' });
      if (issue) issues.add(issue);
    }
    issues.throwIfAny('SS_ERR_BASELINE_INVALID', summary);
  }
  const b = raw as Baseline;
  const names = new Set<string>();
  const columns = new Map<string, number>();
  b.features.forEach((f, i) => {
    const field = `features[${i}]`;
    issues.check(!names.has(f.name), { field: `${field}.name`, message: 'duplicates another feature name', received: f.name, allowed: 'unique names' });
    names.add(f.name);
    const key = `${f.input}\u0000${f.column}`;
    issues.check(!columns.has(key), {
      field: `${field}.column`,
      message: `reads the same input column as features[${columns.get(key)}]`,
      received: { input: f.input, column: f.column },
      allowed: 'one feature per input column',
    });
    if (!columns.has(key)) columns.set(key, i);
    issues.check(Number.isFinite(f.missingRate), { field: `${field}.missingRate`, message: 'must be a finite number', received: f.missingRate, allowed: '0…1' });
    checkDistribution(issues, `${field}.distribution`, f.distribution);
  });
  if (b.prediction) checkDistribution(issues, 'prediction.distribution', b.prediction.distribution);
  if (b.labels) checkDistribution(issues, 'labels', b.labels);
  issues.throwIfAny('SS_ERR_BASELINE_INVALID', summary);
  return b;
}

/** Read and validate a baseline file. */
export function readBaseline(file: string): Baseline {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ServingStackError('SS_ERR_BASELINE_INVALID', `cannot read baseline ${file}`, [
      { field: 'file', message: (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : (e as Error).message, received: file, allowed: 'a baseline.json file' },
    ]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ServingStackError('SS_ERR_BASELINE_INVALID', `${file} is not valid JSON`, [{ field: '(baseline)', message: (e as Error).message, allowed: 'a JSON object' }]);
  }
  return validateBaseline(raw, file);
}

/** Baseline JSON text, as written to baseline.json (2-space indent, trailing newline). */
export function serializeBaseline(b: Baseline): string {
  return `${JSON.stringify(b, null, 2)}\n`;
}
