import * as path from 'node:path';
import { loadDatasetCsv } from '../../scripts/lib/dataset';
import { columnStd, covariateShift, CovariateShiftStream, HyperplaneGenerator, mulberry32, SeaGenerator } from '../../lib/monitoring/generators';

const N = 20000;

describe('SEA concepts', () => {
  it('draws uniform features on [0, 10) and labels with x1 + x2 > θ', () => {
    const g = new SeaGenerator({ seed: 1, concept: 1, noise: 0 });
    let ones = 0;
    let outOfRange = 0;
    let wrongLabels = 0;
    const sums = [0, 0, 0];
    for (let i = 0; i < N; i++) {
      const s = g.next();
      s.x.forEach((v, j) => {
        if (!(v >= 0 && v < 10)) outOfRange++;
        sums[j]! += v;
      });
      if (s.y !== (s.x[0]! + s.x[1]! > 8 ? 1 : 0)) wrongLabels++;
      ones += s.y;
    }
    expect(outOfRange).toBe(0);
    expect(wrongLabels).toBe(0);
    for (const s of sums) expect(Math.abs(s / N - 5)).toBeLessThan(0.1);
    // P(x1 + x2 > 8) = 1 − 32/100 = 0.68 for U[0,10)²; 4σ ≈ 0.013 at n = 20k.
    expect(Math.abs(ones / N - 0.68)).toBeLessThan(0.013);
  });

  it.each([
    [1, 0.68],
    [2, 0.595],
    [3, 0.755],
    [4, 0.54875],
  ] as const)('concept f%d has class balance %d', (concept, p) => {
    const g = new SeaGenerator({ seed: 7, concept, noise: 0 });
    let ones = 0;
    for (let i = 0; i < N; i++) ones += g.next().y;
    expect(Math.abs(ones / N - p)).toBeLessThan(0.013);
  });

  it('flips labels with the noise probability', () => {
    const clean = new SeaGenerator({ seed: 3, noise: 0 });
    const noisy = new SeaGenerator({ seed: 3, noise: 0.1 });
    let flips = 0;
    for (let i = 0; i < N; i++) flips += clean.next().y !== noisy.next().y ? 1 : 0;
    expect(Math.abs(flips / N - 0.1)).toBeLessThan(0.009);
  });

  it('switching θ (f1 → f3) changes exactly the labels with 7 < x1 + x2 ≤ 8 (≈ 7.5 %)', () => {
    const a = new SeaGenerator({ seed: 11, concept: 1, noise: 0.1 });
    const b = new SeaGenerator({ seed: 11, concept: 1, noise: 0.1 });
    for (let i = 0; i < 100; i++) expect(a.next()).toEqual(b.next());
    b.setConcept(3);
    expect(b.threshold).toBe(7);
    let changed = 0;
    let unexpected = 0;
    for (let i = 0; i < N; i++) {
      const sa = a.next();
      const sb = b.next();
      const s = sa.x[0]! + sa.x[1]!;
      if (sb.x.some((v, j) => v !== sa.x[j]) || sa.y !== sb.y !== (s > 7 && s <= 8)) unexpected++;
      changed += sa.y !== sb.y ? 1 : 0;
    }
    expect(unexpected).toBe(0);
    expect(Math.abs(changed / N - 0.075)).toBeLessThan(0.008);
  });

  it('is deterministic per seed and differs across seeds', () => {
    const a = new SeaGenerator({ seed: 5 }).next();
    expect(new SeaGenerator({ seed: 5 }).next()).toEqual(a);
    expect(new SeaGenerator({ seed: 6 }).next()).not.toEqual(a);
  });
});

