import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildVertexExampleApp } from '../../examples/gcp-vertex/stack';
import { resolveRolloutSettings } from '../../constructs/gcp/rollout';

describe('examples/gcp-vertex', () => {
  test('synthesizes offline to Terraform JSON with every resource type of the stack and the rollout output', () => {
    // GIVEN
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'gcp-example-'));
    // WHEN
    buildVertexExampleApp(outdir).synth();
    // THEN
    const tf = JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', 'vertex-serving', 'cdk.tf.json'), 'utf8'));
    expect(Object.keys(tf.resource).sort()).toEqual([
      'google_artifact_registry_repository',
      'google_eventarc_trigger',
      'google_logging_metric',
      'google_monitoring_alert_policy',
      'google_monitoring_dashboard',
      'google_monitoring_notification_channel',
      'google_project_iam_member',
      'google_pubsub_topic',
      'google_pubsub_topic_iam_member',
      'google_secret_manager_secret',
      'google_secret_manager_secret_iam_member',
      'google_secret_manager_secret_version',
      'google_service_account',
      'google_service_account_iam_member',
      'google_storage_bucket',
      'google_storage_bucket_iam_member',
      'google_vertex_ai_endpoint',
      'google_workflows_workflow',
    ]);
    expect(tf.terraform.required_providers.google).toEqual({ source: 'google', version: '6.50.0' });
    // The output, with the service account token replaced as `terraform apply` would, is valid rollout input.
    const value = tf.output.Tiny_rollout.value;
    const settings = resolveRolloutSettings({ ...value, runtimeServiceAccount: 'servingstack-runtime@my-ml-project.iam.gserviceaccount.com' });
    expect(settings).toMatchObject({ bakeTimeSeconds: 600, minPredictions: 100, maxBakeTimeSeconds: 4200 });
    expect(settings.env).toMatchObject({ SERVINGSTACK_EMF: 'true', SERVINGSTACK_EXECUTION_PROVIDERS: 'cuda,cpu' });
    expect(settings.deploymentSpec).toMatchObject({ machineType: 'g2-standard-8', acceleratorType: 'NVIDIA_L4', acceleratorCount: 1, maxReplicaCount: 3 });
    fs.rmSync(outdir, { recursive: true, force: true });
  });
});
