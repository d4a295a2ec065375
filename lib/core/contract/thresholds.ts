/**
 * One threshold vocabulary for every target: the same name, unit and default for the same
 * concept, whether it becomes a CloudWatch alarm, a Cloud Monitoring alert policy or a Prometheus
 * rule. Each direction is in the name (`max…` fires above, `min…` below); units are in the name.
 * Targets validate with {@link Thresholds} (same field, same message everywhere) and only
 * translate the resolved values into their monitoring system.
 */
import type { ValidationIssue } from '../errors';
import { Severity } from './severity';

/** Service-level alarm thresholds: latency, errors, capacity. */
export interface ServingThresholds {
  /**
   * p99 request latency above which the latency alarm fires, in milliseconds.
   * @default 1000
   */
  readonly maxP99LatencyMillis?: number;
  /**
   * Share of requests answered with a server error (5xx) above which the error-rate alarm fires,
   * in percent.
   * @default 5
   */
  readonly maxErrorRatePercent?: number;
  /**
   * Minutes the fleet may run at its autoscaling maximum before the capacity alarm fires.
   * @default 15
   */
  readonly maxMinutesAtMaxReplicas?: number;
}

/** Model-quality alarm thresholds, over what the runtime's monitoring publishes. */
export interface ModelQualityThresholds {
  /**
   * Features the runtime counts as drifted (with the baseline's calibrated thresholds) at or
   * above which the drift alarm fires.
   * @default 1
   */
  readonly maxDriftedFeatures?: number;
  /**
   * Rolling accuracy over labelled rows below which the accuracy alarm fires (0–1; set it per
   * model). No labels, no alarm.
   * @default 0.9
   */
  readonly minAccuracy?: number;
  /**
   * Change detections on the error stream (Page–Hinkley, DDM) within 15 minutes at or above
   * which the concept-drift alarm fires.
   * @default 1
   */
  readonly maxConceptDriftDetectionsPer15Minutes?: number;
  /**
   * Disparate impact ratio below which the fairness alarm fires (0–1; four-fifths rule).
   * @default 0.8
   */
  readonly minDisparateImpactRatio?: number;
  /**
   * Demographic parity difference at or above which the fairness alarm fires (0–1).
   * @default 0.1
   */
  readonly maxDemographicParityDifference?: number;
}

/** Health gates a canary must pass before it gets more traffic (rollout commands). */
export interface RolloutGateThresholds {
  /**
   * Largest share of server errors (5xx) the canary may answer, in percent. Stricter than the
   * alarm: a canary is judged on little traffic and is cheap to roll back.
   * @default 1
   */
  readonly maxErrorRatePercent?: number;
  /**
   * Largest p99 latency the canary may show, in milliseconds (where the target measures it).
   * @default 1000
   */
  readonly maxP99LatencyMillis?: number;
}

/**
 * Fleet thresholds: shares and counts over many devices, where each device serves its own copy
 * of the model (edge fleets). Per-device latency, errors and model quality keep the
 * {@link ServingThresholds} and {@link ModelQualityThresholds} names.
 */
export interface FleetThresholds {
  /**
   * Share of reporting devices whose drift windows found drift (at or above
   * `ModelQualityThresholds.maxDriftedFeatures`) above which the fleet drift alarm fires, in
   * percent.
   * @default 10
   */
  readonly maxDriftedDevicesPercent?: number;
  /**
   * Devices of a group that must report (publish telemetry) in each period; fewer, for 15
   * minutes, fire the silent-devices alarm. The default alarms when a whole group goes silent.
   * @default 1
   */
  readonly minReportingDevices?: number;
}

/** {@link FleetThresholds} with defaults applied. */
export interface ResolvedFleetThresholds {
  readonly maxDriftedDevicesPercent: number;
  readonly minReportingDevices: number;
}

/** {@link ServingThresholds} with defaults applied. */
export interface ResolvedServingThresholds {
  readonly maxP99LatencyMillis: number;
  readonly maxErrorRatePercent: number;
  readonly maxMinutesAtMaxReplicas: number;
}

