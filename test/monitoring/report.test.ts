import * as path from 'node:path';
import { loadDatasetCsv } from '../../scripts/lib/dataset';
import { computeBaseline } from '../../lib/monitoring/baseline';
import { covariateShift } from '../../lib/monitoring/generators';
import { barChartSvg, binLabels, compareWithBaseline, renderDriftHtml, renderDriftText } from '../../lib/monitoring/report';
import { psi } from '../../lib/monitoring/stats';

const ds = loadDatasetCsv(path.join(__dirname, '../../examples/data/breast_cancer.csv'));
const rows = ds.features.map((r) => [...r]);
const names = rows[0]!.map((_, j) => `f${j}`);
const baseline = computeBaseline({ rows, featureNames: names, inputName: 'input', labels: [...ds.labels], task: 'classification' });

describe('compareWithBaseline', () => {
  it('finds no drift in the baseline data itself (PSI 0 everywhere)', () => {
    const r = compareWithBaseline(baseline, { featureNames: names, rows, labels: [...ds.labels] });
    expect(r.drifted).toBe(false);
    expect(r.driftedFeatures).toEqual([]);
    expect(r.features).toHaveLength(31); // 30 features + label
    for (const f of r.features) {
      expect(f.psi).toBeCloseTo(0, 12);
      expect(f.jsDivergenceLog2).toBeCloseTo(0, 12);
    }
    expect(renderDriftText(r)).toContain('no drift: 0 of 31 features');
  });

  it('flags a feature shifted by 1σ: PSI above the threshold, listed first, others clean', () => {
    const shifted = covariateShift(rows, [3], 1);
    const r = compareWithBaseline(baseline, { featureNames: names, rows: shifted });
    expect(r.drifted).toBe(true);
    expect(r.driftedFeatures).toEqual(['f3']);
    const f3 = r.features[0]!;
    expect(f3.name).toBe('f3');
    expect(f3.psi).toBeGreaterThan(0.25);
    expect(f3.reasons[0]).toMatch(/^PSI [\d.]+ ≥ 0.25$/);
    // PSI is what stats.psi says over the frozen bins
    expect(f3.psi).toBeCloseTo(psi(f3.expected, f3.actual), 12);
    expect(f3.overflowRate).toBeGreaterThan(0);
    expect(f3.underflowRate).toBe(0);
    for (const f of r.features.slice(1)) expect(f.psi).toBe(0);
    expect(renderDriftText(r)).toMatch(/DRIFT: 1 of 30 features drifted .*: f3/);
  });

  it('honours custom thresholds', () => {
    const shifted = covariateShift(rows, [3], 0.2);
    const strict = compareWithBaseline(baseline, { featureNames: names, rows: shifted }, { psi: 0.01, js: 0.5 });
    const lax = compareWithBaseline(baseline, { featureNames: names, rows: shifted }, { psi: 5, js: 0.5 });
    expect(strict.driftedFeatures).toEqual(['f3']);
    expect(lax.drifted).toBe(false);
  });

  it('counts out-of-range and missing values and computes L∞ for categoricals', () => {
    const b = computeBaseline(
      { rows: [[1, 'a'], [2, 'a'], [3, 'b'], [4, 'c']], featureNames: ['n', 'c'], inputName: 'in', task: 'other' },
      { bins: 3, numeric: ['n'] },
    );
    const r = compareWithBaseline(b, { featureNames: ['c', 'n', 'extra'], rows: [['a', 0, 1], ['z', 5, 1], [null, 2, 1], ['b', null, 1]] });
    const n = r.features.find((f) => f.name === 'n')!;
    expect(n.underflowRate).toBeCloseTo(1 / 3, 12);
    expect(n.overflowRate).toBeCloseTo(1 / 3, 12);
    expect(n.missingRate).toBe(0.25);
    const c = r.features.find((f) => f.name === 'c')!;
    expect(c.bins).toEqual(['a', 'b', 'c', '(other)']);
    expect(c.expected).toEqual([0.5, 0.25, 0.25, 0]);
    expect(c.actual).toEqual([1 / 3, 1 / 3, 0, 1 / 3]);
    expect(c.lInfinity).toBeCloseTo(1 / 3, 12);
    expect(c.missingRate).toBe(0.25);
    expect(r.notes.join(' ')).toContain('extra');
  });

  it('matches columns by position when no name matches, and reports absent features', () => {
    const positional = compareWithBaseline(baseline, { featureNames: names.map((_, j) => `col${j}`), rows });
    expect(positional.drifted).toBe(false);
    expect(positional.notes[0]).toMatch(/matched by position/);
    const partial = compareWithBaseline(baseline, { featureNames: ['f0'], rows: rows.map((r) => [r[0]!]) });
    const f5 = partial.features.find((f) => f.name === 'f5')!;
    expect(f5.missingRate).toBe(1);
    expect(f5.notes).toContain('absent from the data');
  });

  it('labels bins for people', () => {
    expect(binLabels({ kind: 'numeric', edges: [1, 2.5, 4], expected: [0, 0.5, 0.5, 0], min: 1, max: 4, mean: 2, std: 1 })).toEqual(['< 1', '[1, 2.5)', '[2.5, 4]', '> 4']);
  });
});

describe('renderDriftHtml', () => {
  const shifted = covariateShift(rows, [3, 7], 1.5);
  const r = compareWithBaseline(baseline, { featureNames: names, rows: shifted, labels: [...ds.labels] });
  const html = renderDriftHtml(r, { baselineFile: 'pkg/baseline.json', dataFile: 'today<1>.csv' });

  it('is a self-contained page: inline CSS and SVG, no scripts, no external assets', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|<img|@import|url\(|src=|href="(?!#)/i);
    expect((html.match(/<svg /g) ?? []).length).toBe(31);
    expect(html).toContain('today&lt;1&gt;.csv');
  });

  it('puts the drifted features first, highlighted, with a verdict', () => {
    expect(html).toContain('Drift detected in 2 of 31 columns');
    const rowsHtml = html.slice(html.indexOf('<tbody>'), html.indexOf('</tbody>'));
    const first = rowsHtml.split('\n').filter((l) => l.startsWith('<tr'));
    expect(first[0]).toContain('class="drifted"');
    expect(first[1]).toContain('class="drifted"');
    expect(first[2]).not.toContain('drifted');
    expect(first.slice(0, 2).join(' ')).toMatch(/f3/);
    expect(first.slice(0, 2).join(' ')).toMatch(/f7/);
    const cards = html.match(/<section class="card[^"]*" id="f-[^"]+"/g)!;
    expect(cards.slice(0, 2).every((c) => c.includes('drifted'))).toBe(true);
    expect(cards[2]).not.toContain('drifted');
  });

  it('draws one baseline and one current bar per bin', () => {
    const f = r.features[0]!;
    const svg = barChartSvg(f);
    expect((svg.match(/<rect /g) ?? []).length).toBe(2 * f.bins.length);
    expect(svg).toContain('<title>');
    const ok = renderDriftHtml(compareWithBaseline(baseline, { featureNames: names, rows }));
    expect(ok).toContain('No drift: all 30 columns within thresholds');
  });
});
