/** Authentication of the serving pods: on by default, tokens made at apply time, admin routes off the Ingress. */
import { ModelServer, ModelServerProps, ModelSource, OnPremServingStack, ServingAuth, ServingContainer, ServingMonitoring, ServingNamespace } from '../../../constructs/onprem';
import { Json, TerraformTemplate } from '../../support/terraform-template';
import { issueFor, issuesOf } from '../../support/errors';
import { newStack } from '../../support/onprem';

function synth(overrides: Partial<ModelServerProps> = {}, build: (stack: OnPremServingStack) => Partial<ModelServerProps> = () => ({})): TerraformTemplate {
  const stack = newStack();
  const namespace = new ServingNamespace(stack, 'Ns', { name: 'serving' });
  new ModelServer(stack, 'Fraud', { namespace, container: ServingContainer.servingStackRuntime('r/rt:1'), model: ModelSource.fromS3('s3://models/fraud/7/'), ...build(stack), ...overrides });
  return TerraformTemplate.synth(stack);
}

const envOf = (t: TerraformTemplate): Record<string, string> => Object.fromEntries(t.resource('kubernetes_deployment_v1', 'fraud').spec.template.spec.container[0].env.map((e: Json) => [e.name, e.value]));
const TOKEN = '${join("", [replace(uuid(), "-", ""), replace(uuid(), "-", "")])}';

