/**
 * The target-neutral serving model `servingstack diff` and `servingstack cost` work on: every
 * synthesized stack (a CloudFormation template or a Terraform JSON stack) becomes a list of
 * serving units (an endpoint, a deployment, a fleet) described by terms in serving vocabulary.
 */

/** Where a stack deploys to. */
export type Target = 'aws' | 'gcp' | 'onprem' | 'azure' | 'edge';

/** What a term is about: the serving vocabulary of issue 18. */
export type Aspect =
  | 'identity'
  | 'capacity'
  | 'autoscaling'
  | 'rollout'
  | 'alarm'
  | 'model'
  | 'traffic'
  | 'network'
  | 'encryption'
  | 'iam'
  | 'data-capture';

/** The class of a change: the first two gate CI (exit code 2). */
export type ChangeClass = 'security-regression' | 'replacement' | 'capacity' | 'behaviour';

export const CHANGE_CLASS_LABELS: Readonly<Record<ChangeClass, string>> = {
  'security-regression': 'security regression',
  replacement: 'replacement/downtime risk',
  capacity: 'capacity/cost change',
  behaviour: 'behaviour change',
};

export type TermValue = string | number | boolean;

/**
 * How a term bears on security:
 * - `grant`: the term exists only while something is granted or exposed (an IAM permission, a
 *   public ingress): it appearing, or its value changing, is a security regression.
 * - `protection`: the term is a protection (a KMS key, network isolation, authentication): it
 *   disappearing, or becoming `false`/`none`, is a security regression.
 */
export type SecurityRole = 'grant' | 'protection';

export interface Term {
  readonly aspect: Aspect;
  readonly value: TermValue;
  /** Class of a change of this term; defaults by aspect (see `defaultClass`). */
  readonly cls?: ChangeClass;
  readonly security?: SecurityRole;
  /** When set, changing or removing this term replaces a resource or risks a failed deployment: the reason. */
  readonly replacement?: string;
}

/** What the cost estimate needs to know about a unit. */
export interface CostInputs {
  /** `realtime` (instances), `serverless`, `async` (instances that may scale to zero), `kubernetes` (on-premise). */
  readonly mode: 'realtime' | 'serverless' | 'async' | 'kubernetes' | 'edge';
  readonly region?: string;
  /** Per instance group (variant, deployment): type and count bounds. */
  readonly instances: Array<{ readonly name: string; readonly type: string; readonly min: number; readonly max: number; readonly gpus?: number }>;
  readonly serverless?: { readonly memoryMb: number; readonly maxConcurrency: number; readonly provisionedConcurrency: number };
  /** Data capture sampling percentage (0 when off). */
  readonly dataCapturePercent: number;
  readonly alarms: number;
}

export interface ServingUnit {
  /** Stable id within its stack (logical id or Terraform address). */
  readonly id: string;
  /** Human name (endpoint name, deployment name). */
  readonly name: string;
  readonly target: Target;
  readonly kind: string;
  readonly terms: Map<string, Term>;
  cost: CostInputs;
}

export interface StackModel {
  readonly name: string;
  readonly target: Target;
  /** Serving units plus, last, a `(stack)` unit for stack-wide terms (IAM outside endpoints, keys). */
  readonly units: ServingUnit[];
  /** Stack-wide cost items: dashboards, log groups. */
  readonly dashboards: number;
  readonly logGroups: number;
}

export function newUnit(id: string, name: string, target: Target, kind: string, cost: Partial<CostInputs> = {}): ServingUnit {
  return {
    id,
    name,
    target,
    kind,
    terms: new Map(),
    cost: { mode: 'realtime', instances: [], dataCapturePercent: 0, alarms: 0, ...cost },
  };
}

/** Record a term; `undefined`/`null` values are not recorded (absent = not configured). */
export function setTerm(unit: ServingUnit, label: string, aspect: Aspect, value: TermValue | undefined | null, extra: Omit<Term, 'aspect' | 'value'> = {}): void {
  if (value === undefined || value === null) return;
  unit.terms.set(label, { aspect, value, ...extra });
}

/** The default class of a change of a term by aspect. */
export function defaultClass(aspect: Aspect): ChangeClass {
  switch (aspect) {
    case 'capacity':
      return 'capacity';
    case 'identity':
      return 'replacement';
    default:
      return 'behaviour';
  }
}
