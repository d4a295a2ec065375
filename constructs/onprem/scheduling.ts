/**
 * Scheduling intents for serving pods, in the cdk8s-plus style: `attract` (node selection by
 * label, rendered as `nodeSelector`), `tolerate` (taints of dedicated GPU pools, rendered as
 * `tolerations`) and `spread` (rendered as `topologySpreadConstraints`). Rendered lazily, so
 * calls made after the server was constructed are honoured.
 */

const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/** Taint effects a toleration can name. */
export class TaintEffect {
  public static readonly NO_SCHEDULE = new TaintEffect('NoSchedule');
  public static readonly PREFER_NO_SCHEDULE = new TaintEffect('PreferNoSchedule');
  public static readonly NO_EXECUTE = new TaintEffect('NoExecute');
  private constructor(public readonly value: string) {}
}

/** A node taint to tolerate. */
export class Taint {
  /** Tolerate any value of `key` with `effect` (operator `Exists`). */
  public static exists(key: string, effect: TaintEffect = TaintEffect.NO_SCHEDULE): Taint {
    return new Taint(key, 'Exists', undefined, effect);
  }

  /** Tolerate `key=value` with `effect` (operator `Equal`). */
  public static equals(key: string, value: string, effect: TaintEffect = TaintEffect.NO_SCHEDULE): Taint {
    return new Taint(key, 'Equal', value, effect);
  }

  private constructor(
    public readonly key: string,
    public readonly operator: string,
    public readonly value: string | undefined,
    public readonly effect: TaintEffect,
  ) {}
}

/** Rendered scheduling, for ModelServer. @internal */
export interface SchedulingConfig {
  readonly nodeSelector: { [key: string]: string };
  readonly tolerations: { key: string; operator: string; value?: string; effect: string }[];
  readonly spread: { topologyKey: string; maxSkew: number; whenUnsatisfiable: string }[];
}

export class Scheduling {
  private readonly labels: { [key: string]: string } = {};
  private readonly taints: Taint[] = [];
  private readonly spreads: { topologyKey: string; maxSkew: number; whenUnsatisfiable: string }[] = [];

  /** Run only on nodes labelled `key=value` (`nodeSelector`). */
  public attract(key: string, value: string): void {
    this.labels[key] = value;
  }

  /** Allow nodes tainted with `taint` (`tolerations`). */
  public tolerate(taint: Taint): void {
    if (!this.taints.some((t) => t.key === taint.key && t.operator === taint.operator && t.value === taint.value && t.effect === taint.effect)) this.taints.push(taint);
  }

  /**
   * Spread replicas across `topologyKey` (`kubernetes.io/hostname` for nodes,
   * `topology.kubernetes.io/zone` for racks/zones) with at most `maxSkew` difference.
   * `required` false (the default) only prefers the spread (`ScheduleAnyway`).
   */
  public spread(topologyKey: string, maxSkew = 1, required = false): void {
    const existing = this.spreads.findIndex((s) => s.topologyKey === topologyKey);
    const entry = { topologyKey, maxSkew, whenUnsatisfiable: required ? 'DoNotSchedule' : 'ScheduleAnyway' };
    if (existing >= 0) this.spreads[existing] = entry;
    else this.spreads.push(entry);
  }

  /** Problems in the intents (checked when the pod spec is rendered). @internal */
  public _issues(): { field: string; message: string; received: unknown; allowed: string }[] {
    const out: { field: string; message: string; received: unknown; allowed: string }[] = [];
    const keyAllowed = 'a label key: [prefix/]name, name of 1–63 letters, digits, -, _ and ., prefix a DNS subdomain';
    for (const [k, v] of Object.entries(this.labels)) {
      if (!LABEL_KEY.test(k)) out.push({ field: 'scheduling.attract', message: 'names an invalid node label key', received: k, allowed: keyAllowed });
      if (!LABEL_VALUE.test(v)) out.push({ field: `scheduling.attract(${k})`, message: 'is not a valid label value', received: v, allowed: 'up to 63 letters, digits, -, _ and ., starting and ending alphanumeric' });
    }
    for (const t of this.taints) {
      if (!LABEL_KEY.test(t.key)) out.push({ field: 'scheduling.tolerate', message: 'names an invalid taint key', received: t.key, allowed: keyAllowed });
      if (t.value !== undefined && !LABEL_VALUE.test(t.value)) out.push({ field: `scheduling.tolerate(${t.key})`, message: 'is not a valid taint value', received: t.value, allowed: 'up to 63 letters, digits, -, _ and .' });
    }
    for (const sp of this.spreads) {
      if (!LABEL_KEY.test(sp.topologyKey)) out.push({ field: 'scheduling.spread', message: 'names an invalid topology key', received: sp.topologyKey, allowed: keyAllowed });
      if (!(Number.isInteger(sp.maxSkew) && sp.maxSkew >= 1)) out.push({ field: `scheduling.spread(${sp.topologyKey})`, message: 'has a maxSkew that is not a whole number ≥ 1', received: sp.maxSkew, allowed: 'a whole number ≥ 1' });
    }
    return out;
  }

  /** @internal */
  public _config(): SchedulingConfig {
    return {
      nodeSelector: { ...this.labels },
      tolerations: this.taints.map((t) => ({ key: t.key, operator: t.operator, ...(t.value !== undefined ? { value: t.value } : {}), effect: t.effect.value })),
      spread: this.spreads.map((s) => ({ ...s })),
    };
  }
}
