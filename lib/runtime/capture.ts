/**
 * Data capture for targets without a managed one: sampled request/response records appended as
 * JSON Lines to `<dir>/capture.jsonl`, rotated at a size limit to `capture-<time>-<seq>.jsonl`,
 * keeping the newest `maxFiles` rotated files. Writes are buffered by a stream; a failing disk is
 * logged and capture turns itself off rather than failing requests.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface CaptureOptions {
  readonly dir: string;
  /** 0–100. */
  readonly percent: number;
  readonly maxBytes: number;
  readonly maxFiles: number;
  readonly onError?: (e: Error) => void;
}

export interface CaptureRecord {
  readonly time: string;
  readonly requestId: string;
  readonly model: string;
  readonly version: string;
  readonly inputs: Record<string, { readonly datatype: string; readonly shape: readonly number[]; readonly data: unknown[] }>;
  readonly outputs?: Record<string, { readonly datatype: string; readonly shape: readonly number[]; readonly data: unknown[] }>;
  readonly status: number;
  /** Request-level parameters (for the fairness group attribute), when the request had any. */
  readonly parameters?: Record<string, unknown>;
}

export class CaptureWriter {
  private stream?: fs.WriteStream;
  private bytes = 0;
  private seq = 0;
  private disabled = false;
  public written = 0;
  private readonly file: string;

  constructor(private readonly o: CaptureOptions) {
    fs.mkdirSync(o.dir, { recursive: true });
    this.file = path.join(o.dir, 'capture.jsonl');
    this.bytes = fs.existsSync(this.file) ? fs.statSync(this.file).size : 0;
  }

  /** Whether this request is in the sample. */
  public sample(): boolean {
    return !this.disabled && (this.o.percent >= 100 || Math.random() * 100 < this.o.percent);
  }

  public write(record: CaptureRecord): void {
    if (this.disabled) return;
    const line = `${JSON.stringify(record)}\n`;
    const size = Buffer.byteLength(line);
    if (this.bytes > 0 && this.bytes + size > this.o.maxBytes) this.rotate();
    if (!this.stream) {
      this.stream = fs.createWriteStream(this.file, { flags: 'a' });
      this.stream.on('error', (e) => {
        this.disabled = true;
        this.o.onError?.(e);
      });
    }
    this.stream.write(line);
    this.bytes += size;
    this.written++;
  }

  private rotate(): void {
    const old = this.stream;
    this.stream = undefined;
    old?.end();
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    try {
      fs.renameSync(this.file, path.join(this.o.dir, `capture-${stamp}-${String(this.seq++).padStart(4, '0')}.jsonl`));
    } catch (e) {
      this.o.onError?.(e as Error);
    }
    this.bytes = 0;
    const rotated = fs
      .readdirSync(this.o.dir)
      .filter((f) => /^capture-.+\.jsonl$/.test(f))
      .sort();
    for (const f of rotated.slice(0, Math.max(0, rotated.length - this.o.maxFiles))) fs.rmSync(path.join(this.o.dir, f), { force: true });
  }

  public close(): Promise<void> {
    const s = this.stream;
    this.stream = undefined;
    return new Promise((resolve) => (s ? s.end(() => resolve()) : resolve()));
  }
}
