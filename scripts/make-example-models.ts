/**
 * Generates the example models (examples/models/*), the test fixture models
 * (test/fixtures/models/*) and the example data copy (examples/data/*).
 *
 *   npm run make:models            # writes into the repository
 *   npm run make:models -- --out /tmp/x --data path/to/breast_cancer.csv
 *
 * Everything is deterministic: seeded PRNGs, full-batch gradient descent, no timestamps, so a
 * re-run produces byte-identical files (test/examples/models.test.ts checks this). The build
 * functions are exported; `main` runs only when the file is executed directly.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DATATYPES } from '../lib/core/dtypes';
import type { Datatype } from '../lib/core/dtypes';
import { validateManifest } from '../lib/core/manifest';
import type { ModelManifest } from '../lib/core/manifest';
import { buildOnnxModel } from './lib/onnx-builder';
import type { InitializerDecl, ModelDecl, NodeDecl } from './lib/onnx-builder';
import { mulberry32, parseDatasetCsv, splitDataset } from './lib/dataset';
import type { Dataset } from './lib/dataset';

export const REPO_ROOT = resolve(__dirname, '..');
/** Where the data set was first copied from (the team's shared data folder). */
export const SHARED_BREAST_CANCER_CSV = resolve(REPO_ROOT, '..', 'shared', 'data', 'breast_cancer.csv');
export const BREAST_CANCER_CSV = 'examples/data/breast_cancer.csv';

/** The held-out split used for training and for the accuracy check in the tests. */
export const BREAST_CANCER_SPLIT = { testFraction: 0.2, seed: 42 } as const;
export const BREAST_CANCER_CLASSES = ['malignant', 'benign'] as const;
/** Extra split seeds: the same recipe is retrained on each to show how much the held-out figure varies. */
export const BREAST_CANCER_RESAMPLE_SEEDS = [1, 2, 3, 4, 5] as const;

export const MODEL_DIRS = {
  breastCancer: 'examples/models/breast-cancer',
  mlpBench: 'examples/models/mlp-bench',
  tiny: 'examples/models/tiny',
  identityAll: 'test/fixtures/models/identity-all',
  staticShape: 'test/fixtures/models/static-shape',
} as const;

const GENERATOR = 'scripts/make-example-models.ts';
const REGENERATE = `Regenerate with \`npm run make:models\` (${GENERATOR}); the output is byte-for-byte reproducible.`;

/** One generated file, path relative to the repository root. */
export interface Artifact {
  readonly path: string;
  readonly content: Uint8Array | string;
}

function manifestJson(m: ModelManifest, dir: string): string {
  validateManifest(m, `${dir}/servingstack.json`);
  return `${JSON.stringify(m, null, 2)}\n`;
}

