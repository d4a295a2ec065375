import { Construct, IConstruct } from 'constructs';
import { TerraformStack, Token } from '../cdktf/binding';
import { GoogleProvider } from '../cdktf/google';
import { ServingStackError } from '../../lib/core/errors';
import { Checker, GCP_ERRORS, checkLabels } from './private/errors';
import { VERTEX_REGIONS_ALLOWED, isVertexRegion } from './regions';

const STACK_BRAND = Symbol.for('servingstack.gcp.VertexServingStack');

export interface VertexServingStackProps {
  /** Google Cloud project ID every resource is created in. */
  readonly project: string;
  /** Vertex AI region, e.g. `europe-west4`. Every regional resource lives there. */
  readonly region: string;
  /**
   * The project number. Needed to grant Google's service agents (Cloud Storage, Artifact
   * Registry, Vertex AI) use of a CMEK key, and to name the network of a VPC-peered endpoint.
   * @default - none; required when a CMEK key or VPC peering is used
   */
  readonly projectNumber?: string;
  /**
   * Labels the provider adds to every resource that takes labels.
   * @default - `{ "managed-by": "servingstack" }`
   */
  readonly defaultLabels?: { readonly [key: string]: string };
}

/**
 * The deploy unit of the GCP target: a Terraform stack that owns the google provider (project,
 * region, default labels). Constructs never create providers; they find their stack with
 * `VertexServingStack.of(this)`.
 */
export class VertexServingStack extends TerraformStack {
  /** The VertexServingStack `construct` belongs to; throws naming the construct path when none. */
  public static override of(construct: IConstruct): VertexServingStack {
    for (let s: IConstruct | undefined = construct; s; s = s.node.scope) {
      if ((s as unknown as Record<symbol, unknown>)[STACK_BRAND] === true) return s as VertexServingStack;
    }
    throw new ServingStackError(GCP_ERRORS.STACK, `${construct.node.path} is not inside a VertexServingStack`, [
      { field: 'scope', message: 'the GCP constructs need a VertexServingStack above them (it owns the google provider, project and region)', allowed: 'new VertexServingStack(app, id, { project, region })' },
    ]);
  }

  public readonly project: string;
  public readonly region: string;
  public readonly projectNumber?: string;
  public readonly provider: GoogleProvider;

  constructor(scope: Construct, id: string, props: VertexServingStackProps) {
    super(scope, id);
    Object.defineProperty(this, STACK_BRAND, { value: true });
    const c = new Checker(GCP_ERRORS.STACK, `VertexServingStack ${id} is invalid`, (v) => Token.isUnresolved(v));
    c.pattern('project', props.project, /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, 'a project ID: 6–30 lower-case letters, digits and dashes, starting with a letter');
    if (!Token.isUnresolved(props.region)) {
      c.check(isVertexRegion(props.region), { field: 'region', message: 'is not a region Vertex AI prediction is offered in', received: props.region, allowed: VERTEX_REGIONS_ALLOWED });
    }
    c.pattern('projectNumber', props.projectNumber, /^[1-9][0-9]{5,18}$/, 'the numeric project number');
    checkLabels(c, 'defaultLabels', props.defaultLabels);
    c.throwIfAny();
    this.project = props.project;
    this.region = props.region;
    this.projectNumber = props.projectNumber;
    this.provider = new GoogleProvider(this, 'google', { project: props.project, region: props.region });
    // Set through an override: cdktf snake-cases the keys of the provider's defaultLabels map
    // (`managed-by` would become `managed_by`).
    this.provider.addOverride('default_labels', props.defaultLabels ?? { 'managed-by': 'servingstack' });
  }
}
