/**
 * EdgeModelComponent: the recipe per platform, the artifacts (runtime bundles with only their
 * platform's ONNX Runtime binaries, the model), and the lifecycle executed on this machine the way
 * the Greengrass nucleus runs it, answering a prediction over HTTP.
 */
import { RuntimeContract } from '../../../lib/core/contract/container';
import { ENVIRONMENT } from '../../../lib/core/contract/environment';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { Duration, Size } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { EdgeModel, EdgeModelComponent, EdgeNodeRuntime, EdgePlatform } from '../../../constructs/edge';
import { BREAST_CANCER, deviceFor, edgeStack, pathWithoutNode, recipeOf, template, TINY } from './helpers';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitReady(url: string, child: { exitCode: number | null }, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the runtime exited with ${child.exitCode} before it was ready`);
    try {
      const r = await fetch(`${url}/v2/health/ready`);
      if (r.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} not ready after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function exited(child: { exitCode: number | null; once(e: 'exit', f: (code: number | null) => void): void }): Promise<number | null> {
  return child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((resolve) => child.once('exit', resolve));
}

describe('recipe', () => {
  const { stack, outdir, lockFile } = edgeStack();
  const component = new EdgeModelComponent(stack, 'BreastCancer', {
    model: EdgeModel.fromPackage(BREAST_CANCER),
    componentName: 'com.example.BreastCancer',
    device: { memory: Size.mebibytes(768), cpus: 2 },
    versionLockFile: lockFile,
  });
  const t = template(stack);
  const recipe = recipeOf(t);

  test('one manifest per platform, with Greengrass architecture names', () => {
    expect(recipe).toMatchObject({ RecipeFormatVersion: '2020-01-25', ComponentName: 'com.example.BreastCancer', ComponentVersion: '1.0.0', ComponentPublisher: 'ServingStack' });
    expect(recipe.Manifests.map((m) => m.Platform)).toEqual([
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'aarch64' },
    ]);
    for (const m of recipe.Manifests) expect(Object.keys(m.Lifecycle)).toEqual(['Install', 'Run', 'Shutdown']);
    expect(component.componentVersion).toBe('1.0.0');
  });

  test('artifacts: a runtime bundle per platform and the shared model, as ZIP artifacts from the CDK assets bucket', () => {
    const [amd, arm] = recipe.Manifests;
    for (const m of recipe.Manifests) {
      expect(m.Artifacts).toHaveLength(2);
      for (const a of m.Artifacts) {
        expect(a.URI).toMatch(/^s3:\/\/cdk-hnb659fds-assets-123456789012-eu-west-1\/[a-f0-9]{64}\.zip$/);
        expect(a).toMatchObject({ Unarchive: 'ZIP', Permission: { Read: 'OWNER', Execute: 'NONE' } });
      }
    }
    expect(amd!.Artifacts[1]!.URI).toBe(arm!.Artifacts[1]!.URI);
    expect(amd!.Artifacts[0]!.URI).not.toBe(arm!.Artifacts[0]!.URI);
  });

  test('each runtime bundle carries only its platform\'s ONNX Runtime binaries', () => {
    const dirOf = (uri: string): string => path.join(outdir, `asset.${uri.replace(/^.*\//, '').replace(/\.zip$/, '')}`);
    const expected: Record<string, string> = { amd64: 'x64', aarch64: 'arm64' };
    for (const m of recipe.Manifests) {
      const dir = dirOf(m.Artifacts[0]!.URI);
      expect(fs.readdirSync(dir).sort()).toEqual(['node_modules', 'package.json', 'serve.js', 'worker.js']);
      const napi = path.join(dir, 'node_modules/onnxruntime-node/bin/napi-v6');
      expect(fs.readdirSync(napi)).toEqual(['linux']);
      expect(fs.readdirSync(path.join(napi, 'linux'))).toEqual([expected[m.Platform.architecture]]);
      expect(fs.existsSync(path.join(napi, 'linux', expected[m.Platform.architecture]!, 'onnxruntime_binding.node'))).toBe(true);
      expect(JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'))).toMatchObject({ cpu: [expected[m.Platform.architecture]], onnxruntime: '1.30.0' });
    }
    const model = path.join(outdir, `asset.${recipe.Manifests[0]!.Artifacts[1]!.URI.replace(/^.*\//, '').replace(/\.zip$/, '')}`);
    expect(fs.readdirSync(model).sort()).toEqual(['README.md', 'baseline.json', 'model.onnx', 'servingstack.json']);
  });

  test('configuration: port, workers, heap, log level, capture as strings; capture off until fleet monitoring turns it on', () => {
    expect(recipe.ComponentConfiguration.DefaultConfiguration).toEqual({
      Host: '127.0.0.1',
      Port: '8080',
      Workers: '2',
      IntraOpThreads: '1',
      MaxOldSpaceSizeMiB: '192',
      LogLevel: 'info',
      DrainTimeoutMs: String(RuntimeContract.DRAIN_TIMEOUT_SECONDS * 1000),
      CapturePercent: '0',
      CaptureMaxBytes: '1048576',
      CaptureMaxFiles: '20',
    });
    const run = recipe.Manifests[0]!.Lifecycle.Run!.Script;
    expect(run).toContain("--max-old-space-size='{configuration:/MaxOldSpaceSizeMiB}'");
    expect(run).toContain("SERVINGSTACK_WORKERS='{configuration:/Workers}'");
    expect(run).toMatch(/SERVINGSTACK_MODEL_DIR='\{artifacts:decompressedPath\}\/[a-f0-9]{64}'/);
    expect(run).toContain("SERVINGSTACK_CAPTURE_DIR='{work:path}/capture' SERVINGSTACK_CAPTURE_PERCENT='{configuration:/CapturePercent}'");
    // Every variable the run step sets is one the runtime reads (the contract's catalogue).
    for (const name of run.match(/SERVINGSTACK_[A-Z_]+/g)!) expect(Object.keys(ENVIRONMENT)).toContain(name);
  });

  test('shutdown: no grace period on a device (no load balancer to drain); the step\'s timeout covers drain + exit', () => {
    for (const m of recipe.Manifests) {
      expect(m.Lifecycle.Run!.Script).toContain("SERVINGSTACK_SHUTDOWN_GRACE_MS='0'");
      // The contract's default drain (20 s) + exit (2 s), plus the step's own margin.
      expect(m.Lifecycle.Shutdown!.Script).toContain(`[ "$i" -lt ${RuntimeContract.shutdownSeconds(0, RuntimeContract.DRAIN_TIMEOUT_SECONDS)} ]`);
      expect(m.Lifecycle.Shutdown!.Timeout).toBe(25);
      expect(m.Lifecycle.Shutdown!.Timeout).toBeGreaterThan(RuntimeContract.shutdownSeconds(0, RuntimeContract.DRAIN_TIMEOUT_SECONDS));
    }
    // A longer drain lengthens both the wait and the step's timeout.
    const other = edgeStack();
    new EdgeModelComponent(other.stack, 'Slow', { model: EdgeModel.fromPackage(BREAST_CANCER), platforms: [EdgePlatform.LINUX_X86_64], drainTimeout: Duration.seconds(45), versionLockFile: other.lockFile });
    const slow = recipeOf(template(other.stack)).Manifests[0]!.Lifecycle;
    expect(slow.Shutdown!.Script).toContain('[ "$i" -lt 47 ]');
    expect(slow.Shutdown!.Timeout).toBe(50);
  });

  test('component versions are retained: fleets roll back to them', () => {
    t.hasResource('AWS::GreengrassV2::ComponentVersion', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain', Properties: { InlineRecipe: Match.anyValue() } });
  });
});

describe('lifecycle executed as the nucleus runs it', () => {
  test('install checks the device, run serves predictions on the local port, shutdown drains and stops it', async () => {
    const { stack, outdir, lockFile } = edgeStack();
    new EdgeModelComponent(stack, 'BreastCancer', { model: EdgeModel.fromPackage(BREAST_CANCER), platforms: [EdgePlatform.LINUX_X86_64], versionLockFile: lockFile });
    const recipe = recipeOf(template(stack));
    const port = await freePort();
    const config = { ...recipe.ComponentConfiguration.DefaultConfiguration, Port: String(port), Workers: '1' };
    const device = deviceFor(recipe, 0, outdir, config);
    const lifecycle = recipe.Manifests[0]!.Lifecycle;

    const install = device.runToEnd(lifecycle.Install!.Script);
    expect(install.stderr).toBe('');
    expect(install.status).toBe(0);

    const run = device.start(lifecycle.Run!.Script);
    let logs = '';
    run.stdout!.on('data', (d: Buffer) => (logs += d.toString()));
    run.stderr!.on('data', (d: Buffer) => (logs += d.toString()));
    try {
      const url = `http://127.0.0.1:${port}`;
      await waitReady(url, run);
      const row = fs.readFileSync(path.resolve(BREAST_CANCER, '../../data/breast_cancer.csv'), 'utf8').split('\n')[1]!.split(',').map(Number);
      const r = await fetch(`${url}/v2/models/breast-cancer/infer`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 30], data: row.slice(0, 30) }] }),
      });
      expect(r.status).toBe(200);
      const body = (await r.json()) as { outputs: { name: string; data: number[] }[] };
      expect(body.outputs.find((o) => o.name === 'label')!.data).toEqual([row[30]]);
      // The pid file names the Node process itself (exec), which is what shutdown signals.
      expect(Number(fs.readFileSync(path.join(device.workPath, 'servingstack-runtime.pid'), 'utf8'))).toBe(run.pid);
      expect(logs).toMatch(/"workers":1/);

      const shutdown = device.runToEnd(lifecycle.Shutdown!.Script);
      expect(shutdown.status).toBe(0);
      expect(await exited(run)).toBe(0);
      // The recipe's SERVINGSTACK_SHUTDOWN_GRACE_MS=0 reached the runtime: it drained at once.
      expect(logs).toMatch(/"signal":"SIGTERM","graceMs":0,"drainTimeoutMs":20000[^\n]*shutdown requested/);
      expect(fs.existsSync(path.join(device.workPath, 'servingstack-runtime.pid'))).toBe(false);
    } finally {
      if (run.exitCode === null) run.kill('SIGKILL');
    }
  });

  test('a shipped Node binary runs the component on a device without Node', async () => {
    const { stack, outdir, lockFile } = edgeStack();
    new EdgeModelComponent(stack, 'Tiny', {
      model: EdgeModel.fromPackage(TINY),
      platforms: [EdgePlatform.LINUX_X86_64],
      nodeRuntime: EdgeNodeRuntime.fromBinaries([{ platform: EdgePlatform.LINUX_X86_64, file: process.execPath }]),
      versionLockFile: lockFile,
    });
    const recipe = recipeOf(template(stack));
    const manifest = recipe.Manifests[0]!;
    expect(manifest.Artifacts).toHaveLength(3);
    expect(manifest.Artifacts[2]).toMatchObject({ Unarchive: 'NONE', Permission: { Read: 'OWNER', Execute: 'OWNER' } });
    // CDK names a file asset without extension `<hash>.<hash>` in S3; the nucleus stores it under that name.
    expect(manifest.Lifecycle.Run!.Script).toMatch(/'\{artifacts:path\}\/[a-f0-9]{64}(\.[a-f0-9]{64})?' --max-old-space-size/);
    const port = await freePort();
    const device = deviceFor(recipe, 0, outdir, { ...recipe.ComponentConfiguration.DefaultConfiguration, Port: String(port) });
    const noNode = `PATH=${pathWithoutNode()}\n`;
    expect(device.runToEnd(`${noNode}command -v node || echo none`).stdout.trim()).toBe('none');
    const install = device.runToEnd(`${noNode}${manifest.Lifecycle.Install!.Script}`);
    expect(install.stderr).toBe('');
    expect(install.status).toBe(0);
    const run = device.start(`${noNode}${manifest.Lifecycle.Run!.Script}`);
    try {
      await waitReady(`http://127.0.0.1:${port}`, run);
      const r = await fetch(`http://127.0.0.1:${port}/v2/models/tiny/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }] }) });
      expect(((await r.json()) as { outputs: { data: number[] }[] }).outputs[0]!.data).toEqual([3, 5, 7, 9]);
      expect(device.runToEnd(manifest.Lifecycle.Shutdown!.Script).status).toBe(0);
      expect(await exited(run)).toBe(0);
    } finally {
      if (run.exitCode === null) run.kill('SIGKILL');
    }
  });

  test('install refuses a device without Node and a device of another architecture, saying why', () => {
    const { stack, outdir, lockFile } = edgeStack();
    new EdgeModelComponent(stack, 'Tiny', { model: EdgeModel.fromPackage(TINY), versionLockFile: lockFile });
    const recipe = recipeOf(template(stack));
    const amd = deviceFor(recipe, 0, outdir, recipe.ComponentConfiguration.DefaultConfiguration);
    const noNode = amd.runToEnd(`PATH=${pathWithoutNode()}\n${recipe.Manifests[0]!.Lifecycle.Install!.Script}`);
    expect(noNode.status).toBe(1);
    expect(noNode.stderr).toMatch(/servingstack: Node\.js >= 20\.9 is required on the device: 'node' was not found \(install it, or ship it with EdgeNodeRuntime\.fromBinaries\)/);
    const arm = deviceFor(recipe, 1, outdir, recipe.ComponentConfiguration.DefaultConfiguration);
    const wrongArch = arm.runToEnd(recipe.Manifests[1]!.Lifecycle.Install!.Script);
    expect(wrongArch.status).toBe(1);
    expect(wrongArch.stderr).toMatch(/this component version was built for aarch64 \(linux\/aarch64\); the device is x86_64/);
  });
});
