/** ServingMonitoring on Azure: logs, alerts, action groups, workbook and retraining, on the synthesized JSON. */
import { Severity } from '../../../lib/core/contract/severity';
import { ThresholdGroup, Thresholds } from '../../../lib/core/contract/thresholds';
import { RUNTIME_METRICS } from '../../../lib/core/metrics-catalog';
import { RuntimeMetrics } from '../../../lib/runtime/metrics';
import {
  AzureMlServing, DayOfWeek, InstanceType, MlWorkspace, RetrainingTrigger, ServingMonitoring,
} from '../../../constructs/azure';
import { CONSOLE_METRICS } from '../../../constructs/azure/private/monitoring-queries';
import { BATCH_INVOKE_ACTIONS } from '../../../constructs/azure/retraining-trigger';
import { azureSeverity } from '../../../constructs/azure/serving-monitoring';
import { PACKAGE, SUB, TINY, armResources, errorOf, newStack, oneArm, synth } from './support/stack';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const ALERT = 'Microsoft.Insights/metricAlerts';
const LOG_ALERT = 'Microsoft.Insights/scheduledQueryRules';
const byName = (t: ReturnType<typeof synth>, type: string, name: string): Json => oneArm(t, type, (r) => r.name === name);
const def = (group: ThresholdGroup, name: string): number => Thresholds.defaultOf(group, name);
const sev = (group: ThresholdGroup, name: string): number => azureSeverity(Thresholds.severityOf(group, name));

function serving(props: Partial<ConstructorParameters<typeof AzureMlServing>[2]> = {}) {
  const stack = newStack({ subscriptionId: SUB });
  const s = new AzureMlServing(stack, 'Scoring', { modelPackage: PACKAGE, monitoring: {}, ...props });
  return { stack, s, t: synth(stack) };
}

test('the shared severity becomes Azure’s 0–4 scale: critical 0, warning 2, info 3', () => {
  expect(Severity.all().map((s) => [s.name, azureSeverity(s)])).toEqual([['critical', 0], ['warning', 2], ['info', 3]]);
});

