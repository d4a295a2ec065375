/**
 * How a model version is deployed to the endpoint (Vertex `DeployedModel.dedicated_resources`):
 * machine, accelerators, replica bounds and autoscaling targets. The stack validates these at
 * synth and hands them to the rollout through its outputs; the rollout validates them again
 * (same function) before its first API call when they come from flags. No cdktf imports.
 */
import { AcceleratorType } from './accelerator-type';
import { MACHINE_FAMILIES_ALLOWED, MachineType, N1_ATTACHABLE } from './machine-type';
import { Checker } from './private/errors';

/** Vertex AI autoscaling metric names (`AutoscalingMetricSpec.metric_name`). */
export const AUTOSCALING_METRICS = {
  cpu: 'aiplatform.googleapis.com/prediction/online/cpu/utilization',
  acceleratorDutyCycle: 'aiplatform.googleapis.com/prediction/online/accelerator/duty_cycle',
  requestCount: 'aiplatform.googleapis.com/prediction/online/request_count',
} as const;

/** Upper bound this library accepts for max replicas (a guard against typos, not a Vertex quota). */
export const MAX_REPLICAS_LIMIT = 1000;

/** Deployment resources, as construct props (jsii struct). */
export interface DeploymentResources {
  /** Machine type of every replica. */
  readonly machineType: MachineType;
  /**
   * Accelerator attached to every replica. Accelerator-optimised machines (a2, a3, a4, g2, ct5lp)
   * come with theirs; n1 machines take T4, P4, P100 or V100.
   * @default - the machine type's built-in accelerator, or none
   */
  readonly acceleratorType?: AcceleratorType;
  /**
   * Accelerators per replica.
   * @default - the machine type's built-in count; 1 when `acceleratorType` is set on n1
   */
  readonly acceleratorCount?: number;
  /**
   * Replicas always running (Vertex requires at least 1 for dedicated resources).
   * @default 1
   */
  readonly minReplicaCount?: number;
  /**
   * Upper bound for autoscaling.
   * @default - `minReplicaCount` (no autoscaling)
   */
  readonly maxReplicaCount?: number;
  /**
   * Target CPU utilisation (1–100 %) for autoscaling.
   * @default - Vertex's default: 60 % CPU (and 60 % duty cycle with accelerators)
   */
  readonly targetCpuUtilizationPercent?: number;
  /**
   * Target accelerator duty cycle (1–100 %) for autoscaling; only with accelerators.
   * @default - Vertex's default (60 % when accelerators are attached)
   */
  readonly targetAcceleratorDutyCyclePercent?: number;
  /**
   * Target of `prediction/online/request_count` per replica for autoscaling.
   * @default - not used
   */
  readonly targetRequestCountPerReplica?: number;
  /**
   * Run replicas on Spot VMs.
   * @default false
   */
  readonly spot?: boolean;
}

/** The same, as plain data (flags, JSON stack outputs). */
export interface DeploymentInput {
  readonly machineType: string;
  readonly acceleratorType?: string;
  readonly acceleratorCount?: number;
  readonly minReplicaCount?: number;
  readonly maxReplicaCount?: number;
  readonly targetCpuUtilizationPercent?: number;
  readonly targetAcceleratorDutyCyclePercent?: number;
  readonly targetRequestCountPerReplica?: number;
  readonly spot?: boolean;
}

/** One Vertex `AutoscalingMetricSpec`. */
export interface AutoscalingMetricSpec {
  /** e.g. `aiplatform.googleapis.com/prediction/online/cpu/utilization`. */
  readonly metricName: string;
  /** Target value (percent for utilisation and duty cycle). */
  readonly target: number;
}

/** Validated, defaults applied: what the rollout sends as `dedicated_resources`. */
export interface DeploymentSpec {
  readonly machineType: string;
  readonly acceleratorType?: string;
  readonly acceleratorCount: number;
  readonly minReplicaCount: number;
  readonly maxReplicaCount: number;
  readonly autoscalingMetricSpecs: readonly AutoscalingMetricSpec[];
  readonly spot: boolean;
}

export function deploymentInputOf(r: DeploymentResources): DeploymentInput {
  return {
    machineType: r.machineType.name,
    acceleratorType: r.acceleratorType?.name,
    acceleratorCount: r.acceleratorCount,
    minReplicaCount: r.minReplicaCount,
    maxReplicaCount: r.maxReplicaCount,
    targetCpuUtilizationPercent: r.targetCpuUtilizationPercent,
    targetAcceleratorDutyCyclePercent: r.targetAcceleratorDutyCyclePercent,
    targetRequestCountPerReplica: r.targetRequestCountPerReplica,
    spot: r.spot,
  };
}

/**
 * Validate machine/accelerator compatibility, replica bounds and autoscaling targets; record every
 * problem on `c` (fields prefixed with `prefix`) and return the resolved spec.
 */
