/**
 * The model package: a directory holding `servingstack.json`, the model and an optional baseline,
 * and its archive form, a deterministic `.tar.gz` whose entries sit at the archive root so that
 * unpacking it into `/opt/ml/model` (SageMaker) or any other model directory yields
 * `<dir>/servingstack.json` and `<dir>/model.onnx`. Format documented in docs/model-package.md.
 */
import { createHash } from 'node:crypto';
import { closeSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, realpathSync, renameSync, rmSync, Stats, statSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tar from 'tar';
import { IssueCollector, ServingStackError, ValidationIssue } from './errors';
import { parseExampleRequest } from './example-request';
import { MANIFEST_FILE, ModelManifest, Signature, TensorSpec, modelFileOf, parseManifest } from './manifest';
import { OnnxSignature, OnnxTensorSpec, readOnnxSignature } from './onnx-signature';

export interface ModelPackage {
  /** Absolute, symlink-free path of the package directory. */
  readonly dir: string;
  readonly manifest: ModelManifest;
  /** Absolute path of the model file (or directory) inside the package. */
  readonly modelPath: string;
  /** Absolute path of the baseline statistics file, when the manifest names one. */
  readonly baselinePath?: string;
  /** Absolute path of the example request (an OIP JSON request), when the manifest names one. */
  readonly exampleRequestPath?: string;
  /** The signature read from the model itself (ONNX packages only). */
  readonly signatureFromModel?: OnnxSignature;
}

export interface ModelArchive {
  /** Absolute path of the written archive. */
  readonly file: string;
  /** Hex SHA-256 of the archive bytes. */
  readonly sha256: string;
  /** Archive size in bytes. */
  readonly bytes: number;
  /** Entry paths in archive order; directories end with `/`. */
  readonly entries: string[];
}

export type ModelSourceKind = 'directory' | 'archive' | 'onnx';

export interface ModelSource {
  readonly kind: ModelSourceKind;
  /** The package, for a directory or an archive. */
  readonly pkg?: ModelPackage;
  /** The manifest signature for a package; the model's signature for a bare `.onnx` file. */
  readonly signature: Signature;
  readonly manifest?: ModelManifest;
  /** The ONNX model's own signature (with opset and producer), when the model is ONNX. */
  readonly onnx?: OnnxSignature;
  /** Remove temporary files (the extracted archive). Safe to call more than once. */
  cleanup(): Promise<void>;
}

/** Fixed entry modification time: archives of the same directory are byte-identical. */
export const ARCHIVE_MTIME = new Date(Date.UTC(2000, 0, 1));

const ARCHIVE_SUFFIXES = ['.tar.gz', '.tgz'];

function isArchivePath(p: string): boolean {
  const lower = p.toLowerCase();
  return ARCHIVE_SUFFIXES.some((s) => lower.endsWith(s));
}

function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function lstatOrUndefined(p: string): Stats | undefined {
  try {
    return lstatSync(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw e;
  }
}

type Expect = 'file' | 'directory' | 'any';

/**
 * Resolve `rel` inside `root`, following symlinks only while they stay inside the package.
 * Adds an issue and returns undefined when it is missing, escapes, or has the wrong kind.
 */
function resolveInside(root: string, label: string, rel: string, field: string, expect: Expect, issues: IssueCollector): string | undefined {
  const joined = path.resolve(root, rel);
  if (!isInside(root, joined)) {
    issues.add({ field, message: 'points outside the package directory', received: rel, allowed: 'a relative path inside the package' });
    return undefined;
  }
  const st = lstatOrUndefined(joined);
  if (!st) {
    issues.add({ field, message: `names a ${expect === 'any' ? 'path' : expect} that does not exist in ${label}`, received: rel, allowed: 'an existing path inside the package' });
    return undefined;
  }
  let real: string;
  try {
    real = realpathSync(joined);
  } catch {
    issues.add({ field, message: 'is a dangling symbolic link', received: rel, allowed: 'an existing path inside the package' });
    return undefined;
  }
  if (!isInside(root, real)) {
    issues.add({ field, message: `is a symbolic link leading outside the package (to ${real})`, received: rel, allowed: 'a path whose target stays inside the package' });
    return undefined;
  }
  const target = statSync(real);
  if (expect === 'file' && !target.isFile()) {
    issues.add({ field, message: 'is not a regular file', received: rel, allowed: 'a file' });
    return undefined;
  }
  if (expect === 'directory' && !target.isDirectory()) {
    issues.add({ field, message: 'is not a directory', received: rel, allowed: 'a directory' });
    return undefined;
  }
  if (expect === 'any' && !target.isFile() && !target.isDirectory()) {
    issues.add({ field, message: 'is neither a file nor a directory', received: rel, allowed: 'a file or directory' });
    return undefined;
  }
  return joined;
}

function renderShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * Compare a manifest signature with the signature read from the model. Returns every
 * disagreement; fields are manifest paths (`signature.inputs[0].shape[1]`) and `allowed` is
 * what the model says.
 *
 * Rules: the same input and output names (order free: requests address tensors by name); the
 * same datatypes; the same rank; every dimension the model fixes must be equal in the manifest.
 * A manifest may fix a dimension the model leaves dynamic (it narrows what is served); it may not
 * declare dynamic (-1) a dimension the model fixes.
 */
export function compareSignatures(manifest: Signature, model: Signature, modelName = 'the model'): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const side of ['inputs', 'outputs'] as const) {
    const noun = side.slice(0, -1);
    const modelByName = new Map<string, OnnxTensorSpec>(model[side].map((t) => [t.name, t]));
    const manifestNames = new Set(manifest[side].map((t) => t.name));
    const modelNames = model[side].map((t) => t.name);
    manifest[side].forEach((t: TensorSpec, i) => {
      const field = `signature.${side}[${i}]`;
      const m = modelByName.get(t.name);
      if (!m) {
        issues.push({
          field: `${field}.name`,
          message: `is not an ${noun} of ${modelName}`,
          received: t.name,
          allowed: modelNames.join(', ') || `(${modelName} has no ${side})`,
        });
        return;
      }
      if (m.datatype !== t.datatype) {
        issues.push({ field: `${field}.datatype`, message: `differs from ${modelName}'s ${noun} "${t.name}"`, received: t.datatype, allowed: m.datatype });
      }
      if (m.unknownRank) return;
      if (m.shape.length !== t.shape.length) {
        issues.push({
          field: `${field}.shape`,
          message: `has rank ${t.shape.length} but ${modelName}'s ${noun} "${t.name}" has rank ${m.shape.length}`,
          received: t.shape,
          allowed: `rank ${m.shape.length}: ${renderShape(m.shape)}`,
        });
        return;
      }
      m.shape.forEach((modelDim, d) => {
        const dim = t.shape[d];
        if (modelDim === -1 || dim === modelDim) return;
        issues.push({
          field: `${field}.shape[${d}]`,
          message:
            dim === -1
              ? `is dynamic (-1) but ${modelName} fixes it to ${modelDim}`
              : `is ${dim} but ${modelName} fixes it to ${modelDim}`,
          received: dim,
          allowed: String(modelDim),
        });
      });
    });
    for (const name of modelNames) {
      if (manifestNames.has(name)) continue;
      issues.push({
        field: `signature.${side}`,
        message: `lacks ${modelName}'s ${noun} "${name}"`,
        received: [...manifestNames],
        allowed: `every ${noun} of ${modelName}: ${modelNames.join(', ')}`,
      });
    }
  }
  return issues;
}

