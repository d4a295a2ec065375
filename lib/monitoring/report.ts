/**
 * Drift reports: bin a data set against a baseline (frozen bins), compute per-feature PSI,
 * Jensen–Shannon divergence (log2), L∞ (categoricals), missing and out-of-range rates, decide
 * which features drifted, and render the result as text or as a self-contained HTML page.
 */
import { binCounts, Cell } from './baseline';
import type { LoadedRows } from './data-file';
import { jsDivergenceLog2, lInfinity, psi, shares } from './stats';
import type { Baseline, Distribution } from './types';

export const DEFAULT_PSI_THRESHOLD = 0.25;
export const DEFAULT_JS_THRESHOLD = 0.1;
/** Below this many present values per bin (on average) the scores are noisy: the report says so. */
export const MIN_VALUES_PER_BIN = 10;

export interface DriftThresholds {
  /** A feature drifts when its PSI is ≥ this. @default 0.25 */
  readonly psi?: number;
  /** …or when its JS divergence (log2) is ≥ this. @default 0.1 */
  readonly js?: number;
}

export interface FeatureDrift {
  readonly name: string;
  /** `prediction` and `label` rows compare the model's predictions and the labels. */
  readonly role: 'feature' | 'prediction' | 'label';
  readonly kind: Distribution['kind'];
  /** Bin labels in `expected` order. */
  readonly bins: readonly string[];
  readonly expected: readonly number[];
  /** Current shares over the present values (same bins). */
  readonly actual: readonly number[];
  readonly counts: readonly number[];
  /** Values present (non-missing) in the data. */
  readonly present: number;
  readonly psi: number;
  readonly jsDivergenceLog2: number;
  /** Categoricals only. */
  readonly lInfinity?: number;
  readonly missingRate: number;
  readonly baselineMissingRate: number;
  /** Numeric only: share of present values below the baseline min / above the baseline max. */
  readonly underflowRate?: number;
  readonly overflowRate?: number;
  readonly drifted: boolean;
  /** Why it drifted (`PSI 0.41 ≥ 0.25`), or notes (column absent, few values). */
  readonly reasons: readonly string[];
  readonly notes: readonly string[];
}

export interface DriftReport {
  readonly rowCount: number;
  readonly baselineRowCount: number;
  readonly thresholds: { readonly psi: number; readonly js: number };
  /** Drifted first (by PSI, descending), then the others by PSI. */
  readonly features: readonly FeatureDrift[];
  readonly drifted: boolean;
  readonly driftedFeatures: readonly string[];
  readonly notes: readonly string[];
}

export interface CurrentData {
  readonly featureNames: readonly string[];
  readonly rows: readonly (readonly Cell[])[];
  /** Whether the names came from the file (else they are positional `f0…`). */
  readonly namedColumns?: boolean;
  readonly labels?: readonly Cell[];
  readonly predictions?: readonly Cell[];
}

export function fmt(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return x.toExponential(2);
  return String(Number(x.toFixed(digits)));
}

/** Human labels of a distribution's bins: `< 1.2`, `[1.2, 3.4)`, `[5.6, 7.8]`, `> 7.8`; values then `(other)`. */
export function binLabels(d: Distribution): string[] {
  if (d.kind === 'categorical') return [...d.values, '(other)'];
  const e = d.edges;
  const out = [`< ${fmt(e[0]!)}`];
  for (let i = 1; i < e.length; i++) out.push(`[${fmt(e[i - 1]!)}, ${fmt(e[i]!)}${i === e.length - 1 ? ']' : ')'}`);
  out.push(`> ${fmt(e[e.length - 1]!)}`);
  return out;
}

