import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Testing } from '../../../constructs/cdktf/binding';
import {
  AcceleratorType, EndpointNetworking, MachineType, VertexEndpoint, VertexServing,
  VertexServingProps, VertexServingStack, VertexServingStackProps,
} from '../../../constructs/gcp';
import { RUNTIME_METRICS } from '../../../lib/core/metrics-catalog';
import { TerraformTemplate } from '../../support/terraform-template';
import { errorOf, fieldsOf } from '../../support/errors';
import { newGcpStack as newStack } from '../../support/gcp';

const FIXTURE = path.join(__dirname, 'fixtures', 'tiny');
const KEY = 'projects/demo-project/locations/europe-west4/keyRings/serving/cryptoKeys/models';

function stackWith(props: VertexServingProps = {}, stackProps: Partial<VertexServingStackProps> = {}): { stack: VertexServingStack; serving: VertexServing } {
  const app = Testing.app();
  const stack = new VertexServingStack(app, 'Serving', { project: 'demo-project', region: 'europe-west4', ...stackProps });
  const serving = new VertexServing(stack, 'Tiny', { modelPackage: FIXTURE, ...props });
  return { stack, serving };
}

function synth(props: VertexServingProps = {}, stackProps: Partial<VertexServingStackProps> = {}): TerraformTemplate {
  return TerraformTemplate.synth(stackWith(props, stackProps).stack);
}

