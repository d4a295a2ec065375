import {
  Accelerator, Cpu, Duration, ModelServer, ModelServerProps, ModelSource, OnPremErrorCodes, OnPremServingStack, ServingContainer, ServingNamespace, Size, Taint, TaintEffect,
} from '../../../constructs/onprem';
import { Json, TerraformTemplate } from '../../support/terraform-template';
import { errorOf, issueFor, issuesOf } from '../../support/errors';
import { newStack } from '../../support/onprem';

const IMAGE = 'registry.lab/servingstack/runtime:0.1.0';

function server(overrides: Partial<ModelServerProps> = {}, stack: OnPremServingStack = newStack()): { stack: OnPremServingStack; server: ModelServer } {
  const namespace = new ServingNamespace(stack, 'Ns', { name: 'serving' });
  const s = new ModelServer(stack, 'Fraud', {
    namespace,
    container: ServingContainer.servingStackRuntime(IMAGE),
    model: ModelSource.fromS3('s3://models/fraud/7/', { endpoint: 'http://minio.storage.svc:9000', credentialsSecretName: 'model-store' }),
    modelVersion: '7',
    ...overrides,
  });
  return { stack, server: s };
}

function deploymentOf(stack: OnPremServingStack, name = 'fraud'): Json {
  return TerraformTemplate.synth(stack).resource('kubernetes_deployment_v1', name);
}

function podSpec(stack: OnPremServingStack, name = 'fraud'): Json {
  return deploymentOf(stack, name).spec.template.spec;
}

describe('ModelServer: Deployment', () => {
  test('runs the runtime with its probes, port, environment and drain-safe grace period', () => {
    const { stack } = server();
    const spec = podSpec(stack);
    const c = spec.container[0];
    expect(c.name).toBe('server');
    expect(c.image).toBe(IMAGE);
    expect(c.port).toEqual([{ name: 'http', container_port: 8080, protocol: 'TCP' }]);
    expect(c.liveness_probe.http_get).toEqual({ path: '/v2/health/live', port: '8080' });
    expect(c.readiness_probe.http_get).toEqual({ path: '/v2/health/ready', port: '8080' });
    expect(c.startup_probe).toMatchObject({ http_get: { path: '/v2/health/live', port: '8080' }, period_seconds: 5, failure_threshold: 120 });
    expect(Object.fromEntries(c.env.map((e: Json) => [e.name, e.value]))).toEqual({
      SERVINGSTACK_MODEL_DIR: '/models',
      SERVINGSTACK_PORT: '8080',
      SERVINGSTACK_WORKERS: '2',
      SERVINGSTACK_EXECUTION_PROVIDERS: 'cpu',
      // SIGTERM: 5 s grace (readiness off, still serving), then 20 s drain; 27 s ≤ the 30 s grace period
      SERVINGSTACK_SHUTDOWN_GRACE_MS: '5000',
      SERVINGSTACK_DRAIN_TIMEOUT_MS: '20000',
      // authentication is on by default (ModelServer: auth)
      SERVINGSTACK_AUTH_TOKEN_FILE: '/var/run/secrets/servingstack/auth/inference-token',
      SERVINGSTACK_ADMIN_TOKEN_FILE: '/var/run/secrets/servingstack/auth/admin-token',
    });
    expect(spec.termination_grace_period_seconds).toBe(30);
  });

  test('sized defaults: 1000m/2000m CPU, 2 GiB/4 GiB memory, two replicas', () => {
    const { stack } = server();
    const d = deploymentOf(stack);
    expect(d.spec.replicas).toBe('2');
    expect(d.spec.template.spec.container[0].resources).toEqual({ requests: { cpu: '1000m', memory: '2048Mi' }, limits: { cpu: '2000m', memory: '4096Mi' } });
  });

  test('secure defaults: non-root uid 10001, read-only root, no escalation, no capabilities, writable /tmp only', () => {
    const { stack } = server();
    const spec = podSpec(stack);
    expect(spec.security_context).toEqual({ run_as_non_root: true, run_as_user: '10001', run_as_group: '10001', fs_group: '10001', seccomp_profile: { type: 'RuntimeDefault' } });
    expect(spec.container[0].security_context).toEqual({
      run_as_non_root: true,
      run_as_user: '10001',
      run_as_group: '10001',
      allow_privilege_escalation: false,
      privileged: false,
      read_only_root_filesystem: true,
      capabilities: { drop: ['ALL'] },
      seccomp_profile: { type: 'RuntimeDefault' },
    });
    expect(spec.automount_service_account_token).toBe(false);
    expect(spec.container[0].volume_mount).toEqual([
      { name: 'model', mount_path: '/models', read_only: true },
      { name: 'writable-0', mount_path: '/tmp' },
      { name: 'auth', mount_path: '/var/run/secrets/servingstack/auth', read_only: true },
    ]);
  });

  test('keeps old pods serving until new ones are Ready and waits for the rollout', () => {
    const d = deploymentOf(server().stack);
    expect(d.spec.strategy).toEqual({ type: 'RollingUpdate', rolling_update: { max_surge: '1', max_unavailable: '0' } });
    expect(d.wait_for_rollout).toBe(true);
    expect(d.spec.progress_deadline_seconds).toBe(900);
  });

  test('labels pods with app, track and model version and marks them for scraping', () => {
    const d = deploymentOf(server().stack);
    expect(d.spec.selector.match_labels).toEqual({ 'app.kubernetes.io/name': 'fraud', 'servingstack.io/track': 'stable' });
    expect(d.spec.template.metadata.labels).toMatchObject({ 'servingstack.io/app': 'fraud', 'servingstack.io/model-version': '7', 'app.kubernetes.io/part-of': 'servingstack' });
    expect(d.spec.template.metadata.annotations).toEqual({ 'servingstack.io/scrape': 'true', 'servingstack.io/port': '8080', 'servingstack.io/path': '/metrics' });
  });
});

