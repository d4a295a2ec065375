/**
 * The props of a serving track (ModelServer) and of the parts it exposes: Ingress, autoscaling.
 */
import type { Accelerator } from './accelerator';
import type { ModelSource } from './model-source';
import type { ContainerResources, Duration, Size } from './quantities';
import type { Taint } from './scheduling';
import type { ServingAuth } from './serving-auth';
import type { ServingContainer } from './serving-container';
import type { ServingMonitoring } from './serving-monitoring';
import type { ServingNamespace } from './serving-namespace';

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
  readonly annotations?: { readonly [key: string]: string };
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
   * How long recommendations must stay lower before scaling down.
   * @default Duration.seconds(300)
   */
  readonly scaleDownStabilization?: Duration;
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
   * CPU and memory of the serving container, requests and limits.
   * @default - CPU 1000m request / 2000m limit, memory 2 GiB request / 4 GiB limit
   */
  readonly resources?: ContainerResources;
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
   * How long Kubernetes waits after SIGTERM before killing; must exceed the runtime's drain
   * timeout by at least 5 s.
   * @default Duration.seconds(30)
   */
  readonly terminationGracePeriod?: Duration;
  /**
   * Longest a pod may take from start to live (model download, load and warm-up).
   * @default Duration.seconds(600)
   */
  readonly startupTimeout?: Duration;
  /**
   * Pods that may be voluntarily evicted at once (PodDisruptionBudget `maxUnavailable`).
   * @default 1
   */
  readonly maxUnavailable?: number;
  /**
   * Node labels the pods must match (`nodeSelector`); more with `scheduling.attract()`.
   * @default - `{'nvidia.com/gpu.present': 'true'}` with an NVIDIA accelerator (label set by the GPU Operator's feature discovery), else none
   */
  readonly nodeSelector?: { readonly [key: string]: string };
  /**
   * Taints to tolerate; more with `scheduling.tolerate()`.
   * @default - `nvidia.com/gpu` (Exists, NoSchedule) with an NVIDIA accelerator, else none
   */
  readonly tolerations?: readonly Taint[];
  /**
   * The monitoring of the cluster: the NetworkPolicy admits its namespace, and its scrape token
   * is the pods' admin token, so its Prometheus scrapes `/metrics` (an admin route) in-cluster.
   * @default - none: `monitoringNamespace` is admitted and the admin token is generated (give it to your scraper)
   */
  readonly monitoring?: ServingMonitoring;
  /**
   * Namespace of the Prometheus that scrapes the pods (the NetworkPolicy admits it).
   * @default - `monitoring`'s namespace, else 'monitoring'
   */
  readonly monitoringNamespace?: string;
  /**
   * Further namespaces whose pods may call the service in-cluster.
   * @default - none (only the ingress controller and the scraper)
   */
  readonly allowFromNamespaces?: readonly string[];
  /**
   * Image of the init container that fetches S3 models (needs `sh` and `aws`).
   * @default 'amazon/aws-cli:2.17.0'
   */
  readonly fetcherImage?: string;
  /**
   * Image pull secrets (private registries).
   * @default - none
   */
  readonly imagePullSecrets?: readonly string[];
  /**
   * PriorityClass of the pods.
   * @default - the cluster default
   */
  readonly priorityClassName?: string;
  /**
   * Authentication: tokens for inference and for admin routes, mounted from a Secret.
   * @default ServingAuth.generated()
   */
  readonly auth?: ServingAuth;
  /**
   * Keep the runtime's data capture (sampled requests and responses, JSON Lines) on a
   * PersistentVolumeClaim, so it outlives the pod and `servingstack drift-report` /
   * `quality-report` can re-read it. Each pod writes below its own directory (its pod name).
   * @default - no capture
   */
  readonly dataCapture?: DataCaptureOptions;
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

/** Where the runtime's data capture is kept (see `ModelServerProps.dataCapture`). */
export interface DataCaptureOptions {
  /**
   * An existing claim of the namespace. With several replicas it must be ReadWriteMany.
   * @default - a new claim `<server name>-capture`
   */
  readonly claimName?: string;
  /**
   * Size of the new claim.
   * @default Size.gibibytes(20)
   */
  readonly size?: Size;
  /**
   * Storage class of the new claim; it must offer ReadWriteMany (NFS, CephFS, Longhorn RWX…).
   * @default - the cluster's default class
   */
  readonly storageClassName?: string;
  /**
   * Share of requests captured, in percent (0–100).
   * @default 100
   */
  readonly percent?: number;
}
