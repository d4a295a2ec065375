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
import type { EdgePlatform } from './edge-platform';
import { MINIMUM_NODE_MAJOR } from './node-runtime';

export const RECIPE_FORMAT_VERSION = '2020-01-25';
/** The run step records the runtime's process id here, in the component's work folder. */
export const PID_FILE = 'servingstack-runtime.pid';

/** Keys of `DefaultConfiguration` (all values strings). `Monitoring` is reserved for fleet monitoring. */
export interface EdgeComponentConfiguration {
  readonly Host: string;
  readonly Port: string;
  readonly Workers: string;
  readonly IntraOpThreads: string;
  readonly MaxOldSpaceSizeMiB: string;
  readonly LogLevel: string;
  readonly DrainTimeoutMs: string;
  /**
   * Reserved for edge monitoring (publishing metrics and drift verdicts over Greengrass IPC):
   * present with monitoring off so deployments can already merge these keys.
   */
  readonly Monitoring: {
    readonly Enabled: string;
    readonly Topic: string;
    readonly PublishIntervalSeconds: string;
    readonly SampleUploadPercent: string;
  };
}

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

export function runScript(m: RecipeManifestInputs): string {
  const env = [
    'NODE_ENV=production',
    `SERVINGSTACK_MODEL_DIR=${q(`{artifacts:decompressedPath}/${m.modelFolder}`)}`,
    `SERVINGSTACK_HOST=${q('{configuration:/Host}')}`,
    `SERVINGSTACK_PORT=${q('{configuration:/Port}')}`,
    `SERVINGSTACK_WORKERS=${q('{configuration:/Workers}')}`,
    `SERVINGSTACK_INTRA_OP_THREADS=${q('{configuration:/IntraOpThreads}')}`,
    `SERVINGSTACK_LOG_LEVEL=${q('{configuration:/LogLevel}')}`,
    `SERVINGSTACK_DRAIN_TIMEOUT_MS=${q('{configuration:/DrainTimeoutMs}')}`,
  ];
  return [
    'set -eu',
    // exec keeps the shell's pid: the pid file names the Node process itself.
    `echo $$ > ${q(PID_FILE)}`,
    `exec env ${env.join(' ')} ${nodeOf(m)} --max-old-space-size=${q('{configuration:/MaxOldSpaceSizeMiB}')} ${q(`{artifacts:decompressedPath}/${m.runtimeFolder}/serve.js`)} serve`,
  ].join('\n');
}

/** SIGTERM the runtime (it stops taking requests, drains in-flight ones) and wait for it to exit. */
export function shutdownScript(drainSeconds: number): string {
  return [
    `pid_file=${q(PID_FILE)}`,
    '[ -f "$pid_file" ] || exit 0',
    'pid=$(cat "$pid_file")',
    'kill -TERM "$pid" 2>/dev/null || { rm -f "$pid_file"; exit 0; }',
    'i=0',
    `while kill -0 "$pid" 2>/dev/null && [ "$i" -lt ${drainSeconds + 2} ]; do sleep 1; i=$((i + 1)); done`,
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
        Shutdown: { Script: shutdownScript(r.drainSeconds), Timeout: r.drainSeconds + 5 },
      },
      Artifacts: m.artifacts.map((a) => ({
        URI: a.uri,
        Unarchive: a.unarchive,
        Permission: { Read: 'OWNER', Execute: a.execute ? 'OWNER' : 'NONE' },
      })),
    })),
  };
}