function round(x: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

// ---------------------------------------------------------------------------------------------
// Breast cancer: standardized logistic regression, exported as a 2-class softmax classifier.
// ---------------------------------------------------------------------------------------------

export interface LogisticRegressionOptions {
  /** @default 0.1 */
  readonly learningRate?: number;
  /** @default 3000 */
  readonly iterations?: number;
  /** L2 penalty on the weights (not the bias). @default 0.001 */
  readonly l2?: number;
}

export interface LogisticRegressionModel {
  /** Per-feature training mean and standard deviation (standardization). */
  readonly mean: readonly number[];
  readonly scale: readonly number[];
  /** Weights on standardized features; logit of class 1 = w·z + bias. */
  readonly weights: readonly number[];
  readonly bias: number;
}

function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/** Binary logistic regression (label 1 = positive) by full-batch gradient descent. */
export function trainLogisticRegression(train: Dataset, options: LogisticRegressionOptions = {}): LogisticRegressionModel {
  const lr = options.learningRate ?? 0.1;
  const iterations = options.iterations ?? 3000;
  const l2 = options.l2 ?? 0.001;
  const n = train.features.length;
  const d = train.nFeatures;
  const mean = new Array<number>(d).fill(0);
  const scale = new Array<number>(d).fill(0);
  for (const row of train.features) for (let j = 0; j < d; j++) mean[j] += row[j]! / n;
  for (const row of train.features) for (let j = 0; j < d; j++) scale[j] += (row[j]! - mean[j]!) ** 2 / n;
  for (let j = 0; j < d; j++) scale[j] = Math.sqrt(scale[j]!) || 1;
  const z = new Float64Array(n * d); // standardized features, row-major
  train.features.forEach((row, i) => row.forEach((v, j) => (z[i * d + j] = (v - mean[j]!) / scale[j]!)));
  const w = new Float64Array(d);
  let b = 0;
  const grad = new Float64Array(d);
  for (let it = 0; it < iterations; it++) {
    grad.fill(0);
    let gb = 0;
    for (let i = 0; i < n; i++) {
      const o = i * d;
      let logit = b;
      for (let j = 0; j < d; j++) logit += w[j]! * z[o + j]!;
      const err = sigmoid(logit) - train.labels[i]!;
      for (let j = 0; j < d; j++) grad[j] += err * z[o + j]!;
      gb += err;
    }
    for (let j = 0; j < d; j++) w[j] = w[j]! - lr * (grad[j]! / n + l2 * w[j]!);
    b -= lr * (gb / n);
  }
  return { mean, scale, weights: Array.from(w), bias: b };
}

/** Logit of class 1 for one raw feature row. */
export function logisticLogit(m: LogisticRegressionModel, row: readonly number[]): number {
  let logit = m.bias;
  for (let j = 0; j < row.length; j++) logit += (m.weights[j]! * (row[j]! - m.mean[j]!)) / m.scale[j]!;
  return logit;
}

export interface BinaryMetrics {
  readonly accuracy: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly logLoss: number;
}

/**
 * Metrics on a data set; `positive` is the class whose precision/recall are reported.
 * The predicted class is 1 only when the logit is > 0, as ONNX ArgMax picks the first index on ties.
 */
export function evaluateLogistic(m: LogisticRegressionModel, ds: Dataset, positive = 0): BinaryMetrics {
  let correct = 0;
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let loss = 0;
  ds.features.forEach((row, i) => {
    const logit = logisticLogit(m, row);
    const predicted = logit > 0 ? 1 : 0;
    const actual = ds.labels[i]!;
    if (predicted === actual) correct++;
    if (predicted === positive && actual === positive) tp++;
    if (predicted === positive && actual !== positive) fp++;
    if (predicted !== positive && actual === positive) fn++;
    const p1 = Math.min(Math.max(sigmoid(logit), 1e-15), 1 - 1e-15);
    loss -= actual === 1 ? Math.log(p1) : Math.log(1 - p1);
  });
  const precision = tp / (tp + fp || 1);
  const recall = tp / (tp + fn || 1);
  return {
    accuracy: correct / ds.labels.length,
    precision,
    recall,
    f1: precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0,
    logLoss: loss / ds.labels.length,
  };
}

/** Raw features → Sub(mean) → Div(scale) → Gemm → logits → Softmax / ArgMax. */
export function breastCancerGraph(m: LogisticRegressionModel): ModelDecl {
  const d = m.weights.length;
  // Two logits ±(w·z + b)/2: their softmax is exactly sigmoid(w·z + b) for class 1.
  const gemmW = new Float32Array(d * 2);
  m.weights.forEach((wj, j) => {
    gemmW[j * 2] = -wj / 2;
    gemmW[j * 2 + 1] = wj / 2;
  });
  return {
    graphName: 'breast_cancer_logistic_regression',
    inputs: [{ name: 'input', datatype: 'FP32', shape: ['N', d] }],
    outputs: [
      { name: 'probabilities', datatype: 'FP32', shape: ['N', 2] },
      { name: 'label', datatype: 'INT64', shape: ['N'] },
    ],
    initializers: [
      { name: 'scaler.mean', datatype: 'FP32', dims: [d], values: Float32Array.from(m.mean) },
      { name: 'scaler.scale', datatype: 'FP32', dims: [d], values: Float32Array.from(m.scale) },
      { name: 'linear.weight', datatype: 'FP32', dims: [d, 2], values: gemmW },
      { name: 'linear.bias', datatype: 'FP32', dims: [2], values: Float32Array.from([-m.bias / 2, m.bias / 2]) },
    ],
    nodes: [
      { opType: 'Sub', name: 'scaler_center', inputs: ['input', 'scaler.mean'], outputs: ['centered'] },
      { opType: 'Div', name: 'scaler_scale', inputs: ['centered', 'scaler.scale'], outputs: ['standardized'] },
      { opType: 'Gemm', name: 'linear', inputs: ['standardized', 'linear.weight', 'linear.bias'], outputs: ['logits'] },
      { opType: 'Softmax', name: 'softmax', inputs: ['logits'], outputs: ['probabilities'], attributes: { axis: 1 } },
      { opType: 'ArgMax', name: 'argmax', inputs: ['logits'], outputs: ['label'], attributes: { axis: 1, keepdims: 0 } },
    ],
  };
}

export function sha256Hex(content: Uint8Array | string): string {
  return createHash('sha256').update(content).digest('hex');
}

/** The data version recorded in lineage: `sha256:` and the first 16 hex digits of the file's hash. */
export function dataVersion(csv: Uint8Array): string {
  return `sha256:${sha256Hex(csv).slice(0, 16)}`;
}

export function buildBreastCancer(csv: Uint8Array): Artifact[] {
  const dir = MODEL_DIRS.breastCancer;
  const ds = parseDatasetCsv(Buffer.from(csv).toString('utf8'), BREAST_CANCER_CSV);
  if (ds.classNames.join(',') !== BREAST_CANCER_CLASSES.join(',') || ds.nFeatures !== 30) {
    throw new Error(`${BREAST_CANCER_CSV}: expected 30 features and classes ${BREAST_CANCER_CLASSES.join(', ')}`);
  }
  const { train, test } = splitDataset(ds, BREAST_CANCER_SPLIT);
  const model = trainLogisticRegression(train);
  const held = evaluateLogistic(model, test, 0);
  const trainMetrics = evaluateLogistic(model, train, 0);
  if (held.accuracy < 0.95) throw new Error(`breast-cancer held-out accuracy ${held.accuracy} < 0.95`);
  const accuracy = round(held.accuracy);
  const resampled = BREAST_CANCER_RESAMPLE_SEEDS.map((seed) => {
    const s = splitDataset(ds, { testFraction: BREAST_CANCER_SPLIT.testFraction, seed });
    return evaluateLogistic(trainLogisticRegression(s.train), s.test).accuracy;
  });
  const resampledMean = round(resampled.reduce((a, b) => a + b, 0) / resampled.length);
  const manifest: ModelManifest = {
    schemaVersion: 1,
    name: 'breast-cancer',
    version: '1.0.0',
    format: 'onnx',
    task: 'classification',
    description:
      'Breast cancer (Wisconsin diagnostic) classifier: standardized logistic regression over 30 raw cell-nucleus ' +
      'features, trained by full-batch gradient descent in TypeScript. Outputs class probabilities and the class id ' +
      '(0 = malignant, 1 = benign).',
    signature: {
      inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 30] }],
      outputs: [
        { name: 'probabilities', datatype: 'FP32', shape: [-1, 2] },
        { name: 'label', datatype: 'INT64', shape: [-1] },
      ],
    },
    classLabels: [...BREAST_CANCER_CLASSES],
    batching: { maxBatchSize: 64, maxQueueDelayMicroseconds: 0 },
    lineage: {
      trainingData: { uri: BREAST_CANCER_CSV, version: dataVersion(csv) },
      metrics: {
        accuracy,
        precisionMalignant: round(held.precision),
        recallMalignant: round(held.recall),
        f1Malignant: round(held.f1),
        logLoss: round(held.logLoss),
        trainAccuracy: round(trainMetrics.accuracy),
        accuracyMeanOverResplits: resampledMean,
      },
    },
  };
  const readme = `# breast-cancer

Binary classifier for the Breast Cancer Wisconsin (Diagnostic) data set
(\`examples/data/breast_cancer.csv\`, 569 rows, 30 features; class 0 = malignant, 1 = benign).

- **Model:** logistic regression on standardized features, trained in TypeScript by full-batch
  gradient descent (learning rate 0.1, 3000 iterations, L2 0.001, zero initialisation).
- **Graph:** \`input\` FP32 [N, 30] (raw features) → Sub(mean) → Div(std) → Gemm → logits;
  \`probabilities\` = Softmax(logits) FP32 [N, 2], \`label\` = ArgMax(logits, axis 1) INT64 [N].
  The standardization is part of the graph, so clients send raw feature values.
- **Split:** stratified, ${Math.round(BREAST_CANCER_SPLIT.testFraction * 100)}% held out per class, mulberry32 seed ${BREAST_CANCER_SPLIT.seed}
  (\`splitDataset\` in \`scripts/lib/dataset.ts\`): ${train.labels.length} training rows, ${test.labels.length} test rows.
- **Measured held-out accuracy:** ${accuracy} (${Math.round(held.accuracy * test.labels.length)}/${test.labels.length});
  malignant precision ${round(held.precision)}, recall ${round(held.recall)}; training accuracy ${round(trainMetrics.accuracy)}.
  \`test/examples/models.test.ts\` recomputes the accuracy with onnxruntime-node.
- **Split sensitivity:** with ${test.labels.length} test rows one error moves accuracy by ${round(1 / test.labels.length, 3)}. Retrained the same
  way on ${resampled.length} other stratified splits (seeds ${BREAST_CANCER_RESAMPLE_SEEDS.join(', ')}), held-out accuracy was
  ${resampled.map((a) => round(a, 3)).join(', ')} (mean ${resampledMean}; \`accuracyMeanOverResplits\` in the manifest).

${REGENERATE}
`;
  return [
    { path: `${dir}/model.onnx`, content: buildOnnxModel(breastCancerGraph(model)) },
    { path: `${dir}/servingstack.json`, content: manifestJson(manifest, dir) },
    { path: `${dir}/README.md`, content: readme },
  ];
}

