/**
 * Monthly cost estimate of a serving model: instances × hours (autoscaling bounds as a min–max
 * range), serverless per GB-second and data processed, async scaled to zero, data-capture
 * storage, logs, alarms and dashboards. Usage-based items need a traffic profile; without one
 * they are 0 and the estimate says so.
 */
import { ServingUnit, StackModel } from './model';
import { PriceTable, RateItem, Traffic, TrafficProfile, findInstance, findRate } from './prices';

export interface CostLine {
  readonly item: string;
  readonly quantity: string;
  readonly min: number;
  readonly max: number;
  /** Where the price comes from, `unpriced` when the table has no row. */
  readonly price: string;
  readonly verified: boolean;
}

export interface UnitCost {
  readonly unit: string;
  readonly lines: CostLine[];
  readonly min: number;
  readonly max: number;
}

export interface StackCost {
  readonly stack: string;
  readonly target: string;
  readonly units: UnitCost[];
  readonly min: number;
  readonly max: number;
  readonly notes: string[];
}

const round = (n: number): number => Math.round(n * 100) / 100;

function profileFor(traffic: Traffic, u: ServingUnit): Required<TrafficProfile> {
  const p = { ...(traffic.default ?? {}), ...(traffic.units?.[u.name] ?? traffic.units?.[u.id] ?? {}) };
  return { requestsPerMonth: p.requestsPerMonth ?? 0, avgDurationMs: p.avgDurationMs ?? 0, payloadKB: p.payloadKB ?? 0, logBytesPerRequest: p.logBytesPerRequest ?? 0 };
}

function rateLine(prices: PriceTable, u: ServingUnit, item: RateItem, label: string, quantity: number, unit: string): CostLine {
  // An edge fleet's logs, alarms and dashboards are CloudWatch's: AWS rates (the devices are the user's hardware).
  const r = findRate(prices, u.target === 'edge' ? 'aws' : u.target, item, u.cost.region);
  if (!r) return { item: label, quantity: `${quantity} ${unit}`, min: 0, max: 0, price: 'unpriced', verified: false };
  const cost = quantity * r.price.usd;
  return {
    item: label,
    quantity: `${+quantity.toPrecision(6)} ${unit} × $${r.price.usd}`,
    min: cost,
    max: cost,
    price: `${r.price.region}${r.otherRegion ? ` (no ${u.cost.region ?? 'region'} row)` : ''}, ${r.price.date}, ${r.price.source}`,
    verified: r.price.verified,
  };
}

