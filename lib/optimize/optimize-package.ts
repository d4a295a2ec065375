/**
 * `servingstack optimize` as a library: derive an edge-ready package from an ONNX model package.
 *
 * Steps, each checked against the ORIGINAL model on the same sample set (row by row, and in
 * batches as dynamic batching forms them, because dynamic quantization scales activations per
 * batch):
 *  1. graph optimization: ONNX Runtime's offline mode writes the graph it optimized
 *     (`optimizedModelFilePath`), at `extended` by default — `all` adds layout transforms that
 *     tie the file to the CPU it was optimized on (ONNX Runtime warns so itself);
 *  2. dynamic INT8 quantization of MatMul/Gemm weights (quantize.ts), then the same graph
 *     optimization, which fuses the integer chain into ONNX Runtime's DynamicQuantizeMatMul.
 * A step whose output differs more than `maxAbsDiff`, or whose accuracy on labelled rows drops
 * more than `maxAccuracyDrop`, refuses the whole result (SS_ERR_OPTIMIZE_TOLERANCE) and nothing
 * is written. Otherwise the last step's model is written as a new package whose manifest records
 * what was done (`lineage.optimization`), validated as `servingstack package` validates it.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { IssueCollector, ServingStackError } from '../core/errors';
import { MANIFEST_FILE, ModelManifest, validateManifest } from '../core/manifest';
import { loadModelPackage, ModelPackage } from '../core/model-package';
import type { OptimizationStep } from '../core/optimization-lineage';
import { accuracyOf, classesOf, compareOutputs, Comparison, SampleOutputs } from './compare';
import { OrtHost } from './ort-host';
import type { GraphOptimizationLevel } from './ort-protocol';
import { assertQuantizedSomething, QuantizationGranularity, quantizeDynamic, QuantizeResult } from './quantize';
import { batchFeeds, buildSampleSet, SampleSet } from './samples';

export const DEFAULT_MAX_ABS_DIFF = 0.05;
export const DEFAULT_MAX_ACCURACY_DROP = 0.01;
export const GRAPH_LEVELS = ['basic', 'extended', 'all', 'none'] as const;

export interface OptimizePackageOptions {
  /** Package directory to optimize. */
  readonly source: string;
  /** Directory to write the new package to; must not exist. @default - `<source>-int8` (quantized) or `<source>-optimized` */
  readonly output?: string;
  /** ONNX Runtime graph optimization level, or `none`. @default 'extended' */
  readonly graphOptimization?: GraphOptimizationLevel | 'none';
  /** Weight quantization. @default 'int8' */
  readonly quantize?: 'int8' | 'none';
  /** @default 'per-tensor' */
  readonly granularity?: QuantizationGranularity;
  /** @default false */
  readonly reduceRange?: boolean;
  /** Sample data (.csv / .jsonl); see samples.ts for the fallbacks. */
  readonly data?: string;
  readonly labelColumn?: string;
  /** Rows to check on at most. @default 1000 */
  readonly maxRows?: number;
  /** @default 0.05 */
  readonly maxAbsDiff?: number;
  /** Largest accepted accuracy drop on labelled rows, as a fraction (0.01 = one point). @default 0.01 */
  readonly maxAccuracyDrop?: number;
  /** Version of the new package. @default - the source version with `-int8` / `-opt` appended */
  readonly version?: string;
  /** Recorded in the lineage, e.g. `servingstack 0.1.0`. @default 'servingstack' */
  readonly tool?: string;
}

export interface VariantReport {
  readonly name: 'original' | 'optimized' | 'quantized';
  readonly modelBytes: number;
  readonly comparison?: Comparison;
  readonly accuracy?: number;
  readonly accuracyDelta?: number;
}

export interface OptimizeReport {
  readonly source: ModelPackage;
  readonly output: string;
  readonly manifest: ModelManifest;
  readonly samples: { readonly source: string; readonly rows: number; readonly labelled: boolean };
  readonly variants: readonly VariantReport[];
  readonly quantization?: Pick<QuantizeResult, 'quantized' | 'skipped' | 'granularity'>;
}

function optionError(field: string, message: string, received: unknown, allowed: string): ServingStackError {
  return new ServingStackError('SS_ERR_OPTIMIZE_OPTIONS', `cannot optimize: ${field} ${message}`, [{ field, message, received, allowed }]);
}

/** `1.0.0` → `1.0.0-int8`; `1.0.0-rc.1` → `1.0.0-rc.1.int8`; integer versions need an explicit one. */
export function derivedVersion(version: string, suffix: string): string {
  if (/^\d+$/.test(version)) throw optionError('--package-version', `is required: the source version ${version} is an integer, which takes no -${suffix} suffix`, version, `the optimized package's version, e.g. --package-version ${Number(version) + 1}`);
  return version.includes('-') ? `${version}.${suffix}` : `${version}-${suffix}`;
}

