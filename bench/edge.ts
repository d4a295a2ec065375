/**
 * Edge optimization benchmark: for each example model, the original, ONNX Runtime's offline
 * graph optimization (extended) and dynamic INT8 quantization (per tensor and per channel, then
 * the same graph optimization), in one run:
 * - model file size;
 * - single-row latency of `session.run` (p50/p99 over LATENCY_RUNS runs after a warm-up, one
 *   worker thread, one intra-op thread, inputs cycling over the sample rows);
 * - against the original on the sample set (the steps `servingstack optimize` checks): largest
 *   absolute output difference, class agreement and accuracy (breast-cancer: its 569 labelled
 *   rows; mlp-bench: 1000 seeded random rows, it has no labels).
 *
 *   npm run bench:edge                 (writes bench/results/edge.json)
 *   LATENCY_RUNS=500 npm run bench:edge
 *
 * The variants are produced by the same functions `servingstack optimize` calls.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadModelPackage } from '../lib/core/model-package';
import { accuracyOf, classesOf, compareOutputs, SampleOutputs } from '../lib/optimize/compare';
import { OrtHost } from '../lib/optimize/ort-host';
import { QuantizationGranularity, quantizeDynamic } from '../lib/optimize/quantize';
import { batchFeeds, buildSampleSet } from '../lib/optimize/samples';

const ROOT = path.resolve(__dirname, '..');
const MODELS = ['examples/models/breast-cancer', 'examples/models/mlp-bench'];
const LATENCY_RUNS = Number(process.env.LATENCY_RUNS ?? 3000);
const WARMUP = 300;

interface Row {
  model: string;
  variant: string;
  bytes: number;
  sizeVsOriginal: number;
  p50Us: number;
  p99Us: number;
  meanUs: number;
  maxAbsDiff: number | null;
  agreement: number | null;
  accuracy: number | null;
  accuracyDelta: number | null;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

async function main(): Promise<void> {
  const host = new OrtHost();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'servingstack-bench-edge-'));
  const rows: Row[] = [];
  const started = Date.now();
  const loadBefore = os.loadavg();
  try {
    for (const rel of MODELS) {
      const pkg = await loadModelPackage(path.join(ROOT, rel));
      const m = pkg.manifest;
      const samples = buildSampleSet(pkg, { maxRows: 1000 });
      const batch = Math.min(m.batching?.maxBatchSize ?? 32, 64);
      const outputsOf = async (file: string): Promise<SampleOutputs> => {
        const r = { rows: await host.run(file, samples.rows), batches: await host.run(file, batchFeeds(samples.rows, batch)) };
        await host.release(file);
        return r;
      };
      const original = pkg.modelPath;
      const optimized = path.join(work, `${m.name}.optimized.onnx`);
      await host.optimize(original, optimized, 'extended');
      const variants: Array<[string, string]> = [
        ['original', original],
        ['optimized', optimized],
      ];
      for (const g of ['per-tensor', 'per-channel'] as QuantizationGranularity[]) {
        const raw = path.join(work, `${m.name}.int8-${g}.raw.onnx`);
        const file = path.join(work, `${m.name}.int8-${g}.onnx`);
        fs.writeFileSync(raw, quantizeDynamic(fs.readFileSync(original), { granularity: g }).model);
        await host.optimize(raw, file, 'extended');
        variants.push([`quantized (${g})`, file]);
      }
      const reference = await outputsOf(original);
      const refClasses = classesOf(m, reference);
      const refAccuracy = refClasses && samples.labels ? accuracyOf(refClasses, samples.labels) : null;
      const originalBytes = fs.statSync(original).size;
      for (const [variant, file] of variants) {
        const cmp = variant === 'original' ? undefined : compareOutputs(m, reference, await outputsOf(file), samples.labels);
        const micros = (await host.latency(file, samples.rows.slice(0, 256), LATENCY_RUNS, WARMUP, 1)).sort((a, b) => a - b);
        await host.release(file);
        const bytes = fs.statSync(file).size;
        const accuracy = cmp ? (cmp.accuracy ?? null) : refAccuracy;
        rows.push({
          model: m.name,
          variant,
          bytes,
          sizeVsOriginal: bytes / originalBytes,
          p50Us: percentile(micros, 0.5),
          p99Us: percentile(micros, 0.99),
          meanUs: micros.reduce((a, b) => a + b, 0) / micros.length,
          maxAbsDiff: cmp ? cmp.maxAbsDiff : null,
          agreement: cmp?.agreement ?? null,
          accuracy,
          accuracyDelta: cmp && accuracy !== null && refAccuracy !== null ? accuracy - refAccuracy : null,
        });
      }
      process.stderr.write(`${m.name}: ${samples.rows.length} rows from ${samples.source}\n`);
    }
  } finally {
    await host.close();
    fs.rmSync(work, { recursive: true, force: true });
  }

  const fmt = (x: number | null, f: (v: number) => string): string => (x === null ? '' : f(x));
  const header = ['model', 'variant', 'size', 'vs orig', 'p50 µs', 'p99 µs', 'max abs diff', 'agreement', 'accuracy', 'Δ acc'];
  const table = rows.map((r) => [
    r.model,
    r.variant,
    r.bytes >= 1024 * 1024 ? `${(r.bytes / 1024 / 1024).toFixed(2)} MiB` : `${r.bytes} B`,
    `${(r.sizeVsOriginal * 100).toFixed(1)} %`,
    r.p50Us.toFixed(1),
    r.p99Us.toFixed(1),
    fmt(r.maxAbsDiff, (v) => v.toExponential(2)),
    fmt(r.agreement, (v) => `${(v * 100).toFixed(2)} %`),
    fmt(r.accuracy, (v) => v.toFixed(4)),
    fmt(r.accuracyDelta, (v) => `${v >= 0 ? '+' : ''}${v.toFixed(4)}`),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((t) => t[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const machine = {
    os: `${os.type()} ${os.release()}`,
    arch: os.arch(),
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Number((os.totalmem() / 1024 ** 3).toFixed(1)),
    node: process.version,
    onnxruntimeNode: (JSON.parse(fs.readFileSync(require.resolve('onnxruntime-node/package.json'), 'utf8')) as { version: string }).version,
    loadAverageBefore: loadBefore.map((l) => Math.round(l * 100) / 100),
    loadAverageAfter: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
  process.stdout.write(
    [
      `Edge optimization: single-row session.run latency (1 worker thread, 1 intra-op thread, ${LATENCY_RUNS} runs after ${WARMUP} warm-up)`,
      `${machine.cpuModel}, ${machine.cpus} cores, Node ${machine.node}, onnxruntime-node ${machine.onnxruntimeNode}, load ${machine.loadAverageBefore.join(' ')}`,
      '',
      line(header),
      ...table.map(line),
      '',
    ].join('\n'),
  );
  const out = path.join(ROOT, 'bench', 'results', 'edge.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), seconds: (Date.now() - started) / 1000, machine, latencyRuns: LATENCY_RUNS, warmup: WARMUP, rows }, null, 2)}\n`);
  process.stdout.write(`wrote ${path.relative(process.cwd(), out)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
