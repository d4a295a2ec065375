/**
 * The package as a user gets it: `npm run build`, `npm pack`, the tarball installed into an empty
 * project with only peer dependencies at our lockfile's versions; then the FIRST example of every
 * target README, extracted from the README, compiled against the installed typings, run, and its
 * synth output checked; and `npx servingstack serve` from the installed package answering a
 * prediction over HTTP. New targets (Azure, edge) add one row to TARGETS.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  REPO, RunResult, TargetRow, firstTypeScriptExample, installProject, loadedPackages, mustRun, run, startServe, typingImports, writeTracer,
} from './support';

/** Copy the example package the npm package ships into the working directory as `models/fraud`. */
const fraudPackage = (workdir: string, installed: string): void => {
  fs.cpSync(path.join(installed, 'examples', 'models', 'breast-cancer'), path.join(workdir, 'models', 'fraud'), { recursive: true });
};

const cdktfResources = (file: string): string[] => {
  const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as { resource?: Record<string, Record<string, unknown>> };
  return Object.keys(doc.resource ?? {});
};

export const TARGETS: readonly TargetRow[] = [
  {
    target: 'aws',
    readme: 'constructs/aws/README.md',
    peers: ['aws-cdk-lib', 'constructs'],
    // What `cdk synth` does: run the app with CDK_OUTDIR set (the App synthesizes on exit).
    env: (workdir) => ({ CDK_OUTDIR: path.join(workdir, 'cdk.out') }),
    prepare: fraudPackage,
    assertSynth: (workdir) => {
      const out = path.join(workdir, 'cdk.out');
      const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')) as { artifacts: Record<string, { type: string; properties?: { templateFile?: string } }> };
      const stack = Object.values(manifest.artifacts).find((a) => a.type === 'aws:cloudformation:stack');
      const template = JSON.parse(fs.readFileSync(path.join(out, stack?.properties?.templateFile ?? 'missing'), 'utf8')) as { Resources: Record<string, { Type: string }> };
      const types = Object.values(template.Resources).map((r) => r.Type);
      expect(types).toEqual(expect.arrayContaining(['AWS::SageMaker::Model', 'AWS::SageMaker::EndpointConfig', 'AWS::SageMaker::Endpoint', 'AWS::Lambda::Function']));
      // The runtime image's build context is the installed package: Dockerfile, lockfile and runtime sources staged.
      const assets = fs.readdirSync(out).filter((f) => f.endsWith('.assets.json')).map((f) => JSON.parse(fs.readFileSync(path.join(out, f), 'utf8')) as { dockerImages: Record<string, { source: { directory: string; dockerFile?: string } }>; files: Record<string, { source: { path: string } }> });
      const images = assets.flatMap((a) => Object.values(a.dockerImages ?? {}));
      expect(images).toHaveLength(1);
      const context = path.join(out, images[0].source.directory);
      for (const f of ['Dockerfile', 'docker/Dockerfile.cuda', 'package.json', 'package-lock.json', 'tsconfig.runtime.json', 'lib/runtime/server.ts', 'bin/serve.ts']) expect([f, fs.existsSync(path.join(context, f))]).toEqual([f, true]);
      // npm never packs package-lock.json; the image's `npm ci` gets the package's own lockfile back.
      const lock = JSON.parse(fs.readFileSync(path.join(context, 'package-lock.json'), 'utf8')) as { name: string; version: string; packages: Record<string, { dependencies?: Record<string, string> }> };
      const pkg = JSON.parse(fs.readFileSync(path.join(context, 'package.json'), 'utf8')) as { name: string; version: string; dependencies: Record<string, string> };
      expect([lock.name, lock.version, lock.packages[''].dependencies]).toEqual([pkg.name, pkg.version, pkg.dependencies]);
      // The model archive and the prebuilt rollout Lambda are file assets.
      const files = assets.flatMap((a) => Object.values(a.files ?? {})).map((f) => path.join(out, f.source.path));
      expect(files.some((f) => f.endsWith('.tar.gz') && fs.statSync(f).size > 0)).toBe(true);
      expect(files.some((f) => fs.existsSync(path.join(f, 'index.js')))).toBe(true);
      return `${types.length} resources, image context ${path.basename(context)}`;
    },
  },
  {
    target: 'gcp',
    readme: 'constructs/gcp/README.md',
    peers: ['cdktf', 'constructs', '@cdktf/provider-google'],
    prepare: fraudPackage,
    assertSynth: (workdir) => {
      const types = cdktfResources(path.join(workdir, 'cdktf.out', 'stacks', 'serving', 'cdk.tf.json'));
      expect(types).toEqual(expect.arrayContaining(['google_vertex_ai_endpoint', 'google_artifact_registry_repository', 'google_storage_bucket']));
      return `${types.length} resource types`;
    },
  },
  {
    target: 'azure',
    readme: 'constructs/azure/README.md',
    peers: ['cdktf', 'constructs'],
    // The README's example reads examples/models/breast-cancer from its working directory.
    prepare: (workdir, installed) => fs.cpSync(path.join(installed, 'examples', 'models', 'breast-cancer'), path.join(workdir, 'examples', 'models', 'breast-cancer'), { recursive: true }),
    assertSynth: (workdir) => {
      const file = path.join(workdir, 'cdktf.out', 'stacks', 'serving', 'cdk.tf.json');
      const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as { terraform: { required_providers: Record<string, unknown> }; resource: { azapi_resource: Record<string, { type: string }> } };
      expect(doc.terraform.required_providers).toEqual({ azapi: { source: 'Azure/azapi', version: '2.13.0' } });
      const types = Object.values(doc.resource.azapi_resource).map((r) => r.type.split('@')[0]);
      expect(types).toEqual(expect.arrayContaining(['Microsoft.MachineLearningServices/workspaces/onlineEndpoints', 'Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments', 'Microsoft.MachineLearningServices/workspaces/models/versions']));
      return `${types.length} azapi resources`;
    },
  },
  {
    target: 'onprem',
    readme: 'constructs/onprem/README.md',
    peers: ['cdktf', 'constructs', '@cdktf/provider-kubernetes', '@cdktf/provider-helm'],
    assertSynth: (workdir) => {
      const types = cdktfResources(path.join(workdir, 'cdktf.out', 'stacks', 'serving', 'cdk.tf.json'));
      expect(types).toEqual(expect.arrayContaining(['kubernetes_deployment_v1', 'kubernetes_service_v1', 'kubernetes_namespace_v1']));
      return `${types.length} resource types`;
    },
  },
];

