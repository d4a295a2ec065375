/**
 * A corpus of ONNX model packages that exercise what real exporters write and what the ONNX
 * specification allows: any tensor name (PyTorch's `0`, `onnx::Gemm_0`, `input.1`,
 * `/layer1/Gemm_output_0`, names with spaces, quotes, newlines, `__proto__`), zero-size dimensions
 * (empty tensors in and out), a model with no inputs, string inputs and outputs (a string cast to
 * float, which zero-filled warm-up cannot run), every datatype, non-finite outputs, and a
 * PyTorch-exported-style MLP. Built with scripts/lib/onnx-builder.ts into a temporary directory by
 * the tests (the same declaration always gives the same bytes), plus the committed real PyTorch
 * export in test/fixtures/models/pytorch-wakeword.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DATATYPES, Datatype } from '../../lib/core/dtypes';
import type { ModelManifest, TensorSpec } from '../../lib/core/manifest';
import { mulberry32 } from '../../lib/core/random';
import { buildOnnxModel, ModelDecl } from '../../scripts/lib/onnx-builder';
import { ROOT } from './helpers';

/** One input of a test request: JSON values (flat, row-major); strings for BYTES. */
export interface CaseInput {
  readonly name: string;
  readonly datatype: Datatype;
  readonly shape: readonly number[];
  readonly data: readonly unknown[];
}

export interface CorpusModel {
  /** Directory name and manifest name. */
  readonly name: string;
  readonly what: string;
  readonly decl?: ModelDecl;
  readonly manifest: ModelManifest;
  /** Example request written beside the model (manifest `exampleRequest`). */
  readonly example?: { readonly inputs: readonly CaseInput[] };
  /** Requests to serve and compare with ONNX Runtime in process. */
  readonly cases: readonly (readonly CaseInput[])[];
  /** A committed package instead of a generated one. */
  readonly fixtureDir?: string;
}

function manifestOf(name: string, description: string, inputs: readonly TensorSpec[], outputs: readonly TensorSpec[], extra: Partial<ModelManifest> = {}): ModelManifest {
  return { schemaVersion: 1, name, version: '1.0.0', format: 'onnx', task: 'other', description, signature: { inputs, outputs }, ...extra };
}

const dyn = (n: number): number[] => new Array<number>(n).fill(-1);

// ---------------------------------------------------------------------------------------------
// Any tensor name

/** Input → output name pairs, out = Neg(in). Every one is a valid ONNX name. */
export const ODD_NAMES: readonly (readonly [string, string])[] = [
  ['0', '1'],
  ['input.1', 'onnx::Gemm_5'],
  ['onnx::Gemm_0', '/layer1/Gemm_output_0'],
  ['a b', 'c d '],
  ['9lives', ' leading space'],
  ['__proto__', 'hasOwnProperty'],
  ['constructor', 'toString'],
  ['valueOf', 'isPrototypeOf'],
  ['ünï 名前 ✓', 'émoji 🚀'],
  ['quote"back\\slash', "it's <b>&amp;</b>"],
  ['new\nline\ttab', 'x{y="z"}'],
  ['a,b;c', '=1+1'],
];

function oddNames(): CorpusModel {
  const decl: ModelDecl = {
    graphName: 'odd names',
    inputs: ODD_NAMES.map(([i]) => ({ name: i, datatype: 'FP32', shape: ['batch', 2] })),
    outputs: ODD_NAMES.map(([, o]) => ({ name: o, datatype: 'FP32', shape: ['batch', 2] })),
    nodes: ODD_NAMES.map(([i, o], k) => ({ opType: 'Neg', name: `/neg/${k}`, inputs: [i], outputs: [o] })),
  };
  const manifest = manifestOf(
    'odd-names',
    'Tensor names as exporters write them: digits first, dots, colons, slashes, spaces, quotes, newlines, prototype names.',
    ODD_NAMES.map(([i]) => ({ name: i, datatype: 'FP32', shape: [-1, 2] })),
    ODD_NAMES.map(([, o]) => ({ name: o, datatype: 'FP32', shape: [-1, 2] })),
    { batching: { maxBatchSize: 8 } },
  );
  const rows = (n: number, seed: number): CaseInput[] => ODD_NAMES.map(([i], k) => ({ name: i, datatype: 'FP32', shape: [n, 2], data: Array.from({ length: n * 2 }, (_, j) => (k + 1) * (j + seed) * 0.25) }));
  return { name: 'odd-names', what: 'any tensor name', decl, manifest, cases: [rows(1, 1), rows(3, 2), rows(0, 0)] };
}

