/**
 * The table-driven alarms of the AWS monitoring constructs: one row per alarm, the shared
 * `Severity` translated into the alarm's name suffix and description (`-Critical`, `[Warning]`),
 * which SNS subscription filters and routing rules match.
 */
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { Severity } from '../../../lib/core/contract/severity';
import { deterministicName } from '../endpoint';

/** One row of a table-driven alarm set. */
export interface AlarmDefinition {
  readonly id: string;
  readonly severity: Severity;
  readonly description: string;
  readonly metric: () => cw.IMetric;
  readonly threshold: number;
  readonly comparison: cw.ComparisonOperator;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly treatMissingData: cw.TreatMissingData;
}

/** The alarm's name: deterministic from the construct path, severity last (routing rules match it). */
export function alarmNameOf(scope: Construct, def: Pick<AlarmDefinition, 'id' | 'severity'>): string {
  return `${deterministicName(scope, def.id, 200)}-${def.severity.title}`;
}

/** Create the alarm of one row, described as `[Severity] <subject>: <description>`, notifying `action` on ALARM and OK. */
export function createAlarm(scope: Construct, def: AlarmDefinition, subject: string, action?: cw.IAlarmAction): cw.Alarm {
  const alarm = new cw.Alarm(scope, def.id, {
    alarmName: alarmNameOf(scope, def),
    alarmDescription: `[${def.severity.title}] ${subject}: ${def.description}`,
    metric: def.metric(),
    threshold: def.threshold,
    comparisonOperator: def.comparison,
    evaluationPeriods: def.evaluationPeriods,
    datapointsToAlarm: def.datapointsToAlarm,
    treatMissingData: def.treatMissingData,
  });
  if (action) {
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
  }
  return alarm;
}
