/** Presenting findings and estimates: text for terminals, Markdown for pull requests, JSON for tools. */
import type { CostDelta, DiffReport } from './diff';
import type { StackCost } from './cost';
import { CHANGE_CLASS_LABELS, ChangeClass, TermValue } from './model';
import { summarize } from './diff';

export type OutputFormat = 'text' | 'markdown' | 'json';

const MAX = 160;
const show = (v: TermValue | undefined): string => {
  if (v === undefined) return '(absent)';
  const s = String(v);
  return s.length > MAX ? `${s.slice(0, MAX - 1)}…` : s;
};
const usd = (n: number): string => `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const range = (a: number, b: number): string => (a === b ? usd(a) : `${usd(a)}–${usd(b)}`);
const signed = (n: number): string => `${n >= 0 ? '+' : '−'}${usd(Math.abs(n))}`;
const delta = (d: CostDelta): string => {
  const lo = d.afterMin - d.beforeMin;
  const hi = d.afterMax - d.beforeMax;
  return lo === hi ? signed(lo) : `${signed(lo)} / ${signed(hi)} (min / max)`;
};
const mdCell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

const CLASS_ORDER: ChangeClass[] = ['security-regression', 'replacement', 'capacity', 'behaviour'];

function summaryLine(r: DiffReport): string {
  const s = summarize(r.findings);
  return CLASS_ORDER.map((c) => `${s[c]} ${CHANGE_CLASS_LABELS[c]}`).join(', ');
}

export function formatDiff(r: DiffReport, format: OutputFormat): string {
  if (format === 'json') return `${JSON.stringify({ gate: r.gate, summary: summarize(r.findings), findings: r.findings, costDelta: r.costDelta }, null, 2)}\n`;
  const out: string[] = [];
  if (r.findings.length === 0 && r.costDelta.length === 0) {
    return format === 'markdown' ? '### Serving review\n\nNo change in serving terms.\n' : 'No change in serving terms.\n';
  }
  const groups = new Map<string, typeof r.findings>();
  for (const f of r.findings) {
    const k = `${f.stack}\u0000${f.unit}`;
    groups.set(k, [...(groups.get(k) ?? []), f]);
  }
  if (format === 'markdown') {
    out.push('### Serving review', '', `${r.gate ? '**Gate: a security regression or replacement is present.**' : 'No security regression or replacement.'} ${summaryLine(r)}.`, '');
    for (const [k, fs] of groups) {
      const [stack, unit] = k.split('\u0000');
      out.push(`#### ${stack} · ${unit}`, '', '| Class | Term | Before | After | Why |', '|---|---|---|---|---|');
      for (const f of fs) out.push(`| ${CHANGE_CLASS_LABELS[f.cls]} | ${mdCell(f.term)} | ${mdCell(show(f.before))} | ${mdCell(show(f.after))} | ${mdCell(f.reason ?? '')} |`);
      out.push('');
    }
    if (r.costDelta.length) {
      out.push('#### Monthly cost', '', '| Stack | Unit | Before | After | Change |', '|---|---|---|---|---|');
      for (const d of r.costDelta) out.push(`| ${mdCell(d.stack)} | ${mdCell(d.unit)} | ${range(d.beforeMin, d.beforeMax)} | ${range(d.afterMin, d.afterMax)} | ${delta(d)} |`);
      out.push('');
    }
    return `${out.join('\n')}\n`;
  }
  for (const [k, fs] of groups) {
    const [stack, unit] = k.split('\u0000');
    out.push(`${stack} · ${unit}`);
    for (const f of fs) {
      out.push(`  [${CHANGE_CLASS_LABELS[f.cls]}] ${f.term}: ${show(f.before)} → ${show(f.after)}`);
      if (f.reason) out.push(`      ${f.reason}`);
    }
    out.push('');
  }
  if (r.costDelta.length) {
    out.push('Monthly cost');
    for (const d of r.costDelta) out.push(`  ${d.stack} · ${d.unit}: ${range(d.beforeMin, d.beforeMax)} → ${range(d.afterMin, d.afterMax)} (${delta(d)})`);
    out.push('');
  }
  out.push(`${summaryLine(r)}${r.gate ? ' — gate: exit code 3' : ''}`);
  return `${out.join('\n')}\n`;
}

export function formatCost(costs: readonly StackCost[], format: OutputFormat): string {
  if (format === 'json') return `${JSON.stringify(costs, null, 2)}\n`;
  const out: string[] = [];
  const notes = [...new Set(costs.flatMap((c) => c.notes))];
  if (format === 'markdown') {
    out.push('### Monthly cost estimate', '', '| Stack | Unit | Item | Quantity | Monthly | Price source |', '|---|---|---|---|---|---|');
    for (const s of costs) {
      for (const u of s.units) for (const l of u.lines) out.push(`| ${mdCell(s.stack)} | ${mdCell(u.unit)} | ${mdCell(l.item)} | ${mdCell(l.quantity)} | ${range(l.min, l.max)} | ${mdCell(l.price)}${l.verified ? '' : ' (unverified)'} |`);
      out.push(`| **${mdCell(s.stack)}** | | | | **${range(s.min, s.max)}** | |`);
    }
    out.push('', ...notes.map((n) => `- ${n}`));
    return `${out.join('\n')}\n`;
  }
  for (const s of costs) {
    out.push(`${s.stack} (${s.target}): ${range(s.min, s.max)} / month`);
    for (const u of s.units) {
      out.push(`  ${u.unit}: ${range(u.min, u.max)}`);
      for (const l of u.lines) out.push(`    ${l.item}: ${l.quantity} = ${range(l.min, l.max)}  [${l.price}${l.verified ? '' : ', unverified'}]`);
    }
    out.push('');
  }
  out.push(...notes.map((n) => `note: ${n}`));
  return `${out.join('\n')}\n`;
}