/**
 * Read and validate a package directory: the manifest (`SS_ERR_MANIFEST_INVALID`), the model and
 * baseline files (`SS_ERR_PACKAGE_INVALID`: missing, wrong kind, or reached through a symlink that
 * leaves the package) and, for ONNX packages, the manifest signature against the model
 * (`SS_ERR_SIGNATURE_MISMATCH`, every disagreement at once).
 */
export function loadModelPackageSync(dir: string): ModelPackage {
  return loadPackage(dir, dir);
}

/**
 * {@link loadModelPackageSync} behind a promise (the checks run synchronously; they read the
 * manifest and, for ONNX packages, the model once). Rejects with the same errors.
 */
export async function loadModelPackage(dir: string): Promise<ModelPackage> {
  return loadModelPackageSync(dir);
}

/** `label` names the package in messages (the archive, not its temporary extraction directory). */
function loadPackage(dir: string, label: string): ModelPackage {
  let st: Stats | undefined;
  try {
    st = statSync(dir);
  } catch {
    st = undefined;
  }
  if (!st || !st.isDirectory()) {
    throw new ServingStackError('SS_ERR_PACKAGE_INVALID', `${label} is not a model package`, [
      { field: 'dir', message: st ? 'is not a directory' : 'does not exist', received: dir, allowed: `a directory containing ${MANIFEST_FILE}` },
    ]);
  }
  const root = realpathSync(dir);

  const manifestPath = path.join(root, MANIFEST_FILE);
  const manifestStat = lstatOrUndefined(manifestPath);
  if (!manifestStat || !manifestStat.isFile()) {
    throw new ServingStackError('SS_ERR_PACKAGE_INVALID', `${label} is not a model package`, [
      {
        field: MANIFEST_FILE,
        message: manifestStat ? 'is not a regular file' : `is missing from ${label}`,
        allowed: `a ${MANIFEST_FILE} manifest file at the package root`,
      },
    ]);
  }
  const manifest = parseManifest(readFileSync(manifestPath, 'utf8'), label === dir ? manifestPath : `${label}:${MANIFEST_FILE}`);

  const issues = new IssueCollector();
  const modelRel = modelFileOf(manifest);
  const expect: Expect = manifest.format === 'onnx' || manifest.format === 'pytorch-torchscript' ? 'file' : manifest.format === 'tensorflow-savedmodel' ? 'directory' : 'any';
  const modelPath = resolveInside(root, label, modelRel, manifest.modelFile ? 'modelFile' : `modelFile (default for format ${manifest.format})`, expect, issues);
  const baselinePath = manifest.baseline ? resolveInside(root, label, manifest.baseline, 'baseline', 'file', issues) : undefined;
  const exampleRequestPath = manifest.exampleRequest ? resolveInside(root, label, manifest.exampleRequest, 'exampleRequest', 'file', issues) : undefined;
  issues.throwIfAny('SS_ERR_PACKAGE_INVALID', `${label} is not a valid model package`);

  let signatureFromModel: OnnxSignature | undefined;
  if (manifest.format === 'onnx' && modelPath) {
    const bytes = readFileSync(modelPath);
    signatureFromModel = readOnnxSignature(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), modelRel);
    const mismatches = compareSignatures(manifest.signature, signatureFromModel, modelRel);
    if (mismatches.length > 0) {
      throw new ServingStackError(
        'SS_ERR_SIGNATURE_MISMATCH',
        `${MANIFEST_FILE} signature does not match ${modelRel} in ${label}`,
        mismatches,
      );
    }
  }
  if (exampleRequestPath) parseExampleRequest(readFileSync(exampleRequestPath, 'utf8'), manifest.signature, `${label}:${manifest.exampleRequest}`);

  return {
    dir: root,
    manifest,
    modelPath: modelPath as string,
    ...(baselinePath ? { baselinePath } : {}),
    ...(exampleRequestPath ? { exampleRequestPath } : {}),
    ...(signatureFromModel ? { signatureFromModel } : {}),
  };
}

