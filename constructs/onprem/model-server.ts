/**
 * One serving track on a GPU (or CPU) pool: Deployment (init-container model delivery, probes,
 * restricted security context, GPU limits, scheduling), Service, PodDisruptionBudget,
 * NetworkPolicy, optional HorizontalPodAutoscaler and Ingress.
 */
import { Construct } from 'constructs';
import { DeploymentV1, HorizontalPodAutoscalerV2, IngressV1, Lazy, NetworkPolicyV1, PodDisruptionBudgetV1, ServiceV1 } from './private/binding';
import { RUNTIME_METRICS } from '../../lib/core/metrics-catalog';
import { Accelerator, EXTENDED_RESOURCE_NAME, MAX_ACCELERATORS_PER_POD } from './accelerator';
import { ModelSource } from './model-source';
import { Checker, ONPREM_ERRORS, defaultName } from './private/checker';
import { Cpu, Size, isWholePositive } from './quantities';
import { Scheduling, Taint } from './scheduling';
import { ServingContainer } from './serving-container';
import { ServingNamespace } from './serving-namespace';
import { OnPremServingStack } from './onprem-serving-stack';

/** Where the model directory is mounted in every serving container. */
export const MODEL_MOUNT_PATH = '/models';

/** Pod annotations the Prometheus scrape job keys on (see ServingMonitoring). */
export const SCRAPE_ANNOTATIONS = {
  scrape: 'servingstack.io/scrape',
  port: 'servingstack.io/port',
  path: 'servingstack.io/path',
} as const;

/** Pod labels shared by every ServingStack track. */
export const POD_LABELS = {
  app: 'servingstack.io/app',
  track: 'servingstack.io/track',
  modelVersion: 'servingstack.io/model-version',
} as const;

/** Default fetcher image: AWS CLI v2 (`aws s3 sync`), works against any S3-compatible store. */
export const DEFAULT_FETCHER_IMAGE = 'amazon/aws-cli:2.17.0';

/** Ingress settings. */
export interface IngressOptions {
  /** Host name the Ingress answers, e.g. `fraud.ml.example.internal`. */
  readonly host: string;
  /**
   * Secret (type `kubernetes.io/tls`) holding the certificate for `host`; TLS is always on.
   * @default - `<server name>-tls`
   */
  readonly tlsSecretName?: string;
  /**
   * IngressClass. Canary weighting uses ingress-nginx annotations.
   * @default 'nginx'
   */
  readonly className?: string;
  /**
   * Namespace of the ingress controller pods (the NetworkPolicy admits it).
   * @default 'ingress-nginx'
   */
  readonly controllerNamespace?: string;
  /**
   * Extra annotations (e.g. `cert-manager.io/cluster-issuer`, body-size limits).
   * @default - none
   */
  readonly annotations?: { [key: string]: string };
}

/**
 * HorizontalPodAutoscaler settings (autoscaling/v2). For the ServingStack runtime the HPA also
 * scales on its in-flight and queue gauges, served on `custom.metrics.k8s.io` by a
 * `PrometheusAdapter` (or another provider of those metric names): without one the HPA reports
 * the custom metrics as unavailable; it still scales up on CPU but never scales down.
 */
export interface AutoscalingOptions {
  /**
   * Fewest replicas (HPA cannot scale to zero).
   * @default 2
   */
  readonly minReplicas?: number;
  /**
   * Most replicas.
   * @default 10
   */
  readonly maxReplicas?: number;
  /**
   * Target average CPU utilisation of the requests, percent.
   * @default 70
   */
  readonly targetCpuUtilizationPercent?: number;
  /**
   * Target average `servingstack_inflight_requests` per pod (custom metric served by
   * prometheus-adapter; ServingStack runtime only).
   * @default 8
   */
  readonly targetInflightRequestsPerPod?: number;
  /**
   * Target average `servingstack_queue_depth` per pod (custom metric served by
   * prometheus-adapter; ServingStack runtime only).
   * @default 4
   */
  readonly targetQueueDepthPerPod?: number;
  /**
   * Seconds of lower recommendations before scaling down.
   * @default 300
   */
  readonly scaleDownStabilizationSeconds?: number;
}

