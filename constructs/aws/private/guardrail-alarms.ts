/**
 * The endpoint's guardrails: the rollout-gate rows of the alarm table (p99 latency and 5XX rate
 * of the worst production variant, thresholds from the shared `RolloutGateThresholds`), created
 * before the endpoint with fixed names so its `DeploymentConfig` can name them without a cycle.
 * Their metrics render at synth, so variants added after the endpoint are watched too.
 */
import { Duration } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { RolloutGateThresholds, ThresholdGroup, Thresholds } from '../../../lib/core/contract/thresholds';
import { AlarmDefinition, createAlarm, worstVariant } from './alarm-table';
import { deterministicName } from './names';

/** What the guardrail rows need of their endpoint. */
export interface GuardrailSubject {
  readonly endpointName: string;
  readonly isAsync: boolean;
  /** Production variant names, read again at synth. */
  readonly productionVariantNames: () => readonly string[];
}

/** Guardrail settings with defaults applied. */
export interface GuardrailSettings extends RolloutGateThresholds {
  readonly period?: Duration;
  readonly evaluationPeriods?: number;
}

/** The fixed names of the guardrail alarms of an endpoint (in the order the rows create them). */
export function guardrailAlarmNames(endpoint: Construct): string[] {
  const prefix = deterministicName(endpoint, 'Guardrail', 200);
  return [`${prefix}-5xx-rate`, `${prefix}-p99-model-latency`];
}

/** Create the guardrail alarms of `endpoint` (its fixed names from {@link guardrailAlarmNames}). */
export function createGuardrailAlarms(endpoint: Construct, subject: GuardrailSubject, settings: GuardrailSettings): cw.Alarm[] {
  const gate = Thresholds.resolveRolloutGates({ maxErrorRatePercent: settings.maxErrorRatePercent, maxP99LatencyMillis: settings.maxP99LatencyMillis });
  const period = settings.period ?? Duration.minutes(1);
  const evaluationPeriods = settings.evaluationPeriods ?? 3;
  const [errorName, latencyName] = guardrailAlarmNames(endpoint);
  const latencyMicros = gate.maxP99LatencyMillis * 1000;
  const rate = gate.maxErrorRatePercent;
  const name = subject.endpointName;
  const common = { comparison: cw.ComparisonOperator.GREATER_THAN_THRESHOLD, evaluationPeriods, datapointsToAlarm: 2, treatMissingData: cw.TreatMissingData.NOT_BREACHING, lateMetric: true };
  const rows: AlarmDefinition[] = [
    {
      ...common,
      id: 'Guardrail5xxRate', alarmName: errorName, severity: Thresholds.severityOf(ThresholdGroup.SERVING, 'maxErrorRatePercent'),
      description: subject.isAsync ? `more than ${rate} 5XX errors per period on the worst variant` : `5XX rate of the worst variant above ${rate} %`,
      metric: () => worstVariant(name, subject.productionVariantNames(), 'Invocation5XXErrors', subject.isAsync ? 'Sum' : 'Average', period, '5XX', (inner) => (subject.isAsync ? inner : `100 * ${inner}`)),
      threshold: rate,
    },
    {
      ...common,
      id: 'GuardrailP99ModelLatency', alarmName: latencyName, severity: Thresholds.severityOf(ThresholdGroup.SERVING, 'maxP99LatencyMillis'),
      description: `p99 ModelLatency of the worst variant above ${latencyMicros} µs`,
      metric: () => worstVariant(name, subject.productionVariantNames(), 'ModelLatency', 'p99', period, 'p99 ModelLatency (µs)'),
      threshold: latencyMicros,
    },
  ];
  return rows.map((row) => createAlarm(endpoint, { ...row, alarmDescription: `Rolls back deployments of ${name}: ${row.description}` }, name));
}

/** Problems with guardrail settings (fields `guardrailAlarms.*`). */
export function guardrailIssues(settings: GuardrailSettings, isUnresolved: (v: unknown) => boolean): ReturnType<typeof Thresholds.validate> {
  return Thresholds.validate(ThresholdGroup.ROLLOUT_GATE, { maxErrorRatePercent: settings.maxErrorRatePercent, maxP99LatencyMillis: settings.maxP99LatencyMillis }, 'guardrailAlarms', isUnresolved);
}

