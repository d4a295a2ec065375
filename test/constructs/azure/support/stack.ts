import * as path from 'node:path';
import { Testing } from '../../../../constructs/cdktf/binding';
import { AzureServingStack, AzureServingStackProps } from '../../../../constructs/azure';
import { TerraformTemplate } from './template';

export const ROOT = path.resolve(__dirname, '../../../..');
export const PACKAGE = path.join(ROOT, 'examples/models/breast-cancer');
export const TINY = path.join(ROOT, 'test/constructs/gcp/fixtures/tiny');
export const SUB = '11111111-2222-3333-4444-555555555555';
export const TENANT = '99999999-8888-7777-6666-555555555555';

export function newStack(props: Partial<AzureServingStackProps> = {}): AzureServingStack {
  return new AzureServingStack(Testing.app(), 'serving', { location: 'westeurope', resourceGroupName: 'rg-ml', ...props });
}

export function synth(stack: AzureServingStack): TerraformTemplate {
  return TerraformTemplate.synth(stack);
}

type Json = Record<string, unknown>;

/** azapi_resource blocks of an ARM type (`Namespace/type`, any API version). */
export function armResources(t: TerraformTemplate, resourceType: string): Json[] {
  return t.resources('azapi_resource').filter((r) => String(r.type).split('@')[0] === resourceType);
}

export function oneArm(t: TerraformTemplate, resourceType: string, match: (r: Json) => boolean = () => true): Json {
  const found = armResources(t, resourceType).filter(match);
  if (found.length !== 1) throw new Error(`expected one ${resourceType}, found ${found.length}`);
  return found[0]!;
}

/** Run `fn` and return the ServingStackError it throws. */
export function errorOf(fn: () => unknown): { code: string; message: string; issues: { field: string; received?: unknown; allowed?: string }[] } {
  try {
    fn();
  } catch (e) {
    return e as { code: string; message: string; issues: { field: string; received?: unknown; allowed?: string }[] };
  }
  throw new Error('expected an error');
}
