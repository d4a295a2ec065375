/**
 * The building blocks on their own: every option lands in the Terraform JSON, every invalid
 * option fails at synth naming prop, value and what is allowed.
 */
import { Testing } from '../../../constructs/cdktf/binding';
import {
  ModelPackageBucket, RuntimeImageRepository, ServingMonitoring, ServingServiceAccounts, VertexEndpoint, VertexServing, VertexServingStack,
} from '../../../constructs/gcp';
import { ServingStackError } from '../../../lib/core/errors';
import { TerraformTemplate } from './support/template';

function newStack(): VertexServingStack {
  return new VertexServingStack(Testing.app(), 'S', { project: 'demo-project', region: 'us-central1' });
}

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (ServingStackError.isServingStackError(e)) return e.issues.map((i) => i.field);
    throw e;
  }
  throw new Error('expected a ServingStackError');
}

test('the stack labels resources managed-by servingstack by default; label keys keep their dashes', () => {
  expect(TerraformTemplate.synth(newStack()).provider('google')[0].default_labels).toEqual({ 'managed-by': 'servingstack' });
  const custom = new VertexServingStack(Testing.app(), 'S', { project: 'demo-project', region: 'us-central1', defaultLabels: { 'cost-center': 'ml-42' } });
  expect(TerraformTemplate.synth(custom).provider('google')[0].default_labels).toEqual({ 'cost-center': 'ml-42' });
});

describe('RuntimeImageRepository', () => {
  test('repository ID, immutable tags, retention and URL', () => {
    const stack = newStack();
    const repo = new RuntimeImageRepository(stack, 'Repo', { repositoryId: 'runtime-images', immutableTags: true, keepRecentVersions: 37 });
    TerraformTemplate.synth(stack).hasResourceWithProperties('google_artifact_registry_repository', {
      repository_id: 'runtime-images',
      location: 'us-central1',
      docker_config: { immutable_tags: true },
      cleanup_policies: [{ most_recent_versions: { keep_count: 37 } }],
    });
    expect(repo.repositoryUrl).toBe('us-central1-docker.pkg.dev/demo-project/runtime-images');
  });

  test('invalid ID, key name and retention', () => {
    expect(issuesOf(() => new RuntimeImageRepository(newStack(), 'R', { repositoryId: '9-Bad', kmsKeyName: 'my-key', keepRecentVersions: 0 }))).toEqual(['repositoryId', 'kmsKeyName', 'keepRecentVersions']);
  });
});

describe('ModelPackageBucket', () => {
  test('name, retention, force destroy and grants', () => {
    const stack = newStack();
    const bucket = new ModelPackageBucket(stack, 'B', { bucketName: 'acme-models-7', noncurrentVersionRetentionDays: 11, forceDestroy: true });
    bucket.grantRead('Reader', 'group:ml@example.com');
    bucket.grantCreate('Writer', 'serviceAccount:ci@demo-project.iam.gserviceaccount.com');
    const t = TerraformTemplate.synth(stack);
    t.hasResourceWithProperties('google_storage_bucket', { name: 'acme-models-7', force_destroy: true, lifecycle_rule: [{ condition: { days_since_noncurrent_time: 11 } }] });
    t.hasResourceWithProperties('google_storage_bucket_iam_member', { role: 'roles/storage.objectViewer', member: 'group:ml@example.com' });
    t.hasResourceWithProperties('google_storage_bucket_iam_member', { role: 'roles/storage.objectCreator', member: 'serviceAccount:ci@demo-project.iam.gserviceaccount.com' });
    expect(bucket.artifactPrefix).toBe('gs://acme-models-7/models');
  });

  test('invalid name and retention', () => {
    expect(issuesOf(() => new ModelPackageBucket(newStack(), 'B', { bucketName: 'Google_Bucket', noncurrentVersionRetentionDays: 0 }))).toEqual(['bucketName', 'noncurrentVersionRetentionDays']);
  });
});

