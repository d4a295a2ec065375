/** A fresh on-prem stack for tests. */
import { App, Testing } from '../../constructs/cdktf/binding';
import { OnPremServingStack, OnPremServingStackProps } from '../../constructs/onprem';

export function newStack(props: Partial<OnPremServingStackProps> = {}): OnPremServingStack {
  const app: App = Testing.app();
  return new OnPremServingStack(app, 'test', { kubeconfigContext: 'lab-gpu', ...props });
}
