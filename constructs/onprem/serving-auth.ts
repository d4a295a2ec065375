/**
 * Authentication of the serving pods, on by default: Kubernetes clusters give the runtime no
 * platform authentication (unlike SageMaker, Vertex AI and Azure ML, which stay on theirs).
 *
 * The tokens live in a Kubernetes Secret mounted read-only into the pod; the runtime reads them
 * from the files `SERVINGSTACK_AUTH_TOKEN_FILE` (inference routes) and
 * `SERVINGSTACK_ADMIN_TOKEN_FILE` (admin routes: multi-model load/unload, repository, feedback,
 * metrics) name, and accepts `Authorization: Bearer <token>` or `x-api-key: <token>`.
 *
 * `ServingAuth.generated()` (the default) creates the Secret with random tokens made by Terraform
 * at apply time: each is `uuid()` twice, dashes removed (64 hex characters, 244 random bits from
 * Go's crypto/rand), with `lifecycle.ignore_changes = [data]` so later plans keep them. The
 * synthesized JSON holds only the expression; the values live in the Terraform state (keep the
 * state encrypted, as for any Terraform-managed secret) and in the cluster. Pass
 * `ServingAuth.fromSecret()` to manage the Secret yourself (External Secrets, Vault, sealed
 * secrets) so no token ever enters the Terraform state. The admin token, when a `ServingMonitoring`
 * is given, is the scrape token of its Prometheus, so metrics are scraped in-cluster with it.
 */
import { Construct } from 'constructs';
import { OnPremServingStack } from './onprem-serving-stack';
import { SecretV1 } from './private/binding';
import { randomToken } from './private/tokens';
import type { ServingNamespace } from './serving-namespace';

/** Where the token files are mounted in the serving container. */
export const AUTH_MOUNT_PATH = '/var/run/secrets/servingstack/auth';
/** Keys of the generated Secret. */
export const INFERENCE_TOKEN_KEY = 'inference-token';
export const ADMIN_TOKEN_KEY = 'admin-token';
/** Where the prediction-token HMAC key Secret is mounted, and its key. */
export const FEEDBACK_KEY_MOUNT_PATH = '/var/run/secrets/servingstack/feedback';
export const FEEDBACK_KEY_KEY = 'feedback-key';

/** Options of {@link ServingAuth.generated}. */
export interface GeneratedAuthOptions {
  /**
   * Name of the Secret created in the serving namespace.
   * @default - `<app name>-auth`
   */
  readonly secretName?: string;
}

/** Options of {@link ServingAuth.fromSecret}. */
export interface ExistingSecretAuthOptions {
  /**
   * Key of the inference token in the Secret.
   * @default 'inference-token'
   */
  readonly inferenceTokenKey?: string;
  /**
   * Key of the admin token in the Secret.
   * @default 'admin-token'
   */
  readonly adminTokenKey?: string;
  /**
   * A Secret of the namespace holding the prediction-token HMAC key under `feedback-key`,
   * mounted for `SERVINGSTACK_FEEDBACK_KEY_FILE`.
   * @default - no key: labels are scored by request id, on the replica that served the prediction
   */
  readonly feedbackKeySecretName?: string;
}

/** A bound auth setting: the Secret the pods mount. @internal */
export interface BoundAuth {
  readonly secretName: string;
  readonly inferenceTokenKey: string;
  readonly adminTokenKey: string;
  /** The Secret this stack creates (generated tokens); depend on it. */
  readonly secret?: SecretV1;
  /** The Secret holding the prediction-token HMAC key (`feedback-key`), when there is one. */
  readonly feedbackKeySecretName?: string;
  /** The key Secret this stack creates (generated); depend on it. */
  readonly feedbackKeySecret?: SecretV1;
}

/** What binding needs to know. @internal */
export interface AuthBindContext {
  readonly namespace: ServingNamespace;
  readonly appName: string;
  /** The admin token as a Terraform expression (a ServingMonitoring's scrape token). @default - a random one */
  readonly adminToken?: string;
}