/** Everything about a serving track except which model it serves. */
export interface ServerOptions {
  /** The serving container (runtime or custom image). */
  readonly container: ServingContainer;
  /**
   * Accelerators per pod, in `limits`.
   * @default - none (CPU serving)
   */
  readonly accelerator?: Accelerator;
  /**
   * CPU request.
   * @default Cpu.millis(1000)
   */
  readonly cpuRequest?: Cpu;
  /**
   * CPU limit.
   * @default Cpu.millis(2000)
   */
  readonly cpuLimit?: Cpu;
  /**
   * Memory request.
   * @default Size.gibibytes(2)
   */
  readonly memoryRequest?: Size;
  /**
   * Memory limit.
   * @default Size.gibibytes(4)
   */
  readonly memoryLimit?: Size;
  /**
   * Size limit of the `emptyDir` the model is fetched into (S3 sources).
   * @default Size.gibibytes(10)
   */
  readonly modelVolumeSize?: Size;
  /**
   * Fixed replica count, when `autoscaling` is not set.
   * @default 2
   */
  readonly replicas?: number;
  /**
   * HPA on CPU and on the runtime's in-flight and queue metrics.
   * @default - fixed `replicas`
   */
  readonly autoscaling?: AutoscalingOptions;
  /**
   * Seconds Kubernetes waits after SIGTERM before killing; must exceed the runtime's drain
   * timeout by at least 5 s.
   * @default 30
   */
  readonly terminationGracePeriodSeconds?: number;
  /**
   * Longest a pod may take from start to live (model download, load and warm-up).
   * @default 600
   */
  readonly startupTimeoutSeconds?: number;
  /**
   * Pods that may be voluntarily evicted at once (PodDisruptionBudget `maxUnavailable`).
   * @default 1
   */
  readonly maxUnavailable?: number;
  /**
   * Node labels the pods must match (`nodeSelector`); more with `scheduling.attract()`.
   * @default - `{'nvidia.com/gpu.present': 'true'}` with an NVIDIA accelerator (label set by the GPU Operator's feature discovery), else none
   */
  readonly nodeSelector?: { [key: string]: string };
  /**
   * Taints to tolerate; more with `scheduling.tolerate()`.
   * @default - `nvidia.com/gpu` (Exists, NoSchedule) with an NVIDIA accelerator, else none
   */
  readonly tolerations?: Taint[];
  /**
   * Namespace of the Prometheus that scrapes the pods (the NetworkPolicy admits it).
   * @default 'monitoring'
   */
  readonly monitoringNamespace?: string;
  /**
   * Further namespaces whose pods may call the service in-cluster.
   * @default - none (only the ingress controller and the scraper)
   */
  readonly allowFromNamespaces?: string[];
  /**
   * Image of the init container that fetches S3 models (needs `sh` and `aws`).
   * @default 'amazon/aws-cli:2.17.0'
   */
  readonly fetcherImage?: string;
  /**
   * Image pull secrets (private registries).
   * @default - none
   */
  readonly imagePullSecrets?: string[];
  /**
   * PriorityClass of the pods.
   * @default - the cluster default
   */
  readonly priorityClassName?: string;
}

export interface ModelServerProps extends ServerOptions {
  /** Namespace to run in. */
  readonly namespace: ServingNamespace;
  /** The model package to serve. */
  readonly model: ModelSource;
  /**
   * Model version, as a pod label and in dashboards.
   * @default 'unversioned'
   */
  readonly modelVersion?: string;
  /**
   * Object name (Deployment, Service…).
   * @default - from the construct id, kebab-cased
   */
  readonly name?: string;
  /**
   * Application name shared by all tracks of one service (stable and canary), used by dashboards.
   * @default - `name`
   */
  readonly appName?: string;
  /**
   * Track label (`stable`, `canary`).
   * @default 'stable'
   */
  readonly track?: string;
  /**
   * Ingress exposing the service over TLS.
   * @default - no Ingress
   */
  readonly ingress?: IngressOptions;
}

