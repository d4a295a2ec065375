/**
 * `servingstack baseline --data <csv|jsonl> --model <package-dir>`: flags in, the baseline builder
 * of lib/monitoring (baseline-builder.ts) runs the model, computes and calibrates the baseline and
 * updates the manifest; this file parses the flags, shows progress and prints the summary.
 */
import * as path from 'node:path';
import type { Command } from 'commander';
import { ServingStackError } from '../../lib/core/errors';
import { MANIFEST_FILE } from '../../lib/core/manifest';
import { DEFAULT_BINS, DEFAULT_TOP_K } from '../../lib/monitoring/baseline';
import { BaselineBuildResult, buildBaseline } from '../../lib/monitoring/baseline-builder';
import { printResult, Progress } from '../progress';

interface BaselineOptions {
  readonly data: string;
  readonly model: string;
  readonly labelColumn?: string;
  readonly bins: string;
  readonly topK: string;
  readonly out?: string;
  readonly predictionOutput?: string;
  readonly categorical?: string[];
  readonly windowRows: string;
  readonly json?: boolean;
}

function intOption(name: string, raw: string, min: number, max: number): number {
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new ServingStackError('SS_ERR_BASELINE_OPTIONS', `cannot compute the baseline: ${name} must be an integer from ${min} to ${max}`, [
      { field: name, message: `must be an integer from ${min} to ${max}`, received: raw, allowed: `${min}…${max}` },
    ]);
  }
  return v;
}

function summary(r: BaselineBuildResult): string {
  const b = r.baseline;
  const m = r.manifest;
  const t = r.thresholds;
  const numeric = b.features.filter((f) => f.distribution.kind === 'numeric').length;
  const predShares = b.prediction?.distribution.kind === 'categorical'
    ? b.prediction.distribution.values.map((v, i) => `${m.classLabels?.[Number(v)] ?? v} ${(b.prediction!.distribution.expected[i]! * 100).toFixed(1)}%`).join(', ')
    : 'numeric';
  return [
    `wrote ${path.relative(process.cwd(), r.file) || r.file}`,
    `  rows         ${b.rowCount} (${r.dataFormat}${r.namedColumns ? '' : ', features named f0…'})`,
    `  features     ${b.features.length} (${numeric} numeric with ≤ ${r.bins} quantile bins, ${b.features.length - numeric} categorical)`,
    `  prediction   ${r.predictionOutput} (${r.predictionMode}): ${predShares}`,
    `  labels       ${r.labelledRows !== undefined ? `${r.labelledRows} (class shares recorded)` : 'none'}`,
    `  thresholds   PSI ${t.psi}, JS divergence (log2) ${t.jsDivergenceLog2} for ${t.windowRows}-row windows (${t.quantile * 100}th percentile of ${t.rounds} resampled no-drift windows)`,
    r.manifestBaseline !== undefined ? `  manifest     ${MANIFEST_FILE} "baseline": "${r.manifestBaseline}"` : `  manifest     unchanged (${r.file} is outside the package)`,
  ].join('\n');
}

export async function runBaseline(o: BaselineOptions): Promise<BaselineBuildResult> {
  const bins = intOption('--bins', o.bins, 1, 1000);
  const topK = intOption('--top-k', o.topK, 1, 10000);
  const windowRows = intOption('--window-rows', o.windowRows, 10, 10_000_000);
  const progress = Progress.start({ json: o.json });
  const result = await progress.run((p) =>
    buildBaseline(
      { data: o.data, model: o.model, labelColumn: o.labelColumn, bins, topK, categorical: o.categorical, predictionOutput: o.predictionOutput, out: o.out, windowRows },
      (s) => p.step(s.message),
    ),
  );
  printResult(o.json, { file: result.file, manifestBaseline: result.manifestBaseline ?? null, thresholds: result.thresholds, rows: result.baseline.rowCount, features: result.baseline.features.length, prediction: { output: result.predictionOutput, mode: result.predictionMode }, labelledRows: result.labelledRows ?? null }, () => summary(result));
  return result;
}

export function registerBaselineCommand(program: Command): void {
  program
    .command('baseline')
    .summary('compute the drift baseline of a model package from a data set')
    .description(
      [
        'Run the model over a data set (CSV with a header row, scikit-learn CSV, or JSON Lines keyed by feature name) and record the baseline that drift is measured against: per feature, frozen quantile bin edges and the share of values per bin (numeric) or the top-K values and their shares (categorical), the missing rate, mean and standard deviation; the distribution of the predictions; the class shares of the labels.',
        'The baseline is written to <package>/baseline.json unless --out says otherwise, and the manifest\'s "baseline" field is set when the file lies inside the package. Format: docs/monitoring.md.',
      ].join('\n\n'),
    )
    .requiredOption('--data <file>', 'data set: .csv (header or scikit-learn format) or .jsonl')
    .requiredOption('--model <dir>', 'model package directory (single input shaped [-1, F])')
    .option('--label-column <name>', 'CSV column holding the label (default: a column named "label")')
    .option('--bins <n>', 'quantile bins per numeric feature', String(DEFAULT_BINS))
    .option('--top-k <n>', 'values kept per categorical feature', String(DEFAULT_TOP_K))
    .option('--categorical <names...>', 'features to treat as categorical')
    .option('--prediction-output <name>', 'model output the prediction is read from')
    .option('--out <file>', 'where to write the baseline (default: <model>/baseline.json)')
    .option('--window-rows <n>', 'monitoring window size the drift thresholds are calibrated for (the runtime uses it as its window)', '1000')
    .option('--json', 'print the result as JSON (progress goes to stderr)')
    .addHelpText(
      'after',
      ['', 'Examples:', '  $ servingstack baseline --data examples/data/breast_cancer.csv --model examples/models/breast-cancer', '  $ servingstack baseline --data train.jsonl --model ./my-model --out /tmp/baseline.json'].join('\n'),
    )
    .action(async (options: BaselineOptions) => {
      await runBaseline(options);
    });
}
