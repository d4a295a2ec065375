import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Duration, RemovalPolicy, Size, Stack, Token } from 'aws-cdk-lib';
import { CfnComponentVersion } from 'aws-cdk-lib/aws-greengrassv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { EdgePlatform, SUPPORTED_PLATFORMS_TEXT } from './edge-platform';
import { EdgeModel } from './edge-model';
import { duplicateNodeBinaries, EdgeNodeRuntime } from './node-runtime';
import { EDGE_ERRORS, EdgeChecker } from './private/errors';
import { RuntimeContract } from '../../lib/core/contract/container';
import { EdgeComponentConfiguration, RecipeArtifact, RecipeManifestInputs, renderRecipe } from './recipe';
import { runtimeBundle, RuntimeBundle } from './runtime-bundle';
import { checkVersionLock, DEFAULT_VERSION_LOCK_FILE } from './version-lock';

/** What the device gives the component. */
export interface EdgeDeviceLimits {
  /**
   * Memory the component may use. Checked at synth against the runtime and model (see
   * {@link estimateMemoryMiB}); a fleet deployment passes it to Greengrass as the component's
   * `systemResourceLimits.memory`.
   * @default Size.mebibytes(512)
   */
  readonly memory?: Size;
  /**
   * CPU cores the component may use (`systemResourceLimits.cpus`).
   * @default 1
   */
  readonly cpus?: number;
  /**
   * Inference worker threads (`SERVINGSTACK_WORKERS`).
   * @default - `cpus`
   */
  readonly workers?: number;
  /**
   * V8 old-space limit of the runtime process (`node --max-old-space-size`).
   * @default - a quarter of `memory`, between 64 MiB and 1 GiB
   */
  readonly heapSize?: Size;
  /**
   * Disk space for the component's artifacts (archives and unpacked copies). Checked when given.
   * @default - not checked
   */
  readonly storage?: Size;
}

export interface EdgeModelComponentProps {
  /** The model package to serve on the device. */
  readonly model: EdgeModel;
  /**
   * Greengrass component name.
   * @default - `servingstack.<model name>`
   */
  readonly componentName?: string;
  /**
   * Component version (`major.minor.patch`). A version is immutable: content that changes needs a
   * new version (checked against `versionLockFile`).
   * @default - the model package version, when it is `major.minor.patch`
   */
  readonly componentVersion?: string;
  /** @default - the model's description */
  readonly description?: string;
  /** @default 'ServingStack' */
  readonly publisher?: string;
  /**
   * Device platforms, one recipe manifest (and runtime bundle) each.
   * @default EdgePlatform.ALL (linux/amd64 and linux/aarch64)
   */
  readonly platforms?: readonly EdgePlatform[];
  /** @default EdgeNodeRuntime.fromDevice() */
  readonly nodeRuntime?: EdgeNodeRuntime;
  /** @default - 512 MiB, 1 CPU, 1 worker */
  readonly device?: EdgeDeviceLimits;
  /**
   * Local port the runtime listens on (configuration `Port`).
   * @default RuntimeContract.PORT (8080)
   */
  readonly port?: number;
  /**
   * Address the runtime binds (configuration `Host`); `0.0.0.0` serves the local network.
   * @default '127.0.0.1'
   */
  readonly host?: string;
  /** @default EdgeLogLevel.INFO */
  readonly logLevel?: EdgeLogLevel;
  /**
   * How long a stopping runtime may finish in-flight requests (configuration `DrainTimeoutMs`).
   * The runtime skips its shutdown grace on a device (no load balancer to drain), so the shutdown
   * step waits this long plus the contract's exit time (2 s).
   * @default Duration.seconds(20), the runtime contract's drain timeout
   */
  readonly drainTimeout?: Duration;
  /**
   * Lock file recording each component version's content fingerprint. Commit it with the app.
   * @default - `servingstack-edge.lock.json` in the working directory (the CDK app's)
   */
  readonly versionLockFile?: string;
  /**
   * Whether to check and record versions in the lock file.
   * @default true
   */
  readonly checkVersionLock?: boolean;
  /**
   * What happens to the component version on stack deletion or replacement. Retained by default:
   * fleets roll back to, and canaries hold the fleet at, earlier versions.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** The runtime's log level on the device (`SERVINGSTACK_LOG_LEVEL`). */
export class EdgeLogLevel {
  public static readonly FATAL = new EdgeLogLevel('fatal');
  public static readonly ERROR = new EdgeLogLevel('error');
  public static readonly WARN = new EdgeLogLevel('warn');
  public static readonly INFO = new EdgeLogLevel('info');
  public static readonly DEBUG = new EdgeLogLevel('debug');
  public static readonly TRACE = new EdgeLogLevel('trace');
  public static readonly SILENT = new EdgeLogLevel('silent');