/** An output named `__proto__` (ONNX Runtime's node binding stores it as the result's prototype). */
function protoOutput(): CorpusModel {
  const decl: ModelDecl = {
    inputs: [{ name: 'constructor', datatype: 'FP32', shape: ['N'] }],
    outputs: [
      { name: '__proto__', datatype: 'FP32', shape: ['N'] },
      { name: 'prototype', datatype: 'INT32', shape: ['N'] },
    ],
    nodes: [
      { opType: 'Neg', inputs: ['constructor'], outputs: ['__proto__'] },
      { opType: 'Cast', inputs: ['constructor'], outputs: ['prototype'], attributes: { to: 6 } },
    ],
  };
  const manifest = manifestOf(
    'proto-output',
    'Outputs named __proto__ and prototype.',
    [{ name: 'constructor', datatype: 'FP32', shape: [-1] }],
    [
      { name: '__proto__', datatype: 'FP32', shape: [-1] },
      { name: 'prototype', datatype: 'INT32', shape: [-1] },
    ],
    { batching: { maxBatchSize: 8 } },
  );
  return { name: 'proto-output', what: 'an output named __proto__', decl, manifest, cases: [[{ name: 'constructor', datatype: 'FP32', shape: [3], data: [1.5, -2, 7] }]] };
}

// ---------------------------------------------------------------------------------------------
// Empty tensors

function emptyTensors(): CorpusModel {
  const decl: ModelDecl = {
    inputs: [
      { name: 'x', datatype: 'FP32', shape: ['N', 0] },
      { name: 'ids', datatype: 'INT64', shape: ['N', 3] },
      { name: 'text', datatype: 'BYTES', shape: ['N'] },
    ],
    outputs: [
      { name: 'x_out', datatype: 'FP32', shape: ['N', 0] },
      { name: 'x_sum', datatype: 'FP32', shape: ['N'] },
      { name: 'ids_neg', datatype: 'INT64', shape: ['N', 3] },
      { name: 'text_out', datatype: 'BYTES', shape: ['N'] },
    ],
    nodes: [
      { opType: 'Identity', inputs: ['x'], outputs: ['x_out'] },
      { opType: 'ReduceSum', inputs: ['x', 'axes'], outputs: ['x_sum'], attributes: { keepdims: 0 } },
      { opType: 'Neg', inputs: ['ids'], outputs: ['ids_neg'] },
      { opType: 'Identity', inputs: ['text'], outputs: ['text_out'] },
    ],
    initializers: [{ name: 'axes', datatype: 'INT64', dims: [1], values: [1] }],
  };
  const manifest = manifestOf(
    'empty-tensors',
    'Zero-size dimensions: x is [N, 0]; x_sum reduces it to [N] zeros; any tensor may have N = 0.',
    [
      { name: 'x', datatype: 'FP32', shape: [-1, 0] },
      { name: 'ids', datatype: 'INT64', shape: [-1, 3] },
      { name: 'text', datatype: 'BYTES', shape: [-1] },
    ],
    [
      { name: 'x_out', datatype: 'FP32', shape: [-1, 0] },
      { name: 'x_sum', datatype: 'FP32', shape: [-1] },
      { name: 'ids_neg', datatype: 'INT64', shape: [-1, 3] },
      { name: 'text_out', datatype: 'BYTES', shape: [-1] },
    ],
    { batching: { maxBatchSize: 16 } },
  );
  const rows = (n: number): CaseInput[] => [
    { name: 'x', datatype: 'FP32', shape: [n, 0], data: [] },
    { name: 'ids', datatype: 'INT64', shape: [n, 3], data: Array.from({ length: n * 3 }, (_, j) => j - 4) },
    { name: 'text', datatype: 'BYTES', shape: [n], data: Array.from({ length: n }, (_, j) => `row ${j}`) },
  ];
  return { name: 'empty-tensors', what: 'zero-size dimensions in and out', decl, manifest, cases: [rows(0), rows(2)] };
}

