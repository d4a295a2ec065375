/**
 * `servingstack drift-report --baseline <file> --data <csv|jsonl>`: compare a data set with a
 * baseline, print per-feature PSI / JS divergence / L∞ / missing and out-of-range rates and a
 * verdict, optionally write a self-contained HTML report. Exits 0 whether or not drift is found.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { ServingStackError } from '../../lib/core/errors';
import { readBaseline } from '../../lib/monitoring/baseline';
import { printResult } from '../progress';
import { loadRows } from '../../lib/monitoring/data-file';
import { readCapture } from '../../lib/monitoring/capture-file';
import { captureToData } from '../../lib/monitoring/quality';
import { monitorOptions } from '../../lib/monitoring/settings';
import { loadMonitoredPackage } from './quality-report';
import { compareRowsWithBaseline, compareWithBaseline, DEFAULT_JS_THRESHOLD, DEFAULT_PSI_THRESHOLD, DriftReport, renderDriftHtml, renderDriftText } from '../../lib/monitoring/report';

interface DriftReportOptions {
  readonly baseline?: string;
  readonly data?: string;
  readonly capture?: string;
  readonly model?: string;
  readonly html?: string;
  readonly psiThreshold: string;
  readonly jsThreshold: string;
  readonly json?: boolean;
  readonly labelColumn?: string;
}

function threshold(name: string, raw: string, max: number): number {
  const v = Number(raw);
  if (!Number.isFinite(v) || v <= 0 || v > max) {
    throw new ServingStackError('SS_ERR_DRIFT_OPTIONS', `${name} must be a number in (0, ${max}]`, [{ field: name, message: `must be a number in (0, ${max}]`, received: raw, allowed: `0 < value ≤ ${max}` }]);
  }
  return v;
}

export function runDriftReport(o: DriftReportOptions): DriftReport {
  const psiT = threshold('--psi-threshold', o.psiThreshold, 100);
  const jsT = threshold('--js-threshold', o.jsThreshold, 1);
  if ((o.data === undefined) === (o.capture === undefined)) {
    throw new ServingStackError('SS_ERR_DRIFT_OPTIONS', 'name the data: --data or --capture', [{ field: '--data', message: 'give exactly one of --data and --capture', received: [o.data, o.capture].filter(Boolean), allowed: '--data <csv|jsonl>, or --capture <file|dir> with --model <package>' }]);
  }
  let report: DriftReport;
  let baselineFile = o.baseline;
  if (o.capture) {
    // Captured traffic (runtime capture files or SageMaker data capture), read with the package's signature.
    if (!o.model) throw new ServingStackError('SS_ERR_DRIFT_OPTIONS', '--capture needs --model', [{ field: '--model', message: 'is required with --capture', allowed: 'the model package the capture is of' }]);
    const { manifest, baselineFile: file, settings } = loadMonitoredPackage({ model: o.model, capture: o.capture, baseline: o.baseline });
    baselineFile = file;
    const baseline = readBaseline(file);
    const options = monitorOptions(baseline, { task: manifest.task, inputs: manifest.signature.inputs, outputs: manifest.signature.outputs }, settings);
    const predictions = readCapture(o.capture, manifest.signature).predictions.filter((p) => p.model === undefined || p.model === manifest.name);
    if (predictions.length === 0) throw new ServingStackError('SS_ERR_DATA_INVALID', `${o.capture} holds no predictions of ${manifest.name}`, [{ field: '--capture', message: 'holds no captured predictions of this model', received: 0, allowed: 'at least one' }]);
    report = compareWithBaseline(baseline, captureToData(baseline, options, predictions), { psi: psiT, js: jsT });
  } else {
    if (!o.baseline) throw new ServingStackError('SS_ERR_DRIFT_OPTIONS', '--data needs --baseline', [{ field: '--baseline', message: 'is required with --data', allowed: 'baseline.json (servingstack baseline)' }]);
    const baseline = readBaseline(o.baseline);
    const data = loadRows(o.data!, o.labelColumn ? { labelColumn: o.labelColumn } : {});
    if (data.rows.length === 0) {
      throw new ServingStackError('SS_ERR_DATA_INVALID', `${o.data} has no rows`, [{ field: o.data!, message: 'has a header but no rows', received: 0, allowed: 'at least one row' }]);
    }
    report = compareRowsWithBaseline(baseline, data, { psi: psiT, js: jsT });
  }
  printResult(o.json, report, () => renderDriftText(report));
  if (o.html) {
    const out = path.resolve(o.html);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, renderDriftHtml(report, { baselineFile, dataFile: o.data ?? o.capture, generatedAt: new Date().toISOString() }));
    process.stderr.write(`wrote ${path.relative(process.cwd(), out) || out}\n`);
  }
  return report;
}

export function registerDriftReportCommand(program: Command): void {
  program
    .command('drift-report')
    .summary('compare a data set with a baseline: per-feature drift scores and a verdict')
    .description(
      [
        "Bin a data set (CSV with a header row, scikit-learn CSV, or JSON Lines) with the baseline's frozen bins and print, per feature, the population stability index (PSI), the Jensen–Shannon divergence in log base 2, the L∞ distance (categorical features), the missing rate next to the baseline's, and the share of values outside the baseline's [min, max]; then the verdict. A feature drifts when PSI ≥ --psi-threshold or JS ≥ --js-threshold.",
        'Columns `label` and `prediction` in the data are compared with the baseline\'s label and prediction distributions. The exit code is 0 whether or not drift is found (2 for invalid input).',
      ].join('\n\n'),
    )
    .option('--baseline <file>', "baseline.json (see `servingstack baseline`; with --capture, default: the package's)")
    .option('--data <file>', 'data to compare: .csv or .jsonl')
    .option('--capture <path>', "captured traffic instead: the runtime's capture files or SageMaker data capture JSON Lines (file or folder)")
    .option('--model <dir>', 'with --capture: the model package (its signature reads the capture)')
    .option('--html <file>', 'also write a self-contained HTML report')
    .option('--psi-threshold <x>', 'PSI at or above which a feature drifts', String(DEFAULT_PSI_THRESHOLD))
    .option('--js-threshold <x>', 'JS divergence (log2) at or above which a feature drifts', String(DEFAULT_JS_THRESHOLD))
    .option('--label-column <name>', 'CSV column holding the label (default: a column named "label")')
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      ['', 'Examples:', '  $ servingstack drift-report --baseline examples/models/breast-cancer/baseline.json --data today.csv --html report.html', '  $ servingstack drift-report --baseline baseline.json --data window.jsonl --json', '  $ servingstack drift-report --model ./pkg --capture ./datacapture/my-endpoint --html drift.html'].join('\n'),
    )
    .action((options: DriftReportOptions) => {
      runDriftReport(options);
    });
}
