/** `lineage.optimization` in the manifest schema: accepted as `servingstack optimize` writes it, malformed records named field by field. */
import { validateManifest } from '../../lib/core/manifest';

const base = {
  schemaVersion: 1,
  name: 'm',
  version: '1.0.0-int8',
  format: 'onnx',
  signature: { inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 2] }], outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, 2] }] },
};
const optimization = {
  source: { name: 'm', version: '1.0.0', modelSha256: 'a'.repeat(64), modelBytes: 100 },
  steps: [
    { kind: 'graph-optimization', level: 'extended', modelBytes: 120, maxAbsDiff: 0, agreement: 1 },
    { kind: 'dynamic-quantization', weightType: 'INT8', granularity: 'per-channel', quantizedNodes: 2, level: 'extended', modelBytes: 40, maxAbsDiff: 0.01, accuracyDelta: -0.002 },
  ],
  samples: { source: 'data.csv', rows: 10, labelled: true },
  tolerance: { maxAbsDiff: 0.05, maxAccuracyDrop: 0.01 },
  tool: 'servingstack 0.1.0, onnxruntime-node 1.30.0',
};

test('a record as servingstack optimize writes it is valid', () => {
  expect(validateManifest({ ...base, lineage: { optimization } }).lineage?.optimization?.steps).toHaveLength(2);
});

test('malformed records are refused naming each field', () => {
  const bad = {
    ...optimization,
    source: { ...optimization.source, modelSha256: 'xyz' },
    steps: [{ kind: 'pruning', modelBytes: 1, maxAbsDiff: -1, granularity: 'per-row' }],
    extra: true,
  };
  expect(() => validateManifest({ ...base, lineage: { optimization: bad } })).toThrow(
    expect.objectContaining({
      code: 'SS_ERR_MANIFEST_INVALID',
      issues: expect.arrayContaining([
        expect.objectContaining({ field: 'lineage.optimization.extra' }),
        expect.objectContaining({ field: 'lineage.optimization.source.modelSha256' }),
        expect.objectContaining({ field: 'lineage.optimization.steps[0].kind' }),
        expect.objectContaining({ field: 'lineage.optimization.steps[0].granularity' }),
        expect.objectContaining({ field: 'lineage.optimization.steps[0].maxAbsDiff' }),
      ]),
    }),
  );
});
