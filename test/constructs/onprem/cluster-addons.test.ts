import { GpuOperator, GpuSharing, MigStrategy, MlflowRegistry, MlflowRegistryProps, ONPREM_ERRORS, PrometheusAdapter, ServingMonitoring } from '../../../constructs/onprem';
import { Json, Synth, issueFor, issuesOf, newStack } from './support';

describe('GpuOperator', () => {
  test('defaults: chart v26.7.0, driver and toolkit on, DCGM exporter on without a ServiceMonitor, privileged namespace', () => {
    const stack = newStack();
    new GpuOperator(stack, 'Gpu');
    const synth = Synth.of(stack);
    expect(synth.resource('helm_release', 'gpu-operator')).toMatchObject({ namespace: 'gpu-operator', repository: 'https://helm.ngc.nvidia.com/nvidia', chart: 'gpu-operator', version: 'v26.7.0', atomic: true, timeout: 1200 });
    expect(synth.helmValues('gpu-operator')).toEqual({
      driver: { enabled: true },
      toolkit: { enabled: true },
      devicePlugin: { enabled: true },
      nfd: { enabled: true },
      gfd: { enabled: true },
      dcgmExporter: { enabled: true, serviceMonitor: { enabled: false } },
    });
    expect(synth.resource('kubernetes_namespace_v1', 'gpu-operator').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
  });

  test('preinstalled drivers and toolkit', () => {
    const stack = newStack();
    new GpuOperator(stack, 'Gpu', { driverEnabled: false, toolkitEnabled: false });
    const v = Synth.of(stack).helmValues('gpu-operator');
    expect(v.driver).toEqual({ enabled: false });
    expect(v.toolkit).toEqual({ enabled: false });
  });

  test('pinned driver version', () => {
    const stack = newStack();
    new GpuOperator(stack, 'Gpu', { driverVersion: '595.91.07' });
    expect(Synth.of(stack).helmValues('gpu-operator').driver).toEqual({ enabled: true, version: '595.91.07' });
  });

  test('time-slicing writes a device-plugin config applied to every node', () => {
    const stack = newStack();
    new GpuOperator(stack, 'Gpu', { sharing: GpuSharing.timeSlicing(4) });
    const dp = Synth.of(stack).helmValues('gpu-operator').devicePlugin;
    expect(dp).toMatchObject({ enabled: true, config: { create: true, name: 'servingstack-time-slicing', default: 'any' } });
    expect(JSON.parse(dp.config.data.any)).toEqual({
      version: 'v1',
      flags: { migStrategy: 'none' },
      sharing: { timeSlicing: { renameByDefault: false, failRequestsGreaterThanOne: true, resources: [{ name: 'nvidia.com/gpu', replicas: 4 }] } },
    });
  });

  test('MIG: strategy and MIG Manager default profile', () => {
    const stack = newStack();
    new GpuOperator(stack, 'Gpu', { sharing: GpuSharing.mig(MigStrategy.MIXED, 'all-1g.10gb') });
    const v = Synth.of(stack).helmValues('gpu-operator');
    expect(v.mig).toEqual({ strategy: 'mixed' });
    expect(v.migManager).toEqual({ enabled: true, config: { default: 'all-1g.10gb' } });
  });

  test('with monitoring: DCGM ServiceMonitor labelled for the release, ordered after kube-prometheus-stack', () => {
    const stack = newStack();
    const monitoring = new ServingMonitoring(stack, 'Monitoring', { releaseName: 'kps' });
    new GpuOperator(stack, 'Gpu', { monitoring });
    const synth = Synth.of(stack);
    const release = synth.resource('helm_release', 'gpu-operator');
    expect(synth.helmValues('gpu-operator').dcgmExporter).toEqual({ enabled: true, serviceMonitor: { enabled: true, interval: '15s', additionalLabels: { release: 'kps' } } });
    expect(release.depends_on).toEqual([expect.stringMatching(/^kubernetes_namespace_v1\.Gpu_Namespace/), expect.stringMatching(/^helm_release\.Monitoring/)]);
  });

  test('extra values are deep-merged last', () => {
    const stack = newStack();
    new GpuOperator(stack, 'Gpu', { extraValues: { driver: { kernelModuleType: 'open' }, cdi: { enabled: true } } });
    const v = Synth.of(stack).helmValues('gpu-operator');
    expect(v.driver).toEqual({ enabled: true, kernelModuleType: 'open' });
    expect(v.cdi).toEqual({ enabled: true });
  });

  test('bad input', () => {
    const issues = issuesOf(() => new GpuOperator(newStack(), 'Gpu', { sharing: GpuSharing.timeSlicing(1.5), driverEnabled: false, driverVersion: '595', chartVersion: 'latest' }), ONPREM_ERRORS.GPU_OPERATOR);
    expect(issues.map((i) => i.field)).toEqual(['chartVersion', 'driverVersion', 'driverVersion', 'sharing.replicasPerGpu']);
    expect(issueFor(issues, 'sharing.replicasPerGpu')).toMatchObject({ received: 1.5, allowed: 'a whole number from 2 to 64' });
    expect(issueFor(issuesOf(() => new GpuOperator(newStack(), 'Gpu', { sharing: GpuSharing.mig(MigStrategy.SINGLE, 'All 1g') }), ONPREM_ERRORS.GPU_OPERATOR), 'sharing.defaultProfile').received).toBe('All 1g');
  });
});

describe('PrometheusAdapter', () => {
  test('serves the runtime gauges as per-pod custom metrics from the stack Prometheus', () => {
    const stack = newStack();
    const monitoring = new ServingMonitoring(stack, 'Monitoring');
    new PrometheusAdapter(stack, 'Adapter', { monitoring });
    const synth = Synth.of(stack);
    const release = synth.resource('helm_release', 'prometheus-adapter');
    expect(release).toMatchObject({ namespace: 'monitoring', chart: 'prometheus-adapter', version: '5.3.0', repository: 'https://prometheus-community.github.io/helm-charts' });
    expect(release.depends_on).toEqual([expect.stringMatching(/^helm_release\.Monitoring/)]);
    const v = synth.helmValues('prometheus-adapter');
    expect(v.prometheus).toEqual({ url: 'http://kube-prometheus-stack-prometheus.monitoring.svc', port: 9090, path: '' });
    expect(v.rules.default).toBe(false);
    expect(v.rules.custom).toEqual(
      ['servingstack_inflight_requests', 'servingstack_queue_depth'].map((name) => ({
        seriesQuery: `${name}{namespace!="",pod!=""}`,
        resources: { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } },
        name: { matches: '^(.*)$', as: '$1' },
        metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)',
      })),
    );
  });

  test('an existing Prometheus by URL, path kept apart', () => {
    const stack = newStack();
    new PrometheusAdapter(stack, 'Adapter', { prometheusUrl: 'https://prom.obs.lab:8443/prometheus', namespace: 'obs' });
    expect(Synth.of(stack).helmValues('prometheus-adapter').prometheus).toEqual({ url: 'https://prom.obs.lab', port: 8443, path: '/prometheus' });
  });

  test('needs a Prometheus', () => {
    const issue = issueFor(issuesOf(() => new PrometheusAdapter(newStack(), 'Adapter'), ONPREM_ERRORS.ADAPTER), 'prometheusUrl');
    expect(issue.message).toContain('is missing');
  });
});

