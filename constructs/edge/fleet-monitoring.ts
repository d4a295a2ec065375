/**
 * The cloud side of edge monitoring: IoT rules that turn each device's telemetry message into
 * CloudWatch metrics (namespace `ServingStack/Edge/<model>/<device group>`: IoT's CloudWatch
 * action carries no dimensions, so the namespace names the group, and the rules' role may put
 * metrics into exactly those namespaces), a fleet dashboard and alarms per device group with the
 * shared thresholds (lib/core): devices silent, drift on more than N % of devices, error rate, p99
 * latency, accuracy. Created by {@link FleetDeployment} when `monitoring` is set.
 */
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CfnTopicRule } from 'aws-cdk-lib/aws-iot';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { Severity } from '../../lib/core/contract/severity';
import { ResolvedFleetThresholds, ResolvedModelQualityThresholds, ResolvedServingThresholds, ThresholdGroup, Thresholds } from '../../lib/core/contract/thresholds';
import { RUNTIME_METRICS } from '../../lib/core/metrics-catalog';
import { FleetMetric, fleetMetrics, TELEMETRY_SCHEMA } from '../../lib/edge/message';
import { createEdgeAlarm, EdgeAlarmDefinition } from './private/alarms';
import { acknowledgeWildcardResource } from './private/nag';

/** A thing group watched by the dashboard and alarms. */
export interface MonitoredGroup {
  /** Thing group name (what devices report as their group). */
  readonly name: string;
  /** `fleet` or `canary`, for titles and construct ids. */
  readonly role: string;
}

export interface FleetMonitoringProps {
  readonly modelName: string;
  readonly componentName: string;
  readonly groups: readonly MonitoredGroup[];
  readonly topicPrefix: string;
  readonly publishSeconds: number;
  readonly serving: ResolvedServingThresholds;
  readonly modelQuality: ResolvedModelQualityThresholds;
  readonly fleet: ResolvedFleetThresholds;
  /** @default - a new topic encrypted with the AWS managed SNS key */
  readonly alarmTopic?: sns.ITopic;
  /** @default - derived from the construct path */
  readonly dashboardName?: string;
}

export const EDGE_NAMESPACE_PREFIX = 'ServingStack/Edge';

/** The CloudWatch namespace of a model's device group. */
export function fleetNamespace(modelName: string, group: string): string {
  return `${EDGE_NAMESPACE_PREFIX}/${modelName}/${group}`;
}

const FIVE_MINUTES = Duration.minutes(5);

export class FleetMonitoring extends Construct {
  public readonly rules: readonly CfnTopicRule[];
  public readonly ruleRole: iam.Role;
  public readonly dashboard: cw.Dashboard;
  public readonly alarmTopic: sns.ITopic;
  /** Alarms by `<role>/<id>`, e.g. `fleet/FleetDrift`, `canary/DevicesSilent`. */
  public readonly alarms: { readonly [id: string]: cw.Alarm };

