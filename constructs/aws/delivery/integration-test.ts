/**
 * The post-deploy integration test of a delivery pipeline (`servingstack endpoint-test`): invoke
 * the staging endpoint with the package's example request under a little concurrency, check every
 * answer's status and the p99 latency, and, when a labelled holdout set is given, the accuracy
 * against the manifest's evaluation metric. The invoker is an interface: SageMaker's
 * InvokeEndpoint in the pipeline (sagemaker-invoker.ts), plain HTTP against a local runtime in tests.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ServingStackError, ValidationIssue } from '../../../lib/core/errors';
import { ModelManifest, TensorSpec } from '../../../lib/core/manifest';
import { loadModelPackage } from '../../../lib/core/model-package';
import type { Cell } from '../../../lib/monitoring/baseline';
import { loadRows } from '../../../lib/monitoring/data-file';
import { AwsErrorCodes } from '../errors';

/** One answer of the endpoint. */
export interface Invocation {
  readonly status: number;
  readonly body: string;
  readonly latencyMs: number;
}

/** Sends one request body to the endpoint under test. */
export interface Invoker {
  invoke(body: string, contentType: string): Promise<Invocation>;
}

/** POST to `<baseUrl>/invocations` (a local runtime, the SageMaker contract). */
export function httpInvoker(baseUrl: string): Invoker {
  return {
    async invoke(body, contentType) {
      const t0 = performance.now();
      const res = await fetch(`${baseUrl.replace(/\/$/, '')}/invocations`, { method: 'POST', headers: { 'content-type': contentType, accept: 'application/json' }, body });
      const text = await res.text();
      return { status: res.status, body: text, latencyMs: performance.now() - t0 };
    },
  };
}

export interface IntegrationTestOptions {
  /** Model package directory (servingstack.json; `example-request.json` when present). */
  readonly packageDir: string;
  /** Example requests to send. @default 50 */
  readonly requests?: number;
  /** Requests in flight at once. @default 4 */
  readonly concurrency?: number;
  /** Highest acceptable p99 latency of the example requests, in ms. @default 1000 */
  readonly maxP99LatencyMs?: number;
  /** Labelled holdout set (CSV with a label column, scikit-learn CSV, JSON Lines with `label`). @default - no accuracy check */
  readonly holdoutFile?: string;
  /** @default 'label' */
  readonly labelColumn?: string;
  /** Manifest metric the accuracy is compared with. @default 'accuracy' */
  readonly metric?: string;
  /** How far below the manifest's metric the measured accuracy may be. @default 0.02 */
  readonly accuracyTolerance?: number;
}

export interface IntegrationCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface IntegrationReport {
  readonly requests: number;
  readonly p50LatencyMs: number;
  readonly p99LatencyMs: number;
  readonly accuracy?: number;
  readonly expectedAccuracy?: number;
  readonly checks: readonly IntegrationCheck[];
  readonly passed: boolean;
}

/** The example request: the package's `example-request.json`, else one row shaped by the signature. */
export function exampleRequest(dir: string, manifest: ModelManifest): { body: string; contentType: string } {
  const file = path.join(dir, 'example-request.json');
  if (fs.existsSync(file)) return { body: fs.readFileSync(file, 'utf8'), contentType: 'application/json' };
  const input = manifest.signature.inputs[0];
  const width = input.shape.slice(1).reduce<number>((n, d) => n * (typeof d === 'number' && d > 0 ? d : 1), 1);
  const value = /^(BOOL)$/.test(input.datatype) ? false : /^BYTES$/.test(input.datatype) ? '' : 0;
  return { body: JSON.stringify({ instances: [Array.from({ length: width }, () => value)] }), contentType: 'application/json' };
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** The predicted class of one prediction: an integer label output, else the argmax of a probability vector. */
export function predictedClass(prediction: unknown, outputs: readonly TensorSpec[]): number | undefined {
  const value = (name: string): unknown => (prediction && typeof prediction === 'object' && !Array.isArray(prediction) ? (prediction as Record<string, unknown>)[name] : outputs.length === 1 ? prediction : undefined);
  const label = outputs.find((o) => /INT/.test(o.datatype));
  if (label) {
    const v = value(label.name);
    const n = Array.isArray(v) ? Number(v[0]) : Number(v);
    if (Number.isFinite(n)) return n;
  }
  const probs = outputs.find((o) => /^FP/.test(o.datatype));
  const p = probs ? value(probs.name) : undefined;
  if (Array.isArray(p) && p.length > 0) return p.reduce((best: number, x, i, a) => (Number(x) > Number(a[best]) ? i : best), 0);
  return undefined;
}

function classId(label: Cell, manifest: ModelManifest): number | undefined {
  if (typeof label === 'number') return label;
  const n = Number(label);
  if (label !== null && label !== '' && Number.isInteger(n)) return n;
  const i = manifest.classLabels?.indexOf(String(label)) ?? -1;
  return i >= 0 ? i : undefined;
}

async function pool<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
}

