/**
 * The Greengrass recipe of an edge model component (RecipeFormatVersion 2020-01-25), rendered as
 * plain data: one manifest per platform with its own artifacts (runtime bundle and model as ZIP
 * artifacts that Greengrass unpacks under `{artifacts:decompressedPath}/<file name minus .zip>`,
 * optionally a Node binary) and the install / run / shutdown lifecycle.
 *
 * Configuration values are strings (Greengrass stores JSON numbers as floats), read by the
 * lifecycle scripts through `{configuration:/Key}` and passed to the runtime as SERVINGSTACK_*
 * variables, quoted: a value never reaches the shell unquoted.
 */
import { RuntimeContract } from '../../lib/core/contract/container';
import type { RuntimeVariable } from '../../lib/core/contract/environment';
import type { EdgePlatform } from './edge-platform';
import { MINIMUM_NODE_MAJOR } from './node-runtime';

export const RECIPE_FORMAT_VERSION = '2020-01-25';
/** The run step records the runtime's process id here, in the component's work folder. */
export const PID_FILE = 'servingstack-runtime.pid';

/** Keys of `DefaultConfiguration` (all values strings). */
export interface EdgeComponentConfiguration {
  readonly Host: string;
  readonly Port: string;
  readonly Workers: string;
  readonly IntraOpThreads: string;
  readonly MaxOldSpaceSizeMiB: string;
  readonly LogLevel: string;
  readonly DrainTimeoutMs: string;
  /**
   * Data capture: the share of requests the runtime records (JSON Lines in `{work:path}/capture`,
   * rotated at `CaptureMaxBytes`, `CaptureMaxFiles` kept). `0` is off; fleet monitoring's
   * deployment sets it, and the telemetry component ships the rotated files to S3.
   */
  readonly CapturePercent: string;
  readonly CaptureMaxBytes: string;
  readonly CaptureMaxFiles: string;
}

/** Where the runtime writes capture files on the device, under the component's work folder. */
export const CAPTURE_FOLDER = 'capture';

export interface RecipeArtifact {
  readonly uri: string;
  readonly unarchive: 'ZIP' | 'NONE';
  readonly execute?: boolean;
}

export interface RecipeManifestInputs {
  readonly platform: EdgePlatform;
  /** Folder of the unpacked runtime bundle under `{artifacts:decompressedPath}`. */
  readonly runtimeFolder: string;
  /** Folder of the unpacked model package under `{artifacts:decompressedPath}`. */
  readonly modelFolder: string;
  /** File name of a shipped Node binary under `{artifacts:path}`. */
  readonly nodeBinary?: string;
  /** Device command when no binary is shipped. */
  readonly nodeCommand: string;
  readonly artifacts: readonly RecipeArtifact[];
}

export interface RecipeInputs {
  readonly componentName: string;
  readonly componentVersion: string;
  readonly description: string;
  readonly publisher: string;
  readonly configuration: EdgeComponentConfiguration;
  readonly manifests: readonly RecipeManifestInputs[];
  /** Seconds the shutdown step waits for the runtime to drain. */
  readonly drainSeconds: number;
}

/** Single-quote a literal for sh (recipe variables inside stay substitutable: `{…}` has no quote). */
const q = (s: string): string => `'${s.replace(/'/g, `'"'"'`)}'`;

function nodeOf(m: RecipeManifestInputs): string {
  return m.nodeBinary ? q(`{artifacts:path}/${m.nodeBinary}`) : q(m.nodeCommand);
}

export function installScript(m: RecipeManifestInputs): string {
  const runtime = `{artifacts:decompressedPath}/${m.runtimeFolder}`;
  const model = `{artifacts:decompressedPath}/${m.modelFolder}`;
  return [
    'set -eu',
    `node_bin=${nodeOf(m)}`,
    `machine=$(uname -m)`,
    `if [ "$machine" != ${q(m.platform.machine)} ]; then echo "servingstack: this component version was built for ${m.platform.machine} (${m.platform.key}); the device is $machine" >&2; exit 1; fi`,
    `if ! command -v "$node_bin" >/dev/null 2>&1; then echo "servingstack: Node.js >= ${MINIMUM_NODE_MAJOR}.9 is required on the device: '$node_bin' was not found (install it, or ship it with EdgeNodeRuntime.fromBinaries)" >&2; exit 1; fi`,
    `if ! "$node_bin" -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > ${MINIMUM_NODE_MAJOR} || (a === ${MINIMUM_NODE_MAJOR} && b >= 9) ? 0 : 1)'; then echo "servingstack: Node.js >= ${MINIMUM_NODE_MAJOR}.9 is required, the device has $("$node_bin" --version)" >&2; exit 1; fi`,
    `"$node_bin" -e 'require(process.argv[1])' ${q(`${runtime}/node_modules/onnxruntime-node`)}`,
    `test -f ${q(`${model}/servingstack.json`)}`,
  ].join('\n');
}

