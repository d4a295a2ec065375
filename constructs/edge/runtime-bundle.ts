/**
 * The runtime artifact of an edge component, one per platform, built at synth from this
 * package's own runtime:
 *
 *   serve.js, worker.js        the runtime's `serve` entrypoint and inference worker, bundled with
 *                              their JavaScript dependencies (fastify, pino, ajv, prom-client…) by
 *                              esbuild, from `dist/` when the package is built, else from sources
 *   node_modules/onnxruntime-node/{package.json, dist/, bin/napi-v6/linux/<arch>/}
 *   node_modules/onnxruntime-common/{package.json, dist/cjs/}
 *   package.json               name, versions, platform
 *
 * Only the target platform's ONNX Runtime binaries are copied (onnxruntime-node carries ~290 MB
 * for five platforms; linux/x64 is ~45 MB, linux/arm64 ~25 MB). Bundles are cached by content in
 * `<tmpdir>/servingstack-edge-runtime/<arch>-<sha256 of the bundled code and versions>`, so synths
 * and test workers reuse one copy; the CDK asset copies it into the cloud assembly and zips it.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ServingStackError } from '../../lib/core/errors';
import { EdgePlatform } from './edge-platform';
import { EDGE_ERRORS } from './private/errors';
import { servingStackPackageRoot } from '../../lib/core/package-root';

export interface RuntimeBundle {
  /** Directory holding the bundle. */
  readonly dir: string;
  /** Bytes of all files. */
  readonly bytes: number;
  /** Bytes of the ONNX Runtime native library (mapped into memory when the runtime loads). */
  readonly nativeLibraryBytes: number;
  readonly onnxruntimeVersion: string;
}

const built = new Map<string, RuntimeBundle>();

export function bundleError(message: string, received: unknown, allowed: string): ServingStackError {
  return new ServingStackError(EDGE_ERRORS.BUNDLE, 'cannot build the edge runtime bundle', [{ field: 'runtime', message, received, allowed }]);
}

export function dirBytes(dir: string): number {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    total += e.isDirectory() ? dirBytes(p) : fs.statSync(p).size;
  }
  return total;
}

function copy(from: string, to: string, filter: (src: string) => boolean = () => true): void {
  fs.cpSync(from, to, { recursive: true, dereference: true, filter });
}

export function packageDir(name: string, from: string): string {
  try {
    return path.dirname(require.resolve(`${name}/package.json`, { paths: [from] }));
  } catch {
    // onnxruntime-common's `exports` hides package.json from require.resolve: find its main file's package.
    let dir = path.dirname(require.resolve(name, { paths: [from] }));
    while (!fs.existsSync(path.join(dir, 'package.json')) || (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string }).name !== name) {
      const parent = path.dirname(dir);
      if (parent === dir) throw bundleError(`cannot find the ${name} package`, from, `${name} installed next to servingstack`);
      dir = parent;
    }
    return dir;
  }
}

/** The entry points to bundle: the built runtime (`dist/`) when present, else the TypeScript sources. */
function entryPoints(root: string): { serve: string; worker: string } {
  const fromSources = __filename.endsWith('.ts');
  const built = { serve: path.join(root, 'dist/bin/serve.js'), worker: path.join(root, 'dist/lib/runtime/worker.js') };
  if (!fromSources && fs.existsSync(built.serve) && fs.existsSync(built.worker)) return built;
  const sources = { serve: path.join(root, 'bin/serve.ts'), worker: path.join(root, 'lib/runtime/worker.ts') };
  if (fs.existsSync(sources.serve) && fs.existsSync(sources.worker)) return sources;
  if (fs.existsSync(built.serve) && fs.existsSync(built.worker)) return built;
  throw bundleError('the runtime entry points are missing', root, 'dist/bin/serve.js and dist/lib/runtime/worker.js (npm run build), or the TypeScript sources');
}

export interface EsbuildLike {
  buildSync(options: Record<string, unknown>): { errors: unknown[] };
}

export function loadEsbuild(): EsbuildLike {
  try {
    // An optional peer dependency, loaded only when a component is synthesized.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('esbuild') as EsbuildLike;
  } catch (e) {
    throw bundleError(`esbuild cannot be loaded (${(e as Error).message.split('\n')[0]})`, 'esbuild', 'esbuild installed in the CDK app (npm install --save-dev esbuild), as aws-cdk-lib NodejsFunction also requires');
  }
}

