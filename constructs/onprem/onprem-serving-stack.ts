/**
 * The deploy unit of the on-prem target: one Terraform stack that owns the kubernetes and helm
 * providers for one existing cluster, addressed by a kubeconfig file and context. Constructs never
 * create providers; they find the stack with `OnPremServingStack.of(this)`.
 */
import type { IConstruct } from 'constructs';
import { Construct } from 'constructs';
import { HelmProvider, KubernetesProvider, TerraformStack } from './private/binding';
import { ServingStackError } from '../../lib/core/errors';
import { Checker, ONPREM_ERRORS } from './private/checker';

const STACK_BRAND = Symbol.for('servingstack.onprem.OnPremServingStack');

export interface OnPremServingStackProps {
  /**
   * The kubeconfig context naming the target cluster and credentials. Required: an implicit
   * "current context" is how a blueprint ends up applied to the wrong cluster.
   */
  readonly kubeconfigContext: string;
  /**
   * Path of the kubeconfig file, read by Terraform at plan/apply (not at synth).
   * @default '~/.kube/config'
   */
  readonly kubeconfigPath?: string;
}

export class OnPremServingStack extends TerraformStack {
  /** True for any OnPremServingStack, across copies of the package. */
  public static isOnPremServingStack(x: unknown): x is OnPremServingStack {
    return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[STACK_BRAND] === true;
  }

  /** The OnPremServingStack a construct belongs to; fails naming the construct when there is none. */
  public static override of(construct: IConstruct): OnPremServingStack {
    for (const scope of construct.node.scopes.slice().reverse()) {
      if (OnPremServingStack.isOnPremServingStack(scope)) return scope;
    }
    throw new ServingStackError(ONPREM_ERRORS.NO_STACK, `${construct.node.path} is not inside an OnPremServingStack`, [
      { field: 'scope', message: 'has no OnPremServingStack ancestor; on-prem constructs need the stack that owns the kubernetes and helm providers', received: construct.node.path, allowed: 'a construct created under `new OnPremServingStack(app, id, { kubeconfigContext })`' },
    ]);
  }

  public readonly kubeconfigPath: string;
  public readonly kubeconfigContext: string;
  public readonly kubernetesProvider: KubernetesProvider;
  public readonly helmProvider: HelmProvider;

  constructor(scope: Construct, id: string, props: OnPremServingStackProps) {
    super(scope, id);
    Object.defineProperty(this, STACK_BRAND, { value: true });
    const checker = new Checker(this, ONPREM_ERRORS.STACK, 'OnPremServingStack');
    const context = (props as Partial<OnPremServingStackProps> | undefined)?.kubeconfigContext;
    const path = props?.kubeconfigPath ?? '~/.kube/config';
    checker.check(typeof context === 'string' && context.trim() !== '' && !/[\s]/.test(context), {
      field: 'kubeconfigContext',
      message: context === undefined || context === '' ? 'is missing' : 'is not a kubeconfig context name',
      received: context,
      allowed: 'the name of a context in the kubeconfig (`kubectl config get-contexts -o name`), without whitespace',
    });
    checker.check(path.trim() !== '' && !/[\n\r]/.test(path) && (path.startsWith('/') || path.startsWith('~/') || path.startsWith('./') || path.startsWith('../')), {
      field: 'kubeconfigPath',
      message: 'is not a file path',
      received: path,
      allowed: 'an absolute path, or one starting with ~/, ./ or ../',
    });
    checker.throwIfAny();
    this.kubeconfigPath = path;
    this.kubeconfigContext = context as string;
    this.kubernetesProvider = new KubernetesProvider(this, 'kubernetes', { configPath: path, configContext: this.kubeconfigContext });
    this.helmProvider = new HelmProvider(this, 'helm', { kubernetes: { configPath: path, configContext: this.kubeconfigContext } });
  }
}
