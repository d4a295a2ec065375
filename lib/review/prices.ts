/**
 * The price table: shipped as data (`prices.json`), replaceable with `--prices <file>` (same
 * schema, validated with ajv). Lookups fall back from the unit's region to any region of the
 * same target, and say so.
 */
import * as fs from 'node:fs';
import Ajv from 'ajv';
import SHIPPED from './prices.json';
import { Target } from './model';

export interface PriceRow {
  readonly target: Target;
  readonly region: string;
  readonly date: string;
  readonly source: string;
  readonly verified: boolean;
  readonly note?: string;
}
export interface InstancePrice extends PriceRow {
  readonly type: string;
  readonly usdPerHour: number;
}
export type RateItem = 'serverless-gb-second' | 'serverless-provisioned-gb-second' | 'serverless-data-gb' | 'storage-gb-month' | 'logs-ingest-gb' | 'alarm-month' | 'dashboard-month' | 'gpu-hour';
export interface RatePrice extends PriceRow {
  readonly item: RateItem;
  readonly usd: number;
}
export interface PriceTable {
  readonly schemaVersion: 1;
  readonly currency: 'USD';
  readonly hoursPerMonth: number;
  readonly instances: readonly InstancePrice[];
  readonly rates: readonly RatePrice[];
}

const row = {
  target: { enum: ['aws', 'gcp', 'onprem', 'azure', 'edge'] },
  region: { type: 'string', minLength: 1 },
  date: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
  source: { type: 'string', minLength: 1 },
  verified: { type: 'boolean' },
  note: { type: 'string' },
};

export const PRICE_TABLE_SCHEMA = {
  type: 'object',
  required: ['schemaVersion', 'currency', 'hoursPerMonth', 'instances', 'rates'],
  properties: {
    $comment: { type: 'string' },
    schemaVersion: { const: 1 },
    currency: { const: 'USD' },
    hoursPerMonth: { type: 'number', exclusiveMinimum: 0 },
    instances: {
      type: 'array',
      items: { type: 'object', additionalProperties: false, required: ['target', 'type', 'region', 'usdPerHour', 'date', 'source', 'verified'], properties: { ...row, type: { type: 'string', minLength: 1 }, usdPerHour: { type: 'number', minimum: 0 } } },
    },
    rates: {
      type: 'array',
      items: {
        type: 'object', additionalProperties: false, required: ['target', 'item', 'region', 'usd', 'date', 'source', 'verified'],
        properties: { ...row, item: { enum: ['serverless-gb-second', 'serverless-provisioned-gb-second', 'serverless-data-gb', 'storage-gb-month', 'logs-ingest-gb', 'alarm-month', 'dashboard-month', 'gpu-hour'] }, usd: { type: 'number', minimum: 0 } },
      },
    },
  },
  additionalProperties: false,
} as const;

export const TRAFFIC_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    $comment: { type: 'string' },
    default: { $ref: '#/definitions/profile' },
    units: { type: 'object', additionalProperties: { $ref: '#/definitions/profile' } },
  },
  definitions: {
    profile: {
      type: 'object',
      additionalProperties: false,
      properties: {
        requestsPerMonth: { type: 'number', minimum: 0 },
        avgDurationMs: { type: 'number', minimum: 0 },
        payloadKB: { type: 'number', minimum: 0 },
        logBytesPerRequest: { type: 'number', minimum: 0 },
      },
    },
  },
} as const;

export interface TrafficProfile {
  readonly requestsPerMonth?: number;
  readonly avgDurationMs?: number;
  /** Request plus response size. */
  readonly payloadKB?: number;
  readonly logBytesPerRequest?: number;
}
export interface Traffic {
  readonly default?: TrafficProfile;
  /** By unit name (endpoint name, `namespace/deployment`). */
  readonly units?: Readonly<Record<string, TrafficProfile>>;
}

export class PriceInputError extends Error {}

const ajv = new Ajv({ allErrors: true });

function validated<T>(schema: object, value: unknown, what: string): T {
  const check = ajv.compile(schema);
  if (!check(value)) {
    const errors = (check.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message}${e.params && 'allowedValues' in e.params ? ` (allowed: ${(e.params.allowedValues as unknown[]).join(', ')})` : ''}`);
    throw new PriceInputError(`${what} is invalid: ${errors.join('; ')}`);
  }
  return value as T;
}

function readJsonFile(file: string, what: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new PriceInputError(`${what} ${file} cannot be read: ${(e as Error).message}`);
  }
}

export function shippedPrices(): PriceTable {
  return validated<PriceTable>(PRICE_TABLE_SCHEMA, SHIPPED, 'the shipped price table');
}

export function loadPrices(file?: string): PriceTable {
  return file === undefined ? shippedPrices() : validated<PriceTable>(PRICE_TABLE_SCHEMA, readJsonFile(file, 'price table'), `price table ${file}`);
}

export function loadTraffic(file?: string): Traffic {
  return file === undefined ? {} : validated<Traffic>(TRAFFIC_SCHEMA, readJsonFile(file, 'traffic profile'), `traffic profile ${file}`);
}

/** The row for a type in the region, or in another region of the same target (`otherRegion` set). */
export function findInstance(t: PriceTable, target: Target, type: string, region?: string): { price: InstancePrice; otherRegion: boolean } | undefined {
  const rows = t.instances.filter((p) => p.target === target && p.type.toLowerCase() === type.toLowerCase());
  const exact = rows.find((p) => p.region === region);
  if (exact) return { price: exact, otherRegion: false };
  return rows[0] ? { price: rows[0], otherRegion: true } : undefined;
}

export function findRate(t: PriceTable, target: Target, item: RateItem, region?: string): { price: RatePrice; otherRegion: boolean } | undefined {
  const rows = t.rates.filter((p) => p.target === target && p.item === item);
  const exact = rows.find((p) => p.region === region);
  if (exact) return { price: exact, otherRegion: false };
  return rows[0] ? { price: rows[0], otherRegion: true } : undefined;
}
