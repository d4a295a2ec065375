/**
 * The pod template of a serving Deployment, in cdk8s-plus's shape: containers (with grouped
 * resources and typed probe durations), volumes, the restricted security context every
 * container gets, and scheduling intents rendered lazily. It renders the `template` block of the
 * provider's DeploymentV1 in camelCase (the generated class converts it); the lazy scheduling
 * blocks go through `lazyBlock`, the one place that writes snake_case keys.
 */
import { Accelerator } from '../accelerator';
import { Cpu, Duration, Size } from '../quantities';
import { Scheduling, SchedulingConfig } from '../scheduling';
import { lazyBlock, lazyMap } from './terraform-keys';

/** A volume of the pod (union-like: pick one with a static factory). */
export class Volume {
  /** Scratch space on the node, `sizeLimit` at most. */
  public static emptyDir(name: string, sizeLimit: Size): Volume {
    return new Volume(name, { emptyDir: { sizeLimit: sizeLimit.toKubernetes() } });
  }

  /** A PersistentVolumeClaim of the namespace. */
  public static persistentVolumeClaim(name: string, claimName: string, readOnly: boolean): Volume {
    return new Volume(name, { persistentVolumeClaim: { claimName, readOnly } });
  }

  /** The keys of a Secret as files, readable by the pod's group only (`defaultMode` 0440). */
  public static secret(name: string, secretName: string): Volume {
    return new Volume(name, { secret: { secretName, defaultMode: '0440' } });
  }

  private constructor(
    public readonly name: string,
    private readonly source: Record<string, unknown>,
  ) {}

  /** @internal */
  public _render(): Record<string, unknown> {
    return { name: this.name, ...this.source };
  }
}

/** Where a volume appears in a container. */
export interface VolumeMount {
  readonly volume: string;
  readonly path: string;
  /** @default false */
  readonly readOnly?: boolean;
  /** @default - the volume root */
  readonly subPath?: string;
}

/** An HTTP probe against the container's serving port. */
export interface HttpProbe {
  readonly path: string;
  readonly period: Duration;
  /** @default Duration.seconds(2) */
  readonly timeout?: Duration;
  readonly failureThreshold: number;
}

/** Resources as Kubernetes takes them: CPU and memory requests and limits, accelerators in limits only. */
export interface ResolvedResources {
  readonly cpu: { readonly request: Cpu; readonly limit: Cpu };
  readonly memory: { readonly request: Size; readonly limit: Size };
  /** Extended resources (GPUs) go in `limits`; Kubernetes sets the request to the limit. */
  readonly accelerator?: Accelerator;
}

/** One container of the pod. */
export interface ContainerSpec {
  readonly name: string;
  readonly image: string;
  /** @default - Kubernetes' default for the tag */
  readonly imagePullPolicy?: string;
  /** @default - the image's entrypoint */
  readonly command?: readonly string[];
  /** @default - the image's CMD */
  readonly args?: readonly string[];
  /** @default - none */
  readonly ports?: readonly { readonly name: string; readonly containerPort: number }[];
  /**
   * Environment, in this order (a value may reference an earlier variable as `$(NAME)`);
   * `fieldPath` reads the pod's own field (downward API) instead of `value`.
   * @default - none
   */
  readonly env?: readonly { readonly name: string; readonly value?: string; readonly fieldPath?: string }[];
  /** Secrets whose keys become environment variables. @default - none */
  readonly envFromSecrets?: readonly string[];
  readonly resources: ResolvedResources;
  /** @default - no probes */
  readonly probes?: { readonly startup?: HttpProbe; readonly liveness?: HttpProbe; readonly readiness?: HttpProbe };
  /** Port the probes call. @default - none (no probes) */
  readonly probePort?: number;
  readonly mounts: readonly VolumeMount[];
}

export interface PodTemplateProps {
  /** Labels of the pods (the selector's labels among them). */
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** Selector labels: topology spread counts the pods that carry them. */
  readonly selectorLabels: Readonly<Record<string, string>>;
  /** UID and GID of every container; also the pod's fsGroup (mounted secrets are group-readable). */
  readonly userId: number;
  readonly terminationGracePeriod: Duration;
  readonly scheduling: Scheduling;
  /** Called when scheduling is rendered: intents may be added after construction, so they are validated then. */
  readonly validateScheduling: () => void;
  /** @default - the cluster default */
  readonly priorityClassName?: string;
  /** @default - none */
  readonly imagePullSecrets?: readonly string[];
}

