/** Shared by `servingstack diff` and `servingstack cost`: input errors as ServingStack errors, the format flag. */
import { Option } from 'commander';
import { ServingStackError } from '../../lib/core/errors';

export const REVIEW_INPUT_ERROR = 'SS_ERR_REVIEW_INPUT';

/** Exit code of `servingstack diff` when a security regression or a replacement is present. */
export const GATE_EXIT_CODE = 3;

export function formatOption(): Option {
  return new Option('--format <format>', 'output format').choices(['text', 'markdown', 'json']).default('text');
}

/** Run `fn`; the review module's input errors (unreadable folder, invalid price table) become ServingStack errors (exit 2). */
export async function asInputError<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const name = (e as Error).constructor?.name;
    if (['SynthOutputError', 'PriceInputError', 'GitSynthError'].includes(name)) throw new ServingStackError(REVIEW_INPUT_ERROR, (e as Error).message);
    throw e;
  }
}