// ---------------------------------------------------------------------------------------------
// mlp-bench: 256-1024-1024-256 MLP with seeded random weights, for throughput benchmarks.
// ---------------------------------------------------------------------------------------------

export const MLP_BENCH_LAYERS = [256, 1024, 1024, 256] as const;
export const MLP_BENCH_SEED = 1_024;

/** Kaiming/He-uniform weights (LeCun-uniform for the last, linear layer) and small uniform biases. */
export function mlpBenchGraph(): ModelDecl {
  const random = mulberry32(MLP_BENCH_SEED);
  const initializers: InitializerDecl[] = [];
  const nodes: NodeDecl[] = [];
  let x = 'input';
  for (let l = 0; l + 1 < MLP_BENCH_LAYERS.length; l++) {
    const fanIn = MLP_BENCH_LAYERS[l]!;
    const fanOut = MLP_BENCH_LAYERS[l + 1]!;
    const last = l + 2 === MLP_BENCH_LAYERS.length;
    const limit = Math.sqrt((last ? 3 : 6) / fanIn);
    const w = new Float32Array(fanIn * fanOut);
    for (let i = 0; i < w.length; i++) w[i] = (random() * 2 - 1) * limit;
    const b = new Float32Array(fanOut);
    for (let i = 0; i < b.length; i++) b[i] = (random() * 2 - 1) * 0.01;
    const name = `fc${l + 1}`;
    initializers.push(
      { name: `${name}.weight`, datatype: 'FP32', dims: [fanIn, fanOut], values: w },
      { name: `${name}.bias`, datatype: 'FP32', dims: [fanOut], values: b },
    );
    const y = last ? 'output' : `${name}.out`;
    nodes.push({ opType: 'Gemm', name, inputs: [x, `${name}.weight`, `${name}.bias`], outputs: [y] });
    if (!last) {
      nodes.push({ opType: 'Relu', name: `relu${l + 1}`, inputs: [y], outputs: [`relu${l + 1}.out`] });
      x = `relu${l + 1}.out`;
    }
  }
  return {
    graphName: 'mlp_bench',
    inputs: [{ name: 'input', datatype: 'FP32', shape: ['N', MLP_BENCH_LAYERS[0]] }],
    outputs: [{ name: 'output', datatype: 'FP32', shape: ['N', MLP_BENCH_LAYERS[MLP_BENCH_LAYERS.length - 1]!] }],
    initializers,
    nodes,
  };
}