function compareColumn(
  name: string,
  role: FeatureDrift['role'],
  dist: Distribution,
  baselineMissingRate: number,
  values: readonly (Cell | undefined)[] | undefined,
  t: { psi: number; js: number },
): FeatureDrift {
  const notes: string[] = [];
  const { counts, missing, total } = values ? binCounts(dist, values) : { counts: new Array<number>(dist.expected.length).fill(0), missing: 0, total: 0 };
  if (!values) notes.push('absent from the data');
  const present = total - missing;
  const actual = shares(counts);
  const reasons: string[] = [];
  let p = 0;
  let js = 0;
  let linf: number | undefined;
  if (present > 0) {
    p = psi(dist.expected, actual);
    js = jsDivergenceLog2(dist.expected, actual);
    if (dist.kind === 'categorical') linf = lInfinity(dist.expected, actual);
    if (p >= t.psi) reasons.push(`PSI ${fmt(p)} ≥ ${t.psi}`);
    if (js >= t.js) reasons.push(`JS ${fmt(js)} ≥ ${t.js}`);
    if (present < MIN_VALUES_PER_BIN * dist.expected.length) notes.push(`only ${present} values for ${dist.expected.length} bins: scores are noisy`);
  } else if (values) {
    notes.push('no values present');
  }
  const missingRate = values ? (total > 0 ? missing / total : 0) : 1;
  if (missingRate > baselineMissingRate + 0.05) notes.push(`missing rate ${fmt(missingRate)} vs ${fmt(baselineMissingRate)} in the baseline`);
  const numeric = dist.kind === 'numeric';
  return {
    name,
    role,
    kind: dist.kind,
    bins: binLabels(dist),
    expected: dist.expected,
    actual,
    counts,
    present,
    psi: p,
    jsDivergenceLog2: js,
    ...(linf !== undefined ? { lInfinity: linf } : {}),
    missingRate,
    baselineMissingRate,
    ...(numeric ? { underflowRate: actual[0] ?? 0, overflowRate: actual[actual.length - 1] ?? 0 } : {}),
    drifted: reasons.length > 0,
    reasons,
    notes,
  };
}

/**
 * Compare data with a baseline. Features are matched by name; when no name matches (a file without
 * header), by the baseline's column index. Rows `prediction` and `label` are added when both the
 * baseline and the data have them.
 */
export function compareWithBaseline(baseline: Baseline, data: CurrentData, thresholds: DriftThresholds = {}): DriftReport {
  const t = { psi: thresholds.psi ?? DEFAULT_PSI_THRESHOLD, js: thresholds.js ?? DEFAULT_JS_THRESHOLD };
  const notes: string[] = [];
  const index = new Map(data.featureNames.map((n, j) => [n, j]));
  const anyByName = baseline.features.some((f) => index.has(f.name));
  const byPosition = !anyByName && data.featureNames.length > 0;
  if (byPosition) notes.push(`no column of the data is named like a baseline feature: features matched by position (${data.featureNames.length} columns)`);
  const out: FeatureDrift[] = baseline.features.map((f) => {
    const j = byPosition ? (f.column < data.featureNames.length ? f.column : undefined) : index.get(f.name);
    const values = j === undefined ? undefined : data.rows.map((r) => r[j]);
    return compareColumn(f.name, 'feature', f.distribution, f.missingRate, values, t);
  });
  if (baseline.prediction && data.predictions) {
    out.push(compareColumn(`prediction (${baseline.prediction.output})`, 'prediction', baseline.prediction.distribution, 0, data.predictions, t));
  }
  if (baseline.labels && data.labels) out.push(compareColumn('label', 'label', baseline.labels, 0, data.labels, t));
  const known = new Set(baseline.features.map((f) => f.name));
  const extra = byPosition ? [] : data.featureNames.filter((n) => !known.has(n));
  if (extra.length > 0) notes.push(`columns not in the baseline (ignored): ${extra.join(', ')}`);
  out.sort((a, b) => Number(b.drifted) - Number(a.drifted) || b.psi - a.psi);
  const driftedFeatures = out.filter((f) => f.drifted).map((f) => f.name);
  return {
    rowCount: data.rows.length,
    baselineRowCount: baseline.rowCount,
    thresholds: t,
    features: out,
    drifted: driftedFeatures.length > 0,
    driftedFeatures,
    notes,
  };
}

/** One-line verdict. */
/**
 * Compare a data file's rows with the baseline. A `prediction` column is compared with the
 * baseline's predictions (when the baseline has them and no feature of that name), not as a
 * feature; a label column with the baseline's labels.
 */
export function compareRowsWithBaseline(baseline: Baseline, data: LoadedRows, thresholds: DriftThresholds = {}): DriftReport {
  const pj = data.featureNames.indexOf('prediction');
  const usePred = pj >= 0 && !baseline.features.some((f) => f.name === 'prediction') && baseline.prediction !== undefined;
  return compareWithBaseline(baseline, {
    featureNames: usePred ? data.featureNames.filter((_, j) => j !== pj) : data.featureNames,
    rows: usePred ? data.rows.map((r) => r.filter((_, j) => j !== pj)) : data.rows,
    namedColumns: data.namedColumns,
    ...(data.labels ? { labels: data.labels } : {}),
    ...(usePred ? { predictions: data.rows.map((r) => r[pj]!) } : {}),
  }, thresholds);
}