/** Files and directories to archive, relative POSIX paths sorted by code unit; dirs end with `/`. */
function listPackageEntries(root: string, exclude: ReadonlySet<string>): string[] {
  const issues = new IssueCollector();
  const entries: string[] = [];
  const walk = (relDir: string): void => {
    const names = readdirSync(path.join(root, relDir)).sort();
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const rel = relDir ? `${relDir}/${name}` : name;
      const abs = path.join(root, rel);
      if (exclude.has(abs)) continue;
      const st = lstatSync(abs);
      if (st.isDirectory()) {
        entries.push(`${rel}/`);
        walk(rel);
      } else if (st.isFile()) {
        entries.push(rel);
      } else if (st.isSymbolicLink()) {
        // Archived as the file it points to, provided that stays inside the package.
        let real: string | undefined;
        try {
          real = realpathSync(abs);
        } catch {
          real = undefined;
        }
        if (!real) {
          issues.add({ field: rel, message: 'is a dangling symbolic link', allowed: 'files and directories inside the package' });
        } else if (!isInside(root, real)) {
          issues.add({ field: rel, message: `is a symbolic link leading outside the package (to ${real})`, allowed: 'links whose target stays inside the package' });
        } else if (!statSync(real).isFile()) {
          issues.add({ field: rel, message: 'is a symbolic link to a directory', received: real, allowed: 'a real directory, or a link to a file' });
        } else if (!exclude.has(real)) {
          entries.push(rel);
        }
      } else {
        issues.add({ field: rel, message: 'is neither a file nor a directory', allowed: 'regular files and directories' });
      }
    }
  };
  walk('');
  issues.throwIfAny('SS_ERR_PACKAGE_INVALID', `${root} contains entries that cannot be archived`);
  // Code-unit order, independent of locale; a directory precedes its contents.
  return entries.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** SHA-256 of a file read in 1 MiB chunks (models may be larger than a Buffer). */
