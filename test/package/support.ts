/**
 * The packed-package test's machinery: build and pack the package, install the tarball into a
 * temporary project like a user would, pull each target README's first example out of the
 * README, compile it against the installed typings, run it, and record which packages it loaded.
 *
 * One install serves every target (`npm install` of the whole package takes most of the test's
 * time: onnxruntime-node alone unpacks ~290 MB). It holds the union of the targets' peers, so the
 * test proves instead that no target needs another target's peers: every example runs with a
 * module-load tracer and may load only its own row's peers (plus the package's dependencies),
 * and the typings reachable from each target's entry point import only those packages. Set
 * SERVINGSTACK_PACKAGE_TEST_ISOLATED=1 for one install per target (slower, same assertions).
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { builtinModules } from 'node:module';
import * as path from 'node:path';

export const REPO = path.join(__dirname, '..', '..');

/** One target: its README, the peers its example may use, what a successful synth leaves behind. */
export interface TargetRow {
  /** Also the entry point, `servingstack/<target>`. */
  readonly target: string;
  readonly readme: string;
  /** Peer dependencies (names from package.json peerDependencies) the example may load. */
  readonly peers: readonly string[];
  /**
   * Other targets' peers the example loads today, with the reason: asserted exactly, so a fix
   * shows up as a failure that asks to empty this list.
   */
  readonly knownLeaks?: {
    readonly peers: readonly string[];
    /** Packages the entry point's typings import beyond the peers (harmless under `skipLibCheck`). */
    readonly typings?: readonly string[];
    readonly reason: string;
  };
  /** Environment of the example process (e.g. CDK_OUTDIR: the CDK CLI sets it for `cdk synth`). */
  readonly env?: (workdir: string) => Record<string, string>;
  /** Files the example reads, laid out in its working directory (e.g. a model package). */
  readonly prepare?: (workdir: string, installedPackage: string) => void;
  /** Check what the synth wrote; returns a one-line summary. */
  readonly assertSynth: (workdir: string) => string;
}

export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

export function run(cmd: string, args: readonly string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): RunResult {
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, encoding: 'utf8', timeout: opts.timeoutMs ?? 600_000, maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout ?? '', stderr: `${r.stderr ?? ''}${r.error ? `\n${r.error.message}` : ''}`, ms: Date.now() - t0 };
}

export function mustRun(cmd: string, args: readonly string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): RunResult {
  const r = run(cmd, args, opts);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} (in ${opts.cwd}) exited ${r.status}\n--- stdout\n${r.stdout.slice(-4000)}\n--- stderr\n${r.stderr.slice(-4000)}`);
  return r;
}

/** The first ```ts block of a README: the example a new user pastes. */
export function firstTypeScriptExample(readmeFile: string): string {
  const text = fs.readFileSync(readmeFile, 'utf8');
  const m = /```ts\n([\s\S]*?)```/.exec(text);
  if (!m) throw new Error(`${readmeFile} has no \`\`\`ts example`);
  return m[1];
}

/** `name@version` of each package as our lockfile pins it. */
export function lockfileSpecs(names: readonly string[]): string[] {
  const lock = JSON.parse(fs.readFileSync(path.join(REPO, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string }> };
  return names.map((n) => {
    const version = lock.packages[`node_modules/${n}`]?.version;
    if (!version) throw new Error(`${n} is not in package-lock.json`);
    return `${n}@${version}`;
  });
}

/** A project with the tarball and `peers` installed (from the npm cache when it has them). */
export function installProject(dir: string, tarball: string, peers: readonly string[]): RunResult {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify({ name: 'servingstack-user', version: '1.0.0', private: true }, null, 2)}\n`);
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), `${JSON.stringify({
    // The settings `cdk init app --language typescript` writes (NodeNext resolution reads `exports`).
    compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['es2022'], strict: true, noImplicitReturns: true, skipLibCheck: true, isolatedModules: true, types: [], outDir: 'out', rootDir: 'src' },
    include: ['src'],
  }, null, 2)}\n`);
  return mustRun('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tarball, ...lockfileSpecs(peers)], {
    cwd: dir,
    env: { ONNXRUNTIME_NODE_INSTALL: 'skip', npm_config_update_notifier: 'false' },
  });
}

/** A preload that writes the files Node loaded from node_modules when the process exits. */
export function writeTracer(file: string): string {
  fs.writeFileSync(file, `'use strict';
const fs = require('fs');
process.on('exit', () => {
  const out = process.env.SERVINGSTACK_TRACE_FILE;
  if (out) fs.writeFileSync(out, JSON.stringify(Object.keys(require.cache)));
});
`);
  return file;
}

/** Package names of loaded files under `<project>/node_modules`. */
export function loadedPackages(files: readonly string[], project: string): string[] {
  const root = `${path.join(project, 'node_modules')}${path.sep}`;
  const names = new Set<string>();
  for (const f of files) {
    if (!f.startsWith(root)) continue;
    const rest = f.slice(root.length).split(path.sep);
    names.add(rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]);
  }
  return [...names].sort();
}

/** Bare imports of the typings reachable from a `.d.ts` entry (relative imports followed). */
export function typingImports(entry: string): string[] {
  const seen = new Set<string>();
  const bare = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file) || !fs.existsSync(file)) return;
    seen.add(file);
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from\s+|import\(|require\()\s*['"]([^'"]+)['"]/g)) {
      const spec = m[1];
      if (spec.startsWith('.')) {
        const base = path.resolve(path.dirname(file), spec);
        visit(fs.existsSync(`${base}.d.ts`) ? `${base}.d.ts` : path.join(base, 'index.d.ts'));
      } else {
        bare.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
      }
    }
  };
  visit(entry);
  return [...bare].filter((b) => !b.startsWith('node:') && !builtinModules.includes(b)).sort();
}

/** Start `npx servingstack serve` in `cwd`; resolves when /ping answers 200. */
export async function startServe(cwd: string, args: readonly string[], port: number, timeoutMs = 90_000): Promise<{ stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>; output(): string }> {
  const child = spawn('npx', ['--no-install', 'servingstack', 'serve', ...args], { cwd, env: { ...process.env, SERVINGSTACK_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const stop = async (): Promise<{ code: number | null; signal: NodeJS.Signals | null }> => {
    if (child.exitCode === null) {
      try {
        process.kill(-(child.pid as number), 'SIGTERM');
      } catch {
        // already gone
      }
    }
    const result = await exited;
    // npx dies at the signal; the runtime in the same group drains first (grace + drain + exit,
    // RuntimeContract.shutdownSeconds()). Stopped means the whole group is gone.
    const groupDeadline = Date.now() + 60_000;
    while (Date.now() < groupDeadline) {
      try {
        process.kill(-(child.pid as number), 0);
      } catch {
        return result;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the servingstack serve process group was still running 60 s after SIGTERM\n${output}`);
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`servingstack serve exited ${child.exitCode}\n${output}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/ping`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`servingstack serve did not answer /ping within ${timeoutMs} ms\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { stop, output: () => output };
}
