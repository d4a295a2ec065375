import { Construct } from 'constructs';
import { Severity } from '../../lib/core/contract/severity';
import { ModelQualityThresholds, ServingThresholds, ThresholdGroup, Thresholds } from '../../lib/core/contract/thresholds';
import { RUNTIME_METRICS } from '../../lib/core/metrics-catalog';
import { AzureServingStack } from './azure-serving-stack';
import type { AzureSeverityLevel, LogAlertConditionBody, MetricAlertCriterionBody } from './azapi/bodies';
import type { OnlineDeployment } from './online-deployment';
import type { OnlineEndpoint } from './online-endpoint';
import {
  AUTOSCALE_NAMESPACE, DEPLOYMENT_METRICS, DEPLOYMENT_NAMESPACE, ENDPOINT_LOG_CATEGORIES, ENDPOINT_METRICS, ENDPOINT_NAMESPACE, OBSERVED_CAPACITY,
} from './private/azure-metrics';
import { Annotations, AzapiResource, Fn, Lazy, Token } from './private/binding';
import { AzureErrorCodes, Checker, armIdPattern } from './private/errors';
import { consoleMetricQuery, errorRateQuery } from './private/monitoring-queries';
import { renderWorkbook } from './private/workbook';
import type { BoundRetrainingTrigger, RetrainingTrigger } from './retraining-trigger';

/**
 * Alert thresholds: the shared vocabulary (`maxP99LatencyMillis`, `maxErrorRatePercent`,
 * `maxMinutesAtMaxReplicas`; docs/monitoring.md) and the Azure extras on each deployment's
 * resource metrics, every one with a stated default.
 */
export interface AzureAlertThresholds extends ServingThresholds {
  /** Average CPU of an instance over 15 minutes, percent. @default 90 */
  readonly maxCpuUtilizationPercent?: number;
  /** Average memory of an instance over 15 minutes, percent. @default 90 */
  readonly maxMemoryUtilizationPercent?: number;
  /** Largest disk use of an instance, percent. @default 75 */
  readonly maxDiskUtilizationPercent?: number;
  /** Average GPU utilisation of an instance over 15 minutes, percent (GPU instance types). @default 95 */
  readonly maxGpuUtilizationPercent?: number;
  /** Average GPU memory use of an instance over 15 minutes, percent (GPU instance types). @default 90 */
  readonly maxGpuMemoryUsedPercent?: number;
}

/** Alerts, notifications, workbook and retraining (everything but the endpoint). */
export interface MonitoringOptions {
  /**
   * Prefix of the alert, action group and workbook names.
   * @default - the endpoint name
   */
  readonly namePrefix?: string;
  /**
   * E-mail addresses every alert notifies (one action group, common alert schema).
   * @default - none
   */
  readonly notificationEmails?: readonly string[];
  /**
   * Existing action groups (ARM IDs) every alert notifies as well.
   * @default - none
   */
  readonly actionGroupIds?: readonly string[];
  /**
   * Serving alert thresholds (the shared vocabulary plus the Azure resource extras).
   * @default - the vocabulary's defaults: 1000 ms, 5 %, 15 minutes; CPU 90 %, memory 90 %, disk 75 %, GPU 95 %, GPU memory 90 %
   */
  readonly thresholds?: AzureAlertThresholds;
  /**
   * Alert on drift, accuracy, concept drift and fairness from the runtime's console documents.
   * @default true
   */
  readonly modelQualityAlerts?: boolean;
  /**
   * Model-quality thresholds (the shared vocabulary).
   * @default - 1 drifted feature, accuracy 0.9, 1 concept-drift detection per 15 minutes, disparate impact 0.8, demographic parity difference 0.1
   */
  readonly modelQualityThresholds?: ModelQualityThresholds;
  /**
   * Started when the drift, accuracy or concept-drift alert fires.
   * @default - no retraining trigger
   */
  readonly retraining?: RetrainingTrigger;
  /**
   * Log Analytics workspace the endpoint's logs go to and the log alerts query.
   * @default - the ML workspace's (a brought-in workspace must name it: `logAnalyticsWorkspaceId`)
   */
  readonly logAnalyticsWorkspaceId?: string;
  /**
   * Create the workbook.
   * @default true
   */
  readonly workbook?: boolean;
}

export interface ServingMonitoringProps extends MonitoringOptions {
  /** The endpoint watched; add its deployments with {@link ServingMonitoring.monitorDeployment}. */
  readonly endpoint: OnlineEndpoint;
}

/** The shared severity as an Azure Monitor alert severity (0 critical … 4 verbose). */
export function azureSeverity(s: Severity): AzureSeverityLevel {
  if (s === Severity.CRITICAL) return 0;
  if (s === Severity.WARNING) return 2;
  return 3;
}