export function verdictLine(r: DriftReport): string {
  const n = r.features.length;
  if (!r.drifted) return `no drift: 0 of ${n} features over the thresholds (PSI ≥ ${r.thresholds.psi} or JS ≥ ${r.thresholds.js})`;
  return `DRIFT: ${r.driftedFeatures.length} of ${n} features drifted (PSI ≥ ${r.thresholds.psi} or JS ≥ ${r.thresholds.js}): ${r.driftedFeatures.join(', ')}`;
}

/** Plain-text table for the terminal. */
export function renderDriftText(r: DriftReport): string {
  const header = ['', 'FEATURE', 'KIND', 'PSI', 'JS(log2)', 'L∞', 'MISSING', 'OUT-OF-RANGE', 'NOTES'];
  const rows = r.features.map((f) => [
    f.drifted ? '!' : '',
    f.name,
    f.kind,
    fmt(f.psi),
    fmt(f.jsDivergenceLog2),
    f.lInfinity === undefined ? '-' : fmt(f.lInfinity),
    `${fmt(f.missingRate)} (${fmt(f.baselineMissingRate)})`,
    f.kind === 'numeric' ? fmt((f.underflowRate ?? 0) + (f.overflowRate ?? 0)) : '-',
    [...f.reasons, ...f.notes].join('; '),
  ]);
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((row) => row[c]!.length)));
  const lines = all.map((row) => row.map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ').trimEnd());
  const out = [
    `${r.rowCount} rows compared with a baseline of ${r.baselineRowCount} rows`,
    '',
    ...lines,
    '',
    '  ! = drifted; MISSING = current (baseline) missing rate; OUT-OF-RANGE = share outside the baseline [min, max]',
    ...r.notes.map((n) => `note: ${n}`),
    '',
    verdictLine(r),
  ];
  return `${out.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// HTML

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const BASE_COLOR = '#8aa4c8';
const CUR_COLOR = '#1f5fbf';
const CUR_DRIFT_COLOR = '#d2452f';

/** Grouped bar chart (baseline vs current share per bin) as inline SVG. */
export function barChartSvg(f: FeatureDrift, width = 560, height = 200): string {
  const n = f.bins.length;
  const left = 44;
  const right = 8;
  const top = 10;
  const labelSpace = 58;
  const plotH = height - top - labelSpace;
  const plotW = width - left - right;
  const max = Math.max(0.04, ...f.expected, ...f.actual);
  // Four gridlines at a round step (1, 2, 5, 10, 20 or 25 %).
  const step = [0.01, 0.02, 0.05, 0.1, 0.2, 0.25].find((st) => 4 * st >= max) ?? 0.25;
  const yMax = 4 * step;
  const slot = plotW / n;
  const bar = Math.max(2, Math.min(22, (slot - 4) / 2));
  const y = (v: number): number => top + plotH - (v / yMax) * plotH;
  const cur = f.drifted ? CUR_DRIFT_COLOR : CUR_COLOR;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="100%" style="max-width:${width}px;display:block" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(`${f.name}: baseline vs current share per bin`)}">`);
  for (let k = 0; k <= 4; k++) {
    const v = (yMax * k) / 4;
    const yy = y(v).toFixed(1);
    parts.push(`<line x1="${left}" x2="${width - right}" y1="${yy}" y2="${yy}" stroke="#e3e6ea" stroke-width="1"/>`);
    parts.push(`<text x="${left - 5}" y="${yy}" dy="3.5" text-anchor="end" font-size="10" fill="#666">${Math.round(v * 100)}%</text>`);
  }
  f.bins.forEach((label, i) => {
    const cx = left + slot * i + slot / 2;
    const e = f.expected[i] ?? 0;
    const a = f.actual[i] ?? 0;
    const title = `${label}: baseline ${(e * 100).toFixed(1)}%, current ${(a * 100).toFixed(1)}% (${f.counts[i] ?? 0} values)`;
    parts.push(`<g><title>${esc(title)}</title>`);
    parts.push(`<rect x="${(cx - bar - 1).toFixed(1)}" y="${y(e).toFixed(1)}" width="${bar.toFixed(1)}" height="${(top + plotH - y(e)).toFixed(1)}" fill="${BASE_COLOR}"/>`);
    parts.push(`<rect x="${(cx + 1).toFixed(1)}" y="${y(a).toFixed(1)}" width="${bar.toFixed(1)}" height="${(top + plotH - y(a)).toFixed(1)}" fill="${cur}"/>`);
    parts.push('</g>');
    const short = label.length > 16 ? `${label.slice(0, 15)}…` : label;
    const ly = top + plotH + 8;
    parts.push(`<text x="${cx.toFixed(1)}" y="${ly}" font-size="9.5" fill="#444" text-anchor="end" transform="rotate(-35 ${cx.toFixed(1)} ${ly})">${esc(short)}</text>`);
  });
  parts.push(`<line x1="${left}" x2="${width - right}" y1="${top + plotH}" y2="${top + plotH}" stroke="#999" stroke-width="1"/>`);
  parts.push('</svg>');
  return parts.join('');
}