  /** A level by name; an unknown name fails at synth (SS_ERR_EDGE_COMPONENT_INVALID). */
  public static of(name: string): EdgeLogLevel {
    return new EdgeLogLevel(name);
  }

  private constructor(public readonly value: string) {}
}
/** Capture files rotate at 1 MiB on devices (small uploads, little disk), 20 kept. */
export const CAPTURE_MAX_BYTES = 1024 * 1024;
export const CAPTURE_MAX_FILES = 20;
const MIB = 1024 * 1024;
/** Node and the bundled runtime with one idle worker, without the V8 heap and ONNX Runtime (measured ~58 MiB RSS on linux/x64). */
export const RUNTIME_BASE_MIB = 64;
/** Each inference worker thread: its isolate and ONNX Runtime session arena (measured ~8 MiB). */
export const WORKER_OVERHEAD_MIB = 8;
/** A session holds the weights, pre-packed copies and buffers: up to ~3× the model file (measured 2.5–2.8× for mlp-bench). */
export const MODEL_MEMORY_FACTOR = 3;

export interface MemoryEstimate {
  readonly runtimeMiB: number;
  readonly nativeLibraryMiB: number;
  readonly modelMiB: number;
  readonly heapMiB: number;
  readonly totalMiB: number;
}

/**
 * Upper estimate of the component's resident memory: runtime base + ONNX Runtime native library
 * + per worker (overhead + 3 × model file) + the V8 heap limit.
 */
export function estimateMemoryMiB(nativeLibraryBytes: number, modelBytes: number, workers: number, heapMiB: number): MemoryEstimate {
  const nativeLibraryMiB = Math.ceil(nativeLibraryBytes / MIB);
  const modelMiB = Math.ceil((workers * (WORKER_OVERHEAD_MIB * MIB + MODEL_MEMORY_FACTOR * modelBytes)) / MIB);
  return { runtimeMiB: RUNTIME_BASE_MIB, nativeLibraryMiB, modelMiB, heapMiB, totalMiB: RUNTIME_BASE_MIB + nativeLibraryMiB + modelMiB + heapMiB };
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const VERSION = /^(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})$/;

interface PlatformArtifacts {
  readonly platform: EdgePlatform;
  readonly runtime: s3assets.Asset;
  readonly bundle: RuntimeBundle;
  readonly node?: s3assets.Asset;
}

/**
 * A model served on AWS IoT Greengrass v2 core devices: a component version (`CfnComponentVersion`
 * with an inline recipe) whose artifacts are S3 assets — per platform a runtime bundle with only
 * that platform's ONNX Runtime binaries (and optionally a Node binary), and the model package —
 * and whose lifecycle installs (checks Node, the architecture and that ONNX Runtime loads), runs
 * the ServingStack runtime on a local port within the device's limits, and shuts it down with a
 * drain. Validated at synth: name, version, platforms, configuration, device fit, immutability.
 */
export class EdgeModelComponent extends Construct {
  public readonly componentName: string;
  public readonly componentVersion: string;
  /** ARN of the component version. */
  public readonly componentArn: string;
  public readonly platforms: readonly EdgePlatform[];
  /** Memory (MiB) and CPUs the deployment gives the component. */
  public readonly memoryMiB: number;
  public readonly cpus: number;
  /** The recipe as rendered (artifact URIs contain tokens until deployment). */
  public readonly recipe: Record<string, unknown>;
  /** sha256 of the component's content (recipe with artifact content hashes instead of S3 locations). */
  public readonly fingerprint: string;
  public readonly resource: CfnComponentVersion;
  /** The model's name (manifest `name`): the runtime's `model` metric label. */
  public readonly modelName: string;
  /** The lock file versions are checked against (undefined when checking is off). */
  public readonly versionLockFile?: string;
  private readonly assets: s3assets.Asset[] = [];
  private readonly nodeCommands = new Map<string, string>();