  constructor(scope: Construct, id: string, props: FleetMonitoringProps) {
    super(scope, id);
    const namespaces = props.groups.map((g) => fleetNamespace(props.modelName, g.name));

    // Rules → CloudWatch. The role may put metrics into the groups' namespaces only.
    this.ruleRole = new iam.Role(this, 'RuleRole', {
      assumedBy: new iam.ServicePrincipal('iot.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } } }),
      description: `IoT rules of ${props.componentName}: device telemetry into CloudWatch metrics of its device groups`,
    });
    this.ruleRole.addToPolicy(new iam.PolicyStatement({ actions: ['cloudwatch:PutMetricData'], resources: ['*'], conditions: { StringEquals: { 'cloudwatch:namespace': namespaces } } }));
    const errors = new logs.LogGroup(this, 'RuleErrors', { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN });
    errors.grantWrite(this.ruleRole);
    const why = {
      inline: 'the grant-generated policy of this one role; a managed policy would be reusable by other principals',
      wildcard: 'cloudwatch:PutMetricData has no resource-level permissions; the cloudwatch:namespace condition limits it to the device groups\' namespaces',
    };
    for (const ack of [['NIST.800.53.R5-IAMNoInlinePolicy', why.inline], ['HIPAA.Security-IAMNoInlinePolicy', why.inline]] as const) {
      Validations.of(this.ruleRole).acknowledge({ id: ack[0], reason: ack[1] });
    }
    acknowledgeWildcardResource(this.ruleRole, '*', why.wildcard);
    for (const ack of ['NIST.800.53.R5-CloudWatchLogGroupEncrypted', 'HIPAA.Security-CloudWatchLogGroupEncrypted']) {
      Validations.of(errors).acknowledge({ id: ack, reason: 'rule errors hold IoT error text and telemetry counts, no model inputs; CloudWatch Logs encrypts them at rest with its service key' });
    }

    const byCondition = new Map<string, FleetMetric[]>();
    for (const m of fleetMetrics(props.modelQuality.maxDriftedFeatures)) byCondition.set(m.when, [...(byCondition.get(m.when) ?? []), m]);
    const rules: CfnTopicRule[] = [];
    let i = 0;
    for (const [when, metrics] of byCondition) {
      const select = metrics.map((m, k) => `${m.value} AS v${k}`).join(', ');
      rules.push(
        new CfnTopicRule(this, `Rule${i++}`, {
          topicRulePayload: {
            description: `${props.componentName} telemetry → ${metrics.map((m) => m.name).join(', ')}`,
            awsIotSqlVersion: '2016-03-23',
            ruleDisabled: false,
            sql: `SELECT deviceGroup, timestamp, ${select} FROM '${props.topicPrefix}/+' WHERE schema = '${TELEMETRY_SCHEMA}' AND model = '${props.modelName}' AND (${when})`,
            actions: metrics.map((m, k) => ({
              cloudwatchMetric: {
                metricNamespace: `${EDGE_NAMESPACE_PREFIX}/${props.modelName}/\${deviceGroup}`,
                metricName: m.name,
                metricUnit: m.unit,
                metricValue: `\${v${k}}`,
                metricTimestamp: '${timestamp}',
                roleArn: this.ruleRole.roleArn,
              },
            })),
            errorAction: { cloudwatchLogs: { logGroupName: errors.logGroupName, roleArn: this.ruleRole.roleArn } },
          },
        }),
      );
    }
    this.rules = rules;

    if (props.alarmTopic) this.alarmTopic = props.alarmTopic;
    else {
      this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
        displayName: `ServingStack edge alarms ${props.componentName}`,
        masterKey: kms.Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns'),
        enforceSSL: true,
      });
    }
    const action = new cwActions.SnsAction(this.alarmTopic);

