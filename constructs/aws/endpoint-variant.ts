/**
 * A variant as its endpoint knows it: the facts it was added with, its metrics and its
 * autoscaling. `Endpoint.addInstanceVariant()` and friends return one.
 */
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import type { IEndpoint } from './endpoint-base';
import { AwsErrorCodes } from './errors';
import { InstanceType } from './instance-type';
import type { IModel } from './model';
import { Checker } from './private/errors';
import { ManagedInstanceScaling, ProductionVariant } from './variant';
import { VariantAutoScaling } from './variant-auto-scaling';

/** Capacity bounds of a variant's autoscaling. */
export interface VariantCapacityProps {
  /**
   * Fewest instances (serverless: provisioned concurrency). 0 only for asynchronous endpoints.
   * @default - the variant's initial instance count (serverless: its provisioned concurrency)
   */
  readonly minCapacity?: number;
  /** Most instances (serverless: provisioned concurrency). */
  readonly maxCapacity: number;
}

/** One variant of an endpoint, with its metrics and autoscaling helpers. */
export class EndpointVariant implements ProductionVariant {
  public readonly variantName: string;
  public readonly instanceType?: InstanceType;
  public readonly initialInstanceCount?: number;
  public readonly serverless: boolean;
  public readonly shadow: boolean;
  public readonly hostsInferenceComponents: boolean;
  public readonly model?: IModel;
  public readonly maxConcurrency?: number;
  public readonly provisionedConcurrency?: number;
  public readonly managedInstanceScaling?: ManagedInstanceScaling;

  constructor(
    /** The endpoint the variant belongs to. */
    public readonly endpoint: IEndpoint,
    facts: ProductionVariant,
  ) {
    this.variantName = facts.variantName;
    this.instanceType = facts.instanceType;
    this.initialInstanceCount = facts.initialInstanceCount;
    this.serverless = facts.serverless ?? false;
    this.shadow = facts.shadow ?? false;
    this.hostsInferenceComponents = facts.hostsInferenceComponents ?? false;
    this.model = facts.model;
    this.maxConcurrency = facts.maxConcurrency;
    this.provisionedConcurrency = facts.provisionedConcurrency;
    this.managedInstanceScaling = facts.managedInstanceScaling;
  }

  /**
   * Autoscale the instance count (`VariantAutoScaling` named `Scaling<variant>` in the endpoint);
   * add target-tracking, backlog or scheduled policies to what it returns.
   */
  public autoScaleInstanceCount(props: VariantCapacityProps): VariantAutoScaling {
    return this.autoScale('autoScaleInstanceCount', false, props);
  }

  /** Autoscale a serverless variant's provisioned concurrency. */
  public autoScaleProvisionedConcurrency(props: VariantCapacityProps): VariantAutoScaling {
    return this.autoScale('autoScaleProvisionedConcurrency', true, props);
  }

  /** A metric of this variant (namespaces and dimensions as {@link EndpointBase.metric}). */
  public metric(metricName: string, props?: cw.MetricOptions): cw.Metric {
    return this.endpoint.metric(metricName, { ...props, variantName: this.variantName });
  }

  /** Requests (Sum). */
  public metricInvocations(props?: cw.MetricOptions): cw.Metric {
    return this.endpoint.metricInvocations({ ...props, variantName: this.variantName });
  }

  /** Requests per instance (Sum). */
  public metricInvocationsPerInstance(props?: cw.MetricOptions): cw.Metric {
    return this.endpoint.metricInvocationsPerInstance({ ...props, variantName: this.variantName });
  }

  /** 4XX answers; Average is the rate (0–1). */
  public metricInvocation4xxErrors(props?: cw.MetricOptions): cw.Metric {
    return this.endpoint.metricInvocation4xxErrors({ ...props, variantName: this.variantName });
  }

  /** 5XX answers; Average is the rate (0–1). */
  public metricInvocation5xxErrors(props?: cw.MetricOptions): cw.Metric {
    return this.endpoint.metricInvocation5xxErrors({ ...props, variantName: this.variantName });
  }

  /** Model latency in microseconds (p99). */
  public metricModelLatency(props?: cw.MetricOptions): cw.Metric {
    return this.endpoint.metricModelLatency({ ...props, variantName: this.variantName });
  }

  /** Model latency in milliseconds (metric math, p99). */
  public metricModelLatencyInMillis(props?: cw.MetricOptions): cw.MathExpression {
    return this.endpoint.metricModelLatencyInMillis({ ...props, variantName: this.variantName });
  }

  /** Overhead latency in microseconds (p99). */
  public metricOverheadLatency(props?: cw.MetricOptions): cw.Metric {
    return this.endpoint.metricOverheadLatency({ ...props, variantName: this.variantName });
  }

  /** Concurrent requests per model (Maximum). */
  public metricConcurrentRequestsPerModel(props?: cw.MetricOptions): cw.Metric {
    return this.endpoint.metricConcurrentRequestsPerModel({ ...props, variantName: this.variantName });
  }

  /** CPU utilisation, 100 % per vCPU (Average). */
  public metricCpuUtilization(props?: cw.MetricOptions): cw.Metric {
    return this.endpoint.metricCpuUtilization({ ...props, variantName: this.variantName });
  }

  /** GPU utilisation, 100 % per GPU (Average). */
  public metricGpuUtilization(props?: cw.MetricOptions): cw.Metric {
    return this.endpoint.metricGpuUtilization({ ...props, variantName: this.variantName });
  }

  /** GPU memory utilisation, 100 % per GPU (Average). */
  public metricGpuMemoryUtilization(props?: cw.MetricOptions): cw.Metric {
    return this.endpoint.metricGpuMemoryUtilization({ ...props, variantName: this.variantName });
  }

  /** Memory utilisation in percent (Average). */
  public metricMemoryUtilization(props?: cw.MetricOptions): cw.Metric {
    return this.endpoint.metricMemoryUtilization({ ...props, variantName: this.variantName });
  }

  /** Disk utilisation in percent (Average). */
  public metricDiskUtilization(props?: cw.MetricOptions): cw.Metric {
    return this.endpoint.metricDiskUtilization({ ...props, variantName: this.variantName });
  }

  /** Serverless cold-start time in microseconds (Average). */
  public metricModelSetupTime(props?: cw.MetricOptions): cw.Metric {
    return this.endpoint.metricModelSetupTime({ ...props, variantName: this.variantName });
  }

  private autoScale(method: string, serverless: boolean, props: VariantCapacityProps): VariantAutoScaling {
    const id = `Scaling${this.variantName}`;
    const checker = new Checker(this.endpoint, `${method}() of variant ${this.variantName}`, AwsErrorCodes.SCALING_POLICY);
    checker.check(this.serverless === serverless, {
      field: method, message: serverless ? 'only serverless variants have provisioned concurrency' : 'serverless variants scale provisioned concurrency', received: this.serverless ? 'a serverless variant' : this.instanceType?.toString(), allowed: serverless ? 'autoScaleInstanceCount()' : 'autoScaleProvisionedConcurrency()',
    });
    const existing = VariantAutoScaling.of(this.endpoint, this.variantName);
    checker.check(existing === undefined, { field: method, message: 'the variant is autoscaled already', received: existing?.node.path, allowed: 'one autoscaling per variant: add policies to the VariantAutoScaling that scales it' });
    checker.throwIfAny();
    return new VariantAutoScaling(this.endpoint, id, { endpoint: this.endpoint, variantName: this.variantName, minCapacity: props.minCapacity, maxCapacity: props.maxCapacity });
  }
}
