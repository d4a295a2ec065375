/**
 * The production health and artifact sources, against a recording HTTP requester (the real one
 * uses the clients' Google credentials). These pin the exact Cloud Monitoring query and Cloud
 * Storage calls; they cannot prove Google answers as documented.
 */
import { CloudMonitoringErrorRate, combineHealth } from '../../../../constructs/gcp/rollout/health';
import { recorder } from '../../../support/http-recorder';

const QUERY = { endpointName: 'projects/demo-project/locations/europe-west4/endpoints/1234567890', deployedModelId: '777', minReplicaCount: 1, since: new Date('2026-11-25T12:00:00Z') };

describe('CloudMonitoringErrorRate', () => {
  test('sums error_count and prediction_count of the deployed model since the canary started', async () => {
    const r = recorder((url) => ({
      status: 200,
      data: { timeSeries: [{ points: url.includes('error_count') ? [{ value: { int64Value: '3' } }] : [{ value: { int64Value: '150' } }, { value: { int64Value: '50' } }] }] },
    }));
    const report = await new CloudMonitoringErrorRate(r.request, () => new Date('2026-11-25T12:10:00Z')).check(QUERY);
    expect(report).toEqual({ healthy: true, errorRate: 0.015, predictions: 200, detail: '3/200 errors (1.50%)' });
    const url = new URL(r.calls[0].url);
    expect(url.pathname).toBe('/v3/projects/demo-project/timeSeries');
    expect(url.searchParams.get('filter')).toBe(
      'metric.type="aiplatform.googleapis.com/prediction/online/prediction_count" AND resource.type="aiplatform.googleapis.com/Endpoint" AND resource.labels.endpoint_id="1234567890" AND metric.labels.deployed_model_id="777"',
    );
    expect(url.searchParams.get('interval.startTime')).toBe('2026-11-25T12:00:00.000Z');
    expect(url.searchParams.get('interval.endTime')).toBe('2026-11-25T12:10:00.000Z');
  });

  test('no predictions yet: no error rate; HTTP errors surface', async () => {
    expect(await new CloudMonitoringErrorRate(recorder(() => ({ status: 200 })).request).check(QUERY)).toEqual({ healthy: true, predictions: 0, detail: 'no predictions yet' });
    await expect(new CloudMonitoringErrorRate(recorder(() => ({ status: 403 })).request).check(QUERY)).rejects.toThrow(/HTTP 403/);
  });

  test('combined sources: unhealthy if any is, highest error rate wins', async () => {
    const report = await combineHealth(
      { check: async () => ({ healthy: false, detail: 'replicas 0/1 available' }) },
      { check: async () => ({ healthy: true, errorRate: 0.2, predictions: 10, detail: '2/10 errors' }) },
    ).check(QUERY);
    expect(report).toEqual({ healthy: false, errorRate: 0.2, predictions: 10, detail: 'replicas 0/1 available; 2/10 errors' });
  });
});
