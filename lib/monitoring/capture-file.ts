/**
 * Captured traffic, read back for batch scoring: the runtime's own capture files
 * (`capture.jsonl` and rotated `capture-<time>-<seq>.jsonl`, lib/runtime/capture.ts) and SageMaker
 * data capture (JSON Lines of `{captureData: {endpointInput, endpointOutput}, eventMetadata}`,
 * each side's `data` encoded CSV, JSON or BASE64), from a file or a folder (an S3 export keeps
 * SageMaker's `<endpoint>/<variant>/yyyy/mm/dd/hh/*.jsonl` tree: it is walked recursively).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ServingStackError } from '../core/errors';
import type { ObservedTensor } from './monitor';

/** One captured prediction, as the monitor reads it. */
export interface CapturedPrediction {
  /** The runtime's request id, or SageMaker's inferenceId, else its eventId. */
  readonly id: string;
  /** Milliseconds since the epoch. */
  readonly time: number;
  readonly rows: number;
  readonly inputs: readonly ObservedTensor[];
  readonly outputs: readonly ObservedTensor[];
  readonly parameters?: Record<string, unknown>;
  readonly model?: string;
}

/** What decoding a SageMaker record needs of the model (its signature). */
export interface CaptureSignature {
  /** FP32 inputs are rounded to float32, as the runtime reads them. */
  readonly inputs: readonly { readonly name: string; readonly shape: readonly number[]; readonly datatype?: string }[];
  readonly outputs: readonly { readonly name: string; readonly shape: readonly number[] }[];
}

export type CaptureFormat = 'servingstack' | 'sagemaker';

function fail(file: string, line: number, message: string, received?: unknown): never {
  throw new ServingStackError('SS_ERR_CAPTURE_INVALID', `${file}:${line}: ${message}`, [
    { field: `${file}:${line}`, message, received, allowed: 'runtime capture records (SERVINGSTACK_CAPTURE_DIR) or SageMaker data capture JSON Lines' },
  ]);
}

/** The capture files under `location` in the order they were written. */
export function captureFiles(location: string): string[] {
  if (!fs.existsSync(location)) throw new ServingStackError('SS_ERR_CAPTURE_INVALID', `${location} does not exist`, [{ field: location, message: 'does not exist', allowed: 'a capture file or folder' }]);
  if (!fs.statSync(location).isDirectory()) return [location];
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.jsonl$/.test(e.name)) out.push(p);
    }
  };
  walk(location);
  // The runtime's live file is the newest: rotated files (capture-<time>-<seq>) sort before it.
  return out.sort((a, b) => (path.dirname(a) === path.dirname(b) ? rank(a) - rank(b) || a.localeCompare(b) : a.localeCompare(b)));
}

function rank(file: string): number {
  return path.basename(file) === 'capture.jsonl' ? 1 : 0;
}

const rowSize = (shape: readonly number[]): number => shape.slice(1).reduce((a, b) => a * Math.max(1, b), 1);

function flatten(v: unknown, out: unknown[]): void {
  if (Array.isArray(v)) for (const x of v) flatten(x, out);
  else out.push(v);
}

function tensor(name: string, rows: unknown[]): ObservedTensor {
  const data: unknown[] = [];
  for (const r of rows) flatten(r, data);
  return { name, data: data as ObservedTensor['data'], rowSize: rows.length ? data.length / rows.length : 1 };
}

/** A runtime capture record: tensors as the model saw them. */
function fromRuntime(rec: Record<string, unknown>, file: string, line: number): CapturedPrediction {
  const tensors = (m: unknown): ObservedTensor[] =>
    Object.entries((m ?? {}) as Record<string, { shape: number[]; data: unknown[] }>).map(([name, t]) => ({ name, data: t.data as ObservedTensor['data'], rowSize: rowSize(t.shape) }));
  const inputs = tensors(rec.inputs);
  const first = Object.values((rec.inputs ?? {}) as Record<string, { shape: number[] }>)[0];
  if (!first || typeof rec.requestId !== 'string') fail(file, line, 'a runtime capture record needs requestId and inputs', Object.keys(rec));
  return { id: rec.requestId, time: Date.parse(String(rec.time)), rows: first.shape[0] ?? 1, inputs, outputs: tensors(rec.outputs), parameters: rec.parameters as Record<string, unknown> | undefined, model: rec.model as string };
}

function decode(side: { data?: unknown; encoding?: unknown; observedContentType?: unknown } | undefined, file: string, line: number, which: string): { text: string; contentType: string } {
  if (!side || typeof side.data !== 'string') fail(file, line, `captureData.${which}.data is missing`);
  const enc = String(side.encoding ?? 'JSON').toUpperCase();
  const text = enc === 'BASE64' ? Buffer.from(side.data, 'base64').toString('utf8') : side.data;
  return { text, contentType: String(side.observedContentType ?? '').split(';')[0].trim().toLowerCase() };
}

const csvRows = (text: string): number[][] =>
  text
    .split(/\r?\n/)
    .filter((l) => l.trim())
    .map((l) => l.split(',').map((c) => (c.trim() === '' ? NaN : Number(c))));

