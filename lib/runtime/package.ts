/**
 * Reading a model package for serving: the same check the targets run at synth
 * (`loadModelPackageSync`: manifest, files inside the package, manifest signature against the
 * ONNX model), plus what only the runtime needs — no symbolic link anywhere in the package may
 * lead outside it, and multi-model load paths must stay inside the model root.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ServingStackError } from '../core/errors';
import { MANIFEST_FILE, ModelManifest } from '../core/manifest';
import { loadModelPackageSync } from '../core/model-package';
import { rtError, RuntimeError } from './errors';

export interface ServablePackage {
  readonly manifest?: ModelManifest;
  readonly modelPath: string;
  /** Absolute, link-free directory of the package. */
  readonly dir: string;
}

/** Entries walked when looking for links (a package is a handful of files). */
const MAX_ENTRIES = 10_000;

function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Refuse a package holding a symbolic link (to a file or a directory) that resolves outside it. */
export function assertNoEscapingLinks(dir: string): void {
  const root = fs.realpathSync(dir);
  let seen = 0;
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      if (++seen > MAX_ENTRIES) return;
      const relPath = rel ? `${rel}/${e.name}` : e.name;
      const abs = path.join(root, relPath);
      if (e.isSymbolicLink()) {
        let real: string | undefined;
        try {
          real = fs.realpathSync(abs);
        } catch {
          real = undefined; // dangling: nothing to read through it
        }
        if (real !== undefined && !isInside(root, real)) {
          throw rtError('RT_ERR_MODEL_PATH', `${relPath} in the package is a symbolic link leading outside it`, {
            field: relPath,
            received: real,
            allowed: 'files and links whose target stays inside the package directory',
          });
        }
      } else if (e.isDirectory()) walk(relPath);
    }
  };
  walk('');
}

/** A core package error as the runtime reports it, naming the first problem's field. */
function fromPackageError(e: ServingStackError, dir: string): RuntimeError {
  const first = e.issues[0];
  const summary = e.message.split('\n')[0];
  const detail = e.issues.map((i) => `${i.field}: ${i.message}`).join('; ');
  return rtError('RT_ERR_MODEL_PATH', `${summary}${detail ? ` (${detail})` : ''}`, {
    field: first?.field ?? 'model_dir',
    received: first && 'received' in first ? first.received : dir,
    allowed: first?.allowed ?? 'a valid model package (docs/model-package.md)',
  });
}

/**
 * Check a package directory and say what to load: `servingstack.json` + model (checked with
 * `loadModelPackageSync`), or a directory holding exactly one `.onnx` file. Throws RT_ERR_MODEL_PATH.
 */
export function readPackage(dir: string): ServablePackage {
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(dir);
  } catch {
    st = undefined;
  }
  if (!st?.isDirectory()) {
    throw rtError('RT_ERR_MODEL_PATH', `model directory ${dir} does not exist`, { field: 'model_dir', received: dir, allowed: `a directory with ${MANIFEST_FILE} or one .onnx file` });
  }
  assertNoEscapingLinks(dir);
  const real = fs.realpathSync(dir);
  if (fs.existsSync(path.join(real, MANIFEST_FILE))) {
    let pkg;
    try {
      pkg = loadModelPackageSync(real);
    } catch (e) {
      if (ServingStackError.isServingStackError(e)) throw fromPackageError(e, dir);
      throw e;
    }
    if (pkg.manifest.format !== 'onnx') {
      throw rtError('RT_ERR_MODEL_PATH', `this runtime serves ONNX models; '${pkg.manifest.name}' is ${pkg.manifest.format}`, {
        field: 'format',
        received: pkg.manifest.format,
        allowed: 'onnx (serve other formats with a framework image: see docs/model-package.md)',
      });
    }
    return { manifest: pkg.manifest, modelPath: pkg.modelPath, dir: pkg.dir };
  }
  const onnx = fs.readdirSync(real).filter((f) => f.endsWith('.onnx'));
  if (onnx.length !== 1) {
    throw rtError('RT_ERR_MODEL_PATH', `${dir} has no ${MANIFEST_FILE} and ${onnx.length} .onnx files`, { field: 'model_dir', received: onnx, allowed: `a ${MANIFEST_FILE} manifest, or exactly one .onnx file` });
  }
  return { modelPath: path.join(real, onnx[0]), dir: real };
}

/** The name a package directory would be served under, read leniently (for failures). */
export function packageName(dir: string): string {
  try {
    const doc = JSON.parse(fs.readFileSync(path.join(dir, MANIFEST_FILE), 'utf8')) as { name?: unknown };
    if (typeof doc.name === 'string' && /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(doc.name)) return doc.name;
  } catch {
    /* no readable manifest: the directory name */
  }
  return sanitizeName(path.basename(path.resolve(dir)));
}

export function sanitizeName(s: string): string {
  const n = s.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
  return /^[a-z]/.test(n) ? n.slice(0, 63) : `model-${n}`.slice(0, 63);
}

/** Resolve a multi-model load path and refuse anything outside the model root. */
export function confine(root: string, url: string): string {
  const resolvedRoot = path.resolve(root);
  const candidate = path.resolve(resolvedRoot, url);
  const bad = (why: string): RuntimeError =>
    rtError('RT_ERR_MODEL_PATH', `url ${why}`, { field: 'url', received: url, allowed: `a model directory inside ${resolvedRoot}` });
  if (/^\/(dev|proc|sys)(\/|$)/.test(candidate)) throw bad('points into a system directory');
  if (candidate !== resolvedRoot && !candidate.startsWith(resolvedRoot + path.sep)) throw bad('escapes the model root');
  let real: string;
  try {
    real = fs.realpathSync(candidate);
  } catch {
    throw bad('does not exist');
  }
  const realRoot = fs.existsSync(resolvedRoot) ? fs.realpathSync(resolvedRoot) : resolvedRoot;
  if (real !== realRoot && !real.startsWith(realRoot + path.sep)) throw bad('resolves (through a link) outside the model root');
  if (!fs.statSync(real).isDirectory()) throw bad('is not a directory');
  return real;
}