export function mlpBenchParameterCount(): number {
  let n = 0;
  for (let l = 0; l + 1 < MLP_BENCH_LAYERS.length; l++) n += MLP_BENCH_LAYERS[l]! * MLP_BENCH_LAYERS[l + 1]! + MLP_BENCH_LAYERS[l + 1]!;
  return n;
}

export function buildMlpBench(): Artifact[] {
  const dir = MODEL_DIRS.mlpBench;
  const params = mlpBenchParameterCount();
  const manifest: ModelManifest = {
    schemaVersion: 1,
    name: 'mlp-bench',
    version: '1.0.0',
    format: 'onnx',
    task: 'other',
    description: `Benchmark MLP ${MLP_BENCH_LAYERS.join('-')} with ReLU (${params} parameters, seeded random weights; outputs are meaningless).`,
    signature: {
      inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 256] }],
      outputs: [{ name: 'output', datatype: 'FP32', shape: [-1, 256] }],
    },
    batching: { maxBatchSize: 64, maxQueueDelayMicroseconds: 0 },
  };
  const readme = `# mlp-bench

Throughput benchmark model: a multi-layer perceptron ${MLP_BENCH_LAYERS.join('-')}
(Gemm → ReLU → Gemm → ReLU → Gemm), ${params.toLocaleString('en-US')} FP32 parameters.
\`input\` FP32 [N, 256] → \`output\` FP32 [N, 256].

The weights are random, not trained: He-uniform for the hidden layers, LeCun-uniform for the
output layer, biases uniform in ±0.01, all from mulberry32 seed ${MLP_BENCH_SEED}. Its outputs mean
nothing; use it to measure latency and throughput.

${REGENERATE}
`;
  return [
    { path: `${dir}/model.onnx`, content: buildOnnxModel(mlpBenchGraph()) },
    { path: `${dir}/servingstack.json`, content: manifestJson(manifest, dir) },
    { path: `${dir}/README.md`, content: readme },
  ];
}

