/**
 * `servingstack optimize` end to end: ONNX Runtime (in its worker thread) optimizes and runs the
 * models; the CLI prints the comparison, refuses results beyond the tolerance and writes packages
 * that `servingstack package` archives and the runtime serves.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { onnx } from 'onnx-proto';
import { loadModelPackage } from '../../lib/core/model-package';
import { optimizePackage } from '../../lib/optimize/optimize-package';
import { buildOnnxModel, ModelDecl } from '../../scripts/lib/onnx-builder';
import { runCli } from '../support/cli';
import { breastCancerRows, MODELS, postJson, startServer } from '../runtime/helpers';
import { exporterStyleModel } from './quantize.test';

const ROOT = path.resolve(__dirname, '..', '..');
const CSV = path.join(ROOT, 'examples/data/breast_cancer.csv');
let work: string;

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-optimize-test-'));
});
afterAll(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

function writePackage(dir: string, decl: ModelDecl, manifest: Record<string, unknown>): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'model.onnx'), buildOnnxModel(decl));
  fs.writeFileSync(path.join(dir, 'servingstack.json'), JSON.stringify({ schemaVersion: 1, format: 'onnx', ...manifest }));
  return dir;
}

/** The breast-cancer model's trained parameters, read back from its ONNX file. */
function breastCancerParameters(): Record<string, Float32Array> {
  const g = onnx.ModelProto.decode(fs.readFileSync(path.join(MODELS.breastCancer, 'model.onnx'))).graph!;
  return Object.fromEntries(g.initializer!.map((t) => [t.name, new Float32Array(new Uint8Array(t.rawData!).buffer)]));
}

/**
 * The breast-cancer classifier with one extra hidden unit that is always 0 (W1 = [I | 0]) and a
 * ±5000 weight on it: the FP32 model is exactly the original, but one INT8 scale for the second
 * weight (≈ 5000/127 ≈ 39) rounds every informative weight (|w| < 20) to 0.
 */
function brokenByQuantization(): ModelDecl {
  const p = breastCancerParameters();
  const w1 = new Float32Array(30 * 31);
  for (let i = 0; i < 30; i++) w1[i * 31 + i] = 1;
  const w2 = new Float32Array(31 * 2);
  w2.set(p['linear.weight']!);
  w2.set([-5000, 5000], 60);
  return {
    inputs: [{ name: 'input', datatype: 'FP32', shape: ['N', 30] }],
    outputs: [
      { name: 'probabilities', datatype: 'FP32', shape: ['N', 2] },
      { name: 'label', datatype: 'INT64', shape: ['N'] },
    ],
    initializers: [
      { name: 'mean', datatype: 'FP32', dims: [30], values: p['scaler.mean']! },
      { name: 'scale', datatype: 'FP32', dims: [30], values: p['scaler.scale']! },
      { name: 'w1', datatype: 'FP32', dims: [30, 31], values: w1 },
      { name: 'w2', datatype: 'FP32', dims: [31, 2], values: w2 },
      { name: 'b2', datatype: 'FP32', dims: [2], values: p['linear.bias']! },
    ],
    nodes: [
      { opType: 'Sub', inputs: ['input', 'mean'], outputs: ['centered'] },
      { opType: 'Div', inputs: ['centered', 'scale'], outputs: ['z'] },
      { opType: 'MatMul', inputs: ['z', 'w1'], outputs: ['hidden'] },
      { opType: 'Gemm', inputs: ['hidden', 'w2', 'b2'], outputs: ['logits'] },
      { opType: 'Softmax', inputs: ['logits'], outputs: ['probabilities'], attributes: { axis: 1 } },
      { opType: 'ArgMax', inputs: ['logits'], outputs: ['label'], attributes: { axis: 1, keepdims: 0 } },
    ],
  };
}

