import { CanaryRollout, CanaryRolloutProps, OnPremErrorCodes, RolloutState, ServingContainer, ServingNamespace, Accelerator } from '../../../constructs/onprem';
import { Json, TerraformTemplate } from '../../support/terraform-template';
import { issueFor, issuesOf } from '../../support/errors';
import { newStack } from '../../support/onprem';

const STABLE: RolloutState = { stableVersion: '3', stableModelUri: 's3://models/fraud/3/' };

function synth(state: RolloutState, extra: Partial<CanaryRolloutProps> = {}): TerraformTemplate {
  const stack = newStack();
  const namespace = new ServingNamespace(stack, 'Ns', { name: 'serving' });
  new CanaryRollout(stack, 'Fraud', {
    namespace,
    state,
    container: ServingContainer.servingStackRuntime('registry.lab/servingstack/runtime:0.1.0'),
    accelerator: Accelerator.nvidiaGpu(1),
    modelStore: { endpoint: 'http://minio.storage.svc:9000', credentialsSecretName: 'model-store' },
    autoscaling: { minReplicas: 2, maxReplicas: 6 },
    ingress: { host: 'fraud.ml.lab' },
    ...extra,
  });
  return TerraformTemplate.synth(stack);
}

describe('CanaryRollout', () => {
  test('without a canary: only the stable track and its Ingress', () => {
    const s = synth(STABLE);
    expect(Object.values(s.resources('kubernetes_deployment_v1')).map((d: Json) => d.metadata.name)).toEqual(['fraud']);
    expect(Object.values(s.resources('kubernetes_ingress_v1')).map((d: Json) => d.metadata.name)).toEqual(['fraud']);
    const d = s.resource('kubernetes_deployment_v1', 'fraud');
    expect(d.spec.template.metadata.labels).toMatchObject({ 'servingstack.io/track': 'stable', 'servingstack.io/model-version': '3', 'servingstack.io/app': 'fraud' });
    expect(d.spec.template.spec.init_container[0].env[0]).toEqual({ name: 'MODEL_URI', value: 's3://models/fraud/3/' });
  });

  test('with a canary: a second track with the same shape and a weighted canary Ingress on the same host', () => {
    const s = synth({ ...STABLE, canaryVersion: '4', canaryModelUri: 's3://models/fraud/4/', canaryWeight: 25 });
    const canary = s.resource('kubernetes_deployment_v1', 'fraud-canary');
    expect(canary.spec.template.metadata.labels).toMatchObject({ 'servingstack.io/track': 'canary', 'servingstack.io/model-version': '4', 'servingstack.io/app': 'fraud' });
    expect(canary.spec.selector.match_labels).toEqual({ 'app.kubernetes.io/name': 'fraud-canary', 'servingstack.io/track': 'canary' });
    expect(canary.spec.template.spec.container[0].resources.limits['nvidia.com/gpu']).toBe('1');
    expect(s.resource('kubernetes_horizontal_pod_autoscaler_v2', 'fraud-canary').spec.min_replicas).toBe(2);
    const ing = s.resource('kubernetes_ingress_v1', 'fraud-canary');
    expect(ing.metadata.annotations).toEqual({ 'nginx.ingress.kubernetes.io/canary': 'true', 'nginx.ingress.kubernetes.io/canary-weight': '25', 'nginx.ingress.kubernetes.io/use-regex': 'true' });
    // The same routes as the main Ingress (the runtime's public ones), so the weight applies to each.
    expect(ing.spec.rule[0].http.path.map((p: Json) => p.path)).toEqual(s.resource('kubernetes_ingress_v1', 'fraud').spec.rule[0].http.path.map((p: Json) => p.path));
    expect(ing.spec.rule[0].host).toBe('fraud.ml.lab');
    expect(ing.spec.rule[0].http.path[0].backend.service.name).toBe('fraud-canary');
    expect(ing.spec.tls).toEqual([{ hosts: ['fraud.ml.lab'], secret_name: 'fraud-tls' }]);
    // Traffic only after the canary Deployment rolled out, and after the main Ingress exists.
    expect(ing.depends_on).toEqual([
      expect.stringMatching(/^kubernetes_service_v1\.Fraud_Canary_Service/),
      expect.stringMatching(/^kubernetes_deployment_v1\.Fraud_Canary/),
      expect.stringMatching(/^kubernetes_ingress_v1\.Fraud_Stable_Ingress/),
    ]);
    expect(s.resource('kubernetes_ingress_v1', 'fraud').metadata.annotations).toEqual({ 'nginx.ingress.kubernetes.io/use-regex': 'true' });
  });

  test('both tracks answer the same clients and score each other\'s labels: one auth Secret and one feedback key, mounted by both', () => {
    const s = synth({ ...STABLE, canaryVersion: '4', canaryModelUri: 's3://models/fraud/4/', canaryWeight: 25 });
    expect(s.resources('kubernetes_secret_v1').map((x: Json) => `${x.metadata.namespace}/${x.metadata.name}`).sort()).toEqual(['serving/fraud-auth', 'serving/fraud-feedback-key']);
    for (const name of ['fraud', 'fraud-canary']) {
      const d = s.resource('kubernetes_deployment_v1', name);
      expect(d.spec.template.spec.volume).toContainEqual({ name: 'feedback-key', secret: { secret_name: 'fraud-feedback-key', default_mode: '0440' } });
      expect(d.spec.template.spec.volume).toContainEqual({ name: 'auth', secret: { secret_name: 'fraud-auth', default_mode: '0440' } });
      expect(d.depends_on).toContainEqual(expect.stringMatching(/^kubernetes_secret_v1\.Fraud_AuthSecret/));
    }
  });

  test('in-cluster Service always selects the stable track', () => {
    const s = synth({ ...STABLE, canaryVersion: '4', canaryModelUri: 's3://models/fraud/4/', canaryWeight: 50 });
    expect(s.resource('kubernetes_service_v1', 'fraud').spec.selector['servingstack.io/track']).toBe('stable');
  });

  test('an invalid state file fails at synth, naming the fields', () => {
    const issues = issuesOf(() => synth({ stableVersion: '3', stableModelUri: 'https://models/3', canaryWeight: 150 }), OnPremErrorCodes.ROLLOUT);
    expect(issues.map((i) => i.field)).toEqual(['state.stableModelUri', 'state.canaryWeight']);
  });

  test('names must leave room for the -canary suffix', () => {
    const issue = issueFor(issuesOf(() => synth(STABLE, { name: 'a'.repeat(57) }), OnPremErrorCodes.ROLLOUT), 'name');
    expect(issue.allowed).toBe('at most 56 characters');
  });
});
