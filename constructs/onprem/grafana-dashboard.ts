/**
 * The Grafana dashboard for on-prem serving, generated from the metric catalogues
 * (RUNTIME_METRICS, DCGM_METRICS). Delivered as a ConfigMap the Grafana dashboard sidecar
 * loads, so no Grafana API call or custom resource is needed at plan time.
 */
import { RUNTIME_METRICS, RuntimeMetricKey } from '../../lib/core/metrics-catalog';
import { NON_INFERENCE_ROUTES } from './alert-rules';
import { DCGM_METRICS } from './dcgm-metrics';

export const DASHBOARD_UID = 'servingstack-onprem';

/** The serving-path runtime metrics the dashboard charts (a test keeps this list honest). */
export const DASHBOARD_METRICS: readonly RuntimeMetricKey[] = [
  'requests', 'requestDuration', 'queueDuration', 'computeDuration', 'batchSize', 'inferenceRows', 'rejected', 'queueDepth', 'inflight', 'modelLoadDuration', 'modelReady',
];

interface Panel {
  readonly title: string;
  readonly unit: string;
  readonly targets: { expr: string; legendFormat: string }[];
}

const R = RUNTIME_METRICS;
const D = DCGM_METRICS;
const SEL = 'namespace=~"$namespace", app=~"$app"';
const INF = `route!~"${NON_INFERENCE_ROUTES}"`;

function panels(): Panel[] {
  return [
    { title: 'Requests per second', unit: 'reqps', targets: [{ expr: `sum by (app, track) (rate(${R.requests.name}{${SEL}, ${INF}}[5m]))`, legendFormat: '{{app}} {{track}}' }] },
    { title: 'Error rate (5xx)', unit: 'percentunit', targets: [{ expr: `sum by (app, track) (rate(${R.requests.name}{${SEL}, ${INF}, status=~"5.."}[5m])) / sum by (app, track) (rate(${R.requests.name}{${SEL}, ${INF}}[5m]))`, legendFormat: '{{app}} {{track}}' }] },
    {
      title: 'Request latency',
      unit: 's',
      targets: [0.5, 0.99].map((q) => ({ expr: `histogram_quantile(${q}, sum by (app, track, le) (rate(${R.requestDuration.name}_bucket{${SEL}, ${INF}}[5m])))`, legendFormat: `p${q * 100} {{app}} {{track}}` })),
    },
    { title: 'Queue wait p95 / compute p95', unit: 's', targets: [
      { expr: `histogram_quantile(0.95, sum by (app, le) (rate(${R.queueDuration.name}_bucket{${SEL}}[5m])))`, legendFormat: 'queue {{app}}' },
      { expr: `histogram_quantile(0.95, sum by (app, le) (rate(${R.computeDuration.name}_bucket{${SEL}}[5m])))`, legendFormat: 'compute {{app}}' },
    ] },
    { title: 'Queue depth and in-flight (per pod)', unit: 'short', targets: [
      { expr: `sum by (pod) (${R.queueDepth.name}{${SEL}})`, legendFormat: 'queue {{pod}}' },
      { expr: `sum by (pod) (${R.inflight.name}{${SEL}})`, legendFormat: 'in-flight {{pod}}' },
    ] },
    { title: 'Rows inferred per second', unit: 'short', targets: [{ expr: `sum by (app, track) (rate(${R.inferenceRows.name}{${SEL}}[5m]))`, legendFormat: '{{app}} {{track}}' }] },
    { title: 'Mean batch size', unit: 'short', targets: [{ expr: `sum by (app) (rate(${R.batchSize.name}_sum{${SEL}}[5m])) / sum by (app) (rate(${R.batchSize.name}_count{${SEL}}[5m]))`, legendFormat: '{{app}}' }] },
    { title: 'Rejected requests', unit: 'reqps', targets: [{ expr: `sum by (app, reason) (rate(${R.rejected.name}{${SEL}}[5m]))`, legendFormat: '{{app}} {{reason}}' }] },
    { title: 'Ready models / load time', unit: 'short', targets: [
      { expr: `sum by (app, model_version) (${R.modelReady.name}{${SEL}})`, legendFormat: 'ready {{app}} {{model_version}}' },
      { expr: `max by (app) (${R.modelLoadDuration.name}{${SEL}})`, legendFormat: 'load s {{app}}' },
    ] },
    { title: 'GPU utilisation', unit: 'percent', targets: [{ expr: `avg by (Hostname, gpu) (${D.gpuUtil})`, legendFormat: '{{Hostname}} gpu{{gpu}}' }] },
    { title: 'GPU memory used', unit: 'percent', targets: [{ expr: `100 * ${D.fbUsed} / (${D.fbUsed} + ${D.fbFree})`, legendFormat: '{{Hostname}} gpu{{gpu}}' }] },
    { title: 'GPU power and temperature', unit: 'short', targets: [
      { expr: `${D.powerUsage}`, legendFormat: 'W {{Hostname}} gpu{{gpu}}' },
      { expr: `${D.gpuTemp}`, legendFormat: '°C {{Hostname}} gpu{{gpu}}' },
    ] },
    { title: 'GPU XID errors', unit: 'short', targets: [{ expr: `max by (Hostname, gpu) (${D.xidErrors})`, legendFormat: '{{Hostname}} gpu{{gpu}}' }] },
  ];
}

/** The dashboard model (Grafana JSON), with namespace/app template variables. */
export function servingDashboard(title = 'ServingStack on-prem serving'): Record<string, unknown> {
  return {
    uid: DASHBOARD_UID,
    title,
    tags: ['servingstack'],
    timezone: 'browser',
    schemaVersion: 39,
    version: 1,
    editable: false,
    refresh: '30s',
    time: { from: 'now-6h', to: 'now' },
    templating: {
      list: [
        { name: 'datasource', type: 'datasource', query: 'prometheus', label: 'Data source' },
        { name: 'namespace', type: 'query', datasource: { type: 'prometheus', uid: '${datasource}' }, query: `label_values(${R.requests.name}, namespace)`, includeAll: true, multi: true, refresh: 2 },
        { name: 'app', type: 'query', datasource: { type: 'prometheus', uid: '${datasource}' }, query: `label_values(${R.requests.name}{namespace=~"$namespace"}, app)`, includeAll: true, multi: true, refresh: 2 },
      ],
    },
    panels: panels().map((p, i) => ({
      id: i + 1,
      type: 'timeseries',
      title: p.title,
      datasource: { type: 'prometheus', uid: '${datasource}' },
      gridPos: { h: 8, w: 12, x: (i % 2) * 12, y: Math.floor(i / 2) * 8 },
      fieldConfig: { defaults: { unit: p.unit }, overrides: [] },
      targets: p.targets.map((t, j) => ({ refId: String.fromCharCode(65 + j), expr: t.expr, legendFormat: t.legendFormat })),
    })),
  };
}
