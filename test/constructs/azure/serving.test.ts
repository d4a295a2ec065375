/** AzureMlServing and its parts, asserted on the synthesized Terraform JSON. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AzureModelMount } from '../../../lib/core/contract/azure-model-mount';
import { RuntimeContract, ServingProtocol } from '../../../lib/core/contract/container';
import {
  AzureMlServing, BuiltInRole, DayOfWeek, EndpointAuthMode, InstanceType, MlWorkspace, TrafficOwner, WorkspaceNetworking,
} from '../../../constructs/azure';
import { PACKAGE, SUB, TINY, armResources, newStack, oneArm, synth } from './support/stack';

const SUBNET = `/subscriptions/${SUB}/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/hub/subnets/ml`;

function serving(props: Partial<ConstructorParameters<typeof AzureMlServing>[2]> = {}) {
  const stack = newStack({ subscriptionId: SUB });
  const s = new AzureMlServing(stack, 'Scoring', { modelPackage: PACKAGE, registerOutputs: true, ...props });
  return { stack, s, t: synth(stack) };
}

describe('AzureMlServing defaults', () => {
  const { s, t } = serving();

  test('creates the workspace with its dependencies, secure by default', () => {
    const ws = oneArm(t, 'Microsoft.MachineLearningServices/workspaces');
    expect(ws).toMatchObject({
      name: expect.stringMatching(/^ss[a-z0-9]{6}-mlw$/),
      identity: [{ type: 'SystemAssigned' }],
      body: { sku: { name: 'Basic' }, properties: { publicNetworkAccess: 'Enabled', v1LegacyMode: false, storageAccount: expect.stringContaining('azapi_resource.Scoring_Workspace_Storage'), keyVault: expect.stringContaining('KeyVault'), containerRegistry: expect.stringContaining('Registry'), applicationInsights: expect.stringContaining('AppInsights') } },
    });
    expect(oneArm(t, 'Microsoft.Storage/storageAccounts').body).toMatchObject({ kind: 'StorageV2', sku: { name: 'Standard_ZRS' }, properties: { minimumTlsVersion: 'TLS1_2', allowBlobPublicAccess: false, supportsHttpsTrafficOnly: true, encryption: { keySource: 'Microsoft.Storage', requireInfrastructureEncryption: true } } });
    expect(oneArm(t, 'Microsoft.KeyVault/vaults').body).toMatchObject({ properties: { tenantId: '${var.azure_tenant_id}', enableRbacAuthorization: true, enablePurgeProtection: true, softDeleteRetentionInDays: 90 } });
    expect(oneArm(t, 'Microsoft.ContainerRegistry/registries').body).toMatchObject({ sku: { name: 'Standard' }, properties: { adminUserEnabled: false, anonymousPullEnabled: false } });
    expect(oneArm(t, 'Microsoft.Insights/components').body).toMatchObject({ kind: 'web', properties: { IngestionMode: 'LogAnalytics', WorkspaceResourceId: expect.stringContaining('LogAnalytics') } });
    expect(oneArm(t, 'Microsoft.OperationalInsights/workspaces').body).toMatchObject({ properties: { retentionInDays: 30 } });
    expect(armResources(t, 'Microsoft.Network/privateEndpoints')).toHaveLength(0);
    expect(armResources(t, 'Microsoft.KeyVault/vaults/keys')).toHaveLength(0);
  });

  test('the serving identity gets exactly AcrPull on the registry, Blob Data Reader on the model container and Metrics Writer on the workspace', () => {
    const grants = armResources(t, 'Microsoft.Authorization/roleAssignments').map((r) => {
      const body = r.body as { properties: { roleDefinitionId: string; principalId: string; principalType: string } };
      return [String(r.parent_id).match(/azapi_resource\.(\w+?)_[0-9A-F]{8}\.id/)![1], body.properties.roleDefinitionId.split('/').pop(), body.properties.principalType, body.properties.principalId];
    });
    const principal = expect.stringMatching(/Scoring_Identity_\w+\.output\.properties\.principalId/);
    expect(grants).toEqual(expect.arrayContaining([
      ['Scoring_Workspace_Registry', BuiltInRole.ACR_PULL.guid, 'ServicePrincipal', principal],
      ['Scoring_ModelStore_Container', BuiltInRole.STORAGE_BLOB_DATA_READER.guid, 'ServicePrincipal', principal],
      ['Scoring_Workspace', BuiltInRole.AZUREML_METRICS_WRITER.guid, 'ServicePrincipal', principal],
    ]));
    expect(grants).toHaveLength(3);
    const acr = armResources(t, 'Microsoft.Authorization/roleAssignments')[0]!;
    expect(acr.name).toMatch(/^\$\{uuidv5\("url", /);
    expect((acr.body as { properties: { roleDefinitionId: string } }).properties.roleDefinitionId).toBe(`/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${BuiltInRole.ACR_PULL.guid}`);
  });

  test('the model store is a private container with an identity-based datastore', () => {
    expect(oneArm(t, 'Microsoft.Storage/storageAccounts/blobServices/containers')).toMatchObject({ name: 'servingstack-models', parent_id: expect.stringMatching(/Storage\w*\.id\}\/blobServices\/default$/), body: { properties: { publicAccess: 'None' } } });
    expect(oneArm(t, 'Microsoft.MachineLearningServices/workspaces/datastores').body).toMatchObject({ properties: { datastoreType: 'AzureBlob', containerName: 'servingstack-models', credentials: { credentialsType: 'None' }, subscriptionId: SUB, resourceGroup: 'rg-ml' } });
  });

  test('the model version carries the manifest lineage as tags and properties, and the package digest', () => {
    const mv = oneArm(t, 'Microsoft.MachineLearningServices/workspaces/models/versions');
    expect(mv).toMatchObject({
      name: '1.0.0',
      parent_id: expect.stringMatching(/\/models\/breast-cancer$/),
      body: {
        properties: {
          modelType: 'custom_model',
          modelUri: expect.stringMatching(new RegExp(`^azureml://subscriptions/${SUB}/resourcegroups/rg-ml/workspaces/ss\\w+-mlw/datastores/servingstackmodels/paths/models/breast-cancer/1.0.0/package$`)),
          tags: { 'servingstack.format': 'onnx', 'servingstack.task': 'classification', 'lineage.trainingDataVersion': 'sha256:fed3eb72d0575ef6' },
          properties: { 'lineage.trainingData': 'examples/data/breast_cancer.csv', 'metric.accuracy': '0.9823', 'servingstack.packageSha256': s.model.packageDigest },
        },
      },
    });
    expect(s.model.packageDigest).toMatch(/^[a-f0-9]{64}$/);
  });

  test('the environment routes liveness, readiness and scoring to the runtime', () => {
    const { livenessRoute, readinessRoute, scoringRoute } = (oneArm(t, 'Microsoft.MachineLearningServices/workspaces/environments/versions').body as { properties: { inferenceConfig: Record<string, { path: string; port: number }> } }).properties.inferenceConfig;
    // The container contract of lib/core, the one the runtime serves.
    expect([livenessRoute!.path, readinessRoute!.path, scoringRoute!.path]).toEqual([ServingProtocol.AZURE_ML.livenessPath, ServingProtocol.AZURE_ML.readinessPath, ServingProtocol.AZURE_ML.predictPath]);
    expect(new Set([livenessRoute!.port, readinessRoute!.port, scoringRoute!.port])).toEqual(new Set([RuntimeContract.PORT]));
    expect(oneArm(t, 'Microsoft.MachineLearningServices/workspaces/environments/versions')).toMatchObject({
      parent_id: expect.stringMatching(/\/environments\/servingstack-runtime$/),
      body: { properties: { image: expect.stringMatching(/^ss\w+acr\.azurecr\.io\/servingstack-runtime:latest$/), osType: 'Linux', inferenceConfig: { livenessRoute: { path: '/', port: 8080 }, readinessRoute: { path: '/ready', port: 8080 }, scoringRoute: { path: '/score', port: 8080 } } } },
    });
  });

  test('the endpoint uses Entra ID auth and the serving identity, after the role assignments exist', () => {
    const ep = oneArm(t, 'Microsoft.MachineLearningServices/workspaces/onlineEndpoints');
    expect(ep).toMatchObject({ name: 'scoring', identity: [{ type: 'UserAssigned', identity_ids: [expect.stringContaining('Scoring_Identity')] }], body: { properties: { authMode: 'AADToken', publicNetworkAccess: 'Enabled' } } });
    expect(ep.depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/PullsRuntimeImage/), expect.stringMatching(/ReadsModelPackages/), expect.stringMatching(/WritesMetrics/)]));
  });

  test('the deployment: probes on the runtime routes, request settings from the package and runtime, the model directory the runtime reads', () => {
    const d = oneArm(t, 'Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments');
    expect(d).toMatchObject({
      name: 'blue',
      body: {
        sku: { name: 'Default', capacity: 1 },
        properties: {
          endpointComputeType: 'Managed',
          instanceType: 'STANDARD_DS3_V2',
          livenessProbe: { initialDelay: 'PT10S', period: 'PT10S', timeout: 'PT2S', failureThreshold: 30, successThreshold: 1 },
          readinessProbe: { initialDelay: 'PT10S', successThreshold: 1 },
          // breast-cancer declares batching.maxBatchSize 64 → 128 concurrent requests; 60 s runtime timeout + 1 s.
          requestSettings: { maxConcurrentRequestsPerInstance: 128, requestTimeout: 'PT61S' },
          environmentVariables: { SERVINGSTACK_MODEL_DIR: '/var/azureml-app/azureml-models/breast-cancer/1.0.0/package', SERVINGSTACK_REQUEST_TIMEOUT_MS: '60000', SERVINGSTACK_EMF: 'true' },
          appInsightsEnabled: true,
          egressPublicNetworkAccess: 'Enabled',
          model: expect.stringContaining('Scoring_Model'),
          environmentId: expect.stringContaining('Scoring_Runtime'),
        },
      },
    });
    expect(d.lifecycle).toBeUndefined();
  });

  test('the model directory the deployment names is the one the shared rule finds under the mount Azure makes of the uploaded folder', () => {
    // GIVEN the folder the upload writes (the model version's modelUri) mounted as Azure mounts a folder model
    const mv = oneArm(t, 'Microsoft.MachineLearningServices/workspaces/models/versions');
    const folder = String((mv.body as { properties: { modelUri: string } }).properties.modelUri).split('/').pop()!;
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'azure-mount-'));
    try {
      const azuremlModelDir = path.join(root, AzureModelMount.mountDir('breast-cancer', '1.0.0'));
      fs.cpSync(PACKAGE, path.join(azuremlModelDir, folder), { recursive: true });
      // WHEN the runtime applies the rule to AZUREML_MODEL_DIR alone
      const found = AzureModelMount.resolvePackageDir(azuremlModelDir);
      // THEN it lands where SERVINGSTACK_MODEL_DIR points
      const env = (oneArm(t, 'Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments').body as { properties: { environmentVariables: Record<string, string> } }).properties.environmentVariables;
      expect(found).toBe(path.join(root, env.SERVINGSTACK_MODEL_DIR!));
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  test('traffic is written after the deployment exists, and the rollout owns it afterwards', () => {
    const u = t.hasResourceWithProperties('azapi_update_resource', {});
    expect(u).toMatchObject({ body: { properties: { traffic: { blue: 100 }, mirrorTraffic: {} } }, lifecycle: { ignore_changes: ['body'] } });
    expect(u.depends_on).toEqual([expect.stringMatching(/^azapi_resource\.Scoring_Deployment-blue_/)]);
  });

  test('the output holds what servingstack azure needs', () => {
    expect(t.outputs().Scoring_rollout).toMatchObject({
      value: {
        kind: 'servingstack.azure.rollout', subscriptionId: SUB, resourceGroupName: 'rg-ml', endpointName: 'scoring', apiVersion: '2024-10-01',
        deployments: { blue: { name: 'breast-cancer', version: '1.0.0', packageDigest: s.model.packageDigest, packageUrl: expect.stringMatching(/^https:\/\/ss\w+st\.blob\.core\.windows\.net\/servingstack-models\/models\/breast-cancer\/1\.0\.0\/package$/) } },
      },
    });
  });
});

describe('AzureMlServing options', () => {
  test('GPU instance, autoscale on CPU and latency with a schedule; the next apply keeps the instance count autoscale set', () => {
    const { t } = serving({
      deployment: {
        instanceType: InstanceType.NC4AS_T4_V3,
        autoscale: { minInstances: 2, maxInstances: 8, defaultInstances: 3, latency: { scaleOutAboveMillis: 250 }, schedules: [{ name: 'business-hours', days: [DayOfWeek.MONDAY, DayOfWeek.FRIDAY], hour: 8, timeZone: 'W. Europe Standard Time', minInstances: 4, maxInstances: 8 }] },
      },
    });
    const d = oneArm(t, 'Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments');
    expect(d).toMatchObject({ lifecycle: { ignore_changes: ['body.sku.capacity'] }, body: { sku: { capacity: 3 }, properties: { instanceType: 'STANDARD_NC4AS_T4_V3', environmentVariables: { SERVINGSTACK_EXECUTION_PROVIDERS: 'cuda,cpu' } } } });
    const a = oneArm(t, 'Microsoft.Insights/autoscalesettings');
    expect(a).toMatchObject({ name: 'scoring-blue-autoscale', location: 'westeurope', depends_on: [expect.stringMatching(/Deployment-blue/)] });
    const [def, biz] = (a.body as { properties: { targetResourceUri: string; profiles: Record<string, unknown>[] } }).properties.profiles;
    expect((a.body as { properties: { targetResourceUri: string } }).properties.targetResourceUri).toMatch(/Deployment-blue_\w+\.id\}$/);
    expect(def).toMatchObject({
      name: 'default',
      capacity: { minimum: '2', maximum: '8', default: '3' },
      rules: [
        { metricTrigger: { metricName: 'CpuUtilizationPercentage', metricNamespace: 'Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments', operator: 'GreaterThan', threshold: 70, timeWindow: 'PT5M' }, scaleAction: { direction: 'Increase', value: '2', cooldown: 'PT5M' } },
        { metricTrigger: { metricName: 'CpuUtilizationPercentage', operator: 'LessThan', threshold: 30 }, scaleAction: { direction: 'Decrease', value: '1' } },
        { metricTrigger: { metricName: 'RequestLatency', metricNamespace: 'Microsoft.MachineLearningServices/workspaces/onlineEndpoints', metricResourceUri: expect.stringMatching(/Scoring_Endpoint_\w+\.id\}$/), threshold: 250 }, scaleAction: { direction: 'Increase', value: '1' } },
      ],
    });
    expect(biz).toMatchObject({ name: 'business-hours', capacity: { minimum: '4', maximum: '8', default: '4' }, recurrence: { frequency: 'Week', schedule: { timeZone: 'W. Europe Standard Time', days: ['Monday', 'Friday'], hours: [8], minutes: [0] } } });
  });

  test('customer-managed keys: an RSA key with rotation, an identity that may only unwrap it, CMK on workspace, storage and registry', () => {
    const { t } = serving({ workspaceOptions: { customerManagedKey: { rotateAfterDays: 180 } } });
    expect(oneArm(t, 'Microsoft.KeyVault/vaults/keys').body).toMatchObject({ properties: { kty: 'RSA', keySize: 3072, keyOps: ['wrapKey', 'unwrapKey'], rotationPolicy: { lifetimeActions: [{ action: { type: 'rotate' }, trigger: { timeAfterCreate: 'P180D' } }] } } });
    const unwrap = armResources(t, 'Microsoft.Authorization/roleAssignments').filter((r) => JSON.stringify(r.body).includes(BuiltInRole.KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER.guid));
    expect(unwrap).toHaveLength(1);
    expect(unwrap[0]!.parent_id).toMatch(/KeyVault_\w+\.id\}$/);
    const ws = oneArm(t, 'Microsoft.MachineLearningServices/workspaces');
    expect(ws).toMatchObject({ identity: [{ type: 'SystemAssigned, UserAssigned' }], body: { properties: { hbiWorkspace: true, encryption: { status: 'Enabled', keyVaultProperties: { keyIdentifier: expect.stringContaining('keyUriWithVersion') } } } } });
    expect(oneArm(t, 'Microsoft.Storage/storageAccounts').body).toMatchObject({ properties: { encryption: { keySource: 'Microsoft.Keyvault', keyvaultproperties: { keyname: 'servingstack-cmk' } } } });
    expect(oneArm(t, 'Microsoft.ContainerRegistry/registries').body).toMatchObject({ sku: { name: 'Premium' }, properties: { encryption: { status: 'enabled' } } });
  });

  test('private networking: public access off everywhere and four private endpoints; the deployment egress is private', () => {
    const { t } = serving({ workspaceOptions: { networking: WorkspaceNetworking.privateEndpoints({ subnetId: SUBNET }) } });
    for (const type of ['Microsoft.MachineLearningServices/workspaces', 'Microsoft.Storage/storageAccounts', 'Microsoft.KeyVault/vaults', 'Microsoft.ContainerRegistry/registries', 'Microsoft.MachineLearningServices/workspaces/onlineEndpoints']) {
      expect([type, (oneArm(t, type).body as { properties: { publicNetworkAccess: string } }).properties.publicNetworkAccess]).toEqual([type, 'Disabled']);
    }
    const groups = armResources(t, 'Microsoft.Network/privateEndpoints').map((p) => (p.body as { properties: { subnet: { id: string }; privateLinkServiceConnections: { properties: { groupIds: string[] } }[] } }).properties)
      .map((p) => [p.subnet.id, p.privateLinkServiceConnections[0]!.properties.groupIds[0]]);
    expect(groups.sort()).toEqual([[SUBNET, 'amlworkspace'], [SUBNET, 'blob'], [SUBNET, 'registry'], [SUBNET, 'vault']]);
    expect(oneArm(t, 'Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments').body).toMatchObject({ properties: { egressPublicNetworkAccess: 'Disabled' } });
  });

  test('bring your own workspace: nothing of the workspace is created; the store and grants go into its resources', () => {
    const stack = newStack({ subscriptionId: SUB });
    const rg = `/subscriptions/${SUB}/resourceGroups/shared/providers`;
    const workspace = MlWorkspace.fromWorkspaceAttributes(stack, 'Ws', { workspaceId: `${rg}/Microsoft.MachineLearningServices/workspaces/team-ml`, storageAccountId: `${rg}/Microsoft.Storage/storageAccounts/teamst`, containerRegistryId: `${rg}/Microsoft.ContainerRegistry/registries/TeamAcr` });
    new AzureMlServing(stack, 'Scoring', { modelPackage: PACKAGE, workspace, authMode: EndpointAuthMode.KEY, trafficOwner: TrafficOwner.TERRAFORM });
    const t = synth(stack);
    for (const type of ['Microsoft.MachineLearningServices/workspaces', 'Microsoft.Storage/storageAccounts', 'Microsoft.KeyVault/vaults', 'Microsoft.ContainerRegistry/registries']) expect(armResources(t, type)).toHaveLength(0);
    expect(oneArm(t, 'Microsoft.Storage/storageAccounts/blobServices/containers').parent_id).toBe(`${rg}/Microsoft.Storage/storageAccounts/teamst/blobServices/default`);
    expect(oneArm(t, 'Microsoft.MachineLearningServices/workspaces/models/versions').body).toMatchObject({ properties: { modelUri: `azureml://subscriptions/${SUB}/resourcegroups/shared/workspaces/team-ml/datastores/servingstackmodels/paths/models/breast-cancer/1.0.0/package` } });
    expect(oneArm(t, 'Microsoft.MachineLearningServices/workspaces/environments/versions').body).toMatchObject({ properties: { image: 'teamacr.azurecr.io/servingstack-runtime:latest' } });
    const acr = armResources(t, 'Microsoft.Authorization/roleAssignments').find((r) => JSON.stringify(r.body).includes(BuiltInRole.ACR_PULL.guid))!;
    expect(acr.parent_id).toBe(`${rg}/Microsoft.ContainerRegistry/registries/TeamAcr`);
    expect(oneArm(t, 'Microsoft.MachineLearningServices/workspaces/onlineEndpoints').body).toMatchObject({ properties: { authMode: 'Key' } });
    expect(t.hasResourceWithProperties('azapi_update_resource', {}).lifecycle).toBeUndefined();
  });

  test('blue/green: a second deployment with a new package, traffic and mirror split, added after construction, appear in the JSON and the output', () => {
    const stack = newStack({ subscriptionId: SUB });
    const s = new AzureMlServing(stack, 'Scoring', { modelPackage: PACKAGE, registerOutputs: true, uploaderPrincipalId: '12345678-1234-1234-1234-123456789abc' });
    s.addDeployment('green', { modelPackage: TINY, instanceCount: 2 });
    s.endpoint.mirrorTraffic({ green: 20 });
    const t = synth(stack);
    expect(armResources(t, 'Microsoft.MachineLearningServices/workspaces/models/versions').map((r) => String(r.parent_id).split('/').pop()).sort()).toEqual(['breast-cancer', 'tiny']);
    expect(oneArm(t, 'Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments', (r) => r.name === 'green').body).toMatchObject({ sku: { capacity: 2 }, properties: { environmentVariables: { SERVINGSTACK_MODEL_DIR: '/var/azureml-app/azureml-models/tiny/1.0.0/package' } } });
    const u = t.hasResourceWithProperties('azapi_update_resource', {});
    expect(u.body).toEqual({ properties: { traffic: { blue: 100, green: 0 }, mirrorTraffic: { green: 20 } } });
    expect((u.depends_on as string[]).length).toBe(2);
    expect((t.outputs().Scoring_rollout as { value: { deployments: Record<string, { name: string }> } }).value.deployments).toEqual({ blue: expect.objectContaining({ name: 'breast-cancer' }), green: expect.objectContaining({ name: 'tiny' }) });
    const upload = armResources(t, 'Microsoft.Authorization/roleAssignments').filter((r) => JSON.stringify(r.body).includes(BuiltInRole.STORAGE_BLOB_DATA_CONTRIBUTOR.guid));
    expect(upload).toHaveLength(1);
    expect(upload[0]!.parent_id).toMatch(/ModelStore_Container_\w+\.id\}$/);
  });

  test('bootstrap (deploy: false): no model version, deployment or traffic yet, but the output names the package upload', () => {
    const { t } = serving({ deploy: false });
    expect(armResources(t, 'Microsoft.MachineLearningServices/workspaces/models/versions')).toHaveLength(0);
    expect(armResources(t, 'Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments')).toHaveLength(0);
    t.hasNoResource('azapi_update_resource');
    expect(oneArm(t, 'Microsoft.MachineLearningServices/workspaces/onlineEndpoints')).toBeDefined();
    expect((t.outputs().Scoring_rollout as { value: { deployments: Record<string, unknown> } }).value.deployments).toHaveProperty('blue');
  });
});
