/**
 * The generated example and fixture models (scripts/make-example-models.ts) are real, load in
 * onnxruntime-node, match their manifests, and are reproducible byte for byte.
 *
 * Sessions for metadata are created in the test itself; inference runs in a worker thread.
 * Jest's sandbox has its own typed-array constructors, and onnxruntime-common rejects the
 * output arrays the native binding creates in the main realm ("A float32 tensor's data must be
 * type of function Float32Array()"). A worker thread has a normal realm, as in the runtime.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { onnx } from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { datatypeInfo } from '../../lib/core/dtypes';
import type { Datatype } from '../../lib/core/dtypes';
import { validateManifest } from '../../lib/core/manifest';
import type { ModelManifest, TensorSpec } from '../../lib/core/manifest';
import { parseDatasetCsv, splitDataset } from '../../scripts/lib/dataset';
import { buildOnnxModel } from '../../scripts/lib/onnx-builder';
import type { ModelDecl } from '../../scripts/lib/onnx-builder';
import {
  BREAST_CANCER_CSV,
  BREAST_CANCER_SPLIT,
  IDENTITY_ALL_DATATYPES,
  MODEL_DIRS,
  buildAll,
  dataVersion,
  sha256Hex,
  writeArtifacts,
} from '../../scripts/make-example-models';

const ROOT = join(__dirname, '..', '..');
const ALL_DIRS = Object.values(MODEL_DIRS);

const sessions = new Map<string, ort.InferenceSession>();

async function session(dir: string): Promise<ort.InferenceSession> {
  let s = sessions.get(dir);
  if (!s) {
    s = await ort.InferenceSession.create(join(ROOT, dir, 'model.onnx'), { intraOpNumThreads: 1 });
    sessions.set(dir, s);
  }
  return s;
}

function manifest(dir: string): ModelManifest {
  return validateManifest(JSON.parse(readFileSync(join(ROOT, dir, 'servingstack.json'), 'utf8')), `${dir}/servingstack.json`);
}

/** ORT metadata in the manifest's terms: name, datatype's ORT type, symbolic dims as -1. */
function ortSignature(meta: readonly ort.InferenceSession.ValueMetadata[]): { name: string; type: string; shape: number[] }[] {
  return meta.map((m) => {
    if (!m.isTensor) throw new Error(`${m.name} is not a tensor`);
    return { name: m.name, type: m.type, shape: m.shape.map((d) => (typeof d === 'string' ? -1 : d)) };
  });
}

function manifestSignature(specs: readonly TensorSpec[]): { name: string; type: string; shape: number[] }[] {
  return specs.map((t) => ({ name: t.name, type: datatypeInfo(t.datatype).ort, shape: [...t.shape] }));
}