  constructor(scope: Construct, id: string, props: EdgeModelComponentProps) {
    super(scope, id);
    const c = new EdgeChecker(this, 'EdgeModelComponent');
    const m = props.model.manifest;
    this.modelName = m.name;
    this.componentName = props.componentName ?? `servingstack.${m.name}`;
    const versionFromManifest = props.componentVersion === undefined;
    this.componentVersion = props.componentVersion ?? m.version;
    const platforms = props.platforms ?? [...EdgePlatform.ALL];
    this.platforms = platforms;
    const device = props.device ?? {};
    const memory = device.memory ?? Size.mebibytes(512);
    this.memoryMiB = Math.floor(memory.toBytes() / MIB);
    this.cpus = device.cpus ?? 1;
    const workers = device.workers ?? this.cpus;
    const heapMiB = device.heapSize ? Math.floor(device.heapSize.toBytes() / MIB) : Math.min(1024, Math.max(64, Math.floor(this.memoryMiB / 4)));
    const port = props.port ?? RuntimeContract.PORT;
    const host = props.host ?? '127.0.0.1';
    const logLevel = (props.logLevel ?? EdgeLogLevel.INFO).value;
    const drainSeconds = (props.drainTimeout ?? Duration.seconds(RuntimeContract.DRAIN_TIMEOUT_SECONDS)).toSeconds();
    const nodeRuntime = props.nodeRuntime ?? EdgeNodeRuntime.fromDevice();

    c.check(NAME.test(this.componentName), EDGE_ERRORS.COMPONENT, {
      field: 'componentName',
      message: 'is not a valid Greengrass component name',
      received: this.componentName,
      allowed: 'letters, digits, . _ -, 1–128 characters, starting with a letter or digit (reverse domain style, e.g. com.example.fraud)',
    });
    c.check(!this.componentName.startsWith('aws.greengrass.'), EDGE_ERRORS.COMPONENT, {
      field: 'componentName',
      message: 'uses the aws.greengrass. prefix of AWS public components (a component of the same name replaces the public one for dependents)',
      received: this.componentName,
      allowed: 'a name outside aws.greengrass.*',
    });
    c.check(VERSION.test(this.componentVersion), EDGE_ERRORS.COMPONENT, {
      field: 'componentVersion',
      message: versionFromManifest ? 'is required: the model package version is not a Greengrass component version' : 'is not a Greengrass component version',
      received: this.componentVersion,
      allowed: 'major.minor.patch, each a whole number without leading zeros (e.g. 1.0.0); pre-release and build suffixes are not accepted',
    });
    c.check(platforms.length > 0, EDGE_ERRORS.PLATFORM, { field: 'platforms', message: 'is empty', received: [], allowed: SUPPORTED_PLATFORMS_TEXT });
    const keys = platforms.map((p) => p.key);
    platforms.forEach((p, i) => {
      c.check(p.supported, EDGE_ERRORS.PLATFORM, { field: `platforms[${i}]`, message: `is not supported: ${p.unsupportedReason}`, received: p.key, allowed: SUPPORTED_PLATFORMS_TEXT });
      c.check(keys.indexOf(p.key) === i, EDGE_ERRORS.PLATFORM, { field: `platforms[${i}]`, message: 'is listed twice', received: p.key, allowed: 'each platform once' });
    });
    for (const dup of duplicateNodeBinaries(nodeRuntime)) c.add(EDGE_ERRORS.COMPONENT, { field: 'nodeRuntime', message: 'names more than one Node binary for a platform', received: dup, allowed: 'one binary per platform' });
    c.intRange(EDGE_ERRORS.COMPONENT, 'port', port, 1, 65535);
    c.check(Token.isUnresolved(host) || /^[A-Za-z0-9.:-]{1,253}$/.test(host), EDGE_ERRORS.COMPONENT, { field: 'host', message: 'is not an address', received: host, allowed: 'an IP address or host name, e.g. 127.0.0.1 or 0.0.0.0' });
    c.check(LOG_LEVELS.includes(logLevel), EDGE_ERRORS.COMPONENT, { field: 'logLevel', message: 'is not a log level', received: logLevel, allowed: LOG_LEVELS.join(' | ') });
    c.check(Number.isInteger(drainSeconds) && drainSeconds >= 0 && drainSeconds <= 120, EDGE_ERRORS.COMPONENT, { field: 'drainTimeout', message: 'is out of range', received: `${drainSeconds} s`, allowed: '0 to 120 whole seconds' });
    c.intRange(EDGE_ERRORS.DEVICE, 'device.memory', this.memoryMiB, 64, 1024 * 1024, 'MiB');
    c.intRange(EDGE_ERRORS.DEVICE, 'device.cpus', this.cpus, 1, 256);
    c.intRange(EDGE_ERRORS.DEVICE, 'device.workers', workers, 1, 256);
    c.check(heapMiB >= 16 && heapMiB < this.memoryMiB, EDGE_ERRORS.DEVICE, { field: 'device.heapSize', message: 'must leave room below device.memory', received: `${heapMiB} MiB`, allowed: `16 MiB to less than device.memory (${this.memoryMiB} MiB)` });

    // Fit checks first (the bundles are built, not yet staged), then the artifacts as assets:
    // the model once, the runtime (and Node) per platform.
    const bundles = c.ok ? platforms.map((platform) => ({ platform, bundle: runtimeBundle(platform), nodeFile: nodeRuntime.binaryFor(platform) })) : [];
    for (const { platform, bundle, nodeFile } of bundles) {
      const estimate = estimateMemoryMiB(bundle.nativeLibraryBytes, props.model.modelBytes, workers, heapMiB);
      c.check(estimate.totalMiB <= this.memoryMiB, EDGE_ERRORS.DEVICE, {
        field: 'device.memory',
        message: `is too small for the runtime and model on ${platform.key}: about ${estimate.totalMiB} MiB needed (runtime ${estimate.runtimeMiB} + ONNX Runtime ${estimate.nativeLibraryMiB} + ${workers} worker(s) with the ${(props.model.modelBytes / MIB).toFixed(1)} MiB model ${estimate.modelMiB} + heap ${estimate.heapMiB})`,
        received: `${this.memoryMiB} MiB`,
        allowed: `at least ${estimate.totalMiB} MiB, or fewer workers, a smaller heapSize, or a smaller model (servingstack optimize)`,
      });
      const nodeOk = nodeFile === undefined || c.check(fs.existsSync(nodeFile) && fs.statSync(nodeFile).isFile(), EDGE_ERRORS.COMPONENT, { field: `nodeRuntime (${platform.key})`, message: 'is not a file', received: nodeFile, allowed: 'the path of a Linux node executable for the platform' });
      if (device.storage) {
        const storageMiB = Math.floor(device.storage.toBytes() / MIB);
        // A ZIP artifact is kept next to its unpacked copy; archives are at most their content's size.
        const nodeBytes = nodeFile !== undefined && nodeOk ? fs.statSync(nodeFile).size : 0;
        const needed = Math.ceil((2 * (bundle.bytes + props.model.packageBytes) + nodeBytes) / MIB);
        c.check(needed <= storageMiB, EDGE_ERRORS.DEVICE, {
          field: 'device.storage',
          message: `is too small for the artifacts on ${platform.key}: up to ${needed} MiB (runtime bundle ${(bundle.bytes / MIB).toFixed(1)} MiB and model package ${(props.model.packageBytes / MIB).toFixed(1)} MiB, each as archive and unpacked${nodeBytes ? ', and the Node binary' : ''})`,
          received: `${storageMiB} MiB`,
          allowed: `at least ${needed} MiB`,
        });
      }
    }
    const perPlatform: PlatformArtifacts[] = [];
    const modelAsset = c.ok ? new s3assets.Asset(this, 'Model', { path: props.model.directory, exclude: ['.*', '**/.*'] }) : undefined;
    if (modelAsset) {
      this.assets.push(modelAsset);
      for (const { platform, bundle, nodeFile } of bundles) {
        const runtime = new s3assets.Asset(this, `Runtime-${platform.architecture}`, { path: bundle.dir, exclude: ['.complete'] });
        const node = nodeFile !== undefined ? new s3assets.Asset(this, `Node-${platform.architecture}`, { path: nodeFile }) : undefined;
        this.assets.push(runtime, ...(node ? [node] : []));
        perPlatform.push({ platform, runtime, bundle, node });
      }
    }

    const configuration: EdgeComponentConfiguration = {
      Host: host,
      Port: String(port),
      Workers: String(workers),
      IntraOpThreads: '1',
      MaxOldSpaceSizeMiB: String(heapMiB),
      LogLevel: logLevel,
      DrainTimeoutMs: String(drainSeconds * 1000),
      CapturePercent: '0',
      CaptureMaxBytes: String(CAPTURE_MAX_BYTES),
      CaptureMaxFiles: String(CAPTURE_MAX_FILES),
    };
    const manifests = (uri: (a: s3assets.Asset) => string): RecipeManifestInputs[] =>
      perPlatform.map((p) => {
        const artifacts: RecipeArtifact[] = [
          { uri: uri(p.runtime), unarchive: 'ZIP' },
          { uri: uri(modelAsset!), unarchive: 'ZIP' },
          ...(p.node ? [{ uri: uri(p.node), unarchive: 'NONE' as const, execute: true }] : []),
        ];
        return {
          platform: p.platform,
          runtimeFolder: p.runtime.assetHash,
          modelFolder: modelAsset!.assetHash,
          nodeBinary: p.node ? path.posix.basename(p.node.s3ObjectKey) : undefined,
          nodeCommand: nodeRuntime.deviceCommand,
          artifacts,
        };
      });
    const recipeInputs = {
      componentName: this.componentName,
      componentVersion: this.componentVersion,
      description: props.description ?? m.description ?? `ServingStack runtime serving ${m.name} ${m.version}`,
      publisher: props.publisher ?? 'ServingStack',
      configuration,
      drainSeconds,
    };
    // Content fingerprint: the recipe with each artifact named by its content hash.
    this.fingerprint = createHash('sha256').update(JSON.stringify(renderRecipe({ ...recipeInputs, manifests: manifests((a) => `asset:${a.assetHash}`) }))).digest('hex');
    this.versionLockFile = props.checkVersionLock ?? true ? path.resolve(props.versionLockFile ?? DEFAULT_VERSION_LOCK_FILE) : undefined;
    if (c.ok && this.versionLockFile) checkVersionLock(this.versionLockFile, this.componentName, this.componentVersion, this.fingerprint, c);
    for (const p of perPlatform) this.nodeCommands.set(p.platform.key, p.node ? `{${this.componentName}:artifacts:path}/${path.posix.basename(p.node.s3ObjectKey)}` : nodeRuntime.deviceCommand);
    c.throwIfAny();

    this.recipe = renderRecipe({ ...recipeInputs, manifests: manifests((a) => a.s3ObjectUrl) });
    this.resource = new CfnComponentVersion(this, 'Resource', { inlineRecipe: Stack.of(this).toJsonString(this.recipe) });
    this.resource.applyRemovalPolicy(props.removalPolicy ?? RemovalPolicy.RETAIN);
    this.componentArn = this.resource.attrArn;
  }

  /**
   * The Node command on `platform` as a recipe of a component depending on this one writes it:
   * the shipped binary through a cross-component variable, else the device's command.
   */
  public nodeCommandFor(platform: EdgePlatform): string {
    return this.nodeCommands.get(platform.key) ?? 'node';
  }

  /** ARNs of the artifact objects (runtime bundles, model, Node binaries) in the assets bucket. */
  public get artifactObjectArns(): string[] {
    return this.assets.map((a) => a.bucket.arnForObjects(a.s3ObjectKey));
  }

  /** Allow `grantee` (a token exchange role) to download exactly this component's artifacts: `s3:GetObject` on each object. */
  public grantArtifactRead(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['s3:GetObject'], resourceArns: this.artifactObjectArns });
  }
}