    this.dashboard = new cw.Dashboard(this, 'Dashboard', { dashboardName: props.dashboardName, defaultInterval: Duration.hours(6) });
    this.dashboard.addWidgets(
      new cw.TextWidget({
        markdown: [
          `# Edge fleet: ${props.componentName}`,
          `Each device publishes one telemetry message per ${props.publishSeconds} s interval (buffered while offline, published late with its own timestamp). Metrics per device group in \`${EDGE_NAMESPACE_PREFIX}/${props.modelName}/<group>\`.`,
          `Alarms: fewer than ${props.fleet.minReportingDevices} device(s) reporting; drift (${props.modelQuality.maxDriftedFeatures}+ features) on more than ${props.fleet.maxDriftedDevicesPercent} % of devices; error rate above ${props.serving.maxErrorRatePercent} %; device p99 latency above ${props.serving.maxP99LatencyMillis} ms; accuracy below ${props.modelQuality.minAccuracy}.`,
        ].join('\n\n'),
        width: 24,
        height: 3,
      }),
    );
    const alarms: Record<string, cw.Alarm> = {};
    for (const group of props.groups) {
      const ns = fleetNamespace(props.modelName, group.name);
      const metric = (name: string, statistic: string, period = FIVE_MINUTES, label?: string): cw.Metric => new cw.Metric({ namespace: ns, metricName: name, statistic, period, label });
      const reporting = new cw.MathExpression({ expression: `m / ${300 / props.publishSeconds}`, usingMetrics: { m: metric('servingstack_edge_devices_reporting', 'Sum') }, period: FIVE_MINUTES, label: 'devices reporting' });
      const driftShare = new cw.MathExpression({ expression: '100 * d', usingMetrics: { d: metric('servingstack_edge_drift_verdict', 'Average', Duration.minutes(15)) }, period: Duration.minutes(15), label: '% of devices drifting' });
      const errorRate = new cw.MathExpression({ expression: 'IF(r > 0, 100 * e / r, 0)', usingMetrics: { e: metric('servingstack_edge_server_errors', 'Sum'), r: metric(RUNTIME_METRICS.requests.name, 'Sum') }, period: FIVE_MINUTES, label: '5xx %' });
      const rowsPerMinute = new cw.MathExpression({ expression: 'rows / 5', usingMetrics: { rows: metric(RUNTIME_METRICS.inferenceRows.name, 'Sum') }, period: FIVE_MINUTES, label: 'rows / min' });
      const sev = (group2: ThresholdGroup, name: string): Severity => Thresholds.severityOf(group2, name);
      const table: EdgeAlarmDefinition[] = [
        {
          id: 'DevicesSilent', severity: sev(ThresholdGroup.FLEET, 'minReportingDevices'),
          description: `fewer than ${props.fleet.minReportingDevices} device(s) of ${group.name} reported in each of the last 3 five-minute periods`,
          metric: reporting, threshold: props.fleet.minReportingDevices, comparison: cw.ComparisonOperator.LESS_THAN_THRESHOLD,
          evaluationPeriods: 3, datapointsToAlarm: 3, treatMissingData: cw.TreatMissingData.BREACHING,
        },
        {
          id: 'FleetDrift', severity: sev(ThresholdGroup.FLEET, 'maxDriftedDevicesPercent'),
          description: `more than ${props.fleet.maxDriftedDevicesPercent} % of the reporting devices of ${group.name} saw ${props.modelQuality.maxDriftedFeatures}+ drifted features in 15 minutes`,
          metric: driftShare, threshold: props.fleet.maxDriftedDevicesPercent, comparison: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1, datapointsToAlarm: 1, treatMissingData: cw.TreatMissingData.NOT_BREACHING,
        },
        {
          id: 'ErrorRate', severity: sev(ThresholdGroup.SERVING, 'maxErrorRatePercent'),
          description: `5xx share of the requests of ${group.name} above ${props.serving.maxErrorRatePercent} % in 2 of 2 five-minute periods`,
          metric: errorRate, threshold: props.serving.maxErrorRatePercent, comparison: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 2, datapointsToAlarm: 2, treatMissingData: cw.TreatMissingData.NOT_BREACHING,
        },
        {
          id: 'P99Latency', severity: sev(ThresholdGroup.SERVING, 'maxP99LatencyMillis'),
          description: `device p99 latency above ${props.serving.maxP99LatencyMillis} ms on more than a tenth of the reports of ${group.name} (p90 of the devices' p99), 3 of 3 five-minute periods`,
          metric: metric('servingstack_edge_latency_p99', 'p90'), threshold: props.serving.maxP99LatencyMillis, comparison: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 3, datapointsToAlarm: 3, treatMissingData: cw.TreatMissingData.NOT_BREACHING,
        },
        {
          id: 'Accuracy', severity: sev(ThresholdGroup.MODEL_QUALITY, 'minAccuracy'),
          description: `average rolling accuracy of the labelled devices of ${group.name} below ${props.modelQuality.minAccuracy} in 2 of 2 five-minute periods`,
          metric: metric(RUNTIME_METRICS.modelAccuracy.name, 'Average'), threshold: props.modelQuality.minAccuracy, comparison: cw.ComparisonOperator.LESS_THAN_THRESHOLD,
          evaluationPeriods: 2, datapointsToAlarm: 2, treatMissingData: cw.TreatMissingData.NOT_BREACHING,
        },
      ];
      const scope2 = new Construct(this, group.role === 'fleet' ? 'Fleet' : 'Canary');
      for (const def of table) alarms[`${group.role}/${def.id}`] = createEdgeAlarm(scope2, def, `${props.componentName} on ${group.role} group ${group.name}`, action);
      this.dashboard.addWidgets(
        new cw.TextWidget({ markdown: `## ${group.role === 'fleet' ? 'Fleet' : 'Canary'} group \`${group.name}\``, width: 24, height: 1 }),
        new cw.GraphWidget({ title: 'Devices reporting', left: [reporting], leftAnnotations: [{ value: props.fleet.minReportingDevices, label: 'alarm below' }], width: 6 }),
        new cw.GraphWidget({ title: 'Inference rate and errors', left: [rowsPerMinute], right: [errorRate], width: 6 }),
        new cw.GraphWidget({
          title: 'Latency (ms)',
          left: [metric('servingstack_edge_latency_p50', 'Average', FIVE_MINUTES, 'p50 (device average)'), metric('servingstack_edge_latency_p99', 'p90', FIVE_MINUTES, 'p99 (p90 over devices)')],
          leftAnnotations: [{ value: props.serving.maxP99LatencyMillis, label: 'p99 alarm' }],
          width: 6,
        }),
        new cw.GraphWidget({
          title: 'Drift verdicts and accuracy',
          left: [driftShare],
          right: [metric(RUNTIME_METRICS.modelAccuracy.name, 'Average', FIVE_MINUTES, 'accuracy (device average)')],
          leftAnnotations: [{ value: props.fleet.maxDriftedDevicesPercent, label: 'drift alarm' }],
          rightYAxis: { min: 0, max: 1 },
          width: 6,
        }),
      );
    }
    this.alarms = alarms;
  }
}