export interface HtmlReportMeta {
  readonly title?: string;
  readonly baselineFile?: string;
  readonly dataFile?: string;
  readonly generatedAt?: string;
}

function scoreCell(v: number, threshold: number): string {
  const cls = v >= threshold ? 'bad' : v >= threshold * 0.4 ? 'warn' : '';
  return `<td class="num ${cls}">${esc(fmt(v))}</td>`;
}

/** A self-contained HTML report (inline CSS and SVG, no scripts, no external assets). */
export function renderDriftHtml(r: DriftReport, meta: HtmlReportMeta = {}): string {
  const title = meta.title ?? 'Drift report';
  const n = r.features.length;
  const verdictClass = r.drifted ? 'verdict drift' : 'verdict ok';
  const verdictText = r.drifted
    ? `Drift detected in ${r.driftedFeatures.length} of ${n} ${n === 1 ? 'column' : 'columns'}`
    : `No drift: all ${n} columns within thresholds`;
  const rows = r.features
    .map((f) => {
      const oor = f.kind === 'numeric' ? fmt((f.underflowRate ?? 0) + (f.overflowRate ?? 0)) : '–';
      return `<tr class="${f.drifted ? 'drifted' : ''}"><td class="status">${f.drifted ? '<span class="badge">DRIFT</span>' : '<span class="okdot">ok</span>'}</td><td><a href="#f-${esc(slug(f.name))}">${esc(f.name)}</a></td><td>${f.kind}</td>${scoreCell(f.psi, r.thresholds.psi)}${scoreCell(f.jsDivergenceLog2, r.thresholds.js)}<td class="num">${f.lInfinity === undefined ? '–' : esc(fmt(f.lInfinity))}</td><td class="num${f.missingRate > f.baselineMissingRate + 0.05 ? ' warn' : ''}">${esc(fmt(f.missingRate))} <span class="dim">(${esc(fmt(f.baselineMissingRate))})</span></td><td class="num">${esc(oor)}</td></tr>`;
    })
    .join('\n');
  const cards = r.features
    .map((f) => {
      const why = [...f.reasons, ...f.notes];
      return `<section class="card${f.drifted ? ' drifted' : ''}" id="f-${esc(slug(f.name))}">
<h3>${f.drifted ? '<span class="badge">DRIFT</span> ' : ''}${esc(f.name)} <span class="dim">${f.kind}${f.role !== 'feature' ? `, ${f.role}` : ''}</span></h3>
<p class="scores">PSI <b>${esc(fmt(f.psi))}</b> · JS (log2) <b>${esc(fmt(f.jsDivergenceLog2))}</b>${f.lInfinity !== undefined ? ` · L∞ <b>${esc(fmt(f.lInfinity))}</b>` : ''} · missing ${esc(fmt(f.missingRate))} · ${f.present} values</p>
${why.length > 0 ? `<p class="why">${why.map(esc).join('; ')}</p>` : ''}
${barChartSvg(f)}
</section>`;
    })
    .join('\n');
  const info = [
    meta.baselineFile ? `baseline <code>${esc(meta.baselineFile)}</code> (${r.baselineRowCount} rows)` : `baseline of ${r.baselineRowCount} rows`,
    meta.dataFile ? `data <code>${esc(meta.dataFile)}</code> (${r.rowCount} rows)` : `${r.rowCount} rows`,
    `thresholds PSI ≥ ${r.thresholds.psi}, JS divergence (log2) ≥ ${r.thresholds.js}`,
    ...(meta.generatedAt ? [`generated ${esc(meta.generatedAt)}`] : []),
  ];
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
body { font: 14px/1.45 -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: #1d2329; background: #f4f6f8; margin: 0; }
main { max-width: 1180px; margin: 0 auto; padding: 24px; }
h1 { font-size: 22px; margin: 0 0 4px; }
.meta { color: #555; margin: 0 0 16px; }
.meta span + span::before { content: " · "; color: #aaa; }
code { font: 12px ui-monospace, Menlo, Consolas, monospace; background: #e9edf1; padding: 1px 4px; border-radius: 3px; }
.verdict { padding: 14px 18px; border-radius: 8px; font-size: 17px; font-weight: 600; margin-bottom: 18px; }
.verdict.drift { background: #fdecea; color: #8a1f11; border: 1px solid #f5c2bb; }
.verdict.ok { background: #e8f5ec; color: #1d6b35; border: 1px solid #bfe3ca; }
.verdict small { display: block; font-weight: 400; font-size: 13px; margin-top: 4px; }
table { border-collapse: collapse; width: 100%; background: #fff; border-radius: 8px; overflow: hidden; box-shadow: 0 1px 2px rgba(0,0,0,.08); }
th, td { padding: 6px 10px; border-bottom: 1px solid #eef0f2; text-align: left; white-space: nowrap; }
th { background: #f0f3f6; font-weight: 600; font-size: 12px; text-transform: uppercase; letter-spacing: .03em; color: #555; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.bad { color: #b3261e; font-weight: 700; }
td.warn { color: #9a6700; }
tr.drifted { background: #fff5f3; }
a { color: #1f5fbf; text-decoration: none; }
.badge { display: inline-block; background: #d2452f; color: #fff; font-size: 11px; font-weight: 700; padding: 1px 6px; border-radius: 4px; letter-spacing: .04em; }
.okdot { color: #1d6b35; font-size: 12px; }
.dim { color: #888; font-weight: 400; font-size: 12px; }
h2 { font-size: 17px; margin: 26px 0 10px; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 14px; }
.card { background: #fff; border-radius: 8px; padding: 12px 14px 6px; box-shadow: 0 1px 2px rgba(0,0,0,.08); border-left: 4px solid transparent; }
.card.drifted { border-left-color: #d2452f; }
.card h3 { margin: 0 0 2px; font-size: 15px; }
.scores { margin: 0; color: #333; font-size: 13px; }
.why { margin: 2px 0 0; color: #8a1f11; font-size: 12.5px; }
.legend { font-size: 12px; color: #555; margin: 0 0 8px; }
.sw { display: inline-block; width: 11px; height: 11px; vertical-align: -1px; margin: 0 4px 0 10px; border-radius: 2px; }
.notes { color: #555; font-size: 13px; }
</style>
</head>
<body>
<main>
<h1>${esc(title)}</h1>
<p class="meta">${info.map((s) => `<span>${s}</span>`).join('')}</p>
<div class="${verdictClass}">${esc(verdictText)}${r.drifted ? `<small>${esc(r.driftedFeatures.join(', '))}</small>` : ''}</div>
${r.notes.length > 0 ? `<ul class="notes">${r.notes.map((x) => `<li>${esc(x)}</li>`).join('')}</ul>` : ''}
<table>
<thead><tr><th></th><th>Column</th><th>Kind</th><th>PSI</th><th>JS div. (log2)</th><th>L∞</th><th>Missing (baseline)</th><th>Out of range</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
<h2>Distributions</h2>
<p class="legend">Share of values per bin (bins frozen from the baseline; first and last numeric bins are below the baseline minimum and above its maximum):<span class="sw" style="background:${BASE_COLOR}"></span>baseline<span class="sw" style="background:${CUR_COLOR}"></span>current<span class="sw" style="background:${CUR_DRIFT_COLOR}"></span>current, drifted</p>
<div class="grid">
${cards}
</div>
</main>
</body>
</html>
`;
}

function slug(s: string): string {
  return s.replace(/[^A-Za-z0-9_-]+/g, '-');
}
