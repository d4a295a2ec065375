import { DistributionCounter } from '../../lib/monitoring/window';
import { ModelMonitor } from '../../lib/monitoring/monitor';
import type { Baseline, NumericDistribution } from '../../lib/monitoring/types';

const numeric: NumericDistribution = { kind: 'numeric', edges: [0.1, 0.2, 0.3], expected: [0, 0.5, 0.5, 0], min: 0.1, max: 0.3, mean: 0.2, std: 0.05 };

describe('DistributionCounter', () => {
  test('bins: underflow, inner bins, max in the last inner bin, overflow, missing', () => {
    const c = new DistributionCounter(numeric);
    for (const x of [0.05, 0.1, 0.15, 0.2, 0.3, 0.31, NaN]) c.add(x);
    expect(Array.from(c.counts)).toEqual([1, 2, 2, 1]);
    expect(c.missing).toBe(1);
    expect(c.scores().outOfRangeRate).toBeCloseTo(2 / 6, 10);
  });

  test('float32 inputs are compared with float32 edges (a value equal to the max stays inside)', () => {
    const as32 = new DistributionCounter(numeric, true);
    as32.add(Math.fround(0.3));
    expect(as32.counts[as32.counts.length - 1]).toBe(0);
    const naive = new DistributionCounter(numeric);
    naive.add(Math.fround(0.3)); // 0.30000001 > 0.3 in float64: overflow, the bug the flag avoids
    expect(naive.counts[naive.counts.length - 1]).toBe(1);
  });

  test('windows merge by adding counts', () => {
    const a = new DistributionCounter(numeric);
    const b = new DistributionCounter(numeric);
    a.add(0.15);
    b.add(0.25);
    b.add(NaN);
    a.merge(b);
    expect(Array.from(a.counts)).toEqual([0, 1, 1, 0]);
    expect(a.total).toBe(3);
    expect(a.missing).toBe(1);
  });

  test('categorical: top-K values plus other, L-infinity', () => {
    const c = new DistributionCounter({ kind: 'categorical', values: ['a', 'b'], expected: [0.5, 0.5, 0] });
    for (const v of ['a', 'a', 'a', 'z']) c.add(v);
    expect(Array.from(c.counts)).toEqual([3, 0, 1]);
    expect(c.scores().lInfinity).toBeCloseTo(0.5, 10);
  });
});

describe('ModelMonitor', () => {
  const baseline: Baseline = {
    schemaVersion: 1,
    rowCount: 100,
    task: 'classification',
    features: [{ name: 'x', input: 'input', column: 0, missingRate: 0, distribution: numeric }],
  };

  test('windows close by count and by time; labels expire after the TTL', () => {
    let now = 0;
    const windows: number[] = [];
    const m = new ModelMonitor('m', baseline, { windowRows: 4, windowSeconds: 10, minWindowRows: 1, feedbackTtlSeconds: 5 }, { onWindow: (w) => windows.push(w.rows) }, () => now);
    const obs = (id: string, x: number): string[] => m.observe(id, [{ name: 'input', data: [x], rowSize: 1 }], 1, [{ name: 'p', data: [0.2, 0.8], rowSize: 2 }]);
    expect(obs('a', 0.15)).toEqual(['1']); // argmax of probabilities
    for (let i = 0; i < 3; i++) obs(`b${i}`, 0.15);
    expect(windows).toEqual([4]);
    obs('c', 0.15);
    now = 11_000;
    m.tick();
    expect(windows).toEqual([4, 1]);
    expect(m.feedback('c', 1)).toMatchObject({ reason: 'expired_id' });
    expect(m.feedback('zzz', 1)).toMatchObject({ reason: 'unknown_id' });
  });

  test('a window closed early by time scales its thresholds by windowRows / rows', () => {
    let now = 0;
    const reports: { drifted: readonly string[]; rows: number }[] = [];
    const m = new ModelMonitor('m', baseline, { windowRows: 100, windowSeconds: 1, minWindowRows: 10, psiThreshold: 1, jsThreshold: 1 }, { onWindow: (w) => reports.push({ drifted: w.driftedFeatures, rows: w.rows }) }, () => now);
    // 20 rows all in one inner bin: PSI ≈ 4.6 against [0.5, 0.5] — over 1, under 1 × 100/20 = 5
    for (let i = 0; i < 20; i++) m.observe(undefined, [{ name: 'input', data: [0.15], rowSize: 1 }], 1, [{ name: 'p', data: [0.2, 0.8], rowSize: 2 }]);
    now = 2000;
    m.tick();
    expect(reports).toEqual([{ drifted: [], rows: 20 }]);
    for (let i = 0; i < 100; i++) m.observe(undefined, [{ name: 'input', data: [0.15], rowSize: 1 }], 1, [{ name: 'p', data: [0.2, 0.8], rowSize: 2 }]);
    expect(reports[1]).toEqual({ drifted: ['x'], rows: 100 });
  });

  test('the id cache is bounded: the oldest ids are evicted', () => {
    const m = new ModelMonitor('m', baseline, { feedbackCacheSize: 2 });
    for (const id of ['a', 'b', 'c']) m.observe(id, [{ name: 'input', data: [0.15], rowSize: 1 }], 1, [{ name: 'p', data: [0.2, 0.8], rowSize: 2 }]);
    expect(m.feedback('a', 1)).toMatchObject({ reason: 'unknown_id' });
    expect(m.feedback('c', 1)).toBeNull();
  });

  test('Page–Hinkley and DDM fire on a jump in the error rate', () => {
    const drifts: string[] = [];
    const m = new ModelMonitor('m', baseline, { windowRows: 1e9 }, { onConceptDrift: (_m, d) => drifts.push(d) });
    for (let i = 0; i < 3000; i++) {
      m.observe(`r${i}`, [{ name: 'input', data: [0.15], rowSize: 1 }], 1, [{ name: 'p', data: [0.9, 0.1], rowSize: 2 }]);
      expect(m.feedback(`r${i}`, i < 1000 ? 0 : 1)).toBeNull(); // right, then always wrong
    }
    expect(drifts).toEqual(expect.arrayContaining(['page_hinkley', 'ddm']));
    expect(m.performance().accuracy).toBe(0);
  });
});
