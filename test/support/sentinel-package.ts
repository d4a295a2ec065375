/** A small valid model package (sentinel values) in a fresh temporary directory, for CLI tests. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildOnnxModel, ModelDecl } from '../../scripts/lib/onnx-builder';

export const model: ModelDecl = {
  inputs: [{ name: 'features', datatype: 'FP32', shape: ['N', 4] }],
  outputs: [{ name: 'scores', datatype: 'FP32', shape: ['N', 3] }],
  nodes: [{ opType: 'MatMul', inputs: ['features', 'W'], outputs: ['scores'] }],
  initializers: [{ name: 'W', datatype: 'FP32', dims: [4, 3], values: new Array(12).fill(0.125) }],
  opset: 15,
};

export const manifest = {
  schemaVersion: 1,
  name: 'sentinel-model',
  version: '4.5.6',
  format: 'onnx',
  task: 'classification',
  classLabels: ['a', 'b', 'c'],
  batching: { maxBatchSize: 16, maxQueueDelayMicroseconds: 2500 },
  signature: {
    inputs: [{ name: 'features', datatype: 'FP32', shape: [-1, 4] }],
    outputs: [{ name: 'scores', datatype: 'FP32', shape: [-1, 3] }],
  },
  lineage: { trainingData: { uri: 's3://sentinel-bucket/train.csv' }, codeCommit: 'deadbeef42', metrics: { accuracy: 0.913 } },
};

/** A fresh package for each test of the file (removed after it); read its paths inside tests. */
export function sentinelPackageEachTest(): SentinelPackage {
  let current: SentinelPackage | undefined;
  beforeEach(() => {
    current = makeSentinelPackage();
  });
  afterEach(() => current && removeSentinelPackage(current));
  return {
    get work() {
      return current!.work;
    },
    get pkgDir() {
      return current!.pkgDir;
    },
  };
}

export interface SentinelPackage {
  /** The temporary directory holding the package (and whatever a test writes). */
  readonly work: string;
  /** The package directory. */
  readonly pkgDir: string;
}

/** Write the package into a new temporary directory; remove it with `removeSentinelPackage`. */
export function makeSentinelPackage(): SentinelPackage {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-cli-test-'));
  const pkgDir = path.join(work, 'sentinel');
  fs.mkdirSync(pkgDir);
  fs.writeFileSync(path.join(pkgDir, 'servingstack.json'), JSON.stringify(manifest, null, 2));
  fs.writeFileSync(path.join(pkgDir, 'model.onnx'), buildOnnxModel(model));
  return { work, pkgDir };
}

export function removeSentinelPackage(p: SentinelPackage): void {
  fs.rmSync(p.work, { recursive: true, force: true });
}