/** {@link ModelQualityThresholds} with defaults applied. */
export interface ResolvedModelQualityThresholds {
  readonly maxDriftedFeatures: number;
  readonly minAccuracy: number;
  readonly maxConceptDriftDetectionsPer15Minutes: number;
  readonly minDisparateImpactRatio: number;
  readonly maxDemographicParityDifference: number;
}

/** {@link RolloutGateThresholds} with defaults applied. */
export interface ResolvedRolloutGateThresholds {
  readonly maxErrorRatePercent: number;
  readonly maxP99LatencyMillis: number;
}

/** Which struct a threshold belongs to. */
export class ThresholdGroup {
  public static readonly SERVING = new ThresholdGroup('serving', 'ServingThresholds');
  public static readonly MODEL_QUALITY = new ThresholdGroup('model-quality', 'ModelQualityThresholds');
  public static readonly ROLLOUT_GATE = new ThresholdGroup('rollout-gate', 'RolloutGateThresholds');
  public static readonly FLEET = new ThresholdGroup('fleet', 'FleetThresholds');

  private constructor(
    public readonly name: string,
    /** The interface it is a field of. */
    public readonly structName: string,
  ) {}
}

/** One entry of the vocabulary: what the docs table lists, what validation enforces. */
export interface ThresholdDefinition {
  /** The prop name on every target, e.g. `maxP99LatencyMillis`. */
  readonly name: string;
  readonly group: ThresholdGroup;
  /** The concept, e.g. `latency`, `error rate`. */
  readonly concept: string;
  /** Unit as written in the docs: `ms`, `%`, `minutes`, `features`, `ratio (0–1)`, `detections`. */
  readonly unit: string;
  readonly defaultValue: number;
  /** Severity of the alarm it drives (rollout gates: none, they refuse the step). */
  readonly severity?: Severity;
  /** Smallest allowed value. */
  readonly min: number;
  /** Whether `min` itself is excluded. */
  readonly minExclusive: boolean;
  /** Largest allowed value. */
  readonly max: number;
  /** Whether the value must be a whole number. */
  readonly integer: boolean;
}

const def = (
  name: string, group: ThresholdGroup, concept: string, unit: string, defaultValue: number, severity: Severity | undefined,
  range: { min: number; max: number; minExclusive?: boolean; integer?: boolean },
): ThresholdDefinition => ({ name, group, concept, unit, defaultValue, severity, min: range.min, max: range.max, minExclusive: range.minExclusive ?? false, integer: range.integer ?? false });

const S = ThresholdGroup.SERVING;
const Q = ThresholdGroup.MODEL_QUALITY;
const G = ThresholdGroup.ROLLOUT_GATE;
const F = ThresholdGroup.FLEET;

const VOCABULARY: readonly ThresholdDefinition[] = [
  def('maxErrorRatePercent', S, 'error rate', '%', 5, Severity.CRITICAL, { min: 0, max: 100, minExclusive: true }),
  def('maxP99LatencyMillis', S, 'latency', 'ms', 1000, Severity.WARNING, { min: 1, max: 3_600_000, integer: true }),
  def('maxMinutesAtMaxReplicas', S, 'capacity', 'minutes', 15, Severity.WARNING, { min: 1, max: 1440, integer: true }),
  def('maxDriftedFeatures', Q, 'drift', 'features', 1, Severity.WARNING, { min: 1, max: 100_000, integer: true }),
  def('minAccuracy', Q, 'accuracy', 'ratio (0–1)', 0.9, Severity.CRITICAL, { min: 0, max: 1 }),
  def('maxConceptDriftDetectionsPer15Minutes', Q, 'concept drift', 'detections', 1, Severity.WARNING, { min: 1, max: 100_000, integer: true }),
  def('minDisparateImpactRatio', Q, 'fairness', 'ratio (0–1)', 0.8, Severity.WARNING, { min: 0, max: 1 }),
  def('maxDemographicParityDifference', Q, 'fairness', 'ratio (0–1)', 0.1, Severity.WARNING, { min: 0, max: 1 }),
  def('maxErrorRatePercent', G, 'error rate', '%', 1, undefined, { min: 0, max: 100 }),
  def('maxP99LatencyMillis', G, 'latency', 'ms', 1000, undefined, { min: 1, max: 3_600_000, integer: true }),
  def('maxDriftedDevicesPercent', F, 'fleet drift', '%', 10, Severity.WARNING, { min: 0, max: 100, minExclusive: true }),
  def('minReportingDevices', F, 'silent devices', 'devices', 1, Severity.WARNING, { min: 1, max: 1_000_000, integer: true }),
];