describe('GIVEN AzureMlServing with monitoring: {} (CPU deployment, no autoscale)', () => {
  const { s, t } = serving();

  test('THEN the endpoint’s console, traffic and event logs go to the workspace’s Log Analytics, in their own tables', () => {
    expect(oneArm(t, 'Microsoft.Insights/diagnosticSettings')).toMatchObject({
      type: 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview',
      parent_id: expect.stringMatching(/^\$\{azapi_resource\.Scoring_Endpoint_\w+\.id\}$/),
      body: { properties: { workspaceId: expect.stringMatching(/Scoring_Workspace_LogAnalytics_\w+\.id/), logAnalyticsDestinationType: 'Dedicated', logs: ['AmlOnlineEndpointConsoleLog', 'AmlOnlineEndpointTrafficLog', 'AmlOnlineEndpointEventLog'].map((category) => ({ category, enabled: true })) } },
    });
  });

  test('THEN one alert per serving concept, model-quality concept and deployment resource, every one notifying the action group', () => {
    expect(Object.keys(s.monitoring!.alerts).sort()).toEqual(['Accuracy', 'ConceptDrift', 'DataDrift', 'DemographicParity', 'DisparateImpact', 'ErrorRate', 'LatencyP99', 'blue-Cpu', 'blue-Disk', 'blue-Memory']);
    const group = oneArm(t, 'Microsoft.Insights/actionGroups');
    expect(group).toMatchObject({ name: 'scoring-notify', location: 'global', body: { properties: { groupShortName: 'ss-notify', enabled: true, emailReceivers: [], logicAppReceivers: [] } } });
    for (const r of armResources(t, ALERT)) expect((r.body as Json).properties.actions).toEqual([{ actionGroupId: expect.stringMatching(/Scoring_Monitoring_Notify_\w+\.id/) }]);
    for (const r of armResources(t, LOG_ALERT)) expect((r.body as Json).properties.actions).toEqual({ actionGroups: [expect.stringMatching(/Scoring_Monitoring_Notify_\w+\.id/)] });
  });

  test('THEN p99 latency is a metric alert on the endpoint per deployment, at the vocabulary’s default and severity', () => {
    const a = byName(t, ALERT, 'scoring-latency-p99');
    expect(a).toMatchObject({
      location: 'global',
      body: {
        properties: {
          severity: sev(ThresholdGroup.SERVING, 'maxP99LatencyMillis'),
          scopes: [expect.stringMatching(/Scoring_Endpoint_\w+\.id/)],
          windowSize: 'PT5M',
          evaluationFrequency: 'PT1M',
          criteria: {
            'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria',
            allOf: [{ metricName: 'RequestLatency_P99', metricNamespace: 'Microsoft.MachineLearningServices/workspaces/onlineEndpoints', operator: 'GreaterThan', threshold: def(ThresholdGroup.SERVING, 'maxP99LatencyMillis'), timeAggregation: 'Average', dimensions: [{ name: 'deployment', operator: 'Include', values: ['*'] }] }],
          },
        },
      },
    });
  });

  test('THEN the 5xx share is a log alert over the traffic log: the average of 100-per-5xx rows is the percentage', () => {
    const a = byName(t, LOG_ALERT, 'scoring-error-rate');
    const c = (a.body as Json).properties.criteria.allOf[0];
    expect(a).toMatchObject({ location: 'westeurope', body: { kind: 'LogAlert', properties: { severity: sev(ThresholdGroup.SERVING, 'maxErrorRatePercent'), scopes: [expect.stringMatching(/LogAnalytics/)], windowSize: 'PT5M' } } });
    expect(c).toMatchObject({ timeAggregation: 'Average', metricMeasureColumn: 'ErrorPercent', operator: 'GreaterThan', threshold: def(ThresholdGroup.SERVING, 'maxErrorRatePercent'), dimensions: [{ name: 'DeploymentName', operator: 'Include', values: ['*'] }] });
    expect(c.query).toBe([
      'AmlOnlineEndpointTrafficLog',
      '| where _ResourceId endswith "/onlineEndpoints/scoring"',
      '| extend ErrorPercent = iff(toint(ResponseCode) >= 500, 100.0, 0.0)',
      '| project TimeGenerated, DeploymentName, ErrorPercent',
    ].join('\n'));
    expect(a.depends_on).toEqual([expect.stringMatching(/Scoring_Monitoring_Logs_/)]);
  });

  test('THEN model-quality alerts read the runtime’s console documents, with the vocabulary’s thresholds, severities and windows', () => {
    const rows: [string, string, string, number, string, string][] = [
      ['data-drift', RUNTIME_METRICS.driftedFeatures.name, 'maxDriftedFeatures', 0, 'Maximum', 'GreaterThanOrEqual'],
      ['accuracy', RUNTIME_METRICS.modelAccuracy.name, 'minAccuracy', 0, 'Minimum', 'LessThan'],
      ['concept-drift', RUNTIME_METRICS.conceptDrift.name, 'maxConceptDriftDetectionsPer15Minutes', 0, 'Total', 'GreaterThanOrEqual'],
      ['disparate-impact', RUNTIME_METRICS.fairnessDisparateImpactRatio.name, 'minDisparateImpactRatio', 0, 'Minimum', 'LessThan'],
      ['demographic-parity', RUNTIME_METRICS.fairnessDemographicParityDifference.name, 'maxDemographicParityDifference', 0, 'Maximum', 'GreaterThanOrEqual'],
    ];
    for (const [suffix, metric, threshold, , aggregation, operator] of rows) {
      const p = (byName(t, LOG_ALERT, `scoring-${suffix}`).body as Json).properties;
      expect([suffix, p.severity, p.criteria.allOf[0]]).toEqual([suffix, sev(ThresholdGroup.MODEL_QUALITY, threshold), expect.objectContaining({
        timeAggregation: aggregation, operator, threshold: def(ThresholdGroup.MODEL_QUALITY, threshold), metricMeasureColumn: 'Value',
        dimensions: [{ name: 'DeploymentName', operator: 'Include', values: ['*'] }, { name: 'Model', operator: 'Include', values: ['*'] }],
        query: expect.stringContaining(`| where Message contains "${metric}"`),
      })]);
      expect(p.criteria.allOf[0].query).toMatch(/^AmlOnlineEndpointConsoleLog\n\| where _ResourceId endswith "\/onlineEndpoints\/scoring"\n/);
    }
    expect((byName(t, LOG_ALERT, 'scoring-data-drift').body as Json).properties).toMatchObject({ windowSize: 'PT5M', criteria: { allOf: [{ failingPeriods: { numberOfEvaluationPeriods: 3, minFailingPeriodsToAlert: 2 } }] } });
    expect((byName(t, LOG_ALERT, 'scoring-concept-drift').body as Json).properties).toMatchObject({ windowSize: 'PT15M', criteria: { allOf: [{ failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 } }] } });
  });

  test('THEN each deployment gets CPU, memory and disk alerts per instance (no GPU alerts on a CPU instance type)', () => {
    expect(byName(t, ALERT, 'scoring-blue-cpu')).toMatchObject({ body: { properties: { severity: 2, windowSize: 'PT15M', scopes: [expect.stringMatching(/Scoring_Deployment-blue_\w+\.id/)], criteria: { allOf: [{ metricName: 'CpuUtilizationPercentage', metricNamespace: 'Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments', threshold: 90, timeAggregation: 'Average', dimensions: [{ name: 'instanceId', operator: 'Include', values: ['*'] }] }] } } } });
    expect(byName(t, ALERT, 'scoring-blue-memory')).toMatchObject({ body: { properties: { criteria: { allOf: [{ metricName: 'CpuMemoryUtilizationPercentage', threshold: 90 }] } } } });
    expect(byName(t, ALERT, 'scoring-blue-disk')).toMatchObject({ body: { properties: { criteria: { allOf: [{ metricName: 'DiskUtilization', threshold: 75, timeAggregation: 'Maximum' }] } } } });
    expect(armResources(t, ALERT).filter((r) => JSON.stringify(r.body).includes('Gpu'))).toEqual([]);
  });

  test('THEN the workbook charts the endpoint and deployment metrics and every runtime metric the console log carries', () => {
    const wb = oneArm(t, 'Microsoft.Insights/workbooks');
    expect(wb).toMatchObject({ name: expect.stringMatching(/^\$\{uuidv5\("url", /), location: 'westeurope', body: { kind: 'shared', properties: { displayName: 'scoring serving', category: 'workbook', version: 'Notebook/1.0' } } });
    const doc = JSON.parse((wb.body as Json).properties.serializedData as string) as { version: string; items: Json[] };
    expect(doc.version).toBe('Notebook/1.0');
    const metrics = doc.items.filter((i) => i.type === 10).flatMap((i) => (i.content.metrics as Json[]).map((m) => String(m.metric).split('--')[1]));
    expect(metrics).toEqual(expect.arrayContaining(['RequestsPerMinute', 'RequestLatency_P50', 'RequestLatency_P99', 'NetworkBytes', 'DeploymentCapacity', 'CpuUtilizationPercentage', 'CpuMemoryUtilizationPercentage', 'DiskUtilization']));
    expect(doc.items.find((i) => i.name === 'cpu')!.content.resourceIds).toEqual([expect.stringMatching(/^\$\{azapi_resource\.Scoring_Deployment-blue_\w+\.id\}$/)]);
    const runtime = doc.items.filter((i) => String(i.name).startsWith('runtime-')).map((i) => i.content.title);
    expect(runtime).toEqual(CONSOLE_METRICS.map((k) => `runtime: ${RUNTIME_METRICS[k].name}`));
    expect(doc.items.find((i) => i.name === 'gpu')).toBeUndefined();
  });

  test('THEN deployments run with SERVINGSTACK_EMF=true, so the runtime writes the documents the alerts read', () => {
    expect(s.deployments[0]!.environmentVariables.SERVINGSTACK_EMF).toBe('true');
  });
});

test('GIVEN a GPU deployment with autoscale, a second deployment added later, overrides, e-mails and a retraining trigger THEN all of it is wired', () => {
  // GIVEN
  const stack = newStack({ subscriptionId: SUB });
  const s = new AzureMlServing(stack, 'Scoring', {
    modelPackage: PACKAGE,
    deployment: { instanceType: InstanceType.NC4AS_T4_V3, autoscale: { minInstances: 2, maxInstances: 6, schedules: [{ name: 'day', days: DayOfWeek.weekdays(), hour: 7, minInstances: 3, maxInstances: 6 }] } },
    monitoring: {
      notificationEmails: ['ml-oncall@example.com'],
      thresholds: { maxP99LatencyMillis: 250, maxErrorRatePercent: 2, maxMinutesAtMaxReplicas: 30, maxGpuMemoryUsedPercent: 80 },
      modelQualityThresholds: { minAccuracy: 0.95 },
      retraining: RetrainingTrigger.batchEndpoint({ endpointName: 'retrain-fraud', deploymentName: 'pipeline', inputs: { training_data: 'azureml:fraud-training@latest' }, alertRuleInput: 'trigger' }),
    },
  });
  s.addDeployment('green', { modelPackage: TINY });
  // WHEN
  const t = synth(stack);
  // THEN: autoscale without defaultInstances starts at minInstances
  expect(oneArm(t, 'Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments', (r) => r.name === 'blue').body).toMatchObject({ sku: { capacity: 2 } });
  // thresholds as given
  expect(byName(t, ALERT, 'scoring-latency-p99')).toMatchObject({ body: { properties: { criteria: { allOf: [{ threshold: 250 }] } } } });
  expect(byName(t, LOG_ALERT, 'scoring-error-rate')).toMatchObject({ body: { properties: { criteria: { allOf: [{ threshold: 2 }] } } } });
  expect(byName(t, LOG_ALERT, 'scoring-accuracy')).toMatchObject({ body: { properties: { criteria: { allOf: [{ threshold: 0.95 }] } } } });
  expect(byName(t, ALERT, 'scoring-blue-gpu-memory')).toMatchObject({ body: { properties: { criteria: { allOf: [{ metricName: 'GpuMemoryUtilizationPercentage', threshold: 80 }] } } } });
  expect(byName(t, ALERT, 'scoring-blue-gpu')).toMatchObject({ body: { properties: { criteria: { allOf: [{ metricName: 'GpuUtilizationPercentage', threshold: 95 }] } } } });
  // The capacity alert: the autoscale setting's ObservedCapacity at the maximum for the whole window.
  expect(byName(t, ALERT, 'scoring-blue-at-max-instances')).toMatchObject({
    body: { properties: { severity: sev(ThresholdGroup.SERVING, 'maxMinutesAtMaxReplicas'), windowSize: 'PT30M', evaluationFrequency: 'PT5M', scopes: [expect.stringMatching(/Scoring_Deployment-blue_Autoscale_\w+\.id/)], criteria: { allOf: [{ metricName: 'ObservedCapacity', metricNamespace: 'Microsoft.Insights/autoscalesettings', operator: 'GreaterThanOrEqual', threshold: 6, timeAggregation: 'Minimum' }] } } },
  });
  // green (added after construction, CPU, no autoscale) is watched too and charted.
  expect(Object.keys(s.monitoring!.alerts).filter((k) => k.startsWith('green-')).sort()).toEqual(['green-Cpu', 'green-Disk', 'green-Memory']);
  const wb = JSON.parse((oneArm(t, 'Microsoft.Insights/workbooks').body as Json).properties.serializedData) as { items: Json[] };
  expect(wb.items.find((i) => i.name === 'cpu')!.content.resourceIds).toHaveLength(2);
  expect(wb.items.find((i) => i.name === 'gpu')!.content.resourceIds).toEqual([expect.stringMatching(/Deployment-blue_/)]);
  // E-mails on the notify group; the retrain group calls the Logic App through its (redacted) callback URL.
  expect(byName(t, 'Microsoft.Insights/actionGroups', 'scoring-notify')).toMatchObject({ body: { properties: { emailReceivers: [{ emailAddress: 'ml-oncall@example.com', useCommonAlertSchema: true }] } } });
  expect(byName(t, 'Microsoft.Insights/actionGroups', 'scoring-retrain')).toMatchObject({
    body: { properties: { groupShortName: 'ss-retrain', logicAppReceivers: [{ name: 'retraining', resourceId: expect.stringMatching(/RetrainingWorkflow_\w+\.id/), callbackUrl: expect.stringMatching(/^\$\{data\.azapi_resource_action\.Scoring_Monitoring_RetrainingCallback_\w+\.sensitive_output\.value\}$/), useCommonAlertSchema: true }] } },
  });
  const callback = Object.values(t.json.data.azapi_resource_action as Record<string, Json>)[0]!;
  expect(callback).toEqual({ type: 'Microsoft.Logic/workflows/triggers@2019-05-01', resource_id: expect.stringMatching(/RetrainingWorkflow_\w+\.id\}\/triggers\/alert$/), action: 'listCallbackUrl', method: 'POST', sensitive_response_export_values: ['value'] });
  // Only drift, accuracy and concept drift start retraining.
  const retraining = armResources(t, LOG_ALERT).filter((r) => ((r.body as Json).properties.actions.actionGroups as string[]).some((g) => g.includes('Monitoring_Retrain_'))).map((r) => r.name).sort();
  expect(retraining).toEqual(['scoring-accuracy', 'scoring-concept-drift', 'scoring-data-drift']);
  // The Logic App: on Fired only, POST to the batch endpoint with its managed identity, literal inputs and the alert rule's name.
  const wf = oneArm(t, 'Microsoft.Logic/workflows');
  expect(wf).toMatchObject({ identity: [{ type: 'SystemAssigned' }], location: 'westeurope' });
  const ifFired = (wf.body as Json).properties.definition.actions.on_fired;
  expect(ifFired.expression).toEqual({ and: [{ equals: ["@triggerBody()?['data']?['essentials']?['monitorCondition']", 'Fired'] }] });
  expect(ifFired.actions.start_pipeline_job.inputs).toEqual({
    method: 'POST',
    uri: 'https://retrain-fraud.westeurope.inference.ml.azure.com/jobs',
    headers: { 'Content-Type': 'application/json', 'azureml-model-deployment': 'pipeline' },
    body: { properties: { InputData: { training_data: { JobInputType: 'Literal', Value: 'azureml:fraud-training@latest' }, trigger: { JobInputType: 'Literal', Value: "@{triggerBody()?['data']?['essentials']?['alertRule']}" } } } },
    authentication: { type: 'ManagedServiceIdentity', audience: 'https://ml.azure.com' },
  });
  // Least privilege: a custom role with Microsoft's batch-invoke actions only, assigned to the workflow's identity on the workspace.
  const role = oneArm(t, 'Microsoft.Authorization/roleDefinitions');
  expect(role).toMatchObject({ parent_id: `/subscriptions/${SUB}/resourceGroups/rg-ml`, body: { properties: { type: 'CustomRole', assignableScopes: [`/subscriptions/${SUB}/resourceGroups/rg-ml`], permissions: [{ actions: [...BATCH_INVOKE_ACTIONS], notActions: [], dataActions: [], notDataActions: [] }] } } });
  expect(BATCH_INVOKE_ACTIONS.every((a) => a.startsWith('Microsoft.MachineLearningServices/workspaces/') && !a.includes('*'))).toBe(true);
  const grant = armResources(t, 'Microsoft.Authorization/roleAssignments').find((r) => JSON.stringify(r.body).includes('RetrainingWorkflow'))!;
  expect(grant).toMatchObject({ parent_id: expect.stringMatching(/^\$\{azapi_resource\.Scoring_Workspace_\w+\.id\}$/), body: { properties: { principalType: 'ServicePrincipal', principalId: expect.stringMatching(/RetrainingWorkflow_\w+\.output\.identity\.principalId/), roleDefinitionId: expect.stringMatching(new RegExp(`^/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/\\$\\{local\\.Scoring_Monitoring_RetrainingRoleGuid_\\w+\\}$`)) } } });
  // The role's name is the same GUID (a stable uuidv5 of the workspace), so the assignment names the role it created.
  expect(role.name).toMatch(/^\$\{local\.Scoring_Monitoring_RetrainingRoleGuid_\w+\}$/);
  expect(Object.values(t.json.locals as Record<string, string>)).toEqual(expect.arrayContaining([expect.stringMatching(/^\$\{uuidv5\("url", "\$\{azapi_resource\.Scoring_Workspace_\w+\.id\}\/servingstack-batch-endpoint-invoker"\)\}$/)]));
  expect(grant.depends_on).toEqual([expect.stringMatching(/RetrainingRole_/)]);
});