function emptyFixed(): CorpusModel {
  const decl: ModelDecl = {
    inputs: [{ name: 'x', datatype: 'FP64', shape: [0, 4] }],
    outputs: [
      { name: 'y', datatype: 'FP64', shape: [0, 4] },
      { name: 'n', datatype: 'INT64', shape: [2] },
    ],
    nodes: [
      { opType: 'Abs', inputs: ['x'], outputs: ['y'] },
      { opType: 'Shape', inputs: ['x'], outputs: ['n'] },
    ],
  };
  const manifest = manifestOf(
    'empty-fixed',
    'A fixed zero-size dimension: x is always [0, 4]; n is its shape.',
    [{ name: 'x', datatype: 'FP64', shape: [0, 4] }],
    [
      { name: 'y', datatype: 'FP64', shape: [0, 4] },
      { name: 'n', datatype: 'INT64', shape: [2] },
    ],
    { batching: { maxBatchSize: 1 } },
  );
  return { name: 'empty-fixed', what: 'a fixed zero dimension', decl, manifest, cases: [[{ name: 'x', datatype: 'FP64', shape: [0, 4], data: [] }]] };
}

// ---------------------------------------------------------------------------------------------
// No inputs

function noInputs(): CorpusModel {
  const decl: ModelDecl = {
    inputs: [],
    outputs: [
      { name: 'constant', datatype: 'FP32', shape: [3] },
      { name: 'onnx::Shape_1', datatype: 'INT64', shape: [2] },
    ],
    nodes: [
      { opType: 'Constant', inputs: [], outputs: ['constant'], attributes: { value_floats: [1.5, -2.25, 0.125] } },
      { opType: 'Constant', inputs: [], outputs: ['onnx::Shape_1'], attributes: { value_ints: [7, -3] } },
    ],
  };
  const manifest = manifestOf(
    'no-inputs',
    'A model without inputs: it always answers the same constants.',
    [],
    [
      { name: 'constant', datatype: 'FP32', shape: [3] },
      { name: 'onnx::Shape_1', datatype: 'INT64', shape: [2] },
    ],
  );
  return { name: 'no-inputs', what: 'no inputs', decl, manifest, cases: [[]] };
}

// ---------------------------------------------------------------------------------------------
// Strings

function stringCast(withExample: boolean): CorpusModel {
  const name = withExample ? 'string-cast' : 'string-cast-no-example';
  const decl: ModelDecl = {
    inputs: [{ name: 'text', datatype: 'BYTES', shape: ['N'] }],
    outputs: [
      { name: 'value', datatype: 'FP32', shape: ['N'] },
      { name: 'echo', datatype: 'BYTES', shape: ['N'] },
    ],
    nodes: [
      { opType: 'Cast', inputs: ['text'], outputs: ['value'], attributes: { to: 1 } },
      { opType: 'Identity', inputs: ['text'], outputs: ['echo'] },
    ],
  };
  const manifest = manifestOf(
    name,
    'A string input the model casts to float: zero-filled (empty string) warm-up cannot run.',
    [{ name: 'text', datatype: 'BYTES', shape: [-1] }],
    [
      { name: 'value', datatype: 'FP32', shape: [-1] },
      { name: 'echo', datatype: 'BYTES', shape: [-1] },
    ],
    { batching: { maxBatchSize: 8 }, ...(withExample ? { exampleRequest: 'example-request.json' } : {}) },
  );
  const text = (xs: string[]): CaseInput[] => [{ name: 'text', datatype: 'BYTES', shape: [xs.length], data: xs }];
  return {
    name,
    what: withExample ? 'string cast to float, with an example request' : 'string cast to float, no example request',
    decl,
    manifest,
    ...(withExample ? { example: { inputs: text(['1.5']) } } : {}),
    cases: [text(['1.5', '-2', '1e3']), text(['nan', 'inf', '-inf', '0.1']), text([])],
  };
}

// ---------------------------------------------------------------------------------------------
// Every datatype

const SAMPLE: Record<Datatype, readonly unknown[]> = {
  BOOL: [true, false, true, true, false, false],
  UINT8: [0, 1, 2, 127, 128, 255],
  UINT16: [0, 1, 300, 32768, 40000, 65535],
  UINT32: [0, 1, 70000, 2 ** 31, 3e9, 4294967295],
  UINT64: [0, 1, 2 ** 33, 2 ** 52, 12345, Number.MAX_SAFE_INTEGER],
  INT8: [-128, -1, 0, 1, 100, 127],
  INT16: [-32768, -300, 0, 1, 300, 32767],
  INT32: [-2147483648, -70000, 0, 1, 70000, 2147483647],
  INT64: [Number.MIN_SAFE_INTEGER, -(2 ** 40), 0, 1, 2 ** 40, Number.MAX_SAFE_INTEGER],
  FP16: [0, -1.5, 0.25, 1024, 65504, -0.0009765625],
  FP32: [0, -1.5, 3.25, 1e-20, 3.4e38, -7.5],
  FP64: [0, -1.5, 0.1, 1e-300, 1.7e308, Math.PI],
  BYTES: ['', 'a', 'héllo wörld', 'tab\tnew\nline', '"quoted"', '名前'],
};