function sha256Of(file: string): string {
  const hash = createHash('sha256');
  const buf = Buffer.allocUnsafe(1 << 20);
  const fd = openSync(file, 'r');
  try {
    for (let n = readSync(fd, buf, 0, buf.length, null); n > 0; n = readSync(fd, buf, 0, buf.length, null)) hash.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/**
 * Validate a package directory (refusing one whose manifest disagrees with its model) and write
 * it as a gzip tar with every entry at the archive root. The archive is deterministic: entries
 * sorted, mtime fixed to 2000-01-01 on every entry, modes 0644 (0755 for directories and
 * executables), uid/gid 0 and no owner names, so the same directory always yields the same bytes
 * (and the same CDK asset hash). Dotfiles and the output file itself are left out. Synchronous,
 * so CDK constructs can call it at synth; {@link createModelArchive} is the promise form.
 */
export function createModelArchiveSync(dir: string, outFile: string): ModelArchive {
  return archiveModelPackageSync(loadModelPackageSync(dir), outFile);
}

/** Write the archive of a package already loaded (and so validated) by `loadModelPackageSync`. */
export function archiveModelPackageSync(pkg: ModelPackage, outFile: string): ModelArchive {
  const file = path.resolve(outFile);
  const outDir = path.dirname(file);
  mkdirSync(outDir, { recursive: true });
  const realOut = path.join(realpathSync(outDir), path.basename(file));

  const entries = listPackageEntries(pkg.dir, new Set([file, realOut]));
  const tmp = path.join(outDir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  try {
    tar.create(
      {
        file: tmp,
        sync: true,
        cwd: pkg.dir,
        gzip: { level: 9 },
        portable: true,
        mtime: ARCHIVE_MTIME,
        noDirRecurse: true,
        follow: true,
        strict: true,
        // Called once stat() is known, just before the header is written: normalise what tar's
        // portable mode leaves host-dependent (0600/0664 files from the umask, mtime-less dirs).
        onWriteEntry: (entry) => {
          entry.noMtime = false;
          if (entry.stat) {
            const isDir = entry.stat.isDirectory();
            const exec = (entry.stat.mode & 0o111) !== 0;
            entry.stat.mode = (entry.stat.mode & ~0o7777) | (isDir || exec ? 0o755 : 0o644);
          }
        },
      },
      entries.map((e) => (e.endsWith('/') ? e.slice(0, -1) : e)),
    );
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  const { size } = statSync(file);
  return { file, sha256: sha256Of(file), bytes: size, entries };
}

/**
 * {@link createModelArchiveSync} behind a promise: the same bytes, the same errors (the archive
 * is written synchronously; constructs need that, and blocking for the write is acceptable).
 */
export async function createModelArchive(dir: string, outFile: string): Promise<ModelArchive> {
  return createModelArchiveSync(dir, outFile);
}

const SAFE_ENTRY_TYPES = new Set(['File', 'OldFile', 'ContiguousFile', 'Directory', 'SymbolicLink', 'Link']);
const META_ENTRY_TYPES = new Set(['ExtendedHeader', 'GlobalExtendedHeader', 'NextFileHasLongPath', 'NextFileHasLongLinkpath', 'OldExtendedHeader']);

/** `./a/b` → `a/b`; `''` for the root itself. */
function normalizeEntryPath(p: string): string {
  return p.replace(/^(?:\.\/)+/, '').replace(/\/+$/, '');
}

function unsafeEntryReason(entryPath: string, type: string, linkpath: string | undefined): string | undefined {
  if (entryPath.includes('\\')) return 'contains a backslash';
  if (entryPath.startsWith('/') || /^[A-Za-z]:/.test(entryPath)) return 'is an absolute path';
  const norm = normalizeEntryPath(entryPath);
  if (norm.split('/').includes('..')) return 'climbs out of the extraction directory with `..`';
  if (META_ENTRY_TYPES.has(type)) return undefined;
  if (!SAFE_ENTRY_TYPES.has(type)) return `is a ${type} entry`;
  if (type === 'SymbolicLink' || type === 'Link') {
    const target = linkpath ?? '';
    if (target.startsWith('/') || /^[A-Za-z]:/.test(target)) return `is a link to the absolute path ${target}`;
    // Symlink targets are relative to the link's directory; hard link targets to the archive root.
    const resolved = type === 'SymbolicLink' ? path.posix.normalize(path.posix.join(path.posix.dirname(norm), target)) : path.posix.normalize(target);
    if (resolved === '..' || resolved.startsWith('../')) return `is a link leading outside the extraction directory (to ${target})`;
  }
  return undefined;
}

/**
 * Extract a model archive into `dest`, refusing (before writing anything) archives with absolute
 * paths, `..` segments, device/FIFO entries or links that lead outside `dest`.
 */
export async function extractModelArchive(file: string, dest: string): Promise<string[]> {
  const issues = new IssueCollector();
  const entries: string[] = [];
  let index = 0;
  const warnings: string[] = [];
  // Not strict: tar reports problems as warnings, collected here so that informational ones
  // (TAR_ENTRY_INFO) do not fail an otherwise valid archive.
  const onwarn = (code: string, message: string): void => {
    if (code !== 'TAR_ENTRY_INFO') warnings.push(`${code}: ${message}`);
  };
  const unreadable = (message: string): ServingStackError =>
    new ServingStackError('SS_ERR_ARCHIVE_INVALID', `${file} is not a readable .tar.gz archive`, [
      { field: path.basename(file), message, allowed: 'a gzip-compressed tar archive' },
    ]);
  try {
    await tar.list({
      file,
      onwarn,
      onReadEntry: (entry) => {
        const i = index++;
        const reason = unsafeEntryReason(entry.path, entry.type, entry.linkpath);
        if (reason) {
          issues.add({ field: `archive.entries[${i}]`, message: reason, received: entry.path, allowed: 'relative paths that stay inside the archive root' });
        } else if (!META_ENTRY_TYPES.has(entry.type)) {
          const norm = normalizeEntryPath(entry.path);
          if (norm) entries.push(entry.type === 'Directory' ? `${norm}/` : norm);
        }
        entry.resume();
      },
    });
  } catch (e) {
    throw unreadable((e as Error).message);
  }
  if (warnings.length > 0) throw unreadable(warnings.join('; '));
  if (index === 0) throw unreadable('has no entries');
  issues.throwIfAny('SS_ERR_ARCHIVE_UNSAFE', `${file} has entries that would be written outside the extraction directory`);
  await fs.mkdir(dest, { recursive: true });
  try {
    await tar.extract({
      file,
      cwd: dest,
      onwarn,
      preserveOwner: false,
      // Checked above already; kept so extraction never depends on the listing pass alone.
      filter: (p, entry) => unsafeEntryReason(p, 'type' in entry ? String(entry.type) : 'File', 'linkpath' in entry ? entry.linkpath : undefined) === undefined,
    });
  } catch (e) {
    warnings.push((e as Error).message);
  }
  if (warnings.length > 0) {
    throw new ServingStackError('SS_ERR_ARCHIVE_INVALID', `${file} could not be extracted`, [
      { field: path.basename(file), message: warnings.join('; '), allowed: 'a gzip-compressed tar archive' },
    ]);
  }
  return entries;
}

function sourceError(p: string, message: string): ServingStackError {
  return new ServingStackError('SS_ERR_MODEL_SOURCE_INVALID', `cannot open model source ${p}`, [
    { field: 'path', message, received: p, allowed: 'a package directory, a .tar.gz/.tgz package archive or a .onnx model file' },
  ]);
}

/**
 * Open a model from a package directory, a package archive (`.tar.gz`/`.tgz`, extracted to a
 * temporary directory that `cleanup()` removes) or a bare `.onnx` file (signature only, no
 * manifest). Packages are fully validated with {@link loadModelPackage}.
 */
export async function openModelSource(p: string): Promise<ModelSource> {
  let st: Stats;
  try {
    st = await fs.stat(p);
  } catch {
    throw sourceError(p, 'does not exist');
  }
  const noop = async (): Promise<void> => undefined;

  if (st.isDirectory()) {
    const pkg = await loadModelPackage(p);
    return { kind: 'directory', pkg, manifest: pkg.manifest, signature: pkg.manifest.signature, ...(pkg.signatureFromModel ? { onnx: pkg.signatureFromModel } : {}), cleanup: noop };
  }
  if (!st.isFile()) throw sourceError(p, 'is neither a file nor a directory');

  if (isArchivePath(p)) {
    const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'servingstack-model-'));
    const cleanup = async (): Promise<void> => fs.rm(tmp, { recursive: true, force: true });
    try {
      const entries = await extractModelArchive(p, tmp);
      if (!entries.includes(MANIFEST_FILE)) {
        const nested = entries.find((e) => e.endsWith(`/${MANIFEST_FILE}`));
        throw new ServingStackError('SS_ERR_PACKAGE_INVALID', `${p} is not a model package archive`, [
          {
            field: MANIFEST_FILE,
            message: nested
              ? `is at ${nested}, not at the archive root (targets unpack the archive into the model directory, e.g. /opt/ml/model)`
              : 'is missing from the archive root',
            received: entries.slice(0, 10),
            allowed: `${MANIFEST_FILE} and the model as top-level entries (create the archive with \`servingstack package\`)`,
          },
        ]);
      }
      const pkg = loadPackage(tmp, p);
      return { kind: 'archive', pkg, manifest: pkg.manifest, signature: pkg.manifest.signature, ...(pkg.signatureFromModel ? { onnx: pkg.signatureFromModel } : {}), cleanup };
    } catch (e) {
      await cleanup();
      throw e;
    }
  }

  if (p.toLowerCase().endsWith('.onnx')) {
    const bytes = await fs.readFile(p);
    const onnxSig = readOnnxSignature(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path.basename(p));
    return { kind: 'onnx', signature: { inputs: onnxSig.inputs, outputs: onnxSig.outputs }, onnx: onnxSig, cleanup: noop };
  }
  throw sourceError(p, 'has an unrecognised file extension');
}
