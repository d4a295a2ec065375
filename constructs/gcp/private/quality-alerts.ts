/**
 * Model-quality alert policies and dashboard tiles over the runtime's log-based metrics, from the
 * shared vocabulary (lib/core/contract/thresholds.ts): drift, accuracy, concept drift, fairness.
 */
import { Severity } from '../../../lib/core/contract/severity';
import { ResolvedModelQualityThresholds, ThresholdGroup, Thresholds } from '../../../lib/core/contract/thresholds';
import { RUNTIME_LOG_METRICS, RuntimeLogMetricKey, RuntimeLogMetrics } from './runtime-log-metrics';

/** One alert policy to create (ServingMonitoring renders it). */
export interface AlertSpec {
  readonly key: string;
  readonly title: string;
  readonly severity: Severity;
  readonly condition: Record<string, unknown>;
  readonly doc: string;
  /** Model-quality alerts also notify the retraining channel. */
  readonly modelQuality?: boolean;
}

const BY_MODEL = ['metric.label.model'];
const WINDOW = '300s';

type Filter = (metricType: string) => string;

function threshold(filter: string, aligner: string, period: string, comparison: 'COMPARISON_GT' | 'COMPARISON_LT', value: number): Record<string, unknown> {
  return {
    conditionThreshold: {
      filter,
      aggregations: [{ alignmentPeriod: period, perSeriesAligner: aligner, crossSeriesReducer: aligner === 'ALIGN_SUM' ? 'REDUCE_SUM' : 'REDUCE_MEAN', groupByFields: BY_MODEL }],
      comparison,
      thresholdValue: value,
      duration: '0s',
      trigger: { count: 1 },
    },
  };
}

/**
 * The four model-quality alerts. Values are per model: drift fires when a closed window had
 * `maxDriftedFeatures` or more drifted features (the largest count in 5 minutes); accuracy and
 * fairness when the median of the runtime's published values over 5 minutes crosses the
 * threshold (no labels or groups, no values, no alert); concept drift when the detections in
 * 15 minutes reach the maximum.
 */
export function qualityAlerts(metrics: RuntimeLogMetrics, filter: Filter, t: ResolvedModelQualityThresholds): AlertSpec[] {
  const f = (key: RuntimeLogMetricKey): string => filter(metrics.type(key));
  const sev = (name: string): Severity => Thresholds.severityOf(ThresholdGroup.MODEL_QUALITY, name);
  const retrain = 'An open incident of this policy starts the retraining pipeline when a retraining trigger is configured.';
  return [
    {
      key: 'Drift',
      severity: sev('maxDriftedFeatures'),
      title: `${t.maxDriftedFeatures} or more drifted features`,
      doc: `A monitoring window closed with ${t.maxDriftedFeatures} or more features past the baseline's drift thresholds (PSI / Jensen–Shannon). Compare recent traffic with the baseline: \`servingstack drift-report\`. ${retrain}`,
      condition: threshold(f('driftedFeatures'), 'ALIGN_PERCENTILE_99', WINDOW, 'COMPARISON_GT', t.maxDriftedFeatures - 0.5),
      modelQuality: true,
    },
    {
      key: 'Accuracy',
      severity: sev('minAccuracy'),
      title: `accuracy below ${t.minAccuracy}`,
      doc: `Rolling accuracy over labelled rows fell below ${t.minAccuracy}. Check recent labels and drift; retrain or roll back with \`servingstack gcp rollback\`. ${retrain}`,
      condition: threshold(f('accuracy'), 'ALIGN_PERCENTILE_50', WINDOW, 'COMPARISON_LT', t.minAccuracy),
      modelQuality: true,
    },
    {
      key: 'ConceptDrift',
      severity: sev('maxConceptDriftDetectionsPer15Minutes'),
      title: `${t.maxConceptDriftDetectionsPer15Minutes} or more concept-drift detections in 15 minutes`,
      doc: `The error stream changed (Page–Hinkley / DDM detected ${t.maxConceptDriftDetectionsPer15Minutes} or more changes in 15 minutes): the relation between inputs and labels moved. ${retrain}`,
      condition: threshold(f('conceptDrift'), 'ALIGN_SUM', '900s', 'COMPARISON_GT', t.maxConceptDriftDetectionsPer15Minutes - 0.5),
      modelQuality: true,
    },
    {
      key: 'FairnessDisparateImpact',
      severity: sev('minDisparateImpactRatio'),
      title: `disparate impact ratio below ${t.minDisparateImpactRatio}`,
      doc: `The lowest group's selection rate fell below ${t.minDisparateImpactRatio} of the highest (four-fifths rule). ${retrain}`,
      condition: threshold(f('disparateImpactRatio'), 'ALIGN_PERCENTILE_50', WINDOW, 'COMPARISON_LT', t.minDisparateImpactRatio),
      modelQuality: true,
    },
    {
      key: 'FairnessDemographicParity',
      severity: sev('maxDemographicParityDifference'),
      title: `demographic parity difference ${t.maxDemographicParityDifference} or more`,
      doc: `Selection rates of the groups differ by ${t.maxDemographicParityDifference} or more. ${retrain}`,
      // "at or above": the median must not reach the value; distributions make equality rare.
      condition: threshold(f('demographicParityDifference'), 'ALIGN_PERCENTILE_50', WINDOW, 'COMPARISON_GT', t.maxDemographicParityDifference),
      modelQuality: true,
    },
  ];
}

/** Dashboard tiles for the runtime's verdicts (one per log-based metric, by model). */
export function qualityTiles(metrics: RuntimeLogMetrics, filter: Filter): { title: string; dataSets: Record<string, unknown>[] }[] {
  return (Object.entries(RUNTIME_LOG_METRICS) as [RuntimeLogMetricKey, (typeof RUNTIME_LOG_METRICS)[RuntimeLogMetricKey]][]).map(([key, def]) => {
    const aligner = def.kind === 'count' ? 'ALIGN_SUM' : key === 'driftedFeatures' ? 'ALIGN_PERCENTILE_99' : 'ALIGN_PERCENTILE_50';
    return {
      title: `runtime: ${def.title}`,
      dataSets: [{
        plotType: 'LINE',
        legendTemplate: '$${metric.labels.model}',
        timeSeriesQuery: {
          timeSeriesFilter: {
            filter: filter(metrics.type(key)),
            aggregation: { alignmentPeriod: def.kind === 'count' ? '300s' : '60s', perSeriesAligner: aligner, crossSeriesReducer: def.kind === 'count' ? 'REDUCE_SUM' : 'REDUCE_MEAN', groupByFields: BY_MODEL },
          },
        },
      }],
    };
  });
}
