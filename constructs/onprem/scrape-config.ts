/**
 * The Prometheus scrape job for serving pods (plain `scrape_config`, no ServiceMonitor CRD). Its
 * keys are Prometheus' own configuration format (snake_case by Prometheus, not the provider).
 * Pods opt in through the annotations ModelServer sets (`servingstack.io/scrape|port|path`);
 * the job adds the `namespace`, `pod`, `app`, `track` and `model_version` labels the
 * dashboard, alert rules and prometheus-adapter rules group by.
 */
import { POD_LABELS, SCRAPE_ANNOTATIONS } from './workload/labels';

/** Prometheus meta label of a pod annotation or label (non-alphanumerics become `_`). */
export function metaLabel(kind: 'annotation' | 'label', key: string): string {
  return `__meta_kubernetes_pod_${kind}_${key.replace(/[^a-zA-Z0-9]/g, '_')}`;
}

/**
 * The serving job. `tokenFile`: the bearer token Prometheus sends (the runtime's `/metrics` is an
 * admin route when authentication is on; other servers ignore the header).
 */
export function servingScrapeConfig(namespaces: readonly string[] = [], scrapeInterval = '15s', tokenFile?: string): Record<string, unknown> {
  return {
    job_name: 'servingstack',
    scrape_interval: scrapeInterval,
    ...(tokenFile ? { authorization: { type: 'Bearer', credentials_file: tokenFile } } : {}),
    kubernetes_sd_configs: [{ role: 'pod', ...(namespaces.length > 0 ? { namespaces: { names: [...namespaces] } } : {}) }],
    relabel_configs: [
      { source_labels: [metaLabel('annotation', SCRAPE_ANNOTATIONS.scrape)], regex: 'true', action: 'keep' },
      { source_labels: ['__meta_kubernetes_pod_container_init'], regex: 'true', action: 'drop' },
      { source_labels: ['__meta_kubernetes_pod_phase'], regex: 'Pending|Succeeded|Failed', action: 'drop' },
      { source_labels: [metaLabel('annotation', SCRAPE_ANNOTATIONS.path)], regex: '(.+)', target_label: '__metrics_path__', action: 'replace' },
      { source_labels: ['__meta_kubernetes_pod_ip', metaLabel('annotation', SCRAPE_ANNOTATIONS.port)], regex: '(.+);(\\d+)', replacement: '$1:$2', target_label: '__address__', action: 'replace' },
      { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace', action: 'replace' },
      { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod', action: 'replace' },
      { source_labels: [metaLabel('label', POD_LABELS.app)], target_label: 'app', action: 'replace' },
      { source_labels: [metaLabel('label', POD_LABELS.track)], target_label: 'track', action: 'replace' },
      { source_labels: [metaLabel('label', POD_LABELS.modelVersion)], target_label: 'model_version', action: 'replace' },
    ],
  };
}
