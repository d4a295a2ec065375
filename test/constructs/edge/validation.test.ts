/** Synth-time validation of EdgeModelComponent: every error names the field, the value and what is allowed, with its own code. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Duration, Size } from 'aws-cdk-lib';
import { EdgeErrorCodes, EdgeLogLevel, EdgeModel, EdgeModelComponent, EdgeModelComponentProps, EdgeNodeRuntime, EdgePlatform, estimateMemoryMiB } from '../../../constructs/edge';
import { ServingStackError } from '../../../lib/core/errors';
import { BREAST_CANCER, edgeStack, ROOT, TINY } from './helpers';

function attempt(props: Partial<EdgeModelComponentProps>, model = TINY): ServingStackError {
  const { stack, lockFile } = edgeStack();
  try {
    new EdgeModelComponent(stack, 'C', { model: EdgeModel.fromPackage(model), platforms: [EdgePlatform.LINUX_X86_64], versionLockFile: lockFile, ...props });
  } catch (e) {
    if (ServingStackError.isServingStackError(e)) return e;
    throw e;
  }
  throw new Error('expected a synth error');
}

describe('component name, version and configuration (SS_ERR_EDGE_COMPONENT_INVALID)', () => {
  test('every problem is listed in one error', () => {
    const e = attempt({ componentName: 'my component!', componentVersion: 'v1', port: 70000, logLevel: EdgeLogLevel.of('loud'), drainTimeout: Duration.minutes(5) });
    expect(e.code).toBe(EdgeErrorCodes.COMPONENT);
    expect(e.message).toMatch(/^EdgeModelComponent at Edge\/C is invalid/);
    expect(e.issues.map((i) => i.field)).toEqual(['componentName', 'componentVersion', 'port', 'logLevel', 'drainTimeout']);
    expect(e.message).toContain('componentName: is not a valid Greengrass component name; received "my component!"; allowed: letters, digits, . _ -, 1–128 characters');
    expect(e.message).toContain('componentVersion: is not a Greengrass component version; received "v1"; allowed: major.minor.patch');
    expect(e.message).toContain('port: is out of range; received 70000; allowed: a whole number from 1 to 65535');
    expect(e.message).toContain('logLevel: is not a log level; received "loud"; allowed: fatal | error | warn | info | debug | trace | silent');
  });

  test('the AWS public component prefix is refused', () => {
    expect(attempt({ componentName: 'aws.greengrass.Nucleus' }).message).toMatch(/componentName: uses the aws\.greengrass\. prefix of AWS public components/);
  });

  test('a package version that is not major.minor.patch must be given explicitly', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-edge-int8-'));
    fs.cpSync(TINY, dir, { recursive: true });
    const m = JSON.parse(fs.readFileSync(path.join(dir, 'servingstack.json'), 'utf8'));
    fs.writeFileSync(path.join(dir, 'servingstack.json'), JSON.stringify({ ...m, version: '1.0.0-int8' }));
    try {
      const e = attempt({}, dir);
      expect(e.message).toContain('componentVersion: is required: the model package version is not a Greengrass component version; received "1.0.0-int8"');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('platforms (SS_ERR_EDGE_PLATFORM_UNSUPPORTED)', () => {
  test.each([
    ['linux', 'arm', /onnxruntime-node 1\.30 ships no 32-bit ARM \(armv7l\) binaries/],
    ['linux', 'x86', /no 32-bit x86 binaries/],
    ['darwin', 'amd64', /no Intel macOS binaries/],
    ['windows', 'amd64', /POSIX shell/],
  ])('%s/%s is refused with the reason', (os_, arch, reason) => {
    const e = attempt({ platforms: [EdgePlatform.LINUX_X86_64, EdgePlatform.of(os_, arch)] });
    expect(e.code).toBe(EdgeErrorCodes.PLATFORM);
    expect(e.issues).toEqual([
      expect.objectContaining({ field: 'platforms[1]', received: `${os_}/${arch}`, allowed: 'EdgePlatform.LINUX_X86_64 (linux/amd64) | EdgePlatform.LINUX_AARCH64 (linux/aarch64)', message: expect.stringMatching(reason) }),
    ]);
  });

  test('EdgePlatform.of returns the known platforms for their names', () => {
    expect(EdgePlatform.of('linux', 'aarch64')).toBe(EdgePlatform.LINUX_AARCH64);
    expect(EdgePlatform.LINUX_AARCH64.nodeArch).toBe('arm64');
    expect(EdgePlatform.LINUX_X86_64.machine).toBe('x86_64');
  });

  test('no platforms, or one twice', () => {
    expect(attempt({ platforms: [] }).message).toMatch(/platforms: is empty/);
    expect(attempt({ platforms: [EdgePlatform.LINUX_X86_64, EdgePlatform.LINUX_X86_64] }).message).toMatch(/platforms\[1\]: is listed twice/);
  });

  test('errors of different rules carry their codes in one throw', () => {
    const e = attempt({ componentVersion: '1.0', platforms: [EdgePlatform.of('linux', 'arm')] });
    expect(e.code).toBe(EdgeErrorCodes.COMPONENT);
    expect(e.message).toMatch(/\[SS_ERR_EDGE_COMPONENT_INVALID\] is not a Greengrass component version/);
    expect(e.message).toMatch(/\[SS_ERR_EDGE_PLATFORM_UNSUPPORTED\] is not supported/);
  });
});

describe('device fit (SS_ERR_EDGE_DEVICE_TOO_SMALL)', () => {
  test('a model too large for the declared memory is refused with the estimate and what would fit', () => {
    const e = attempt({ device: { memory: Size.mebibytes(160), workers: 2 } }, path.join(ROOT, 'examples/models/mlp-bench'));
    expect(e.code).toBe(EdgeErrorCodes.DEVICE);
    expect(e.issues).toEqual([
      expect.objectContaining({
        field: 'device.memory',
        received: '160 MiB',
        message: expect.stringMatching(/is too small for the runtime and model on linux\/amd64: about \d+ MiB needed \(runtime 64 \+ ONNX Runtime 4\d \+ 2 worker\(s\) with the 6\.0 MiB model 5\d \+ heap 64\)/),
        allowed: expect.stringMatching(/^at least \d+ MiB, or fewer workers, a smaller heapSize, or a smaller model \(servingstack optimize\)$/),
      }),
    ]);
  });

  test('the estimate: base + native library + workers × (overhead + 3 × model) + heap', () => {
    expect(estimateMemoryMiB(45 * 1024 * 1024, 10 * 1024 * 1024, 2, 128)).toEqual({ runtimeMiB: 64, nativeLibraryMiB: 45, modelMiB: 76, heapMiB: 128, totalMiB: 313 });
  });

  test('storage, heap and counts', () => {
    const e = attempt({ device: { memory: Size.mebibytes(1024), heapSize: Size.mebibytes(2048), storage: Size.mebibytes(20), cpus: 0 } });
    expect(e.issues.map((i) => i.field)).toEqual(['device.cpus', 'device.workers', 'device.heapSize']); // workers default to cpus
    const s = attempt({ device: { storage: Size.mebibytes(20) } });
    expect(s.issues).toEqual([expect.objectContaining({ field: 'device.storage', received: '20 MiB', message: expect.stringMatching(/too small for the artifacts on linux\/amd64: up to 9\d MiB/) })]);
  });

  test('a Node binary that does not exist', () => {
    const e = attempt({ nodeRuntime: EdgeNodeRuntime.fromBinaries([{ platform: EdgePlatform.LINUX_X86_64, file: '/nonexistent/node' }]) });
    expect(e.message).toMatch(/nodeRuntime \(linux\/amd64\): is not a file; received "\/nonexistent\/node"/);
  });
});

describe('immutable versions (SS_ERR_EDGE_VERSION_IMMUTABLE)', () => {
  test('the same version with other content fails and names the next free version; a new version is recorded', () => {
    const { lockFile } = edgeStack();
    const synth = (model: string, version: string, port = 8080): EdgeModelComponent => {
      const { stack } = edgeStack();
      return new EdgeModelComponent(stack, 'C', { model: EdgeModel.fromPackage(model), componentName: 'com.example.Model', componentVersion: version, platforms: [EdgePlatform.LINUX_X86_64], versionLockFile: lockFile, port });
    };
    const first = synth(TINY, '1.0.0');
    expect(synth(TINY, '1.0.0').fingerprint).toBe(first.fingerprint); // same content: accepted again
    expect(() => synth(BREAST_CANCER, '1.0.0')).toThrow(expect.objectContaining({ code: 'SS_ERR_EDGE_VERSION_IMMUTABLE' }));
    expect(() => synth(BREAST_CANCER, '1.0.0')).toThrow(/componentVersion: com\.example\.Model 1\.0\.0 was synthesized before with other content[\s\S]*allowed: a version not yet used, e\.g\. 1\.0\.1/);
    // Configuration is content too.
    expect(() => synth(TINY, '1.0.0', 9090)).toThrow(expect.objectContaining({ code: 'SS_ERR_EDGE_VERSION_IMMUTABLE' }));
    const second = synth(BREAST_CANCER, '1.0.1');
    expect(second.fingerprint).not.toBe(first.fingerprint);
    expect(JSON.parse(fs.readFileSync(lockFile, 'utf8'))).toEqual({ lockfileVersion: 1, components: { 'com.example.Model': { '1.0.0': first.fingerprint, '1.0.1': second.fingerprint } } });
  });

  test('the check can be turned off', () => {
    const { stack, lockFile } = edgeStack();
    new EdgeModelComponent(stack, 'C', { model: EdgeModel.fromPackage(TINY), platforms: [EdgePlatform.LINUX_X86_64], versionLockFile: lockFile, checkVersionLock: false });
    expect(fs.existsSync(lockFile)).toBe(false);
  });
});

describe('model packages (SS_ERR_EDGE_PACKAGE_INVALID)', () => {
  test('only ONNX packages run on the edge runtime; broken packages fail as lib/core reports them', () => {
    expect(() => EdgeModel.fromPackage(path.join(ROOT, 'test/constructs/aws/fixtures/tf-package'))).toThrow(/SS_ERR_EDGE_PACKAGE_INVALID|format: the edge runtime runs ONNX models only/);
    expect(() => EdgeModel.fromPackage('/nonexistent')).toThrow(expect.objectContaining({ code: 'SS_ERR_PACKAGE_INVALID' }));
  });
});