type Values = Readonly<Record<string, number | undefined>>;

/** The vocabulary, its defaults and its validation. */
export class Thresholds {
  /** Every threshold, in the order the docs list them. */
  public static vocabulary(): readonly ThresholdDefinition[] {
    return VOCABULARY;
  }

  /** The definition of `name` in `group`. */
  public static definition(group: ThresholdGroup, name: string): ThresholdDefinition {
    const found = VOCABULARY.find((d) => d.group === group && d.name === name);
    if (!found) throw new Error(`no threshold ${name} in ${group.structName}`);
    return found;
  }

  /** The default of `name` in `group`. */
  public static defaultOf(group: ThresholdGroup, name: string): number {
    return Thresholds.definition(group, name).defaultValue;
  }

  /** Severity of the alarm `name` drives. */
  public static severityOf(group: ThresholdGroup, name: string): Severity {
    return Thresholds.definition(group, name).severity ?? Severity.WARNING;
  }

  /**
   * Problems with the values set in `values` (fields named `<prefix>.<name>`); values that are
   * not known yet (`isUnresolved`, CDK and CDKTF tokens) are skipped.
   */
  public static validate(group: ThresholdGroup, values: object | undefined, prefix: string, isUnresolved: (v: unknown) => boolean = () => false): ValidationIssue[] {
    const issues: ValidationIssue[] = [];
    const given = (values ?? {}) as Values;
    for (const d of VOCABULARY.filter((x) => x.group === group)) {
      const v = given[d.name];
      if (v === undefined || isUnresolved(v)) continue;
      const inRange = typeof v === 'number' && Number.isFinite(v) && (d.minExclusive ? v > d.min : v >= d.min) && v <= d.max && (!d.integer || Number.isInteger(v));
      if (!inRange) {
        issues.push({ field: prefix ? `${prefix}.${d.name}` : d.name, message: d.integer && Number.isFinite(v) && !Number.isInteger(v) ? 'is not a whole number' : 'is out of range', received: v, allowed: Thresholds.allowed(d) });
      }
    }
    return issues;
  }

  /** Serving thresholds with defaults applied (validate first). */
  public static resolveServing(t: ServingThresholds = {}): ResolvedServingThresholds {
    return Thresholds.resolve(ThresholdGroup.SERVING, t) as unknown as ResolvedServingThresholds;
  }

  /** Model-quality thresholds with defaults applied (validate first). */
  public static resolveModelQuality(t: ModelQualityThresholds = {}): ResolvedModelQualityThresholds {
    return Thresholds.resolve(ThresholdGroup.MODEL_QUALITY, t) as unknown as ResolvedModelQualityThresholds;
  }

  /** Rollout gates with defaults applied (validate first). */
  public static resolveRolloutGates(t: RolloutGateThresholds = {}): ResolvedRolloutGateThresholds {
    return Thresholds.resolve(ThresholdGroup.ROLLOUT_GATE, t) as unknown as ResolvedRolloutGateThresholds;
  }

  /** Fleet thresholds with defaults applied (validate first). */
  public static resolveFleet(t: FleetThresholds = {}): ResolvedFleetThresholds {
    return Thresholds.resolve(ThresholdGroup.FLEET, t) as unknown as ResolvedFleetThresholds;
  }

  /** What `d` allows, as error messages and the docs say it. */
  public static allowed(d: ThresholdDefinition): string {
    const unit = d.unit === 'ratio (0–1)' ? '' : ` ${d.unit}`;
    const kind = d.integer ? 'a whole number' : 'a number';
    return d.minExclusive ? `${kind} above ${d.min} and at most ${d.max}${unit}` : `${kind} from ${d.min} to ${d.max}${unit}`;
  }

  private static resolve(group: ThresholdGroup, values: object): Record<string, number> {
    const given = values as Values;
    const out: Record<string, number> = {};
    for (const d of VOCABULARY.filter((x) => x.group === group)) out[d.name] = given[d.name] ?? d.defaultValue;
    return out;
  }

  private constructor() {}
}