test('GIVEN a brought-in workspace THEN monitoring needs its Log Analytics workspace, from the attributes or the props', () => {
  const stack = newStack({ subscriptionId: SUB });
  const rg = `/subscriptions/${SUB}/resourceGroups/shared/providers`;
  const attrs = { workspaceId: `${rg}/Microsoft.MachineLearningServices/workspaces/team-ml`, storageAccountId: `${rg}/Microsoft.Storage/storageAccounts/teamst`, containerRegistryId: `${rg}/Microsoft.ContainerRegistry/registries/teamacr` };
  const e = errorOf(() => new AzureMlServing(stack, 'Alpha', { modelPackage: PACKAGE, workspace: MlWorkspace.fromWorkspaceAttributes(stack, 'W1', attrs), monitoring: {} }));
  expect(e).toMatchObject({ code: 'SS_ERR_AZURE_MONITORING_INVALID', issues: [expect.objectContaining({ field: 'logAnalyticsWorkspaceId', message: expect.stringMatching(/is missing/) })] });
  const la = `${rg}/Microsoft.OperationalInsights/workspaces/team-log`;
  new AzureMlServing(stack, 'Bravo', { modelPackage: PACKAGE, workspace: MlWorkspace.fromWorkspaceAttributes(stack, 'W2', { ...attrs, logAnalyticsWorkspaceId: la }), monitoring: {} });
  expect(oneArm(synth(stack), 'Microsoft.Insights/diagnosticSettings').body).toMatchObject({ properties: { workspaceId: la } });
});

