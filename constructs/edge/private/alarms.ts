/**
 * Table-driven alarms of the edge target, the same shape as the AWS target's (which targets never
 * import): the shared `Severity` as the alarm name's suffix and the description's prefix
 * (`-Warning`, `[Warning]`), which SNS subscription filters and routing rules match.
 */
import { Names } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import type { Severity } from '../../../lib/core/contract/severity';

export interface EdgeAlarmDefinition {
  readonly id: string;
  readonly severity: Severity;
  readonly description: string;
  readonly metric: cw.IMetric;
  readonly threshold: number;
  readonly comparison: cw.ComparisonOperator;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly treatMissingData: cw.TreatMissingData;
}

export function createEdgeAlarm(scope: Construct, def: EdgeAlarmDefinition, subject: string, action?: cw.IAlarmAction): cw.Alarm {
  const alarm = new cw.Alarm(scope, def.id, {
    alarmName: `${Names.uniqueResourceName(scope, { maxLength: 180, separator: '-' })}-${def.id}-${def.severity.title}`,
    alarmDescription: `[${def.severity.title}] ${subject}: ${def.description}`,
    metric: def.metric,
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