export function resolveDeployment(input: DeploymentInput, c: Checker, prefix = 'deployment'): DeploymentSpec {
  const f = (name: string): string => `${prefix}.${name}`;
  const machine = MachineType.of(input.machineType);
  const knownMachine = c.check(machine.isKnown, {
    field: f('machineType'),
    message: 'is not a machine type Vertex AI prediction serves on',
    received: input.machineType,
    allowed: MACHINE_FAMILIES_ALLOWED,
  });
  let accelerator = input.acceleratorType === undefined ? undefined : AcceleratorType.of(input.acceleratorType);
  if (accelerator && !accelerator.isKnown) {
    c.add({ field: f('acceleratorType'), message: 'is not a known accelerator type', received: input.acceleratorType, allowed: AcceleratorType.all().map((a) => a.name).join(', ') });
  }
  let count = input.acceleratorCount;
  const builtIn = machine.builtInAccelerator;
  if (knownMachine && builtIn) {
    if (accelerator && accelerator.isKnown) {
      c.check(accelerator.name === builtIn.name, {
        field: f('acceleratorType'),
        message: `does not match ${machine.name}, which comes with ${builtIn.name}`,
        received: accelerator.name,
        allowed: `${builtIn.name} (or leave it unset)`,
      });
    }
    if (count !== undefined) {
      c.check(count === machine.builtInAcceleratorCount, {
        field: f('acceleratorCount'),
        message: `does not match ${machine.name}, which comes with ${machine.builtInAcceleratorCount} × ${builtIn.name}`,
        received: count,
        allowed: `${machine.builtInAcceleratorCount} (or leave it unset)`,
      });
    }
    accelerator = builtIn;
    count = machine.builtInAcceleratorCount;
  } else if (knownMachine && machine.acceptsAttachedGpus) {
    if (accelerator && accelerator.isKnown) {
      const counts = N1_ATTACHABLE.get(accelerator.name);
      if (c.check(counts !== undefined, {
        field: f('acceleratorType'),
        message: `cannot be attached to ${machine.name}`,
        received: accelerator.name,
        allowed: `${[...N1_ATTACHABLE.keys()].join(', ')} on n1; other accelerators come with their machine family (a2, a3, a4, g2, ct5lp)`,
      }) && counts) {
        count = count ?? 1;
        c.check(counts.includes(count), { field: f('acceleratorCount'), message: `is not a valid count of ${accelerator.name} on n1`, received: count, allowed: counts.join(', ') });
      }
    } else if (!accelerator) {
      c.check(count === undefined || count === 0, { field: f('acceleratorCount'), message: 'is set without an acceleratorType', received: count, allowed: '0 or unset, or also set acceleratorType' });
      count = 0;
    }
  } else if (knownMachine) {
    c.check(accelerator === undefined, {
      field: f('acceleratorType'),
      message: `cannot be used with ${machine.name}: the ${machine.family} family takes no accelerators`,
      received: accelerator?.name,
      allowed: 'unset, or an n1 machine with T4/P4/P100/V100, or an accelerator-optimised machine (g2 for L4, a2 for A100, a3 for H100)',
    });
    c.check(count === undefined || count === 0, { field: f('acceleratorCount'), message: `cannot be used with ${machine.name}`, received: count, allowed: '0 or unset' });
    count = 0;
  }
  const min = input.minReplicaCount ?? 1;
  const max = input.maxReplicaCount ?? min;
  c.intRange(f('minReplicaCount'), min, 1, MAX_REPLICAS_LIMIT);
  if (input.maxReplicaCount !== undefined && c.intRange(f('maxReplicaCount'), max, 1, MAX_REPLICAS_LIMIT) && Number.isInteger(min) && !c.isUnresolved(min) && !c.isUnresolved(max)) {
    c.check(max >= min, { field: f('maxReplicaCount'), message: `is below minReplicaCount (${min})`, received: max, allowed: `a whole number from ${min} to ${MAX_REPLICAS_LIMIT}` });
  }
  const specs: AutoscalingMetricSpec[] = [];
  if (input.targetCpuUtilizationPercent !== undefined) {
    c.intRange(f('targetCpuUtilizationPercent'), input.targetCpuUtilizationPercent, 1, 100, '%');
    specs.push({ metricName: AUTOSCALING_METRICS.cpu, target: input.targetCpuUtilizationPercent });
  }
  if (input.targetAcceleratorDutyCyclePercent !== undefined) {
    c.intRange(f('targetAcceleratorDutyCyclePercent'), input.targetAcceleratorDutyCyclePercent, 1, 100, '%');
    c.check((count ?? 0) > 0, {
      field: f('targetAcceleratorDutyCyclePercent'),
      message: 'needs accelerators, and this deployment has none',
      received: input.targetAcceleratorDutyCyclePercent,
      allowed: 'unset, or an accelerator on the machine',
    });
    specs.push({ metricName: AUTOSCALING_METRICS.acceleratorDutyCycle, target: input.targetAcceleratorDutyCyclePercent });
  }
  if (input.targetRequestCountPerReplica !== undefined) {
    c.intRange(f('targetRequestCountPerReplica'), input.targetRequestCountPerReplica, 1, 1_000_000);
    specs.push({ metricName: AUTOSCALING_METRICS.requestCount, target: input.targetRequestCountPerReplica });
  }
  return {
    machineType: input.machineType,
    acceleratorType: (count ?? 0) > 0 ? accelerator?.name : undefined,
    acceleratorCount: count ?? 0,
    minReplicaCount: min,
    maxReplicaCount: max,
    autoscalingMetricSpecs: specs,
    spot: input.spot ?? false,
  };
}
