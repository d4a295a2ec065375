/**
 * How long-running library code (rollout executors, the baseline builder) reports progress without
 * printing: the CLI renders it (a spinner on a terminal, plain lines elsewhere); a library user
 * passes their own.
 */
export interface ProgressSink {
  /** A new phase begins, e.g. `deploying version 3`. */
  step(message: string): void;
  /** Status within the current phase, e.g. a health check during the bake. */
  detail(message: string): void;
}

/** Progress as plain lines through `write` (every step and detail one line). */
export function lineProgress(write: (line: string) => void): ProgressSink {
  return { step: write, detail: write };
}
