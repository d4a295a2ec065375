/**
 * Tabular data files for baselines and drift reports: CSV (read with csv-parse, RFC 4180: quotes,
 * quoted commas and newlines), scikit-learn's bundled CSV format, and JSON Lines.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { parse } from 'csv-parse/sync';
import { ServingStackError, ValidationIssue } from '../core/errors';
import type { Cell } from './baseline';

export type DataFormat = 'csv' | 'sklearn-csv' | 'jsonl';

export interface LoadedRows {
  readonly format: DataFormat;
  /** Column names: the CSV header or JSONL keys (first-seen order); `f0…` for scikit-learn CSV. */
  readonly featureNames: string[];
  /** Whether the names came from the file (false for scikit-learn CSV). */
  readonly namedColumns: boolean;
  readonly rows: Cell[][];
  /** Label per row when the file has one (scikit-learn CSV's last column, the label column, JSONL `label`). */
  readonly labels?: Cell[];
  /** Class names from a scikit-learn CSV header. */
  readonly classNames?: string[];
  readonly sha256: string;
}

export interface LoadRowsOptions {
  /** Header CSV: the label column. @default `label` when the header has it */
  readonly labelColumn?: string;
}

/** Strings read as missing in CSV files (besides the empty field). */
export const MISSING_TOKENS = new Set(['NA', 'N/A', 'NaN', 'nan', 'null', 'NULL', 'None']);

/** One CSV field as read, and whether it was quoted (a quoted field is always text). */
export interface CsvField {
  readonly value: string;
  readonly quoted: boolean;
}

interface CsvRecord {
  readonly fields: CsvField[];
  /** 1-based line of the file the record ends on. */
  readonly line: number;
}

/**
 * Read CSV text into records of fields, ragged rows kept (the caller names them), blank lines
 * skipped. A quote inside an unquoted field is a character, as spreadsheets write it.
 */
export function readCsvRecords(text: string, file: string): CsvRecord[] {
  let parsed: { record: CsvField[]; info: { lines: number } }[];
  try {
    parsed = parse(text, {
      bom: true,
      info: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      cast: (value, context) => ({ value, quoted: context.quoting }),
    }) as unknown as { record: CsvField[]; info: { lines: number } }[];
  } catch (e) {
    const line = (e as { lines?: number }).lines;
    throw dataError(file, [{ field: line !== undefined ? `${file}:${line}` : file, message: (e as Error).message, allowed: 'CSV (RFC 4180): comma-separated fields, quotes doubled inside quoted fields' }]);
  }
  return parsed
    .filter((r) => !(r.record.length === 1 && !r.record[0]!.quoted && r.record[0]!.value.trim() === ''))
    .map((r) => ({ fields: r.record, line: r.info.lines }));
}

/** Split one CSV line into fields (RFC 4180 quotes). */
export function splitCsvLine(line: string): CsvField[] {
  return readCsvRecords(line, '(line)')[0]?.fields ?? [{ value: '', quoted: false }];
}

function parseCell(raw: string, quoted: boolean): Cell {
  if (quoted) return raw === '' ? null : raw;
  const t = raw.trim();
  if (t === '' || MISSING_TOKENS.has(t)) return null;
  const x = Number(t);
  return Number.isFinite(x) ? x : t;
}

function dataError(file: string, issues: ValidationIssue[]): ServingStackError {
  return new ServingStackError('SS_ERR_DATA_INVALID', `${file} is not a readable data file`, issues);
}

function isSklearnHeader(cells: readonly string[], next: CsvRecord | undefined): boolean {
  if (cells.length < 3) return false;
  const n = Number(cells[0]);
  const m = Number(cells[1]);
  if (!Number.isInteger(n) || !Number.isInteger(m) || n < 1 || m < 1 || cells[0]!.trim() === '' || cells[1]!.trim() === '') return false;
  return next === undefined || next.fields.length === m + 1;
}

