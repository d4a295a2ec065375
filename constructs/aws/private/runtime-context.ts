import * as fs from 'fs';
import * as path from 'path';
import { servingStackPackageRoot } from '../../../lib/core/package-root';

/** The runtime's CPU Dockerfile, relative to the package root. */
export const CPU_DOCKERFILE = 'Dockerfile';
/** The runtime's CUDA 12 Dockerfile (ONNX Runtime CUDA execution provider), relative to the package root. */
export const CUDA_DOCKERFILE = 'docker/Dockerfile.cuda';

/**
 * Paths left out of the runtime image's build context (on top of `.dockerignore`): build output,
 * tests, and the parts of the repository the Dockerfile never copies (it copies package files,
 * tsconfig files, lib/ and bin/). Keeping the example models and docs out makes every synth copy
 * and hash ~1 MB instead of ~8 MB.
 */
export const RUNTIME_IMAGE_EXCLUDES = [
  'node_modules', 'cdk.out', 'dist', '.git', 'test', 'coverage', '.tmp', '**/cdktf.out',
  'bench', 'examples', 'docs', 'constructs', 'scripts', '.ci',
];

/** Where `npm run build` puts a copy of package-lock.json (npm never packs the lockfile itself). */
export const RUNTIME_IMAGE_LOCKFILE = 'dist/runtime-image.lock.json';

/** What the runtime Dockerfiles copy from the build context (besides package-lock.json). */
const CONTEXT_ENTRIES = ['Dockerfile', 'docker', 'package.json', 'tsconfig.json', 'tsconfig.runtime.json', 'lib', 'bin'];

/**
 * The Docker build context of the runtime image. In a source checkout it is the package root.
 * In an installed package there is no package-lock.json (npm does not pack it) and the
 * Dockerfile's `npm ci` needs one: the context is staged once per package version under
 * `<assembly outdir>/.servingstack/`, with the files the Dockerfiles copy and the lockfile
 * restored from its packed copy.
 */
export function runtimeBuildContext(outdir: string, root: string = servingStackPackageRoot()): string {
  if (fs.existsSync(path.join(root, 'package-lock.json'))) return root;
  const lock = path.join(root, RUNTIME_IMAGE_LOCKFILE);
  if (!fs.existsSync(lock)) {
    throw new Error(`the ServingStack package at ${root} has neither package-lock.json nor ${RUNTIME_IMAGE_LOCKFILE}: the runtime image cannot be built from it (reinstall servingstack, or pass ContainerImage.fromRuntimeAsset({ directory }))`);
  }
  const version = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
  const dir = path.join(outdir, '.servingstack', `runtime-context-${version}`);
  if (!fs.existsSync(path.join(dir, 'package-lock.json'))) {
    const tmp = `${dir}.${process.pid}.tmp`;
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.mkdirSync(tmp, { recursive: true });
    for (const entry of CONTEXT_ENTRIES) {
      const src = path.join(root, entry);
      if (fs.existsSync(src)) fs.cpSync(src, path.join(tmp, entry), { recursive: true });
    }
    fs.copyFileSync(lock, path.join(tmp, 'package-lock.json'));
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(tmp, dir);
  }
  return dir;
}