export function unitCost(prices: PriceTable, traffic: Traffic, u: ServingUnit, stackWide: { dashboards: number } = { dashboards: 0 }): UnitCost {
  const lines: CostLine[] = [];
  const hours = prices.hoursPerMonth;
  const t = profileFor(traffic, u);
  for (const g of u.cost.instances) {
    if (u.target === 'onprem' || u.target === 'edge') {
      const gpu = findRate(prices, u.target, 'gpu-hour', u.cost.region);
      const gpus = g.gpus ?? 0;
      if (gpu && gpus > 0) {
        lines.push({ item: `${g.name}: ${g.type}`, quantity: `${g.min}–${g.max} × ${gpus} GPU × ${hours} h × $${gpu.price.usd}`, min: g.min * gpus * hours * gpu.price.usd, max: g.max * gpus * hours * gpu.price.usd, price: `${gpu.price.source}`, verified: gpu.price.verified });
      } else lines.push({ item: `${g.name}: ${g.type}`, quantity: `${g.min}–${g.max} replicas (${g.min * gpus}–${g.max * gpus} GPUs)`, min: 0, max: 0, price: 'unpriced (own hardware: add a gpu-hour rate with --prices)', verified: false });
      continue;
    }
    const p = findInstance(prices, u.target, g.type, u.cost.region);
    const range = g.min === g.max ? `${g.min}` : `${g.min}–${g.max}`;
    if (!p) {
      lines.push({ item: `${g.name}: ${g.type}`, quantity: `${range} × ${hours} h`, min: 0, max: 0, price: 'unpriced (no row in the price table)', verified: false });
      continue;
    }
    lines.push({
      item: `${g.name}: ${g.type}`,
      quantity: `${range} × ${hours} h × $${p.price.usdPerHour}`,
      min: g.min * hours * p.price.usdPerHour,
      max: g.max * hours * p.price.usdPerHour,
      price: `${p.price.region}${p.otherRegion ? ` (no ${u.cost.region ?? 'region'} row)` : ''}, ${p.price.date}, ${p.price.source}`,
      verified: p.price.verified,
    });
  }
  const s = u.cost.serverless;
  const gb = (s?.memoryMb ?? 0) / 1024;
  if (s) {
    lines.push(rateLine(prices, u, 'serverless-gb-second', 'serverless compute', t.requestsPerMonth * (t.avgDurationMs / 1000) * gb, 'GB-s'));
    if (s.provisionedConcurrency > 0) lines.push(rateLine(prices, u, 'serverless-provisioned-gb-second', `provisioned concurrency ${s.provisionedConcurrency}`, s.provisionedConcurrency * gb * hours * 3600, 'GB-s'));
    lines.push(rateLine(prices, u, 'serverless-data-gb', 'serverless data processed', (t.requestsPerMonth * t.payloadKB) / 1e6, 'GB'));
  }
  if (u.cost.dataCapturePercent > 0) {
    lines.push(rateLine(prices, u, 'storage-gb-month', `data capture ${u.cost.dataCapturePercent} % (one month stored)`, (t.requestsPerMonth * (u.cost.dataCapturePercent / 100) * t.payloadKB) / 1e6, 'GB'));
  }
  if (u.cost.mode === 'async') lines.push(rateLine(prices, u, 'storage-gb-month', 'async output (one month stored)', (t.requestsPerMonth * t.payloadKB) / 1e6, 'GB'));
  if (t.logBytesPerRequest > 0 && u.kind !== 'stack') lines.push(rateLine(prices, u, 'logs-ingest-gb', 'logs', (t.requestsPerMonth * t.logBytesPerRequest) / 1e9, 'GB'));
  if (u.cost.alarms > 0 && u.target !== 'onprem') lines.push(rateLine(prices, u, 'alarm-month', 'alarms', u.cost.alarms, 'alarms'));
  if (stackWide.dashboards > 0) lines.push(rateLine(prices, u, 'dashboard-month', 'dashboards', stackWide.dashboards, 'dashboards'));
  const rounded = lines.map((l) => ({ ...l, min: round(l.min), max: round(l.max) }));
  return { unit: u.name, lines: rounded, min: round(rounded.reduce((a, l) => a + l.min, 0)), max: round(rounded.reduce((a, l) => a + l.max, 0)) };
}

export function stackCost(prices: PriceTable, traffic: Traffic, s: StackModel): StackCost {
  const units = s.units.map((u) => unitCost(prices, traffic, u, u.kind === 'stack' ? { dashboards: s.dashboards } : undefined)).filter((c) => c.lines.length > 0);
  const notes: string[] = [];
  if (!traffic.default && !traffic.units) notes.push('no --traffic profile: usage-based items (serverless compute, data processed, data capture, logs) are 0');
  if (s.units.some((u) => u.cost.mode === 'async')) notes.push('async endpoints: the minimum assumes the endpoint scaled to zero all month');
  if (units.some((u) => u.lines.some((l) => !l.verified && !l.price.startsWith('unpriced')))) notes.push('prices marked unverified were not confirmed against their source: check them, or pass --prices');
  return { stack: s.name, target: s.target, units, min: round(units.reduce((a, u) => a + u.min, 0)), max: round(units.reduce((a, u) => a + u.max, 0)), notes };
}