test('SS_ERR_AZURE_MONITORING_INVALID: thresholds with the vocabulary’s messages, Azure’s alert windows, e-mails, action groups, the retraining target', () => {
  const { stack, s } = serving({ monitoring: undefined });
  const e = errorOf(() => new ServingMonitoring(stack, 'M', {
    endpoint: s.endpoint,
    notificationEmails: ['not-an-email'],
    actionGroupIds: ['/subscriptions/x/ag'],
    thresholds: { maxErrorRatePercent: 0, maxP99LatencyMillis: 12.5, maxMinutesAtMaxReplicas: 10, maxCpuUtilizationPercent: 120 },
    modelQualityThresholds: { minAccuracy: 1.5 },
  }));
  expect(e.code).toBe('SS_ERR_AZURE_MONITORING_INVALID');
  expect(e.issues.map((i) => i.field)).toEqual([
    'notificationEmails[0]', 'actionGroupIds[0]', 'thresholds.maxErrorRatePercent', 'thresholds.maxP99LatencyMillis', 'modelQualityThresholds.minAccuracy',
    'thresholds.maxCpuUtilizationPercent', 'thresholds.maxMinutesAtMaxReplicas',
  ]);
  // The same field, message and allowed range as on every target.
  expect(e.issues[2]).toEqual({ field: 'thresholds.maxErrorRatePercent', message: 'is out of range', received: 0, allowed: Thresholds.allowed(Thresholds.definition(ThresholdGroup.SERVING, 'maxErrorRatePercent')) });
  expect(e.issues[6]).toMatchObject({ received: 10, allowed: 'one of 1, 5, 15, 30, 60, 360, 720, 1440 minutes on Azure' });
  const r = errorOf(() => new ServingMonitoring(stack, 'R', { endpoint: s.endpoint, namePrefix: 'r', retraining: RetrainingTrigger.batchEndpoint({ endpointName: '1bad', inputs: { 'bad name': 'x' }, alertRuleInput: 'bad name' }) }));
  expect(r).toMatchObject({ code: 'SS_ERR_AZURE_MONITORING_INVALID' });
  expect(r.issues.map((i) => i.field)).toEqual(['retraining.endpointName', 'retraining.inputs.bad name', 'retraining.inputs.bad name', 'retraining.alertRuleInput']);
});

