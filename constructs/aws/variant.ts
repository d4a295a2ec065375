/**
 * What an endpoint variant is: the props a variant is added with, and the facts every consumer
 * (autoscaling, monitoring, rollout, inference components) reads from it.
 */
import { Duration, Size } from 'aws-cdk-lib';
import { InstanceType } from './instance-type';
import type { IModel } from './model';

/** How a variant routes requests to its instances. */
export class RoutingStrategy {
  public static readonly LEAST_OUTSTANDING_REQUESTS = new RoutingStrategy('LEAST_OUTSTANDING_REQUESTS');
  public static readonly RANDOM = new RoutingStrategy('RANDOM');
  private constructor(public readonly value: string) {}
}

/** Managed instance scaling of a variant hosting inference components (the way to scale to zero). */
export interface ManagedInstanceScaling {
  /**
   * Fewest instances; 0 lets the endpoint scale to zero when no copies run.
   * @default 1
   */
  readonly minInstanceCount?: number;
  /** Most instances. */
  readonly maxInstanceCount: number;
}

/** An instance-backed production (or shadow) variant. */
export interface InstanceVariantProps {
  /**
   * Variant name. Blue/green updates keep it: changing it replaces the variant without guardrails.
   * @default 'AllTraffic' for a single variant; required when there are several
   */
  readonly variantName?: string;
  /**
   * The model served; binding it tells the model what it serves on (GPUs, async, payload limits).
   * @default - none: the variant hosts inference components
   */
  readonly model?: IModel;
  /**
   * Instance type.
   * @default InstanceType.M5_LARGE
   */
  readonly instanceType?: InstanceType;
  /**
   * Instances at creation (autoscaling takes over afterwards).
   * @default 1
   */
  readonly initialInstanceCount?: number;
  /**
   * Relative traffic weight among the variants (0 receives no traffic unless targeted).
   * @default 1
   */
  readonly initialVariantWeight?: number;
  /**
   * ML storage volume per instance (1–512 GiB; not for instance types with local NVMe storage).
   * @default - SageMaker's default for the instance type
   */
  readonly volumeSize?: Size;
  /**
   * Time allowed to download the model data (60–3600 s).
   * @default - SageMaker's default
   */
  readonly modelDataDownloadTimeout?: Duration;
  /**
   * Time allowed for `/ping` to pass after the container starts (60–3600 s).
   * @default - SageMaker's default
   */
  readonly containerStartupHealthCheckTimeout?: Duration;
  /**
   * Routing of requests to instances.
   * @default - SageMaker's default (RANDOM)
   */
  readonly routingStrategy?: RoutingStrategy;
  /**
   * Managed instance scaling (inference-component variants only).
   * @default - none
   */
  readonly managedInstanceScaling?: ManagedInstanceScaling;
}

/** A serverless variant. */
export interface ServerlessVariantProps {
  /**
   * Variant name.
   * @default 'AllTraffic'
   */
  readonly variantName?: string;
  /** The model served. */
  readonly model: IModel;
  /**
   * Memory (1024, 2048, 3072, 4096, 5120 or 6144 MiB).
   * @default Size.mebibytes(2048)
   */
  readonly memorySize?: Size;
  /**
   * Most concurrent invocations (1–200).
   * @default 20
   */
  readonly maxConcurrency?: number;
  /**
   * Warm, provisioned concurrency (1–200, at most maxConcurrency).
   * @default - none (cold starts possible)
   */
  readonly provisionedConcurrency?: number;
}

/**
 * The facts of a variant: what an endpoint config rendered, or what the attributes of an
 * imported endpoint declare.
 */
export interface ProductionVariant {
  /** The variant's name. */
  readonly variantName: string;
  /**
   * Instance type of an instance variant.
   * @default - none (serverless, or unknown for an imported endpoint)
   */
  readonly instanceType?: InstanceType;
  /**
   * Instances at creation.
   * @default - none (serverless, or unknown)
   */
  readonly initialInstanceCount?: number;
  /**
   * Whether the variant is serverless.
   * @default false
   */
  readonly serverless?: boolean;
  /**
   * Whether the variant is the shadow variant.
   * @default false
   */
  readonly shadow?: boolean;
  /**
   * Whether the variant hosts inference components (it has no model of its own).
   * @default false
   */
  readonly hostsInferenceComponents?: boolean;
  /**
   * The model served.
   * @default - none (inference components, or unknown)
   */
  readonly model?: IModel;
  /**
   * Most concurrent invocations of a serverless variant.
   * @default - none
   */
  readonly maxConcurrency?: number;
  /**
   * Provisioned concurrency of a serverless variant.
   * @default - none
   */
  readonly provisionedConcurrency?: number;
  /**
   * Managed instance scaling of a variant hosting inference components.
   * @default - none
   */
  readonly managedInstanceScaling?: ManagedInstanceScaling;
}
