/**
 * Progress of long commands (rollouts with their bake and health gates, baseline calibration, the
 * synthesis in `up`): a spinner (ora) on an interactive terminal, plain lines otherwise (CI, pipes,
 * files, tests). With `--json` the progress goes to stderr so stdout carries only the result.
 *
 * `step()` starts a phase (the previous one is marked done); `detail()` is transient status within
 * the phase (health checks, "still running"): the spinner's text on a terminal, a line elsewhere.
 */
import ora from 'ora';
import type { ProgressSink } from '../lib/core/progress';

export type { ProgressSink };

type Ora = ora.Ora;

export interface ProgressOptions {
  /** The command prints JSON on stdout: progress goes to stderr. @default false */
  readonly json?: boolean;
  /** Force the spinner on or off. @default - on when the stream is a terminal and CI is unset */
  readonly interactive?: boolean;
  /** Where progress goes. @default - stdout, or stderr with `json` */
  readonly stream?: NodeJS.WriteStream;
}

export class Progress implements ProgressSink {
  /** Progress for one command. */
  public static start(options: ProgressOptions = {}): Progress {
    return new Progress(options);
  }

  private readonly stream: NodeJS.WriteStream;
  private readonly spinner?: Ora;
  private current?: string;

  private constructor(options: ProgressOptions) {
    this.stream = options.stream ?? (options.json ? process.stderr : process.stdout);
    const interactive = options.interactive ?? (this.stream.isTTY === true && !process.env.CI);
    if (interactive) this.spinner = ora({ stream: this.stream, discardStdin: false, isEnabled: true });
  }

  public step(message: string): void {
    if (!this.spinner) return this.line(message);
    if (this.current !== undefined) this.spinner.succeed(this.current);
    this.current = message;
    this.spinner.start(message);
  }

  public detail(message: string): void {
    if (!this.spinner) return this.line(message);
    this.spinner.text = this.current !== undefined ? `${this.current} — ${message.trim()}` : message.trim();
    if (this.spinner.isSpinning) this.spinner.render();
    else this.spinner.start();
  }

  /** A line that stays (a result, a warning), above the spinner on a terminal. */
  public line(message: string): void {
    if (this.spinner?.isSpinning) {
      const text = this.spinner.text;
      this.spinner.stop();
      this.stream.write(`${message}\n`);
      this.spinner.start(text);
      return;
    }
    this.stream.write(`${message}\n`);
  }

  /** The command finished: the current phase is marked done. */
  public succeed(): void {
    if (this.spinner && this.current !== undefined) this.spinner.succeed(this.current);
    this.spinner?.stop();
    this.current = undefined;
  }

  /** The command failed: the current phase is marked failed (the error is printed by the caller). */
  public fail(): void {
    if (this.spinner && this.current !== undefined) this.spinner.fail(this.current);
    this.spinner?.stop();
    this.current = undefined;
  }

  /** Run `fn` with this progress; the phase ends done or failed with it. */
  public async run<T>(fn: (p: Progress) => Promise<T>): Promise<T> {
    try {
      const result = await fn(this);
      this.succeed();
      return result;
    } catch (e) {
      this.fail();
      throw e;
    }
  }
}

/** Print a command's result: JSON (with `--json`) or text, on stdout. */
export function printResult(json: boolean | undefined, value: unknown, text: () => string): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    return;
  }
  const t = text();
  process.stdout.write(t.endsWith('\n') ? t : `${t}\n`);
}
