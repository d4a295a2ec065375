/**
 * One serving track on a GPU (or CPU) pool: a Deployment whose pod template (workload/
 * pod-template.ts) holds the serving container, init-container model delivery, probes, the
 * restricted security context, GPU limits and scheduling; a Service, PodDisruptionBudget,
 * NetworkPolicy, optional HorizontalPodAutoscaler and Ingress; and the auth Secret the pods mount.
 * Validation happens in one method (`validate`); rendering never validates except the lazily
 * rendered scheduling intents. Canaries are composed of two tracks (CanaryRollout).
 */
import { Construct } from 'constructs';
import { RuntimeContract } from '../../lib/core/contract/container';
import { checkRuntimeEnvironment } from '../../lib/core/contract/environment';
import { Accelerator, EXTENDED_RESOURCE_NAME, MAX_ACCELERATORS_PER_POD } from './accelerator';
import { IngressOptions, ModelServerProps } from './model-server-options';
import { OnPremServingStack } from './onprem-serving-stack';
import { Annotations, DeploymentV1, HorizontalPodAutoscalerV2, IngressV1, NetworkPolicyV1, PodDisruptionBudgetV1, ServiceV1 } from './private/binding';
import { Checker, ONPREM_ERRORS, defaultName } from './private/checker';
import { Cpu, Duration, Size } from './quantities';
import { Taint } from './scheduling';
import { ServingAuth } from './serving-auth';
import { ServingContainerConfig } from './serving-container';
import { createAutoscaler } from './workload/autoscaler';
import { createServingIngress } from './workload/ingress';
import { POD_LABELS } from './workload/labels';
import { MODEL_MOUNT_PATH, servingPodTemplate } from './workload/serving-pod';
import { ResolvedResources } from './workload/pod-template';
import { lazyBlock } from './workload/terraform-keys';
import { Scheduling } from './scheduling';


