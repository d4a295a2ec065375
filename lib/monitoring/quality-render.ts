/** quality-report's text and HTML (the HTML embeds the drift report of the whole capture). */
import type { QualityReport } from './quality';
import { DriftReport, esc, fmt, renderDriftHtml, renderDriftText } from './report';

const num = (v: number | undefined): string => (v === undefined ? '–' : fmt(v));

function performanceLines(q: QualityReport): [string, string][] {
  const p = q.performance;
  return [
    ['labelled rows', String(p.labelled)],
    ['labels joined / unmatched', `${q.labels.joined} / ${q.labels.unmatched}`],
    ...(p.accuracy !== undefined ? ([['accuracy', num(p.accuracy)], ['precision', num(p.precision)], ['recall', num(p.recall)], ['F1', num(p.f1)]] as [string, string][]) : []),
    ...(p.mae !== undefined ? ([['MAE', num(p.mae)], ['RMSE', num(p.rmse)]] as [string, string][]) : []),
    ['concept drift', q.conceptDrift.length ? q.conceptDrift.map((c) => `${c.detector} at labelled row ${c.atLabelledRow}`).join('; ') : 'none'],
    ...(q.fairness
      ? ([
          ['demographic parity difference', num(q.fairness.demographicParityDifference)],
          ['disparate impact ratio', num(q.fairness.disparateImpactRatio)],
          ['equalised odds difference', num(q.fairness.equalizedOddsDifference)],
        ] as [string, string][])
      : []),
  ];
}

export function renderQualityText(q: QualityReport, drift: DriftReport): string {
  const lines = [`${q.model}: ${q.predictions} captured predictions, ${q.rows} rows, ${q.windows.length} windows (${q.windows.filter((w) => w.driftedFeatures.length > 0).length} with drift)`];
  for (const [k, v] of performanceLines(q)) lines.push(`  ${k.padEnd(32)} ${v}`);
  lines.push('', 'windows:');
  for (const w of q.windows) lines.push(`  #${w.window} ${w.rows} rows${w.published ? '' : ' (too few rows: scores withheld)'}${w.driftedFeatures.length ? `  DRIFT: ${w.driftedFeatures.join(', ')}` : ''}`);
  lines.push('', 'whole capture against the baseline:', renderDriftText(drift));
  return lines.join('\n');
}

export function renderQualityHtml(q: QualityReport, drift: DriftReport, meta: { readonly captureFile?: string; readonly labelsFile?: string; readonly generatedAt?: string } = {}): string {
  const table = performanceLines(q)
    .map(([k, v]) => `<tr><td>${esc(k)}</td><td class="num">${esc(v)}</td></tr>`)
    .join('\n');
  const windows = q.windows
    .map((w) => `<tr class="${w.driftedFeatures.length ? 'drifted' : ''}"><td class="num">${w.window}</td><td class="num">${w.rows}</td><td>${w.published ? (w.driftedFeatures.length ? `<span class="badge">DRIFT</span> ${esc(w.driftedFeatures.join(', '))}` : 'ok') : 'withheld (few rows)'}</td><td class="num">${esc(num(w.prediction?.psi))}</td><td class="num">${esc(num(w.fairness?.disparateImpactRatio))}</td></tr>`)
    .join('\n');
  const section = `<section class="card">
<h2>Model quality: ${esc(q.model)}</h2>
<p>${q.predictions} captured predictions (${q.rows} rows)${meta.captureFile ? ` from <code>${esc(meta.captureFile)}</code>` : ''}${meta.labelsFile ? `, labels from <code>${esc(meta.labelsFile)}</code>` : ''}.</p>
<table><tbody>
${table}
</tbody></table>
<h3>Windows</h3>
<table><thead><tr><th>#</th><th>rows</th><th>drift</th><th>prediction PSI</th><th>disparate impact</th></tr></thead><tbody>
${windows}
</tbody></table>
</section>
`;
  const html = renderDriftHtml(drift, { title: 'Quality report', dataFile: meta.captureFile, generatedAt: meta.generatedAt });
  return html.replace('<main>', `<main>\n${section}`);
}
