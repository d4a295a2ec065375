/** What every protocol plugin is given: the data plane, the route guard and the decoding limits. */
import type { DataPlane } from '../data-plane';
import type { Guard } from '../http/guard';
import type { DecodeLimits } from '../tensor';

export interface ProtocolContext {
  readonly plane: DataPlane;
  readonly guard: Guard;
  readonly limits: DecodeLimits;
}

/** Path parameters, validated by the route schemas. */
export const MODEL_NAME = { type: 'string', minLength: 1, maxLength: 200 } as const;

export const modelParams = {
  type: 'object',
  properties: { model: MODEL_NAME, version: { type: 'string', minLength: 1, maxLength: 200 } },
  required: ['model'],
} as const;

export const nameParams = { type: 'object', properties: { name: MODEL_NAME }, required: ['name'] } as const;

/** `{ [key]: boolean }` health bodies. */
export function flagSchema(key: string): Record<string, unknown> {
  return { type: 'object', properties: { [key]: { type: 'boolean' } }, required: [key] };
}

export const tensorMetadataSchema = {
  type: 'object',
  properties: { name: { type: 'string' }, datatype: { type: 'string' }, shape: { type: 'array', items: { type: 'integer' } } },
  required: ['name', 'datatype', 'shape'],
} as const;

export const modelMetadataSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    versions: { type: 'array', items: { type: 'string' } },
    platform: { type: 'string' },
    inputs: { type: 'array', items: tensorMetadataSchema },
    outputs: { type: 'array', items: tensorMetadataSchema },
  },
  required: ['name', 'versions', 'platform', 'inputs', 'outputs'],
} as const;
