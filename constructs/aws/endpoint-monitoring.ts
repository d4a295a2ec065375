import { Duration, Validations } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { Severity } from '../../lib/core/contract/severity';
import { ThresholdGroup, Thresholds } from '../../lib/core/contract/thresholds';
import { EMF_NAMESPACE, RUNTIME_METRICS } from '../../lib/core/metrics-catalog';
import { IEndpoint } from './endpoint-base';
import { AwsErrorCodes } from './errors';
import { Model } from './model';
import { AlarmDefinition, createAlarm, worstVariant } from './private/alarm-table';
import { Checker } from './private/errors';
import { deterministicName, visiblePath } from './private/names';

/**
 * Alarm thresholds; each direction is in the name (`max…`, `min…`). `maxP99LatencyMillis` and
 * `maxErrorRatePercent` are the shared vocabulary (same name, unit and default on every target,
 * docs/monitoring.md); the others are SageMaker's own. (SageMaker publishes no instance count,
 * so the vocabulary's capacity threshold has no alarm here.)
 */
export interface EndpointAlarmThresholds {
  /**
   * p99 ModelLatency of the worst variant, in milliseconds (Warning; 3 of 3 five-minute periods).
   * @default 1000
   */
  readonly maxP99LatencyMillis?: number;
  /**
   * 5XX share of requests in percent (Critical; 3 of 3 one-minute periods). Async endpoints: 5XX count per minute.
   * @default 5
   */
  readonly maxErrorRatePercent?: number;
  /**
   * 4XX share of requests in percent (Warning; 3 of 3 five-minute periods).
   * @default 10
   */
  readonly max4xxErrorRatePercent?: number;
  /**
   * Availability SLO in percent; the error budget burn alarm (Critical) fires when the 5XX rate
   * burns the budget more than 14.4× over both the last hour and the last 5 minutes.
   * @default 99.9
   */
  readonly availabilitySloPercent?: number;
  /**
   * Alarm (Warning) when fewer invocations than this arrive in 15 minutes; for endpoints that
   * always receive traffic. Missing data counts as breaching.
   * @default - no alarm
   */
  readonly minInvocationsPer15Minutes?: number;
  /**
   * Disk utilisation (Warning): data capture stops when disks fill.
   * @default 75
   */
  readonly maxDiskUtilizationPercent?: number;
  /**
   * Memory utilisation (Warning).
   * @default 90
   */
  readonly maxMemoryUtilizationPercent?: number;
  /**
   * Async: requests waiting with no instance for this long (Critical).
   * @default Duration.minutes(15)
   */
  readonly maxBacklogWithoutCapacity?: Duration;
}

/** Properties of {@link EndpointMonitoring}. */
export interface EndpointMonitoringProps {
  /** The endpoint watched (create the monitoring after adding its variants). */
  readonly endpoint: IEndpoint;
  /**
   * Topic receiving alarm and OK notifications.
   * @default - a new KMS-encrypted, TLS-only topic
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * Key of the new topic.
   * @default - the endpoint's key, or AWS managed SNS key when the endpoint has none
   */
  readonly topicKey?: kms.IKey;
  /**
   * Thresholds.
   * @default - the defaults listed in EndpointAlarmThresholds
   */
  readonly thresholds?: EndpointAlarmThresholds;
  /**
   * Model name in the runtime's EMF metrics (dimension `model`); shows the runtime's queue and
   * batch metrics when set.
   * @default - the manifest name of the first variant's model when it runs the ServingStack runtime
   */
  readonly runtimeModelName?: string;
  /**
   * Dashboard name.
   * @default - derived from the construct path
   */
  readonly dashboardName?: string;
}

/** One alarm definition of the table. */
interface EndpointAlarmDefinition extends AlarmDefinition {
  readonly enabled: boolean;
}

const FAST_BURN = 14.4;

/**
 * A CloudWatch dashboard and table-driven alarms for one endpoint: traffic, 4XX/5XX rates,
 * model and overhead latency (converted from microseconds), CPU/GPU/memory/disk utilisation,
 * async backlog, and the ServingStack runtime's own EMF metrics (queue time, batch size).
 */
export class EndpointMonitoring extends Construct {
  public readonly dashboard: cw.Dashboard;
  public readonly alarmTopic: sns.ITopic;
  /** Alarms by id (`P99ModelLatency`, `ErrorRate5xx`, …). */
  public readonly alarms: { readonly [id: string]: cw.IAlarm };
  private readonly alarmsById: Record<string, cw.IAlarm> = {};
  private readonly endpoint: IEndpoint;
  private readonly production: readonly string[];