/** Run the checks; throws SS_ERR_AWS_INTEGRATION_TEST_FAILED naming each failed check. */
export async function runIntegrationTest(invoker: Invoker, options: IntegrationTestOptions): Promise<IntegrationReport> {
  const { manifest } = await loadModelPackage(options.packageDir);
  const n = options.requests ?? 50;
  const maxP99 = options.maxP99LatencyMs ?? 1000;
  const request = exampleRequest(options.packageDir, manifest);
  const results: Invocation[] = [];
  await pool(Array.from({ length: n }, (_, i) => i), options.concurrency ?? 4, async () => {
    results.push(await invoker.invoke(request.body, request.contentType));
  });
  const failures = results.filter((r) => r.status !== 200);
  const latencies = results.map((r) => r.latencyMs);
  const p99 = percentile(latencies, 99);
  const checks: IntegrationCheck[] = [
    { name: 'status', ok: failures.length === 0, detail: failures.length === 0 ? `${n} of ${n} answered 200` : `${failures.length} of ${n} did not answer 200 (first: ${failures[0].status} ${failures[0].body.slice(0, 200)})` },
    { name: 'p99LatencyMs', ok: p99 <= maxP99, detail: `p99 ${p99.toFixed(1)} ms over ${n} requests (limit ${maxP99} ms)` },
  ];
  let accuracy: number | undefined;
  let expected: number | undefined;
  if (options.holdoutFile) {
    const metric = options.metric ?? 'accuracy';
    expected = manifest.lineage?.metrics?.[metric];
    const data = loadRows(options.holdoutFile, { labelColumn: options.labelColumn ?? 'label' });
    if (!data.labels) throw new ServingStackError(AwsErrorCodes.INTEGRATION_TEST, `${options.holdoutFile} has no labels`, [{ field: 'holdoutFile', message: 'has no label column', received: options.holdoutFile, allowed: 'a CSV with a label column, a scikit-learn CSV, or JSON Lines with "label"' }]);
    const batch = manifest.batching?.maxBatchSize ?? 64;
    let correct = 0;
    let scored = 0;
    for (let i = 0; i < data.rows.length; i += batch) {
      const rows = data.rows.slice(i, i + batch);
      const res = await invoker.invoke(JSON.stringify({ instances: rows }), 'application/json');
      if (res.status !== 200) {
        checks.push({ name: 'holdout', ok: false, detail: `batch at row ${i} answered ${res.status}: ${res.body.slice(0, 200)}` });
        break;
      }
      const predictions = (JSON.parse(res.body) as { predictions: unknown[] }).predictions;
      predictions.forEach((p, j) => {
        const truth = classId((data.labels as Cell[])[i + j], manifest);
        const predicted = predictedClass(p, manifest.signature.outputs);
        scored++;
        if (truth !== undefined && predicted === truth) correct++;
      });
    }
    accuracy = scored > 0 ? correct / scored : 0;
    const tolerance = options.accuracyTolerance ?? 0.02;
    checks.push(expected === undefined
      ? { name: 'accuracy', ok: false, detail: `the manifest has no lineage.metrics.${metric} to compare the holdout accuracy ${accuracy.toFixed(4)} with` }
      : { name: 'accuracy', ok: accuracy >= expected - tolerance, detail: `holdout accuracy ${accuracy.toFixed(4)} over ${scored} rows; manifest ${metric} ${expected} (tolerance ${tolerance})` });
  }
  const report: IntegrationReport = { requests: n, p50LatencyMs: percentile(latencies, 50), p99LatencyMs: p99, accuracy, expectedAccuracy: expected, checks, passed: checks.every((c) => c.ok) };
  if (!report.passed) {
    const issues: ValidationIssue[] = checks.filter((c) => !c.ok).map((c) => ({
      field: c.name,
      message: c.detail,
      received: c.name === 'p99LatencyMs' ? Number(p99.toFixed(1)) : c.name === 'accuracy' ? accuracy : failures.length,
      allowed: c.name === 'p99LatencyMs' ? `≤ ${maxP99} ms` : c.name === 'accuracy' ? `≥ ${expected ?? '?'} − ${options.accuracyTolerance ?? 0.02}` : 'every request answered 200',
    }));
    throw Object.assign(new ServingStackError(AwsErrorCodes.INTEGRATION_TEST, 'the endpoint failed its integration test', issues), { report });
  }
  return report;
}
