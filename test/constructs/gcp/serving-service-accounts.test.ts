/**
 * `ServingServiceAccounts` on its own: every option lands in the Terraform JSON, every invalid option fails at synth
 * naming prop, value and what is allowed.
 */
import { ServingServiceAccounts } from '../../../constructs/gcp';
import { TerraformTemplate } from '../../support/terraform-template';
import { fieldsOf } from '../../support/errors';
import { newGcpStack as newStack } from '../../support/gcp';

describe('ServingServiceAccounts', () => {
  test('custom IDs and deployer impersonators', () => {
    const stack = newStack();
    new ServingServiceAccounts(stack, 'Id', { runtimeAccountId: 'fraud-runtime', deployerAccountId: 'fraud-deployer', deployerImpersonators: ['group:ml-release@example.com'] });
    const t = TerraformTemplate.synth(stack);
    expect(t.resources('google_service_account').map((r) => r.account_id).sort()).toEqual(['fraud-deployer', 'fraud-runtime']);
    t.hasResourceWithProperties('google_service_account_iam_member', { role: 'roles/iam.serviceAccountTokenCreator', member: 'group:ml-release@example.com', service_account_id: expect.stringMatching(/Deployer.*\.name/) });
  });

  test('bad IDs, identical IDs and bad members', () => {
    expect(fieldsOf(() => new ServingServiceAccounts(newStack(), 'Id', { runtimeAccountId: 'ab', deployerAccountId: 'ab', deployerImpersonators: ['ml-release@example.com'] }))).toEqual([
      'runtimeAccountId', 'deployerAccountId', 'deployerAccountId', 'deployerImpersonators[0]',
    ]);
  });
});