  constructor(scope: Construct, id: string, props: EndpointMonitoringProps) {
    super(scope, id);
    this.alarms = this.alarmsById;
    const endpoint = props.endpoint;
    this.endpoint = endpoint;
    this.production = endpoint.variants.filter((v) => !v.shadow).map((v) => v.variantName);
    const watched = endpoint.variants.map((v) => v.variantName).join(', ');
    this.node.addValidation({ validate: () => variantsAddedLater(this, endpoint, watched) });
    const t = props.thresholds ?? {};
    const checker = new Checker(this, 'EndpointMonitoring', AwsErrorCodes.MONITORING);
    checker.addAll(Thresholds.validate(ThresholdGroup.SERVING, { maxP99LatencyMillis: t.maxP99LatencyMillis, maxErrorRatePercent: t.maxErrorRatePercent }, 'thresholds', (v) => checker.isUnresolved(v)));
    checker.numberRange('thresholds.max4xxErrorRatePercent', t.max4xxErrorRatePercent, 0, 100);
    checker.numberRange('thresholds.availabilitySloPercent', t.availabilitySloPercent, 50, 99.9999);
    checker.numberRange('thresholds.maxDiskUtilizationPercent', t.maxDiskUtilizationPercent, 1, 100);
    checker.numberRange('thresholds.maxMemoryUtilizationPercent', t.maxMemoryUtilizationPercent, 1, 100);
    checker.numberRange('thresholds.minInvocationsPer15Minutes', t.minInvocationsPer15Minutes, 1, 1e12);
    if (t.minInvocationsPer15Minutes !== undefined) {
      checker.check(!endpoint.isAsync, { field: 'thresholds.minInvocationsPer15Minutes', message: 'asynchronous endpoints publish no Invocations metric', received: t.minInvocationsPer15Minutes, allowed: 'no minInvocationsPer15Minutes on async endpoints' });
    }
    checker.throwIfAny();

    const topicKey = props.topicKey ?? endpoint.encryptionKey;
    if (props.alarmTopic) {
      this.alarmTopic = props.alarmTopic;
    } else {
      const topic = new sns.Topic(this, 'AlarmTopic', {
        displayName: `ServingStack alarms ${endpoint.endpointName}`,
        masterKey: topicKey ?? kms.Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns'),
        enforceSSL: true,
      });
      if (topicKey instanceof kms.Key) {
        topicKey.grant(new iam.ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
      }
      this.alarmTopic = topic;
    }
    const action = new cwActions.SnsAction(this.alarmTopic);
    const instances = endpoint.variants.some((v) => !v.serverless && !v.shadow);
    const gpu = endpoint.variants.some((v) => (v.instanceType?.gpuCount ?? 0) > 0);
    const shared = Thresholds.resolveServing({ maxP99LatencyMillis: t.maxP99LatencyMillis, maxErrorRatePercent: t.maxErrorRatePercent });
    const maxRate5xx = shared.maxErrorRatePercent;
    const severity = (name: string): Severity => Thresholds.severityOf(ThresholdGroup.SERVING, name);
    const slo = t.availabilitySloPercent ?? 99.9;
    const budget = (100 - slo) / 100;
    const backlogMinutes = Math.max(1, Math.round((t.maxBacklogWithoutCapacity ?? Duration.minutes(15)).toMinutes()));

    const table: EndpointAlarmDefinition[] = [
      {
        id: 'P99ModelLatency', severity: severity('maxP99LatencyMillis'), enabled: true,
        description: `p99 ModelLatency of the worst variant above ${shared.maxP99LatencyMillis} ms`,
        metric: () => this.worst('ModelLatency', 'p99', Duration.minutes(5), 'p99 ModelLatency (µs)'),
        threshold: shared.maxP99LatencyMillis * 1000,
        comparison: cw.ComparisonOperator.GREATER_THAN_THRESHOLD, evaluationPeriods: 3, datapointsToAlarm: 3, treatMissingData: cw.TreatMissingData.NOT_BREACHING,
      },
      {
        id: 'ErrorRate5xx', severity: severity('maxErrorRatePercent'), enabled: true,
        description: endpoint.isAsync ? `more than ${maxRate5xx} 5XX errors per minute` : `5XX rate of the worst variant above ${maxRate5xx} %`,
        metric: () => (endpoint.isAsync ? this.worst('Invocation5XXErrors', 'Sum', Duration.minutes(1), '5XX') : this.worst('Invocation5XXErrors', 'Average', Duration.minutes(1), '5XX rate (%)', 100)),
        threshold: maxRate5xx, comparison: cw.ComparisonOperator.GREATER_THAN_THRESHOLD, evaluationPeriods: 3, datapointsToAlarm: 3, treatMissingData: cw.TreatMissingData.NOT_BREACHING,
      },
      {
        id: 'ErrorRate4xx', severity: Severity.WARNING, enabled: !endpoint.isAsync,
        description: `4XX rate of the worst variant above ${t.max4xxErrorRatePercent ?? 10} % (clients sending bad requests)`,
        metric: () => this.worst('Invocation4XXErrors', 'Average', Duration.minutes(5), '4XX rate (%)', 100),
        threshold: t.max4xxErrorRatePercent ?? 10, comparison: cw.ComparisonOperator.GREATER_THAN_THRESHOLD, evaluationPeriods: 3, datapointsToAlarm: 3, treatMissingData: cw.TreatMissingData.NOT_BREACHING,
      },
      {
        id: 'NoInvocations', severity: Severity.WARNING, enabled: t.minInvocationsPer15Minutes !== undefined,
        description: `fewer than ${t.minInvocationsPer15Minutes} invocations in 15 minutes while traffic is expected`,
        metric: () => this.sum('Invocations', Duration.minutes(15)),
        threshold: t.minInvocationsPer15Minutes ?? 1, comparison: cw.ComparisonOperator.LESS_THAN_THRESHOLD, evaluationPeriods: 1, datapointsToAlarm: 1, treatMissingData: cw.TreatMissingData.BREACHING,
      },
      {
        id: 'DiskUtilization', severity: Severity.WARNING, enabled: instances,
        description: `disk utilisation above ${t.maxDiskUtilizationPercent ?? 75} % (data capture stops on full disks)`,
        metric: () => this.worst('DiskUtilization', 'Maximum', Duration.minutes(5), 'disk %'),
        threshold: t.maxDiskUtilizationPercent ?? 75, comparison: cw.ComparisonOperator.GREATER_THAN_THRESHOLD, evaluationPeriods: 3, datapointsToAlarm: 3, treatMissingData: cw.TreatMissingData.NOT_BREACHING,
      },
      {
        id: 'MemoryUtilization', severity: Severity.WARNING, enabled: instances,
        description: `memory utilisation above ${t.maxMemoryUtilizationPercent ?? 90} %`,
        metric: () => this.worst('MemoryUtilization', 'Maximum', Duration.minutes(5), 'memory %'),
        threshold: t.maxMemoryUtilizationPercent ?? 90, comparison: cw.ComparisonOperator.GREATER_THAN_THRESHOLD, evaluationPeriods: 3, datapointsToAlarm: 3, treatMissingData: cw.TreatMissingData.NOT_BREACHING,
      },
      {
        id: 'BacklogWithoutCapacity', severity: Severity.CRITICAL, enabled: endpoint.isAsync,
        description: `async requests waiting with no instance for ${backlogMinutes} minutes (scale-out from zero failed)`,
        metric: () => endpoint.metricHasBacklogWithoutCapacity({ period: Duration.minutes(1) }),
        threshold: 1, comparison: cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD, evaluationPeriods: backlogMinutes, datapointsToAlarm: backlogMinutes, treatMissingData: cw.TreatMissingData.NOT_BREACHING,
      },
    ];

    for (const def of table.filter((d) => d.enabled)) this.alarmsById[def.id] = createAlarm(this, def, endpoint.endpointName, action);

    if (!endpoint.isAsync) {
      // Multi-window burn rate (Google SRE workbook): 14.4× over 1 h AND over 5 min spends 2 % of a 30-day budget.
      const burn = (window: Duration, label: string): cw.Alarm => new cw.Alarm(this, `ErrorBudgetBurn${label}`, {
        alarmName: `${deterministicName(this, `ErrorBudgetBurn${label}`, 200)}`,
        alarmDescription: `${endpoint.endpointName}: 5XX error budget (SLO ${slo} %) burning faster than ${FAST_BURN}× over ${label}; part of the burn-rate composite`,
        metric: this.worst('Invocation5XXErrors', 'Average', window, `burn rate ${label}`, 1 / budget),
        threshold: FAST_BURN,
        comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cw.TreatMissingData.NOT_BREACHING,
      });
      const long = burn(Duration.hours(1), '1h');
      const short = burn(Duration.minutes(5), '5m');
      const composite = new cw.CompositeAlarm(this, 'ErrorBudgetBurn', {
        compositeAlarmName: `${deterministicName(this, 'ErrorBudgetBurn', 200)}-${Severity.CRITICAL.title}`,
        alarmDescription: `[${Severity.CRITICAL.title}] ${endpoint.endpointName}: error budget of the ${slo} % availability SLO burning faster than ${FAST_BURN}× (1 h and 5 min windows)`,
        alarmRule: cw.AlarmRule.allOf(cw.AlarmRule.fromAlarm(long, cw.AlarmState.ALARM), cw.AlarmRule.fromAlarm(short, cw.AlarmState.ALARM)),
      });
      composite.addAlarmAction(action);
      composite.addOkAction(action);
      this.alarmsById.ErrorBudgetBurn = composite;
      for (const child of [long, short]) {
        for (const ackId of ['NIST.800.53.R5-CloudWatchAlarmAction', 'HIPAA.Security-CloudWatchAlarmAction']) {
          Validations.of(child).acknowledge({ id: ackId, reason: 'burn-rate window alarm: the composite ErrorBudgetBurn alarm combining both windows notifies the alarm topic' });
        }
      }
    }
    for (const guardrail of endpoint.guardrailAlarms) {
      if (guardrail instanceof cw.Alarm) guardrail.addAlarmAction(action);
    }

    this.dashboard = new cw.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName ?? deterministicName(this, 'Dashboard', 255),
      defaultInterval: Duration.hours(3),
    });
    const runtimeModel = props.runtimeModelName ?? runtimeModelOf(endpoint);
    this.dashboard.addWidgets(new cw.TextWidget({
      markdown: [
        `# ${endpoint.endpointName}`,
        `${endpoint.isServerless ? 'Serverless' : endpoint.isAsync ? 'Asynchronous' : 'Real-time'} endpoint; variants ${endpoint.variants.map((v) => `\`${v.variantName}\`${v.shadow ? ' (shadow)' : ''} ${v.instanceType ?? 'serverless'}`).join(', ')}.`,
        'Latencies are published in microseconds and shown in milliseconds. CPU utilisation is 100 % per vCPU and GPU utilisation 100 % per GPU (an 8-vCPU instance reads up to 800 %).',
      ].join('\n\n'),
      width: 24,
      height: 3,
    }));
    const perVariant = (f: (v: string, i: number) => cw.IMetric): cw.IMetric[] => endpoint.variants.map((v, i) => f(v.variantName, i));
    const row1: cw.IWidget[] = [];
    if (!endpoint.isAsync) {
      row1.push(new cw.GraphWidget({ title: 'Invocations', left: perVariant((v) => endpoint.metricInvocations({ variantName: v, label: v })), width: 8 }));
    }
    row1.push(new cw.GraphWidget({
      title: endpoint.isAsync ? '4XX / 5XX errors' : '4XX / 5XX rate (%)',
      left: perVariant((v, i) => (endpoint.isAsync ? endpoint.metricInvocation5xxErrors({ variantName: v, statistic: 'Sum', label: `${v} 5XX` }) : new cw.MathExpression({ expression: `e5_${i} * 100`, usingMetrics: { [`e5_${i}`]: endpoint.metricInvocation5xxErrors({ variantName: v }) }, label: `${v} 5XX %` }))),
      right: endpoint.isAsync ? [] : perVariant((v, i) => new cw.MathExpression({ expression: `e4_${i} * 100`, usingMetrics: { [`e4_${i}`]: endpoint.metricInvocation4xxErrors({ variantName: v }) }, label: `${v} 4XX %` })),
      width: 8,
    }));
    row1.push(new cw.GraphWidget({
      title: 'Model latency (ms)',
      left: ['p50', 'p90', 'p99'].map((stat) => endpoint.metricModelLatencyInMillis({ statistic: stat, variantName: this.production[0] })),
      right: endpoint.isAsync ? [] : [new cw.MathExpression({ expression: 'overhead / 1000', usingMetrics: { overhead: endpoint.metricOverheadLatency({ variantName: this.production[0] }) }, label: 'OverheadLatency p99 (ms)' })],
      width: 8,
    }));
    this.dashboard.addWidgets(...row1);
    if (instances) {
      this.dashboard.addWidgets(
        new cw.GraphWidget({ title: 'CPU (% , 100 per vCPU)', left: perVariant((v) => endpoint.metricCpuUtilization({ variantName: v, label: v })), width: 6 }),
        new cw.GraphWidget({ title: 'Memory (%)', left: perVariant((v) => endpoint.metricMemoryUtilization({ variantName: v, label: v })), width: 6 }),
        new cw.GraphWidget({ title: 'Disk (%)', left: perVariant((v) => endpoint.metricDiskUtilization({ variantName: v, label: v })), width: 6 }),
        new cw.GraphWidget({
          title: gpu ? 'GPU / GPU memory (%, 100 per GPU)' : 'GPU (%, none on these instance types)',
          left: perVariant((v) => endpoint.metricGpuUtilization({ variantName: v, label: `${v} GPU` })),
          right: perVariant((v) => endpoint.metricGpuMemoryUtilization({ variantName: v, label: `${v} GPU memory` })),
          width: 6,
        }),
      );
    }
    if (endpoint.isAsync) {
      this.dashboard.addWidgets(
        new cw.GraphWidget({ title: 'Async backlog', left: [endpoint.metricApproximateBacklogSize({ label: 'backlog' }), endpoint.metricApproximateBacklogSizePerInstance({ label: 'per instance' })], width: 12 }),
        new cw.GraphWidget({ title: 'Backlog without capacity', left: [endpoint.metricHasBacklogWithoutCapacity()], width: 12 }),
      );
    }
    if (endpoint.isServerless) {
      this.dashboard.addWidgets(new cw.GraphWidget({ title: 'Cold start: ModelSetupTime (ms)', left: [new cw.MathExpression({ expression: 'm / 1000', usingMetrics: { m: endpoint.metricModelSetupTime() }, label: 'ModelSetupTime (ms)' })], width: 12 }));
    }
    if (runtimeModel) {
      const rt = (key: keyof typeof RUNTIME_METRICS, statistic: string, label: string): cw.Metric => new cw.Metric({
        namespace: EMF_NAMESPACE, metricName: RUNTIME_METRICS[key].name, dimensionsMap: { model: runtimeModel }, statistic, label,
      });
      this.dashboard.addWidgets(
        new cw.GraphWidget({
          title: `Runtime queue and compute time (ms), model ${runtimeModel}`,
          left: [
            new cw.MathExpression({ expression: 'q * 1000', usingMetrics: { q: rt('queueDuration', 'p99', 'queue') }, label: 'queue p99 (ms)' }),
            new cw.MathExpression({ expression: 'c * 1000', usingMetrics: { c: rt('computeDuration', 'p99', 'compute') }, label: 'compute p99 (ms)' }),
          ],
          width: 8,
        }),
        new cw.GraphWidget({ title: 'Runtime batch size (rows)', left: [rt('batchSize', 'Average', 'average'), rt('batchSize', 'p99', 'p99')], width: 8 }),
        new cw.GraphWidget({ title: 'Runtime queue depth / rejected', left: [rt('queueDepth', 'Maximum', 'queue depth')], right: [rt('rejected', 'Sum', 'rejected')], width: 8 }),
      );
    }
    this.dashboard.addWidgets(new cw.AlarmStatusWidget({ title: 'Alarms', alarms: [...Object.values(this.alarms), ...endpoint.guardrailAlarms], width: 24 }));
  }

  /** The worst production variant's statistic (MAX over variants), times `scale`. */
  private worst(metricName: string, statistic: string, period: Duration, label: string, scale = 1): cw.IMetric {
    return worstVariant(this.endpoint.endpointName, this.production, metricName, statistic, period, label, (inner) => (scale === 1 ? inner : `${inner} * ${scale}`));
  }

  private sum(metricName: string, period: Duration): cw.IMetric {
    const usingMetrics = Object.fromEntries(this.production.map((v, i) => [`v${i}`, this.endpoint.metric(metricName, { variantName: v, statistic: 'Sum', period })]));
    const ids = Object.keys(usingMetrics);
    return new cw.MathExpression({ expression: ids.length === 1 ? ids[0] : ids.join(' + '), usingMetrics, period, label: `${metricName} (all variants)` });
  }
}

function runtimeModelOf(endpoint: IEndpoint): string | undefined {
  for (const v of endpoint.variants) {
    const m = v.model;
    if (m instanceof Model && m.isServingStackRuntime && m.manifest) return m.manifest.name;
  }
  return undefined;
}

/** The dashboard and alarms were built for the variants the endpoint had then: later ones would go unwatched. */
function variantsAddedLater(monitoring: Construct, endpoint: IEndpoint, watched: string): string[] {
  const now = endpoint.variants.map((v) => v.variantName).join(', ');
  if (now === watched) return [];
  return [`EndpointMonitoring at ${visiblePath(monitoring)} is invalid (${AwsErrorCodes.MONITORING})\n  - endpoint: has variants added after the monitoring was created; received "${now}"; allowed: the variants it was created for ("${watched}"): create the monitoring after adding every variant`];
}