function everyDatatype(): CorpusModel {
  const inName = (dt: Datatype): string => `in:${dt}.0`;
  const outName = (dt: Datatype): string => `${dt}/out put`;
  const decl: ModelDecl = {
    inputs: DATATYPES.map((dt) => ({ name: inName(dt), datatype: dt, shape: [`N_${dt}`, `D_${dt}`] })),
    outputs: DATATYPES.map((dt) => ({ name: outName(dt), datatype: dt, shape: [`N_${dt}`, `D_${dt}`] })),
    nodes: DATATYPES.map((dt) => ({ opType: 'Identity', inputs: [inName(dt)], outputs: [outName(dt)] })),
  };
  const manifest = manifestOf(
    'every-datatype',
    'One Identity per datatype under names with colons, dots, slashes and spaces.',
    DATATYPES.map((dt) => ({ name: inName(dt), datatype: dt, shape: dyn(2) })),
    DATATYPES.map((dt) => ({ name: outName(dt), datatype: dt, shape: dyn(2) })),
    { batching: { maxBatchSize: 1 } },
  );
  const all = (shape: readonly number[]): CaseInput[] =>
    DATATYPES.map((dt) => {
      const n = shape[0]! * shape[1]!;
      return { name: inName(dt), datatype: dt, shape, data: SAMPLE[dt].slice(0, n) };
    });
  return { name: 'every-datatype', what: 'every datatype', decl, manifest, cases: [all([2, 3]), all([3, 2]), all([0, 5]), all([2, 0])] };
}

// ---------------------------------------------------------------------------------------------
// Non-finite outputs

function nonFinite(): CorpusModel {
  const decl: ModelDecl = {
    inputs: [{ name: 'x', datatype: 'FP32', shape: ['N'] }],
    outputs: [
      { name: 'log', datatype: 'FP32', shape: ['N'] },
      { name: 'recip', datatype: 'FP32', shape: ['N'] },
      { name: 'log64', datatype: 'FP64', shape: ['N'] },
      { name: 'log16', datatype: 'FP16', shape: ['N'] },
    ],
    nodes: [
      { opType: 'Log', inputs: ['x'], outputs: ['log'] },
      { opType: 'Reciprocal', inputs: ['x'], outputs: ['recip'] },
      { opType: 'Cast', inputs: ['log'], outputs: ['log64'], attributes: { to: 11 } },
      { opType: 'Cast', inputs: ['log'], outputs: ['log16'], attributes: { to: 10 } },
    ],
  };
  const manifest = manifestOf(
    'non-finite',
    'Log and reciprocal: NaN, -Infinity and Infinity outputs in FP32, FP64 and FP16.',
    [{ name: 'x', datatype: 'FP32', shape: [-1], allowNonFinite: true }],
    [
      { name: 'log', datatype: 'FP32', shape: [-1] },
      { name: 'recip', datatype: 'FP32', shape: [-1] },
      { name: 'log64', datatype: 'FP64', shape: [-1] },
      { name: 'log16', datatype: 'FP16', shape: [-1] },
    ],
    { batching: { maxBatchSize: 8 } },
  );
  return { name: 'non-finite', what: 'NaN and ±Infinity outputs', decl, manifest, cases: [[{ name: 'x', datatype: 'FP32', shape: [5], data: [-1, 0, 1, 'Infinity', 'NaN'] }]] };
}

// ---------------------------------------------------------------------------------------------
// PyTorch-exported-style MLP

export const PYTORCH_MLP_FEATURES = 6;

/**
 * What `torch.onnx.export(nn.Sequential(Linear(6, 16), ReLU(), Linear(16, 3)), x)` writes:
 * input `onnx::Gemm_0` with a symbolic batch, weights `0.weight`…, inner tensors
 * `/0/Gemm_output_0`, output `5`; with `keepInitializersAsInputs` the weights are also listed as
 * graph inputs, as older exporters did (they are not inputs to serve).
 */
