/**
 * Batch scoring of captured traffic: the captured predictions are replayed through the same
 * ModelMonitor the runtime runs (same settings, lib/monitoring/settings.ts; the record times as
 * its clock), then the labels are joined by id and applied in the labels file's order — so drift
 * windows, accuracy, concept drift and fairness come out as the runtime computes them when the
 * labels arrive after the traffic, in that order.
 * Labels files: CSV with a header (`id` and `label` columns, or named ones; read with csv-parse),
 * JSON Lines `{"id": …, "label": …}` (or `labels` for a multi-row request), or SageMaker Model
 * Monitor ground truth (`{"groundTruthData": {"data", "encoding"}, "eventMetadata": {"eventId"}}`).
 */
import * as fs from 'node:fs';
import { parse } from 'csv-parse/sync';
import { ServingStackError } from '../core/errors';
import type { CapturedPrediction } from './capture-file';
import { FairnessReport, ModelMonitor, MonitorOptions, PerformanceReport, SkipReason, WindowReport } from './monitor';
import type { Cell } from './baseline';
import type { CurrentData } from './report';
import type { Baseline } from './types';

export interface LabelRecord {
  readonly id: string;
  readonly labels: unknown;
}

export interface LabelFileOptions {
  /** @default 'id' */
  readonly idColumn?: string;
  /** @default 'label' */
  readonly labelColumn?: string;
}

/** A CSV cell as a label: integers and decimals as numbers, the rest as text. */
function cell(v: string): unknown {
  const t = v.trim();
  return t !== '' && Number.isFinite(Number(t)) ? Number(t) : t;
}

export function readLabels(file: string, o: LabelFileOptions = {}): LabelRecord[] {
  const idCol = o.idColumn ?? 'id';
  const labelCol = o.labelColumn ?? 'label';
  const text = fs.readFileSync(file, 'utf8');
  const bad = (where: string, message: string, received?: unknown): never => {
    throw new ServingStackError('SS_ERR_LABELS_INVALID', `${where}: ${message}`, [{ field: where, message, received, allowed: `CSV with ${idCol} and ${labelCol} columns, JSON Lines {"${idCol}", "${labelCol}"}, or SageMaker ground truth records` }]);
  };
  if (/\.jsonl?$/i.test(file) || text.trimStart().startsWith('{')) {
    const out: LabelRecord[] = [];
    text.split('\n').forEach((l, i) => {
      if (!l.trim()) return;
      let r: Record<string, unknown>;
      try {
        r = JSON.parse(l) as Record<string, unknown>;
      } catch {
        return bad(`${file}:${i + 1}`, 'is not JSON', l.slice(0, 80));
      }
      const gt = r.groundTruthData as { data?: string; encoding?: string } | undefined;
      if (gt) {
        const id = (r.eventMetadata as { eventId?: string; inferenceId?: string } | undefined)?.inferenceId ?? (r.eventMetadata as { eventId?: string } | undefined)?.eventId;
        if (typeof id !== 'string' || typeof gt.data !== 'string') return bad(`${file}:${i + 1}`, 'a ground-truth record needs eventMetadata.eventId and groundTruthData.data');
        const data = String(gt.encoding ?? 'CSV').toUpperCase() === 'BASE64' ? Buffer.from(gt.data, 'base64').toString('utf8') : gt.data;
        const parsed = String(gt.encoding ?? 'CSV').toUpperCase() === 'JSON' ? (JSON.parse(data) as unknown) : data.split(/\r?\n/).filter(Boolean).map(cell);
        out.push({ id, labels: parsed });
        return;
      }
      const id = r[idCol];
      if (typeof id !== 'string' && typeof id !== 'number') return bad(`${file}:${i + 1}`, `has no ${idCol}`, Object.keys(r));
      const labels = 'labels' in r ? r.labels : r[labelCol];
      if (labels === undefined) return bad(`${file}:${i + 1}`, `has no ${labelCol}`, Object.keys(r));
      out.push({ id: String(id), labels });
    });
    return out;
  }
  const records = parse(text, { bom: true, columns: true, skip_empty_lines: true, trim: true }) as Record<string, string>[];
  if (records.length && (!(idCol in records[0]) || !(labelCol in records[0]))) bad(file, `needs the columns ${idCol} and ${labelCol}`, Object.keys(records[0]));
  // Several rows with one id are one multi-row request's labels, in row order.
  const byId = new Map<string, unknown[]>();
  for (const r of records) {
    const list = byId.get(r[idCol]) ?? [];
    list.push(cell(r[labelCol]));
    byId.set(r[idCol], list);
  }
  return [...byId].map(([id, labels]) => ({ id, labels }));
}

