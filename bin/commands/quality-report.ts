/**
 * `servingstack quality-report --model <package> --capture <file|dir> [--labels <file>]`: replay
 * captured traffic (the runtime's capture files or SageMaker data capture) through the runtime's
 * monitor, join labels by id, and print drift per window, accuracy, concept drift and fairness,
 * as the runtime computes them; optionally as JSON or a self-contained HTML report.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { ServingStackError } from '../../lib/core/errors';
import { readBaseline } from '../../lib/monitoring/baseline';
import { readCapture } from '../../lib/monitoring/capture-file';
import { captureToData, readLabels, scoreCapture, QualityReport } from '../../lib/monitoring/quality';
import { renderQualityHtml, renderQualityText } from '../../lib/monitoring/quality-render';
import { compareWithBaseline, DriftReport } from '../../lib/monitoring/report';
import { monitorOptions, MonitorSettings } from '../../lib/monitoring/settings';
import type { ModelManifest } from '../../lib/core/manifest';
import { printResult } from '../progress';

export interface QualityReportOptions {
  readonly model: string;
  readonly capture: string;
  readonly labels?: string;
  readonly baseline?: string;
  readonly idColumn?: string;
  readonly labelColumn?: string;
  readonly windowRows?: string;
  readonly windowSeconds?: string;
  readonly minWindowRows?: string;
  readonly psiThreshold?: string;
  readonly jsThreshold?: string;
  readonly group?: string;
  readonly positiveClass?: string;
  readonly minGroupCount?: string;
  readonly html?: string;
  readonly json?: boolean;
}

function numberFlag(name: string, raw: string | undefined, min: number, max: number, integer: boolean): number | undefined {
  if (raw === undefined) return undefined;
  const v = Number(raw);
  if (!Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    throw new ServingStackError('SS_ERR_QUALITY_OPTIONS', `${name} is out of range`, [{ field: name, message: 'is out of range', received: raw, allowed: `${integer ? 'a whole number' : 'a number'} in ${min} … ${max}` }]);
  }
  return v;
}

/** The package's manifest and baseline, and the monitor settings from the flags (runtime defaults otherwise). */
export function loadMonitoredPackage(o: QualityReportOptions): { manifest: ModelManifest; baselineFile: string; settings: MonitorSettings } {
  const manifestFile = path.join(o.model, 'servingstack.json');
  if (!fs.existsSync(manifestFile)) throw new ServingStackError('SS_ERR_QUALITY_OPTIONS', `${o.model} is not a model package`, [{ field: '--model', message: 'has no servingstack.json', received: o.model, allowed: 'a model package directory' }]);
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as ModelManifest;
  const baselineFile = o.baseline ?? (manifest.baseline ? path.join(o.model, manifest.baseline) : undefined);
  if (!baselineFile) throw new ServingStackError('SS_ERR_QUALITY_OPTIONS', 'no baseline', [{ field: '--baseline', message: 'the package names no baseline and --baseline is not given', allowed: 'servingstack baseline, or --baseline <file>' }]);
  const settings: MonitorSettings = {
    windowRows: numberFlag('--window-rows', o.windowRows, 1, 10_000_000, true),
    windowSeconds: numberFlag('--window-seconds', o.windowSeconds, 1, 86_400, true) ?? 300,
    minWindowRows: numberFlag('--min-window-rows', o.minWindowRows, 1, 10_000_000, true) ?? 100,
    psiThreshold: numberFlag('--psi-threshold', o.psiThreshold, 0, 100, false),
    jsThreshold: numberFlag('--js-threshold', o.jsThreshold, 0, 1, false),
    groupAttribute: o.group,
    positiveClass: o.positiveClass ?? '1',
    minGroupCount: numberFlag('--min-group-count', o.minGroupCount, 1, 10_000_000, true) ?? 30,
  };
  return { manifest, baselineFile, settings };
}