const ISOLATED = process.env.SERVINGSTACK_PACKAGE_TEST_ISOLATED === '1';
/** The first row of examples/data/breast_cancer.csv (label 0, malignant). */
const MALIGNANT_ROW = [17.99, 10.38, 122.8, 1001, 0.1184, 0.2776, 0.3001, 0.1471, 0.2419, 0.07871, 1.095, 0.9053, 8.589, 153.4, 0.006399, 0.04904, 0.05373, 0.01587, 0.03003, 0.006193, 25.38, 17.33, 184.6, 2019, 0.1622, 0.6656, 0.7119, 0.2654, 0.4601, 0.1189];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** Every package a set of packages can load: their dependencies, transitively, as installed. */
function closure(project: string, roots: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    const file = path.join(project, 'node_modules', name, 'package.json');
    if (!fs.existsSync(file)) return;
    seen.add(name);
    const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, Record<string, string> | undefined>;
    for (const k of ['dependencies', 'optionalDependencies', 'peerDependencies']) Object.keys(pkg[k] ?? {}).forEach(visit);
  };
  roots.forEach(visit);
  return seen;
}

describe('the packed package, installed like a user installs it', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-installed-'));
  const timings: Record<string, number> = {};
  const ourPkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; peerDependencies: Record<string, string> };
  const allPeers = Object.keys(ourPkg.peerDependencies);
  let tarball = '';
  const projects = new Map<string, string>(); // target → project dir
  const compileOutput = new Map<string, string>(); // project dir → tsc output
  const t0 = Date.now();

  beforeAll(() => {
    for (const row of TARGETS) for (const p of row.peers) expect(allPeers).toContain(p);
    timings.build = mustRun('npm', ['run', 'build'], { cwd: REPO }).ms;
    const pack = mustRun('npm', ['pack', '--json', '--pack-destination', work], { cwd: REPO });
    timings.pack = pack.ms;
    tarball = path.join(work, (JSON.parse(pack.stdout) as Array<{ filename: string }>)[0].filename);
    let install: RunResult | undefined;
    if (ISOLATED) {
      timings.install = 0;
      for (const row of TARGETS) {
        const dir = path.join(work, `project-${row.target}`);
        install = installProject(dir, tarball, [...row.peers, ...(row.knownLeaks?.peers ?? [])]);
        timings.install += install.ms;
        projects.set(row.target, dir);
      }
    } else {
      const dir = path.join(work, 'project');
      install = installProject(dir, tarball, [...new Set(TARGETS.flatMap((r) => [...r.peers, ...(r.knownLeaks?.peers ?? [])]))]);
      timings.install = install.ms;
      for (const row of TARGETS) projects.set(row.target, dir);
    }
    // Every README's first example, pasted as is, compiled in one tsc run per project.
    for (const row of TARGETS) {
      const src = path.join(projects.get(row.target) as string, 'src');
      fs.mkdirSync(src, { recursive: true });
      fs.writeFileSync(path.join(src, `${row.target}.ts`), firstTypeScriptExample(path.join(REPO, row.readme)));
    }
    timings.tsc = 0;
    for (const project of new Set(projects.values())) {
      const tsc = run(process.execPath, [path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project], { cwd: project });
      timings.tsc += tsc.ms;
      compileOutput.set(project, tsc.stdout + tsc.stderr);
    }
  }, 900_000);

  afterAll(() => {
    timings.total = Date.now() - t0;
    process.stdout.write(`packed-package test timings (ms): ${JSON.stringify(timings)}${ISOLATED ? ' (one install per target)' : ' (one shared install)'}\n`);
    fs.rmSync(work, { recursive: true, force: true });
  });

  test('the package ships what the constructs, the CLI and the runtime need at run time', () => {
    const installed = path.join(projects.get(TARGETS[0].target) as string, 'node_modules', 'servingstack');
    for (const f of ['Dockerfile', 'docker/Dockerfile.cuda', 'dist/runtime-image.lock.json', 'tsconfig.json', 'tsconfig.runtime.json', 'lib/runtime/server.ts', 'bin/serve.ts', 'dist/bin/servingstack.js', 'dist/constructs/aws/lambda/rollout/index.js', 'examples/models/breast-cancer/servingstack.json']) {
      expect([f, fs.existsSync(path.join(installed, f))]).toEqual([f, true]);
    }
    expect(fs.existsSync(path.join(installed, 'examples', 'models', 'mlp-bench'))).toBe(false);
  });

  describe.each(TARGETS.map((r) => [r.target, r] as const))('%s README, first example', (target, row) => {
    test('compiles against the installed typings, synthesizes, and loads only its own peers', () => {
      const project = projects.get(target) as string;
      const installed = path.join(project, 'node_modules', 'servingstack');
      const errors = (compileOutput.get(project) ?? '').split('\n').filter((l) => l.startsWith(`src/${target}.ts`));
      expect(errors).toEqual([]);
      expect(fs.existsSync(path.join(project, 'out', `${target}.js`))).toBe(true);

      const workdir = path.join(work, `run-${target}`);
      fs.mkdirSync(workdir, { recursive: true });
      row.prepare?.(workdir, installed);
      const traceFile = path.join(workdir, 'loaded.json');
      const r = run(process.execPath, ['--require', writeTracer(path.join(work, 'tracer.js')), path.join(project, 'out', `${target}.js`)], {
        cwd: workdir,
        env: { ...row.env?.(workdir), SERVINGSTACK_TRACE_FILE: traceFile },
      });
      timings[`synth-${target}`] = r.ms;
      if (r.status !== 0) throw new Error(`the ${target} example failed:\n${r.stdout}\n${r.stderr}`);
      const summary = row.assertSynth(workdir);

      // No other target's peers at run time …
      const loaded = loadedPackages(JSON.parse(fs.readFileSync(traceFile, 'utf8')) as string[], project);
      expect(loaded).toContain('servingstack');
      // (servingstack's own dependencies and this row's peers, with everything they depend on)
      const allowed = closure(project, [...Object.keys(ourPkg.dependencies), ...row.peers]);
      const foreign = loaded.filter((p) => !allowed.has(p) && p !== 'servingstack');
      const leaks = row.knownLeaks?.peers ?? [];
      expect(foreign.filter((p) => !leaks.includes(p))).toEqual([]);
      expect(loaded.filter((p) => allPeers.includes(p) && !row.peers.includes(p))).toEqual([...leaks].sort());
      // … nor in the typings a user compiles against.
      const typings = typingImports(path.join(installed, 'dist', 'constructs', target, 'index.d.ts'));
      const typingLeaks = [...leaks, ...(row.knownLeaks?.typings ?? [])];
      expect(typings.filter((p) => !row.peers.includes(p) && !(p in ourPkg.dependencies))).toEqual([...typingLeaks].sort());
      process.stdout.write(`${target}: ${summary}; loaded peers ${loaded.filter((p) => allPeers.includes(p)).join(', ')}\n`);
    }, 300_000);
  });

  test('npx servingstack serve from the installed package answers a prediction', async () => {
    const project = projects.get(TARGETS[0].target) as string;
    const model = path.join(work, 'serve-model');
    fs.cpSync(path.join(project, 'node_modules', 'servingstack', 'examples', 'models', 'breast-cancer'), model, { recursive: true });
    const port = await freePort();
    const t = Date.now();
    const server = await startServe(project, ['--model-dir', model, '--port', String(port), '--host', '127.0.0.1', '--workers', '1'], port);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/invocations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ instances: [MALIGNANT_ROW] }) });
      const body = (await res.json()) as { predictions: Array<{ label: number; probabilities: number[] }> };
      expect(res.status).toBe(200);
      expect(body.predictions).toHaveLength(1);
      expect(body.predictions[0].label).toBe(0);
      expect(body.predictions[0].probabilities[0]).toBeGreaterThan(0.5);
    } finally {
      // SIGTERM to npx and the runtime (one process group); the runtime drains and exits.
      const exit = await server.stop();
      expect(exit.code === 0 || exit.signal === 'SIGTERM').toBe(true);
      timings.serve = Date.now() - t;
    }
    await expect(fetch(`http://127.0.0.1:${port}/ping`)).rejects.toThrow();
  }, 180_000);
});
