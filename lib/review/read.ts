/**
 * Readers for synthesized output: a cdk.out cloud assembly (nested assemblies too, as CDK
 * Pipelines stages write them) and cdktf.out (one `cdk.tf.json` per stack). A folder may hold
 * either, or both side by side (`cdk.out/` and `cdktf.out/`, as `npm start` writes them).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface RawStack {
  readonly name: string;
  readonly format: 'cloudformation' | 'terraform';
  readonly doc: Record<string, unknown>;
  /** The deployment region when the output states it (a CDK stack environment). */
  readonly region?: string;
}

export class SynthOutputError extends Error {}

interface Manifest {
  readonly artifacts?: Record<string, { type: string; displayName?: string; environment?: string; properties?: { templateFile?: string; directoryName?: string } }>;
}

function readJson(file: string): Record<string, unknown> {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new SynthOutputError(`cannot read ${file}: ${(e as Error).message}`);
  }
}

function readCloudAssembly(dir: string, out: RawStack[]): void {
  const manifest = readJson(path.join(dir, 'manifest.json')) as Manifest;
  for (const [id, a] of Object.entries(manifest.artifacts ?? {}).sort(([x], [y]) => x.localeCompare(y))) {
    if (a.type === 'aws:cloudformation:stack' && a.properties?.templateFile) {
      const region = /^aws:\/\/[^/]*\/([a-z0-9-]+)$/.exec(a.environment ?? '')?.[1];
      out.push({ name: a.displayName ?? id, format: 'cloudformation', doc: readJson(path.join(dir, a.properties.templateFile)), region: region === 'unknown-region' ? undefined : region });
    } else if (a.type === 'cdk:cloud-assembly' && a.properties?.directoryName) {
      readCloudAssembly(path.join(dir, a.properties.directoryName), out);
    }
  }
}

function findTerraformStacks(dir: string, out: RawStack[], root: string): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
      findTerraformStacks(p, out, root);
    } else if (e.name === 'cdk.tf.json') {
      out.push({ name: path.basename(dir) === '.' ? path.basename(root) : path.basename(dir), format: 'terraform', doc: readJson(p) });
    }
  }
}

/** Every stack under `dir`, CloudFormation first, each list sorted by name. */
export function readSynthOutput(dir: string): RawStack[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new SynthOutputError(`${dir} is not a folder: give a cdk.out or cdktf.out folder (or a folder holding them)`);
  const stacks: RawStack[] = [];
  const assemblies = [dir, path.join(dir, 'cdk.out')].filter((d) => fs.existsSync(path.join(d, 'manifest.json')) && 'artifacts' in readJson(path.join(d, 'manifest.json')));
  for (const a of assemblies) readCloudAssembly(a, stacks);
  const tfRoots = assemblies.length > 0 && assemblies[0] === dir ? [] : fs.existsSync(path.join(dir, 'cdktf.out')) ? [path.join(dir, 'cdktf.out')] : assemblies.length === 0 ? [dir] : [];
  for (const r of tfRoots) findTerraformStacks(r, stacks, r);
  if (stacks.length === 0) throw new SynthOutputError(`${dir} holds no synthesized stack: expected a cdk.out cloud assembly (manifest.json) or cdktf.out (stacks/*/cdk.tf.json)`);
  const names = new Set<string>();
  for (const s of stacks) {
    if (names.has(s.name)) throw new SynthOutputError(`${dir} holds two stacks named '${s.name}'`);
    names.add(s.name);
  }
  return stacks;
}