describe('MlflowRegistry', () => {
  const props: MlflowRegistryProps = {
    postgresHost: 'mlflow-db-rw.databases.svc',
    postgresCredentialsSecretName: 'mlflow-db',
    artifactBucket: 'mlflow',
    s3Endpoint: 'http://minio.storage.svc:9000',
    s3CredentialsSecretName: 'mlflow-s3',
  };

  test('MLflow chart with PostgreSQL metadata and un-proxied S3 artifacts', () => {
    const stack = newStack();
    const registry = new MlflowRegistry(stack, 'Registry', props);
    const synth = Synth.of(stack);
    expect(synth.resource('helm_release', 'mlflow')).toMatchObject({ namespace: 'mlflow', repository: 'https://community-charts.github.io/helm-charts', chart: 'mlflow', version: '1.12.0' });
    const v: Json = synth.helmValues('mlflow');
    expect(v.backendStore).toEqual({
      databaseMigration: true,
      postgres: { enabled: true, host: 'mlflow-db-rw.databases.svc', port: 5432, database: 'mlflow' },
      existingDatabaseSecret: { name: 'mlflow-db', usernameKey: 'username', passwordKey: 'password' },
    });
    expect(v.artifactRoot).toEqual({
      proxiedArtifactStorage: false,
      s3: { enabled: true, bucket: 'mlflow', path: '', existingSecret: { name: 'mlflow-s3', keyOfAccessKeyId: 'AWS_ACCESS_KEY_ID', keyOfSecretAccessKey: 'AWS_SECRET_ACCESS_KEY' } },
    });
    expect(v.extraEnvVars).toEqual({ MLFLOW_S3_ENDPOINT_URL: 'http://minio.storage.svc:9000' });
    expect(v.postgresql).toEqual({ enabled: false });
    expect(registry.trackingUrl).toBe('http://mlflow.mlflow.svc:5000');
  });

  test('bad input', () => {
    const issues = issuesOf(() => new MlflowRegistry(newStack(), 'Registry', { ...props, postgresPort: 70000, artifactBucket: 'My_Bucket', s3Endpoint: 'minio:9000', postgresDatabase: 'ml-flow' }), ONPREM_ERRORS.REGISTRY);
    expect(issues.map((i) => i.field)).toEqual(['postgresPort', 'postgresDatabase', 'artifactBucket', 's3Endpoint']);
  });
});