describe('ModelServer: GPUs and scheduling', () => {
  test('GPUs go in limits only, switch the runtime to CUDA and target the GPU pool', () => {
    const { stack } = server({ accelerator: Accelerator.nvidiaGpu(2) });
    const spec = podSpec(stack);
    expect(spec.container[0].resources.limits['nvidia.com/gpu']).toBe('2');
    expect(spec.container[0].resources.requests['nvidia.com/gpu']).toBeUndefined();
    expect(spec.container[0].env).toContainEqual({ name: 'SERVINGSTACK_EXECUTION_PROVIDERS', value: 'cuda,cpu' });
    expect(spec.node_selector).toEqual({ 'nvidia.com/gpu.present': 'true' });
    expect(spec.toleration).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
  });

  test('MIG slices and other extended resources render by name', () => {
    const { stack } = server({ accelerator: Accelerator.nvidiaMig('1g.10gb', 1) });
    expect(podSpec(stack).container[0].resources.limits['nvidia.com/mig-1g.10gb']).toBe('1');
  });

  test('CPU serving gets no GPU selector or toleration', () => {
    const spec = podSpec(server().stack);
    expect(spec.node_selector).toEqual({});
    expect(spec.toleration).toEqual([]);
  });

  test('spreads replicas across nodes by default', () => {
    expect(podSpec(server().stack).topology_spread_constraint).toEqual([
      { max_skew: 1, topology_key: 'kubernetes.io/hostname', when_unsatisfiable: 'ScheduleAnyway', label_selector: [{ match_labels: { 'app.kubernetes.io/name': 'fraud', 'servingstack.io/track': 'stable' } }] },
    ]);
  });

  test('scheduling intents added after construction are rendered (lazy)', () => {
    // GIVEN
    const { stack, server: s } = server({ accelerator: Accelerator.nvidiaGpu(1), nodeSelector: { 'nvidia.com/gpu.product': 'NVIDIA-L40S' } });
    // WHEN
    s.scheduling.attract('topology.kubernetes.io/zone', 'rack-3');
    s.scheduling.tolerate(Taint.equals('dedicated', 'inference', TaintEffect.NO_EXECUTE));
    s.scheduling.spread('topology.kubernetes.io/zone', 2, true);
    // THEN
    const spec = podSpec(stack);
    expect(spec.node_selector).toEqual({ 'nvidia.com/gpu.product': 'NVIDIA-L40S', 'topology.kubernetes.io/zone': 'rack-3' });
    expect(spec.toleration).toEqual([
      { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'dedicated', operator: 'Equal', value: 'inference', effect: 'NoExecute' },
    ]);
    expect(spec.topology_spread_constraint.map((t: Json) => [t.topology_key, t.max_skew, t.when_unsatisfiable])).toEqual([
      ['kubernetes.io/hostname', 1, 'ScheduleAnyway'],
      ['topology.kubernetes.io/zone', 2, 'DoNotSchedule'],
    ]);
  });
});

