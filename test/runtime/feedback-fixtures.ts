/**
 * Model packages with baselines for the feedback tests: the breast-cancer classifier (fairness by a
 * `segment` request parameter) and the PyTorch-exported wake-word model (`onnx::Flatten_0` → `39`),
 * monitored as a regression on its score.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { computeBaseline } from '../../lib/monitoring/baseline';
import { breastCancerRows, MODELS, ROOT } from './helpers';

export const KEY = 'k'.repeat(16) + '0123456789abcdef0123456789'; // 42 bytes
export const ROWS = breastCancerRows();
export const WAKEWORD = path.join(ROOT, 'test/fixtures/models/pytorch-wakeword');

function withBaseline(src: string, baseline: unknown, prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.copyFileSync(path.join(src, 'model.onnx'), path.join(dir, 'model.onnx'));
  const manifest = JSON.parse(fs.readFileSync(path.join(src, 'servingstack.json'), 'utf8')) as Record<string, unknown>;
  fs.writeFileSync(path.join(dir, 'servingstack.json'), JSON.stringify({ ...manifest, baseline: 'baseline.json' }));
  fs.writeFileSync(path.join(dir, 'baseline.json'), JSON.stringify(baseline));
  return dir;
}

/** breast-cancer with a baseline from the even rows. */
export function breastCancerPackage(): string {
  const even = ROWS.filter((_, i) => i % 2 === 0);
  const baseline = computeBaseline({ rows: even.map((r) => r.features), featureNames: Array.from({ length: 30 }, (_, i) => `f${i}`), inputName: 'input', labels: even.map((r) => r.label), task: 'classification' });
  return withBaseline(MODELS.breastCancer, baseline, 'ss-fb-bc-');
}

/** A deterministic wake-word input (1 × 25 × 96). */
export function wakewordInput(seed: number): number[] {
  return Array.from({ length: 25 * 96 }, (_, i) => Math.sin(seed * 7.1 + i * 0.37) * 0.5);
}

/** The wake-word model with a two-feature baseline, monitored as a regression of its score. */
export function wakewordPackage(): string {
  const rows = Array.from({ length: 200 }, (_, s) => wakewordInput(s).slice(0, 2));
  const baseline = computeBaseline({ rows, featureNames: ['a0', 'a1'], inputName: 'onnx::Flatten_0', task: 'regression' });
  return withBaseline(WAKEWORD, baseline, 'ss-fb-ww-');
}
