/**
 * `servingstack diff --git <ref>`: synthesize a git ref and the working tree, each into its own
 * temporary folder. The ref is checked out with `git worktree add --detach` (the repository's
 * node_modules linked in), the synth command runs in each tree with `{out}` replaced by the
 * output folder, and the worktree is removed afterwards.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface GitSynthOptions {
  /** Folder inside the repository. */
  readonly cwd: string;
  readonly ref: string;
  /** Shell command, run in the tree's root; `{out}` is replaced by the output folder. */
  readonly synthCommand: string;
  readonly log?: (line: string) => void;
}

export class GitSynthError extends Error {}

function run(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new GitSynthError(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}): ${(r.stderr || r.stdout || r.error?.message || '').trim()}`);
  return r.stdout.trim();
}

function synth(tree: string, command: string, out: string, log: (l: string) => void): void {
  const cmd = command.split('{out}').join(JSON.stringify(out));
  log(`synthesizing ${tree}: ${cmd}`);
  const r = spawnSync(cmd, { cwd: tree, shell: true, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new GitSynthError(`synthesis in ${tree} failed (exit ${r.status ?? r.signal}): ${(r.stderr || r.stdout || '').trim().split('\n').slice(-10).join('\n')}`);
}

/** Returns the output folders of the ref (`before`) and of the working tree (`after`), and a cleanup. */
export function synthesizeGitRef(o: GitSynthOptions): { before: string; after: string; cleanup: () => void } {
  const log = o.log ?? (() => undefined);
  const top = run('git', ['rev-parse', '--show-toplevel'], o.cwd);
  const commit = run('git', ['rev-parse', '--verify', `${o.ref}^{commit}`], top);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'servingstack-diff-'));
  const src = path.join(tmp, 'src');
  const cleanup = (): void => {
    spawnSync('git', ['worktree', 'remove', '--force', src], { cwd: top });
    fs.rmSync(tmp, { recursive: true, force: true });
    spawnSync('git', ['worktree', 'prune'], { cwd: top });
  };
  try {
    run('git', ['worktree', 'add', '--detach', src, commit], top);
    if (fs.existsSync(path.join(top, 'node_modules')) && !fs.existsSync(path.join(src, 'node_modules'))) fs.symlinkSync(path.join(top, 'node_modules'), path.join(src, 'node_modules'), 'dir');
    const before = path.join(tmp, 'before');
    const after = path.join(tmp, 'after');
    fs.mkdirSync(before);
    fs.mkdirSync(after);
    synth(src, o.synthCommand, before, log);
    synth(top, o.synthCommand, after, log);
    return { before, after, cleanup };
  } catch (e) {
    cleanup();
    throw e;
  }
}
