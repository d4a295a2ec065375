/** The feedback token key (issue 15 on Azure): a Key Vault secret handed to deployments by reference. */
import { AzureMlServing, BuiltInRole, MlWorkspace } from '../../../constructs/azure';
import { ENVIRONMENT } from '../../../lib/core/contract/environment';
import { Testing } from '../../../constructs/cdktf/binding';
import { PACKAGE, SUB, armResources, errorOf, newStack, oneArm, synth } from './support/stack';


describe('AzureMlServing with monitoring carries a feedback key', () => {
  const stack = newStack({ subscriptionId: SUB });
  new AzureMlServing(stack, 'Scoring', { modelPackage: PACKAGE, monitoring: { notificationEmails: ['ml-oncall@example.com'] } });
  const t = synth(stack);
  const json = Testing.synth(stack);
  const secret = oneArm(t, 'Microsoft.KeyVault/vaults/secrets');

  test('the secret lives in the workspace Key Vault, made by Terraform at apply, written once', () => {
    expect(secret).toMatchObject({
      name: 'servingstack-feedback-key',
      parent_id: expect.stringContaining('azapi_resource.Scoring_Workspace_KeyVault_'),
      response_export_values: ['properties.secretUriWithVersion'],
      lifecycle: { ignore_changes: ['body'] },
    });
    const value = (secret.body as { properties: { value: string } }).properties.value;
    // An expression, not a value: two uuid()s without dashes.
    expect(value).toBe('${join("", [replace(uuid(), "-", ""), replace(uuid(), "-", "")])}');
  });

  test('the serving identity may read exactly this secret (Key Vault Secrets User on the secret)', () => {
    const grant = armResources(t, 'Microsoft.Authorization/roleAssignments').filter((r) => JSON.stringify(r.body).includes(BuiltInRole.KEY_VAULT_SECRETS_USER.guid));
    expect(grant).toHaveLength(1);
    expect(grant[0]!.parent_id).toMatch(/^\$\{azapi_resource\.Scoring_FeedbackKey_Secret_[A-F0-9]+\.id\}$/);
    expect(JSON.stringify(grant[0]!.body)).toContain('Scoring_Identity');
  });

  test('the deployment gets SERVINGSTACK_FEEDBACK_KEY as a secret-injection reference (Terraform-escaped), after the grant', () => {
    const d = oneArm(t, 'Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments');
    const env = (d.body as { properties: { environmentVariables: Record<string, string> } }).properties.environmentVariables;
    // Terraform renders `${{keyvault:<URI>}}` ($${ is its escape for a literal ${); Azure ML resolves it.
    expect(env.SERVINGSTACK_FEEDBACK_KEY).toMatch(/^\$\{join\("", \["\$\$\{\{keyvault:", azapi_resource\.Scoring_FeedbackKey_Secret_[A-F0-9]+\.output\.properties\.secretUriWithVersion, "\}\}"\]\)\}$/);
    expect((d.depends_on as string[]).some((x) => x.startsWith('azapi_resource.Scoring_FeedbackKey_ReaderReadsSecret_'))).toBe(true);
    expect(Object.keys(ENVIRONMENT)).toEqual(expect.arrayContaining(['SERVINGSTACK_FEEDBACK_KEY', 'SERVINGSTACK_FEEDBACK_KEY_FILE']));
  });

  test('the key is made in one place only: the secret body holds the only uuid() of the JSON', () => {
    expect(json.match(/uuid\(\)/g)).toHaveLength(2);
    expect(JSON.stringify(secret.body).match(/uuid\(\)/g)).toHaveLength(2);
  });
});

describe('feedback key options and errors', () => {
  test('off without monitoring, or with feedbackKey: false', () => {
    for (const props of [{}, { monitoring: { notificationEmails: ['a@example.com'] }, feedbackKey: false }]) {
      const stack = newStack({ subscriptionId: SUB });
      new AzureMlServing(stack, 'Scoring', { modelPackage: PACKAGE, ...props });
      const t = synth(stack);
      expect(armResources(t, 'Microsoft.KeyVault/vaults/secrets')).toHaveLength(0);
      const d = oneArm(t, 'Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments');
      expect((d.body as { properties: { environmentVariables: Record<string, string> } }).properties.environmentVariables.SERVINGSTACK_FEEDBACK_KEY).toBeUndefined();
    }
  });

  test('a plain key in environmentVariables is refused: it would be written into the template', () => {
    const stack = newStack({ subscriptionId: SUB });
    const e = errorOf(() => new AzureMlServing(stack, 'Scoring', { modelPackage: PACKAGE, deployment: { environmentVariables: { SERVINGSTACK_FEEDBACK_KEY: 'secret-in-the-template' } } }));
    expect(e.issues).toEqual([expect.objectContaining({ field: 'environmentVariables.SERVINGSTACK_FEEDBACK_KEY', received: 'SERVINGSTACK_FEEDBACK_KEY' })]);
  });

  test('a brought-in workspace without keyVaultId: the error names the field; with it, the secret goes into that vault', () => {
    const rg = `/subscriptions/${SUB}/resourceGroups/shared/providers`;
    const attrs = { workspaceId: `${rg}/Microsoft.MachineLearningServices/workspaces/team-ml`, storageAccountId: `${rg}/Microsoft.Storage/storageAccounts/teamst`, containerRegistryId: `${rg}/Microsoft.ContainerRegistry/registries/TeamAcr` };
    const s1 = newStack({ subscriptionId: SUB });
    const e = errorOf(() => new AzureMlServing(s1, 'Scoring', { modelPackage: PACKAGE, workspace: MlWorkspace.fromWorkspaceAttributes(s1, 'Ws', attrs), feedbackKey: true }));
    expect(e.issues).toEqual([expect.objectContaining({ field: 'workspace.keyVaultId', allowed: expect.stringContaining('keyVaultId') })]);

    const s2 = newStack({ subscriptionId: SUB });
    const vault = `${rg}/Microsoft.KeyVault/vaults/team-kv`;
    new AzureMlServing(s2, 'Scoring', { modelPackage: PACKAGE, workspace: MlWorkspace.fromWorkspaceAttributes(s2, 'Ws', { ...attrs, keyVaultId: vault }), feedbackKey: true });
    expect(oneArm(synth(s2), 'Microsoft.KeyVault/vaults/secrets').parent_id).toBe(vault);

    const s3 = newStack({ subscriptionId: SUB });
    const bad = errorOf(() => MlWorkspace.fromWorkspaceAttributes(s3, 'Ws', { ...attrs, keyVaultId: 'team-kv' }));
    expect(bad.issues).toEqual([expect.objectContaining({ field: 'keyVaultId', received: 'team-kv' })]);
  });
});
