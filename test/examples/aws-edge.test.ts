/**
 * examples/aws-edge: synthesized as `npm start` does (cdk-nag packs as plugins: a finding fails the
 * synth), and a small reviewed snapshot of what it deploys: resource inventory, the recipe's
 * configuration and lifecycle timeouts, and the two deployments' rollout policies.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { addNagPacks } from '../../bin/app/nag';
import { EdgeFleetStack } from '../../examples/aws-edge/stack';

const ENV = { account: '123456789012', region: 'eu-west-1' };
let dir: string;
let template: Template;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-edge-example-'));
  const app = new App({ outdir: path.join(dir, 'cdk.out') });
  const stack = new EdgeFleetStack(app, 'ServingStack-EdgeFleet', { env: ENV, versionLockFile: path.join(dir, 'lock.json') });
  addNagPacks(app);
  app.synth(); // throws on an unacknowledged cdk-nag finding
  template = Template.fromStack(stack);
}, 300_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('inventory (reviewed snapshot)', () => {
  const counts: Record<string, number> = {};
  for (const r of Object.values(template.toJSON().Resources as Record<string, { Type: string }>)) counts[r.Type] = (counts[r.Type] ?? 0) + 1;
  expect(Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)))).toMatchSnapshot();
});

test('the model component: configuration and lifecycle (reviewed snapshot)', () => {
  const recipes = Object.values(template.findResources('AWS::GreengrassV2::ComponentVersion')).map((r) => JSON.stringify((r as { Properties: { InlineRecipe: unknown } }).Properties.InlineRecipe));
  const model = recipes.find((r) => r.includes('"ComponentName\\":\\"servingstack.breast-cancer\\"'))!;
  const recipe = JSON.parse(JSON.parse(model) as string) as { ComponentVersion: string; ComponentConfiguration: unknown; Manifests: Array<{ Platform: unknown; Lifecycle: Record<string, { Timeout?: number }> }> };
  expect({
    version: recipe.ComponentVersion,
    configuration: recipe.ComponentConfiguration,
    manifests: recipe.Manifests.map((m) => ({ platform: m.Platform, timeouts: Object.fromEntries(Object.entries(m.Lifecycle).map(([k, v]) => [k, v.Timeout ?? null])) })),
  }).toMatchSnapshot();
});

test('canary and fleet deployments (reviewed snapshot)', () => {
  const deployments = Object.values(template.findResources('AWS::GreengrassV2::Deployment')).map((d) => {
    const p = (d as { Properties: { DeploymentName: string; DeploymentPolicies: unknown; IotJobConfiguration: unknown } }).Properties;
    return { name: p.DeploymentName, policies: p.DeploymentPolicies, job: p.IotJobConfiguration };
  });
  expect(deployments.sort((a, b) => a.name.localeCompare(b.name))).toMatchSnapshot();
});

test('outputs: the names the Greengrass installer needs to register a device', () => {
  const outputs = template.toJSON().Outputs as Record<string, { Description: string; Value: unknown }>;
  expect(Object.fromEntries(Object.entries(outputs).map(([k, o]) => [k, o.Description]))).toEqual({
    TokenExchangeRoleAlias: '--tes-role-alias-name',
    TokenExchangeRoleName: '--tes-role-name',
    DevicePolicyName: '--thing-policy-name',
    CanaryThingGroup: '--thing-group-name for canary devices',
  });
  expect(outputs.TokenExchangeRoleAlias!.Value).toEqual({ Ref: Object.keys(template.findResources('AWS::IoT::RoleAlias'))[0] });
  expect(outputs.DevicePolicyName!.Value).toEqual({ Ref: Object.keys(template.findResources('AWS::IoT::Policy'))[0] });
});
