import { Construct } from 'constructs';
import { AzureServingStack } from './azure-serving-stack';
import type { AutoscaleProfileBody, ScaleRuleBody } from './azapi/bodies';
import type { OnlineDeployment } from './online-deployment';
import type { OnlineEndpoint } from './online-endpoint';
import { AzapiResource, Token } from './private/binding';
import { DEPLOYMENT_METRICS, DEPLOYMENT_NAMESPACE, ENDPOINT_METRICS, ENDPOINT_NAMESPACE } from './private/azure-metrics';
import { AzureErrorCodes, Checker } from './private/errors';

/** A day of the week, as autoscale recurrences name it. */
export class DayOfWeek {
  public static readonly MONDAY = new DayOfWeek('Monday');
  public static readonly TUESDAY = new DayOfWeek('Tuesday');
  public static readonly WEDNESDAY = new DayOfWeek('Wednesday');
  public static readonly THURSDAY = new DayOfWeek('Thursday');
  public static readonly FRIDAY = new DayOfWeek('Friday');
  public static readonly SATURDAY = new DayOfWeek('Saturday');
  public static readonly SUNDAY = new DayOfWeek('Sunday');

  /** Monday to Friday. */
  public static weekdays(): readonly DayOfWeek[] {
    return [DayOfWeek.MONDAY, DayOfWeek.TUESDAY, DayOfWeek.WEDNESDAY, DayOfWeek.THURSDAY, DayOfWeek.FRIDAY];
  }

  private constructor(
    /** The day's name as ARM writes it, e.g. `Monday`. */
    public readonly name: string,
  ) {}

  public toString(): string {
    return this.name;
  }
}

export interface CpuScalingOptions {
  /** Scale out when average CPU is above this (1–100 %). @default 70 */
  readonly scaleOutAbovePercent?: number;
  /** Scale in when average CPU is below this; must be below the scale-out threshold. @default 30 */
  readonly scaleInBelowPercent?: number;
  /** Instances added per scale-out. @default 2 */
  readonly scaleOutBy?: number;
  /** Instances removed per scale-in. @default 1 */
  readonly scaleInBy?: number;
}

export interface LatencyScalingOptions {
  /** Scale out when the endpoint's average request latency is above this (ms). */
  readonly scaleOutAboveMillis: number;
  /** Instances added. @default 1 */
  readonly scaleOutBy?: number;
}

export interface ScheduleOptions {
  /** Profile name. */
  readonly name: string;
  /** Days the profile starts on. */
  readonly days: readonly DayOfWeek[];
  /** Start time: hour (0–23) and minute (0–59), in `timeZone`. */
  readonly hour: number;
  /** @default 0 */
  readonly minute?: number;
  /** Windows time zone name. @default 'UTC' */
  readonly timeZone?: string;
  readonly minInstances: number;
  readonly maxInstances: number;
  /** @default - minInstances */
  readonly defaultInstances?: number;
}

export interface DeploymentAutoscaleOptions {
  /** Fewest instances (managed online deployments cannot scale to zero). */
  readonly minInstances: number;
  readonly maxInstances: number;
  /** Instances when metrics are missing (also the deployment's initial count). @default - minInstances */
  readonly defaultInstances?: number;
  /** @default - the defaults of CpuScalingOptions */
  readonly cpu?: CpuScalingOptions;
  /** @default - no latency rule */
  readonly latency?: LatencyScalingOptions;
  /** Recurring profiles with their own bounds (e.g. business hours). @default - none */
  readonly schedules?: readonly ScheduleOptions[];
  /** Minutes a metric is averaged over (5–720). @default 5 */
  readonly windowMinutes?: number;
  /** Minutes to wait after a scale action (1–10080). @default 5 */
  readonly cooldownMinutes?: number;
}

export interface DeploymentAutoscaleProps extends DeploymentAutoscaleOptions {
  readonly endpoint: OnlineEndpoint;
  readonly deployment: OnlineDeployment;
  /** Largest instance count the deployment accepts. @default 50 */
  readonly instanceLimit?: number;
}

/**
 * `Microsoft.Insights/autoscaleSettings` on a deployment (how-to-autoscale-endpoints): CPU on the
 * deployment, request latency on the endpoint, and scheduled profiles. The deployment then
 * ignores later changes to `body.sku.capacity`, so the next apply keeps autoscale's count.
 */
export class DeploymentAutoscale extends Construct {
  public readonly resource: AzapiResource;
  /** ARM ID of the autoscale setting (its `ObservedCapacity` metric drives the capacity alert). */
  public readonly autoscaleSettingId: string;
  /** The default profile's bounds (schedules may set others). */
  public readonly minInstances: number;
  public readonly maxInstances: number;