/** A tensor as sent to and received from the inference worker. */
interface WireTensor {
  readonly type: ort.Tensor.Type;
  readonly dims: readonly number[];
  readonly data: ort.Tensor.DataType;
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const ort = require(workerData.ortPath);
const sessions = new Map();
parentPort.on('message', async ({ id, model, feeds }) => {
  try {
    if (!sessions.has(model)) sessions.set(model, await ort.InferenceSession.create(model, { intraOpNumThreads: 1 }));
    const input = {};
    for (const [k, t] of Object.entries(feeds)) input[k] = new ort.Tensor(t.type, t.data, t.dims);
    const out = await sessions.get(model).run(input);
    const result = {};
    for (const [k, t] of Object.entries(out)) result[k] = { type: t.type, dims: [...t.dims], data: t.data };
    parentPort.postMessage({ id, result });
  } catch (e) {
    parentPort.postMessage({ id, error: String((e && e.stack) || e) });
  }
});
`;

let worker: Worker | undefined;
let nextId = 0;

/** Run `dir`/model.onnx in the inference worker (session created once per model). */
function runModel(dir: string, feeds: Record<string, WireTensor>): Promise<Record<string, WireTensor>> {
  worker ??= new Worker(WORKER_SOURCE, { eval: true, workerData: { ortPath: require.resolve('onnxruntime-node') } });
  const w = worker;
  const id = nextId++;
  return new Promise((resolveRun, rejectRun) => {
    const onMessage = (msg: { id: number; result?: Record<string, WireTensor>; error?: string }): void => {
      if (msg.id !== id) return;
      w.off('message', onMessage);
      if (msg.error !== undefined) rejectRun(new Error(msg.error));
      else resolveRun(msg.result!);
    };
    w.on('message', onMessage);
    w.postMessage({ id, model: join(ROOT, dir, 'model.onnx'), feeds });
  });
}

/** The elements of a (possibly other-realm) typed array or string array as a plain array. */
function values(t: WireTensor): unknown[] {
  return Array.from(t.data as ArrayLike<unknown>);
}

afterAll(async () => {
  for (const s of sessions.values()) await s.release();
  await worker?.terminate();
});

describe('example and fixture model manifests', () => {
  it.each(ALL_DIRS)('%s: servingstack.json passes validateManifest and names the folder', (dir) => {
    const m = manifest(dir);
    expect(m.name).toBe(dir.split('/').pop());
    expect(m.format).toBe('onnx');
    expect(m.lineage?.createdAt).toBeUndefined();
  });

  it.each(ALL_DIRS)('%s: ONNX input/output metadata match the manifest signature', async (dir) => {
    const m = manifest(dir);
    const s = await session(dir);
    expect(ortSignature(s.inputMetadata)).toEqual(manifestSignature(m.signature.inputs));
    expect(ortSignature(s.outputMetadata)).toEqual(manifestSignature(m.signature.outputs));
  });
});

describe('breast-cancer', () => {
  const dir = MODEL_DIRS.breastCancer;
  const csv = readFileSync(join(ROOT, BREAST_CANCER_CSV));

  it('classifies the held-out split with accuracy >= 0.95, as recorded in the manifest', async () => {
    // GIVEN the same stratified split the generator trained on
    const { test } = splitDataset(parseDatasetCsv(csv.toString('utf8')), BREAST_CANCER_SPLIT);
    const n = test.labels.length;
    const input = new Float32Array(n * 30);
    test.features.forEach((row, i) => input.set(row, i * 30));
    // WHEN onnxruntime runs the exported model on raw features
    const out = await runModel(dir, { input: { type: 'float32', data: input, dims: [n, 30] } });
    // THEN the labels are right often enough and agree with the probabilities
    const labels = values(out.label!) as bigint[];
    const probs = values(out.probabilities!) as number[];
    expect(out.label!.type).toBe('int64');
    expect(out.label!.dims).toEqual([n]);
    expect(out.probabilities!.dims).toEqual([n, 2]);
    let correct = 0;
    for (let i = 0; i < n; i++) {
      expect(probs[i * 2]! + probs[i * 2 + 1]!).toBeCloseTo(1, 5);
      expect(Number(labels[i])).toBe(probs[i * 2 + 1]! > probs[i * 2]! ? 1 : 0);
      if (Number(labels[i]) === test.labels[i]) correct++;
    }
    const accuracy = correct / n;
    expect(accuracy).toBeGreaterThanOrEqual(0.95);
    expect(manifest(dir).lineage?.metrics?.accuracy).toBeCloseTo(accuracy, 4);
  });

  it('records the class labels and the training data version', () => {
    const m = manifest(dir);
    expect(m.task).toBe('classification');
    expect(m.classLabels).toEqual(['malignant', 'benign']);
    expect(m.batching).toEqual({ maxBatchSize: 64, maxQueueDelayMicroseconds: 0 });
    expect(m.lineage?.trainingData).toEqual({ uri: BREAST_CANCER_CSV, version: dataVersion(csv) });
  });
});

describe('mlp-bench', () => {
  const dir = MODEL_DIRS.mlpBench;

  it('has between 1M and 2M parameters', () => {
    const decoded = onnx.ModelProto.decode(readFileSync(join(ROOT, dir, 'model.onnx')));
    const model = onnx.ModelProto.toObject(decoded, { longs: Number }) as { graph: { initializer: { dims: number[] }[] } };
    const params = model.graph.initializer.reduce((sum, t) => sum + t.dims.reduce((a, b) => a * b, 1), 0);
    expect(params).toBe(256 * 1024 + 1024 + 1024 * 1024 + 1024 + 1024 * 256 + 256);
    expect(params).toBeGreaterThan(1_000_000);
    expect(params).toBeLessThan(2_000_000);
  });

  it('runs a batch of 3 to finite [3, 256] outputs', async () => {
    const input = Float32Array.from({ length: 3 * 256 }, (_, i) => Math.sin(i));
    const out = await runModel(dir, { input: { type: 'float32', data: input, dims: [3, 256] } });
    expect(out.output!.dims).toEqual([3, 256]);
    const y = values(out.output!) as number[];
    expect(y.every((v) => Number.isFinite(v))).toBe(true);
    expect(new Set(y).size).toBeGreaterThan(700);
    expect(manifest(dir).batching?.maxBatchSize).toBe(64);
  });
});

describe('tiny and static-shape', () => {
  it('tiny computes x * 2 + 1', async () => {
    const out = await runModel(MODEL_DIRS.tiny, {
      input: { type: 'float32', data: Float32Array.from([1, 2, 3, 4, -1, 0, 0.5, 10]), dims: [2, 4] },
    });
    expect(out.output!.dims).toEqual([2, 4]);
    expect(values(out.output!)).toEqual([3, 5, 7, 9, -1, 1, 2, 21]);
  });

  it('static-shape computes x + 1 on [1, 3] and disables batching', async () => {
    const out = await runModel(MODEL_DIRS.staticShape, { x: { type: 'float32', data: Float32Array.from([1, 2, 3]), dims: [1, 3] } });
    expect(out.y!.dims).toEqual([1, 3]);
    expect(values(out.y!)).toEqual([2, 3, 4]);
    expect(manifest(MODEL_DIRS.staticShape).batching).toEqual({ maxBatchSize: 1 });
  });
});

describe('identity-all', () => {
  const dir = MODEL_DIRS.identityAll;
  const one = (type: ort.Tensor.Type, data: ort.Tensor.DataType): WireTensor => ({ type, data, dims: [1, 1] });
  const samples: Record<Datatype, WireTensor> = {
    BOOL: one('bool', Uint8Array.from([1])),
    UINT8: one('uint8', Uint8Array.from([255])),
    UINT16: one('uint16', Uint16Array.from([65535])),
    UINT32: one('uint32', Uint32Array.from([4294967295])),
    UINT64: one('uint64', BigUint64Array.from([2n ** 64n - 1n])),
    INT8: one('int8', Int8Array.from([-128])),
    INT16: one('int16', Int16Array.from([-32768])),
    INT32: one('int32', Int32Array.from([-2147483648])),
    INT64: one('int64', BigInt64Array.from([-(2n ** 53n) - 1n])), // not representable as a JS number
    FP16: one('float16', Uint16Array.from([0x3e00])), // raw bits of 1.5
    FP32: one('float32', Float32Array.from([Number.NaN])), // in_FP32 allows non-finite values
    FP64: one('float64', Float64Array.from([Math.PI])),
    BYTES: one('string', ['héllo, wörld']),
  };

  it('covers every datatype, with allowNonFinite on in_FP32 only', () => {
    const m = manifest(dir);
    expect(IDENTITY_ALL_DATATYPES).toHaveLength(13);
    expect(m.signature.inputs.map((t) => t.name)).toEqual(IDENTITY_ALL_DATATYPES.map((dt) => `in_${dt}`));
    expect(m.signature.outputs.map((t) => t.name)).toEqual(IDENTITY_ALL_DATATYPES.map((dt) => `out_${dt}`));
    expect(m.signature.inputs.filter((t) => t.allowNonFinite).map((t) => t.name)).toEqual(['in_FP32']);
    expect(m.batching?.maxBatchSize).toBe(8);
  });

  it('round-trips one value of each datatype', async () => {
    const feeds: Record<string, WireTensor> = {};
    for (const dt of IDENTITY_ALL_DATATYPES) feeds[`in_${dt}`] = samples[dt];
    const out = await runModel(dir, feeds);
    expect(Object.keys(out).sort()).toEqual(IDENTITY_ALL_DATATYPES.map((dt) => `out_${dt}`).sort());
    for (const dt of IDENTITY_ALL_DATATYPES) {
      const got = out[`out_${dt}`]!;
      expect({ dt, type: got.type, dims: got.dims, data: values(got) }).toEqual({
        dt,
        type: datatypeInfo(dt).ort,
        dims: [1, 1],
        data: values(samples[dt]),
      });
    }
    expect(Number.isNaN(values(out.out_FP32!)[0])).toBe(true);
  });
});

// `npm run make:models` then runs `servingstack baseline` on the breast-cancer package, which adds
// baseline.json and the manifest's "baseline" key (its own tests are in test/bin/monitoring-cli).
const BASELINE_MANIFEST = 'examples/models/breast-cancer/servingstack.json';

function withoutBaselineKey(json: string): string {
  return json.replace(/\n {2}"baseline": "baseline\.json",/, '');
}

describe('make-example-models', () => {
  it('regenerates byte-identical files and nothing else in the model folders', () => {
    // GIVEN the committed data file
    const csv = new Uint8Array(readFileSync(join(ROOT, BREAST_CANCER_CSV)));
    const tmp = mkdtempSync(join(tmpdir(), 'servingstack-models-'));
    try {
      // WHEN the build functions run again into a temporary directory
      const artifacts = buildAll(csv);
      writeArtifacts(tmp, artifacts);
      // THEN every file matches the committed one byte for byte
      for (const a of artifacts) {
        const fresh = readFileSync(join(tmp, a.path));
        let committed = readFileSync(join(ROOT, a.path));
        if (a.path === BASELINE_MANIFEST) committed = Buffer.from(withoutBaselineKey(committed.toString('utf8')));
        expect({ path: a.path, sha256: sha256Hex(fresh) }).toEqual({ path: a.path, sha256: sha256Hex(committed) });
      }
      // AND the committed model folders hold exactly the generated files
      for (const dir of ALL_DIRS) {
        const expected = artifacts.filter((a) => a.path.startsWith(`${dir}/`)).map((a) => a.path.slice(dir.length + 1));
        if (`${dir}/servingstack.json` === BASELINE_MANIFEST) expected.push('baseline.json');
        expect(readdirSync(join(ROOT, dir)).sort()).toEqual(expected.sort());
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('buildOnnxModel', () => {
  const decl: ModelDecl = {
    inputs: [{ name: 'x', datatype: 'FP32', shape: ['N', 3] }],
    outputs: [{ name: 'y', datatype: 'INT64', shape: ['N'] }],
    initializers: [{ name: 'k', datatype: 'INT64', dims: [2], values: [-1, 3] }],
    nodes: [
      { opType: 'LeakyRelu', inputs: ['x'], outputs: ['r'], attributes: { alpha: 0.25 } },
      { opType: 'Reshape', inputs: ['r', 'k'], outputs: ['r2'] },
      { opType: 'ArgMax', inputs: ['r2'], outputs: ['y'], attributes: { keepdims: 0, axis: -1 } },
    ],
  };

  it('writes IR 8, opset 17, typed attributes and raw little-endian initializers, deterministically', () => {
    const bytes = buildOnnxModel(decl);
    expect(sha256Hex(buildOnnxModel(decl))).toBe(sha256Hex(bytes));
    const m = onnx.ModelProto.toObject(onnx.ModelProto.decode(bytes), { longs: Number, bytes: Array }) as {
      irVersion: number;
      opsetImport: { domain?: string; version: number }[];
      graph: { node: { attribute?: { name: string; type: number; i?: number; f?: number }[] }[]; initializer: { rawData: number[] }[] };
    };
    expect(m.irVersion).toBe(8);
    expect(m.opsetImport).toEqual([{ domain: '', version: 17 }]);
    const T = onnx.AttributeProto.AttributeType;
    expect(m.graph.node[0]!.attribute).toEqual([{ name: 'alpha', type: T.FLOAT, f: 0.25 }]);
    // attributes are written in name order, whatever the declaration order
    expect(m.graph.node[2]!.attribute).toEqual([
      { name: 'axis', type: T.INT, i: -1 },
      { name: 'keepdims', type: T.INT, i: 0 },
    ]);
    expect(m.graph.initializer[0]!.rawData).toEqual([255, 255, 255, 255, 255, 255, 255, 255, 3, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('rejects an initializer whose value count does not match its dims', () => {
    expect(() =>
      buildOnnxModel({ ...decl, initializers: [{ name: 'k', datatype: 'FP32', dims: [2, 2], values: Float32Array.from([1, 2, 3]) }] }),
    ).toThrow(/3 values for dims \[2, 2\]/);
  });
});