/** Window lengths Azure metric alerts evaluate, in minutes, and their ISO 8601 form. */
const METRIC_WINDOWS: Readonly<Record<number, string>> = { 1: 'PT1M', 5: 'PT5M', 15: 'PT15M', 30: 'PT30M', 60: 'PT1H', 360: 'PT6H', 720: 'PT12H', 1440: 'P1D' };

interface QualityAlert {
  readonly id: string;
  readonly metric: keyof typeof RUNTIME_METRICS;
  readonly severity: Severity;
  readonly description: string;
  readonly aggregation: LogAlertConditionBody['timeAggregation'];
  readonly operator: LogAlertConditionBody['operator'];
  readonly threshold: number;
  readonly windowMinutes: number;
  readonly periods: number;
  readonly failing: number;
  readonly retrains: boolean;
}

/**
 * Azure Monitor for a managed online endpoint: the endpoint's resource logs to Log Analytics (a
 * diagnostic setting), an action group, metric alerts (p99 latency on the endpoint; CPU, memory,
 * disk, GPU per deployment; instances at the autoscale maximum), log alerts (5xx share from the
 * traffic log; drift, accuracy, concept drift and fairness from the runtime's console
 * documents), a workbook with the panels every target shows, and optionally the retraining
 * trigger. Thresholds and severities come from the shared vocabulary.
 */
export class ServingMonitoring extends Construct {
  public readonly diagnosticSetting: AzapiResource;
  public readonly actionGroup: AzapiResource;
  public readonly workbook?: AzapiResource;
  /** The Logic App and callback of the retraining trigger, when one is given. */
  public readonly retraining?: BoundRetrainingTrigger;
  private readonly alertsById = new Map<string, AzapiResource>();
  private readonly deployments: OnlineDeployment[] = [];
  private readonly stack: AzureServingStack;
  private readonly prefix: string;
  private readonly thresholds: Required<AzureAlertThresholds>;
  private readonly notify: string[];
  private readonly qualityAlerts: boolean;

