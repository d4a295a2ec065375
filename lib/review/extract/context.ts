/**
 * The extraction context shared by the per-target extractors: the resources of one stack, the
 * serving units found so far, and which unit owns which resource.
 */
import { CostInputs, ServingUnit, StackModel, Target, newUnit } from '../model';
import { RawStack } from '../read';

/** One resource of a stack, whatever the format: a CloudFormation logical id or a Terraform address. */
export interface Resource {
  readonly id: string;
  readonly type: string;
  readonly props: Record<string, unknown>;
}

export class ExtractContext {
  public readonly units: ServingUnit[] = [];
  public readonly stackUnit: ServingUnit;
  /** Resource id (or name) → the unit it belongs to. */
  public readonly owner = new Map<string, ServingUnit>();
  /** Free-form facts extractors leave for later phases (variant of a model, autoscaled variants). */
  public readonly facts = new Map<string, unknown>();
  public dashboards = 0;
  public logGroups = 0;

  public constructor(
    public readonly stack: RawStack,
    public readonly target: Target,
    public readonly resources: ReadonlyMap<string, Resource>,
  ) {
    this.stackUnit = newUnit('(stack)', '(stack-wide)', target, 'stack', { mode: 'realtime', region: stack.region });
  }

  public addUnit(id: string, name: string, kind: string, cost: Partial<CostInputs> = {}): ServingUnit {
    const u = newUnit(id, name, this.target, kind, cost);
    this.units.push(u);
    this.owner.set(id, u);
    return u;
  }

  /** The unit owning `id`, or the unit whose name a value mentions, or the stack unit. */
  public unitFor(id: string | undefined, value?: unknown): ServingUnit {
    if (id !== undefined && this.owner.has(id)) return this.owner.get(id)!;
    if (value !== undefined) {
      const text = JSON.stringify(value);
      for (const u of this.units) {
        for (const [key, owned] of this.owner) if (owned === u && key.length > 3 && text.includes(key)) return u;
      }
    }
    return this.stackUnit;
  }

  public model(): StackModel {
    const units = [...this.units];
    if (this.stackUnit.terms.size > 0) units.push(this.stackUnit);
    return { name: this.stack.name, target: this.target, units, dashboards: this.dashboards, logGroups: this.logGroups };
  }
}

/** An extractor for one resource type; lower phases run first (units before what attaches to them). */
export interface Extractor {
  /** A number, or per resource when one Terraform type carries many kinds (azapi_resource). */
  readonly phase: number | ((r: Resource) => number);
  extract(ctx: ExtractContext, r: Resource): void;
}

export function phaseOf(e: Extractor, r: Resource): number {
  return typeof e.phase === 'number' ? e.phase : e.phase(r);
}
