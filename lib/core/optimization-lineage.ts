/**
 * The manifest's record of how a package was derived from another by `servingstack optimize`
 * (`lineage.optimization`): the source model, each step with what it changed and how far its
 * outputs moved from the original's on the sample set. Kept in its own module so the manifest
 * schema gains one property; documented in docs/model-package.md.
 */

export const OPTIMIZATION_STEP_KINDS = ['graph-optimization', 'dynamic-quantization'] as const;
export type OptimizationStepKind = (typeof OPTIMIZATION_STEP_KINDS)[number];

/** One step of `servingstack optimize`, measured against the original model. */
export interface OptimizationStep {
  readonly kind: OptimizationStepKind;
  /** ONNX Runtime graph optimization level (`graph-optimization`). */
  readonly level?: string;
  /** Weight type (`dynamic-quantization`): `INT8`. */
  readonly weightType?: string;
  /** `per-tensor` or `per-channel` weight scales (`dynamic-quantization`). */
  readonly granularity?: string;
  /** MatMul/Gemm nodes whose weights were quantized (`dynamic-quantization`). */
  readonly quantizedNodes?: number;
  /** Model file size after this step. */
  readonly modelBytes: number;
  /** Largest absolute difference of any floating point output from the original's, over the sample set. */
  readonly maxAbsDiff: number;
  /** Share of rows whose predicted class equals the original's (classifiers). */
  readonly agreement?: number;
  /** Accuracy on the labelled sample rows minus the original's (negative = worse). */
  readonly accuracyDelta?: number;
}

export interface OptimizationLineage {
  /** The package the model was derived from. */
  readonly source: { readonly name: string; readonly version: string; readonly modelSha256: string; readonly modelBytes: number };
  readonly steps: readonly OptimizationStep[];
  /** The rows the steps were checked on. */
  readonly samples: { readonly source: string; readonly rows: number; readonly labelled: boolean };
  /** Tolerances the result was accepted under. */
  readonly tolerance: { readonly maxAbsDiff?: number; readonly maxAccuracyDrop?: number };
  /** `servingstack <version>, onnxruntime-node <version>`. */
  readonly tool: string;
}

const nonNegative = { type: 'number', minimum: 0 } as const;

/** JSON Schema of `lineage.optimization` (part of the manifest schema). */
export const optimizationLineageSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['source', 'steps', 'samples', 'tolerance', 'tool'],
  properties: {
    source: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'version', 'modelSha256', 'modelBytes'],
      properties: {
        name: { type: 'string', maxLength: 63 },
        version: { type: 'string', maxLength: 64 },
        modelSha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
        modelBytes: { type: 'integer', minimum: 0 },
      },
    },
    steps: {
      type: 'array',
      minItems: 1,
      maxItems: 16,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['kind', 'modelBytes', 'maxAbsDiff'],
        properties: {
          kind: { enum: [...OPTIMIZATION_STEP_KINDS] },
          level: { type: 'string', maxLength: 32 },
          weightType: { type: 'string', maxLength: 16 },
          granularity: { enum: ['per-tensor', 'per-channel'] },
          quantizedNodes: { type: 'integer', minimum: 0 },
          modelBytes: { type: 'integer', minimum: 0 },
          maxAbsDiff: nonNegative,
          agreement: { type: 'number', minimum: 0, maximum: 1 },
          accuracyDelta: { type: 'number', minimum: -1, maximum: 1 },
        },
      },
    },
    samples: {
      type: 'object',
      additionalProperties: false,
      required: ['source', 'rows', 'labelled'],
      properties: { source: { type: 'string', maxLength: 2048 }, rows: { type: 'integer', minimum: 1 }, labelled: { type: 'boolean' } },
    },
    tolerance: {
      type: 'object',
      additionalProperties: false,
      properties: { maxAbsDiff: nonNegative, maxAccuracyDrop: { type: 'number', minimum: 0, maximum: 1 } },
    },
    tool: { type: 'string', maxLength: 256 },
  },
} as const;