// ---------------------------------------------------------------------------------------------
// tiny: y = x * 2 + 1.
// ---------------------------------------------------------------------------------------------

export function tinyGraph(): ModelDecl {
  return {
    graphName: 'tiny',
    inputs: [{ name: 'input', datatype: 'FP32', shape: ['N', 4] }],
    outputs: [{ name: 'output', datatype: 'FP32', shape: ['N', 4] }],
    initializers: [
      { name: 'two', datatype: 'FP32', dims: [], values: [2] },
      { name: 'one', datatype: 'FP32', dims: [], values: [1] },
    ],
    nodes: [
      { opType: 'Mul', name: 'mul', inputs: ['input', 'two'], outputs: ['doubled'] },
      { opType: 'Add', name: 'add', inputs: ['doubled', 'one'], outputs: ['output'] },
    ],
  };
}

export function buildTiny(): Artifact[] {
  const dir = MODEL_DIRS.tiny;
  const manifest: ModelManifest = {
    schemaVersion: 1,
    name: 'tiny',
    version: '1.0.0',
    format: 'onnx',
    task: 'other',
    description: 'Tiny elementwise model: output = input * 2 + 1.',
    signature: {
      inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 4] }],
      outputs: [{ name: 'output', datatype: 'FP32', shape: [-1, 4] }],
    },
    batching: { maxBatchSize: 64, maxQueueDelayMicroseconds: 0 },
  };
  const readme = `# tiny

The smallest useful model: \`output = input * 2 + 1\`, elementwise (Mul, Add).
\`input\` FP32 [N, 4] → \`output\` FP32 [N, 4]. For quick-start examples and smoke tests.

${REGENERATE}
`;
  return [
    { path: `${dir}/model.onnx`, content: buildOnnxModel(tinyGraph()) },
    { path: `${dir}/servingstack.json`, content: manifestJson(manifest, dir) },
    { path: `${dir}/README.md`, content: readme },
  ];
}

