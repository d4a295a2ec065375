/** Secrets made by Terraform at apply time, shared by the cdktf targets. */
import { Fn } from './binding';

/**
 * A random token made by Terraform at apply time (the synthesized JSON holds the expression):
 * two `uuid()`s without dashes, 64 hex characters, 244 random bits from Go's crypto/rand.
 * `uuid()` changes at every plan: resources holding it ignore changes to it after creation.
 */
export function randomToken(): string {
  return Fn.join('', [Fn.replace(Fn.uuid(), '-', ''), Fn.replace(Fn.uuid(), '-', '')]);
}
