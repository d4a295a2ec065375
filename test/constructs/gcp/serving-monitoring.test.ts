/**
 * `ServingMonitoring` on its own: every option lands in the Terraform JSON, every invalid option fails at synth
 * naming prop, value and what is allowed.
 */
import { ServingMonitoring } from '../../../constructs/gcp';
import { TerraformTemplate } from '../../support/terraform-template';
import { newGcpStack as newStack } from '../../support/gcp';

describe('ServingMonitoring', () => {
  test('display name prefix and no channels', () => {
    const stack = newStack();
    new ServingMonitoring(stack, 'M', { endpointId: '987654321', displayNamePrefix: 'fraud' });
    const t = TerraformTemplate.synth(stack);
    expect(t.resources('google_monitoring_alert_policy').map((p) => [p.display_name, p.notification_channels])).toEqual([
      ['fraud: error rate above 5%', undefined],
      ['fraud: p99 latency above 1000 ms', undefined],
    ]);
    expect(JSON.parse(String(t.resources('google_monitoring_dashboard')[0].dashboard_json)).displayName).toBe('fraud serving');
  });
});