// ---------------------------------------------------------------------------------------------
// identity-all (fixture): one Identity per OIP datatype.
// ---------------------------------------------------------------------------------------------

/** Datatypes in identity-all: every DATATYPES entry (all run through ORT's Identity). */
export const IDENTITY_ALL_DATATYPES: readonly Datatype[] = [...DATATYPES];

export function identityAllGraph(): ModelDecl {
  // Independent symbolic dims per tensor: the inputs do not constrain each other's shapes.
  return {
    graphName: 'identity_all',
    inputs: IDENTITY_ALL_DATATYPES.map((dt) => ({ name: `in_${dt}`, datatype: dt, shape: [`N_${dt}`, `D_${dt}`] })),
    outputs: IDENTITY_ALL_DATATYPES.map((dt) => ({ name: `out_${dt}`, datatype: dt, shape: [`N_${dt}`, `D_${dt}`] })),
    nodes: IDENTITY_ALL_DATATYPES.map((dt) => ({ opType: 'Identity', name: `identity_${dt}`, inputs: [`in_${dt}`], outputs: [`out_${dt}`] })),
  };
}

export function buildIdentityAll(): Artifact[] {
  const dir = MODEL_DIRS.identityAll;
  const manifest: ModelManifest = {
    schemaVersion: 1,
    name: 'identity-all',
    version: '1.0.0',
    format: 'onnx',
    task: 'other',
    description: 'Test fixture: one Identity per datatype, in_<DATATYPE> → out_<DATATYPE>, every shape [-1, -1].',
    signature: {
      inputs: IDENTITY_ALL_DATATYPES.map((dt) => ({
        name: `in_${dt}`,
        datatype: dt,
        shape: [-1, -1],
        ...(dt === 'FP32' ? { allowNonFinite: true } : {}),
      })),
      outputs: IDENTITY_ALL_DATATYPES.map((dt) => ({ name: `out_${dt}`, datatype: dt, shape: [-1, -1] })),
    },
    batching: { maxBatchSize: 8, maxQueueDelayMicroseconds: 0 },
  };
  const readme = `# identity-all (test fixture)

One ONNX Identity node per datatype: input \`in_<DATATYPE>\` → output \`out_<DATATYPE>\`, shape
[N, D] with independent symbolic dimensions per tensor (\`-1, -1\` in the manifest), for
${IDENTITY_ALL_DATATYPES.join(', ')}.
\`in_FP32\` allows NaN/Infinity (\`allowNonFinite\`); \`maxBatchSize\` 8. All ${IDENTITY_ALL_DATATYPES.length} inputs
are required by onnxruntime on every run.

${REGENERATE}
`;
  return [
    { path: `${dir}/model.onnx`, content: buildOnnxModel(identityAllGraph()) },
    { path: `${dir}/servingstack.json`, content: manifestJson(manifest, dir) },
    { path: `${dir}/README.md`, content: readme },
  ];
}

// ---------------------------------------------------------------------------------------------
// static-shape (fixture): fixed [1, 3] input, y = x + 1, no batching.
// ---------------------------------------------------------------------------------------------

export function staticShapeGraph(): ModelDecl {
  return {
    graphName: 'static_shape',
    inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 3] }],
    outputs: [{ name: 'y', datatype: 'FP32', shape: [1, 3] }],
    initializers: [{ name: 'one', datatype: 'FP32', dims: [], values: [1] }],
    nodes: [{ opType: 'Add', name: 'add', inputs: ['x', 'one'], outputs: ['y'] }],
  };
}