describe('ServingAuth', () => {
  test('GIVEN nothing THEN a Secret with two random tokens is made at apply time, mounted read-only, named by the runtime variables', () => {
    const t = synth();
    const secret = t.resource('kubernetes_secret_v1', 'fraud-auth');
    expect(secret).toMatchObject({ metadata: { namespace: 'serving' }, type: 'Opaque', lifecycle: { ignore_changes: ['data'] } });
    // No token in the synthesized JSON: Terraform's uuid() at apply, kept by ignore_changes.
    expect(secret.data).toEqual({ 'inference-token': TOKEN, 'admin-token': TOKEN });
    const pod = t.resource('kubernetes_deployment_v1', 'fraud').spec.template.spec;
    expect(pod.volume).toContainEqual({ name: 'auth', secret: { secret_name: 'fraud-auth', default_mode: '0440' } });
    expect(pod.container[0].volume_mount).toContainEqual({ name: 'auth', mount_path: '/var/run/secrets/servingstack/auth', read_only: true });
    expect(envOf(t)).toMatchObject({
      SERVINGSTACK_AUTH_TOKEN_FILE: '/var/run/secrets/servingstack/auth/inference-token',
      SERVINGSTACK_ADMIN_TOKEN_FILE: '/var/run/secrets/servingstack/auth/admin-token',
    });
    expect(t.resource('kubernetes_deployment_v1', 'fraud').depends_on).toContainEqual(expect.stringMatching(/^kubernetes_secret_v1\./));
  });

  test('GIVEN nothing THEN the prediction-token HMAC key is its own generated Secret, mounted read-only for SERVINGSTACK_FEEDBACK_KEY_FILE', () => {
    const t = synth();
    const key = t.resource('kubernetes_secret_v1', 'fraud-feedback-key');
    expect(key).toMatchObject({ metadata: { namespace: 'serving' }, type: 'Opaque', lifecycle: { ignore_changes: ['data'] } });
    expect(key.data).toEqual({ 'feedback-key': TOKEN });
    const deployment = t.resource('kubernetes_deployment_v1', 'fraud');
    expect(deployment.spec.template.spec.volume).toContainEqual({ name: 'feedback-key', secret: { secret_name: 'fraud-feedback-key', default_mode: '0440' } });
    expect(deployment.spec.template.spec.container[0].volume_mount).toContainEqual({ name: 'feedback-key', mount_path: '/var/run/secrets/servingstack/feedback', read_only: true });
    expect(envOf(t).SERVINGSTACK_FEEDBACK_KEY_FILE).toBe('/var/run/secrets/servingstack/feedback/feedback-key');
    expect(deployment.depends_on).toContainEqual(expect.stringMatching(/^kubernetes_secret_v1\.Fraud_FeedbackKeySecret_/));
  });

  test('GIVEN a Secret of your own THEN the key comes from feedbackKeySecretName, or there is none', () => {
    const own = synth({ auth: ServingAuth.fromSecret('fraud-tokens', { feedbackKeySecretName: 'fraud-hmac' }) });
    expect(own.resource('kubernetes_deployment_v1', 'fraud').spec.template.spec.volume).toContainEqual({ name: 'feedback-key', secret: { secret_name: 'fraud-hmac', default_mode: '0440' } });
    expect(envOf(own).SERVINGSTACK_FEEDBACK_KEY_FILE).toBe('/var/run/secrets/servingstack/feedback/feedback-key');
    const none = synth({ auth: ServingAuth.fromSecret('fraud-tokens') });
    expect(envOf(none).SERVINGSTACK_FEEDBACK_KEY_FILE).toBeUndefined();
    expect(none.resource('kubernetes_deployment_v1', 'fraud').spec.template.spec.volume.map((v: Json) => v.name)).not.toContain('feedback-key');
  });

  test('GIVEN the cluster monitoring THEN the admin token is its scrape token, so Prometheus scrapes /metrics in-cluster', () => {
    const t = synth({}, (stack) => ({ monitoring: new ServingMonitoring(stack, 'Monitoring') }));
    expect(t.resource('kubernetes_secret_v1', 'fraud-auth').data['admin-token']).toMatch(/^\$\{kubernetes_secret_v1\.Monitoring_ScrapeToken_[A-Za-z0-9]+\.data\.token\}$/);
    // ...and its namespace is admitted by the NetworkPolicy.
    const np = t.resource('kubernetes_network_policy_v1', 'fraud');
    expect(np.spec.ingress[0].from.map((f: Json) => f.namespace_selector[0].match_labels['kubernetes.io/metadata.name'])).toEqual(['monitoring']);
  });

  test('GIVEN authentication without a ServingMonitoring THEN synth warns that metrics need the admin token', () => {
    const warnings = (build: (stack: OnPremServingStack) => Partial<ModelServerProps>): string[] => {
      const stack = newStack();
      const namespace = new ServingNamespace(stack, 'Ns', { name: 'serving' });
      const server = new ModelServer(stack, 'Fraud', { namespace, container: ServingContainer.servingStackRuntime('r/rt:1'), model: ModelSource.fromS3('s3://models/fraud/7/'), ...build(stack) });
      return server.node.metadata.filter((m) => m.type === '@cdktf/warn').map((m) => String(m.data));
    };
    expect(warnings(() => ({}))).toEqual([expect.stringContaining('/metrics (an admin route) answers 401')]);
    expect(warnings((stack) => ({ monitoring: new ServingMonitoring(stack, 'M') }))).toEqual([]);
    expect(warnings(() => ({ auth: ServingAuth.disabled() }))).toEqual([]);
  });

  test('GIVEN a Secret of your own THEN nothing is generated and its keys are read', () => {
    const t = synth({ auth: ServingAuth.fromSecret('fraud-tokens', { inferenceTokenKey: 'api', adminTokenKey: 'ops' }) });
    expect(t.resources('kubernetes_secret_v1')).toEqual([]);
    expect(t.resource('kubernetes_deployment_v1', 'fraud').spec.template.spec.volume).toContainEqual({ name: 'auth', secret: { secret_name: 'fraud-tokens', default_mode: '0440' } });
    expect(envOf(t)).toMatchObject({ SERVINGSTACK_AUTH_TOKEN_FILE: '/var/run/secrets/servingstack/auth/api', SERVINGSTACK_ADMIN_TOKEN_FILE: '/var/run/secrets/servingstack/auth/ops' });
  });

  test('GIVEN auth disabled or a custom container THEN no Secret, no mount, no token variables', () => {
    for (const t of [
      synth({ auth: ServingAuth.disabled() }),
      synth({ container: ServingContainer.custom({ image: 'vllm/vllm-openai:v0.8.5', port: 8000, livenessPath: '/health', readinessPath: '/health' }) }),
    ]) {
      expect(t.resources('kubernetes_secret_v1')).toEqual([]);
      expect(t.resource('kubernetes_deployment_v1', 'fraud').spec.template.spec.volume.map((v: Json) => v.name)).not.toContain('auth');
      expect(Object.keys(envOf(t)).filter((k) => k.includes('TOKEN') || k.includes('FEEDBACK_KEY'))).toEqual([]);
    }
  });

  test('GIVEN a bad Secret name THEN synth fails naming it', () => {
    expect(issueFor(issuesOf(() => synth({ auth: ServingAuth.fromSecret('Fraud_Tokens') }), 'SS_ERR_ONPREM_SERVER_INVALID'), 'auth.secretName').received).toBe('Fraud_Tokens');
  });

  test('GIVEN an Ingress THEN it routes only the runtime inference and health routes: metrics, feedback and model management stay in-cluster', () => {
    const ing = synth({ ingress: { host: 'fraud.ml.lab' } }).resource('kubernetes_ingress_v1', 'fraud');
    expect(ing.metadata.annotations['nginx.ingress.kubernetes.io/use-regex']).toBe('true');
    const paths: string[] = ing.spec.rule[0].http.path.map((p: Json) => p.path);
    expect(ing.spec.rule[0].http.path.every((p: Json) => p.path_type === 'ImplementationSpecific')).toBe(true);
    // ingress-nginx anchors each path with ^; these are its location regexes.
    const routed = (url: string): boolean => paths.some((p) => new RegExp(`^${p}`, 'i').test(url));
    for (const url of ['/v2/models/fraud/infer', '/v2/models/fraud/versions/7/infer', '/v2/models/fraud', '/v2/health/ready', '/invocations', '/ping', '/predict', '/score']) expect([url, routed(url)]).toEqual([url, true]);
    for (const url of ['/metrics', '/v2/models/fraud/feedback', '/v2/models/fraud/versions/7/feedback', '/feedback', '/models', '/models/fraud', '/v2/repository/index']) expect([url, routed(url)]).toEqual([url, false]);
  });
});