describe('ModelServer: model delivery', () => {
  test('S3: an init container syncs the prefix into an emptyDir and checks the manifest', () => {
    const spec = podSpec(server({ modelVolumeSize: Size.gibibytes(20) }).stack);
    const init = spec.init_container[0];
    expect(init.name).toBe('fetch-model');
    expect(init.image).toBe('amazon/aws-cli:2.17.0');
    expect(init.command.slice(0, 2)).toEqual(['sh', '-c']);
    expect(init.command[2]).toContain('aws s3 sync "$MODEL_URI" /models');
    expect(init.command[2]).toContain('servingstack.json');
    expect(init.env).toEqual([
      { name: 'MODEL_URI', value: 's3://models/fraud/7/' },
      { name: 'AWS_REGION', value: 'us-east-1' },
      { name: 'HOME', value: '/tmp' },
      { name: 'AWS_ENDPOINT_URL', value: 'http://minio.storage.svc:9000' },
    ]);
    expect(init.env_from).toEqual([{ secret_ref: { name: 'model-store' } }]);
    expect(init.security_context.read_only_root_filesystem).toBe(true);
    expect(init.volume_mount).toEqual([{ name: 'model', mount_path: '/models' }, { name: 'fetch-tmp', mount_path: '/tmp' }]);
    expect(spec.volume).toContainEqual({ name: 'model', empty_dir: { size_limit: '20480Mi' } });
  });

  test('custom containers get the model without the runtime manifest check', () => {
    const triton = ServingContainer.custom({ image: 'nvcr.io/nvidia/tritonserver:25.01-py3', port: 8000, livenessPath: '/v2/health/live', readinessPath: '/v2/health/ready', metricsPort: 8002, args: ['tritonserver', '--model-repository=/models'], runAsUser: 1000 });
    const spec = podSpec(server({ container: triton }).stack);
    expect(spec.init_container[0].command[2]).not.toContain('servingstack.json');
    const c = spec.container[0];
    expect(c.args).toEqual(['tritonserver', '--model-repository=/models']);
    expect(c.port).toEqual([{ name: 'http', container_port: 8000, protocol: 'TCP' }, { name: 'metrics', container_port: 8002, protocol: 'TCP' }]);
    expect(c.readiness_probe.http_get).toEqual({ path: '/v2/health/ready', port: '8000' });
    expect(c.env).toEqual([]);
    expect(c.security_context.run_as_user).toBe('1000');
  });

  test('PVC: mounted read-only at /models with its sub-path, no init container', () => {
    const spec = podSpec(server({ model: ModelSource.fromPersistentVolumeClaim('models', { subPath: 'fraud/7' }) }).stack);
    expect(spec.init_container).toEqual([]);
    expect(spec.volume).toContainEqual({ name: 'model', persistent_volume_claim: { claim_name: 'models', read_only: true } });
    expect(spec.container[0].volume_mount[0]).toEqual({ name: 'model', mount_path: '/models', read_only: true, sub_path: 'fraud/7' });
  });

  test('fromUri accepts pvc:// like fromPersistentVolumeClaim', () => {
    const spec = podSpec(server({ model: ModelSource.fromUri('pvc://models/fraud/7') }).stack);
    expect(spec.container[0].volume_mount[0].sub_path).toBe('fraud/7');
  });
});

