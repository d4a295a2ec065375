/**
 * The monitoring commands run as child processes (ONNX Runtime must not run inside Jest's
 * sandbox; the CLI runs it in a worker thread), and their data: a copy of the breast-cancer
 * package, the data set with one feature shifted, and the unshifted data as JSON Lines.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { columnStd } from '../../lib/monitoring/generators';
import { loadDatasetCsv } from '../../scripts/lib/dataset';

export const ROOT = path.join(__dirname, '../..');
export const DATA = path.join(ROOT, 'examples/data/breast_cancer.csv');

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `servingstack …` in a child process. */
export function cli(...args: string[]): Run {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bin/servingstack.ts'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export interface MonitoringWork {
  readonly work: string;
  /** A copy of examples/models/breast-cancer (with its baseline). */
  readonly pkg: string;
  /** f2 shifted by +1σ, f5 missing in every fourth row; header f0…f29,label. */
  readonly shiftedCsv: string;
  /** The data set unchanged, as JSON Lines keyed f0…f29. */
  readonly sameJsonl: string;
}

export function prepareMonitoringWork(): MonitoringWork {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-monitoring-cli-'));
  const pkg = path.join(work, 'breast-cancer');
  fs.cpSync(path.join(ROOT, 'examples/models/breast-cancer'), pkg, { recursive: true });
  const ds = loadDatasetCsv(DATA);
  const sigma = columnStd(ds.features.map((r) => [...r]));
  const header = Array.from({ length: 30 }, (_, j) => `f${j}`).join(',');
  const lines = ds.features.map((r, i) => r.map((v, j) => (j === 2 ? v + sigma[2]! : j === 5 && i % 4 === 0 ? '' : v)).join(',') + `,${ds.labels[i]}`);
  const shiftedCsv = path.join(work, 'shifted.csv');
  fs.writeFileSync(shiftedCsv, `${header},label\n${lines.join('\n')}\n`);
  const sameJsonl = path.join(work, 'same.jsonl');
  fs.writeFileSync(sameJsonl, ds.features.map((r) => JSON.stringify(Object.fromEntries(r.map((v, j) => [`f${j}`, v])))).join('\n'));
  return { work, pkg, shiftedCsv, sameJsonl };
}
