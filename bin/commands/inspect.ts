/**
 * `servingstack inspect <model.onnx|dir|archive>`: show what a model package (or a bare ONNX model)
 * declares: manifest summary and signature table, or JSON with `--json`.
 */
import * as path from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_MAX_BATCH_SIZE, displayTensorName, ModelManifest, TensorSpec, modelFileOf } from '../../lib/core/manifest';
import { ModelSource, ModelSourceKind, openModelSource } from '../../lib/core/model-package';
import type { OnnxTensorSpec } from '../../lib/core/onnx-signature';

const KIND_LABELS: Record<ModelSourceKind, string> = {
  directory: 'package directory',
  archive: 'package archive',
  onnx: 'bare ONNX model, no manifest',
};

/** `[N, 3, -1]`: a dynamic first (batch) dimension shows as N, other dynamic dimensions as -1. */
export function renderShape(t: TensorSpec): string {
  if ((t as OnnxTensorSpec).unknownRank) return '? (unknown rank)';
  return `[${t.shape.map((d, i) => (d === -1 ? (i === 0 ? 'N' : '-1') : String(d))).join(', ')}]`;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => `  ${r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ')}`.trimEnd());
}

function batchingLine(m: ModelManifest): string {
  const b = m.batching ?? {};
  const size = b.maxBatchSize === undefined ? `${DEFAULT_MAX_BATCH_SIZE} (default)` : String(b.maxBatchSize);
  const delay = b.maxQueueDelayMicroseconds === undefined ? '0 (default)' : String(b.maxQueueDelayMicroseconds);
  const state = (b.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE) > 1 ? 'dynamic batching' : 'batching off';
  return `${state}: maxBatchSize ${size}, maxQueueDelayMicroseconds ${delay}`;
}

function lineageLines(m: ModelManifest): string[] {
  const l = m.lineage;
  if (!l) return ['none'];
  const out: string[] = [];
  if (l.trainingData) out.push(`trainingData  ${l.trainingData.uri}${l.trainingData.version ? ` (version ${l.trainingData.version})` : ''}`);
  if (l.codeRepository) out.push(`repository    ${l.codeRepository}`);
  if (l.codeCommit) out.push(`commit        ${l.codeCommit}`);
  if (l.createdAt) out.push(`createdAt     ${l.createdAt}`);
  if (l.metrics && Object.keys(l.metrics).length > 0) {
    out.push(`metrics       ${Object.entries(l.metrics).map(([k, v]) => `${k}=${v}`).join(', ')}`);
  }
  return out.length > 0 ? out : ['none'];
}

export function renderInspectText(p: string, src: ModelSource): string {
  const lines: string[] = [];
  const m = src.manifest;
  const label = (key: string): string => `  ${key.padEnd(12)} `;
  if (m) {
    lines.push(`${m.name} ${m.version}`);
    lines.push(`${label('source')}${p} (${KIND_LABELS[src.kind]})`);
    const model = [modelFileOf(m)];
    if (src.onnx) model.push(`opset ${src.onnx.opset}`);
    if (src.onnx?.producer) model.push(`producer ${src.onnx.producer}`);
    lines.push(`${label('format')}${m.format} (${model.join(', ')})`);
    const task = m.task ?? 'not set';
    lines.push(`${label('task')}${task}${m.classLabels ? ` (${m.classLabels.length} class labels: ${m.classLabels.slice(0, 5).join(', ')}${m.classLabels.length > 5 ? ', …' : ''})` : ''}`);
    if (m.description) lines.push(`${label('description')}${m.description}`);
    lines.push(`${label('batching')}${batchingLine(m)}`);
    if (m.baseline) lines.push(`${label('baseline')}${m.baseline}`);
    const lineage = lineageLines(m);
    lines.push(`${label('lineage')}${lineage[0]}`);
    for (const extra of lineage.slice(1)) lines.push(`${' '.repeat(15)}${extra}`);
  } else {
    lines.push(path.basename(p));
    lines.push(`${label('source')}${p} (${KIND_LABELS[src.kind]})`);
    if (src.onnx) {
      lines.push(`${label('opset')}${src.onnx.opset}`);
      if (src.onnx.producer) lines.push(`${label('producer')}${src.onnx.producer}`);
    }
  }
  lines.push('', 'signature');
  const rows = [['', 'NAME', 'DATATYPE', 'SHAPE']];
  for (const t of src.signature.inputs) rows.push(['input', displayTensorName(t.name), t.datatype, renderShape(t)]);
  for (const t of src.signature.outputs) rows.push(['output', displayTensorName(t.name), t.datatype, renderShape(t)]);
  lines.push(...table(rows));
  const all = [...src.signature.inputs, ...src.signature.outputs];
  if (all.some((t) => t.shape.includes(-1))) lines.push('', '  N = dynamic first (batch) dimension; -1 = other dynamic dimension');
  return `${lines.join('\n')}\n`;
}

export interface InspectJson {
  readonly source: { readonly path: string; readonly kind: ModelSourceKind };
  readonly manifest: ModelManifest | null;
  readonly model: { readonly file: string; readonly opset?: number; readonly producer?: string } | null;
  readonly signature: { readonly inputs: readonly TensorSpec[]; readonly outputs: readonly TensorSpec[] };
}

export function inspectJson(p: string, src: ModelSource): InspectJson {
  const file = src.manifest ? modelFileOf(src.manifest) : path.basename(p);
  const model = src.onnx
    ? { file, opset: src.onnx.opset, ...(src.onnx.producer ? { producer: src.onnx.producer } : {}) }
    : src.manifest
      ? { file }
      : null;
  return {
    source: { path: p, kind: src.kind },
    manifest: src.manifest ?? null,
    model,
    signature: { inputs: src.signature.inputs, outputs: src.signature.outputs },
  };
}

interface InspectOptions {
  readonly json?: boolean;
}

export async function runInspect(p: string, options: InspectOptions): Promise<void> {
  const src = await openModelSource(p);
  try {
    const text = options.json ? `${JSON.stringify(inspectJson(p, src), null, 2)}\n` : renderInspectText(p, src);
    process.stdout.write(text);
  } finally {
    await src.cleanup();
  }
}

export function registerInspectCommand(program: Command): void {
  program
    .command('inspect')
    .summary('show the manifest and signature of a model package, archive or ONNX file')
    .description(
      [
        'Show what a model declares: for a package directory or a .tar.gz/.tgz package archive, the manifest summary (name, version, format, task, batching, lineage) and the signature; for a bare .onnx file, the signature read from the model (opset, producer, inputs, outputs).',
        'Packages are validated as `servingstack package` validates them: a manifest that disagrees with its ONNX model fails with SS_ERR_SIGNATURE_MISMATCH. Archives are extracted to a temporary directory (entries with absolute paths, `..` or links leaving the archive are refused) that is removed afterwards.',
      ].join('\n\n'),
    )
    .argument('<source>', 'model.onnx file, package directory, or package .tar.gz/.tgz')
    .option('--json', 'print JSON (source, manifest, model, signature) instead of text')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  $ servingstack inspect examples/models/breast-cancer',
        '  $ servingstack inspect breast-cancer-1.0.0.tar.gz --json',
        '  $ servingstack inspect model.onnx',
      ].join('\n'),
    )
    .action(async (source: string, options: InspectOptions) => runInspect(source, options));
}
