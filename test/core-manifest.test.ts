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

  test('rejects duplicate tensor names and dimensions below -1', () => {
    const m = {
      ...valid,
      signature: {
        inputs: [
          { name: 'x', datatype: 'FP32', shape: [-1, -2] },
          { name: 'x', datatype: 'FP32', shape: [-1, 4] },
        ],
        outputs: valid.signature.outputs,
      },
    };
    expect(() => validateManifest(m)).toThrow(/signature.inputs\[0\].shape\[1\]: is out of range; received -2; allowed: ≥ -1/);
    expect(() => validateManifest({ ...m, signature: { ...m.signature, inputs: [m.signature.inputs[1], m.signature.inputs[1]] } })).toThrow(
      /signature.inputs\[1\].name: duplicates another input name/,
    );
  });

  test('accepts any non-empty tensor name, zero-size dimensions and no inputs', () => {
    const names = ['0', '1', 'input.1', 'onnx::Gemm_0', '/layer1/Gemm_output_0', 'a b', '9lives', '__proto__', 'new\nline', 'ü名 ✓', 'x'.repeat(1024)];
    const m = validateManifest({
      ...valid,
      signature: { inputs: names.map((name) => ({ name, datatype: 'FP32', shape: [-1, 0] })), outputs: [{ name: 'onnx::Gemm_5', datatype: 'FP32', shape: [-1, 0, 3] }] },
    });
    expect(m.signature.inputs.map((t) => t.name)).toEqual(names);
    expect(validateManifest({ ...valid, signature: { inputs: [], outputs: valid.signature.outputs } }).signature.inputs).toEqual([]);
    expect(validateManifest({ ...valid, exampleRequest: 'examples/request.json' }).exampleRequest).toBe('examples/request.json');
  });

  test('refuses an empty or over-long tensor name, no outputs and an exampleRequest outside the package', () => {
    const bad = (patch: object): string => {
      try {
        validateManifest({ ...valid, ...patch });
      } catch (e) {
        return (e as Error).message;
      }
      return 'accepted';
    };
    expect(bad({ signature: { inputs: [{ name: '', datatype: 'FP32', shape: [1] }], outputs: valid.signature.outputs } })).toMatch(/signature.inputs\[0\].name: must have at least 1 characters; received ""; allowed: ≥ 1 characters/);
    expect(bad({ signature: { inputs: [{ name: 'y'.repeat(1025), datatype: 'FP32', shape: [1] }], outputs: valid.signature.outputs } })).toMatch(/signature.inputs\[0\].name: must have at most 1024 characters; received "1025 characters"/);
    expect(bad({ signature: { inputs: [], outputs: [] } })).toMatch(/signature.outputs: must have at least 1 items/);
    expect(bad({ exampleRequest: '../request.json' })).toMatch(/exampleRequest: has the wrong form/);
  });
});