  constructor(scope: Construct, id: string, props: ServingMonitoringProps) {
    super(scope, id);
    this.stack = AzureServingStack.of(this);
    const endpoint = props.endpoint;
    const c = new Checker(AzureErrorCodes.MONITORING, `ServingMonitoring at ${this.node.path} is invalid`, (v) => Token.isUnresolved(v));
    const prefix = props.namePrefix ?? endpoint.endpointName;
    c.pattern('namePrefix', prefix, /^[A-Za-z0-9][A-Za-z0-9-]{0,39}$/, '1–40 letters, digits and dashes, starting with a letter or digit');
    (props.notificationEmails ?? []).forEach((e, i) => c.pattern(`notificationEmails[${i}]`, e, /^[^@\s]+@[^@\s]+\.[^@\s]+$/, 'an e-mail address'));
    (props.actionGroupIds ?? []).forEach((a, i) => c.pattern(`actionGroupIds[${i}]`, a, armIdPattern('Microsoft.Insights/actionGroups'), '/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.Insights/actionGroups/<name>'));
    for (const issue of Thresholds.validate(ThresholdGroup.SERVING, props.thresholds, 'thresholds', (v) => Token.isUnresolved(v))) c.add(issue);
    for (const issue of Thresholds.validate(ThresholdGroup.MODEL_QUALITY, props.modelQualityThresholds, 'modelQualityThresholds', (v) => Token.isUnresolved(v))) c.add(issue);
    const x = props.thresholds ?? {};
    for (const f of ['maxCpuUtilizationPercent', 'maxMemoryUtilizationPercent', 'maxDiskUtilizationPercent', 'maxGpuUtilizationPercent', 'maxGpuMemoryUsedPercent'] as const) c.numberRange(`thresholds.${f}`, x[f], 1, 100, '%');
    const serving = Thresholds.resolveServing(props.thresholds);
    c.check(Token.isUnresolved(serving.maxMinutesAtMaxReplicas) || METRIC_WINDOWS[serving.maxMinutesAtMaxReplicas] !== undefined, {
      field: 'thresholds.maxMinutesAtMaxReplicas', message: 'is not a window Azure metric alerts evaluate', received: serving.maxMinutesAtMaxReplicas, allowed: `one of ${Object.keys(METRIC_WINDOWS).join(', ')} minutes on Azure`,
    });
    const workspaceLa = endpoint.workspace.logAnalyticsWorkspaceId;
    const laId = props.logAnalyticsWorkspaceId ?? workspaceLa;
    c.check(laId !== undefined, { field: 'logAnalyticsWorkspaceId', message: 'is missing: the workspace was brought in without one', allowed: 'the ARM ID of a Log Analytics workspace (here, or in MlWorkspace.fromWorkspaceAttributes)' });
    c.pattern('logAnalyticsWorkspaceId', props.logAnalyticsWorkspaceId, armIdPattern('Microsoft.OperationalInsights/workspaces'), '/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.OperationalInsights/workspaces/<name>');
    c.throwIfAny();

    this.prefix = prefix;
    this.qualityAlerts = props.modelQualityAlerts ?? true;
    this.thresholds = {
      ...serving,
      maxCpuUtilizationPercent: x.maxCpuUtilizationPercent ?? 90,
      maxMemoryUtilizationPercent: x.maxMemoryUtilizationPercent ?? 90,
      maxDiskUtilizationPercent: x.maxDiskUtilizationPercent ?? 75,
      maxGpuUtilizationPercent: x.maxGpuUtilizationPercent ?? 95,
      maxGpuMemoryUsedPercent: x.maxGpuMemoryUsedPercent ?? 90,
    };
    const stack = this.stack;

    // Resource logs of the endpoint (console, traffic, events) to their own Log Analytics tables.
    this.diagnosticSetting = stack.resource(this, 'Logs', 'diagnosticSetting', {
      name: 'servingstack-logs',
      parentId: endpoint.endpointId,
      body: { properties: { workspaceId: laId!, logAnalyticsDestinationType: 'Dedicated', logs: ENDPOINT_LOG_CATEGORIES.map((category) => ({ category, enabled: true })) } },
    });

    this.actionGroup = stack.resource(this, 'Notify', 'actionGroup', {
      name: `${prefix}-notify`,
      parentId: stack.resourceGroupId,
      location: 'global',
      body: {
        properties: {
          groupShortName: 'ss-notify',
          enabled: true,
          emailReceivers: (props.notificationEmails ?? []).map((emailAddress, i) => ({ name: `email-${i}`, emailAddress, useCommonAlertSchema: true })),
          webhookReceivers: [],
          logicAppReceivers: [],
        },
      },
    });
    this.notify = [this.actionGroup.id, ...(props.actionGroupIds ?? [])];

    let retrain: string[] = [];
    if (props.retraining) {
      this.retraining = props.retraining._bind(this, endpoint.workspace, prefix);
      const group = stack.resource(this, 'Retrain', 'actionGroup', {
        name: `${prefix}-retrain`,
        parentId: stack.resourceGroupId,
        location: 'global',
        body: {
          properties: {
            groupShortName: 'ss-retrain',
            enabled: true,
            emailReceivers: [],
            webhookReceivers: [],
            logicAppReceivers: [{ name: 'retraining', resourceId: this.retraining.workflow.id, callbackUrl: this.retraining.callbackUrl, useCommonAlertSchema: true }],
          },
        },
      });
      retrain = [group.id];
    }

    // Endpoint: p99 latency per deployment (metric), 5xx share per deployment (traffic log).
    this.metricAlert('LatencyP99', 'latency-p99', endpoint.endpointId, Thresholds.severityOf(ThresholdGroup.SERVING, 'maxP99LatencyMillis'), `p99 request latency above ${serving.maxP99LatencyMillis} ms over 5 minutes`, 5, {
      metricName: ENDPOINT_METRICS.requestLatencyP99, metricNamespace: ENDPOINT_NAMESPACE, operator: 'GreaterThan', threshold: serving.maxP99LatencyMillis, timeAggregation: 'Average',
      dimensions: [{ name: 'deployment', operator: 'Include', values: ['*'] }],
    });
    this.logAlert('ErrorRate', 'error-rate', laId!, Thresholds.severityOf(ThresholdGroup.SERVING, 'maxErrorRatePercent'), `more than ${serving.maxErrorRatePercent} % of requests answered 5xx over 5 minutes (traffic log)`, 5, 1, 1, {
      query: errorRateQuery(endpoint.endpointName), timeAggregation: 'Average', metricMeasureColumn: 'ErrorPercent', operator: 'GreaterThan', threshold: serving.maxErrorRatePercent,
    }, []);

    if (this.qualityAlerts) {
      const q = Thresholds.resolveModelQuality(props.modelQualityThresholds);
      const sev = (name: string): Severity => Thresholds.severityOf(ThresholdGroup.MODEL_QUALITY, name);
      const table: QualityAlert[] = [
        { id: 'DataDrift', metric: 'driftedFeatures', severity: sev('maxDriftedFeatures'), description: `${q.maxDriftedFeatures} or more input features drifted from the baseline in 2 of 3 five-minute periods`, aggregation: 'Maximum', operator: 'GreaterThanOrEqual', threshold: q.maxDriftedFeatures, windowMinutes: 5, periods: 3, failing: 2, retrains: true },
        { id: 'Accuracy', metric: 'modelAccuracy', severity: sev('minAccuracy'), description: `rolling accuracy over labelled rows below ${q.minAccuracy} in 2 of 2 five-minute periods`, aggregation: 'Minimum', operator: 'LessThan', threshold: q.minAccuracy, windowMinutes: 5, periods: 2, failing: 2, retrains: true },
        { id: 'ConceptDrift', metric: 'conceptDrift', severity: sev('maxConceptDriftDetectionsPer15Minutes'), description: `${q.maxConceptDriftDetectionsPer15Minutes} or more change detections on the error stream (Page–Hinkley, DDM) in 15 minutes`, aggregation: 'Total', operator: 'GreaterThanOrEqual', threshold: q.maxConceptDriftDetectionsPer15Minutes, windowMinutes: 15, periods: 1, failing: 1, retrains: true },
        { id: 'DisparateImpact', metric: 'fairnessDisparateImpactRatio', severity: sev('minDisparateImpactRatio'), description: `disparate impact ratio below ${q.minDisparateImpactRatio} (four-fifths rule) in 2 of 3 five-minute periods`, aggregation: 'Minimum', operator: 'LessThan', threshold: q.minDisparateImpactRatio, windowMinutes: 5, periods: 3, failing: 2, retrains: false },
        { id: 'DemographicParity', metric: 'fairnessDemographicParityDifference', severity: sev('maxDemographicParityDifference'), description: `demographic parity difference at or above ${q.maxDemographicParityDifference} in 2 of 3 five-minute periods`, aggregation: 'Maximum', operator: 'GreaterThanOrEqual', threshold: q.maxDemographicParityDifference, windowMinutes: 5, periods: 3, failing: 2, retrains: false },
      ];
      for (const a of table) {
        const kebab = a.id.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
        const starts = a.retrains && props.retraining ? `; starts the retraining ${props.retraining.kind}` : '';
        this.logAlert(a.id, kebab, laId!, a.severity, `${a.description}${starts}`, a.windowMinutes, a.periods, a.failing, {
          query: consoleMetricQuery(endpoint.endpointName, RUNTIME_METRICS[a.metric]), timeAggregation: a.aggregation, metricMeasureColumn: 'Value', operator: a.operator, threshold: a.threshold,
        }, a.retrains ? retrain : [], ['DeploymentName', 'Model']);
      }
    }

    if (props.workbook ?? true) {
      const title = `${prefix} serving`;
      this.workbook = stack.resource(this, 'Workbook', 'workbook', {
        name: Fn.uuidv5('url', `${stack.resourceGroupId}/workbooks/${prefix}`),
        parentId: stack.resourceGroupId,
        location: stack.location,
        body: {
          kind: 'shared',
          properties: {
            displayName: title,
            category: 'workbook',
            version: 'Notebook/1.0',
            sourceId: laId!,
            serializedData: Lazy.stringValue({
              produce: () => JSON.stringify(renderWorkbook({
                title, endpointName: endpoint.endpointName, endpointId: endpoint.endpointId, logAnalyticsWorkspaceId: laId!,
                deployments: this.deployments.map((d) => ({ name: d.deploymentName, id: d.deploymentId, gpu: d.instanceType.hasGpu })),
              })),
            }),
          },
        },
      });
    }
  }

