/**
 * CSV on the request path (`npm run bench:csv`): SageMaker `text/csv` bodies of 1, 64 and 1024
 * rows × 30 numeric columns, read by
 * - `hand-written`: the splitter codec.ts used before (split on newlines and commas, `Number()`);
 * - `csv-parse/sync`: the kept library (RFC 4180: quotes, CRLF), cells then read with `Number()`;
 * - `parseCsv (codec)`: the whole request decoding as served today (rows → checked FP32 tensor).
 * Median of 5 rounds of ≥ 300 ms each; µs per body and MB/s. Written to bench/results/csv.json with
 * machine info. Numbers are for comparing the two readers on one machine, not absolute targets.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import { mulberry32 } from '../lib/core/random';
import { parseCsv } from '../lib/runtime/codec';
import { ServedModel } from '../lib/runtime/model';

const COLUMNS = 30;
const ROW_COUNTS = [1, 64, 1024];
const ROUNDS = 5;
const ROUND_MS = 300;

function payload(rows: number): string {
  const r = mulberry32(rows);
  const lines: string[] = [];
  for (let i = 0; i < rows; i++) lines.push(Array.from({ length: COLUMNS }, (_, j) => (r() * 10 ** (j % 4)).toFixed(j % 3 === 0 ? 4 : 6)).join(','));
  return `${lines.join('\n')}\n`;
}

/** The hand-written reader codec.ts had: lines, commas, Number(). */
function handWritten(text: string): number[][] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim().length > 0);
  return lines.map((l) => l.split(',').map((c) => Number(c.trim())));
}

function withCsvParse(text: string): number[][] {
  const records = parse(text, { skip_empty_lines: true, trim: true, relax_column_count: true }) as string[][];
  return records.map((r) => r.map(Number));
}

const model = new ServedModel('bench', '1', 'bench#1', '.', 'model.onnx', undefined, [{ name: 'input', datatype: 'FP32', shape: [-1, COLUMNS], allowNonFinite: false }], [{ name: 'out', datatype: 'FP32', shape: [-1] }] as never, 64, 0);
const limits = { maxElements: 64 * 1024 * 1024, maxDepth: 32, maxBytesElementBytes: 1024 * 1024 };

function measure(fn: () => unknown): number {
  const perRound: number[] = [];
  for (let k = 0; k < 50; k++) fn(); // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    let n = 0;
    const start = process.hrtime.bigint();
    let elapsed = 0;
    while (elapsed < ROUND_MS * 1e6) {
      for (let i = 0; i < 20; i++) fn();
      n += 20;
      elapsed = Number(process.hrtime.bigint() - start);
    }
    perRound.push(elapsed / n / 1000);
  }
  perRound.sort((a, b) => a - b);
  return perRound[Math.floor(ROUNDS / 2)]!;
}

interface Row {
  readonly rows: number;
  readonly bytes: number;
  readonly handUs: number;
  readonly csvParseUs: number;
  readonly codecUs: number;
}

function main(): void {
  const results: Row[] = [];
  for (const rows of ROW_COUNTS) {
    const text = payload(rows);
    const a = handWritten(text);
    const b = withCsvParse(text);
    if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error(`readers disagree on ${rows} rows`);
    results.push({ rows, bytes: Buffer.byteLength(text), handUs: measure(() => handWritten(text)), csvParseUs: measure(() => withCsvParse(text)), codecUs: measure(() => parseCsv(model, text, limits)) });
  }
  const fmt = (us: number): string => (us < 10 ? us.toFixed(2) : us < 100 ? us.toFixed(1) : us.toFixed(0));
  const mbs = (bytes: number, us: number): string => (bytes / us).toFixed(0);
  const header = ['rows × 30', 'bytes', 'hand-written µs', 'csv-parse µs', 'ratio', 'csv-parse MB/s', 'parseCsv (codec) µs'];
  const lines = results.map((r) => [String(r.rows), String(r.bytes), fmt(r.handUs), fmt(r.csvParseUs), `${(r.csvParseUs / r.handUs).toFixed(1)}×`, mbs(r.bytes, r.csvParseUs), fmt(r.codecUs)]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const row = (cells: string[]): string => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  process.stdout.write(`${row(header)}\n${lines.map(row).join('\n')}\n`);
  const machine = { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version, platform: `${os.platform()} ${os.arch()}`, loadavg: os.loadavg() };
  const out = path.resolve(__dirname, 'results', 'csv.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), machine, columns: COLUMNS, rounds: ROUNDS, roundMs: ROUND_MS, results }, null, 2)}\n`);
  process.stdout.write(`\nwrote ${path.relative(process.cwd(), out)} (load average ${machine.loadavg.map((x) => x.toFixed(2)).join(', ')} on ${machine.cpus} cores)\n`);
}

main();
