/**
 * The table-driven alarms of the AWS constructs: one row per alarm, the shared `Severity`
 * translated into the alarm's name suffix and description (`-Critical`, `[Warning]`), which SNS
 * subscription filters and routing rules match. The endpoint's dashboard alarms
 * (EndpointMonitoring), its guardrails (Endpoint) and the model-quality alarms are all rows.
 */
import { Duration, Lazy } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { Severity } from '../../../lib/core/contract/severity';
import { endpointMetric } from './metrics';
import { deterministicName } from './names';

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
  /** A fixed name others refer to (rollback alarms); else derived from the path and the severity. */
  readonly alarmName?: string;
  /** The whole description; else `[Severity] <subject>: <description>`. */
  readonly alarmDescription?: string;
  /**
   * Render the metric again at synth: for alarms over variants that may be added after the alarm.
   * The metric must be a math expression over plain metrics.
   */
  readonly lateMetric?: boolean;
}

/** The alarm's name: deterministic from the construct path, severity last (routing rules match it). */
export function alarmNameOf(scope: Construct, def: Pick<AlarmDefinition, 'id' | 'severity' | 'alarmName'>): string {
  return def.alarmName ?? `${deterministicName(scope, def.id, 200)}-${def.severity.title}`;
}

/** Create the alarm of one row, described as `[Severity] <subject>: <description>`, notifying `action` on ALARM and OK. */
export function createAlarm(scope: Construct, def: AlarmDefinition, subject: string, action?: cw.IAlarmAction): cw.Alarm {
  const alarm = new cw.Alarm(scope, def.id, {
    alarmName: alarmNameOf(scope, def),
    alarmDescription: def.alarmDescription ?? `[${def.severity.title}] ${subject}: ${def.description}`,
    metric: def.metric(),
    threshold: def.threshold,
    comparisonOperator: def.comparison,
    evaluationPeriods: def.evaluationPeriods,
    datapointsToAlarm: def.datapointsToAlarm,
    treatMissingData: def.treatMissingData,
  });
  if (def.lateMetric) (alarm.node.defaultChild as cw.CfnAlarm).metrics = Lazy.any({ produce: () => mathQueries(def.metric()) });
  if (action) {
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
  }
  return alarm;
}

/**
 * The worst production variant's statistic: `v0` for one variant, `MAX([v0,v1,…])` for several,
 * passed through `expression` (e.g. a scale).
 */
export function worstVariant(endpointName: string, variants: readonly string[], metricName: string, statistic: string, period: Duration, label: string, expression: (inner: string) => string = (x) => x): cw.MathExpression {
  const usingMetrics = Object.fromEntries(variants.map((v, i) => [`v${i}`, endpointMetric(endpointName, v, metricName, { statistic, period })]));
  const ids = Object.keys(usingMetrics);
  const inner = ids.length === 1 ? ids[0] : `MAX([${ids.join(',')}])`;
  return new cw.MathExpression({ expression: expression(inner), usingMetrics, period, label });
}

/** `Metrics` of an alarm on a math expression over plain metrics, as CloudWatch takes them. */
function mathQueries(metric: cw.IMetric): cw.CfnAlarm.MetricDataQueryProperty[] {
  const math = metric.toMetricConfig().mathExpression;
  if (!(metric instanceof cw.MathExpression) || !math) throw new Error('a late alarm metric must be a math expression');
  return [
    { expression: math.expression, id: 'expr_1', label: metric.label, returnData: true },
    ...Object.entries(math.usingMetrics).map(([id, m]) => {
      const stat = m.toMetricConfig().metricStat!;
      return {
        id,
        metricStat: {
          metric: { metricName: stat.metricName, namespace: stat.namespace, dimensions: stat.dimensions?.map((d) => ({ name: d.name, value: String(d.value) })) },
          period: stat.period.toSeconds(),
          stat: stat.statistic,
        },
        returnData: false,
      };
    }),
  ];
}