describe('ServingServiceAccounts', () => {
  test('custom IDs and deployer impersonators', () => {
    const stack = newStack();
    new ServingServiceAccounts(stack, 'Id', { runtimeAccountId: 'fraud-runtime', deployerAccountId: 'fraud-deployer', deployerImpersonators: ['group:ml-release@example.com'] });
    const t = TerraformTemplate.synth(stack);
    expect(t.resources('google_service_account').map((r) => r.account_id).sort()).toEqual(['fraud-deployer', 'fraud-runtime']);
    t.hasResourceWithProperties('google_service_account_iam_member', { role: 'roles/iam.serviceAccountTokenCreator', member: 'group:ml-release@example.com', service_account_id: expect.stringMatching(/Deployer.*\.name/) });
  });

  test('bad IDs, identical IDs and bad members', () => {
    expect(issuesOf(() => new ServingServiceAccounts(newStack(), 'Id', { runtimeAccountId: 'ab', deployerAccountId: 'ab', deployerImpersonators: ['ml-release@example.com'] }))).toEqual([
      'runtimeAccountId', 'deployerAccountId', 'deployerAccountId', 'deployerImpersonators[0]',
    ]);
  });
});

describe('VertexEndpoint', () => {
  test('ID, display name, description and labels', () => {
    const stack = newStack();
    const ep = new VertexEndpoint(stack, 'E', { endpointId: '987654321', displayName: 'fraud scoring', description: 'scores card payments', labels: { team: 'risk', 'cost-center': 'ml-42' } });
    TerraformTemplate.synth(stack).hasResourceWithProperties('google_vertex_ai_endpoint', { name: '987654321', display_name: 'fraud scoring', description: 'scores card payments', labels: { team: 'risk', 'cost-center': 'ml-42' }, region: 'us-central1' });
    expect(ep.endpointName).toBe('projects/demo-project/locations/us-central1/endpoints/987654321');
  });

  test('invalid labels, BigQuery URI and sampling rate', () => {
    expect(issuesOf(() => new VertexEndpoint(newStack(), 'E', { labels: { Team: 'Risk' }, requestResponseLogging: { bigQueryTableUri: 'demo.serving.requests', samplingPercent: 0 } }))).toEqual([
      'labels.Team', 'labels.Team', 'requestResponseLogging.bigQueryTableUri', 'requestResponseLogging.samplingPercent',
    ]);
  });
});

describe('ServingMonitoring', () => {
  test('display name prefix and no channels', () => {
    const stack = newStack();
    new ServingMonitoring(stack, 'M', { endpointId: '987654321', displayNamePrefix: 'fraud' });
    const t = TerraformTemplate.synth(stack);
    expect(t.resources('google_monitoring_alert_policy').map((p) => [p.display_name, p.notification_channels])).toEqual([
      ['fraud: error rate above 1%', undefined],
      ['fraud: p99 latency above 1000 ms', undefined],
    ]);
    expect(JSON.parse(String(t.resources('google_monitoring_dashboard')[0].dashboard_json)).displayName).toBe('fraud serving');
  });
});

describe('VertexServing', () => {
  test('model ID override, image name and tag, model labels travel in the rollout settings', () => {
    const stack = newStack();
    const s = new VertexServing(stack, 'X', { modelId: 'fraud', runtimeImageName: 'ml/runtime', runtimeImageTag: '2.0.1', modelLabels: { team: 'risk' } });
    expect(s.rolloutSettings).toMatchObject({ modelId: 'fraud', imageUri: 'us-central1-docker.pkg.dev/demo-project/servingstack-runtime/ml/runtime:2.0.1', labels: { team: 'risk' } });
  });

  test('invalid model ID, image name and tag, and model labels', () => {
    expect(issuesOf(() => new VertexServing(newStack(), 'X', { modelId: 'Fraud', runtimeImageName: 'ML Runtime', runtimeImageTag: ':latest', modelLabels: { team: 'Risk' } }))).toEqual([
      'modelId', 'modelLabels.team', 'runtimeImageName', 'runtimeImageTag',
    ]);
  });
});