export function runQualityReport(o: QualityReportOptions): { quality: QualityReport; drift: DriftReport } {
  const { manifest, baselineFile, settings } = loadMonitoredPackage(o);
  const baseline = readBaseline(baselineFile);
  const options = monitorOptions(baseline, { task: manifest.task, inputs: manifest.signature.inputs, outputs: manifest.signature.outputs }, settings);
  const capture = readCapture(o.capture, manifest.signature);
  const predictions = capture.predictions.filter((p) => p.model === undefined || p.model === manifest.name);
  if (predictions.length === 0) throw new ServingStackError('SS_ERR_CAPTURE_INVALID', `${o.capture} holds no predictions of ${manifest.name}`, [{ field: '--capture', message: 'holds no captured predictions of this model', received: capture.files.length, allowed: 'runtime capture files or SageMaker data capture' }]);
  const labels = o.labels ? readLabels(o.labels, { idColumn: o.idColumn, labelColumn: o.labelColumn }) : [];
  const quality = scoreCapture(manifest.name, baseline, options, predictions, labels);
  const drift = compareWithBaseline(baseline, captureToData(baseline, options, predictions), { psi: options.psiThreshold, js: options.jsThreshold });
  printResult(o.json, { ...quality, drift }, () => renderQualityText(quality, drift));
  if (o.html) {
    const out = path.resolve(o.html);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, renderQualityHtml(quality, drift, { captureFile: o.capture, labelsFile: o.labels, generatedAt: new Date().toISOString() }));
    process.stderr.write(`wrote ${path.relative(process.cwd(), out) || out}\n`);
  }
  return { quality, drift };
}

export function registerQualityReportCommand(program: Command): void {
  program
    .command('quality-report')
    .summary('score captured traffic: drift per window, accuracy, concept drift and fairness, as the runtime computes them')
    .description(
      [
        "Replay captured predictions — the runtime's capture files (SERVINGSTACK_CAPTURE_DIR: capture.jsonl and its rotated files) or SageMaker data capture JSON Lines (a local folder, e.g. an `aws s3 sync` of the capture prefix) — through the runtime's own monitor, with its settings, then join labels by id and score them.",
        'Ids: the runtime\'s request id (OIP `id` or `x-request-id`), or SageMaker\'s inferenceId, else eventId. Labels: CSV with id and label columns, JSON Lines {"id", "label"} (or "labels" for a multi-row request), or SageMaker ground-truth records. Labels are applied after the traffic, in file order: the figures equal the runtime\'s when its labels arrived that way.',
      ].join('\n\n'),
    )
    .requiredOption('--model <dir>', 'the model package (manifest signature and baseline)')
    .requiredOption('--capture <path>', 'capture file or folder')
    .option('--labels <file>', 'labels: .csv or .jsonl')
    .option('--baseline <file>', "baseline (default: the package's)")
    .option('--id-column <name>', 'labels id column', 'id')
    .option('--label-column <name>', 'labels label column', 'label')
    .option('--window-rows <n>', "rows per window (default: the baseline's calibrated window, else 1000)")
    .option('--window-seconds <n>', 'a window also closes after this many seconds of capture time (default 300)')
    .option('--min-window-rows <n>', 'windows with fewer rows publish no drift scores (default 100)')
    .option('--psi-threshold <x>', "PSI at or above which a feature drifts (default: the baseline's calibration, else 0.25)")
    .option('--js-threshold <x>', "JS divergence (log2) at or above which a feature drifts (default: the baseline's calibration, else 0.1)")
    .option('--group <name>', 'fairness group attribute: a request parameter or a baseline feature')
    .option('--positive-class <c>', 'favourable class for fairness (default 1)')
    .option('--min-group-count <n>', 'groups with fewer rows publish no fairness values (default 30)')
    .option('--html <file>', 'also write a self-contained HTML report')
    .option('--json', 'print the report as JSON')
    .addHelpText('after', ['', 'Examples:', '  $ servingstack quality-report --model examples/models/breast-cancer --capture /var/capture --labels labels.csv --html quality.html', '  $ servingstack quality-report --model ./pkg --capture ./datacapture/my-endpoint/AllTraffic --labels gt.jsonl --json'].join('\n'))
    .action((options: QualityReportOptions) => {
      runQualityReport(options);
    });
}