function parseCsv(text: string, file: string, o: LoadRowsOptions, sha256: string): LoadedRows {
  const records = readCsvRecords(text, file);
  if (records.length === 0) throw dataError(file, [{ field: file, message: 'is empty', allowed: 'a header line and data rows' }]);
  const headerCells = records[0]!.fields.map((c) => c.value.trim());
  const sklearn = isSklearnHeader(headerCells, records[1]);
  const issues: ValidationIssue[] = [];
  let names: string[];
  let labelIndex = -1;
  let classNames: string[] | undefined;
  if (sklearn) {
    const m = Number(headerCells[1]);
    names = Array.from({ length: m }, (_, j) => `f${j}`);
    labelIndex = m;
    classNames = headerCells.slice(2);
    if (Number(headerCells[0]) !== records.length - 1) {
      issues.push({ field: `${file}:${records[0]!.line}`, message: `header says ${headerCells[0]} rows, the file has ${records.length - 1}`, received: records.length - 1, allowed: headerCells[0] });
    }
  } else {
    names = headerCells;
    const wanted = o.labelColumn ?? (headerCells.includes('label') ? 'label' : undefined);
    if (wanted !== undefined) {
      labelIndex = headerCells.indexOf(wanted);
      if (labelIndex < 0) issues.push({ field: 'labelColumn', message: `is not a column of ${file}`, received: wanted, allowed: headerCells.join(', ') });
    }
  }
  const width = sklearn ? names.length + 1 : names.length;
  const rows: Cell[][] = [];
  const labels: Cell[] = [];
  for (const record of records.slice(1)) {
    const cells = record.fields;
    if (cells.length !== width) {
      if (issues.length < 10) issues.push({ field: `${file}:${record.line}`, message: `has ${cells.length} fields`, received: cells.length, allowed: String(width) });
      continue;
    }
    const parsed = cells.map((c) => parseCell(c.value, c.quoted));
    if (labelIndex >= 0) labels.push(parsed[labelIndex]!);
    rows.push(labelIndex >= 0 ? parsed.filter((_, j) => j !== labelIndex) : parsed);
  }
  if (issues.length > 0) throw dataError(file, issues);
  const featureNames = labelIndex >= 0 && !sklearn ? names.filter((_, j) => j !== labelIndex) : names;
  return {
    format: sklearn ? 'sklearn-csv' : 'csv',
    featureNames,
    namedColumns: !sklearn,
    rows,
    ...(labelIndex >= 0 ? { labels } : {}),
    ...(classNames ? { classNames } : {}),
    sha256,
  };
}

function jsonCell(v: unknown): Cell | undefined {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string') return v === '' ? null : v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return undefined;
}

function parseJsonl(text: string, file: string, sha256: string): LoadedRows {
  const objects: Record<string, unknown>[] = [];
  const issues: ValidationIssue[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      const o = JSON.parse(line) as unknown;
      if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new Error('not a JSON object');
      objects.push(o as Record<string, unknown>);
    } catch (e) {
      if (issues.length < 10) issues.push({ field: `${file}:${i + 1}`, message: (e as Error).message, allowed: 'one JSON object per line, keyed by feature name' });
    }
  });
  if (objects.length === 0 && issues.length === 0) issues.push({ field: file, message: 'has no rows', allowed: 'one JSON object per line' });
  if (issues.length > 0) throw dataError(file, issues);
  const names: string[] = [];
  const seen = new Set<string>();
  let hasLabel = false;
  for (const o of objects) {
    for (const k of Object.keys(o)) {
      if (k === 'label') {
        hasLabel = true;
        continue;
      }
      if (!seen.has(k)) {
        seen.add(k);
        names.push(k);
      }
    }
  }
  const rows: Cell[][] = [];
  const labels: Cell[] = [];
  objects.forEach((o, i) => {
    rows.push(
      names.map((k) => {
        const c = jsonCell(o[k]);
        if (c === undefined) {
          if (issues.length < 10) issues.push({ field: `${file}:${i + 1}.${k}`, message: 'is not a number, string, boolean or null', received: o[k], allowed: 'a scalar value' });
          return null;
        }
        return c;
      }),
    );
    if (hasLabel) labels.push(jsonCell(o.label) ?? null);
  });
  if (issues.length > 0) throw dataError(file, issues);
  return { format: 'jsonl', featureNames: names, namedColumns: true, rows, ...(hasLabel ? { labels } : {}), sha256 };
}

/**
 * Load a tabular data file. `.jsonl`/`.ndjson`: one object per line keyed by feature name, with an
 * optional `label`. Anything else is CSV: either scikit-learn's format (first line
 * `n_rows,n_features,class0,class1…`, the last column is the integer label, features named
 * `f0…`) or a header line of column names (the label column is `labelColumn`, or `label`).
 * Empty fields and NA/NaN/null/None are missing; numeric-looking fields are numbers.
 */
export function loadRows(file: string, options: LoadRowsOptions = {}): LoadedRows {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (e) {
    throw dataError(file, [{ field: 'file', message: (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : (e as Error).message, received: file, allowed: 'a .csv or .jsonl file' }]);
  }
  const sha256 = createHash('sha256').update(buf).digest('hex');
  const text = buf.toString('utf8').replace(/^\uFEFF/, '');
  return /\.(jsonl|ndjson)$/i.test(file) ? parseJsonl(text, file, sha256) : parseCsv(text, file, options, sha256);
}