/** How the serving pods authenticate callers (union-like: pick one with a static factory). */
export class ServingAuth {
  /** Random tokens generated at apply time into a new Secret (the default). */
  public static generated(options: GeneratedAuthOptions = {}): ServingAuth {
    return new ServingAuth('generated', options.secretName);
  }

  /** Tokens from a Secret you manage in the serving namespace. */
  public static fromSecret(secretName: string, options: ExistingSecretAuthOptions = {}): ServingAuth {
    return new ServingAuth('secret', secretName, options.inferenceTokenKey ?? INFERENCE_TOKEN_KEY, options.adminTokenKey ?? ADMIN_TOKEN_KEY, undefined, options.feedbackKeySecretName);
  }

  /** No authentication: anyone who reaches the Service or the Ingress may call every route. */
  public static disabled(): ServingAuth {
    return new ServingAuth('disabled');
  }

  /** A setting already bound elsewhere (tracks of one service share one Secret). @internal */
  public static _fromBound(bound: BoundAuth): ServingAuth {
    return new ServingAuth('bound', bound.secretName, bound.inferenceTokenKey, bound.adminTokenKey, bound);
  }

  private constructor(
    /** `generated`, `secret` or `disabled`. */
    public readonly kind: string,
    /** The Secret's name (generated: the name asked for, if any). */
    public readonly secretName?: string,
    private readonly inferenceKey: string = INFERENCE_TOKEN_KEY,
    private readonly adminKey: string = ADMIN_TOKEN_KEY,
    private readonly bound?: BoundAuth,
    private readonly feedbackKeySecretName?: string,
  ) {}

  /** Whether the pods require tokens. */
  public get enabled(): boolean {
    return this.kind !== 'disabled';
  }

  /** The Secret's name once bound to an app. @internal */
  public _secretNameFor(appName: string): string | undefined {
    if (this.kind === 'disabled') return undefined;
    return this.secretName ?? `${appName}-auth`;
  }

  /** Create what the setting needs under `scope`. @internal */
  public _bind(scope: Construct, ctx: AuthBindContext): BoundAuth | undefined {
    const secretName = this._secretNameFor(ctx.appName);
    if (secretName === undefined) return undefined;
    if (this.bound) return this.bound;
    if (this.kind === 'secret') return { secretName, inferenceTokenKey: this.inferenceKey, adminTokenKey: this.adminKey, feedbackKeySecretName: this.feedbackKeySecretName };
    const generated = (id: string, name: string, data: Record<string, string>): SecretV1 => new SecretV1(scope, id, {
      provider: OnPremServingStack.of(scope).kubernetesProvider,
      dependsOn: [ctx.namespace.resource],
      metadata: {
        name,
        namespace: ctx.namespace.name,
        labels: { 'app.kubernetes.io/name': ctx.appName, 'app.kubernetes.io/part-of': 'servingstack' },
      },
      type: 'Opaque',
      data,
      // uuid() changes at every plan: the values made at creation stay.
      lifecycle: { ignoreChanges: ['data'] },
    });
    const secret = generated('AuthSecret', secretName, { [INFERENCE_TOKEN_KEY]: randomToken(), [ADMIN_TOKEN_KEY]: ctx.adminToken ?? randomToken() });
    // The prediction-token key: its own Secret (a stack made before it gains it without touching
    // the tokens), generated the same way; every track and replica of the app mounts it.
    const feedbackKeySecretName = `${ctx.appName}-feedback-key`;
    const feedbackKeySecret = generated('FeedbackKeySecret', feedbackKeySecretName, { [FEEDBACK_KEY_KEY]: randomToken() });
    return { secretName, inferenceTokenKey: INFERENCE_TOKEN_KEY, adminTokenKey: ADMIN_TOKEN_KEY, secret, feedbackKeySecretName, feedbackKeySecret };
  }
}