/** The runtime's environment on the device: each variable of the contract's catalogue, from the component configuration. */
export function runtimeEnvironment(m: RecipeManifestInputs): Readonly<Partial<Record<RuntimeVariable, string>>> {
  return {
    SERVINGSTACK_MODEL_DIR: `{artifacts:decompressedPath}/${m.modelFolder}`,
    SERVINGSTACK_HOST: '{configuration:/Host}',
    SERVINGSTACK_PORT: '{configuration:/Port}',
    SERVINGSTACK_WORKERS: '{configuration:/Workers}',
    SERVINGSTACK_INTRA_OP_THREADS: '{configuration:/IntraOpThreads}',
    SERVINGSTACK_LOG_LEVEL: '{configuration:/LogLevel}',
    // No load balancer routes to a device: nothing to wait for before draining.
    SERVINGSTACK_SHUTDOWN_GRACE_MS: String(EDGE_SHUTDOWN_GRACE_SECONDS * 1000),
    SERVINGSTACK_DRAIN_TIMEOUT_MS: '{configuration:/DrainTimeoutMs}',
    SERVINGSTACK_CAPTURE_DIR: `{work:path}/${CAPTURE_FOLDER}`,
    SERVINGSTACK_CAPTURE_PERCENT: '{configuration:/CapturePercent}',
    SERVINGSTACK_CAPTURE_MAX_BYTES: '{configuration:/CaptureMaxBytes}',
    SERVINGSTACK_CAPTURE_MAX_FILES: '{configuration:/CaptureMaxFiles}',
  };
}

export function runScript(m: RecipeManifestInputs): string {
  const env = ['NODE_ENV=production', ...Object.entries(runtimeEnvironment(m)).map(([k, v]) => `${k}=${q(v!)}`)];
  return [
    'set -eu',
    // exec keeps the shell's pid: the pid file names the Node process itself.
    `echo $$ > ${q(PID_FILE)}`,
    `exec env ${env.join(' ')} ${nodeOf(m)} --max-old-space-size=${q('{configuration:/MaxOldSpaceSizeMiB}')} ${q(`{artifacts:decompressedPath}/${m.runtimeFolder}/serve.js`)} serve`,
  ].join('\n');
}

/**
 * The runtime on a device skips the shutdown grace period: no load balancer routes to it, so there
 * is nothing to stop routing before in-flight requests drain (`SERVINGSTACK_SHUTDOWN_GRACE_MS=0`).
 */
export const EDGE_SHUTDOWN_GRACE_SECONDS = 0;
/** Seconds the shutdown step may take in itself beyond the runtime's exit (signal, poll, cleanup). */
const SHUTDOWN_STEP_MARGIN_SECONDS = 3;

/** Seconds the shutdown step waits for the runtime to exit: drain + the contract's exit time (no grace). */
export function shutdownWaitSeconds(drainSeconds: number): number {
  return RuntimeContract.shutdownSeconds(EDGE_SHUTDOWN_GRACE_SECONDS, drainSeconds);
}

/** The Greengrass timeout of the shutdown step: the wait plus its own margin. */
export function shutdownTimeoutSeconds(drainSeconds: number): number {
  return shutdownWaitSeconds(drainSeconds) + SHUTDOWN_STEP_MARGIN_SECONDS;
}

/** SIGTERM the runtime (it stops taking requests, drains in-flight ones), wait for it to exit, then kill it. */
export function shutdownScript(drainSeconds: number): string {
  return [
    `pid_file=${q(PID_FILE)}`,
    '[ -f "$pid_file" ] || exit 0',
    'pid=$(cat "$pid_file")',
    'kill -TERM "$pid" 2>/dev/null || { rm -f "$pid_file"; exit 0; }',
    'i=0',
    `while kill -0 "$pid" 2>/dev/null && [ "$i" -lt ${shutdownWaitSeconds(drainSeconds)} ]; do sleep 1; i=$((i + 1)); done`,
    'kill -KILL "$pid" 2>/dev/null || true',
    'rm -f "$pid_file"',
  ].join('\n');
}

export function renderRecipe(r: RecipeInputs): Record<string, unknown> {
  return {
    RecipeFormatVersion: RECIPE_FORMAT_VERSION,
    ComponentName: r.componentName,
    ComponentVersion: r.componentVersion,
    ComponentDescription: r.description,
    ComponentPublisher: r.publisher,
    ComponentConfiguration: { DefaultConfiguration: r.configuration },
    Manifests: r.manifests.map((m) => ({
      Name: `${m.platform.os}-${m.platform.architecture}`,
      Platform: { os: m.platform.os, architecture: m.platform.architecture },
      Lifecycle: {
        Install: { Script: installScript(m), Timeout: 120 },
        Run: { Script: runScript(m) },
        Shutdown: { Script: shutdownScript(r.drainSeconds), Timeout: shutdownTimeoutSeconds(r.drainSeconds) },
      },
      Artifacts: m.artifacts.map((a) => ({
        URI: a.uri,
        Unarchive: a.unarchive,
        Permission: { Read: 'OWNER', Execute: a.execute ? 'OWNER' : 'NONE' },
      })),
    })),
  };
}
