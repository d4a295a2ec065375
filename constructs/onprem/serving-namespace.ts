/**
 * The namespace serving workloads run in, labelled for the Pod Security `restricted` profile
 * (the serving pods are built to pass it: non-root, read-only root, no privilege escalation,
 * all capabilities dropped, RuntimeDefault seccomp).
 */
import { Construct } from 'constructs';
import { NamespaceV1 } from './private/binding';
import { Checker, ONPREM_ERRORS } from './private/checker';
import { OnPremServingStack } from './onprem-serving-stack';

export interface ServingNamespaceProps {
  /**
   * Namespace name.
   * @default 'servingstack'
   */
  readonly name?: string;
  /**
   * Extra labels.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
}

export class ServingNamespace extends Construct {
  public readonly name: string;
  /** The namespace resource; depend on it to order objects after the namespace exists. */
  public readonly resource: NamespaceV1;

  constructor(scope: Construct, id: string, props: ServingNamespaceProps = {}) {
    super(scope, id);
    const stack = OnPremServingStack.of(this);
    this.name = props.name ?? 'servingstack';
    const checker = new Checker(this, ONPREM_ERRORS.NAMESPACE, 'ServingNamespace');
    checker.dnsLabel('name', this.name);
    checker.throwIfAny();
    this.resource = new NamespaceV1(this, 'Resource', {
      provider: stack.kubernetesProvider,
      metadata: {
        name: this.name,
        labels: {
          ...props.labels,
          'app.kubernetes.io/part-of': 'servingstack',
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/enforce-version': 'latest',
        },
      },
    });
  }
}
