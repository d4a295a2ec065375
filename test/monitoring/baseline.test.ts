import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { errorOf } from '../support/errors';
import { binOf, computeBaseline, numericBin, quantileEdges, readBaseline, serializeBaseline, validateBaseline } from '../../lib/monitoring/baseline';
import type { Baseline, NumericDistribution } from '../../lib/monitoring/types';

const col = (values: (number | string | null)[]): (number | string | null)[][] => values.map((v) => [v]);

function numeric(b: Baseline, i = 0): NumericDistribution {
  const d = b.features[i]!.distribution;
  if (d.kind !== 'numeric') throw new Error(`feature ${i} is ${d.kind}`);
  return d;
}

/** The shared error capture, with the issue fields listed. */
function failureOf(fn: () => unknown): { code: string; fields: string[]; error: ReturnType<typeof errorOf> } {
  const error = errorOf(fn);
  return { code: error.code, fields: error.issues.map((i) => i.field), error };
}

describe('computeBaseline', () => {
  it('freezes quantile edges (type 7) and the exact share per bin', () => {
    const b = computeBaseline({ rows: col([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]), featureNames: ['x'], inputName: 'in', task: 'regression' }, { bins: 5 });
    const d = numeric(b);
    expect(d.edges).toEqual([1, 2.8, 4.6, 6.4, 8.2, 10]);
    // underflow, 5 inner bins of 2 values each (10 = max falls in the last inner bin), overflow
    expect(d.expected).toEqual([0, 0.2, 0.2, 0.2, 0.2, 0.2, 0]);
    expect(d.min).toBe(1);
    expect(d.max).toBe(10);
    expect(d.mean).toBe(5.5);
    expect(d.std).toBeCloseTo(Math.sqrt(8.25), 12);
    expect(b).toMatchObject({ schemaVersion: 1, rowCount: 10, task: 'regression', features: [{ name: 'x', input: 'in', column: 0, missingRate: 0 }] });
  });

  it('collapses duplicate edges of a point mass', () => {
    const b = computeBaseline({ rows: col([0, 0, 0, 0, 0, 0, 1, 2, 3, 4]), featureNames: ['x'], inputName: 'in', task: 'other' }, { bins: 5, numeric: ['x'] });
    const d = numeric(b);
    // q(0.2) = q(0.4) = 0 collapse into the min; q(0.6) = 0.4, q(0.8) = 2.2
    expect(d.edges).toEqual([0, 0.4, 2.2, 4]);
    expect(d.expected).toEqual([0, 0.6, 0.2, 0.2, 0]);
  });

  it('uses 10 bins by default and shares that sum to 1', () => {
    const rows = col(Array.from({ length: 1000 }, (_, i) => (i * 7919) % 1000));
    const d = numeric(computeBaseline({ rows, featureNames: ['x'], inputName: 'in', task: 'other' }));
    expect(d.edges).toHaveLength(11);
    expect(d.expected).toHaveLength(12);
    expect(d.expected.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
    for (const e of d.expected.slice(1, -1)) expect(e).toBeCloseTo(0.1, 2);
  });

  it('bins x < min as underflow, x = max in the last inner bin, x > max as overflow, missing as -1', () => {
    const edges = [1, 2, 3];
    expect(numericBin(edges, 0.5)).toBe(0);
    expect(numericBin(edges, 1)).toBe(1);
    expect(numericBin(edges, 2.5)).toBe(2);
    expect(numericBin(edges, 3)).toBe(2);
    expect(numericBin(edges, 3.0001)).toBe(3);
    expect(numericBin(edges, NaN)).toBe(-1);
    const d = { kind: 'numeric', edges, expected: [0, 0.5, 0.5, 0], min: 1, max: 3, mean: 2, std: 1 } as const;
    expect(binOf(d, null)).toBe(-1);
    expect(binOf(d, '2.5')).toBe(2);
    expect(binOf(d, 'abc')).toBe(-1);
  });

  it('records missing values as missingRate and shares over present values', () => {
    const b = computeBaseline({ rows: col([1, null, 2, NaN, 3, '', 4, 5, 6, 7]), featureNames: ['x'], inputName: 'in', task: 'other' }, { bins: 2 });
    expect(b.features[0]!.missingRate).toBeCloseTo(0.3, 12);
    const d = numeric(b);
    expect(d.edges).toEqual([1, 4, 7]);
    expect(d.expected).toEqual([0, 3 / 7, 4 / 7, 0]);
  });

  it('treats strings, ≤ 5 distinct values and listed names as categorical, with top-K + other', () => {
    const rows = [
      ['a', 1, 10],
      ['b', 0, 11],
      ['a', 1, 12],
      ['c', 1, 13],
      ['a', 0, 14],
      ['b', 1, 15],
      ['d', 1, 16],
      ['e', 0, 17],
    ];
    const b = computeBaseline({ rows, featureNames: ['s', 'flag', 'n'], inputName: 'in', task: 'other' }, { topK: 2, categorical: ['n'] });
    expect(b.features[0]!.distribution).toEqual({ kind: 'categorical', values: ['a', 'b'], expected: [3 / 8, 2 / 8, 3 / 8] });
    expect(b.features[1]!.distribution).toEqual({ kind: 'categorical', values: ['1', '0'], expected: [5 / 8, 3 / 8, 0] });
    // all counts tie at 1: code-unit order of the value
    expect(b.features[2]!.distribution).toEqual({ kind: 'categorical', values: ['10', '11'], expected: [1 / 8, 1 / 8, 6 / 8] });
  });

  it('makes a constant column categorical (no bins to freeze)', () => {
    const b = computeBaseline({ rows: col([3, 3, 3]), featureNames: ['c'], inputName: 'in', task: 'other' }, { numeric: ['c'] });
    expect(b.features[0]!.distribution).toEqual({ kind: 'categorical', values: ['3'], expected: [1, 0] });
  });

  it('records the prediction distribution and class shares of the labels', () => {
    const rows = col([1, 2, 3, 4]);
    const b = computeBaseline({ rows, featureNames: ['x'], inputName: 'in', predictions: [0, 1, 1, 1], predictionOutput: 'label', labels: [0, 0, 1, 1], task: 'classification' });
    expect(b.prediction).toEqual({ output: 'label', mode: 'class', distribution: { kind: 'categorical', values: ['1', '0'], expected: [0.75, 0.25, 0] } });
    expect(b.labels).toEqual({ kind: 'categorical', values: ['0', '1'], expected: [0.5, 0.5, 0] });
    const r = computeBaseline({ rows, featureNames: ['x'], inputName: 'in', predictions: [0.5, 1.5, 2.5, 3.5], predictionOutput: 'y', task: 'regression' }, { bins: 2 });
    expect(r.prediction!.mode).toBe('value');
    expect(r.prediction!.distribution).toMatchObject({ kind: 'numeric', edges: [0.5, 2, 3.5] });
    expect(validateBaseline(JSON.parse(serializeBaseline(b)))).toEqual(b);
  });

  it('refuses ragged rows and duplicate names', () => {
    const { code, fields } = failureOf(() => computeBaseline({ rows: [[1, 2], [3]], featureNames: ['a', 'a'], inputName: 'in', task: 'other' }));
    expect(code).toBe('SS_ERR_BASELINE_DATA');
    expect(fields).toEqual(['rows[1]', 'featureNames[1]']);
  });
});

describe('validateBaseline', () => {
  const good = (): Baseline =>
    computeBaseline(
      { rows: Array.from({ length: 50 }, (_, i) => [i, i % 3 === 0 ? 'x' : 'y', (i * 37) % 50]), featureNames: ['a', 'b', 'c'], inputName: 'input', task: 'classification', predictions: Array.from({ length: 50 }, (_, i) => i % 2), predictionOutput: 'label' },
      { bins: 4 },
    );

  it('accepts what computeBaseline writes', () => {
    const b = JSON.parse(serializeBaseline(good())) as Baseline;
    expect(validateBaseline(b)).toEqual(b);
  });

  it('lists every schema problem with its field, what was received and what is allowed', () => {
    const b = JSON.parse(serializeBaseline(good())) as Record<string, unknown> & { features: Record<string, unknown>[] };
    b.schemaVersion = 2;
    delete b.task;
    b.features[0]!.missingRate = 1.5;
    (b.features[1]!.distribution as Record<string, unknown>).values = 'x';
    b.features[2]!.colour = 'red';
    (b.features[2]!.distribution as Record<string, unknown>).kind = 'histogram';
    const { code, fields, error } = failureOf(() => validateBaseline(b, 'b.json'));
    expect(code).toBe('SS_ERR_BASELINE_INVALID');
    expect(fields).toEqual(expect.arrayContaining(['schemaVersion', 'task', 'features[0].missingRate', 'features[1].distribution.values', 'features[2].colour', 'features[2].distribution.kind']));
    const mr = error.issues.find((i) => i.field === 'features[0].missingRate')!;
    expect(mr.received).toBe(1.5);
    expect(mr.allowed).toBe('≤ 1');
    expect(error.message).toContain('b.json is not a valid ServingStack baseline');
  });

  it('lists every semantic problem: edges order, share counts, share sums, non-finite values, duplicates', () => {
    const b = JSON.parse(serializeBaseline(good())) as { features: { name: string; distribution: Record<string, unknown> }[]; prediction: { distribution: Record<string, unknown> } };
    const d0 = b.features[0]!.distribution as { edges: number[]; expected: number[] };
    d0.edges = [0, 20, 10, 30, 49];
    (b.features[1]!.distribution as { expected: number[] }).expected = [0.5, 0.5];
    const d2 = b.features[2]!.distribution as { expected: number[]; min: number };
    d2.expected = d2.expected.map((x) => x * 0.9);
    d2.min = -1;
    b.features[2]!.name = 'a';
    (b.prediction.distribution as { values: string[] }).values = ['1', '1'];
    const { fields, error } = failureOf(() => validateBaseline(b));
    expect(fields).toEqual([
      'features[0].distribution.edges',
      'features[1].distribution.expected',
      'features[2].name',
      'features[2].distribution.min',
      'features[2].distribution.expected',
      'prediction.distribution.values[1]',
    ]);
    expect(error.issues[0]!.allowed).toMatch(/strictly ascending/);
    expect(error.issues[1]).toMatchObject({ received: 2, allowed: '3' });
    expect(error.issues[4]!.received).toBeCloseTo(0.9, 9);
  });

  it('rejects NaN through the schema', () => {
    const b = JSON.parse(serializeBaseline(good())) as { features: { distribution: { mean: number } }[] };
    b.features[0]!.distribution.mean = NaN;
    expect(failureOf(() => validateBaseline(b)).fields).toEqual(['features[0].distribution.mean']);
  });

  it('checks numeric share count = edges + 1', () => {
    const b = JSON.parse(serializeBaseline(good())) as { features: { distribution: { expected: number[] } }[] };
    b.features[0]!.distribution.expected = b.features[0]!.distribution.expected.slice(0, -1);
    const { fields, error } = failureOf(() => validateBaseline(b));
    expect(fields).toEqual(['features[0].distribution.expected']);
    expect(error.issues[0]!.message).toMatch(/edges.length \+ 1/);
  });

  it('readBaseline reports a missing file and bad JSON', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-baseline-'));
    expect(failureOf(() => readBaseline(path.join(dir, 'none.json'))).fields).toEqual(['file']);
    fs.writeFileSync(path.join(dir, 'bad.json'), '{nope');
    expect(failureOf(() => readBaseline(path.join(dir, 'bad.json'))).code).toBe('SS_ERR_BASELINE_INVALID');
    fs.writeFileSync(path.join(dir, 'ok.json'), serializeBaseline(good()));
    expect(readBaseline(path.join(dir, 'ok.json')).features).toHaveLength(3);
    fs.rmSync(dir, { recursive: true });
  });
});

describe('quantileEdges', () => {
  it('starts at the min and ends at the max exactly', () => {
    const v = [0.1 + 0.2, 0.7, 1 / 3, 2 / 3].sort((a, b) => a - b);
    const e = quantileEdges(v, 3);
    expect(e[0]).toBe(v[0]);
    expect(e[e.length - 1]).toBe(v[v.length - 1]);
  });
});