  constructor(scope: Construct, id: string, props: DeploymentAutoscaleProps) {
    super(scope, id);
    const stack = AzureServingStack.of(this);
    const limit = props.instanceLimit ?? 50;
    const c = new Checker(AzureErrorCodes.AUTOSCALE, `DeploymentAutoscale at ${this.node.path} is invalid`, (v) => Token.isUnresolved(v));
    const bounds = (field: string, min: number, max: number, def: number): void => {
      c.intRange(`${field}minInstances`, min, 1, limit);
      c.intRange(`${field}maxInstances`, max, 1, limit);
      c.intRange(`${field}defaultInstances`, def, 1, limit);
      c.check(min <= def && def <= max, { field: `${field}defaultInstances`, message: 'is not between the minimum and maximum', received: { minInstances: min, defaultInstances: def, maxInstances: max }, allowed: 'minInstances ≤ defaultInstances ≤ maxInstances' });
    };
    const def = props.defaultInstances ?? props.minInstances;
    bounds('', props.minInstances, props.maxInstances, def);
    c.check(props.deployment.instanceCount === def, { field: 'instanceCount', message: "differs from autoscale's default instance count", received: props.deployment.instanceCount, allowed: `${def} (or leave instanceCount unset)` });
    const cpu = props.cpu ?? {};
    const outAbove = cpu.scaleOutAbovePercent ?? 70;
    const inBelow = cpu.scaleInBelowPercent ?? 30;
    c.numberRange('cpu.scaleOutAbovePercent', outAbove, 1, 100, '%');
    c.numberRange('cpu.scaleInBelowPercent', inBelow, 0, 100, '%');
    c.check(inBelow < outAbove, { field: 'cpu.scaleInBelowPercent', message: 'is not below the scale-out threshold (the count would flap)', received: { scaleInBelowPercent: inBelow, scaleOutAbovePercent: outAbove }, allowed: 'scaleInBelowPercent < scaleOutAbovePercent' });
    c.intRange('cpu.scaleOutBy', cpu.scaleOutBy ?? 2, 1, limit);
    c.intRange('cpu.scaleInBy', cpu.scaleInBy ?? 1, 1, limit);
    if (props.latency) {
      c.intRange('latency.scaleOutAboveMillis', props.latency.scaleOutAboveMillis, 1, 180_000, 'ms');
      c.intRange('latency.scaleOutBy', props.latency.scaleOutBy ?? 1, 1, limit);
    }
    const window = props.windowMinutes ?? 5;
    const cooldown = props.cooldownMinutes ?? 5;
    c.intRange('windowMinutes', window, 5, 720, 'minutes');
    c.intRange('cooldownMinutes', cooldown, 1, 10080, 'minutes');
    const names = new Set<string>(['default']);
    (props.schedules ?? []).forEach((s, i) => {
      const f = `schedules[${i}].`;
      c.check(!names.has(s.name), { field: `${f}name`, message: 'duplicates another profile name', received: s.name, allowed: 'unique names other than "default"' });
      names.add(s.name);
      c.check(s.days.length > 0 && s.days.every((d) => d instanceof DayOfWeek), { field: `${f}days`, message: 'are not days of the week', received: s.days.map(String), allowed: 'one or more DayOfWeek constants (DayOfWeek.MONDAY … DayOfWeek.SUNDAY)' });
      c.intRange(`${f}hour`, s.hour, 0, 23);
      c.intRange(`${f}minute`, s.minute ?? 0, 0, 59);
      bounds(f, s.minInstances, s.maxInstances, s.defaultInstances ?? s.minInstances);
    });
    c.throwIfAny();

    const deploymentId = props.deployment.deploymentId;
    const trigger = (metricName: string, namespace: string, resourceUri: string, operator: 'GreaterThan' | 'LessThan', threshold: number) => ({
      metricName, metricNamespace: namespace, metricResourceUri: resourceUri, timeGrain: 'PT1M', statistic: 'Average' as const,
      timeWindow: `PT${window}M`, timeAggregation: 'Average' as const, operator, threshold,
    });
    const action = (direction: 'Increase' | 'Decrease', by: number) => ({ direction, type: 'ChangeCount' as const, value: String(by), cooldown: `PT${cooldown}M` });
    const rules: ScaleRuleBody[] = [
      { metricTrigger: trigger(DEPLOYMENT_METRICS.cpu, DEPLOYMENT_NAMESPACE, deploymentId, 'GreaterThan', outAbove), scaleAction: action('Increase', cpu.scaleOutBy ?? 2) },
      { metricTrigger: trigger(DEPLOYMENT_METRICS.cpu, DEPLOYMENT_NAMESPACE, deploymentId, 'LessThan', inBelow), scaleAction: action('Decrease', cpu.scaleInBy ?? 1) },
    ];
    if (props.latency) {
      rules.push({ metricTrigger: trigger(ENDPOINT_METRICS.requestLatency, ENDPOINT_NAMESPACE, props.endpoint.endpointId, 'GreaterThan', props.latency.scaleOutAboveMillis), scaleAction: action('Increase', props.latency.scaleOutBy ?? 1) });
    }
    const capacity = (min: number, max: number, d: number) => ({ minimum: String(min), maximum: String(max), default: String(d) });
    const profiles: AutoscaleProfileBody[] = [
      { name: 'default', capacity: capacity(props.minInstances, props.maxInstances, def), rules },
      ...(props.schedules ?? []).map((s) => ({
        name: s.name,
        capacity: capacity(s.minInstances, s.maxInstances, s.defaultInstances ?? s.minInstances),
        rules,
        recurrence: { frequency: 'Week' as const, schedule: { timeZone: s.timeZone ?? 'UTC', days: s.days.map((d) => d.name), hours: [s.hour], minutes: [s.minute ?? 0] } },
      })),
    ];
    const name = `${props.endpoint.endpointName}-${props.deployment.deploymentName}-autoscale`;
    this.resource = stack.resource(this, 'Resource', 'autoscaleSetting', {
      name,
      parentId: stack.resourceGroupId,
      location: stack.location,
      body: { properties: { name, enabled: true, targetResourceUri: deploymentId, profiles, notifications: [] } },
      dependsOn: [props.deployment.resource],
    });
    this.autoscaleSettingId = this.resource.id;
    this.minInstances = props.minInstances;
    this.maxInstances = props.maxInstances;
  }
}