/** A SageMaker data-capture record, decoded with the model's signature (the single input; outputs by name). */
function fromSageMaker(rec: Record<string, unknown>, sig: CaptureSignature, file: string, line: number): CapturedPrediction {
  const cd = rec.captureData as { endpointInput?: Record<string, unknown>; endpointOutput?: Record<string, unknown> };
  const meta = (rec.eventMetadata ?? {}) as { eventId?: string; inferenceId?: string; inferenceTime?: string };
  const id = meta.inferenceId ?? meta.eventId;
  if (typeof id !== 'string') fail(file, line, 'eventMetadata.eventId is missing');
  const input = decode(cd.endpointInput, file, line, 'endpointInput');
  const output = decode(cd.endpointOutput, file, line, 'endpointOutput');
  let rows: unknown[];
  let parameters: Record<string, unknown> | undefined;
  let inputs: ObservedTensor[];
  try {
    if (input.contentType === 'text/csv') {
      rows = csvRows(input.text);
      inputs = [tensor(sig.inputs[0].name, rows)];
    } else {
      const doc = JSON.parse(input.text) as unknown;
      if (doc && typeof doc === 'object' && !Array.isArray(doc) && Array.isArray((doc as { inputs?: unknown }).inputs) && typeof ((doc as { inputs: unknown[] }).inputs[0] as { name?: unknown })?.name === 'string') {
        const oip = doc as { inputs: { name: string; shape: number[]; data: unknown }[]; parameters?: Record<string, unknown> };
        inputs = oip.inputs.map((t) => {
          const data: unknown[] = [];
          flatten(t.data, data);
          return { name: t.name, data: data as ObservedTensor['data'], rowSize: rowSize(t.shape) };
        });
        rows = new Array(oip.inputs[0].shape[0] ?? 1);
        parameters = oip.parameters;
      } else {
        const d = doc as Record<string, unknown>;
        const key = Array.isArray(doc) ? undefined : ['instances', 'data', 'input_data', 'inputs'].find((k) => k in d);
        rows = (key ? d[key] : doc) as unknown[];
        if (!Array.isArray(rows)) fail(file, line, 'the captured request names no instances');
        parameters = key ? (d.parameters as Record<string, unknown> | undefined) : undefined;
        inputs = [tensor(sig.inputs[0].name, rows)];
      }
    }
  } catch (e) {
    if (e instanceof ServingStackError) throw e;
    fail(file, line, `the captured request cannot be read: ${(e as Error).message}`);
  }
  const n = rows.length;
  let outputs: ObservedTensor[];
  if (output.contentType === 'text/csv') {
    const out = csvRows(output.text);
    const steps = sig.outputs.map((o) => rowSize(o.shape));
    let off = 0;
    outputs = sig.outputs.map((o, i) => {
      const step = sig.outputs.length === 1 ? (out[0]?.length ?? 1) : steps[i];
      const t = tensor(o.name, out.map((r) => r.slice(off, off + step)));
      off += step;
      return t;
    });
  } else {
    const doc = JSON.parse(output.text) as { predictions?: unknown[]; outputs?: { name: string; shape: number[]; data: unknown }[] };
    if (Array.isArray(doc.outputs)) {
      outputs = doc.outputs.map((t) => {
        const data: unknown[] = [];
        flatten(t.data, data);
        return { name: t.name, data: data as ObservedTensor['data'], rowSize: rowSize(t.shape) };
      });
    } else if (Array.isArray(doc.predictions)) {
      const preds = doc.predictions;
      const named = preds.length > 0 && preds[0] !== null && typeof preds[0] === 'object' && !Array.isArray(preds[0]);
      outputs = named ? Object.keys(preds[0] as object).map((k) => tensor(k, preds.map((p) => (p as Record<string, unknown>)[k]))) : [tensor(sig.outputs[0]?.name ?? 'output', preds)];
    } else fail(file, line, 'the captured response has neither predictions nor outputs');
  }
  // The request as sent: FP32 inputs become float32 in the runtime before anything reads them.
  const fp32 = new Set(sig.inputs.filter((t) => t.datatype === 'FP32').map((t) => t.name));
  inputs = inputs.map((t) => (fp32.has(t.name) ? { ...t, data: Array.from(t.data as ArrayLike<unknown>, (v) => (typeof v === 'number' ? Math.fround(v) : v)) as ObservedTensor['data'] } : t));
  return { id, time: Date.parse(meta.inferenceTime ?? '') || 0, rows: n, inputs, outputs, parameters };
}

/** Read every captured prediction under `location` (a file or folder), in capture order. */
export function readCapture(location: string, sig: CaptureSignature): { format: CaptureFormat | 'empty'; files: string[]; predictions: CapturedPrediction[] } {
  const files = captureFiles(location);
  const predictions: CapturedPrediction[] = [];
  let format: CaptureFormat | 'empty' = 'empty';
  for (const file of files) {
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    lines.forEach((l, i) => {
      if (!l.trim()) return;
      let rec: Record<string, unknown>;
      try {
        rec = JSON.parse(l) as Record<string, unknown>;
      } catch {
        fail(file, i + 1, 'is not JSON', l.slice(0, 80));
      }
      if (rec.captureData) {
        format = 'sagemaker';
        predictions.push(fromSageMaker(rec, sig, file, i + 1));
      } else if (rec.requestId !== undefined) {
        if (rec.status !== undefined && rec.status !== 200) return;
        format = 'servingstack';
        predictions.push(fromRuntime(rec, file, i + 1));
      } else fail(file, i + 1, 'is neither a runtime capture record nor a SageMaker data-capture record', Object.keys(rec));
    });
  }
  return { format, files, predictions };
}
