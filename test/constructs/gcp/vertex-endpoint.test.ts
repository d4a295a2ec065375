/**
 * `VertexEndpoint` on its own: every option lands in the Terraform JSON, every invalid option fails at synth
 * naming prop, value and what is allowed.
 */
import { VertexEndpoint } from '../../../constructs/gcp';
import { TerraformTemplate } from '../../support/terraform-template';
import { fieldsOf } from '../../support/errors';
import { newGcpStack as newStack } from '../../support/gcp';

describe('VertexEndpoint', () => {
  test('ID, display name, description and labels', () => {
    const stack = newStack();
    const ep = new VertexEndpoint(stack, 'E', { endpointId: '987654321', displayName: 'fraud scoring', description: 'scores card payments', labels: { team: 'risk', 'cost-center': 'ml-42' } });
    TerraformTemplate.synth(stack).hasResourceWithProperties('google_vertex_ai_endpoint', { name: '987654321', display_name: 'fraud scoring', description: 'scores card payments', labels: { team: 'risk', 'cost-center': 'ml-42' }, region: 'us-central1' });
    expect(ep.endpointName).toBe('projects/demo-project/locations/us-central1/endpoints/987654321');
  });

  test('invalid labels, BigQuery URI and sampling rate', () => {
    expect(fieldsOf(() => new VertexEndpoint(newStack(), 'E', { labels: { Team: 'Risk' }, requestResponseLogging: { bigQueryTableUri: 'demo.serving.requests', samplingPercent: 0 } }))).toEqual([
      'labels.Team', 'labels.Team', 'requestResponseLogging.bigQueryTableUri', 'requestResponseLogging.samplingPercent',
    ]);
  });
});
