/**
 * `RuntimeImageRepository` on its own: every option lands in the Terraform JSON, every invalid option fails at synth
 * naming prop, value and what is allowed.
 */
import { RuntimeImageRepository } from '../../../constructs/gcp';
import { TerraformTemplate } from '../../support/terraform-template';
import { fieldsOf } from '../../support/errors';
import { newGcpStack as newStack } from '../../support/gcp';

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
    expect(fieldsOf(() => new RuntimeImageRepository(newStack(), 'R', { repositoryId: '9-Bad', kmsKeyName: 'my-key', keepRecentVersions: 0 }))).toEqual(['repositoryId', 'kmsKeyName', 'keepRecentVersions']);
  });
});
