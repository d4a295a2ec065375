/**
 * `servingstack optimize <dir>`: an edge-ready copy of an ONNX model package — ONNX Runtime's
 * offline graph optimization and dynamic INT8 weight quantization, each checked against the
 * original on a sample set and refused beyond the given tolerance (lib/optimize).
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { ServingStackError } from '../../lib/core/errors';
import { DEFAULT_MAX_ABS_DIFF, DEFAULT_MAX_ACCURACY_DROP, GRAPH_LEVELS, OptimizeReport } from '../../lib/optimize/optimize-package';
import { displayPath, formatBytes } from './package';
import { version as toolVersion } from '../../package.json';

interface OptimizeFlags {
  readonly output?: string;
  readonly graphOptimization: string;
  readonly quantize: string;
  readonly perChannel?: boolean;
  readonly reduceRange?: boolean;
  readonly data?: string;
  readonly labelColumn?: string;
  readonly samples?: string;
  readonly maxAbsDiff: string;
  readonly maxAccuracyDrop: string;
  readonly packageVersion?: string;
  readonly json?: boolean;
}

function num(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v)) {
    throw new ServingStackError('SS_ERR_OPTIMIZE_OPTIONS', `cannot optimize: ${flag} is not a number`, [{ field: flag, message: 'is not a number', received: raw, allowed: 'a number' }]);
  }
  return v;
}

const pct = (x: number): string => `${(x * 100).toFixed(2)} %`;

/** The table `servingstack optimize` prints. */
export function formatReport(r: OptimizeReport): string {
  const original = r.variants[0]!;
  const header = ['variant', 'size', 'vs original', 'max abs diff', 'agreement', 'accuracy', 'Δ accuracy'];
  const rows = r.variants.map((v) => [
    v.name,
    formatBytes(v.modelBytes),
    v.name === 'original' ? '' : `${((v.modelBytes / original.modelBytes) * 100).toFixed(1)} %`,
    v.comparison ? v.comparison.maxAbsDiff.toExponential(2) : '',
    v.comparison?.agreement !== undefined ? pct(v.comparison.agreement) : '',
    v.accuracy !== undefined ? v.accuracy.toFixed(4) : '',
    v.accuracyDelta !== undefined ? `${v.accuracyDelta >= 0 ? '+' : ''}${v.accuracyDelta.toFixed(4)}` : '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => `  ${cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()}`;
  const q = r.quantization;
  return [
    `wrote ${displayPath(r.output)} (${r.manifest.name} ${r.manifest.version})`,
    `  checked on ${r.samples.source}: ${r.samples.rows} rows${r.samples.labelled ? ', labelled' : ''}, one by one and in batches`,
    ...(q ? [`  quantized ${q.quantized.length} weight(s) to INT8 (${q.granularity}, symmetric): ${q.quantized.map((n) => `${n.opType} ${n.node} [${n.shape.join('×')}]`).join(', ')}`] : []),
    ...(q?.skipped.length ? [`  left in FP32: ${q.skipped.map((s) => `${s.opType} ${s.node} (${s.reason})`).join('; ')}`] : []),
    '',
    line(header),
    ...rows.map(line),
  ].join('\n');
}

export function registerOptimizeCommand(program: Command): void {
  program
    .command('optimize')
    .summary('optimize and quantize an ONNX model package for edge devices, within a tolerance')
    .description(
      [
        'Write an edge-ready copy of an ONNX model package: ONNX Runtime offline graph optimization, then dynamic INT8 quantization of MatMul/Gemm weights (activations are quantized per batch at run time), each step checked against the original model on a sample set.',
        'Samples: --data (CSV or JSON Lines), else the package\'s training data when lineage.trainingData.uri is a local file, else rows drawn from its drift baseline, else seeded random rows. The command prints size, the largest output difference and, for classifiers with labelled rows, the accuracy change; a step beyond --max-abs-diff or --max-accuracy-drop refuses the result (SS_ERR_OPTIMIZE_TOLERANCE, exit code 2) and nothing is written.',
        'The new package gets version <version>-int8 (or -opt) unless --version is given, and its manifest records the steps under lineage.optimization. `servingstack package` and the runtime load it like any package.',
      ].join('\n\n'),
    )
    .argument('<dir>', 'ONNX model package directory')
    .option('-o, --output <dir>', 'where to write the new package (default: <dir>-int8, or <dir>-optimized with --quantize none)')
    .addOption(new Option('--graph-optimization <level>', 'ONNX Runtime graph optimization level ("all" adds layout transforms tied to this machine\'s CPU)').choices([...GRAPH_LEVELS]).default('extended'))
    .addOption(new Option('--quantize <type>', 'weight quantization').choices(['int8', 'none']).default('int8'))
    .option('--per-channel', 'one weight scale per output column instead of per tensor')
    .option('--reduce-range', '7-bit weights (±64), for x86 CPUs without VNNI where 8-bit u8×s8 products can saturate')
    .option('--data <file>', 'sample rows: .csv (header or scikit-learn format) or .jsonl; labelled rows give the accuracy change')
    .option('--label-column <name>', 'CSV column holding the label (default: a column named "label")')
    .option('--samples <n>', 'rows to check on at most (default 1000)')
    .option('--max-abs-diff <x>', 'largest accepted absolute difference of any floating point output', String(DEFAULT_MAX_ABS_DIFF))
    .option('--max-accuracy-drop <x>', 'largest accepted accuracy drop on labelled rows, as a fraction', String(DEFAULT_MAX_ACCURACY_DROP))
    .option('--package-version <version>', 'version of the new package (default: <version>-int8, or -opt with --quantize none)')
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  $ servingstack optimize examples/models/breast-cancer',
        '  $ servingstack optimize examples/models/mlp-bench --per-channel --max-abs-diff 0.1 -o /tmp/mlp-int8',
        '  $ servingstack optimize ./model --quantize none --graph-optimization extended',
      ].join('\n'),
    )
    .action(async (dir: string, f: OptimizeFlags) => {
      const { optimizePackage } = await import('../../lib/optimize/optimize-package');
      const report = await optimizePackage({
        source: dir,
        output: f.output,
        graphOptimization: f.graphOptimization as 'extended',
        quantize: f.quantize as 'int8',
        granularity: f.perChannel ? 'per-channel' : 'per-tensor',
        reduceRange: f.reduceRange ?? false,
        data: f.data,
        labelColumn: f.labelColumn,
        maxRows: num('--samples', f.samples),
        maxAbsDiff: num('--max-abs-diff', f.maxAbsDiff),
        maxAccuracyDrop: num('--max-accuracy-drop', f.maxAccuracyDrop),
        version: f.packageVersion,
        tool: `servingstack ${toolVersion}`,
      });
      if (f.json) {
        const { source, ...rest } = report;
        process.stdout.write(`${JSON.stringify({ source: { dir: source.dir, name: source.manifest.name, version: source.manifest.version }, ...rest }, null, 2)}\n`);
      } else {
        process.stdout.write(`${formatReport(report)}\n`);
      }
    });
}
