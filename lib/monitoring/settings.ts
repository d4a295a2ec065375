/**
 * The monitor settings for a model, derived one way for the runtime (lib/runtime/monitoring.ts)
 * and for batch scoring (quality-report, replay.ts), so both compute the same figures.
 */
import type { MonitorOptions } from './monitor';
import type { Baseline } from './types';

/** What of a model the settings depend on (a served model, or a package's manifest signature). */
export interface MonitoredModel {
  readonly task?: 'classification' | 'regression' | 'other';
  readonly inputs: readonly { readonly name: string; readonly datatype: string }[];
  readonly outputs: readonly { readonly name: string; readonly datatype: string; readonly shape: readonly number[] }[];
}

/** The runtime's monitoring settings (SERVINGSTACK_MONITORING_*, _DRIFT_*, _FAIRNESS_*, _FEEDBACK_*). */
export type MonitorSettings = Pick<MonitorOptions, 'windowRows' | 'windowSeconds' | 'minWindowRows' | 'psiThreshold' | 'jsThreshold' | 'feedbackCacheSize' | 'feedbackTtlSeconds' | 'groupAttribute' | 'positiveClass' | 'minGroupCount'>;

/** For classifiers: an integer label output of one value per row if there is one, else argmax of the first output. */
export function defaultPrediction(model: MonitoredModel): { output: string; mode: 'class' | 'value' } | undefined {
  const outputs = model.outputs;
  if (outputs.length === 0) return undefined;
  if (model.task !== 'classification') return { output: outputs[0].name, mode: 'value' };
  const label = outputs.find((o) => /^U?INT(8|16|32|64)$/.test(o.datatype) && o.shape.length === 1);
  return label ? { output: label.name, mode: 'value' } : { output: outputs[0].name, mode: 'class' };
}

/**
 * Thresholds: explicit settings win; else the baseline's calibration, rescaled when the window
 * differs from the calibrated one (the statistics' no-drift noise falls as 1/rows); else fixed.
 */
export function monitorOptions(baseline: Baseline, model: MonitoredModel, s: MonitorSettings): MonitorOptions & { readonly windowRows: number; readonly psiThreshold: number; readonly jsThreshold: number } {
  const cal = baseline.thresholds;
  const windowRows = s.windowRows ?? cal?.windowRows ?? 1000;
  const scale = cal ? cal.windowRows / windowRows : 1;
  return {
    windowRows,
    windowSeconds: s.windowSeconds,
    minWindowRows: s.minWindowRows,
    psiThreshold: s.psiThreshold ?? (cal ? cal.psi * scale : 0.25),
    jsThreshold: s.jsThreshold ?? (cal ? Math.min(1, cal.jsDivergenceLog2 * scale) : 0.1),
    feedbackCacheSize: s.feedbackCacheSize,
    feedbackTtlSeconds: s.feedbackTtlSeconds,
    groupAttribute: s.groupAttribute,
    positiveClass: s.positiveClass,
    minGroupCount: s.minGroupCount,
    predictionOutput: defaultPrediction(model),
    float32Inputs: model.inputs.filter((t) => t.datatype === 'FP32').map((t) => t.name),
  };
}
