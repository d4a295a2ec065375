/**
 * What every SageMaker endpoint offers, whether defined in this app or imported: its name and
 * ARN, the facts of its variants, invoke grants and its metrics. Autoscaling, monitoring, the
 * approval rollout, inference components, batch transform and `ServingEndpoint` take an
 * `IEndpoint`, so they work on endpoints deployed elsewhere too.
 */
import { IResource, Resource } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { endpointMetric } from './private/metrics';
import { ProductionVariant } from './variant';

/** Options of the endpoint's `metric*` helpers. */
export interface EndpointMetricOptions extends cw.MetricOptions {
  /**
   * Variant to measure.
   * @default - the first production variant ('AllTraffic' when the endpoint declares none)
   */
  readonly variantName?: string;
}

/** A SageMaker endpoint. */
export interface IEndpoint extends IResource {
  /** @attribute */
  readonly endpointName: string;
  /** @attribute */
  readonly endpointArn: string;
  /** Production variants, then the shadow variant (an imported endpoint: those its attributes declare). */
  readonly variants: readonly ProductionVariant[];
  /** Whether the endpoint is asynchronous. */
  readonly isAsync: boolean;
  /** Whether the endpoint's variant is serverless. */
  readonly isServerless: boolean;
  /** The key of volumes, captured data and async output, when one is known. */
  readonly encryptionKey?: kms.IKey;
  /** Alarms that roll deployments back. */
  readonly guardrailAlarms: readonly cw.IAlarm[];
  /** Execution role of the endpoint config (variants hosting inference components). */
  readonly executionRole?: iam.IRole;
  /** The first production variant's name. */
  readonly primaryVariantName: string;
  /** Allow `grantee` to invoke the endpoint (real-time, streaming and async). */
  grantInvoke(grantee: iam.IGrantable): iam.Grant;
  /** A metric of this endpoint (see {@link EndpointBase.metric}). */
  metric(metricName: string, props?: EndpointMetricOptions): cw.Metric;
  /** Requests (Sum). */
  metricInvocations(props?: EndpointMetricOptions): cw.Metric;
  /** Requests per instance (Sum). */
  metricInvocationsPerInstance(props?: EndpointMetricOptions): cw.Metric;
  /** 4XX answers; Average is the rate (0–1). */
  metricInvocation4xxErrors(props?: EndpointMetricOptions): cw.Metric;
  /** 5XX answers; Average is the rate (0–1). */
  metricInvocation5xxErrors(props?: EndpointMetricOptions): cw.Metric;
  /** Model latency in microseconds (p99). */
  metricModelLatency(props?: EndpointMetricOptions): cw.Metric;
  /** Overhead latency in microseconds (p99). */
  metricOverheadLatency(props?: EndpointMetricOptions): cw.Metric;
  /** Model latency in milliseconds (metric math, p99). */
  metricModelLatencyInMillis(props?: EndpointMetricOptions): cw.MathExpression;
  /** Concurrent requests per model (Maximum). */
  metricConcurrentRequestsPerModel(props?: EndpointMetricOptions): cw.Metric;
  /** CPU utilisation, 100 % per vCPU (Average). */
  metricCpuUtilization(props?: EndpointMetricOptions): cw.Metric;
  /** GPU utilisation, 100 % per GPU (Average). */
  metricGpuUtilization(props?: EndpointMetricOptions): cw.Metric;
  /** GPU memory utilisation, 100 % per GPU (Average). */
  metricGpuMemoryUtilization(props?: EndpointMetricOptions): cw.Metric;
  /** Memory utilisation in percent (Average). */
  metricMemoryUtilization(props?: EndpointMetricOptions): cw.Metric;
  /** Disk utilisation in percent (Average). */
  metricDiskUtilization(props?: EndpointMetricOptions): cw.Metric;
  /** Queued async requests (Average). */
  metricApproximateBacklogSize(props?: EndpointMetricOptions): cw.Metric;
  /** Queued async requests per instance (Average). */
  metricApproximateBacklogSizePerInstance(props?: EndpointMetricOptions): cw.Metric;
  /** 1 when async requests wait and no instance runs (Maximum). */
  metricHasBacklogWithoutCapacity(props?: EndpointMetricOptions): cw.Metric;
  /** Serverless cold-start time in microseconds (Average). */
  metricModelSetupTime(props?: EndpointMetricOptions): cw.Metric;
}

/** Attributes of an endpoint defined elsewhere. */
export interface EndpointAttributes {
  /**
   * The endpoint's name.
   * @default - taken from `endpointArn`
   */
  readonly endpointName?: string;
  /**
   * The endpoint's ARN.
   * @default - built from `endpointName` in this stack's account and region
   */
  readonly endpointArn?: string;
  /**
   * Its variants, for autoscaling and monitoring.
   * @default - none declared: metrics default to the variant 'AllTraffic'
   */
  readonly variants?: readonly ProductionVariant[];
  /**
   * Whether it is asynchronous.
   * @default false
   */
  readonly isAsync?: boolean;
  /**
   * Its key (monitoring topics and rollouts use it).
   * @default - none
   */
  readonly encryptionKey?: kms.IKey;
}

/** Grants and metrics shared by {@link Endpoint} and imported endpoints. */
export abstract class EndpointBase extends Resource implements IEndpoint {
  public abstract readonly endpointName: string;
  public abstract readonly endpointArn: string;
  public abstract readonly variants: readonly ProductionVariant[];
  public abstract readonly isAsync: boolean;
  public abstract readonly guardrailAlarms: readonly cw.IAlarm[];
  public abstract readonly encryptionKey?: kms.IKey;
  public abstract readonly executionRole?: iam.IRole;

