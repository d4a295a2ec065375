/**
 * Safe rollout by composition: a stable and a canary track (two ModelServers) of one service,
 * sharing one auth Secret, with weighted routing at the ingress (ingress-nginx canary
 * annotations), driven by a state file that `servingstack onprem promote|rollback` edits (the
 * planner and executor in rollout/).
 *
 * - The canary's Deployment must finish rolling out (`wait_for_rollout`) before its Ingress —
 *   and so its traffic share — is created or changed.
 * - Both tracks roll with `maxUnavailable: 0`: an old pod is removed only once its replacement
 *   is Ready, so the old version keeps serving until the new one is healthy.
 * - In-cluster callers of the `<name>` Service always reach the stable track; only ingress
 *   traffic is split.
 */
import { Construct } from 'constructs';
import { IngressV1 } from './private/binding';
import { ModelServer } from './model-server';
import { IngressOptions, ServerOptions } from './model-server-options';
import { ModelSource, S3ModelSourceOptions } from './model-source';
import { Checker, ONPREM_ERRORS, defaultName } from './private/checker';
import { RolloutState, validateRolloutState } from './rollout/planner';
import { ServingAuth } from './serving-auth';
import { ServingNamespace } from './serving-namespace';

/** ingress-nginx annotations that make an Ingress a weighted canary of its host's main Ingress. */
export const CANARY_ANNOTATIONS = {
  canary: 'nginx.ingress.kubernetes.io/canary',
  weight: 'nginx.ingress.kubernetes.io/canary-weight',
} as const;

export interface CanaryRolloutProps extends ServerOptions {
  readonly namespace: ServingNamespace;
  /** The rollout state (usually read from the state file the rollout command maintains). */
  readonly state: RolloutState;
  /** Ingress of the service; the canary's weighted Ingress shares its host. */
  readonly ingress: IngressOptions;
  /**
   * Store options for the `s3://` model URIs in the state.
   * @default - AWS S3, no credentials
   */
  readonly modelStore?: S3ModelSourceOptions;
  /**
   * Service name; the canary track is `<name>-canary`.
   * @default - from the construct id, kebab-cased
   */
  readonly name?: string;
}

export class CanaryRollout extends Construct {
  public readonly name: string;
  public readonly stable: ModelServer;
  public readonly canary?: ModelServer;
  /** The canary's weighted Ingress, when a canary is defined. */
  public readonly canaryIngress?: IngressV1;

  constructor(scope: Construct, id: string, props: CanaryRolloutProps) {
    super(scope, id);
    this.name = props.name ?? defaultName(id);
    const checker = new Checker(this, ONPREM_ERRORS.ROLLOUT, 'CanaryRollout');
    checker.check(this.name.length <= 56, { field: 'name', message: 'leaves no room for the -canary suffix', received: this.name, allowed: 'at most 56 characters' });
    for (const issue of validateRolloutState(props.state)) checker.add(issue);
    checker.throwIfAny();

    const { state, modelStore, ingress, namespace, name: _name, auth: _auth, ...options } = props;
    // Both tracks answer the same clients: one Secret, bound here, mounted by both.
    const bound = props.container.isServingStackRuntime ? (props.auth ?? ServingAuth.generated())._bind(this, { namespace, appName: this.name, adminToken: props.monitoring?.scrapeToken }) : undefined;
    const auth = bound ? ServingAuth._fromBound(bound) : ServingAuth.disabled();
    this.stable = new ModelServer(this, 'Stable', {
      ...options,
      auth,
      namespace,
      name: this.name,
      appName: this.name,
      track: 'stable',
      model: ModelSource.fromUri(state.stableModelUri, modelStore),
      modelVersion: state.stableVersion,
      ingress,
    });
    if (state.canaryVersion !== undefined && state.canaryModelUri !== undefined) {
      this.canary = new ModelServer(this, 'Canary', {
        ...options,
        auth,
        namespace,
        name: `${this.name}-canary`,
        appName: this.name,
        track: 'canary',
        model: ModelSource.fromUri(state.canaryModelUri, modelStore),
        modelVersion: state.canaryVersion,
      });
      this.canaryIngress = this.canary.exposeViaIngress(
        { ...ingress, tlsSecretName: ingress.tlsSecretName ?? `${this.name}-tls` },
        { [CANARY_ANNOTATIONS.canary]: 'true', [CANARY_ANNOTATIONS.weight]: String(state.canaryWeight ?? 0) },
      );
      // The main Ingress must exist before ingress-nginx accepts a canary for the host.
      this.canaryIngress.dependsOn = [...(this.canaryIngress.dependsOn ?? []), ...this.stable.ingressResources.map((i) => `${i.terraformResourceType}.${i.friendlyUniqueId}`)];
    }
  }
}