export interface QualityReport {
  readonly model: string;
  readonly predictions: number;
  readonly rows: number;
  /** Closed windows, as the runtime publishes them; the last partial window is closed too when it has rows. */
  readonly windows: readonly WindowReport[];
  readonly performance: PerformanceReport;
  /** Concept-drift alarms, with the labelled row they fired on (1-based). */
  readonly conceptDrift: readonly { readonly detector: string; readonly atLabelledRow: number }[];
  /** Fairness of the last window (selection rates) and over the labelled rows (equalised odds). */
  readonly fairness?: FairnessReport;
  readonly labels: { readonly joined: number; readonly unmatched: number; readonly skipped: Readonly<Record<string, number>> };
}

export interface QualityOptions {
  /** Close the last, partial window as well (the runtime keeps it open). @default true */
  readonly closeLastWindow?: boolean;
}

export function scoreCapture(model: string, baseline: Baseline, options: MonitorOptions, predictions: readonly CapturedPrediction[], labels: readonly LabelRecord[], q: QualityOptions = {}): QualityReport {
  let clock = predictions[0]?.time || Date.now();
  const windows: WindowReport[] = [];
  const drift: { detector: string; atLabelledRow: number }[] = [];
  const m: { monitor?: ModelMonitor } = {};
  const skipped: Partial<Record<SkipReason, number>> = {};
  // Labels of any age are joined: the capture is the record, not the runtime's TTL.
  const monitor = new ModelMonitor(
    model,
    baseline,
    { ...options, feedbackTtlSeconds: 1e9, feedbackCacheSize: Math.max(options.feedbackCacheSize ?? 0, predictions.length + 1) },
    {
      onWindow: (w) => windows.push(w),
      onConceptDrift: (_m, detector) => drift.push({ detector, atLabelledRow: m.monitor!.labelledTotal }),
      onSkip: (_m, reason) => (skipped[reason] = (skipped[reason] ?? 0) + 1),
    },
    () => clock,
  );
  m.monitor = monitor;
  let rows = 0;
  const group = options.groupAttribute;
  for (const p of predictions) {
    if (p.time) {
      clock = p.time;
      monitor.tick();
    }
    monitor.observe(p.id, p.inputs, p.rows, p.outputs, group ? p.parameters?.[group] : undefined);
    rows += p.rows;
  }
  if ((q.closeLastWindow ?? true) && monitor.openWindowRows > 0) monitor.closeWindow();
  let joined = 0;
  let unmatched = 0;
  for (const l of labels) {
    const r = monitor.feedback(l.id, l.labels);
    if (r === null) joined++;
    else if (r.reason === 'unknown_id') unmatched++;
  }
  const perf = monitor.lastPerformance ?? monitor.performance();
  return {
    model,
    predictions: predictions.length,
    rows,
    windows,
    performance: perf,
    conceptDrift: drift,
    fairness: group ? { ...(windows[windows.length - 1]?.fairness ?? { selectionRates: {}, groupCounts: {} }), equalizedOddsDifference: perf.equalizedOddsDifference } : undefined,
    labels: { joined, unmatched, skipped: Object.fromEntries(Object.entries(skipped).filter(([k]) => k !== 'unknown_id')) as Record<string, number> },
  };
}

/** The captured rows as a data set for `compareWithBaseline` (drift-report over a capture): features by the baseline's locators, predictions as the monitor reads them. */
export function captureToData(baseline: Baseline, options: MonitorOptions, predictions: readonly CapturedPrediction[]): CurrentData {
  const monitor = new ModelMonitor('capture', baseline, { ...options, groupAttribute: undefined, windowRows: Number.MAX_SAFE_INTEGER });
  const rows: Cell[][] = [];
  const preds: Cell[] = [];
  const value = (v: unknown): Cell => (typeof v === 'bigint' ? Number(v) : typeof v === 'boolean' ? Number(v) : v === null || v === undefined ? null : (v as number | string));
  for (const p of predictions) {
    const out = monitor.observe(undefined, p.inputs, p.rows, p.outputs);
    for (let r = 0; r < p.rows; r++) {
      rows.push(
        baseline.features.map((f) => {
          const t = p.inputs.find((x) => x.name === f.input);
          return t ? value(t.data[r * t.rowSize + f.column]) : null;
        }),
      );
      if (baseline.prediction) preds.push(baseline.prediction.distribution.kind === 'numeric' ? Number(out[r]) : out[r]);
    }
  }
  return { featureNames: baseline.features.map((f) => f.name), rows, namedColumns: true, ...(baseline.prediction ? { predictions: preds } : {}) };
}
