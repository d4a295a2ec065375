import { validateManifest, ServingStackError } from '../lib/core';

const valid = {
  schemaVersion: 1,
  name: 'iris',
  version: '1.0.0',
  format: 'onnx',
  signature: {
    inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 4] }],
    outputs: [{ name: 'probabilities', datatype: 'FP32', shape: [-1, 3] }],
  },
};

describe('validateManifest', () => {
  test('accepts a minimal manifest', () => {
    expect(validateManifest(valid).name).toBe('iris');
  });

  test('collects every problem, naming field, value and what is allowed', () => {
    let err: unknown;
    try {
      validateManifest({ ...valid, name: 'Bad_Name', format: 'pickle', extra: true });
    } catch (e) {
      err = e;
    }
    expect(ServingStackError.isServingStackError(err)).toBe(true);
    const e = err as ServingStackError;
    expect(e.code).toBe('SS_ERR_MANIFEST_INVALID');
    expect(e.issues.map((i) => i.field).sort()).toEqual(['extra', 'format', 'name']);
    expect(e.message).toContain('received "pickle"');
    expect(e.message).toContain('onnx | tensorflow-savedmodel | pytorch-torchscript | custom');
  });

  test('batching needs a dynamic first dimension', () => {
    const m = { ...valid, signature: { ...valid.signature, inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4] }] } };
    expect(() => validateManifest(m)).toThrow(/signature.inputs\[0\].shape: batching \(maxBatchSize 32\) needs a dynamic first dimension/);
    expect(validateManifest({ ...m, batching: { maxBatchSize: 1 } }).batching?.maxBatchSize).toBe(1);
  });

  test('rejects duplicate tensor names and a zero dimension', () => {
    const m = {
      ...valid,
      signature: {
        inputs: [
          { name: 'x', datatype: 'FP32', shape: [-1, 0] },
          { name: 'x', datatype: 'FP32', shape: [-1, 4] },
        ],
        outputs: valid.signature.outputs,
      },
    };
    expect(() => validateManifest(m)).toThrow(/signature.inputs\[0\].shape\[1\]: must not be 0/);
    expect(() => validateManifest({ ...m, signature: { ...m.signature, inputs: [m.signature.inputs[1], m.signature.inputs[1]] } })).toThrow(
      /signature.inputs\[1\].name: duplicates another input name/,
    );
  });
});