const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
const HOST = /^(\*\.)?([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)*[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Props with defaults applied. */
interface Resolved {
  readonly c: ServingContainerConfig;
  readonly modelVersion: string;
  readonly resources: ResolvedResources;
  readonly modelVolumeSize: Size;
  readonly drain: Duration;
  readonly grace: Duration;
  readonly startupTimeout: Duration;
  readonly replicas: number;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly maxUnavailable: number;
  readonly monitoringNamespace: string;
  readonly auth: ServingAuth;
}

export class ModelServer extends Construct {
  public readonly name: string;
  public readonly namespaceName: string;
  public readonly appName: string;
  public readonly track: string;
  /** Labels selecting this track's pods. */
  public readonly selectorLabels: { readonly [key: string]: string };
  /** Scheduling intents; calls after construction are honoured. */
  public readonly scheduling = new Scheduling();
  public readonly deployment: DeploymentV1;
  public readonly service: ServiceV1;
  public readonly podDisruptionBudget: PodDisruptionBudgetV1;
  public readonly networkPolicy: NetworkPolicyV1;
  public readonly autoscaler?: HorizontalPodAutoscalerV2;
  /** Port the Service exposes. */
  public readonly servicePort = 80;
  /** The Secret holding the tokens the pods require, when authentication is on. */
  public readonly authSecretName?: string;
  private readonly ingresses: IngressV1[] = [];
  private readonly admitted: string[] = [];
  private readonly stack: OnPremServingStack;
  private readonly isRuntime: boolean;

  constructor(scope: Construct, id: string, props: ModelServerProps) {
    super(scope, id);
    this.stack = OnPremServingStack.of(this);
    this.name = props.name ?? defaultName(id);
    this.namespaceName = props.namespace.name;
    this.appName = props.appName ?? this.name;
    this.track = props.track ?? 'stable';
    const r = resolve(props);
    this.validate(props, r);
    this.isRuntime = r.c.kind === 'runtime';

    const gpu = props.accelerator?.isNvidia === true;
    for (const [k, v] of Object.entries(props.nodeSelector ?? (gpu ? { 'nvidia.com/gpu.present': 'true' } : {}))) this.scheduling.attract(k, v);
    for (const t of props.tolerations ?? (gpu ? [Taint.exists('nvidia.com/gpu')] : [])) this.scheduling.tolerate(t);
    this.scheduling.spread('kubernetes.io/hostname', 1, false);

    this.selectorLabels = { 'app.kubernetes.io/name': this.name, [POD_LABELS.track]: this.track };
    const podLabels = { ...this.selectorLabels, 'app.kubernetes.io/part-of': 'servingstack', [POD_LABELS.app]: this.appName, [POD_LABELS.modelVersion]: r.modelVersion };
    const provider = this.stack.kubernetesProvider;
    const metadata = { name: this.name, namespace: this.namespaceName, labels: { ...podLabels } };
    const dependsOn = [props.namespace.resource];

    const auth = this.isRuntime ? r.auth._bind(this, { namespace: props.namespace, appName: this.appName, adminToken: props.monitoring?.scrapeToken }) : undefined;
    this.authSecretName = auth?.secretName;
    if (auth && !props.monitoring) {
      Annotations.of(this).addWarning(`${this.name}: authentication is on and no ServingMonitoring is given, so /metrics (an admin route) answers 401 to a Prometheus that does not send the admin token of Secret ${auth.secretName}; pass monitoring to scrape with its token`);
    }
    const template = servingPodTemplate({
      props,
      container: r.c,
      resources: r.resources,
      modelVolumeSize: r.modelVolumeSize,
      drain: r.drain,
      grace: r.grace,
      startupTimeout: r.startupTimeout,
      labels: podLabels,
      selectorLabels: this.selectorLabels,
      scheduling: this.scheduling,
      validateScheduling: () => {
        const late = new Checker(this, ONPREM_ERRORS.SERVER, 'ModelServer');
        for (const issue of this.scheduling._issues()) late.add(issue);
        late.throwIfAny();
      },
      auth,
    });
    this.deployment = new DeploymentV1(this, 'Resource', {
      provider,
      dependsOn: [...dependsOn, ...(auth?.secret ? [auth.secret] : [])],
      metadata,
      waitForRollout: true,
      spec: {
        replicas: props.autoscaling ? undefined : String(r.replicas),
        revisionHistoryLimit: 5,
        minReadySeconds: 10,
        progressDeadlineSeconds: r.startupTimeout.toSeconds() + 300,
        selector: { matchLabels: { ...this.selectorLabels } },
        // Old pods keep serving until a new one is Ready (maxUnavailable 0).
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '1', maxUnavailable: '0' } },
        template: template._render() as unknown as ConstructorParameters<typeof DeploymentV1>[2]['spec']['template'],
      },
    });
    this.service = new ServiceV1(this, 'Service', {
      provider,
      dependsOn,
      metadata,
      spec: { type: 'ClusterIP', selector: { ...this.selectorLabels }, port: [{ name: 'http', port: this.servicePort, targetPort: 'http', protocol: 'TCP' }] },
    });
    this.podDisruptionBudget = new PodDisruptionBudgetV1(this, 'DisruptionBudget', {
      provider,
      dependsOn,
      metadata,
      spec: { maxUnavailable: String(r.maxUnavailable), selector: { matchLabels: { ...this.selectorLabels } } },
    });
    const portsAllowed = [...new Set([r.c.port, r.c.metricsPort])].map((p) => ({ port: String(p), protocol: 'TCP' }));
    const allowed = props.allowFromNamespaces ?? [];
    this.networkPolicy = new NetworkPolicyV1(this, 'NetworkPolicy', {
      provider,
      dependsOn,
      metadata,
      spec: {
        podSelector: { matchLabels: { ...this.selectorLabels } },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: lazyBlock(() => [...new Set([...this.admitted, r.monitoringNamespace, ...allowed])].map((n) => ({ namespaceSelector: [{ matchLabels: { 'kubernetes.io/metadata.name': n } }] }))),
            ports: portsAllowed,
          },
        ],
      },
    });
    if (props.autoscaling) {
      this.autoscaler = createAutoscaler(this, { autoscaling: props.autoscaling, runtime: r.c.kind === 'runtime', minReplicas: r.minReplicas, maxReplicas: r.maxReplicas, provider, metadata, dependsOn });
    }
    if (props.ingress) this.exposeViaIngress(props.ingress);
  }

  /**
   * Expose the Service through an Ingress over TLS (the `kubectl create ingress` equivalent); for
   * the runtime only its inference and health routes. The NetworkPolicy admits the controller's
   * namespace. `extraAnnotations` are the composition seam (CanaryRollout's weighted routing).
   */
  public exposeViaIngress(options: IngressOptions, extraAnnotations: { readonly [key: string]: string } = {}): IngressV1 {
    const checker = new Checker(this, ONPREM_ERRORS.SERVER, 'ModelServer');
    this.checkIngress(checker, 'ingress', options);
    checker.throwIfAny();
    const suffix = this.ingresses.length === 0 ? '' : `-${this.ingresses.length + 1}`;
    const ingress = createServingIngress(this, `Ingress${suffix}`, {
      provider: this.stack.kubernetesProvider,
      // After the rollout completed (wait_for_rollout): a canary gets traffic only once Ready.
      dependsOn: [this.service, this.deployment],
      name: `${this.name}${suffix}`,
      namespace: this.namespaceName,
      serviceName: this.name,
      servicePort: this.servicePort,
      runtime: this.isRuntime,
      options,
      extraAnnotations,
      defaultTlsSecretName: `${this.name}-tls`,
    });
    this.ingresses.push(ingress);
    this.allowFromNamespace(options.controllerNamespace ?? 'ingress-nginx');
    return ingress;
  }

  /** Admit pods of `namespace` to the serving and metrics ports (NetworkPolicy, rendered at synth). */
  public allowFromNamespace(namespace: string): void {
    this.admitted.push(namespace);
  }

  /** The Ingresses created by `ingress` / `exposeViaIngress()`. */
  public get ingressResources(): readonly IngressV1[] {
    return [...this.ingresses];
  }

  /** Every check of the props, collected and thrown once. */
  private validate(props: ModelServerProps, r: Resolved): void {
    const checker = new Checker(this, ONPREM_ERRORS.SERVER, 'ModelServer');
    const c = r.c;
    checker.dnsLabel('name', this.name);
    checker.dnsLabel('appName', this.appName);
    checker.dnsLabel('track', this.track);
    checker.check(LABEL_VALUE.test(r.modelVersion) && r.modelVersion !== '', { field: 'modelVersion', message: 'is not a valid Kubernetes label value', received: r.modelVersion, allowed: 'letters, digits, -, _ and ., 1–63 characters, starting and ending with a letter or digit' });
    for (const issue of props.model._issues('model')) checker.add(issue);
    checker.check(c.image.trim() !== '' && !/\s/.test(c.image), { field: 'container.image', message: 'is not an image reference', received: c.image, allowed: 'registry/repository[:tag][@digest]' });
    checker.intRange('container.port', c.port, 1, 65535);
    checker.intRange('container.metricsPort', c.metricsPort, 1, 65535);
    for (const [field, p] of [['container.livenessPath', c.livenessPath], ['container.readinessPath', c.readinessPath], ['container.metricsPath', c.metricsPath]] as const) {
      checker.check(p.startsWith('/'), { field, message: 'is not an absolute URL path', received: p, allowed: 'a path starting with /' });
    }
    checker.intRange('container.runAsUser', c.runAsUser, 1, 2147483647);
    c.writablePaths.forEach((p, i) => checker.check(p.startsWith('/') && p !== '/' && p !== MODEL_MOUNT_PATH, { field: `container.writablePaths[${i}]`, message: 'is not a writable directory path', received: p, allowed: `an absolute path other than / and ${MODEL_MOUNT_PATH}` }));
    const res = r.resources;
    for (const [field, q] of [['resources.cpu.request', res.cpu.request], ['resources.cpu.limit', res.cpu.limit]] as const) {
      checker.check(wholePositive(q.amountInMillis), { field, message: 'is not a whole, positive number of millicores', received: `${q.amountInMillis}m`, allowed: 'Cpu.millis(n) with a whole n ≥ 1, or Cpu.units(x) that is a whole number of millicores' });
    }
    for (const [field, q] of [['resources.memory.request', res.memory.request], ['resources.memory.limit', res.memory.limit], ['modelVolumeSize', r.modelVolumeSize]] as const) {
      checker.check(wholePositive(q.amountInMebibytes), { field, message: 'is not a whole, positive number of MiB', received: `${q.amountInMebibytes}Mi`, allowed: 'Size.mebibytes(n) or Size.gibibytes(n) giving a whole number of MiB ≥ 1' });
    }
    checker.check(res.cpu.request.amountInMillis <= res.cpu.limit.amountInMillis, { field: 'resources.cpu.request', message: 'is above the limit', received: `${res.cpu.request.toKubernetes()} > ${res.cpu.limit.toKubernetes()}`, allowed: `at most resources.cpu.limit (${res.cpu.limit.toKubernetes()})` });
    checker.check(res.memory.request.amountInMebibytes <= res.memory.limit.amountInMebibytes, { field: 'resources.memory.request', message: 'is above the limit', received: `${res.memory.request.toKubernetes()} > ${res.memory.limit.toKubernetes()}`, allowed: `at most resources.memory.limit (${res.memory.limit.toKubernetes()})` });
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
    const seconds = (field: string, d: Duration, min: number, max: number): boolean => checker.intRange(field, d.toSeconds(), min, max, 's');
    seconds('terminationGracePeriod', r.grace, 1, 3600);
    seconds('startupTimeout', r.startupTimeout, 10, 7200);
    if (c.kind === 'runtime') {
      const drain = r.drain.toSeconds();
      if (seconds('container.drainTimeout', r.drain, 1, 3600)) {
        const needed = RuntimeContract.shutdownSeconds(RuntimeContract.SHUTDOWN_GRACE_SECONDS, drain);
        checker.check(r.grace.toSeconds() >= needed, { field: 'terminationGracePeriod', message: 'leaves the runtime no time to drain in-flight requests', received: `${r.grace.toSeconds()}s`, allowed: `at least the runtime's shutdown grace (${RuntimeContract.SHUTDOWN_GRACE_SECONDS} s) + the drain timeout + ${RuntimeContract.EXIT_SECONDS} s = ${needed}s` });
      }
      checker.intRange('container.workers', c.runtime?.workers, 1, 256);
      if (c.runtime?.executionProviders !== undefined) {
        const bad = c.runtime.executionProviders.split(',').map((s) => s.trim()).filter((s) => !['cpu', 'cuda', 'tensorrt'].includes(s));
        checker.check(bad.length === 0, { field: 'container.executionProviders', message: `names unknown providers (${bad.join(', ')})`, received: c.runtime.executionProviders, allowed: 'a comma-separated list of cuda, tensorrt, cpu' });
      }
      for (const issue of checkRuntimeEnvironment('container.environment', c.environment)) checker.add(issue);
    }
    const a = props.autoscaling;
    if (a) {
      checker.check(props.replicas === undefined, { field: 'replicas', message: 'is set together with autoscaling; the HPA owns the replica count', received: props.replicas, allowed: 'leave replicas unset and use autoscaling.minReplicas' });
      if (checker.intRange('autoscaling.minReplicas', r.minReplicas, 1, 100) && checker.intRange('autoscaling.maxReplicas', r.maxReplicas, 1, 1000)) {
        checker.check(r.maxReplicas >= r.minReplicas, { field: 'autoscaling.maxReplicas', message: 'is below minReplicas', received: r.maxReplicas, allowed: `at least minReplicas (${r.minReplicas})` });
      }
      checker.intRange('autoscaling.targetCpuUtilizationPercent', a.targetCpuUtilizationPercent, 1, 100, '%');
      checker.intRange('autoscaling.targetInflightRequestsPerPod', a.targetInflightRequestsPerPod, 1, 10000);
      checker.intRange('autoscaling.targetQueueDepthPerPod', a.targetQueueDepthPerPod, 1, 100000);
      if (a.scaleDownStabilization) seconds('autoscaling.scaleDownStabilization', a.scaleDownStabilization, 0, 3600);
      if (c.kind !== 'runtime') {
        checker.check(a.targetInflightRequestsPerPod === undefined && a.targetQueueDepthPerPod === undefined, { field: 'autoscaling', message: 'asks for runtime queue/in-flight metrics, which a custom container does not export', received: 'targetInflightRequestsPerPod/targetQueueDepthPerPod', allowed: 'targetCpuUtilizationPercent only, for custom containers' });
      }
    } else {
      checker.intRange('replicas', r.replicas, 1, 1000);
    }
    checker.intRange('maxUnavailable', r.maxUnavailable, 1, 1000);
    checker.dnsLabel('monitoringNamespace', r.monitoringNamespace);
    if (props.monitoring && props.monitoringNamespace !== undefined) {
      checker.check(props.monitoringNamespace === props.monitoring.namespace, { field: 'monitoringNamespace', message: `differs from the namespace of monitoring (${props.monitoring.namespace})`, received: props.monitoringNamespace, allowed: 'unset, or the same namespace' });
    }
    (props.allowFromNamespaces ?? []).forEach((n, i) => checker.dnsLabel(`allowFromNamespaces[${i}]`, n));
    (props.imagePullSecrets ?? []).forEach((n, i) => checker.dnsLabel(`imagePullSecrets[${i}]`, n));
    if (props.ingress) this.checkIngress(checker, 'ingress', props.ingress);
    const secret = r.auth._secretNameFor(this.appName);
    if (secret !== undefined && c.kind === 'runtime') checker.dnsLabel('auth.secretName', secret);
    const credentials = props.model._config().credentialsSecretName;
    if (credentials !== undefined) checker.dnsLabel('model.credentialsSecretName', credentials);
    checker.throwIfAny();
  }

  private checkIngress(checker: Checker, field: string, options: IngressOptions): void {
    checker.check(typeof options.host === 'string' && HOST.test(options.host) && options.host.length <= 253, { field: `${field}.host`, message: 'is not a DNS host name', received: options.host, allowed: 'a lower-case DNS name, e.g. fraud.ml.example.internal' });
    if (options.tlsSecretName !== undefined) checker.dnsLabel(`${field}.tlsSecretName`, options.tlsSecretName);
    if (options.className !== undefined) checker.dnsLabel(`${field}.className`, options.className);
    if (options.controllerNamespace !== undefined) checker.dnsLabel(`${field}.controllerNamespace`, options.controllerNamespace);
  }

}


