/**
 * The pod of a serving track: the serving container (the runtime's environment typed from the
 * catalogue in lib/core, probes, grouped resources), model delivery (an init container syncing
 * an S3 prefix, or a PersistentVolumeClaim mounted read-only), writable scratch directories and
 * the auth Secret, in a PodTemplate.
 */
import { RuntimeContract } from '../../../lib/core/contract/container';
import { renderRuntimeEnvironment } from '../../../lib/core/contract/environment';
import type { ModelServerProps } from '../model-server-options';
import { Cpu, Duration, Size } from '../quantities';
import type { Scheduling } from '../scheduling';
import { AUTH_MOUNT_PATH, BoundAuth } from '../serving-auth';
import type { ServingContainerConfig } from '../serving-container';
import { SCRAPE_ANNOTATIONS } from './labels';
import { ContainerSpec, PodTemplate, ResolvedResources, Volume, VolumeMount } from './pod-template';

/** Where the model directory is mounted in every serving container. */
export const MODEL_MOUNT_PATH = '/models';
/** Default fetcher image: AWS CLI v2 (`aws s3 sync`), works against any S3-compatible store. */
export const DEFAULT_FETCHER_IMAGE = 'amazon/aws-cli:2.17.0';

export interface ServingPodProps {
  readonly props: ModelServerProps;
  readonly container: ServingContainerConfig;
  readonly resources: ResolvedResources;
  readonly modelVolumeSize: Size;
  readonly drain: Duration;
  readonly grace: Duration;
  readonly startupTimeout: Duration;
  readonly labels: Readonly<Record<string, string>>;
  readonly selectorLabels: Readonly<Record<string, string>>;
  readonly scheduling: Scheduling;
  readonly validateScheduling: () => void;
  readonly auth?: BoundAuth;
}

export function servingPodTemplate(p: ServingPodProps): PodTemplate {
  const { props, auth } = p;
  const c = p.container;
  const modelCfg = props.model._config();
  const template = new PodTemplate({
    labels: p.labels,
    annotations: { [SCRAPE_ANNOTATIONS.scrape]: 'true', [SCRAPE_ANNOTATIONS.port]: String(c.metricsPort), [SCRAPE_ANNOTATIONS.path]: c.metricsPath },
    selectorLabels: p.selectorLabels,
    userId: c.runAsUser,
    terminationGracePeriod: p.grace,
    scheduling: p.scheduling,
    validateScheduling: p.validateScheduling,
    priorityClassName: props.priorityClassName,
    imagePullSecrets: props.imagePullSecrets,
  });
  template.addVolume(modelCfg.kind === 'pvc' ? Volume.persistentVolumeClaim('model', modelCfg.claimName!, true) : Volume.emptyDir('model', p.modelVolumeSize));
  const writable = c.writablePaths.map((path, i) => ({ volume: `writable-${i}`, path }));
  for (const w of writable) template.addVolume(Volume.emptyDir(w.volume, Size.gibibytes(1)));
  const mounts: VolumeMount[] = [{ volume: 'model', path: MODEL_MOUNT_PATH, readOnly: true, subPath: modelCfg.kind === 'pvc' ? modelCfg.subPath : undefined }, ...writable];
  if (modelCfg.kind === 's3') {
    template.addInitContainer({
      name: 'fetch-model',
      image: props.fetcherImage ?? DEFAULT_FETCHER_IMAGE,
      command: ['sh', '-c', fetchScript(c.kind === 'runtime')],
      env: [
        { name: 'MODEL_URI', value: modelCfg.uri },
        { name: 'AWS_REGION', value: modelCfg.region ?? 'us-east-1' },
        { name: 'HOME', value: '/tmp' },
        ...(modelCfg.endpoint ? [{ name: 'AWS_ENDPOINT_URL', value: modelCfg.endpoint }] : []),
      ],
      envFromSecrets: modelCfg.credentialsSecretName ? [modelCfg.credentialsSecretName] : undefined,
      resources: { cpu: { request: Cpu.millis(250), limit: Cpu.millis(1000) }, memory: { request: Size.mebibytes(256), limit: Size.mebibytes(512) } },
      mounts: [{ volume: 'model', path: MODEL_MOUNT_PATH }, { volume: 'fetch-tmp', path: '/tmp' }],
    });
    template.addVolume(Volume.emptyDir('fetch-tmp', Size.mebibytes(256)));
  }
  if (auth) {
    template.addVolume(Volume.secret('auth', auth.secretName));
    mounts.push({ volume: 'auth', path: AUTH_MOUNT_PATH, readOnly: true });
  }
  const env = c.kind !== 'runtime'
    ? { ...c.environment }
    : renderRuntimeEnvironment({
        SERVINGSTACK_MODEL_DIR: MODEL_MOUNT_PATH,
        SERVINGSTACK_PORT: c.port,
        SERVINGSTACK_WORKERS: c.runtime?.workers ?? Math.max(1, Math.floor(p.resources.cpu.limit.amountInMillis / 1000)),
        SERVINGSTACK_EXECUTION_PROVIDERS: c.runtime?.executionProviders ?? (props.accelerator?.isNvidia ? 'cuda,cpu' : 'cpu'),
        SERVINGSTACK_SHUTDOWN_GRACE_MS: RuntimeContract.SHUTDOWN_GRACE_SECONDS * 1000,
        SERVINGSTACK_DRAIN_TIMEOUT_MS: p.drain.toMilliseconds(),
        SERVINGSTACK_AUTH_TOKEN_FILE: auth ? `${AUTH_MOUNT_PATH}/${auth.inferenceTokenKey}` : undefined,
        SERVINGSTACK_ADMIN_TOKEN_FILE: auth ? `${AUTH_MOUNT_PATH}/${auth.adminTokenKey}` : undefined,
      }, c.environment);
  const probe = (path: string, seconds: number, failureThreshold: number) => ({ path, period: Duration.seconds(seconds), failureThreshold });
  const server: ContainerSpec = {
    name: 'server',
    image: c.image,
    imagePullPolicy: 'IfNotPresent',
    command: c.command,
    args: c.args,
    ports: [{ name: 'http', containerPort: c.port }, ...(c.metricsPort !== c.port ? [{ name: 'metrics', containerPort: c.metricsPort }] : [])],
    env: Object.entries(env).sort(([a], [b]) => a.localeCompare(b)).map(([name, value]) => ({ name, value })),
    resources: p.resources,
    probePort: c.port,
    probes: {
      startup: probe(c.livenessPath, 5, Math.ceil(p.startupTimeout.toSeconds() / 5)),
      liveness: probe(c.livenessPath, 10, 3),
      readiness: probe(c.readinessPath, 5, 3),
    },
    mounts,
  };
  template.addContainer(server);
  return template;
}

/** The init container's script: sync the prefix, then check the package is complete. */
function fetchScript(checkManifest: boolean): string {
  const lines = ['set -eu', `aws s3 sync "$MODEL_URI" ${MODEL_MOUNT_PATH} --only-show-errors --no-progress`];
  if (checkManifest) {
    lines.push(`if [ ! -f ${MODEL_MOUNT_PATH}/servingstack.json ]; then echo "model package incomplete: $MODEL_URI has no servingstack.json" >&2; exit 1; fi`);
  }
  return lines.join('\n');
}
