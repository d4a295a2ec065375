/** Every synth-time rejection: its own code, and issues naming the field, the value and what is allowed. */
import { Construct } from 'constructs';
import {
  AzureMlServing, InstanceType, MlWorkspace, ModelAsset, ModelStore, OnlineDeployment, OnlineEndpoint, RuntimeEnvironment, ServingIdentity, WorkspaceNetworking,
} from '../../../constructs/azure';
import { Testing } from '../../../constructs/cdktf/binding';
import { PACKAGE, SUB, TINY, errorOf, newStack, synth } from './support/stack';

function parts() {
  const stack = newStack({ subscriptionId: SUB });
  const workspace = new MlWorkspace(stack, 'Ws');
  const store = new ModelStore(stack, 'Store', { workspace });
  const model = new ModelAsset(stack, 'Model', { workspace, store, modelPackage: PACKAGE });
  const environment = new RuntimeEnvironment(stack, 'Env', { workspace });
  const endpoint = new OnlineEndpoint(stack, 'Ep', { workspace, endpointName: 'scoring', identityId: '/id' });
  return { stack, workspace, store, model, environment, endpoint };
}

test('SS_ERR_AZURE_NO_STACK: a construct outside an AzureServingStack', () => {
  const e = errorOf(() => new MlWorkspace(new Construct(Testing.app(), 'loose'), 'Ws'));
  expect(e).toMatchObject({ code: 'SS_ERR_AZURE_NO_STACK', issues: [expect.objectContaining({ field: 'scope', allowed: expect.stringContaining('new AzureServingStack') })] });
});

test('SS_ERR_AZURE_WORKSPACE_INVALID and SS_ERR_AZURE_NETWORK_INVALID', () => {
  const stack = newStack();
  expect(errorOf(() => new MlWorkspace(stack, 'A', { namePrefix: 'X!', workspaceName: '-bad', logRetentionDays: 7 })).issues.map((i) => [i.field, i.received])).toEqual([['namePrefix', 'X!'], ['workspaceName', '-bad'], ['logRetentionDays', 7]]);
  expect(errorOf(() => MlWorkspace.fromWorkspaceAttributes(stack, 'B', { workspaceId: '/subscriptions/x', storageAccountId: 'st', containerRegistryId: 'acr' })).code).toBe('SS_ERR_AZURE_WORKSPACE_INVALID');
  const n = errorOf(() => new MlWorkspace(stack, 'C', { networking: WorkspaceNetworking.privateEndpoints({ subnetId: 'subnet-1' }) }));
  expect(n).toMatchObject({ code: 'SS_ERR_AZURE_NETWORK_INVALID', issues: [expect.objectContaining({ field: 'networking.subnetId', received: 'subnet-1' })] });
});

test('SS_ERR_AZURE_IDENTITY_INVALID, SS_ERR_AZURE_MODEL_INVALID, SS_ERR_AZURE_ENVIRONMENT_INVALID', () => {
  const { stack, workspace, store } = parts();
  expect(errorOf(() => new ServingIdentity(stack, 'Id', { workspace, store, identityName: 'x' })).code).toBe('SS_ERR_AZURE_IDENTITY_INVALID');
  expect(errorOf(() => new ModelStore(stack, 'S2', { workspace, containerName: 'Bad--Name', uploaderPrincipalId: 'me' })).issues.map((i) => i.field)).toEqual(['containerName', 'uploaderPrincipalId']);
  expect(errorOf(() => new ModelAsset(stack, 'M2', { workspace, store, modelPackage: PACKAGE, modelVersion: 'v 1' })).code).toBe('SS_ERR_AZURE_MODEL_INVALID');
  expect(errorOf(() => new ModelAsset(stack, 'M3', { workspace, store, modelPackage: '/nonexistent' })).code).toBe('SS_ERR_PACKAGE_INVALID');
  expect(errorOf(() => new RuntimeEnvironment(stack, 'E2', { workspace, imageTag: 'has space', imageName: 'UPPER' })).issues.map((i) => i.field)).toEqual(['imageName', 'imageTag']);
});

