/**
 * The telemetry agent artifact, one per platform, built at synth from this package's `lib/edge`:
 *
 *   agent.js                   the agent, bundled by esbuild with aws-iot-device-sdk-v2 (the
 *                              Greengrass IPC client), aws-crt's JavaScript and @aws-sdk/client-s3
 *   aws-crt-nodejs.node        aws-crt's native library for the platform (linux glibc, ~7 MB x64,
 *                              ~5.5 MB arm64; aws-crt ships seven platforms in ~44 MB), loaded
 *                              through AWS_CRT_NODEJS_BINARY_ABSOLUTE_PATH
 *   package.json               name, versions, platform
 *
 * The device SDK is an optional peer dependency of servingstack: install
 * `aws-iot-device-sdk-v2` (and `@aws-sdk/client-s3`) in the CDK app to synthesize fleet monitoring.
 * Cached by content like the runtime bundle.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EdgePlatform } from './edge-platform';
import { servingStackPackageRoot } from '../../lib/core/package-root';
import { bundleError, dirBytes, loadEsbuild, packageDir, publishToCache } from './runtime-bundle';

export interface TelemetryBundle {
  readonly dir: string;
  readonly bytes: number;
  /** File name of the native library inside the bundle. */
  readonly nativeLibrary: string;
  readonly sdkVersion: string;
}

export const CRT_LIBRARY = 'aws-crt-nodejs.node';
const built = new Map<string, TelemetryBundle>();

function agentEntry(root: string): string {
  const fromSources = __filename.endsWith('.ts');
  const dist = path.join(root, 'dist/lib/edge/main.js');
  const src = path.join(root, 'lib/edge/main.ts');
  if (!fromSources && fs.existsSync(dist)) return dist;
  if (fs.existsSync(src)) return src;
  if (fs.existsSync(dist)) return dist;
  throw bundleError('the telemetry agent entry point is missing', root, 'dist/lib/edge/main.js (npm run build), or the TypeScript sources');
}

function sdkDir(name: string, root: string): string {
  try {
    return packageDir(name, root);
  } catch {
    throw bundleError(`${name} cannot be found`, name, `${name} installed in the CDK app (npm install --save-dev aws-iot-device-sdk-v2 @aws-sdk/client-s3): fleet monitoring ships the Greengrass IPC client to the devices`);
  }
}

/** Build (or reuse) the telemetry agent bundle for `platform`. */
export function telemetryBundle(platform: EdgePlatform): TelemetryBundle {
  const hit = built.get(platform.key);
  if (hit && fs.existsSync(hit.dir)) return hit;
  const root = servingStackPackageRoot();
  const sdk = sdkDir('aws-iot-device-sdk-v2', root);
  sdkDir('@aws-sdk/client-s3', root);
  const crt = sdkDir('aws-crt', sdk);
  const sdkVersion = (JSON.parse(fs.readFileSync(path.join(sdk, 'package.json'), 'utf8')) as { version: string }).version;
  const crtVersion = (JSON.parse(fs.readFileSync(path.join(crt, 'package.json'), 'utf8')) as { version: string }).version;
  const native = path.join(crt, 'dist', 'bin', `${platform.os}-${platform.nodeArch}-glibc`, CRT_LIBRARY);
  if (!fs.existsSync(native)) throw bundleError(`aws-crt ${crtVersion} has no native library for ${platform.key}`, native, 'dist/bin/linux-x64-glibc or dist/bin/linux-arm64-glibc inside aws-crt');
  const cache = path.join(os.tmpdir(), 'servingstack-edge-telemetry');
  fs.mkdirSync(cache, { recursive: true });
  const build = fs.mkdtempSync(path.join(cache, `.build-${platform.nodeArch}-`));
  let dir: string;
  try {
    const result = loadEsbuild().buildSync({
      entryPoints: { agent: agentEntry(root) },
      outdir: build,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      legalComments: 'none',
      logLevel: 'silent',
      absWorkingDir: root,
    });
    if (result.errors.length > 0) throw bundleError('esbuild failed on the telemetry agent', result.errors.length, 'a buildable agent');
    fs.copyFileSync(native, path.join(build, CRT_LIBRARY));
    const ssVersion = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
    fs.writeFileSync(
      path.join(build, 'package.json'),
      `${JSON.stringify({ name: 'servingstack-edge-telemetry', version: ssVersion, private: true, description: `ServingStack edge telemetry agent for ${platform.key}`, main: 'agent.js', engines: { node: '>=20.9' }, os: [platform.os], cpu: [platform.nodeArch], 'aws-iot-device-sdk-v2': sdkVersion, 'aws-crt': crtVersion }, null, 2)}\n`,
    );
    const key = createHash('sha256');
    for (const f of ['agent.js', 'package.json', CRT_LIBRARY]) key.update(fs.readFileSync(path.join(build, f)));
    dir = path.join(cache, `${platform.nodeArch}-${key.digest('hex').slice(0, 24)}`);
    if (!fs.existsSync(path.join(dir, '.complete'))) {
      publishToCache(build, dir, cache, platform.nodeArch);
    }
  } finally {
    fs.rmSync(build, { recursive: true, force: true });
  }
  const bundle: TelemetryBundle = { dir, bytes: dirBytes(dir), nativeLibrary: CRT_LIBRARY, sdkVersion };
  built.set(platform.key, bundle);
  return bundle;
}