async function outputsOf(host: OrtHost, model: string, samples: SampleSet, batchSize: number): Promise<SampleOutputs> {
  const rows = await host.run(model, samples.rows);
  const batches = await host.run(model, batchFeeds(samples.rows, batchSize));
  await host.release(model);
  return { rows, batches };
}

function listFiles(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.')) continue;
    const p = path.join(dir, e.name);
    if (fs.statSync(p).isDirectory()) out.push(...listFiles(p, base));
    else out.push(path.relative(base, p));
  }
  return out;
}

export async function optimizePackage(o: OptimizePackageOptions): Promise<OptimizeReport> {
  const level = o.graphOptimization ?? 'extended';
  const quantize = o.quantize ?? 'int8';
  const maxAbsDiff = o.maxAbsDiff ?? DEFAULT_MAX_ABS_DIFF;
  const maxAccuracyDrop = o.maxAccuracyDrop ?? DEFAULT_MAX_ACCURACY_DROP;
  const opts = new IssueCollector();
  opts.check((GRAPH_LEVELS as readonly string[]).includes(level), { field: '--graph-optimization', message: 'is not a level', received: level, allowed: GRAPH_LEVELS.join(' | ') });
  opts.check(quantize === 'int8' || quantize === 'none', { field: '--quantize', message: 'is not a weight type', received: quantize, allowed: 'int8 | none' });
  opts.check(level !== 'none' || quantize !== 'none', { field: '--graph-optimization', message: 'and --quantize are both none: nothing to do', received: 'none', allowed: 'basic | extended | all, or --quantize int8' });
  opts.check(Number.isFinite(maxAbsDiff) && maxAbsDiff >= 0, { field: '--max-abs-diff', message: 'must be a number ≥ 0', received: o.maxAbsDiff, allowed: 'e.g. 0.05' });
  opts.check(Number.isFinite(maxAccuracyDrop) && maxAccuracyDrop >= 0 && maxAccuracyDrop <= 1, { field: '--max-accuracy-drop', message: 'must be a fraction from 0 to 1', received: o.maxAccuracyDrop, allowed: 'e.g. 0.01 (one percentage point)' });
  opts.check(o.maxRows === undefined || (Number.isInteger(o.maxRows) && o.maxRows >= 1 && o.maxRows <= 100_000), { field: '--samples', message: 'must be a whole number from 1 to 100000', received: o.maxRows, allowed: '1…100000' });
  opts.throwIfAny('SS_ERR_OPTIMIZE_OPTIONS', 'cannot optimize: invalid options');

  const pkg = await loadModelPackage(o.source);
  const m = pkg.manifest;
  if (m.format !== 'onnx') throw optionError('source', `is a ${m.format} package`, m.format, 'an onnx model package');
  const suffix = quantize === 'int8' ? 'int8' : 'opt';
  const version = o.version ?? derivedVersion(m.version, suffix);
  const output = path.resolve(o.output ?? `${pkg.dir}-${quantize === 'int8' ? 'int8' : 'optimized'}`);
  if (fs.existsSync(output)) throw optionError('--output', 'already exists', output, 'a path that does not exist yet (the package is written there)');

  const samples = buildSampleSet(pkg, { data: o.data, labelColumn: o.labelColumn, maxRows: o.maxRows });
  const batchSize = Math.min(m.batching?.maxBatchSize ?? 32, 64);
  const originalBytes = fs.readFileSync(pkg.modelPath);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'servingstack-optimize-'));
  const host = new OrtHost();
  try {
    const reference = await outputsOf(host, pkg.modelPath, samples, batchSize);
    const refClasses = classesOf(m, reference);
    const refAccuracy = refClasses && samples.labels ? accuracyOf(refClasses, samples.labels) : undefined;
    const variants: VariantReport[] = [{ name: 'original', modelBytes: originalBytes.length, ...(refAccuracy !== undefined ? { accuracy: refAccuracy } : {}) }];
    const steps: OptimizationStep[] = [];
    const tolerance = new IssueCollector();
    let final = pkg.modelPath;

    const measure = async (name: 'optimized' | 'quantized', file: string, step: Omit<OptimizationStep, 'modelBytes' | 'maxAbsDiff'>): Promise<void> => {
      const comparison = compareOutputs(m, reference, await outputsOf(host, file, samples, batchSize), samples.labels);
      const accuracyDelta = comparison.accuracy !== undefined && refAccuracy !== undefined ? comparison.accuracy - refAccuracy : undefined;
      const modelBytes = fs.statSync(file).size;
      variants.push({ name, modelBytes, comparison, ...(comparison.accuracy !== undefined ? { accuracy: comparison.accuracy } : {}), ...(accuracyDelta !== undefined ? { accuracyDelta } : {}) });
      steps.push({
        ...step,
        modelBytes,
        maxAbsDiff: comparison.maxAbsDiff,
        ...(comparison.agreement !== undefined ? { agreement: comparison.agreement } : {}),
        ...(accuracyDelta !== undefined ? { accuracyDelta: Math.round(accuracyDelta * 1e6) / 1e6 } : {}),
      });
      tolerance.check(comparison.maxAbsDiff <= maxAbsDiff, {
        field: `${step.kind} max abs diff`,
        message: `the ${name} model's ${comparison.maxAbsDiffOutput ?? 'output'} differs from the original's by up to ${comparison.maxAbsDiff.toPrecision(3)} on ${samples.source}`,
        received: comparison.maxAbsDiff,
        allowed: `≤ ${maxAbsDiff} (--max-abs-diff)`,
      });
      if (accuracyDelta !== undefined) {
        tolerance.check(-accuracyDelta <= maxAccuracyDrop + 1e-12, {
          field: `${step.kind} accuracy`,
          message: `the ${name} model's accuracy is ${comparison.accuracy!.toFixed(4)}, the original's ${refAccuracy!.toFixed(4)} on ${samples.labels!.length} labelled rows`,
          received: `a drop of ${(-accuracyDelta).toFixed(4)}`,
          allowed: `a drop ≤ ${maxAccuracyDrop} (--max-accuracy-drop)`,
        });
      }
      final = file;
    };

    if (level !== 'none') {
      const file = path.join(work, 'optimized.onnx');
      await host.optimize(pkg.modelPath, file, level);
      await measure('optimized', file, { kind: 'graph-optimization', level });
    }
    let quantization: QuantizeResult | undefined;
    if (quantize === 'int8') {
      quantization = quantizeDynamic(originalBytes, { granularity: o.granularity, reduceRange: o.reduceRange }, path.basename(pkg.modelPath));
      assertQuantizedSomething(quantization, path.relative(process.cwd(), pkg.modelPath) || pkg.modelPath);
      const raw = path.join(work, 'quantized-raw.onnx');
      fs.writeFileSync(raw, quantization.model);
      let file = raw;
      if (level !== 'none') {
        file = path.join(work, 'quantized.onnx');
        await host.optimize(raw, file, level);
      }
      await measure('quantized', file, { kind: 'dynamic-quantization', weightType: 'INT8', granularity: quantization.granularity, quantizedNodes: quantization.quantized.length, ...(level !== 'none' ? { level } : {}) });
    }
    tolerance.throwIfAny('SS_ERR_OPTIMIZE_TOLERANCE', `refused: the optimized model of ${m.name} ${m.version} is outside the tolerance; nothing was written`);

    const ortVersion = (JSON.parse(fs.readFileSync(require.resolve('onnxruntime-node/package.json'), 'utf8')) as { version: string }).version;
    const manifest = validateManifest(
      {
        ...m,
        version,
        lineage: {
          ...m.lineage,
          optimization: {
            source: { name: m.name, version: m.version, modelSha256: createHash('sha256').update(originalBytes).digest('hex'), modelBytes: originalBytes.length },
            steps,
            samples: { source: samples.source, rows: samples.rows.length, labelled: samples.labels !== undefined },
            tolerance: { maxAbsDiff, ...(samples.labels ? { maxAccuracyDrop } : {}) },
            tool: `${o.tool ?? 'servingstack'}, onnxruntime-node ${ortVersion}`,
          },
        },
      },
      `${output}/${MANIFEST_FILE}`,
    );
    // Build beside the target, validate as `servingstack package` does, then rename into place.
    const staging = `${output}.tmp-${process.pid}`;
    fs.rmSync(staging, { recursive: true, force: true });
    try {
      for (const rel of listFiles(pkg.dir)) {
        if (rel === MANIFEST_FILE || path.join(pkg.dir, rel) === pkg.modelPath) continue;
        fs.mkdirSync(path.dirname(path.join(staging, rel)), { recursive: true });
        fs.copyFileSync(path.join(pkg.dir, rel), path.join(staging, rel));
      }
      const modelRel = path.relative(pkg.dir, pkg.modelPath);
      fs.mkdirSync(path.dirname(path.join(staging, modelRel)), { recursive: true });
      fs.copyFileSync(final, path.join(staging, modelRel));
      fs.writeFileSync(path.join(staging, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
      await loadModelPackage(staging);
      fs.renameSync(staging, output);
    } catch (e) {
      fs.rmSync(staging, { recursive: true, force: true });
      throw e;
    }
    return {
      source: pkg,
      output,
      manifest,
      samples: { source: samples.source, rows: samples.rows.length, labelled: samples.labels !== undefined },
      variants,
      ...(quantization ? { quantization: { quantized: quantization.quantized, skipped: quantization.skipped, granularity: quantization.granularity } } : {}),
    };
  } finally {
    await host.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
}