export function buildStaticShape(): Artifact[] {
  const dir = MODEL_DIRS.staticShape;
  const manifest: ModelManifest = {
    schemaVersion: 1,
    name: 'static-shape',
    version: '1.0.0',
    format: 'onnx',
    task: 'other',
    description: 'Test fixture: fixed shapes, x FP32 [1, 3] → y = x + 1; batching disabled.',
    signature: {
      inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 3] }],
      outputs: [{ name: 'y', datatype: 'FP32', shape: [1, 3] }],
    },
    batching: { maxBatchSize: 1 },
  };
  const readme = `# static-shape (test fixture)

A model without dynamic dimensions: \`x\` FP32 [1, 3] → \`y = x + 1\` FP32 [1, 3].
\`batching.maxBatchSize\` is 1, since the first dimension is fixed.

${REGENERATE}
`;
  return [
    { path: `${dir}/model.onnx`, content: buildOnnxModel(staticShapeGraph()) },
    { path: `${dir}/servingstack.json`, content: manifestJson(manifest, dir) },
    { path: `${dir}/README.md`, content: readme },
  ];
}

// ---------------------------------------------------------------------------------------------
// Data copy and orchestration.
// ---------------------------------------------------------------------------------------------

export const DATA_README = `# Example data

Data sets used by the example models. Copied from the team's shared data folder with this
provenance note kept.

| file | rows × features | task | origin |
|---|---|---|---|
| breast_cancer.csv | 569 × 30 numeric, label 0 = malignant, 1 = benign | binary classification | Breast Cancer Wisconsin (Diagnostic), UCI Machine Learning Repository (W. Wolberg, W. Street, O. Mangasarian, 1995); copy as bundled with scikit-learn 1.2.1 (BSD-3-Clause) |

Format (scikit-learn's): the first line is \`n_rows,n_features,class_name_0,class_name_1[,...]\`;
every other line is the feature values followed by the integer class label.

Feature names of breast_cancer.csv, in column order: mean, standard error and worst of
radius, texture, perimeter, area, smoothness, compactness, concavity, concave points,
symmetry, fractal dimension (fields 0-9 mean, 10-19 standard error, 20-29 worst).

Used by \`examples/models/breast-cancer\` (trained by \`${GENERATOR}\`).
`;

export function buildData(csv: Uint8Array): Artifact[] {
  return [
    { path: BREAST_CANCER_CSV, content: csv },
    { path: 'examples/data/README.md', content: DATA_README },
  ];
}

/** Every generated file. `csv` is the bytes of breast_cancer.csv. */
export function buildAll(csv: Uint8Array): Artifact[] {
  return [
    ...buildData(csv),
    ...buildBreastCancer(csv),
    ...buildMlpBench(),
    ...buildTiny(),
    ...buildIdentityAll(),
    ...buildStaticShape(),
  ];
}

export function writeArtifacts(root: string, artifacts: readonly Artifact[]): void {
  for (const a of artifacts) {
    const target = join(root, a.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, a.content);
  }
}

/** The data source: the repository copy when present, else the shared data folder. */
export function defaultCsvSource(root = REPO_ROOT): string {
  const local = join(root, BREAST_CANCER_CSV);
  return existsSync(local) ? local : SHARED_BREAST_CANCER_CSV;
}

function argValue(args: readonly string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  if (i < 0) return undefined;
  const v = args[i + 1];
  if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value`);
  return v;
}

export function main(args: readonly string[] = process.argv.slice(2)): void {
  const out = resolve(argValue(args, '--out') ?? REPO_ROOT);
  const source = argValue(args, '--data') ?? defaultCsvSource();
  const csv = new Uint8Array(readFileSync(source));
  const artifacts = buildAll(csv);
  writeArtifacts(out, artifacts);
  for (const a of artifacts) {
    const size = typeof a.content === 'string' ? Buffer.byteLength(a.content) : a.content.byteLength;
    console.log(`${a.path.padEnd(48)} ${String(size).padStart(9)} B  sha256:${sha256Hex(a.content).slice(0, 12)}`);
  }
}

if (require.main === module) main();