  /**
   * Watch a deployment of the endpoint: CPU, memory and disk per instance (and GPU, GPU memory on
   * GPU instance types); with autoscale, the capacity alert (`ObservedCapacity` at the maximum
   * for `maxMinutesAtMaxReplicas`). Its charts join the workbook.
   */
  public monitorDeployment(deployment: OnlineDeployment): void {
    const t = this.thresholds;
    const name = deployment.deploymentName;
    const id = deployment.deploymentId;
    const warning = Severity.WARNING;
    const perInstance = [{ name: 'instanceId', operator: 'Include' as const, values: ['*'] }];
    const resources: [string, string, number, MetricAlertCriterionBody['timeAggregation'], string][] = [
      ['Cpu', DEPLOYMENT_METRICS.cpu, t.maxCpuUtilizationPercent, 'Average', 'CPU'],
      ['Memory', DEPLOYMENT_METRICS.memory, t.maxMemoryUtilizationPercent, 'Average', 'memory'],
      ['Disk', DEPLOYMENT_METRICS.disk, t.maxDiskUtilizationPercent, 'Maximum', 'disk'],
      ...(deployment.instanceType.hasGpu
        ? [['Gpu', DEPLOYMENT_METRICS.gpu, t.maxGpuUtilizationPercent, 'Average', 'GPU'], ['GpuMemory', DEPLOYMENT_METRICS.gpuMemory, t.maxGpuMemoryUsedPercent, 'Average', 'GPU memory']] as [string, string, number, 'Average', string][]
        : []),
    ];
    for (const [key, metricName, threshold, timeAggregation, what] of resources) {
      this.metricAlert(`${name}-${key}`, `${name}-${key.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()}`, id, warning, `${what} of an instance of ${name} above ${threshold} % over 15 minutes`, 15, {
        metricName, metricNamespace: DEPLOYMENT_NAMESPACE, operator: 'GreaterThan', threshold, timeAggregation, dimensions: perInstance,
      });
    }
    if (deployment.autoscale) {
      const max = deployment.autoscale.maxInstances;
      const minutes = t.maxMinutesAtMaxReplicas;
      this.metricAlert(`${name}-AtMaxInstances`, `${name}-at-max-instances`, deployment.autoscale.autoscaleSettingId, Thresholds.severityOf(ThresholdGroup.SERVING, 'maxMinutesAtMaxReplicas'), `${name} ran at its autoscale maximum (${max} instances) for ${minutes} minutes: raise maxInstances or the quota`, minutes, {
        metricName: OBSERVED_CAPACITY, metricNamespace: AUTOSCALE_NAMESPACE, operator: 'GreaterThanOrEqual', threshold: max, timeAggregation: 'Minimum',
      });
    }
    if (this.qualityAlerts && deployment.environmentVariables.SERVINGSTACK_EMF === 'false') {
      Annotations.of(this).addWarning(`${name} sets SERVINGSTACK_EMF=false: the runtime writes no console documents, so the model-quality alerts and runtime charts stay empty for it`);
    }
    this.deployments.push(deployment);
  }

