/**
 * The files of a model package as the upload sends them, and their digest. The construct records
 * the digest as a model version property at synth; `servingstack azure upload` recomputes it and
 * refuses to upload a package that differs from the one the stack registered. No cdktf imports.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';

export interface PackageFile {
  /** POSIX path relative to the package root. */
  readonly rel: string;
  readonly abs: string;
  readonly bytes: number;
}

/** Regular files below `dir` (symlinks followed), dotfiles skipped, sorted by code unit. */
export function listPackageFiles(dir: string): PackageFile[] {
  const out: PackageFile[] = [];
  const walk = (relDir: string): void => {
    for (const name of readdirSync(path.join(dir, relDir)).sort()) {
      if (name.startsWith('.')) continue;
      const rel = relDir ? `${relDir}/${name}` : name;
      const abs = path.join(dir, rel);
      const st = statSync(abs);
      if (st.isDirectory()) walk(rel);
      else if (st.isFile()) out.push({ rel, abs, bytes: st.size });
    }
  };
  walk('');
  return out.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}

/** SHA-256 over every file's path and bytes (streamed in 1 MiB chunks), hex. */
export function packageDigest(files: readonly PackageFile[]): string {
  const hash = createHash('sha256');
  const buf = Buffer.allocUnsafe(1 << 20);
  for (const f of files) {
    hash.update(`${f.rel}\0${f.bytes}\0`);
    const fd = openSync(f.abs, 'r');
    try {
      for (let n = readSync(fd, buf, 0, buf.length, null); n > 0; n = readSync(fd, buf, 0, buf.length, null)) hash.update(buf.subarray(0, n));
    } finally {
      closeSync(fd);
    }
  }
  return hash.digest('hex');
}
