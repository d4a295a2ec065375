/**
 * Comparing two serving models: every term added, removed or changed, classified. Units are
 * matched by stack name and unit id (logical id or Terraform address); a unit present on one side
 * only is an endpoint added (capacity/cost) or removed (replacement/downtime risk).
 */
import { CHANGE_CLASS_LABELS, ChangeClass, StackModel, Term, TermValue, defaultClass } from './model';

export interface Finding {
  readonly stack: string;
  readonly target: string;
  readonly unit: string;
  readonly term: string;
  readonly aspect: string;
  readonly before?: TermValue;
  readonly after?: TermValue;
  readonly cls: ChangeClass;
  /** Why this class: the replacement rule, the security rule. */
  readonly reason?: string;
}

const CLASS_ORDER: ChangeClass[] = ['security-regression', 'replacement', 'capacity', 'behaviour'];

/** A protection term is lost when it disappears or turns to false / none / public. */
function weakened(after: Term | undefined): boolean {
  if (!after) return true;
  if (after.value === false) return true;
  return typeof after.value === 'string' && /^(none|public|off|disabled|inherited)\b/i.test(after.value);
}

export function classify(before: Term | undefined, after: Term | undefined): { cls: ChangeClass; reason?: string } {
  const t = (after ?? before)!;
  const security = before?.security ?? after?.security;
  if (security === 'grant' && after && after.value !== false && (!before || before.value !== after.value)) {
    return { cls: 'security-regression', reason: before ? 'a grant or exposure changed' : 'a new grant or exposure' };
  }
  if (security === 'protection' && before && !weakened(before) && weakened(after)) {
    return { cls: 'security-regression', reason: after ? `protection weakened to ${String(after.value)}` : 'protection removed' };
  }
  const replacement = after?.replacement ?? before?.replacement;
  if (replacement && before && (!after || before.value !== after.value)) return { cls: 'replacement', reason: replacement };
  return { cls: t.cls ?? defaultClass(t.aspect) };
}

export function diffModels(before: StackModel[], after: StackModel[]): Finding[] {
  const findings: Finding[] = [];
  const stacks = new Map<string, [StackModel | undefined, StackModel | undefined]>();
  for (const s of before) stacks.set(s.name, [s, undefined]);
  for (const s of after) stacks.set(s.name, [stacks.get(s.name)?.[0], s]);
  for (const [name, [b, a]] of stacks) {
    const target = (a ?? b)!.target;
    const units = new Map<string, [StackModel['units'][number] | undefined, StackModel['units'][number] | undefined]>();
    for (const u of b?.units ?? []) units.set(u.id, [u, undefined]);
    for (const u of a?.units ?? []) units.set(u.id, [units.get(u.id)?.[0], u]);
    for (const [, [ub, ua]] of units) {
      const unit = (ua ?? ub)!;
      if (unit.kind !== 'stack' && (!ub || !ua)) {
        findings.push({
          stack: name, target, unit: unit.name, term: `${unit.kind}`, aspect: 'identity',
          before: ub ? 'present' : undefined, after: ua ? 'present' : undefined,
          cls: ua ? 'capacity' : 'replacement', reason: ua ? 'a new serving unit' : 'the serving unit is deleted: its clients fail',
        });
        if (!ua) continue;
      }
      const labels = new Set([...(ub?.terms.keys() ?? []), ...(ua?.terms.keys() ?? [])]);
      for (const label of labels) {
        const tb = ub?.terms.get(label);
        const ta = ua?.terms.get(label);
        if (tb && ta && tb.value === ta.value) continue;
        if (!ub && ta && ta.security !== 'grant') continue; // a new unit: its own finding says so; grants still listed
        const { cls, reason } = classify(tb, ta);
        findings.push({ stack: name, target, unit: unit.name, term: label, aspect: (ta ?? tb)!.aspect, before: tb?.value, after: ta?.value, cls, reason });
      }
    }
  }
  return findings.sort((x, y) => x.stack.localeCompare(y.stack) || x.unit.localeCompare(y.unit) || CLASS_ORDER.indexOf(x.cls) - CLASS_ORDER.indexOf(y.cls) || x.term.localeCompare(y.term));
}

/** Whether CI should stop: a security regression or a replacement is present. */
export function gates(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.cls === 'security-regression' || f.cls === 'replacement');
}

export function summarize(findings: readonly Finding[]): Record<ChangeClass, number> {
  const out = { 'security-regression': 0, replacement: 0, capacity: 0, behaviour: 0 } as Record<ChangeClass, number>;
  for (const f of findings) out[f.cls]++;
  return out;
}

export { CHANGE_CLASS_LABELS };

export interface CostDelta {
  readonly stack: string;
  readonly unit: string;
  readonly beforeMin: number;
  readonly beforeMax: number;
  readonly afterMin: number;
  readonly afterMax: number;
}

export interface DiffReport {
  readonly findings: Finding[];
  readonly costDelta: CostDelta[];
  /** Whether a security regression or a replacement is present (exit code 3). */
  readonly gate: boolean;
}
