/**
 * Edge test helpers: stacks in a temporary cloud assembly, the recipe as CloudFormation would
 * pass it to Greengrass (Fn::Join/Fn::Sub resolved for a fixed account and region), and a small
 * stand-in for the Greengrass nucleus that lays out a manifest's artifacts as the nucleus does
 * (ZIP artifacts unpacked under `{artifacts:decompressedPath}/<name minus .zip>`, files under
 * `{artifacts:path}`), substitutes recipe variables and runs lifecycle scripts with `sh -c` in the
 * component's work folder.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const BREAST_CANCER = path.join(ROOT, 'examples/models/breast-cancer');
export const TINY = path.join(ROOT, 'examples/models/tiny');
export const ENV = { account: '123456789012', region: 'eu-west-1' };

export interface EdgeStack {
  readonly app: App;
  readonly stack: Stack;
  readonly outdir: string;
  readonly lockFile: string;
}

const made: string[] = [];
afterAll(() => {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A stack with a fixed environment in a temporary assembly, and a temporary version lock file. */
export function edgeStack(id = 'Edge'): EdgeStack {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-edge-test-'));
  made.push(dir);
  const outdir = path.join(dir, 'cdk.out');
  // CloudFormation schema findings (CDK's template validation) fail the synth instead of warning.
  const app = new App({ outdir, context: { '@aws-cdk/core:validateAgainstDefaultRules': true } });
  const stack = new Stack(app, id, { env: ENV });
  return { app, stack, outdir, lockFile: path.join(dir, 'servingstack-edge.lock.json') };
}

/** Evaluate the intrinsic functions CDK uses in the recipe string, for ENV. */
export function resolveIntrinsics(node: unknown): unknown {
  if (typeof node === 'string') return node;
  if (Array.isArray(node)) return node.map(resolveIntrinsics);
  if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if ('Fn::Join' in o) {
      const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
      return parts.map((p) => String(resolveIntrinsics(p))).join(sep);
    }
    if ('Fn::Sub' in o) return String(o['Fn::Sub']).replace(/\$\{AWS::AccountId\}/g, ENV.account).replace(/\$\{AWS::Region\}/g, ENV.region).replace(/\$\{AWS::Partition\}/g, 'aws').replace(/\$\{AWS::URLSuffix\}/g, 'amazonaws.com');
    if ('Ref' in o) {
      const ref = o.Ref as string;
      return { 'AWS::AccountId': ENV.account, 'AWS::Region': ENV.region, 'AWS::Partition': 'aws', 'AWS::URLSuffix': 'amazonaws.com' }[ref] ?? `<${ref}>`;
    }
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, resolveIntrinsics(v)]));
  }
  return node;
}

export interface Recipe {
  ComponentName: string;
  ComponentVersion: string;
  ComponentConfiguration: { DefaultConfiguration: Record<string, unknown> };
  Manifests: Array<{
    Name: string;
    Platform: { os: string; architecture: string };
    Lifecycle: Record<string, { Script: string; Timeout?: number }>;
    Artifacts: Array<{ URI: string; Unarchive: string; Permission: { Read: string; Execute: string } }>;
  }>;
}

/** The recipe of the only component version of the template, as Greengrass receives it. */
export function recipeOf(t: Template): Recipe {
  const all = Object.values(t.findResources('AWS::GreengrassV2::ComponentVersion')) as Array<{ Properties: { InlineRecipe: unknown } }>;
  if (all.length !== 1) throw new Error(`expected one component version, found ${all.length}`);
  return JSON.parse(resolveIntrinsics(all[0]!.Properties.InlineRecipe) as string) as Recipe;
}

export interface Device {
  readonly root: string;
  readonly artifactsPath: string;
  readonly decompressedPath: string;
  readonly workPath: string;
  /** The script with recipe variables substituted. */
  script(text: string): string;
  /** Run a lifecycle script to completion. */
  runToEnd(script: string): { status: number | null; stdout: string; stderr: string };
  /** Start a lifecycle script (the run step). */
  start(script: string): ChildProcess;
}

/**
 * Install a manifest's artifacts from the cloud assembly as the nucleus would (the S3 object key
 * of an asset is its file name in the assembly: `<hash>.zip` for directories, `<hash><ext>` for
 * files), with `configuration` as the component's configuration.
 */
export function deviceFor(recipe: Recipe, manifestIndex: number, outdir: string, configuration: Record<string, unknown>): Device {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-greengrass-'));
  made.push(root);
  const artifactsPath = path.join(root, 'packages', 'artifacts', recipe.ComponentName, recipe.ComponentVersion);
  const decompressedPath = path.join(root, 'packages', 'artifacts-unarchived', recipe.ComponentName, recipe.ComponentVersion);
  const workPath = path.join(root, 'work', recipe.ComponentName);
  for (const d of [artifactsPath, decompressedPath, workPath]) fs.mkdirSync(d, { recursive: true });
  for (const a of recipe.Manifests[manifestIndex]!.Artifacts) {
    const key = a.URI.replace(/^s3:\/\/[^/]+\//, '');
    const hash = key.replace(/\.zip$/, '').replace(/\.[^.]*$/, '');
    const staged = fs.readdirSync(outdir).find((f) => f.startsWith(`asset.${hash}`));
    if (!staged) throw new Error(`artifact ${a.URI} is not in the assembly ${outdir}`);
    if (a.Unarchive === 'ZIP') {
      // What cdk-assets zips at publish and the nucleus unzips: the staged directory's content.
      fs.cpSync(path.join(outdir, staged), path.join(decompressedPath, key.replace(/\.zip$/, '')), { recursive: true });
    } else {
      const target = path.join(artifactsPath, key);
      fs.copyFileSync(path.join(outdir, staged), target);
      fs.chmodSync(target, a.Permission.Execute === 'NONE' ? 0o400 : 0o500);
    }
  }
  const lookup = (pointer: string): string => {
    let v: unknown = configuration;
    for (const seg of pointer.split('/').filter(Boolean)) v = (v as Record<string, unknown>)?.[seg];
    return v === undefined ? `{configuration:${pointer}}` : typeof v === 'object' ? JSON.stringify(v) : String(v);
  };
  const script = (text: string): string =>
    text
      .replace(/\{artifacts:path\}/g, artifactsPath)
      .replace(/\{artifacts:decompressedPath\}/g, decompressedPath)
      .replace(/\{configuration:(\/[^}]*)\}/g, (_m, p: string) => lookup(p));
  const env = { PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin`, HOME: workPath, LANG: 'C.UTF-8' };
  return {
    root,
    artifactsPath,
    decompressedPath,
    workPath,
    script,
    runToEnd: (text) => {
      const r = spawnSync('sh', ['-c', script(text)], { cwd: workPath, env, encoding: 'utf8', timeout: 120_000 });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    },
    start: (text) => spawn('sh', ['-c', script(text)], { cwd: workPath, env, stdio: ['ignore', 'pipe', 'pipe'] }),
  };
}

/** A PATH with the shell tools the lifecycle scripts use and no `node`: a device without Node.js. */
export function pathWithoutNode(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-no-node-'));
  made.push(dir);
  for (const tool of ['uname', 'env', 'cat', 'rm', 'sleep', 'sh']) {
    const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
    if (found) fs.symlinkSync(found, path.join(dir, tool));
  }
  return dir;
}

export function template(stack: Stack): Template {
  return Template.fromStack(stack);
}