  public get isServerless(): boolean {
    return this.variants.some((v) => v.serverless === true);
  }

  public get primaryVariantName(): string {
    return this.variants.find((v) => v.shadow !== true)?.variantName ?? 'AllTraffic';
  }

  public grantInvoke(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['sagemaker:InvokeEndpoint', 'sagemaker:InvokeEndpointAsync', 'sagemaker:InvokeEndpointWithResponseStream'],
      resourceArns: [this.endpointArn],
    });
  }

  /**
   * A metric of this endpoint. `AWS/SageMaker` unless the name is an instance metric
   * (CPU, GPU, memory, disk: `/aws/sagemaker/Endpoints`); async backlog metrics carry only the
   * `EndpointName` dimension.
   */
  public metric(metricName: string, props: EndpointMetricOptions = {}): cw.Metric {
    const { variantName, ...rest } = props;
    return endpointMetric(this.endpointName, variantName ?? this.primaryVariantName, metricName, rest);
  }

  /** Requests (Sum). Not published by async endpoints. */
  public metricInvocations(props?: EndpointMetricOptions): cw.Metric {
    return this.metric('Invocations', { statistic: 'Sum', ...props });
  }

  /** Requests per instance (Sum), the target-tracking metric. */
  public metricInvocationsPerInstance(props?: EndpointMetricOptions): cw.Metric {
    return this.metric('InvocationsPerInstance', { statistic: 'Sum', ...props });
  }

  /** 4XX answers; Average is the rate (0–1), Sum the count. @default statistic Average */
  public metricInvocation4xxErrors(props?: EndpointMetricOptions): cw.Metric {
    return this.metric('Invocation4XXErrors', { statistic: 'Average', ...props });
  }

  /** 5XX answers; Average is the rate (0–1), Sum the count. @default statistic Average */
  public metricInvocation5xxErrors(props?: EndpointMetricOptions): cw.Metric {
    return this.metric('Invocation5XXErrors', { statistic: 'Average', ...props });
  }

  /** Model latency in MICROseconds. @default statistic p99 */
  public metricModelLatency(props?: EndpointMetricOptions): cw.Metric {
    return this.metric('ModelLatency', { statistic: 'p99', ...props });
  }

  /** Overhead latency in MICROseconds (not published by async endpoints). @default statistic p99 */
  public metricOverheadLatency(props?: EndpointMetricOptions): cw.Metric {
    return this.metric('OverheadLatency', { statistic: 'p99', ...props });
  }

  /** Model latency converted to milliseconds (metric math). @default statistic p99 */
  public metricModelLatencyInMillis(props?: EndpointMetricOptions): cw.MathExpression {
    const stat = props?.statistic ?? 'p99';
    const id = `latency_${stat.toLowerCase().replace(/[^a-z0-9]/g, '_')}_${(props?.variantName ?? this.primaryVariantName).toLowerCase().replace(/[^a-z0-9]/g, '_')}`;
    return new cw.MathExpression({ expression: `${id} / 1000`, usingMetrics: { [id]: this.metricModelLatency(props) }, label: `ModelLatency ${stat} (ms)`, period: props?.period });
  }

  /** Concurrent requests per model (high resolution). @default statistic Maximum */
  public metricConcurrentRequestsPerModel(props?: EndpointMetricOptions): cw.Metric {
    return this.metric('ConcurrentRequestsPerModel', { statistic: 'Maximum', ...props });
  }

  /** CPU utilisation: 100 % per vCPU (an 8-vCPU instance reports up to 800). @default statistic Average */
  public metricCpuUtilization(props?: EndpointMetricOptions): cw.Metric {
    return this.metric('CPUUtilization', { statistic: 'Average', ...props });
  }

  /** GPU utilisation: 100 % per GPU. @default statistic Average */
  public metricGpuUtilization(props?: EndpointMetricOptions): cw.Metric {
    return this.metric('GPUUtilization', { statistic: 'Average', ...props });
  }

  /** GPU memory utilisation: 100 % per GPU. @default statistic Average */
  public metricGpuMemoryUtilization(props?: EndpointMetricOptions): cw.Metric {
    return this.metric('GPUMemoryUtilization', { statistic: 'Average', ...props });
  }

  /** Memory utilisation in percent. @default statistic Average */
  public metricMemoryUtilization(props?: EndpointMetricOptions): cw.Metric {
    return this.metric('MemoryUtilization', { statistic: 'Average', ...props });
  }

  /** Disk utilisation in percent (data capture stops near 75 %+). @default statistic Average */
  public metricDiskUtilization(props?: EndpointMetricOptions): cw.Metric {
    return this.metric('DiskUtilization', { statistic: 'Average', ...props });
  }

  /** Queued async requests (async only). @default statistic Average */
  public metricApproximateBacklogSize(props?: EndpointMetricOptions): cw.Metric {
    return this.metric('ApproximateBacklogSize', { statistic: 'Average', ...props });
  }

  /** Queued async requests per instance (async only), the backlog-scaling metric. @default statistic Average */
  public metricApproximateBacklogSizePerInstance(props?: EndpointMetricOptions): cw.Metric {
    return this.metric('ApproximateBacklogSizePerInstance', { statistic: 'Average', ...props });
  }

  /** 1 when requests wait and no instance runs (async only). @default statistic Maximum */
  public metricHasBacklogWithoutCapacity(props?: EndpointMetricOptions): cw.Metric {
    return this.metric('HasBacklogWithoutCapacity', { statistic: 'Maximum', ...props });
  }

  /** Serverless cold-start time in microseconds. @default statistic Average */
  public metricModelSetupTime(props?: EndpointMetricOptions): cw.Metric {
    return this.metric('ModelSetupTime', { statistic: 'Average', ...props });
  }
}
