/** The typed azapi binding: provider block, azapi_resource and azapi_update_resource as Terraform sees them. */
import { AZAPI_PROVIDER_VERSION, AzapiResource, Testing } from '../../../constructs/cdktf/binding';
import { AzureServingStack } from '../../../constructs/azure';
import { AZAPI_TYPES } from '../../../constructs/azure/azapi/api-versions';
import { SUB, TENANT, errorOf, newStack, synth } from './support/stack';

describe('azapi provider', () => {
  test('GIVEN no subscription or tenant THEN they come from GUID-validated Terraform variables, and no credential is written', () => {
    const stack = newStack();
    const t = synth(stack);
    expect(t.json.terraform).toMatchObject({ required_providers: { azapi: { source: 'Azure/azapi', version: AZAPI_PROVIDER_VERSION } } });
    expect(AZAPI_PROVIDER_VERSION).toBe('2.13.0');
    const [provider] = t.provider('azapi');
    expect(provider).toEqual({
      subscription_id: '${var.azure_subscription_id}',
      tenant_id: '${var.azure_tenant_id}',
      default_location: 'westeurope',
      default_tags: { 'managed-by': 'servingstack' },
    });
    const vars = t.json.variable as Record<string, { type: string; sensitive?: boolean; validation: { condition: string }[] }>;
    expect(Object.keys(vars).sort()).toEqual(['azure_subscription_id', 'azure_tenant_id']);
    expect(vars.azure_subscription_id!.validation[0]!.condition).toContain('regex(');
    expect(JSON.stringify(t.json)).not.toMatch(/client_secret|client_certificate|password|access_key/i);
  });

  test('GIVEN literal IDs and OIDC THEN the provider takes them and no variable is declared', () => {
    const t = synth(newStack({ subscriptionId: SUB, tenantId: TENANT, useOidc: true, defaultTags: { team: 'ml' } }));
    expect(t.provider('azapi')[0]).toMatchObject({ subscription_id: SUB, tenant_id: TENANT, use_oidc: true, default_tags: { team: 'ml' } });
    expect(t.json.variable).toBeUndefined();
  });
});

describe('azapi_resource / azapi_update_resource', () => {
  test('GIVEN a resource THEN type is Namespace/type@version, body keys keep their case, identity is a block', () => {
    const stack = newStack({ subscriptionId: SUB });
    const r = stack.resource(stack, 'Env', 'environmentVersion', {
      name: '1',
      parentId: '/subscriptions/x/ws/environments/e',
      identity: { type: 'UserAssigned', identityIds: ['/id/1'] },
      body: { properties: { image: 'a/b:c', osType: 'Linux', inferenceConfig: { livenessRoute: { path: '/', port: 8080 }, readinessRoute: { path: '/ready', port: 8080 }, scoringRoute: { path: '/score', port: 8080 } }, autoRebuild: 'Disabled', isAnonymous: false } },
      responseExportValues: ['properties.image'],
    });
    stack.update(stack, 'Patch', 'onlineEndpoint', { resourceId: r.id, body: { properties: { traffic: { blue: 100 } } } });
    const t = synth(stack);
    const res = t.hasResourceWithProperties('azapi_resource', { name: '1' });
    expect(res).toMatchObject({
      type: `Microsoft.MachineLearningServices/workspaces/environments/versions@${AZAPI_TYPES.environmentVersion.apiVersion}`,
      parent_id: '/subscriptions/x/ws/environments/e',
      identity: [{ type: 'UserAssigned', identity_ids: ['/id/1'] }],
      body: { properties: { inferenceConfig: { readinessRoute: { path: '/ready', port: 8080 } }, autoRebuild: 'Disabled' } },
      response_export_values: ['properties.image'],
    });
    expect(t.hasResourceWithProperties('azapi_update_resource', {})).toEqual(expect.objectContaining({
      type: 'Microsoft.MachineLearningServices/workspaces/onlineEndpoints@2024-10-01',
      resource_id: expect.stringMatching(/^\$\{azapi_resource\.Env\w*\.id\}$/),
      body: { properties: { traffic: { blue: 100 } } },
    }));
    expect(r).toBeInstanceOf(AzapiResource);
    expect(r.output('properties.image')).toMatch(/TOKEN/);
  });

  test('every resource kind states one stable API version (diagnostic settings: the one preview, stated)', () => {
    for (const [kind, info] of Object.entries(AZAPI_TYPES)) {
      if (kind === 'diagnosticSetting') {
        expect(info.apiVersion).toBe('2021-05-01-preview');
        continue;
      }
      expect([kind, info.apiVersion]).toEqual([kind, expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/)]);
      expect(info.minimum <= info.apiVersion).toBe(true);
    }
  });

  test('GIVEN an API version override THEN resources of that kind use it', () => {
    const stack = newStack({ apiVersions: { onlineEndpoint: '2025-01-01-preview' } });
    expect(stack.typeOf('onlineEndpoint')).toBe('Microsoft.MachineLearningServices/workspaces/onlineEndpoints@2025-01-01-preview');
    expect(stack.typeOf('workspace')).toBe('Microsoft.MachineLearningServices/workspaces@2024-10-01');
  });

  test('GIVEN invalid API versions THEN SS_ERR_AZURE_API_VERSION_INVALID names each field, value and what is allowed', () => {
    const e = errorOf(() => newStack({ apiVersions: { onlineDeployment: '2021-03-01-preview', workspace: '2024-13-01', bogus: '2024-10-01', keyVault: 'latest' } as never }));
    expect(e.code).toBe('SS_ERR_AZURE_API_VERSION_INVALID');
    expect(e.issues).toEqual(expect.arrayContaining([
      expect.objectContaining({ field: 'apiVersions.onlineDeployment', received: '2021-03-01-preview', allowed: '2022-10-01 or later' }),
      expect.objectContaining({ field: 'apiVersions.workspace', received: '2024-13-01' }),
      expect.objectContaining({ field: 'apiVersions.bogus', allowed: expect.stringContaining('onlineEndpoint') }),
      expect.objectContaining({ field: 'apiVersions.keyVault', received: 'latest', allowed: 'YYYY-MM-DD, optionally followed by -preview' }),
    ]));
  });

  test('GIVEN invalid stack settings THEN SS_ERR_AZURE_STACK_INVALID lists every one', () => {
    const e = errorOf(() => new AzureServingStack(Testing.app(), 's', { location: 'West Europe', resourceGroupName: 'rg.', subscriptionId: 'abc', tenantId: 'x', defaultTags: { 'a/b': 'v' } }));
    expect(e.code).toBe('SS_ERR_AZURE_STACK_INVALID');
    expect(e.issues.map((i) => i.field).sort()).toEqual(['defaultTags.a/b', 'location', 'resourceGroupName', 'subscriptionId', 'tenantId']);
  });
});