test('GIVEN a deployment with SERVINGSTACK_EMF=false under model-quality alerts THEN synth warns that its alerts stay empty', () => {
  const { stack, s } = serving({ deployment: { environmentVariables: { SERVINGSTACK_EMF: 'false' } } });
  const warnings = s.monitoring!.node.metadata.filter((m) => m.type === 'aws:cdk:warning' || String(m.type).includes('warn')).map((m) => String(m.data));
  expect(warnings).toEqual([expect.stringMatching(/blue sets SERVINGSTACK_EMF=false/)]);
  expect(oneArm(synth(stack), 'Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments').body).toMatchObject({ properties: { environmentVariables: { SERVINGSTACK_EMF: 'false' } } });
});

describe('the runtime writes what the Azure alerts and workbook read', () => {
  test('GIVEN the runtime’s console documents (SERVINGSTACK_EMF=true) THEN every metric the queries name is there, numeric, keyed by model, parseable from the first {', () => {
    // GIVEN the runtime's metrics with EMF on, fed a request, a batch, a monitoring window, labels and a concept drift
    const m = new RuntimeMetrics(true);
    const model = { name: 'breast-cancer', queueLength: 3 } as unknown as Parameters<RuntimeMetrics['onBatch']>[0];
    m.onRequest('/score', 200, 'breast-cancer', 0.012);
    m.onQueueDepth(model);
    m.onQueueWait(model, 0.002);
    m.onBatch(model, 8, 0.004);
    m.onRejected(model, 'queue_full');
    const events = m.monitorEvents(() => undefined);
    const feature = { name: 'mean radius', rows: 500, psi: 0.3, jsDivergenceLog2: 0.12, missingRate: 0, outOfRangeRate: 0.01, drifted: true };
    events.onWindow!({ model: 'breast-cancer', window: 1, rows: 500, published: true, features: [feature], driftedFeatures: ['mean radius'], fairness: { selectionRates: { a: 0.5, b: 0.3 }, groupCounts: { a: 250, b: 250 }, demographicParityDifference: 0.2, disparateImpactRatio: 0.6, equalizedOddsDifference: 0.1 } });
    events.onPerformance!('breast-cancer', { labelled: 200, accuracy: 0.8, precision: 0.8, recall: 0.7, f1: 0.75, mae: 0.1, rmse: 0.2 });
    events.onConceptDrift!('breast-cancer', 'page-hinkley');
    // WHEN the runtime flushes (a collector may prefix each console line)
    const lines = m.takeEmf().map((l) => `2025-01-01T00:00:00Z stdout F ${l}`);
    // THEN each metric appears as KQL reads it: JSON from the first `{`, a number or numbers under its name, with the model
    const docs = lines.map((l) => JSON.parse(l.slice(l.indexOf('{'))) as Json);
    const found = (name: string): boolean => docs.some((d) => d.model === 'breast-cancer' && [d[name]].flat().length > 0 && [d[name]].flat().every((v: unknown) => typeof v === 'number'));
    expect(CONSOLE_METRICS.filter((k) => !found(RUNTIME_METRICS[k].name))).toEqual([]);
  });
});