describe('ModelServer: Service, PDB, NetworkPolicy, Ingress, HPA', () => {
  test('Service on port 80 to the named http port', () => {
    const svc = TerraformTemplate.synth(server().stack).resource('kubernetes_service_v1', 'fraud');
    expect(svc.spec).toEqual({ type: 'ClusterIP', selector: { 'app.kubernetes.io/name': 'fraud', 'servingstack.io/track': 'stable' }, port: [{ name: 'http', port: 80, target_port: 'http', protocol: 'TCP' }] });
  });

  test('PodDisruptionBudget allows one voluntary eviction', () => {
    const pdb = TerraformTemplate.synth(server().stack).resource('kubernetes_pod_disruption_budget_v1', 'fraud');
    expect(pdb.spec).toEqual({ max_unavailable: '1', selector: { match_labels: { 'app.kubernetes.io/name': 'fraud', 'servingstack.io/track': 'stable' } } });
  });

  test('NetworkPolicy admits only the monitoring namespace without an Ingress', () => {
    const np = TerraformTemplate.synth(server().stack).resource('kubernetes_network_policy_v1', 'fraud');
    expect(np.spec.policy_types).toEqual(['Ingress']);
    expect(np.spec.ingress).toEqual([{ from: [{ namespace_selector: [{ match_labels: { 'kubernetes.io/metadata.name': 'monitoring' } }] }], ports: [{ port: '8080', protocol: 'TCP' }] }]);
  });

  test('NetworkPolicy admits the ingress controller, the scraper and listed namespaces, on serving and metrics ports', () => {
    const triton = ServingContainer.custom({ image: 'nvcr.io/nvidia/tritonserver:25.01-py3', port: 8000, livenessPath: '/v2/health/live', readinessPath: '/v2/health/ready', metricsPort: 8002 });
    const np = TerraformTemplate.synth(server({ container: triton, ingress: { host: 'fraud.ml.lab', controllerNamespace: 'ingress' }, monitoringNamespace: 'obs', allowFromNamespaces: ['batch'] }).stack).resource('kubernetes_network_policy_v1', 'fraud');
    expect(np.spec.ingress[0].from.map((f: Json) => f.namespace_selector[0].match_labels['kubernetes.io/metadata.name'])).toEqual(['ingress', 'obs', 'batch']);
    expect(np.spec.ingress[0].ports).toEqual([{ port: '8000', protocol: 'TCP' }, { port: '8002', protocol: 'TCP' }]);
  });

  test('Ingress with TLS, after the Deployment is rolled out', () => {
    const triton = ServingContainer.custom({ image: 'nvcr.io/nvidia/tritonserver:25.01-py3', port: 8000, livenessPath: '/v2/health/live', readinessPath: '/v2/health/ready' });
    const synth = TerraformTemplate.synth(server({ container: triton, ingress: { host: 'fraud.ml.lab', annotations: { 'cert-manager.io/cluster-issuer': 'lab-ca' } } }).stack);
    const ing = synth.resource('kubernetes_ingress_v1', 'fraud');
    expect(ing.metadata.annotations).toEqual({ 'cert-manager.io/cluster-issuer': 'lab-ca' });
    // A custom container's routes are unknown: everything under /.
    expect(ing.spec).toEqual({
      ingress_class_name: 'nginx',
      tls: [{ hosts: ['fraud.ml.lab'], secret_name: 'fraud-tls' }],
      rule: [{ host: 'fraud.ml.lab', http: { path: [{ path: '/', path_type: 'Prefix', backend: { service: { name: 'fraud', port: { number: 80 } } } }] } }],
    });
    expect(ing.depends_on).toEqual([expect.stringMatching(/^kubernetes_service_v1\./), expect.stringMatching(/^kubernetes_deployment_v1\./)]);
  });

  test('exposeViaIngress() after construction also opens the NetworkPolicy', () => {
    const { stack, server: s } = server();
    s.exposeViaIngress({ host: 'fraud.ml.lab' });
    const np = TerraformTemplate.synth(stack).resource('kubernetes_network_policy_v1', 'fraud');
    expect(np.spec.ingress[0].from.map((f: Json) => f.namespace_selector[0].match_labels['kubernetes.io/metadata.name'])).toEqual(['ingress-nginx', 'monitoring']);
  });

  test('HPA defaults: 2–10 replicas on CPU 70 %, 8 in-flight and 4 queued per pod; the Deployment leaves replicas to it', () => {
    const synth = TerraformTemplate.synth(server({ autoscaling: {} }).stack);
    expect(synth.resource('kubernetes_deployment_v1', 'fraud').spec.replicas).toBeUndefined();
    const hpa = synth.resource('kubernetes_horizontal_pod_autoscaler_v2', 'fraud');
    expect(hpa.spec.min_replicas).toBe(2);
    expect(hpa.spec.max_replicas).toBe(10);
    expect(hpa.spec.scale_target_ref).toEqual({ api_version: 'apps/v1', kind: 'Deployment', name: 'fraud' });
    expect(hpa.spec.metric).toEqual([
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', average_utilization: 70 } } },
      { type: 'Pods', pods: { metric: { name: 'servingstack_inflight_requests' }, target: { type: 'AverageValue', average_value: '8' } } },
      { type: 'Pods', pods: { metric: { name: 'servingstack_queue_depth' }, target: { type: 'AverageValue', average_value: '4' } } },
    ]);
    expect(hpa.spec.behavior.scale_down[0].stabilization_window_seconds).toBe(300);
  });

  test('HPA for a custom container scales on CPU only', () => {
    const vllm = ServingContainer.custom({ image: 'vllm/vllm-openai:v0.8.5', port: 8000, livenessPath: '/health', readinessPath: '/health' });
    const hpa = TerraformTemplate.synth(server({ container: vllm, autoscaling: { minReplicas: 1, maxReplicas: 3, targetCpuUtilizationPercent: 60 } }).stack).resource('kubernetes_horizontal_pod_autoscaler_v2', 'fraud');
    expect(hpa.spec.metric).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', average_utilization: 60 } } }]);
  });

  test('typed durations: grace period, startup timeout and scale-down stabilization render in seconds', () => {
    const synth = TerraformTemplate.synth(server({ terminationGracePeriod: Duration.minutes(1), startupTimeout: Duration.seconds(120), autoscaling: { scaleDownStabilization: Duration.minutes(10) } }).stack);
    const d = synth.resource('kubernetes_deployment_v1', 'fraud');
    expect(d.spec.template.spec.termination_grace_period_seconds).toBe(60);
    expect(d.spec.template.spec.container[0].startup_probe.failure_threshold).toBe(24);
    expect(d.spec.progress_deadline_seconds).toBe(420);
    expect(synth.resource('kubernetes_horizontal_pod_autoscaler_v2', 'fraud').spec.behavior.scale_down[0].stabilization_window_seconds).toBe(600);
  });
});