describe('rotating hyperplane', () => {
  it('has 10 uniform attributes and balanced classes (y = Σwx ≥ ½Σw)', () => {
    const g = new HyperplaneGenerator({ seed: 2, noise: 0 });
    const w = g.weights;
    expect(w).toHaveLength(10);
    let ones = 0;
    let wrong = 0;
    for (let i = 0; i < N; i++) {
      const s = g.next();
      if (s.x.length !== 10 || s.y !== HyperplaneGenerator.classify(w, s.x)) wrong++;
      ones += s.y;
    }
    expect(wrong).toBe(0);
    expect(Math.abs(ones / N - 0.5)).toBeLessThan(0.03);
    expect(g.weights).toEqual(w); // magChange 0: no drift
  });

  it('flips labels with the noise probability', () => {
    const g = new HyperplaneGenerator({ seed: 4, noise: 0.05 });
    const w = g.weights;
    let flips = 0;
    for (let i = 0; i < N; i++) {
      const s = g.next();
      flips += s.y !== HyperplaneGenerator.classify(w, s.x) ? 1 : 0;
    }
    expect(Math.abs(flips / N - 0.05)).toBeLessThan(0.007);
  });

  it('drift moves the first k weights only, and the old hyperplane starts to err', () => {
    const g = new HyperplaneGenerator({ seed: 9, noise: 0, magChange: 0.01, numDriftAttributes: 2, sigmaPercentage: 0.1 });
    const w0 = g.weights;
    let early = 0;
    for (let i = 0; i < 1000; i++) {
      const s = g.next();
      early += s.y !== HyperplaneGenerator.classify(w0, s.x) ? 1 : 0;
    }
    for (let i = 0; i < 20000; i++) g.next();
    const w1 = g.weights;
    expect(w1.slice(2)).toEqual(w0.slice(2));
    const moved = Math.abs(w1[0]! - w0[0]!) + Math.abs(w1[1]! - w0[1]!);
    expect(moved).toBeGreaterThan(0.1);
    // Every step moves each drifting weight by exactly ±magChange.
    let late = 0;
    for (let i = 0; i < 2000; i++) {
      const s = g.next();
      late += s.y !== HyperplaneGenerator.classify(w0, s.x) ? 1 : 0;
    }
    expect(late / 2000).toBeGreaterThan(early / 1000 + 0.03);
  });

  it('reverses the drift direction with probability sigmaPercentage', () => {
    const g = new HyperplaneGenerator({ seed: 12, magChange: 0.001, sigmaPercentage: 0.1, numDriftAttributes: 1 });
    let prev = g.weights[0]!;
    let prevStep = 0;
    let reversals = 0;
    let steps = 0;
    for (let i = 0; i < N; i++) {
      g.next();
      const w = g.weights[0]!;
      const step = Math.sign(w - prev);
      if (prevStep !== 0 && step !== prevStep) reversals++;
      if (prevStep !== 0) steps++;
      prevStep = step;
      prev = w;
    }
    expect(Math.abs(reversals / steps - 0.1)).toBeLessThan(0.01);
  });
});

describe('covariate shift on the breast-cancer data', () => {
  const ds = loadDatasetCsv(path.join(__dirname, '../../examples/data/breast_cancer.csv'));
  const rows = ds.features.map((r) => [...r]);
  const sigma = columnStd(rows);

  it('shifts the selected features by δσ exactly and leaves the others alone', () => {
    const shifted = covariateShift(rows, [0, 7], 0.5);
    const mean = (rs: number[][], j: number): number => rs.reduce((s, r) => s + r[j]!, 0) / rs.length;
    expect(mean(shifted, 0) - mean(rows, 0)).toBeCloseTo(0.5 * sigma[0]!, 9);
    expect(mean(shifted, 7) - mean(rows, 7)).toBeCloseTo(0.5 * sigma[7]!, 9);
    for (let j = 0; j < 30; j++) if (j !== 0 && j !== 7) expect(shifted.map((r) => r[j])).toEqual(rows.map((r) => r[j]));
    expect(columnStd(shifted)[0]).toBeCloseTo(sigma[0]!, 9);
  });

  it('streams bootstrap rows and shifts them once drifting', () => {
    const s = new CovariateShiftStream(rows, { seed: 1, features: [0], delta: 1 });
    let before = 0;
    let after = 0;
    for (let i = 0; i < 5000; i++) before += s.next()[0]!;
    s.drift(true);
    for (let i = 0; i < 5000; i++) after += s.next()[0]!;
    const m = rows.reduce((acc, r) => acc + r[0]!, 0) / rows.length;
    expect(Math.abs(before / 5000 - m)).toBeLessThan(0.2 * sigma[0]!);
    expect(Math.abs(after / 5000 - before / 5000 - sigma[0]!)).toBeLessThan(0.15 * sigma[0]!);
  });

  it('mulberry32 is uniform', () => {
    const r = mulberry32(42);
    const bins = new Array(10).fill(0);
    for (let i = 0; i < N; i++) bins[Math.floor(r() * 10)]++;
    for (const b of bins) expect(Math.abs(b / N - 0.1)).toBeLessThan(0.01);
  });
});