/** Defaults applied, nothing checked yet. */
function resolve(props: ModelServerProps): Resolved {
  const c = props.container._config();
  return {
    c,
    modelVersion: props.modelVersion ?? 'unversioned',
    resources: {
      cpu: { request: props.resources?.cpu?.request ?? Cpu.millis(1000), limit: props.resources?.cpu?.limit ?? Cpu.millis(2000) },
      memory: { request: props.resources?.memory?.request ?? Size.gibibytes(2), limit: props.resources?.memory?.limit ?? Size.gibibytes(4) },
      accelerator: props.accelerator as Accelerator | undefined,
    },
    modelVolumeSize: props.modelVolumeSize ?? Size.gibibytes(10),
    drain: props.container._drainTimeout(),
    grace: props.terminationGracePeriod ?? Duration.seconds(30),
    startupTimeout: props.startupTimeout ?? Duration.seconds(600),
    replicas: props.replicas ?? 2,
    minReplicas: props.autoscaling?.minReplicas ?? 2,
    maxReplicas: props.autoscaling?.maxReplicas ?? 10,
    maxUnavailable: props.maxUnavailable ?? 1,
    monitoringNamespace: props.monitoringNamespace ?? props.monitoring?.namespace ?? 'monitoring',
    auth: props.auth ?? ServingAuth.generated(),
  };
}

function wholePositive(n: number): boolean {
  return Number.isInteger(n) && n > 0;
}

export type { AutoscalingOptions, IngressOptions, ModelServerProps, ServerOptions } from './model-server-options';