test('SS_ERR_AZURE_ENDPOINT_INVALID: endpoint name rules (begin with a letter, 3–32, letters/digits/single dashes)', () => {
  const { stack, workspace } = parts();
  for (const bad of ['1abc', 'ab', 'a'.repeat(33), 'my--ep', 'ep-', 'ep_1']) {
    expect([bad, errorOf(() => new OnlineEndpoint(stack, `E${bad.length}${bad[0]}`, { workspace, endpointName: bad, identityId: '/id' })).code]).toEqual([bad, 'SS_ERR_AZURE_ENDPOINT_INVALID']);
  }
  for (const good of ['abc', 'my-endpoint-1', `A${'b'.repeat(31)}`]) expect(() => new OnlineEndpoint(stack, `G${good}`, { workspace, endpointName: good, identityId: '/id' })).not.toThrow();
});

test('SS_ERR_AZURE_DEPLOYMENT_INVALID: name, instance type, capacity, probes, timeouts, concurrency, environment', () => {
  const { stack, model, environment, endpoint } = parts();
  const e = errorOf(() => new OnlineDeployment(stack, 'D', {
    endpoint, model, environment, deploymentName: 'b',
    instanceType: InstanceType.of('m5.large'), instanceCount: 51,
    livenessProbe: { successThreshold: 2, timeoutSeconds: 0 }, readinessProbe: { initialDelaySeconds: 0, failureThreshold: 0 },
    requestTimeoutMs: 180_000, maxConcurrentRequestsPerInstance: 5000,
    environmentVariables: { AZUREML_MODEL_DIR: '/x', '1BAD': 'y' },
  }));
  expect(e.code).toBe('SS_ERR_AZURE_DEPLOYMENT_INVALID');
  expect(e.issues.map((i) => i.field)).toEqual([
    'deploymentName', 'instanceType', 'instanceCount', 'requestTimeoutMs', 'maxConcurrentRequestsPerInstance',
    'environmentVariables.AZUREML_MODEL_DIR', 'environmentVariables.1BAD',
    'livenessProbe.timeoutSeconds', 'livenessProbe.successThreshold', 'readinessProbe.initialDelaySeconds', 'readinessProbe.failureThreshold',
  ]);
  expect(e.issues.find((i) => i.field === 'instanceCount')).toMatchObject({ received: 51, allowed: 'a whole number from 1 to 50' });
  expect(e.issues.find((i) => i.field === 'requestTimeoutMs')).toMatchObject({ received: 180000, allowed: 'a whole number from 1000 ms to 179000 ms' });
  expect(() => new OnlineDeployment(stack, 'Big', { endpoint, model, environment, deploymentName: 'big', instanceCount: 80, instanceLimit: 100, instanceType: InstanceType.of('Standard_NC24ads_A100_v4') })).not.toThrow();
  expect(InstanceType.of('standard_nc24ads_a100_v4')).toBe(InstanceType.NC24ADS_A100_V4);
  new OnlineDeployment(stack, 'Blue', { endpoint, model, environment, deploymentName: 'blue' });
  expect(errorOf(() => new OnlineDeployment(stack, 'Blue2', { endpoint, model, environment, deploymentName: 'blue' })).issues[0]).toMatchObject({ field: 'deploymentName', message: 'is already a deployment of this endpoint' });
});

