/** Secrets made by Terraform at apply time. */
import { Fn } from './binding';

/**
 * A random token made by Terraform at apply time (the synthesized JSON holds the expression):
 * two `uuid()`s without dashes, 64 hex characters, 244 random bits from Go's crypto/rand.
 */
export function randomToken(): string {
  return Fn.join('', [Fn.replace(Fn.uuid(), '-', ''), Fn.replace(Fn.uuid(), '-', '')]);
}
