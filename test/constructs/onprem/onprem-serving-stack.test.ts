import { Construct } from 'constructs';
import { App, Testing } from '../../../constructs/cdktf/binding';
import { OnPremErrorCodes, OnPremServingStack, ServingNamespace } from '../../../constructs/onprem';
import { TerraformTemplate } from '../../support/terraform-template';
import { issueFor, issuesOf } from '../../support/errors';
import { newStack } from '../../support/onprem';

describe('OnPremServingStack', () => {
  test('owns the kubernetes and helm providers for the kubeconfig context', () => {
    // GIVEN / WHEN
    const stack = newStack({ kubeconfigContext: 'admin@gpu-lab', kubeconfigPath: '/etc/servingstack/kubeconfig' });
    new ServingNamespace(stack, 'Ns');
    const synth = TerraformTemplate.synth(stack);
    // THEN
    expect(synth.json.provider.kubernetes).toEqual([{ config_path: '/etc/servingstack/kubeconfig', config_context: 'admin@gpu-lab' }]);
    expect(synth.json.provider.helm).toEqual([{ kubernetes: { config_path: '/etc/servingstack/kubeconfig', config_context: 'admin@gpu-lab' } }]);
  });

  test('defaults the kubeconfig path to ~/.kube/config', () => {
    const stack = newStack();
    expect(stack.kubeconfigPath).toBe('~/.kube/config');
    expect(TerraformTemplate.synth(stack).json.provider.kubernetes[0].config_path).toBe('~/.kube/config');
  });

  test('a missing kubeconfig context is an error naming the prop', () => {
    const issues = issuesOf(() => new OnPremServingStack(Testing.app(), 's', {} as never), OnPremErrorCodes.STACK);
    const issue = issueFor(issues, 'kubeconfigContext');
    expect(issue.message).toBe('is missing');
    expect(issue.allowed).toContain('kubectl config get-contexts');
  });

  test('collects a bad context and a bad path in one error', () => {
    const issues = issuesOf(() => new OnPremServingStack(Testing.app(), 's', { kubeconfigContext: 'two words', kubeconfigPath: 'kubeconfig' }), OnPremErrorCodes.STACK);
    expect(issues.map((i) => i.field)).toEqual(['kubeconfigContext', 'kubeconfigPath']);
    expect(issueFor(issues, 'kubeconfigPath').received).toBe('kubeconfig');
  });

  test('constructs outside an OnPremServingStack fail naming their path', () => {
    const app: App = Testing.app();
    const plain = new Construct(app, 'Plain');
    const issues = issuesOf(() => new ServingNamespace(plain, 'Ns'), OnPremErrorCodes.NO_STACK);
    expect(issues[0]!.received).toBe('Plain/Ns');
  });

  test('ServingNamespace enforces the restricted Pod Security profile', () => {
    const stack = newStack();
    new ServingNamespace(stack, 'Ns', { name: 'fraud', labels: { team: 'risk' } });
    const ns = TerraformTemplate.synth(stack).resource('kubernetes_namespace_v1', 'fraud');
    expect(ns.metadata.labels).toEqual({
      team: 'risk',
      'app.kubernetes.io/part-of': 'servingstack',
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/enforce-version': 'latest',
    });
    expect(ns.provider).toBe('kubernetes');
  });

  test('ServingNamespace rejects names Kubernetes refuses', () => {
    const issues = issuesOf(() => new ServingNamespace(newStack(), 'Ns', { name: 'Fraud_Models' }), OnPremErrorCodes.NAMESPACE);
    expect(issueFor(issues, 'name').received).toBe('Fraud_Models');
  });
});