describe('servingstack optimize on the example models', () => {
  test('breast-cancer: checked on its own labelled training data, written as a package the CLI archives and the runtime serves', async () => {
    const out = path.join(work, 'bc-int8');
    const run = await runCli('optimize', MODELS.breastCancer, '-o', out);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/checked on examples\/data\/breast_cancer\.csv: 569 rows, labelled/);
    expect(run.stdout).toMatch(/quantized 1 weight\(s\) to INT8 \(per-tensor, symmetric\): Gemm linear \[30×2\]/);
    expect(run.stdout).toMatch(/^\s+original\s+1022 bytes\s+0\.98\d\d$/m);
    expect(run.stdout).toMatch(/^\s+optimized\s.*100\.00 %\s+0\.98\d\d\s+\+0\.0000$/m);
    expect(run.stdout).toMatch(/^\s+quantized\s.*\s0\.98\d\d\s+[+-]0\.00\d\d$/m);

    const pkg = await loadModelPackage(out);
    expect(pkg.manifest.version).toBe('1.0.0-int8');
    expect(pkg.manifest.baseline).toBe('baseline.json');
    expect(fs.existsSync(path.join(out, 'baseline.json'))).toBe(true);
    const lineage = pkg.manifest.lineage!;
    expect(lineage.trainingData).toEqual(JSON.parse(fs.readFileSync(path.join(MODELS.breastCancer, 'servingstack.json'), 'utf8')).lineage.trainingData);
    const opt = lineage.optimization!;
    expect(opt.source).toMatchObject({ name: 'breast-cancer', version: '1.0.0', modelBytes: 1022 });
    expect(opt.samples).toEqual({ source: 'examples/data/breast_cancer.csv', rows: 569, labelled: true });
    expect(opt.steps.map((s) => s.kind)).toEqual(['graph-optimization', 'dynamic-quantization']);
    expect(opt.steps[1]).toMatchObject({ weightType: 'INT8', granularity: 'per-tensor', quantizedNodes: 1, level: 'extended' });
    expect(opt.steps[1]!.accuracyDelta!).toBeGreaterThanOrEqual(-0.01);
    expect(opt.tool).toMatch(/^servingstack \d+\.\d+\.\d+, onnxruntime-node 1\.30\.0$/);
    // The model file is ONNX Runtime's fused graph: DynamicQuantizeMatMul from the com.microsoft domain.
    const ops = onnx.ModelProto.decode(fs.readFileSync(path.join(out, 'model.onnx'))).graph!.node!.map((n) => `${n.domain}:${n.opType}`);
    expect(ops).toContain('com.microsoft:DynamicQuantizeMatMul');

    const archive = await runCli('package', out, '-o', path.join(work, 'bc-int8.tar.gz'));
    expect(archive.code).toBe(0);

    const server = await startServer({ modelDir: out });
    try {
      const rows = breastCancerRows().slice(0, 8);
      const r = await postJson(`${server.url}/v2/models/breast-cancer/infer`, { inputs: [{ name: 'input', datatype: 'FP32', shape: [rows.length, 30], data: rows.flatMap((x) => x.features) }] });
      expect(r.status).toBe(200);
      expect(r.json.model_version).toBe('1.0.0-int8');
      const labels = r.json.outputs.find((o: { name: string }) => o.name === 'label').data;
      expect(labels).toEqual(rows.map((x) => x.label));
    } finally {
      await server.close();
    }
  });

  test('mlp-bench: the default tolerance refuses its INT8 model and writes nothing; a wider one accepts it at a quarter of the size', async () => {
    const refusedAt = path.join(work, 'mlp-refused');
    const refused = await runCli('optimize', MODELS.mlpBench, '-o', refusedAt, '--samples', '200');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^error SS_ERR_OPTIMIZE_TOLERANCE: refused: the optimized model of mlp-bench 1\.0\.0 is outside the tolerance; nothing was written/);
    expect(refused.stderr).toMatch(/dynamic-quantization max abs diff: .*200 random rows .*allowed: ≤ 0\.05 \(--max-abs-diff\)/);
    expect(fs.existsSync(refusedAt)).toBe(false);
    expect(fs.readdirSync(work).filter((f) => f.startsWith('mlp-refused'))).toEqual([]);

    const out = path.join(work, 'mlp-int8');
    const accepted = await runCli('optimize', MODELS.mlpBench, '-o', out, '--samples', '200', '--max-abs-diff', '0.25', '--per-channel', '--package-version', '1.1.0');
    expect(accepted.code).toBe(0);
    const pkg = await loadModelPackage(out);
    expect(pkg.manifest.version).toBe('1.1.0');
    const step = pkg.manifest.lineage!.optimization!.steps[1]!;
    expect(step).toMatchObject({ kind: 'dynamic-quantization', granularity: 'per-channel', quantizedNodes: 3 });
    expect(step.maxAbsDiff).toBeGreaterThan(0);
    expect(step.modelBytes / pkg.manifest.lineage!.optimization!.source.modelBytes).toBeLessThan(0.27);
  });
});

