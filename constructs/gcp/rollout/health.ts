/**
 * How the rollout decides a canary is healthy. Two production sources, combined by default:
 *
 * - {@link EndpointReplicaHealth}: the endpoint's own view (`GetEndpoint` →
 *   `deployed_models[].status.available_replica_count` ≥ the deployment's min replicas). Vertex
 *   counts a replica available once the container's health route (`AIP_HEALTH_ROUTE`) answers 200.
 * - {@link CloudMonitoringErrorRate}: `prediction/online/error_count` ÷ `prediction_count` of the
 *   deployed model since the canary started (Cloud Monitoring API v3 `timeSeries.list`). Monitoring
 *   data lags by a few minutes; bake long enough for it to arrive.
 *
 * Tests inject their own source; the rollout only sees this interface.
 */
import type { HttpRequester, VertexClients } from './clients';

export interface HealthQuery {
  /** `projects/P/locations/R/endpoints/ID`. */
  readonly endpointName: string;
  readonly deployedModelId: string;
  readonly minReplicaCount: number;
  /** When the canary started receiving traffic. */
  readonly since: Date;
}

export interface HealthReport {
  /** Replicas up and answering health checks. */
  readonly healthy: boolean;
  /** Errors ÷ predictions (0–1), when there were predictions. */
  readonly errorRate?: number;
  readonly predictions?: number;
  /** One line for the progress output. */
  readonly detail: string;
}

export interface HealthSource {
  check(q: HealthQuery): Promise<HealthReport>;
}

export class EndpointReplicaHealth implements HealthSource {
  constructor(private readonly clients: Pick<VertexClients, 'endpoints'>) {}

  public async check(q: HealthQuery): Promise<HealthReport> {
    const [ep] = await this.clients.endpoints.getEndpoint({ name: q.endpointName });
    const dm = (ep.deployedModels ?? []).find((d) => d.id === q.deployedModelId);
    if (!dm) return { healthy: false, detail: `deployed model ${q.deployedModelId} is not on the endpoint` };
    const available = dm.status?.availableReplicaCount ?? 0;
    return { healthy: available >= q.minReplicaCount, detail: `replicas ${available}/${q.minReplicaCount} available${dm.status?.message ? ` (${dm.status.message})` : ''}` };
  }
}

interface TimeSeriesList {
  timeSeries?: { points?: { value?: { int64Value?: string; doubleValue?: number } }[] }[];
}

export class CloudMonitoringErrorRate implements HealthSource {
  constructor(private readonly request: HttpRequester, private readonly now: () => Date = () => new Date()) {}

  /** The `timeSeries.list` URL for one metric of one deployed model. */
  public url(project: string, metric: string, q: HealthQuery): string {
    const endpointId = q.endpointName.split('/').pop();
    const filter = `metric.type="aiplatform.googleapis.com/prediction/online/${metric}" AND resource.type="aiplatform.googleapis.com/Endpoint" AND resource.labels.endpoint_id="${endpointId}" AND metric.labels.deployed_model_id="${q.deployedModelId}"`;
    const params = new URLSearchParams({
      filter,
      'interval.startTime': q.since.toISOString(),
      'interval.endTime': this.now().toISOString(),
      'aggregation.alignmentPeriod': '60s',
      'aggregation.perSeriesAligner': 'ALIGN_DELTA',
      'aggregation.crossSeriesReducer': 'REDUCE_SUM',
    });
    return `https://monitoring.googleapis.com/v3/projects/${project}/timeSeries?${params.toString()}`;
  }

  private async total(project: string, metric: string, q: HealthQuery): Promise<number> {
    const res = await this.request({ url: this.url(project, metric, q) });
    if (res.status !== 200) throw new Error(`Cloud Monitoring answered HTTP ${res.status} for ${metric}`);
    let total = 0;
    for (const ts of (res.data as TimeSeriesList).timeSeries ?? []) {
      for (const p of ts.points ?? []) total += Number(p.value?.int64Value ?? p.value?.doubleValue ?? 0);
    }
    return total;
  }

  public async check(q: HealthQuery): Promise<HealthReport> {
    const project = q.endpointName.split('/')[1];
    const [predictions, errors] = await Promise.all([this.total(project, 'prediction_count', q), this.total(project, 'error_count', q)]);
    if (predictions === 0) return { healthy: true, predictions: 0, detail: 'no predictions yet' };
    const errorRate = errors / predictions;
    return { healthy: true, errorRate, predictions, detail: `${errors}/${predictions} errors (${(errorRate * 100).toFixed(2)}%)` };
  }
}

/** All sources must be healthy; the highest error rate counts. */
export function combineHealth(...sources: HealthSource[]): HealthSource {
  return {
    async check(q: HealthQuery): Promise<HealthReport> {
      const reports = await Promise.all(sources.map((s) => s.check(q)));
      const rates = reports.map((r) => r.errorRate).filter((r): r is number => r !== undefined);
      const predictions = reports.map((r) => r.predictions).filter((r): r is number => r !== undefined);
      return {
        healthy: reports.every((r) => r.healthy),
        errorRate: rates.length > 0 ? Math.max(...rates) : undefined,
        predictions: predictions.length > 0 ? Math.max(...predictions) : undefined,
        detail: reports.map((r) => r.detail).join('; '),
      };
    },
  };
}