/** Keep the three newest bundles per architecture; older ones go once unused for an hour. */
export function pruneCache(cache: string, arch: string, keep: string): void {
  const entries = fs
    .readdirSync(cache)
    .filter((e) => e.startsWith(`${arch}-`))
    .map((e) => ({ dir: path.join(cache, e), mtime: fs.statSync(path.join(cache, e)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  for (const e of entries.slice(3)) {
    if (e.dir !== keep && Date.now() - e.mtime > 3_600_000) fs.rmSync(e.dir, { recursive: true, force: true });
  }
}

/**
 * Move a finished build into the cache as `dir`, marked complete (the marker is a dotfile, outside
 * the assets' view), then prune the architecture's older bundles. When another process finished
 * the same bundle first, its copy is used.
 */
export function publishToCache(build: string, dir: string, cache: string, arch: string): void {
  fs.writeFileSync(path.join(build, '.complete'), '');
  fs.rmSync(dir, { recursive: true, force: true });
  try {
    fs.renameSync(build, dir);
  } catch {
    if (!fs.existsSync(path.join(dir, '.complete'))) throw bundleError('the bundle could not be moved into the cache', dir, 'a writable temporary directory');
  }
  pruneCache(cache, arch, dir);
}

/** Build (or reuse) the runtime bundle for `platform`. */
export function runtimeBundle(platform: EdgePlatform): RuntimeBundle {
  const hit = built.get(platform.key);
  if (hit && fs.existsSync(hit.dir)) return hit;
  const root = servingStackPackageRoot();
  const ortDir = packageDir('onnxruntime-node', root);
  const commonDir = packageDir('onnxruntime-common', ortDir);
  const ortPkg = JSON.parse(fs.readFileSync(path.join(ortDir, 'package.json'), 'utf8')) as { version: string };
  const binaries = path.join(ortDir, 'bin', 'napi-v6', platform.os, platform.nodeArch);
  if (!fs.existsSync(path.join(binaries, 'onnxruntime_binding.node'))) {
    throw bundleError(`onnxruntime-node ${ortPkg.version} has no binaries for ${platform.key}`, binaries, 'bin/napi-v6/linux/x64 or bin/napi-v6/linux/arm64 inside onnxruntime-node');
  }
  const cache = path.join(os.tmpdir(), 'servingstack-edge-runtime');
  fs.mkdirSync(cache, { recursive: true });
  const build = fs.mkdtempSync(path.join(cache, `.build-${platform.nodeArch}-`));
  let dir: string;
  try {
    const entries = entryPoints(root);
    const result = loadEsbuild().buildSync({
      entryPoints: entries,
      outdir: build,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      external: ['onnxruntime-node'],
      legalComments: 'none',
      logLevel: 'silent',
      absWorkingDir: root,
    });
    if (result.errors.length > 0) throw bundleError('esbuild failed', result.errors.length, 'a buildable runtime');
    const ssVersion = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
    fs.writeFileSync(
      path.join(build, 'package.json'),
      `${JSON.stringify({ name: 'servingstack-edge-runtime', version: ssVersion, private: true, description: `ServingStack runtime for ${platform.key}`, main: 'serve.js', engines: { node: '>=20.9' }, os: [platform.os], cpu: [platform.nodeArch], onnxruntime: ortPkg.version }, null, 2)}\n`,
    );
    const key = createHash('sha256');
    for (const f of ['serve.js', 'worker.js', 'package.json']) key.update(fs.readFileSync(path.join(build, f)));
    dir = path.join(cache, `${platform.nodeArch}-${key.digest('hex').slice(0, 24)}`);
    if (!fs.existsSync(path.join(dir, '.complete'))) {
      const ortOut = path.join(build, 'node_modules', 'onnxruntime-node');
      fs.mkdirSync(ortOut, { recursive: true });
      fs.copyFileSync(path.join(ortDir, 'package.json'), path.join(ortOut, 'package.json'));
      copy(path.join(ortDir, 'dist'), path.join(ortOut, 'dist'), (src) => !src.endsWith('.map') && !src.endsWith('.d.ts'));
      copy(binaries, path.join(ortOut, 'bin', 'napi-v6', platform.os, platform.nodeArch));
      const commonOut = path.join(build, 'node_modules', 'onnxruntime-common');
      fs.mkdirSync(path.join(commonOut, 'dist'), { recursive: true });
      fs.copyFileSync(path.join(commonDir, 'package.json'), path.join(commonOut, 'package.json'));
      copy(path.join(commonDir, 'dist', 'cjs'), path.join(commonOut, 'dist', 'cjs'), (src) => !src.endsWith('.map') && !src.endsWith('.d.ts'));
      publishToCache(build, dir, cache, platform.nodeArch);
    }
  } finally {
    fs.rmSync(build, { recursive: true, force: true });
  }
  const nativeLibraryBytes = fs.readdirSync(binaries).reduce((a, f) => a + fs.statSync(path.join(binaries, f)).size, 0);
  const bundle: RuntimeBundle = { dir, bytes: dirBytes(dir), nativeLibraryBytes, onnxruntimeVersion: ortPkg.version };
  built.set(platform.key, bundle);
  return bundle;
}