describe('sample sources', () => {
  test('without data or local training data, rows are drawn from the package\'s drift baseline', async () => {
    const src = path.join(work, 'bc-no-data');
    fs.cpSync(MODELS.breastCancer, src, { recursive: true });
    const m = JSON.parse(fs.readFileSync(path.join(src, 'servingstack.json'), 'utf8'));
    fs.writeFileSync(path.join(src, 'servingstack.json'), JSON.stringify({ ...m, lineage: { trainingData: { uri: 's3://bucket/train.csv' } } }));
    const report = await optimizePackage({ source: src, output: path.join(work, 'bc-no-data-int8'), maxRows: 300, quantize: 'none' });
    expect(report.samples).toEqual({ source: '300 rows drawn from the drift baseline baseline.json (seed 1)', rows: 300, labelled: false });
    expect(report.manifest.version).toBe('1.0.0-opt');
    expect(report.variants.map((v) => v.name)).toEqual(['original', 'optimized']);
    expect(report.variants[1]!.comparison!.agreement).toBe(1);
  });
});

describe('refusals', () => {
  test('a model whose accuracy quantization destroys is refused, naming the accuracy drop and the flag', async () => {
    const src = writePackage(path.join(work, 'fragile'), brokenByQuantization(), {
      name: 'fragile',
      version: '2.0.0',
      task: 'classification',
      classLabels: ['malignant', 'benign'],
      signature: {
        inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 30] }],
        outputs: [
          { name: 'probabilities', datatype: 'FP32', shape: [-1, 2] },
          { name: 'label', datatype: 'INT64', shape: [-1] },
        ],
      },
    });
    const out = path.join(work, 'fragile-int8');
    const run = await runCli('optimize', src, '--data', CSV, '-o', out, '--max-abs-diff', '1');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/SS_ERR_OPTIMIZE_TOLERANCE/);
    expect(run.stderr).toMatch(/dynamic-quantization accuracy: the quantized model's accuracy is 0\.[0-7]\d+, the original's 0\.98\d+ on 569 labelled rows; received "a drop of 0\.[2-9]\d+"; allowed: a drop ≤ 0\.01 \(--max-accuracy-drop\)/);
    // The graph optimization step alone is exact and is not blamed.
    expect(run.stderr).not.toMatch(/graph-optimization/);
    expect(fs.existsSync(out)).toBe(false);
  });

  test('bad options are collected into one error', async () => {
    const run = await runCli('optimize', MODELS.breastCancer, '--max-abs-diff', 'lots');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/SS_ERR_OPTIMIZE_OPTIONS.*--max-abs-diff is not a number/);
    await expect(optimizePackage({ source: MODELS.breastCancer, graphOptimization: 'none', quantize: 'none', maxAccuracyDrop: 2 })).rejects.toThrow(
      /--graph-optimization: and --quantize are both none[\s\S]*--max-accuracy-drop: must be a fraction from 0 to 1; received 2/,
    );
  });

  test('an existing output directory is never overwritten', async () => {
    const out = path.join(work, 'exists');
    fs.mkdirSync(out);
    await expect(optimizePackage({ source: MODELS.breastCancer, output: out })).rejects.toThrow(/--output: already exists/);
  });
});

describe('models exported by real tools', () => {
  test('PyTorch-style names, Gemm with transB/alpha/beta and a shared activation: the INT8 model stays close to the FP32 one', async () => {
    const src = writePackage(path.join(work, 'exported'), exporterStyleModel(), {
      name: 'exported',
      version: '7',
      signature: {
        inputs: [{ name: 'input.1', datatype: 'FP32', shape: [-1, 4] }],
        outputs: [
          { name: 'onnx::Add_17', datatype: 'FP32', shape: [-1, 2] },
          { name: 'onnx::MatMul_18', datatype: 'FP32', shape: [-1, 2] },
        ],
      },
    });
    await expect(optimizePackage({ source: src })).rejects.toThrow(/--package-version: is required: the source version 7 is an integer[\s\S]*allowed: the optimized package's version, e\.g\. --package-version 8/);
    const report = await optimizePackage({ source: src, version: '8', output: path.join(work, 'exported-int8'), maxRows: 300 });
    expect(report.quantization!.quantized).toHaveLength(3);
    const quantized = report.variants.find((v) => v.name === 'quantized')!;
    // Weights and activations are both 8-bit: a few percent of the output range, never a wrong sign of the rewrite.
    expect(quantized.comparison!.maxAbsDiff).toBeGreaterThan(0);
    expect(quantized.comparison!.maxAbsDiff).toBeLessThan(0.05);
    expect(report.variants.find((v) => v.name === 'optimized')!.comparison!.maxAbsDiff).toBeLessThan(1e-5);
  });
});
