/**
 * `VertexServingStack`: the deploy unit owning the google provider.
 */
import { App, Testing } from '../../../constructs/cdktf/binding';
import { ModelPackageBucket, VertexServingStack } from '../../../constructs/gcp';
import { TerraformTemplate } from '../../support/terraform-template';
import { errorOf } from '../../support/errors';
import { newGcpStack as newStack } from '../../support/gcp';

test('the stack labels resources managed-by servingstack by default; label keys keep their dashes', () => {
  expect(TerraformTemplate.synth(newStack()).provider('google')[0].default_labels).toEqual({ 'managed-by': 'servingstack' });
  const custom = new VertexServingStack(Testing.app(), 'S', { project: 'demo-project', region: 'us-central1', defaultLabels: { 'cost-center': 'ml-42' } });
  expect(TerraformTemplate.synth(custom).provider('google')[0].default_labels).toEqual({ 'cost-center': 'ml-42' });
});

describe('VertexServingStack', () => {
  test('owns the google provider with project, region and default labels', () => {
    // GIVEN / WHEN
    const t = TerraformTemplate.synth(newStack({ region: 'europe-west4', defaultLabels: { team: 'ml-platform' } }));
    // THEN
    expect(t.provider('google')).toEqual([expect.objectContaining({ project: 'demo-project', region: 'europe-west4', default_labels: { team: 'ml-platform' } })]);
  });

  test('unknown region, bad project ID and bad project number are reported together, naming field, value and what is allowed', () => {
    const e = errorOf(() => new VertexServingStack(new App(), 'S', { project: 'X', region: 'europe-west99', projectNumber: '0012' }));
    expect(e.code).toBe('SS_ERR_GCP_STACK_INVALID');
    expect(e.issues.map((i) => i.field)).toEqual(['project', 'region', 'projectNumber']);
    expect(e.message).toMatch(/region: is not a region Vertex AI prediction is offered in; received "europe-west99"; allowed: .*europe-west4/);
  });

  test('constructs outside a VertexServingStack fail naming their path', () => {
    const app = Testing.app();
    expect(() => new ModelPackageBucket(app, 'Loose')).toThrow(/Loose is not inside a VertexServingStack/);
  });
});
