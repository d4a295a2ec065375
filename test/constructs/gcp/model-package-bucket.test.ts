/**
 * `ModelPackageBucket` on its own: every option lands in the Terraform JSON, every invalid option fails at synth
 * naming prop, value and what is allowed.
 */
import { ModelPackageBucket } from '../../../constructs/gcp';
import { TerraformTemplate } from '../../support/terraform-template';
import { fieldsOf } from '../../support/errors';
import { newGcpStack as newStack } from '../../support/gcp';

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
    expect(fieldsOf(() => new ModelPackageBucket(newStack(), 'B', { bucketName: 'Google_Bucket', noncurrentVersionRetentionDays: 0 }))).toEqual(['bucketName', 'noncurrentVersionRetentionDays']);
  });
});