type HpaMetric = Extract<NonNullable<ConstructorParameters<typeof HorizontalPodAutoscalerV2>[2]['spec']['metric']>, unknown[]>[number];

const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
const HOST = /^(\*\.)?([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)*[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export class ModelServer extends Construct {
  public readonly name: string;
  public readonly namespaceName: string;
  public readonly appName: string;
  public readonly track: string;
  /** Labels selecting this track's pods. */
  public readonly selectorLabels: { [key: string]: string };
  /** Scheduling intents; calls after construction are honoured. */
  public readonly scheduling = new Scheduling();
  public readonly deployment: DeploymentV1;
  public readonly service: ServiceV1;
  public readonly podDisruptionBudget: PodDisruptionBudgetV1;
  public readonly networkPolicy: NetworkPolicyV1;
  public readonly autoscaler?: HorizontalPodAutoscalerV2;
  /** Port the Service exposes. */
  public readonly servicePort = 80;
  private readonly ingresses: IngressV1[] = [];
  private readonly ingressControllerNamespaces: string[] = [];
  private readonly stack: OnPremServingStack;

  constructor(scope: Construct, id: string, props: ModelServerProps) {
    super(scope, id);
    this.stack = OnPremServingStack.of(this);
    const c = props.container._config();
    const checker = new Checker(this, ONPREM_ERRORS.SERVER, 'ModelServer');
    this.name = props.name ?? defaultName(id);
    this.namespaceName = props.namespace.name;
    this.appName = props.appName ?? this.name;
    this.track = props.track ?? 'stable';
    const modelVersion = props.modelVersion ?? 'unversioned';

    // ---- validation (collect, then throw once) ----
    checker.dnsLabel('name', this.name);
    checker.dnsLabel('appName', this.appName);
    checker.dnsLabel('track', this.track);
    checker.check(LABEL_VALUE.test(modelVersion) && modelVersion !== '', { field: 'modelVersion', message: 'is not a valid Kubernetes label value', received: modelVersion, allowed: 'letters, digits, -, _ and ., 1–63 characters, starting and ending with a letter or digit' });
    for (const issue of props.model._issues('model')) checker.add(issue);
    checker.check(c.image.trim() !== '' && !/\s/.test(c.image), { field: 'container.image', message: 'is not an image reference', received: c.image, allowed: 'registry/repository[:tag][@digest]' });
    checker.intRange('container.port', c.port, 1, 65535);
    checker.intRange('container.metricsPort', c.metricsPort, 1, 65535);
    for (const [field, p] of [['container.livenessPath', c.livenessPath], ['container.readinessPath', c.readinessPath], ['container.metricsPath', c.metricsPath]] as const) {
      checker.check(p.startsWith('/'), { field, message: 'is not an absolute URL path', received: p, allowed: 'a path starting with /' });
    }
    checker.intRange('container.runAsUser', c.runAsUser, 1, 2147483647);
    c.writablePaths.forEach((p, i) => checker.check(p.startsWith('/') && p !== '/' && p !== MODEL_MOUNT_PATH, { field: `container.writablePaths[${i}]`, message: 'is not a writable directory path', received: p, allowed: `an absolute path other than / and ${MODEL_MOUNT_PATH}` }));

    const cpuRequest = props.cpuRequest ?? Cpu.millis(1000);
    const cpuLimit = props.cpuLimit ?? Cpu.millis(2000);
    const memoryRequest = props.memoryRequest ?? Size.gibibytes(2);
    const memoryLimit = props.memoryLimit ?? Size.gibibytes(4);
    const modelVolumeSize = props.modelVolumeSize ?? Size.gibibytes(10);
    for (const [field, q] of [['cpuRequest', cpuRequest.amountInMillis], ['cpuLimit', cpuLimit.amountInMillis]] as const) {
      checker.check(isWholePositive(q), { field, message: 'is not a whole, positive number of millicores', received: `${q}m`, allowed: 'Cpu.millis(n) with a whole n ≥ 1, or Cpu.units(x) that is a whole number of millicores' });
    }
    for (const [field, q] of [['memoryRequest', memoryRequest.amountInMebibytes], ['memoryLimit', memoryLimit.amountInMebibytes], ['modelVolumeSize', modelVolumeSize.amountInMebibytes]] as const) {
      checker.check(isWholePositive(q), { field, message: 'is not a whole, positive number of MiB', received: `${q}Mi`, allowed: 'Size.mebibytes(n) or Size.gibibytes(n) giving a whole number of MiB ≥ 1' });
    }
    checker.check(cpuRequest.amountInMillis <= cpuLimit.amountInMillis, { field: 'cpuRequest', message: 'is above cpuLimit', received: `${cpuRequest.toKubernetes()} > ${cpuLimit.toKubernetes()}`, allowed: `at most cpuLimit (${cpuLimit.toKubernetes()})` });
    checker.check(memoryRequest.amountInMebibytes <= memoryLimit.amountInMebibytes, { field: 'memoryRequest', message: 'is above memoryLimit', received: `${memoryRequest.toKubernetes()} > ${memoryLimit.toKubernetes()}`, allowed: `at most memoryLimit (${memoryLimit.toKubernetes()})` });

    const acc = props.accelerator;
    if (acc) {
      checker.check(EXTENDED_RESOURCE_NAME.test(acc.resourceName), { field: 'accelerator.resourceName', message: 'is not an extended resource name', received: acc.resourceName, allowed: '<vendor-domain>/<resource>, e.g. nvidia.com/gpu or nvidia.com/mig-1g.10gb' });
      checker.check(Number.isInteger(acc.count) && acc.count >= 1 && acc.count <= MAX_ACCELERATORS_PER_POD, {
        field: 'accelerator.count',
        message: Number.isInteger(acc.count) ? 'is out of range' : 'is not a whole number (GPUs cannot be requested fractionally; share GPUs with GpuSharing.timeSlicing() or MIG instead)',
        received: acc.count,
        allowed: `a whole number from 1 to ${MAX_ACCELERATORS_PER_POD}`,
      });
    }

    const rt = c.runtime;
    const drainSeconds = rt?.drainTimeoutSeconds ?? 25;
    const grace = props.terminationGracePeriodSeconds ?? 30;
    const startupTimeout = props.startupTimeoutSeconds ?? 600;
    checker.intRange('terminationGracePeriodSeconds', grace, 1, 3600, 's');
    checker.intRange('startupTimeoutSeconds', startupTimeout, 10, 7200, 's');
    if (c.kind === 'runtime') {
      checker.intRange('container.drainTimeoutSeconds', drainSeconds, 1, 3600, 's');
      checker.check(grace >= drainSeconds + 5, { field: 'terminationGracePeriodSeconds', message: 'leaves the runtime no time to drain in-flight requests', received: grace, allowed: `at least drainTimeoutSeconds + 5 = ${drainSeconds + 5}` });
      checker.intRange('container.workers', rt?.workers, 1, 256);
      if (rt?.executionProviders !== undefined) {
        const known = ['cpu', 'cuda', 'tensorrt'];
        const bad = rt.executionProviders.split(',').map((s) => s.trim()).filter((s) => !known.includes(s));
        checker.check(bad.length === 0, { field: 'container.executionProviders', message: `names unknown providers (${bad.join(', ')})`, received: rt.executionProviders, allowed: 'a comma-separated list of cuda, tensorrt, cpu' });
      }
    }
    const autoscaling = props.autoscaling;
    const replicas = props.replicas ?? 2;
    const minReplicas = autoscaling?.minReplicas ?? 2;
    const maxReplicas = autoscaling?.maxReplicas ?? 10;
    if (autoscaling) {
      checker.check(props.replicas === undefined, { field: 'replicas', message: 'is set together with autoscaling; the HPA owns the replica count', received: props.replicas, allowed: 'leave replicas unset and use autoscaling.minReplicas' });
      if (checker.intRange('autoscaling.minReplicas', minReplicas, 1, 100) && checker.intRange('autoscaling.maxReplicas', maxReplicas, 1, 1000)) {
        checker.check(maxReplicas >= minReplicas, { field: 'autoscaling.maxReplicas', message: 'is below minReplicas', received: maxReplicas, allowed: `at least minReplicas (${minReplicas})` });
      }
      checker.intRange('autoscaling.targetCpuUtilizationPercent', autoscaling.targetCpuUtilizationPercent, 1, 100, '%');
      checker.intRange('autoscaling.targetInflightRequestsPerPod', autoscaling.targetInflightRequestsPerPod, 1, 10000);
      checker.intRange('autoscaling.targetQueueDepthPerPod', autoscaling.targetQueueDepthPerPod, 1, 100000);
      checker.intRange('autoscaling.scaleDownStabilizationSeconds', autoscaling.scaleDownStabilizationSeconds, 0, 3600, 's');
      if (c.kind !== 'runtime') {
        checker.check(autoscaling.targetInflightRequestsPerPod === undefined && autoscaling.targetQueueDepthPerPod === undefined, { field: 'autoscaling', message: 'asks for runtime queue/in-flight metrics, which a custom container does not export', received: 'targetInflightRequestsPerPod/targetQueueDepthPerPod', allowed: 'targetCpuUtilizationPercent only, for custom containers' });
      }
    } else {
      checker.intRange('replicas', replicas, 1, 1000);
    }
    const maxUnavailable = props.maxUnavailable ?? 1;
    checker.intRange('maxUnavailable', maxUnavailable, 1, 1000);
    const monitoringNamespace = props.monitoringNamespace ?? 'monitoring';
    checker.dnsLabel('monitoringNamespace', monitoringNamespace);
    (props.allowFromNamespaces ?? []).forEach((n, i) => checker.dnsLabel(`allowFromNamespaces[${i}]`, n));
    (props.imagePullSecrets ?? []).forEach((n, i) => checker.dnsLabel(`imagePullSecrets[${i}]`, n));
    if (props.ingress) this.checkIngress(checker, 'ingress', props.ingress);
    const modelCfg = props.model._config();
    if (modelCfg.credentialsSecretName !== undefined) checker.dnsLabel('model.credentialsSecretName', modelCfg.credentialsSecretName);
    checker.throwIfAny();

    // ---- rendering ----
    const gpu = acc?.isNvidia === true;
    const nodeSelector = props.nodeSelector ?? (gpu ? { 'nvidia.com/gpu.present': 'true' } : {});
    for (const [k, v] of Object.entries(nodeSelector)) this.scheduling.attract(k, v);
    for (const t of props.tolerations ?? (gpu ? [Taint.exists('nvidia.com/gpu')] : [])) this.scheduling.tolerate(t);
    this.scheduling.spread('kubernetes.io/hostname', 1, false);

    this.selectorLabels = { 'app.kubernetes.io/name': this.name, [POD_LABELS.track]: this.track };
    const podLabels = {
      ...this.selectorLabels,
      'app.kubernetes.io/part-of': 'servingstack',
      [POD_LABELS.app]: this.appName,
      [POD_LABELS.modelVersion]: modelVersion,
    };
    const provider = this.stack.kubernetesProvider;
    const metadata = { name: this.name, namespace: this.namespaceName, labels: { ...podLabels } };

    const env: { [k: string]: string } = { ...c.environment };
    if (c.kind === 'runtime') {
      Object.assign(env, {
        SERVINGSTACK_MODEL_DIR: MODEL_MOUNT_PATH,
        SERVINGSTACK_PORT: String(c.port),
        SERVINGSTACK_WORKERS: String(rt?.workers ?? Math.max(1, Math.floor(cpuLimit.amountInMillis / 1000))),
        SERVINGSTACK_EXECUTION_PROVIDERS: rt?.executionProviders ?? (gpu ? 'cuda,cpu' : 'cpu'),
        SERVINGSTACK_DRAIN_TIMEOUT_MS: String(drainSeconds * 1000),
      });
    }
    const containerSecurity = {
      runAsNonRoot: true,
      runAsUser: String(c.runAsUser),
      runAsGroup: String(c.runAsUser),
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    };
    const writableVolumes = c.writablePaths.map((p, i) => ({ name: `writable-${i}`, path: p }));
    const volumes: { name: string; emptyDir?: { sizeLimit: string }; persistentVolumeClaim?: { claimName: string; readOnly: boolean } }[] = [
      modelCfg.kind === 'pvc'
        ? { name: 'model', persistentVolumeClaim: { claimName: modelCfg.claimName!, readOnly: true } }
        : { name: 'model', emptyDir: { sizeLimit: modelVolumeSize.toKubernetes() } },
      ...writableVolumes.map((w) => ({ name: w.name, emptyDir: { sizeLimit: '1Gi' } })),
    ];
    const modelMount = { name: 'model', mountPath: MODEL_MOUNT_PATH, readOnly: true, ...(modelCfg.kind === 'pvc' && modelCfg.subPath ? { subPath: modelCfg.subPath } : {}) };

    const initContainers =
      modelCfg.kind === 's3'
        ? [
            {
              name: 'fetch-model',
              image: props.fetcherImage ?? DEFAULT_FETCHER_IMAGE,
              command: ['sh', '-c', fetchScript(c.kind === 'runtime')],
              env: [
                { name: 'MODEL_URI', value: modelCfg.uri },
                { name: 'AWS_REGION', value: modelCfg.region ?? 'us-east-1' },
                { name: 'HOME', value: '/tmp' },
                ...(modelCfg.endpoint ? [{ name: 'AWS_ENDPOINT_URL', value: modelCfg.endpoint }] : []),
              ],
              envFrom: modelCfg.credentialsSecretName ? [{ secretRef: { name: modelCfg.credentialsSecretName } }] : undefined,
              resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1000m', memory: '512Mi' } },
              securityContext: containerSecurity,
              volumeMount: [
                { name: 'model', mountPath: MODEL_MOUNT_PATH },
                { name: 'fetch-tmp', mountPath: '/tmp' },
              ],
            },
          ]
        : [];
    if (modelCfg.kind === 's3') volumes.push({ name: 'fetch-tmp', emptyDir: { sizeLimit: '256Mi' } });

    const limits: { [k: string]: string } = { cpu: cpuLimit.toKubernetes(), memory: memoryLimit.toKubernetes() };
    if (acc) limits[acc.resourceName] = String(acc.count);
    const ports = [{ name: 'http', containerPort: c.port, protocol: 'TCP' }];
    if (c.metricsPort !== c.port) ports.push({ name: 'metrics', containerPort: c.metricsPort, protocol: 'TCP' });
    const httpProbe = (path: string, period: number, failure: number) => ({
      httpGet: { path, port: String(c.port) },
      periodSeconds: period,
      timeoutSeconds: 2,
      failureThreshold: failure,
    });

    // Scheduling is rendered lazily (intents may be added after construction) and validated then.
    const scheduling = (): ReturnType<Scheduling['_config']> => {
      const late = new Checker(this, ONPREM_ERRORS.SERVER, 'ModelServer');
      for (const issue of this.scheduling._issues()) late.add(issue);
      late.throwIfAny();
      return this.scheduling._config();
    };
    this.deployment = new DeploymentV1(this, 'Resource', {
      provider,
      dependsOn: [props.namespace.resource],
      metadata,
      waitForRollout: true,
      spec: {
        replicas: autoscaling ? undefined : String(replicas),
        revisionHistoryLimit: 5,
        minReadySeconds: 10,
        progressDeadlineSeconds: startupTimeout + 300,
        selector: { matchLabels: this.selectorLabels },
        // Old pods keep serving until a new one is Ready (maxUnavailable 0).
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '1', maxUnavailable: '0' } },
        template: {
          metadata: {
            labels: podLabels,
            annotations: {
              [SCRAPE_ANNOTATIONS.scrape]: 'true',
              [SCRAPE_ANNOTATIONS.port]: String(c.metricsPort),
              [SCRAPE_ANNOTATIONS.path]: c.metricsPath,
            },
          },
          spec: {
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            terminationGracePeriodSeconds: grace,
            priorityClassName: props.priorityClassName,
            imagePullSecrets: props.imagePullSecrets?.map((name) => ({ name })),
            securityContext: {
              runAsNonRoot: true,
              runAsUser: String(c.runAsUser),
              runAsGroup: String(c.runAsUser),
              fsGroup: String(c.runAsUser),
              seccompProfile: { type: 'RuntimeDefault' },
            },
            nodeSelector: Lazy.anyValue({ produce: () => scheduling().nodeSelector }) as unknown as { [k: string]: string },
            toleration: Lazy.anyValue({ produce: () => scheduling().tolerations.map((t) => ({ key: t.key, operator: t.operator, value: t.value, effect: t.effect })) }),
            topologySpreadConstraint: Lazy.anyValue({
              produce: () =>
                scheduling().spread.map((s) => ({
                  max_skew: s.maxSkew,
                  topology_key: s.topologyKey,
                  when_unsatisfiable: s.whenUnsatisfiable,
                  label_selector: [{ match_labels: this.selectorLabels }],
                })),
            }),
            initContainer: initContainers,
            container: [
              {
                name: 'server',
                image: c.image,
                imagePullPolicy: 'IfNotPresent',
                command: c.command,
                args: c.args,
                port: ports,
                env: Object.entries(env)
                  .sort(([a], [b]) => a.localeCompare(b))
                  .map(([name, value]) => ({ name, value })),
                resources: { requests: { cpu: cpuRequest.toKubernetes(), memory: memoryRequest.toKubernetes() }, limits },
                startupProbe: httpProbe(c.livenessPath, 5, Math.ceil(startupTimeout / 5)),
                livenessProbe: httpProbe(c.livenessPath, 10, 3),
                readinessProbe: httpProbe(c.readinessPath, 5, 3),
                securityContext: containerSecurity,
                volumeMount: [modelMount, ...writableVolumes.map((w) => ({ name: w.name, mountPath: w.path }))],
              },
            ],
            volume: volumes,
          },
        },
      },
    });

    this.service = new ServiceV1(this, 'Service', {
      provider,
      dependsOn: [props.namespace.resource],
      metadata,
      spec: {
        type: 'ClusterIP',
        selector: this.selectorLabels,
        port: [{ name: 'http', port: this.servicePort, targetPort: 'http', protocol: 'TCP' }],
      },
    });

    this.podDisruptionBudget = new PodDisruptionBudgetV1(this, 'DisruptionBudget', {
      provider,
      dependsOn: [props.namespace.resource],
      metadata,
      spec: { maxUnavailable: String(maxUnavailable), selector: { matchLabels: this.selectorLabels } },
    });

    const allowed = props.allowFromNamespaces ?? [];
    const portsAllowed = [...new Set([c.port, c.metricsPort])].map((p) => ({ port: String(p), protocol: 'TCP' }));
    const nsSelector = (n: string) => ({ namespace_selector: [{ match_labels: { 'kubernetes.io/metadata.name': n } }] });
    this.networkPolicy = new NetworkPolicyV1(this, 'NetworkPolicy', {
      provider,
      dependsOn: [props.namespace.resource],
      metadata,
      spec: {
        podSelector: { matchLabels: this.selectorLabels },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: Lazy.anyValue({
              produce: () => [...new Set([...this.ingressControllerNamespaces, monitoringNamespace, ...allowed])].map(nsSelector),
            }),
            ports: portsAllowed,
          },
        ],
      },
    });

    if (autoscaling) {
      const metric: HpaMetric[] = [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: autoscaling.targetCpuUtilizationPercent ?? 70 } } },
      ];
      if (c.kind === 'runtime') {
        metric.push(
          { type: 'Pods', pods: { metric: { name: RUNTIME_METRICS.inflight.name }, target: { type: 'AverageValue', averageValue: String(autoscaling.targetInflightRequestsPerPod ?? 8) } } },
          { type: 'Pods', pods: { metric: { name: RUNTIME_METRICS.queueDepth.name }, target: { type: 'AverageValue', averageValue: String(autoscaling.targetQueueDepthPerPod ?? 4) } } },
        );
      }
      this.autoscaler = new HorizontalPodAutoscalerV2(this, 'Autoscaler', {
        provider,
        dependsOn: [props.namespace.resource],
        metadata,
        spec: {
          minReplicas,
          maxReplicas,
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: this.name },
          metric,
          behavior: {
            scaleDown: [{ stabilizationWindowSeconds: autoscaling.scaleDownStabilizationSeconds ?? 300, selectPolicy: 'Max', policy: [{ type: 'Pods', value: 1, periodSeconds: 60 }] }],
            scaleUp: [{ stabilizationWindowSeconds: 0, selectPolicy: 'Max', policy: [{ type: 'Pods', value: 2, periodSeconds: 60 }, { type: 'Percent', value: 100, periodSeconds: 60 }] }],
          },
        },
      });
    }

    if (props.ingress) this.exposeViaIngress(props.ingress);
  }

  /**
   * Expose the Service through an Ingress over TLS (the `kubectl create ingress` equivalent).
   * The NetworkPolicy admits the controller's namespace. `extraAnnotations` are used by
   * CanaryRollout for weighted routing.
   */
  public exposeViaIngress(options: IngressOptions, extraAnnotations: { [key: string]: string } = {}): IngressV1 {
    const checker = new Checker(this, ONPREM_ERRORS.SERVER, 'ModelServer');
    this.checkIngress(checker, 'ingress', options);
    checker.throwIfAny();
    const suffix = this.ingresses.length === 0 ? '' : `-${this.ingresses.length + 1}`;
    const ingress = new IngressV1(this, `Ingress${suffix}`, {
      provider: this.stack.kubernetesProvider,
      // After the rollout completed (wait_for_rollout): a canary gets traffic only once Ready.
      dependsOn: [this.service, this.deployment],
      metadata: {
        name: `${this.name}${suffix}`,
        namespace: this.namespaceName,
        labels: { 'app.kubernetes.io/name': this.name, 'app.kubernetes.io/part-of': 'servingstack' },
        annotations: { ...options.annotations, ...extraAnnotations },
      },
      spec: {
        ingressClassName: options.className ?? 'nginx',
        tls: [{ hosts: [options.host], secretName: options.tlsSecretName ?? `${this.name}-tls` }],
        rule: [
          {
            host: options.host,
            http: { path: [{ path: '/', pathType: 'Prefix', backend: { service: { name: this.name, port: { number: this.servicePort } } } }] },
          },
        ],
      },
    });
    this.ingresses.push(ingress);
    this.ingressControllerNamespaces.push(options.controllerNamespace ?? 'ingress-nginx');
    return ingress;
  }

  /** The Ingresses created by `ingress` / `exposeViaIngress()`. */
  public get ingressResources(): IngressV1[] {
    return [...this.ingresses];
  }

  private checkIngress(checker: Checker, field: string, options: IngressOptions): void {
    checker.check(typeof options.host === 'string' && HOST.test(options.host) && options.host.length <= 253, { field: `${field}.host`, message: 'is not a DNS host name', received: options.host, allowed: 'a lower-case DNS name, e.g. fraud.ml.example.internal' });
    if (options.tlsSecretName !== undefined) checker.dnsLabel(`${field}.tlsSecretName`, options.tlsSecretName);
    if (options.className !== undefined) checker.dnsLabel(`${field}.className`, options.className);
    if (options.controllerNamespace !== undefined) checker.dnsLabel(`${field}.controllerNamespace`, options.controllerNamespace);
  }
}

/** The init container's script: sync the prefix, then check the package is complete. */
function fetchScript(checkManifest: boolean): string {
  const lines = ['set -eu', `aws s3 sync "$MODEL_URI" ${MODEL_MOUNT_PATH} --only-show-errors --no-progress`];
  if (checkManifest) {
    lines.push(`if [ ! -f ${MODEL_MOUNT_PATH}/servingstack.json ]; then echo "model package incomplete: $MODEL_URI has no servingstack.json" >&2; exit 1; fi`);
  }
  return lines.join('\n');
}
