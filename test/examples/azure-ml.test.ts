import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Testing } from '../../constructs/cdktf/binding';
import { AzureExampleStack, buildAzureExampleApp } from '../../examples/azure-ml/stack';
import { findRolloutSettings, validateRolloutSettings } from '../../constructs/azure/rollout/settings';
import { Json, TerraformTemplate } from '../support/terraform-template';

/** ARM type → resource names, Terraform expressions (GUID names) shown as `<expr>`: a small reviewable inventory. */
function inventory(t: TerraformTemplate): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const r of Object.values(t.resources('azapi_resource')) as Json[]) {
    const type = String(r.type);
    (out[type] ??= []).push(String(r.name).includes('${') ? '<expr>' : String(r.name));
  }
  for (const list of Object.values(out)) list.sort();
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

describe('examples/azure-ml', () => {
  test('synthesizes offline to Terraform JSON whose rollout output is valid servingstack azure input', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'azure-example-'));
    try {
      buildAzureExampleApp(outdir, {}).synth();
      const tf = JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', 'azure-ml-serving', 'cdk.tf.json'), 'utf8'));
      expect(tf.terraform.required_providers).toEqual({ azapi: { source: 'Azure/azapi', version: '2.13.0' } });
      expect(Object.keys(tf.resource).sort()).toEqual(['azapi_resource', 'azapi_update_resource']);
      // Found by name in the synthesized JSON (`servingstack azure --synth … --output-name BreastCancer`) and
      // in what `cdktf output --json` prints after apply; valid once apply has filled in the subscription.
      const fromSynth = findRolloutSettings(tf.output, 'BreastCancer');
      const fromOutputs = findRolloutSettings({ 'azure-ml-serving': { BreastCancer_rollout: tf.output.BreastCancer_rollout.value } }, 'BreastCancer');
      expect(fromSynth).toEqual(fromOutputs);
      expect(fromSynth).toMatchObject({ endpointName: 'breast-cancer', deployments: { blue: { name: 'breast-cancer', version: '1.0.0' } } });
      expect(validateRolloutSettings({ ...fromSynth, subscriptionId: '11111111-2222-3333-4444-555555555555' })).toEqual([]);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });

  test('inventory of what it deploys (reviewed snapshot)', () => {
    const stack = new AzureExampleStack(Testing.app(), 'example');
    expect(inventory(TerraformTemplate.synth(stack))).toMatchSnapshot();
  });

  test('the deployment as Azure receives it (reviewed snapshot)', () => {
    const t = TerraformTemplate.synth(new AzureExampleStack(Testing.app(), 'example'));
    const d = (Object.values(t.resources('azapi_resource')) as Json[]).find((r) => String(r.type).startsWith('Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments@'))!;
    const { model: _m, environmentId: _e, ...properties } = d.body.properties;
    expect({ name: d.name, sku: d.body.sku, properties, lifecycle: d.lifecycle }).toMatchSnapshot();
  });

  test('the bootstrap (SERVINGSTACK_BOOTSTRAP=1) creates no model version, deployment or deployment alerts', () => {
    const t = TerraformTemplate.synth(new AzureExampleStack(Testing.app(), 'example', { bootstrap: true }));
    const types = Object.keys(inventory(t)).map((k) => k.split('@')[0]);
    expect(types).not.toContain('Microsoft.MachineLearningServices/workspaces/models/versions');
    expect(types).not.toContain('Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments');
    expect(inventory(t)['Microsoft.Insights/metricAlerts@2018-03-01']).toEqual(['breast-cancer-latency-p99']);
  });
});