test('SS_ERR_AZURE_DEPLOYMENT_INVALID: a SERVINGSTACK_ variable the runtime does not read fails at synth, naming the closest one; user values override defaults', () => {
  const { stack, model, environment, endpoint } = parts();
  const e = errorOf(() => new OnlineDeployment(stack, 'D', { endpoint, model, environment, deploymentName: 'blue', environmentVariables: { SERVINGSTACK_WORKRES: '2', SERVINGSTACK_REQUEST_TIMEOUT_MS: '5000', MY_VAR: 'ok' } }));
  expect(e.code).toBe('SS_ERR_AZURE_DEPLOYMENT_INVALID');
  expect(e.issues).toEqual([
    expect.objectContaining({ field: 'environmentVariables.SERVINGSTACK_REQUEST_TIMEOUT_MS', message: 'is set by the platform or the construct', allowed: 'another name (this one is requestTimeoutMs)' }),
    expect.objectContaining({ field: 'environmentVariables.SERVINGSTACK_WORKRES', message: 'is not a variable the runtime reads', received: 'SERVINGSTACK_WORKRES', allowed: expect.stringContaining('SERVINGSTACK_WORKERS') }),
  ]);
  const d = new OnlineDeployment(stack, 'Ok', { endpoint, model, environment, deploymentName: 'blue', instanceType: InstanceType.NC4AS_T4_V3, environmentVariables: { SERVINGSTACK_EMF: 'false', SERVINGSTACK_EXECUTION_PROVIDERS: 'cpu', MY_VAR: 'ok' } });
  expect(d.environmentVariables).toMatchObject({ SERVINGSTACK_EMF: 'false', SERVINGSTACK_EXECUTION_PROVIDERS: 'cpu', MY_VAR: 'ok' });
  expect(Object.keys(d.environmentVariables)).toEqual([...Object.keys(d.environmentVariables)].sort());
});

test('SS_ERR_AZURE_TRAFFIC_INVALID at synth: sum, unknown deployment, mirror above 50 %, two mirrors, live and mirrored', () => {
  const stack = newStack({ subscriptionId: SUB });
  const s = new AzureMlServing(stack, 'Scoring', { modelPackage: PACKAGE });
  s.addDeployment('green', { modelPackage: TINY });
  s.addDeployment('red');
  s.endpoint.setTraffic({ blue: 60, green: 30, purple: 5 });
  s.endpoint.mirrorTraffic({ green: 10, red: 60 });
  const e = errorOf(() => synth(stack));
  expect(e.code).toBe('SS_ERR_AZURE_TRAFFIC_INVALID');
  expect(e.issues.map((i) => `${i.field}: ${JSON.stringify(i.received)}`)).toEqual([
    'traffic.purple: "purple"',
    'traffic: {"blue":60,"green":30,"purple":5}',
    'mirrorTraffic: {"green":10,"red":60}',
    'mirrorTraffic.green: {"live":30,"mirror":10}',
    'mirrorTraffic.red: 60',
  ]);
  expect(e.issues[1]).toMatchObject({ message: 'sums to 95 %', allowed: 'whole percentages summing to 100 (or all 0 to stop traffic)' });
});

test('SS_ERR_AZURE_AUTOSCALE_INVALID: min ≤ default ≤ max, thresholds, windows, schedules', () => {
  const { stack, model, environment, endpoint } = parts();
  const e = errorOf(() => new OnlineDeployment(stack, 'D', {
    endpoint, model, environment, deploymentName: 'blue',
    autoscale: { minInstances: 3, maxInstances: 2, defaultInstances: 5, cpu: { scaleOutAbovePercent: 40, scaleInBelowPercent: 50 }, windowMinutes: 1, schedules: [{ name: 'default', days: [], hour: 25, minInstances: 1, maxInstances: 1 }] },
  }));
  expect(e.code).toBe('SS_ERR_AZURE_AUTOSCALE_INVALID');
  expect(e.issues.map((i) => i.field)).toEqual(['defaultInstances', 'cpu.scaleInBelowPercent', 'windowMinutes', 'schedules[0].name', 'schedules[0].days', 'schedules[0].hour']);
  expect(e.issues[0]).toMatchObject({ received: { minInstances: 3, defaultInstances: 5, maxInstances: 2 }, allowed: 'minInstances ≤ defaultInstances ≤ maxInstances' });
});