describe('VertexServing defaults', () => {
  const t = synth();

  test('Artifact Registry Docker repository in the region with a keep-recent cleanup policy', () => {
    t.hasResourceWithProperties('google_artifact_registry_repository', {
      repository_id: 'servingstack-runtime',
      location: 'europe-west4',
      format: 'DOCKER',
      docker_config: { immutable_tags: false },
      cleanup_policies: [{ id: 'keep-recent', action: 'KEEP', most_recent_versions: { keep_count: 10 } }],
      kms_key_name: undefined,
    });
  });

  test('model bucket: regional, versioned, uniform access, public access prevention, noncurrent versions expire', () => {
    t.hasResourceWithProperties('google_storage_bucket', {
      name: 'demo-project-servingstack-models',
      location: 'europe-west4',
      uniform_bucket_level_access: true,
      public_access_prevention: 'enforced',
      versioning: { enabled: true },
      force_destroy: false,
      lifecycle_rule: [{ action: { type: 'Delete' }, condition: { days_since_noncurrent_time: 30, with_state: 'ARCHIVED' } }],
      encryption: undefined,
    });
  });

  test('two service accounts with least-privilege project roles', () => {
    expect(t.resources('google_service_account').map((r) => r.account_id).sort()).toEqual(['servingstack-deployer', 'servingstack-runtime']);
    const roles = t.resources('google_project_iam_member').map((r) => `${String(r.role)} → ${String(r.member).includes('Runtime') ? 'runtime' : 'deployer'}`);
    expect(roles.sort()).toEqual([
      'roles/aiplatform.user → deployer',
      'roles/logging.logWriter → runtime',
      'roles/monitoring.metricWriter → runtime',
      'roles/monitoring.viewer → deployer',
    ]);
    t.hasResourceWithProperties('google_service_account_iam_member', { role: 'roles/iam.serviceAccountUser', member: expect.stringMatching(/Deployer.*\.email/) });
  });

  test('resource-level grants: runtime reads packages, deployer reads and creates packages; images are pulled by the Vertex service agent', () => {
    expect(t.resourceCount('google_artifact_registry_repository_iam_member')).toBe(0);
    const bucketGrants = t.resources('google_storage_bucket_iam_member').map((r) => `${String(r.role)} ${/Runtime/.test(String(r.member)) ? 'runtime' : 'deployer'}`);
    expect(bucketGrants.sort()).toEqual(['roles/storage.objectCreator deployer', 'roles/storage.objectViewer deployer', 'roles/storage.objectViewer runtime']);
  });

  test('public endpoint with a stable numeric ID; Terraform leaves the traffic split to the rollout', () => {
    const ep = t.hasResourceWithProperties('google_vertex_ai_endpoint', {
      display_name: 'tiny',
      location: 'europe-west4',
      lifecycle: { ignore_changes: ['traffic_split'] },
      network: undefined,
      private_service_connect_config: undefined,
      encryption_spec: undefined,
    });
    expect(ep.name).toMatch(/^[1-9][0-9]{9}$/);
    expect(synth().resources('google_vertex_ai_endpoint')[0].name).toBe(ep.name);
  });

  test('no outputs unless asked', () => {
    expect(t.outputs()).toEqual({});
  });

  test('alerts on error rate and p99 latency (no capacity alert when replicas cannot scale), then model quality', () => {
    expect(t.resources('google_monitoring_alert_policy').map((p) => p.display_name).sort()).toEqual([
      'Serving/Tiny/Monitoring: error rate above 5%',
      'Serving/Tiny/Monitoring: p99 latency above 1000 ms',
      'Serving/Tiny/Monitoring: 1 or more drifted features',
      'Serving/Tiny/Monitoring: accuracy below 0.9',
      'Serving/Tiny/Monitoring: 1 or more concept-drift detections in 15 minutes',
      'Serving/Tiny/Monitoring: disparate impact ratio below 0.8',
      'Serving/Tiny/Monitoring: demographic parity difference 0.1 or more',
    ].sort());
  });

  test('the prediction-token key: a Secret Manager secret the runtime identity alone may read, its version passed to the runtime', () => {
    const secret = t.hasResourceWithProperties('google_secret_manager_secret', { secret_id: 'servingstack-feedback-key-tiny', replication: { auto: {} } });
    const version = t.hasResourceWithProperties('google_secret_manager_secret_version', { secret: expect.stringMatching(/^\$\{google_secret_manager_secret\..*\.id\}$/), lifecycle: { ignore_changes: ['secret_data'] } });
    // generated by Terraform at apply time: an expression, never a literal key
    expect(version.secret_data).toMatch(/^\$\{join\("", \[replace\(uuid\(\), "-", ""\), replace\(uuid\(\), "-", ""\)\]\)\}$/);
    expect(secret).toBeDefined();
    const grants = t.resources('google_secret_manager_secret_iam_member');
    expect(grants).toEqual([expect.objectContaining({ role: 'roles/secretmanager.secretAccessor', member: expect.stringMatching(/^serviceAccount:\$\{google_service_account\.Tiny_Identity_Runtime_.*\.email\}$/) })]);
    expect(t.resources('google_project_iam_member').map((m) => m.role)).not.toContain('roles/secretmanager.secretAccessor');
  });

  test('small snapshot of the endpoint, bucket and repository', () => {
    const pick = (type: string) => t.resources(type).map((r) => (type === 'google_vertex_ai_endpoint' ? { ...r, name: '<id>' } : r));
    expect({ endpoint: pick('google_vertex_ai_endpoint'), bucket: pick('google_storage_bucket'), repository: pick('google_artifact_registry_repository') }).toMatchSnapshot();
  });
});

