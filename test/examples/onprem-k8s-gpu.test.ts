import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Testing } from '../../constructs/cdktf/binding';
import { OnPremGpuStack } from '../../examples/onprem-k8s-gpu/stack';
import { Json, TerraformTemplate } from '../support/terraform-template';

/** Resource type → object names (no hashed logical ids), for a small reviewable snapshot. */
function inventory(synth: TerraformTemplate): Record<string, string[]> {
  return Object.fromEntries(synth.types.map((t) => [t, Object.values(synth.resources(t)).map((r: Json) => (r.metadata ? `${r.metadata.namespace ?? '-'}/${r.metadata.name}` : `${r.namespace}/${r.name}`)).sort()]));
}

describe('examples/onprem-k8s-gpu', () => {
  test('synthesizes offline with app.synth() (no terraform binary, no cluster)', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'onprem-example-'));
    try {
      const app = new App({ outdir });
      new OnPremGpuStack(app, 'servingstack-onprem-gpu', { kubeconfigContext: 'lab-gpu' });
      app.synth();
      const json = JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', 'servingstack-onprem-gpu', 'cdk.tf.json'), 'utf8'));
      expect(json.terraform.required_providers).toEqual({ kubernetes: { source: 'kubernetes', version: '2.38.0' }, helm: { source: 'helm', version: '3.1.1' } });
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });

  test('inventory of what it deploys (reviewed snapshot)', () => {
    const stack = new OnPremGpuStack(Testing.app(), 'example', { kubeconfigContext: 'lab-gpu' });
    expect(inventory(TerraformTemplate.synth(stack))).toMatchSnapshot();
  });

  test('the serving container as deployed (reviewed snapshot)', () => {
    const stack = new OnPremGpuStack(Testing.app(), 'example', { kubeconfigContext: 'lab-gpu', image: 'registry.lab/servingstack/runtime:0.1.0' });
    expect(TerraformTemplate.synth(stack).resource('kubernetes_deployment_v1', 'breast-cancer').spec.template.spec.container).toMatchSnapshot();
  });

  test('with a canary in the state: both tracks and the weighted Ingress', () => {
    const stack = new OnPremGpuStack(Testing.app(), 'example', {
      kubeconfigContext: 'lab-gpu',
      state: { stableVersion: '3', stableModelUri: 's3://models/breast-cancer/3/', canaryVersion: '4', canaryModelUri: 's3://models/breast-cancer/4/', canaryWeight: 10 },
    });
    const synth = TerraformTemplate.synth(stack);
    expect(inventory(synth)['kubernetes_deployment_v1']).toEqual(['serving/breast-cancer', 'serving/breast-cancer-canary']);
    expect(synth.resource('kubernetes_ingress_v1', 'breast-cancer-canary').metadata.annotations['nginx.ingress.kubernetes.io/canary-weight']).toBe('10');
  });

  test('every resource uses a stack-owned provider and every depends_on is a plain address', () => {
    const synth = TerraformTemplate.synth(new OnPremGpuStack(Testing.app(), 'example', { kubeconfigContext: 'lab-gpu' }));
    for (const type of synth.types) {
      for (const r of Object.values(synth.resources(type))) {
        expect(r.provider).toBe(type.startsWith('helm_') ? 'helm' : 'kubernetes');
        for (const d of r.depends_on ?? []) expect(d).toMatch(/^[a-z0-9_]+\.[A-Za-z0-9_]+$/);
      }
    }
  });
});