function pytorchMlp(keepInitializersAsInputs: boolean): CorpusModel {
  const r = mulberry32(1234);
  const w = (n: number): number[] => Array.from({ length: n }, () => Math.fround((r() - 0.5) * 0.8));
  const F = PYTORCH_MLP_FEATURES;
  const initializers = [
    { name: '0.weight', datatype: 'FP32' as const, dims: [16, F], values: w(16 * F) },
    { name: '0.bias', datatype: 'FP32' as const, dims: [16], values: w(16) },
    { name: '2.weight', datatype: 'FP32' as const, dims: [3, 16], values: w(48) },
    { name: '2.bias', datatype: 'FP32' as const, dims: [3], values: w(3) },
  ];
  const decl: ModelDecl = {
    graphName: 'main_graph',
    producer: 'pytorch',
    producerVersion: '2.1.0',
    inputs: [
      { name: 'onnx::Gemm_0', datatype: 'FP32', shape: ['batch_size', F] },
      ...(keepInitializersAsInputs ? initializers.map((i) => ({ name: i.name, datatype: 'FP32' as const, shape: i.dims })) : []),
    ],
    outputs: [{ name: '5', datatype: 'FP32', shape: ['batch_size', 3] }],
    nodes: [
      { opType: 'Gemm', name: '/0/Gemm', inputs: ['onnx::Gemm_0', '0.weight', '0.bias'], outputs: ['/0/Gemm_output_0'], attributes: { transB: 1 } },
      { opType: 'Relu', name: '/1/Relu', inputs: ['/0/Gemm_output_0'], outputs: ['/1/Relu_output_0'] },
      { opType: 'Gemm', name: '/2/Gemm', inputs: ['/1/Relu_output_0', '2.weight', '2.bias'], outputs: ['5'], attributes: { transB: 1 } },
    ],
    initializers,
  };
  const name = keepInitializersAsInputs ? 'pytorch-mlp-legacy' : 'pytorch-mlp';
  const manifest = manifestOf(
    name,
    'An MLP as PyTorch exports it: input onnx::Gemm_0, output 5.',
    [{ name: 'onnx::Gemm_0', datatype: 'FP32', shape: [-1, F] }],
    [{ name: '5', datatype: 'FP32', shape: [-1, 3] }],
    { batching: { maxBatchSize: 32 } },
  );
  const rows = (n: number, seed: number): CaseInput[] => {
    const rr = mulberry32(seed);
    return [{ name: 'onnx::Gemm_0', datatype: 'FP32', shape: [n, F], data: Array.from({ length: n * F }, () => Math.fround((rr() - 0.5) * 4)) }];
  };
  return { name, what: keepInitializersAsInputs ? 'PyTorch-style MLP, initializers listed as inputs' : 'PyTorch-style MLP', decl, manifest, cases: [rows(1, 1), rows(5, 2), rows(0, 3)] };
}

// ---------------------------------------------------------------------------------------------
// A real PyTorch export (committed)

function pytorchWakeword(): CorpusModel {
  const dir = path.join(ROOT, 'test/fixtures/models/pytorch-wakeword');
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'servingstack.json'), 'utf8')) as ModelManifest;
  const frames = (seed: number): CaseInput[] => {
    const r = mulberry32(seed);
    return [{ name: 'onnx::Flatten_0', datatype: 'FP32', shape: [1, 25, 96], data: Array.from({ length: 25 * 96 }, () => Math.fround((r() - 0.5) * 2)) }];
  };
  return { name: 'pytorch-wakeword', what: 'a real PyTorch 2.8 export (openwakeword-js)', manifest, fixtureDir: dir, cases: [frames(7), frames(8)] };
}

/** Every model of the corpus. */
export function corpusModels(): CorpusModel[] {
  return [oddNames(), protoOutput(), emptyTensors(), emptyFixed(), noInputs(), stringCast(true), stringCast(false), everyDatatype(), nonFinite(), pytorchMlp(false), pytorchMlp(true), pytorchWakeword()];
}

/** OIP JSON request body for case inputs. */
export function oipJson(inputs: readonly CaseInput[]): { inputs: { name: string; datatype: string; shape: number[]; data: unknown[] }[] } {
  return { inputs: inputs.map((t) => ({ name: t.name, datatype: t.datatype, shape: [...t.shape], data: [...t.data] })) };
}

/** Write a generated model's package (model.onnx, servingstack.json, example request) under `root`; return its directory. */
export function writeCorpusModel(root: string, m: CorpusModel): string {
  if (m.fixtureDir) return m.fixtureDir;
  const dir = path.join(root, m.name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'model.onnx'), buildOnnxModel(m.decl!));
  fs.writeFileSync(path.join(dir, 'servingstack.json'), `${JSON.stringify(m.manifest, null, 2)}\n`);
  if (m.example) fs.writeFileSync(path.join(dir, 'example-request.json'), `${JSON.stringify(oipJson(m.example.inputs), null, 2)}\n`);
  return dir;
}