describe('ModelServer: bad input fails at synth, all problems at once', () => {
  const code = OnPremErrorCodes.SERVER;

  test('fractional GPU counts', () => {
    const issue = issueFor(issuesOf(() => server({ accelerator: Accelerator.nvidiaGpu(0.5) }), code), 'accelerator.count');
    expect(issue.received).toBe(0.5);
    expect(issue.message).toContain('not a whole number');
    expect(issue.allowed).toBe('a whole number from 1 to 16');
  });

  test('GPU counts out of range and bad resource names', () => {
    const issues = issuesOf(() => server({ accelerator: Accelerator.of('gpu', 17) }), code);
    expect(issueFor(issues, 'accelerator.count').message).toBe('is out of range');
    expect(issueFor(issues, 'accelerator.resourceName').received).toBe('gpu');
  });

  test('replica bounds', () => {
    const issues = issuesOf(() => server({ autoscaling: { minReplicas: 5, maxReplicas: 3 } }), code);
    const issue = issueFor(issues, 'autoscaling.maxReplicas');
    expect(issue.received).toBe(3);
    expect(issue.allowed).toBe('at least minReplicas (5)');
    expect(issueFor(issuesOf(() => server({ autoscaling: { minReplicas: 0 } }), code), 'autoscaling.minReplicas').allowed).toBe('a whole number from 1 to 100');
    expect(issueFor(issuesOf(() => server({ replicas: 2.5 }), code), 'replicas').message).toBe('is not a whole number');
    expect(issueFor(issuesOf(() => server({ replicas: 3, autoscaling: {} }), code), 'replicas').message).toContain('HPA owns the replica count');
  });

  test('requests above limits', () => {
    const issues = issuesOf(() => server({ resources: { cpu: { request: Cpu.units(3), limit: Cpu.units(2) }, memory: { request: Size.gibibytes(8), limit: Size.gibibytes(4) } } }), code);
    expect(issueFor(issues, 'resources.cpu.request')).toMatchObject({ message: 'is above the limit', received: '3000m > 2000m', allowed: 'at most resources.cpu.limit (2000m)' });
    expect(issueFor(issues, 'resources.memory.request')).toMatchObject({ message: 'is above the limit', received: '8192Mi > 4096Mi' });
  });

  test('fractional quantities', () => {
    expect(issueFor(issuesOf(() => server({ resources: { cpu: { request: Cpu.millis(0.5) } } }), code), 'resources.cpu.request').message).toContain('whole, positive number of millicores');
    expect(issueFor(issuesOf(() => server({ terminationGracePeriod: Duration.millis(30_500) }), code), 'terminationGracePeriod').message).toBe('is not a whole number');
  });

  test('model URI schemes the init container cannot fetch', () => {
    for (const uri of ['gs://bucket/model', 'https://models.lab/fraud.tar.gz', 'hf://org/model', 'mlflow-artifacts:/1/abc/artifacts']) {
      const issue = issueFor(issuesOf(() => server({ model: ModelSource.fromUri(uri) }), code), 'model.uri');
      expect(issue.received).toBe(uri);
      expect(issue.allowed).toContain('s3://<bucket>/<prefix>');
      expect(issue.allowed).toContain('pvc://<claim>/<path>');
    }
    expect(issueFor(issuesOf(() => server({ model: ModelSource.fromUri('/mnt/models') }), code), 'model.uri').message).toBe('is not a URI');
    expect(issueFor(issuesOf(() => server({ model: ModelSource.fromUri('pvc://models/../etc') }), code), 'model.uri').message).toContain('escapes');
  });

  test('a termination grace period shorter than the drain', () => {
    // SIGTERM → 5 s grace (readiness off, still serving) → 20 s drain → 2 s to stop the workers.
    const issue = issueFor(issuesOf(() => server({ terminationGracePeriod: Duration.seconds(26) }), code), 'terminationGracePeriod');
    expect(issue.allowed).toBe("at least the runtime's shutdown grace (5 s) + the drain timeout + 2 s = 27s");
    expect(() => server({ terminationGracePeriod: Duration.seconds(27) })).not.toThrow();
  });

  test('runtime metrics autoscaling on a custom container', () => {
    const vllm = ServingContainer.custom({ image: 'vllm/vllm-openai:v0.8.5', port: 8000, livenessPath: '/health', readinessPath: 'health' });
    const issues = issuesOf(() => server({ container: vllm, autoscaling: { targetInflightRequestsPerPod: 4 } }), code);
    expect(issues.map((i) => i.field).sort()).toEqual(['autoscaling', 'container.readinessPath']);
  });

  test('scheduling intents are validated when rendered (they may be added after construction)', () => {
    const { stack, server: s } = server();
    s.scheduling.attract('nvidia.com/gpu product', 'A100');
    s.scheduling.tolerate(Taint.equals('dedicated', 'gpu pool'));
    s.scheduling.spread('kubernetes.io/hostname', 0);
    const issues = issuesOf(() => TerraformTemplate.synth(stack), code);
    expect(issues.map((i) => i.field)).toEqual(['scheduling.attract', 'scheduling.tolerate(dedicated)', 'scheduling.spread(kubernetes.io/hostname)']);
    expect(issues[0]!.received).toBe('nvidia.com/gpu product');
  });

  test('collects every problem into one error whose summary names the construct', () => {
    const message = errorOf(() => server({ name: 'Fraud', accelerator: Accelerator.nvidiaGpu(1.5), resources: { cpu: { request: Cpu.units(4) } }, ingress: { host: 'not a host' } }), code).message;
    expect(message.split('\n')[0]).toBe('ModelServer at test/Fraud is invalid');
    expect(message).toContain('name: is not a valid Kubernetes name; received "Fraud"');
    expect(message).toContain('accelerator.count:');
    expect(message).toContain('resources.cpu.request: is above the limit');
    expect(message).toContain('ingress.host: is not a DNS host name');
  });
});
