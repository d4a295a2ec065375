/**
 * The KQL the Azure alerts and the workbook run over the endpoint's resource logs, and which
 * runtime metrics the console log carries. No cdktf imports.
 *
 * Two tables, both filled by the endpoint's diagnostic setting (`logAnalyticsDestinationType:
 * Dedicated`): `AmlOnlineEndpointTrafficLog` (one row per request: `ResponseCode`,
 * `TotalDurationMs`, `DeploymentName`) and `AmlOnlineEndpointConsoleLog` (one row per line the
 * container writes to stdout/stderr: `Message`, `DeploymentName`). With `SERVINGSTACK_EMF=true`
 * (the Azure deployments' default) the runtime writes, once a minute per model, a JSON document
 * keyed by the metric names of lib/core/metrics-catalog.ts (`{"model": "…",
 * "servingstack_drifted_features": 2, …}`), the same documents the AWS target's alarms read; the
 * model-quality queries parse those lines. A row in either table carries the endpoint's ARM ID in
 * `_ResourceId` (…/onlineEndpoints/<name>), so every query starts by keeping its own endpoint's rows.
 */
import { MetricDefinition, RUNTIME_METRICS } from '../../../lib/core/metrics-catalog';
import { CONSOLE_LOG_TABLE, TRAFFIC_LOG_TABLE } from './azure-metrics';

type MetricKey = keyof typeof RUNTIME_METRICS;

/**
 * Runtime metrics the runtime writes into its console documents (lib/runtime/metrics.ts
 * `takeEmf`: per-model request statistics, monitoring windows, performance, concept drift);
 * the others exist only on `/metrics` (Prometheus), which Azure does not scrape.
 */
export const CONSOLE_METRICS: readonly MetricKey[] = [
  'requests', 'rejected', 'queueDepth', 'inferenceRows', 'requestDuration', 'queueDuration', 'computeDuration', 'batchSize',
  'driftPsi', 'driftJsDivergence', 'featureMissingRate', 'featureOutOfRangeRate', 'driftedFeatures', 'driftWindowRows',
  'modelAccuracy', 'modelPrecision', 'modelRecall', 'modelF1', 'modelMae', 'modelRmse', 'labelledRows', 'conceptDrift',
  'fairnessDemographicParityDifference', 'fairnessDisparateImpactRatio', 'fairnessEqualizedOddsDifference',
];

/** KQL string literal (double-quoted, backslash and quote escaped). */
export function kqlString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Rows of one endpoint (`endswith` is case-insensitive in KQL, as ARM IDs are). */
function ofEndpoint(table: string, endpointName: string): string {
  return `${table}\n| where _ResourceId endswith ${kqlString(`/onlineEndpoints/${endpointName}`)}`;
}

/**
 * One row per request with `ErrorPercent` 100 for a 5xx answer and 0 otherwise: averaged per
 * deployment over a window it is the share of server errors in percent (the vocabulary's
 * `maxErrorRatePercent`). `toint` accepts the column as int or string.
 */
export function errorRateQuery(endpointName: string): string {
  return [
    ofEndpoint(TRAFFIC_LOG_TABLE, endpointName),
    '| extend ErrorPercent = iff(toint(ResponseCode) >= 500, 100.0, 0.0)',
    '| project TimeGenerated, DeploymentName, ErrorPercent',
  ].join('\n');
}

/**
 * One row per value of a runtime metric in the console documents: `TimeGenerated`,
 * `DeploymentName`, `Model`, `Value` (histogram samples expand to one row each). The JSON starts
 * at the line's first `{`, so a prefix added by a log collector does not break it.
 */
export function consoleMetricQuery(endpointName: string, metric: MetricDefinition): string {
  return [
    ofEndpoint(CONSOLE_LOG_TABLE, endpointName),
    `| where Message contains ${kqlString(metric.name)}`,
    '| extend Doc = parse_json(substring(Message, indexof(Message, "{")))',
    `| extend Value = Doc[${kqlString(metric.name)}], Model = tostring(Doc.model)`,
    '| where isnotnull(Value)',
    '| mv-expand Value',
    '| extend Value = todouble(Value)',
    '| project TimeGenerated, DeploymentName, Model, Value',
  ].join('\n');
}

/** A 5-minute time series of one runtime metric per model, for the workbook. */
export function consoleMetricChart(endpointName: string, metric: MetricDefinition): string {
  const agg = metric.kind === 'histogram' ? 'percentile(Value, 99)' : metric.kind === 'counter' ? 'sum(Value)' : 'max(Value)';
  return `${consoleMetricQuery(endpointName, metric)}\n| summarize ${agg} by bin(TimeGenerated, 5m), Model`;
}

/** Requests, 5xx share and latency percentiles per deployment from the traffic log, for the workbook. */
export function trafficChart(endpointName: string): string {
  return [
    ofEndpoint(TRAFFIC_LOG_TABLE, endpointName),
    '| summarize Requests = count(), ErrorRatePercent = 100.0 * countif(toint(ResponseCode) >= 500) / count(), P50 = percentile(TotalDurationMs, 50), P99 = percentile(TotalDurationMs, 99) by bin(TimeGenerated, 5m), DeploymentName',
  ].join('\n');
}