  /** Every alert rule, by id (`LatencyP99`, `ErrorRate`, `DataDrift`, …, `<deployment>-Cpu`, …). */
  public get alerts(): { readonly [id: string]: AzapiResource } {
    return Object.fromEntries(this.alertsById);
  }

  private metricAlert(id: string, suffix: string, scope: string, severity: Severity, description: string, windowMinutes: number, criterion: Omit<MetricAlertCriterionBody, 'criterionType' | 'name'>): void {
    const r = this.stack.resource(this, id, 'metricAlert', {
      name: `${this.prefix}-${suffix}`,
      parentId: this.stack.resourceGroupId,
      location: 'global',
      body: {
        properties: {
          description,
          severity: azureSeverity(severity),
          enabled: true,
          scopes: [scope],
          evaluationFrequency: windowMinutes <= 5 ? 'PT1M' : 'PT5M',
          windowSize: METRIC_WINDOWS[windowMinutes] ?? 'PT15M',
          criteria: { 'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria', allOf: [{ criterionType: 'StaticThresholdCriterion', name: suffix, ...criterion }] },
          autoMitigate: true,
          actions: this.notify.map((actionGroupId) => ({ actionGroupId })),
        },
      },
    });
    this.alertsById.set(id, r);
  }

  private logAlert(id: string, suffix: string, workspaceId: string, severity: Severity, description: string, windowMinutes: number, periods: number, failing: number, condition: Omit<LogAlertConditionBody, 'failingPeriods' | 'dimensions'>, extraActionGroups: readonly string[], dimensions: readonly string[] = ['DeploymentName']): void {
    const r = this.stack.resource(this, id, 'scheduledQueryRule', {
      name: `${this.prefix}-${suffix}`,
      parentId: this.stack.resourceGroupId,
      location: this.stack.location,
      body: {
        kind: 'LogAlert',
        properties: {
          displayName: `${this.prefix}: ${suffix.replace(/-/g, ' ')}`,
          description,
          severity: azureSeverity(severity),
          enabled: true,
          scopes: [workspaceId],
          evaluationFrequency: 'PT5M',
          windowSize: `PT${windowMinutes}M`,
          criteria: {
            allOf: [{ ...condition, dimensions: dimensions.map((name) => ({ name, operator: 'Include', values: ['*'] })), failingPeriods: { numberOfEvaluationPeriods: periods, minFailingPeriodsToAlert: failing } }],
          },
          autoMitigate: true,
          actions: { actionGroups: [...this.notify, ...extraActionGroups] },
        },
      },
      dependsOn: [this.diagnosticSetting],
    });
    this.alertsById.set(id, r);
  }
}
