/** The threshold vocabulary: defaults, validation, and the docs table that states them. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Severity, ThresholdGroup, Thresholds } from '../../../lib/core/contract';

describe('Thresholds', () => {
  test('GIVEN nothing set THEN the stated defaults apply', () => {
    expect(Thresholds.resolveServing()).toEqual({ maxErrorRatePercent: 5, maxP99LatencyMillis: 1000, maxMinutesAtMaxReplicas: 15 });
    expect(Thresholds.resolveModelQuality()).toEqual({ maxDriftedFeatures: 1, minAccuracy: 0.9, maxConceptDriftDetectionsPer15Minutes: 1, minDisparateImpactRatio: 0.8, maxDemographicParityDifference: 0.1 });
    expect(Thresholds.resolveRolloutGates()).toEqual({ maxErrorRatePercent: 1, maxP99LatencyMillis: 1000 });
    expect(Thresholds.resolveFleet()).toEqual({ maxDriftedDevicesPercent: 10, minReportingDevices: 1 });
    expect(Thresholds.validate(ThresholdGroup.FLEET, { maxDriftedDevicesPercent: 0, minReportingDevices: 2.5 }, 'fleetThresholds').map((i) => i.field)).toEqual(['fleetThresholds.maxDriftedDevicesPercent', 'fleetThresholds.minReportingDevices']);
  });

  test('GIVEN values set THEN they win over the defaults, explicit zeros included', () => {
    expect(Thresholds.resolveRolloutGates({ maxErrorRatePercent: 0 })).toEqual({ maxErrorRatePercent: 0, maxP99LatencyMillis: 1000 });
    expect(Thresholds.resolveServing({ maxP99LatencyMillis: 250 }).maxP99LatencyMillis).toBe(250);
  });

  test('GIVEN bad values THEN every one is named with what is allowed; tokens are skipped', () => {
    const issues = Thresholds.validate(ThresholdGroup.SERVING, { maxP99LatencyMillis: 1.5, maxErrorRatePercent: 0, maxMinutesAtMaxReplicas: 9999 }, 'thresholds');
    expect(issues).toEqual([
      { field: 'thresholds.maxErrorRatePercent', message: 'is out of range', received: 0, allowed: 'a number above 0 and at most 100 %' },
      { field: 'thresholds.maxP99LatencyMillis', message: 'is not a whole number', received: 1.5, allowed: 'a whole number from 1 to 3600000 ms' },
      { field: 'thresholds.maxMinutesAtMaxReplicas', message: 'is out of range', received: 9999, allowed: 'a whole number from 1 to 1440 minutes' },
    ]);
    expect(Thresholds.validate(ThresholdGroup.MODEL_QUALITY, { minAccuracy: 1.2 }, '')).toEqual([{ field: 'minAccuracy', message: 'is out of range', received: 1.2, allowed: 'a number from 0 to 1' }]);
    expect(Thresholds.validate(ThresholdGroup.SERVING, { maxErrorRatePercent: -1 }, 'x', (v) => v === -1)).toEqual([]);
  });

  test('GIVEN the alarm thresholds THEN each has a severity, error rate and accuracy page', () => {
    expect(Thresholds.severityOf(ThresholdGroup.SERVING, 'maxErrorRatePercent')).toBe(Severity.CRITICAL);
    expect(Thresholds.severityOf(ThresholdGroup.MODEL_QUALITY, 'minAccuracy')).toBe(Severity.CRITICAL);
    expect(Thresholds.severityOf(ThresholdGroup.SERVING, 'maxP99LatencyMillis')).toBe(Severity.WARNING);
    expect(Thresholds.vocabulary().filter((d) => d.group !== ThresholdGroup.ROLLOUT_GATE).every((d) => d.severity !== undefined)).toBe(true);
  });

  test('GIVEN docs/monitoring.md THEN its vocabulary table lists exactly the vocabulary (name, unit, default, severity)', () => {
    const doc = fs.readFileSync(path.resolve(__dirname, '../../../docs/monitoring.md'), 'utf8');
    const section = doc.slice(doc.indexOf('## Threshold vocabulary'));
    const rows = [...section.matchAll(/^\| `(\w+)` \| `(\w+)` \| [^|]+ \| ([^|]+) \| ([^|]+) \| ([^|]+) \|/gm)].map((m) => [m[1], m[2], m[3].trim(), m[4].trim(), m[5].trim()]);
    expect(rows).toEqual(Thresholds.vocabulary().map((d) => [d.group.structName, d.name, d.unit, String(d.defaultValue), d.severity?.name ?? '—']));
  });
});
