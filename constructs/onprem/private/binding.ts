/**
 * The on-prem target's single import of constructs/cdktf (binding.ts, the only module that
 * imports cdktf, and kubernetes.ts, the Kubernetes and Helm providers). Every on-prem file
 * imports cdktf classes from here.
 */
export * from '../../cdktf/binding';
export * from '../../cdktf/kubernetes';
