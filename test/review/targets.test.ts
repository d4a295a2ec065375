/** The Azure and edge extractors, on stacks synthesized from constructs/azure and constructs/edge (their examples land later). */
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { App as TerraformApp } from '../../constructs/cdktf/binding';
import { AzureMlServing, AzureServingStack } from '../../constructs/azure';
import { EdgeModel, EdgeModelComponent, EdgePlatform, FleetDeployment } from '../../constructs/edge';
import { Stack } from 'aws-cdk-lib';
import { DiffReport, loadPrices, readServingModels, reviewDiff, estimate } from '../../lib/review';
import { Json, tempDir, variant } from './fixtures';

const ROOT = path.resolve(__dirname, '..', '..');
let base: string;
const AZ = 'cdktf.out/stacks/azure-serving/cdk.tf.json';
const EDGE = 'cdk.out/Edge.template.json';

beforeAll(() => {
  base = tempDir('review-targets-');
  const tf = new TerraformApp({ outdir: path.join(base, 'cdktf.out') });
  const az = new AzureServingStack(tf, 'azure-serving', { location: 'westeurope', resourceGroupName: 'rg-ml', subscriptionId: '11111111-2222-3333-4444-555555555555' });
  new AzureMlServing(az, 'Scoring', { modelPackage: path.join(ROOT, 'examples/models/breast-cancer') });
  tf.synth();
  const app = new App({ outdir: path.join(base, 'cdk.out') });
  const stack = new Stack(app, 'Edge', { env: { account: '123456789012', region: 'eu-west-1' } });
  const component = new EdgeModelComponent(stack, 'Model', { model: EdgeModel.fromPackage(path.join(ROOT, 'examples/models/tiny')), platforms: [EdgePlatform.LINUX_X86_64], versionLockFile: path.join(base, 'edge.lock.json') });
  new FleetDeployment(stack, 'Fleet', { component, thingGroupName: 'clinic-devices' });
  app.synth();
}, 120_000);

const review = (after: string): DiffReport => reviewDiff(readServingModels(base), readServingModels(after), loadPrices(), {});
const rows = (r: DiffReport): unknown[][] => r.findings.map((f) => [f.unit, f.term, f.before, f.after, f.cls]);
const arm = (d: Json, type: string): Json => Object.values(d.resource.azapi_resource as Json).find((r) => String((r as Json).type).startsWith(`${type}@`)) as Json;

describe('Azure Machine Learning', () => {
  test('instance type (no in-place change), count, public endpoint, a new role assignment', () => {
    const after = variant(base, {
      [AZ]: (d) => {
        const dep = arm(d, 'Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments');
        dep.body.properties.instanceType = 'STANDARD_DS4_V2';
        dep.body.sku.capacity = 3;
        const ep = arm(d, 'Microsoft.MachineLearningServices/workspaces/onlineEndpoints');
        ep.body.properties.authMode = 'Key';
        d.resource.azapi_resource.Extra = { type: 'Microsoft.Authorization/roleAssignments@2022-04-01', name: 'x', parent_id: '/subscriptions/s', body: { properties: { description: 'Owner', principalId: 'someone', roleDefinitionId: '/x/Owner' } } };
      },
    });
    const r = review(after);
    expect(rows(r)).toEqual([
      ['(stack-wide)', 'IAM someone: Owner on /subscriptions/s', undefined, 'granted', 'security-regression'],
      ['scoring', 'deployment blue: instance type', 'STANDARD_DS3_V2', 'STANDARD_DS4_V2', 'replacement'],
      ['scoring', 'deployment blue: instance count', 1, 3, 'capacity'],
      ['scoring', 'authentication', 'AADToken', 'Key', 'behaviour'],
    ]);
    // 1 × 730 h × $0.293 (eastus row: no westeurope row) = $213.89 → 3 × 730 h × $0.585 = $1,281.15
    expect(r.costDelta).toEqual([{ stack: 'azure-serving', unit: 'scoring', beforeMin: 213.89, beforeMax: 213.89, afterMin: 1281.15, afterMax: 1281.15 }]);
  });

  test('closing public network access is not a regression; opening it is', () => {
    const closed = variant(base, { [AZ]: (d) => void (arm(d, 'Microsoft.MachineLearningServices/workspaces/onlineEndpoints').body.properties.publicNetworkAccess = 'Disabled') });
    expect(rows(review(closed))).toEqual([['scoring', 'network exposure', 'public network access', 'private (private endpoint only)', 'behaviour']]);
    const reopened = reviewDiff(readServingModels(closed), readServingModels(base), loadPrices(), {});
    expect(rows(reopened)).toEqual([['scoring', 'network exposure', 'private (private endpoint only)', 'public network access', 'security-regression']]);
  });
});

describe('edge (Greengrass)', () => {
  test('rollout rate and abort criteria replace the deployment; nothing priced for devices', () => {
    const [model] = readServingModels(base).filter((m) => m.target === 'edge');
    expect(model.units.map((u) => u.kind)).toEqual(['Greengrass fleet deployment', 'stack']);
    const after = variant(base, {
      [EDGE]: (d) => {
        const dep = Object.values(d.Resources as Json).find((r) => (r as Json).Type === 'AWS::GreengrassV2::Deployment') as Json;
        dep.Properties.IotJobConfiguration.JobExecutionsRolloutConfig.MaximumPerMinute = 1000;
      },
    });
    const r = review(after);
    expect(r.findings.map((f) => [f.term, f.cls])).toEqual([['rollout rate', 'replacement']]);
    expect(estimate([model], loadPrices(), {})[0].units.flatMap((u) => u.lines.filter((l) => l.item.includes('instance')))).toEqual([]);
  });

  test("the fleet's CloudWatch lines are priced at AWS rates (the devices are not)", () => {
    const [model] = readServingModels(base).filter((m) => m.target === 'edge');
    const lines = estimate([model], loadPrices(), { default: { requestsPerMonth: 1_000_000, logBytesPerRequest: 500 } })[0].units.flatMap((u) => u.lines);
    const logs = lines.filter((l) => l.item === 'logs');
    expect(logs.length).toBeGreaterThan(0);
    // 1e6 requests × 500 B = 0.5 GB × $0.50 per GB ingested = $0.25
    for (const l of logs) expect([l.min, l.price]).toEqual([0.25, expect.stringContaining('https://aws.amazon.com/cloudwatch/pricing/')]);
  });
});