describe('dashboard', () => {
  const dashboardOf = (t: TerraformTemplate) => JSON.parse(String(t.resources('google_monitoring_dashboard')[0].dashboard_json)) as {
    mosaicLayout: { tiles: { widget: { title: string; xyChart: { dataSets: { timeSeriesQuery: { timeSeriesFilter?: { filter: string }; prometheusQuery?: string } }[] } } }[] };
  };

  test('charts every Vertex endpoint metric the issue lists, filtered to this endpoint', () => {
    const t = synth({ endpoint: { endpointId: '4242424242' } });
    const filters = dashboardOf(t).mosaicLayout.tiles.flatMap((tile) => tile.widget.xyChart.dataSets.map((d) => d.timeSeriesQuery.timeSeriesFilter?.filter)).filter(Boolean);
    for (const metric of ['prediction_count', 'error_count', 'prediction_latencies', 'replicas', 'target_replicas', 'cpu/utilization', 'memory/bytes_used', 'accelerator/duty_cycle']) {
      expect(filters).toContain(`metric.type="aiplatform.googleapis.com/prediction/online/${metric}" AND resource.type="aiplatform.googleapis.com/Endpoint" AND resource.labels.endpoint_id="4242424242"`);
    }
  });

  test('by default no PromQL tiles (Vertex does not scrape the runtime); runtimeMetrics adds every catalogue metric', () => {
    const promQlOf = (t: TerraformTemplate) => dashboardOf(t).mosaicLayout.tiles.map((tile) => tile.widget.xyChart.dataSets[0].timeSeriesQuery.prometheusQuery).filter(Boolean).join('\n');
    expect(promQlOf(synth())).toBe('');
    const queries = promQlOf(synth({ monitoring: { runtimeMetrics: true } }));
    for (const m of Object.values(RUNTIME_METRICS)) expect(queries).toContain(m.name);
    expect(queries).toContain('histogram_quantile(0.99, sum by (le, model)(rate(servingstack_request_duration_seconds_bucket[5m])))');
  });

  test("the runtime's verdicts are charted from their log-based metrics, by model", () => {
    const t = synth({ endpoint: { endpointId: '4242424242' } });
    const tiles = dashboardOf(t).mosaicLayout.tiles.filter((tile) => tile.widget.title.startsWith('runtime:'));
    expect(tiles.map((tile) => tile.widget.title)).toEqual([
      'runtime: Drifted features per closed window', 'runtime: Rolling accuracy (labelled rows)', 'runtime: Concept-drift detections', 'runtime: Disparate impact ratio', 'runtime: Demographic parity difference',
    ]);
    const metricNames = t.resources('google_logging_metric').map((m) => m.name);
    tiles.forEach((tile, i) => {
      const filter = tile.widget.xyChart.dataSets[0].timeSeriesQuery.timeSeriesFilter!.filter;
      expect(filter).toMatch(/^metric\.type="logging\.googleapis\.com\/user\/\$\{google_logging_metric\.\w+\.name\}" AND resource\.type="aiplatform\.googleapis\.com\/Endpoint" AND resource\.labels\.endpoint_id="4242424242"$/);
      expect(metricNames[i]).toMatch(/^servingstack\/4242424242\/servingstack_/);
    });
    const none = dashboardOf(synth({ monitoring: { modelQualityMonitoring: false } })).mosaicLayout.tiles.map((tile) => tile.widget.title);
    expect(none.some((title) => title.startsWith('runtime:'))).toBe(false);
  });

  test('legend templates are escaped for Terraform: the only interpolations are the log-based metric names', () => {
    const raw = String(synth().resources('google_monitoring_dashboard')[0].dashboard_json);
    expect(raw).toContain('$${metric.labels.deployed_model_id}');
    expect(raw.replace(/\$\$\{/g, '').replace(/\$\{google_logging_metric\.\w+\.name\}/g, '')).not.toContain('${');
  });
});

describe('monitoring options', () => {
  test('e-mail channels and existing channels are notified; thresholds carry through', () => {
    const t = synth({
      deployment: { machineType: MachineType.N1_STANDARD_4, minReplicaCount: 2, maxReplicaCount: 7 },
      monitoring: { notificationEmails: ['oncall@example.com'], notificationChannelIds: ['projects/demo-project/notificationChannels/31337'], thresholds: { maxErrorRatePercent: 2.5, maxP99LatencyMillis: 777 } },
    });
    t.hasResourceWithProperties('google_monitoring_notification_channel', { type: 'email', labels: { email_address: 'oncall@example.com' } });
    const policies = t.resources('google_monitoring_alert_policy');
    expect(policies).toHaveLength(8);
    for (const p of policies) expect(p.notification_channels).toEqual([expect.stringMatching(/google_monitoring_notification_channel\..*\.name/), 'projects/demo-project/notificationChannels/31337']);
    t.hasResourceWithProperties('google_monitoring_alert_policy', { severity: 'CRITICAL', conditions: [{ condition_threshold: { threshold_value: 0.025, comparison: 'COMPARISON_GT' } }] });
    t.hasResourceWithProperties('google_monitoring_alert_policy', { severity: 'WARNING', conditions: [{ condition_threshold: { threshold_value: 777 } }] });
    t.hasResourceWithProperties('google_monitoring_alert_policy', { display_name: expect.stringContaining('replicas at the ceiling (7)'), conditions: [{ condition_threshold: { threshold_value: 6.5, duration: '900s' } }] });
  });

  test('invalid e-mail, channel ID and thresholds are reported together', () => {
    const e = errorOf(() => synth({ monitoring: { notificationEmails: ['not-an-email'], notificationChannelIds: ['31337'], thresholds: { maxErrorRatePercent: 0, maxP99LatencyMillis: 1.5 } } }));
    expect(e.code).toBe('SS_ERR_GCP_MONITORING_INVALID');
    expect(e.issues.map((i) => i.field)).toEqual(['notificationEmails[0]', 'notificationChannelIds[0]', 'thresholds.maxErrorRatePercent', 'thresholds.maxP99LatencyMillis']);
  });

  test('the shared defaults apply (error rate 5 %, p99 1000 ms), and the capacity alert waits maxMinutesAtMaxReplicas', () => {
    const t = synth({ deployment: { machineType: MachineType.N1_STANDARD_4, minReplicaCount: 1, maxReplicaCount: 3 }, monitoring: { thresholds: { maxMinutesAtMaxReplicas: 30 } } });
    t.hasResourceWithProperties('google_monitoring_alert_policy', { severity: 'CRITICAL', conditions: [{ condition_threshold: { threshold_value: 0.05 } }] });
    t.hasResourceWithProperties('google_monitoring_alert_policy', { severity: 'WARNING', conditions: [{ condition_threshold: { threshold_value: 1000 } }] });
    t.hasResourceWithProperties('google_monitoring_alert_policy', { severity: 'WARNING', conditions: [{ condition_threshold: { threshold_value: 2.5, duration: '1800s' } }] });
  });
});

describe('CMEK', () => {
  test('the key encrypts bucket, repository and endpoint; service agents may use it', () => {
    const t = synth({ kmsKeyName: KEY }, { projectNumber: '123456789012' });
    t.hasResourceWithProperties('google_storage_bucket', { encryption: { default_kms_key_name: KEY } });
    t.hasResourceWithProperties('google_artifact_registry_repository', { kms_key_name: KEY });
    t.hasResourceWithProperties('google_vertex_ai_endpoint', { encryption_spec: { kms_key_name: KEY } });
    expect(t.resources('google_kms_crypto_key_iam_member').map((r) => r.member).sort()).toEqual([
      'serviceAccount:service-123456789012@gcp-sa-aiplatform.iam.gserviceaccount.com',
      'serviceAccount:service-123456789012@gcp-sa-artifactregistry.iam.gserviceaccount.com',
      'serviceAccount:service-123456789012@gs-project-accounts.iam.gserviceaccount.com',
    ]);
  });

  test('a key in another region, or no project number, fails at synth', () => {
    const e = errorOf(() => synth({ kmsKeyName: KEY.replace('europe-west4', 'us-central1') }));
    expect(e.issues.map((i) => `${i.field}: ${i.message}`)).toEqual([
      "kmsKeyName: is in location us-central1, but CMEK keys must be in the stack's region",
      "kmsKeyName: needs the stack's projectNumber to grant Google's service agents use of the key",
    ]);
  });
});

describe('endpoint networking', () => {
  test('VPC peering names the network by project number and can set up private services access', () => {
    const t = synth({ networking: EndpointNetworking.vpcPeering('serving-vpc', { configurePrivateServiceAccess: true, reservedRangePrefixLength: 20 }) }, { projectNumber: '123456789012' });
    const ep = t.hasResourceWithProperties('google_vertex_ai_endpoint', { network: 'projects/123456789012/global/networks/serving-vpc' });
    t.hasResourceWithProperties('google_compute_global_address', { purpose: 'VPC_PEERING', address_type: 'INTERNAL', prefix_length: 20, network: 'projects/demo-project/global/networks/serving-vpc' });
    t.hasResourceWithProperties('google_service_networking_connection', { service: 'servicenetworking.googleapis.com', reserved_peering_ranges: [expect.stringMatching(/google_compute_global_address\..*\.name/)] });
    expect(ep.depends_on).toEqual([expect.stringMatching(/^google_service_networking_connection\./)]);
  });

  test('VPC peering without the flag leaves private services access alone', () => {
    const t = synth({ networking: EndpointNetworking.vpcPeering('serving-vpc') }, { projectNumber: '123456789012' });
    expect(t.resourceCount('google_compute_global_address')).toBe(0);
  });

  test('Private Service Connect allow-lists the own project by default, or the given ones', () => {
    synth({ networking: EndpointNetworking.privateServiceConnect() }).hasResourceWithProperties('google_vertex_ai_endpoint', {
      private_service_connect_config: { enable_private_service_connect: true, project_allowlist: ['demo-project'] },
      network: undefined,
    });
    synth({ networking: EndpointNetworking.privateServiceConnect({ projectAllowlist: ['client-project-1'] }) }).hasResourceWithProperties('google_vertex_ai_endpoint', {
      private_service_connect_config: { project_allowlist: ['client-project-1'] },
    });
  });

  test('peering without project number, a network path instead of a name and a dedicated private endpoint are errors', () => {
    const e = errorOf(() => synth({ networking: EndpointNetworking.vpcPeering('projects/1/global/networks/x'), endpoint: { dedicatedEndpoint: true } }));
    expect(e.code).toBe('SS_ERR_GCP_ENDPOINT_INVALID');
    expect(e.issues.map((i) => i.field)).toEqual(['networking.networkName', 'networking', 'dedicatedEndpoint']);
  });

  test('request/response logging samples into BigQuery; dedicated public endpoint', () => {
    synth({ endpoint: { requestResponseLogging: { bigQueryTableUri: 'bq://demo-project.serving.requests', samplingPercent: 25 }, dedicatedEndpoint: true } }).hasResourceWithProperties('google_vertex_ai_endpoint', {
      dedicated_endpoint_enabled: true,
      predict_request_response_logging_config: { enabled: true, sampling_rate: 0.25, bigquery_destination: { output_uri: 'bq://demo-project.serving.requests' } },
    });
  });

  test('endpoint ID must be numeric', () => {
    const app = Testing.app();
    const stack = new VertexServingStack(app, 'S', { project: 'demo-project', region: 'europe-west4' });
    expect(() => new VertexEndpoint(stack, 'E', { endpointId: '0123' })).toThrow(/endpointId: has the wrong form; received "0123"/);
  });
});

describe('rollout output', () => {
  test('registerOutputs writes the settings the rollout reads', () => {
    const t = synth({
      registerOutputs: true,
      deployment: { machineType: MachineType.G2_STANDARD_8, minReplicaCount: 1, maxReplicaCount: 3, targetAcceleratorDutyCyclePercent: 70 },
      rollout: { canaryTrafficPercent: 20, bakeTimeSeconds: 300 },
      runtimeImageTag: '0.1.0',
      runtimeEnvironment: { SERVINGSTACK_WORKERS: '2' },
      endpoint: { endpointId: '1234567890' },
    });
    expect(t.outputs()).toEqual({
      Tiny_rollout: {
        description: expect.any(String),
        value: {
          kind: 'servingstack.gcp.rollout',
          schemaVersion: 1,
          project: 'demo-project',
          region: 'europe-west4',
          endpointId: '1234567890',
          modelId: 'tiny',
          artifactPrefix: 'gs://demo-project-servingstack-models/models',
          imageUri: 'europe-west4-docker.pkg.dev/demo-project/servingstack-runtime/servingstack-runtime:0.1.0',
          runtimeServiceAccount: expect.stringMatching(/^\$\{google_service_account\..*\.email\}$/),
          deployment: { machineType: 'g2-standard-8', minReplicaCount: 1, maxReplicaCount: 3, targetAcceleratorDutyCyclePercent: 70 },
          policy: { canaryTrafficPercent: 20, bakeTimeSeconds: 300 },
          env: { SERVINGSTACK_EMF: 'true', SERVINGSTACK_FEEDBACK_KEY_GCP_SECRET: expect.stringMatching(/^\$\{google_secret_manager_secret_version\..*\.name\}$/), SERVINGSTACK_WORKERS: '2' },
        },
      },
    });
  });
});

describe('synth-time validation', () => {
  test('machine/accelerator mismatch, replica bounds, rollout policy and reserved env are reported at once', () => {
    const e = errorOf(() =>
      synth({
        deployment: { machineType: MachineType.E2_STANDARD_4, acceleratorType: AcceleratorType.NVIDIA_L4, minReplicaCount: 3, maxReplicaCount: 2 },
        rollout: { canaryTrafficPercent: 0 },
        runtimeEnvironment: { AIP_HTTP_PORT: '9000' },
      }),
    );
    expect(e.code).toBe('SS_ERR_GCP_DEPLOYMENT_INVALID');
    expect(e.issues.map((i) => i.field)).toEqual(['deployment.acceleratorType', 'deployment.maxReplicaCount', 'rollout.canaryTrafficPercent', 'runtimeEnvironment.AIP_HTTP_PORT']);
    expect(e.message).toContain('deployment.acceleratorType: cannot be used with e2-standard-4: the e2 family takes no accelerators; received "NVIDIA_L4"');
    expect(e.message).toContain('deployment.maxReplicaCount: is below minReplicaCount (3); received 2; allowed: a whole number from 3 to 1000');
  });

  test('an invalid model package manifest fails at synth with the manifest field', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gcp-bad-manifest-'));
    fs.writeFileSync(path.join(dir, 'servingstack.json'), JSON.stringify({ schemaVersion: 1, name: 'Bad_Name', version: '1.0.0', format: 'onnx', signature: { inputs: 'none', outputs: [] } }));
    const e = errorOf(() => synth({ modelPackage: dir }));
    expect(e.code).toBe('SS_ERR_MANIFEST_INVALID');
    expect(e.issues.map((i) => i.field)).toEqual(expect.arrayContaining(['name', 'signature.inputs']));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a misspelt runtime variable is named with the one it resembles (the environment catalogue)', () => {
    const e = errorOf(() => synth({ runtimeEnvironment: { SERVINGSTACK_WORKRES: '2', SERVINGSTACK_WORKERS: '2' } }), 'SS_ERR_GCP_DEPLOYMENT_INVALID');
    expect(e.issues).toEqual([expect.objectContaining({ field: 'runtimeEnvironment.SERVINGSTACK_WORKRES', allowed: expect.stringContaining('SERVINGSTACK_WORKERS') })]);
  });

  test('a package whose manifest disagrees with its ONNX file fails synth with the code every target uses', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gcp-mismatch-'));
    fs.cpSync(FIXTURE, dir, { recursive: true });
    const m = JSON.parse(fs.readFileSync(path.join(dir, 'servingstack.json'), 'utf8')) as { signature: { outputs: { datatype: string }[] } };
    m.signature.outputs[0]!.datatype = 'INT64';
    fs.writeFileSync(path.join(dir, 'servingstack.json'), JSON.stringify(m));
    const e = errorOf(() => synth({ modelPackage: dir }), 'SS_ERR_SIGNATURE_MISMATCH');
    expect(e.issues.map((i) => i.field)).toEqual(['signature.outputs[0].datatype']);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a missing package directory and a missing model ID are named', () => {
    expect(errorOf(() => synth({ modelPackage: '/nonexistent/pkg' }), 'SS_ERR_PACKAGE_INVALID').message).toMatch(/dir: does not exist; received "\/nonexistent\/pkg"/);
    const app = Testing.app();
    const stack = new VertexServingStack(app, 'S', { project: 'demo-project', region: 'europe-west4' });
    expect(() => new VertexServing(stack, 'NoModel')).toThrow(/modelId: is required without a modelPackage/);
  });
});

describe('VertexServing props', () => {
  test('model ID override, image name and tag, model labels travel in the rollout settings', () => {
    const stack = newStack();
    const s = new VertexServing(stack, 'X', { modelId: 'fraud', runtimeImageName: 'ml/runtime', runtimeImageTag: '2.0.1', modelLabels: { team: 'risk' } });
    expect(s.rolloutSettings).toMatchObject({ modelId: 'fraud', imageUri: 'us-central1-docker.pkg.dev/demo-project/servingstack-runtime/ml/runtime:2.0.1', labels: { team: 'risk' } });
  });

  test('invalid model ID, image name and tag, and model labels', () => {
    expect(fieldsOf(() => new VertexServing(newStack(), 'X', { modelId: 'Fraud', runtimeImageName: 'ML Runtime', runtimeImageTag: ':latest', modelLabels: { team: 'Risk' } }))).toEqual([
      'modelId', 'modelLabels.team', 'runtimeImageName', 'runtimeImageTag',
    ]);
  });
});