export class PodTemplate {
  private readonly volumes: Volume[] = [];
  private readonly containers: ContainerSpec[] = [];
  private readonly initContainers: ContainerSpec[] = [];

  constructor(private readonly props: PodTemplateProps) {}

  public addVolume(volume: Volume): void {
    if (!this.volumes.some((v) => v.name === volume.name)) this.volumes.push(volume);
  }

  public addContainer(container: ContainerSpec): void {
    this.containers.push(container);
  }

  public addInitContainer(container: ContainerSpec): void {
    this.initContainers.push(container);
  }

  /** The restricted profile: non-root, read-only root filesystem, no escalation, no capabilities. */
  private containerSecurity(): Record<string, unknown> {
    const uid = String(this.props.userId);
    return {
      runAsNonRoot: true,
      runAsUser: uid,
      runAsGroup: uid,
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    };
  }

  private renderContainer(c: ContainerSpec): Record<string, unknown> {
    const r = c.resources;
    const limits: Record<string, string> = { cpu: r.cpu.limit.toKubernetes(), memory: r.memory.limit.toKubernetes() };
    if (r.accelerator) limits[r.accelerator.resourceName] = String(r.accelerator.count);
    const probe = (p: HttpProbe | undefined) =>
      p && {
        httpGet: { path: p.path, port: String(c.probePort) },
        periodSeconds: p.period.toSeconds(),
        timeoutSeconds: (p.timeout ?? Duration.seconds(2)).toSeconds(),
        failureThreshold: p.failureThreshold,
      };
    return {
      name: c.name,
      image: c.image,
      imagePullPolicy: c.imagePullPolicy,
      command: c.command ? [...c.command] : undefined,
      args: c.args ? [...c.args] : undefined,
      port: c.ports?.map((p) => ({ name: p.name, containerPort: p.containerPort, protocol: 'TCP' })),
      env: c.env?.map((e) => (e.fieldPath !== undefined ? { name: e.name, valueFrom: { fieldRef: { fieldPath: e.fieldPath } } } : { name: e.name, value: e.value })),
      envFrom: c.envFromSecrets?.map((name) => ({ secretRef: { name } })),
      resources: { requests: { cpu: r.cpu.request.toKubernetes(), memory: r.memory.request.toKubernetes() }, limits },
      startupProbe: probe(c.probes?.startup),
      livenessProbe: probe(c.probes?.liveness),
      readinessProbe: probe(c.probes?.readiness),
      securityContext: this.containerSecurity(),
      volumeMount: c.mounts.map((m) => ({ name: m.volume, mountPath: m.path, ...(m.readOnly ? { readOnly: true } : {}), ...(m.subPath ? { subPath: m.subPath } : {}) })),
    };
  }

  /** The Deployment's `spec.template`. @internal */
  public _render(): Record<string, unknown> {
    const p = this.props;
    const uid = String(p.userId);
    const scheduling = (): SchedulingConfig => {
      p.validateScheduling();
      return p.scheduling._config();
    };
    return {
      metadata: { labels: { ...p.labels }, annotations: { ...p.annotations } },
      spec: {
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        terminationGracePeriodSeconds: p.terminationGracePeriod.toSeconds(),
        priorityClassName: p.priorityClassName,
        imagePullSecrets: p.imagePullSecrets?.map((name) => ({ name })),
        securityContext: { runAsNonRoot: true, runAsUser: uid, runAsGroup: uid, fsGroup: uid, seccompProfile: { type: 'RuntimeDefault' } },
        nodeSelector: lazyMap(() => scheduling().nodeSelector),
        toleration: lazyBlock(() => scheduling().tolerations),
        topologySpreadConstraint: lazyBlock(() =>
          scheduling().spread.map((s) => ({ maxSkew: s.maxSkew, topologyKey: s.topologyKey, whenUnsatisfiable: s.whenUnsatisfiable, labelSelector: [{ matchLabels: { ...p.selectorLabels } }] })),
        ),
        initContainer: this.initContainers.map((c) => this.renderContainer(c)),
        container: this.containers.map((c) => this.renderContainer(c)),
        volume: this.volumes.map((v) => v._render()),
      },
    };
  }
}
