/**
 * The Azure Monitor workbook of a serving endpoint (Notebook/1.0 JSON; no cdktf imports). The same
 * panels the other targets' dashboards show: requests and server errors per deployment, latency
 * percentiles, instances, CPU, memory, GPU, disk, network; then one chart per runtime metric the
 * console log carries (queue, batches, drift, accuracy, fairness), from lib/core's catalogue.
 * Metric charts are workbook `MetricsItem/2.0` items (`metric: "<namespace>--<name>"`,
 * aggregation 1 = sum, 3 = max, 4 = average); log charts are `KqlItem/1.0` over Log Analytics.
 */
import { RUNTIME_METRICS } from '../../../lib/core/metrics-catalog';
import { DEPLOYMENT_METRICS, DEPLOYMENT_NAMESPACE, ENDPOINT_METRICS, ENDPOINT_NAMESPACE } from './azure-metrics';
import { CONSOLE_METRICS, consoleMetricChart, trafficChart } from './monitoring-queries';

export interface WorkbookDeployment {
  readonly name: string;
  /** ARM ID (may be a Terraform reference). */
  readonly id: string;
  readonly gpu: boolean;
}

export interface WorkbookInput {
  readonly title: string;
  readonly endpointName: string;
  readonly endpointId: string;
  readonly deployments: readonly WorkbookDeployment[];
  readonly logAnalyticsWorkspaceId: string;
}

const AGG = { sum: 1, max: 3, average: 4 } as const;
const DAY_MS = 86_400_000;

interface Metric {
  readonly name: string;
  readonly aggregation: number;
  readonly splitBy?: string;
}

function metricsItem(name: string, title: string, namespace: string, resourceIds: readonly string[], metrics: readonly Metric[]): Record<string, unknown> {
  const ns = namespace.toLowerCase();
  return {
    type: 10,
    name,
    customWidth: '50',
    content: {
      chartId: `workbook-${name}`,
      version: 'MetricsItem/2.0',
      size: 0,
      chartType: 2,
      resourceType: ns,
      metricScope: 0,
      resourceIds,
      timeContext: { durationMs: DAY_MS },
      metrics: metrics.map((m) => ({ namespace: ns, metric: `${ns}--${m.name}`, aggregation: m.aggregation, ...(m.splitBy ? { splitBy: [m.splitBy], splitBySortOrder: -1, splitByLimit: 20 } : {}) })),
      title,
      gridSettings: { rowLimit: 10000 },
    },
  };
}

function queryItem(name: string, title: string, query: string, workspaceId: string): Record<string, unknown> {
  return {
    type: 3,
    name,
    customWidth: '50',
    content: {
      version: 'KqlItem/1.0',
      query,
      size: 0,
      title,
      timeContext: { durationMs: DAY_MS },
      queryType: 0,
      resourceType: 'microsoft.operationalinsights/workspaces',
      crossComponentResources: [workspaceId],
      visualization: 'timechart',
    },
  };
}

const text = (name: string, markdown: string): Record<string, unknown> => ({ type: 1, name, content: { json: markdown } });

/** The workbook's Notebook/1.0 document. */
export function renderWorkbook(w: WorkbookInput): Record<string, unknown> {
  const ep = [w.endpointId];
  const deployments = w.deployments.map((d) => d.id);
  const gpu = w.deployments.filter((d) => d.gpu).map((d) => d.id);
  const E = ENDPOINT_METRICS;
  const D = DEPLOYMENT_METRICS;
  const items: Record<string, unknown>[] = [
    text('title', `# ${w.title}\nManaged online endpoint \`${w.endpointName}\`: traffic and latency (Azure Monitor metrics), instances and utilisation per deployment, then the ServingStack runtime's own metrics from the console log.`),
    metricsItem('requests', 'Requests per minute, by deployment', ENDPOINT_NAMESPACE, ep, [{ name: E.requestsPerMinute, aggregation: AGG.sum, splitBy: 'deployment' }]),
    metricsItem('status', 'Requests per minute, by status class', ENDPOINT_NAMESPACE, ep, [{ name: E.requestsPerMinute, aggregation: AGG.sum, splitBy: 'statusCodeClass' }]),
    metricsItem('latency', 'Request latency (ms): p50, p90, p95, p99', ENDPOINT_NAMESPACE, ep, [E.requestLatencyP50, E.requestLatencyP90, E.requestLatencyP95, E.requestLatencyP99].map((name) => ({ name, aggregation: AGG.average }))),
    queryItem('errors', 'Requests, 5xx share (%) and latency by deployment (traffic log)', trafficChart(w.endpointName), w.logAnalyticsWorkspaceId),
    metricsItem('network', 'Network bytes / s and active connections', ENDPOINT_NAMESPACE, ep, [{ name: E.networkBytes, aggregation: AGG.average }, { name: E.connectionsActive, aggregation: AGG.average }]),
  ];
  if (deployments.length > 0) {
    items.push(
      metricsItem('instances', 'Instances per deployment', DEPLOYMENT_NAMESPACE, deployments, [{ name: D.capacity, aggregation: AGG.max }]),
      metricsItem('cpu', 'CPU utilisation (%)', DEPLOYMENT_NAMESPACE, deployments, [{ name: D.cpu, aggregation: AGG.average }]),
      metricsItem('memory', 'Memory utilisation (%)', DEPLOYMENT_NAMESPACE, deployments, [{ name: D.memory, aggregation: AGG.average }]),
      metricsItem('disk', 'Disk utilisation (%)', DEPLOYMENT_NAMESPACE, deployments, [{ name: D.disk, aggregation: AGG.max }]),
    );
  }
  if (gpu.length > 0) {
    items.push(metricsItem('gpu', 'GPU and GPU memory utilisation (%)', DEPLOYMENT_NAMESPACE, gpu, [{ name: D.gpu, aggregation: AGG.average }, { name: D.gpuMemory, aggregation: AGG.average }]));
  }
  items.push(text('runtime', '## Runtime metrics\nFrom the JSON documents the runtime writes to the console log (`SERVINGSTACK_EMF=true`), per model; histograms as p99.'));
  for (const key of CONSOLE_METRICS) {
    const m = RUNTIME_METRICS[key];
    items.push(queryItem(`runtime-${key}`, `runtime: ${m.name}`, consoleMetricChart(w.endpointName, m), w.logAnalyticsWorkspaceId));
  }
  return { version: 'Notebook/1.0', items, isLocked: false, fallbackResourceIds: [w.logAnalyticsWorkspaceId] };
}
