/**
 * Every example stack: synthesizes without credentials, passes cdk-nag AwsSolutions,
 * NIST 800-53 R5 and HIPAA Security with zero unacknowledged errors, and every
 * acknowledgement is written into the template with its reason. Small snapshots of the
 * SageMaker resources (asset hashes stripped) make changes reviewable.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks } from 'cdk-nag';
import { EXAMPLES, ExampleName, addExample } from '../../../bin/app/examples';
import { ENV, stripHashes } from './helpers';

const names = Object.keys(EXAMPLES) as ExampleName[];

function synth(name: ExampleName): { app: App; stack: Stack; template: Template; packs: Array<AwsSolutionsChecks | NIST80053R5Checks | HIPAASecurityChecks> } {
  const app = new App();
  const options = { writeSuppressionsToCloudFormation: true };
  // Packs first: their constructor registers the aspect that writes acknowledgements into the template.
  const packs = [new AwsSolutionsChecks(app, options), new NIST80053R5Checks(app, options), new HIPAASecurityChecks(app, options)];
  const stack = addExample(app, name, { env: ENV }); // the real examples/models/breast-cancer package
  const template = Template.fromStack(stack);
  return { app, stack, template, packs };
}

/** The SageMaker part of a template: the reviewed surface of an example. */
function summary(t: Template): unknown {
  const json = t.toJSON() as { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };
  const counts: Record<string, number> = {};
  for (const r of Object.values(json.Resources)) counts[r.Type] = (counts[r.Type] ?? 0) + 1;
  const pick = (type: string): unknown[] => Object.values(json.Resources).filter((r) => r.Type === type).map((r) => r.Properties);
  return stripHashes({
    resourceCounts: Object.fromEntries(Object.entries(counts).sort()),
    endpointConfig: pick('AWS::SageMaker::EndpointConfig'),
    endpoint: pick('AWS::SageMaker::Endpoint'),
    scalableTargets: pick('AWS::ApplicationAutoScaling::ScalableTarget'),
  });
}

describe.each(names)('example %s', (name) => {
  const { app, template, packs } = synth(name);

  test('cdk-nag: zero unacknowledged errors in AwsSolutions, NIST 800-53 R5, HIPAA Security', () => {
    const errors = packs.flatMap((p) => p.validateScope(app).violations.filter((v) => v.severity === 'error').map((v) => `${v.ruleName} @ ${v.violatingResources.map((c) => (c as unknown as { constructPath?: string }).constructPath ?? c.resourceLogicalId).join(', ')}`));
    expect(errors).toEqual([]);
  });

  test('every acknowledgement is in the template metadata with a reason', () => {
    const json = template.toJSON() as { Resources: Record<string, { Metadata?: { cdk_nag?: { rules_to_suppress: Array<{ id: string; reason: string }> } } }> };
    const acks = Object.values(json.Resources).flatMap((r) => r.Metadata?.cdk_nag?.rules_to_suppress ?? []);
    expect(acks.length).toBeGreaterThan(0);
    for (const a of acks) expect(a.reason.length).toBeGreaterThan(20);
  });

  test('snapshot of the SageMaker resources', () => {
    expect(summary(template)).toMatchSnapshot();
  });
});

test('the real-time example: canary of one instance out of two, capture at 10 %, business-hours floor', () => {
  const { template } = synth('ServingStack-RealtimeCanary');
  template.hasResourceProperties('AWS::SageMaker::Endpoint', { DeploymentConfig: { BlueGreenUpdatePolicy: { TrafficRoutingConfiguration: { Type: 'CANARY', CanarySize: { Type: 'INSTANCE_COUNT', Value: 1 }, WaitIntervalInSeconds: 600 }, TerminationWaitInSeconds: 300, MaximumExecutionTimeoutInSeconds: 3300 }, AutoRollbackConfiguration: { Alarms: Match.arrayWith([Match.objectLike({ AlarmName: Match.stringLikeRegexp('-5xx-rate$') })]) } } });
  template.hasResourceProperties('AWS::SageMaker::EndpointConfig', { DataCaptureConfig: Match.objectLike({ InitialSamplingPercentage: 10 }) });
  template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 2, MaxCapacity: 6, ScheduledActions: Match.arrayWith([Match.objectLike({ ScalableTargetAction: { MinCapacity: 3 }, Timezone: 'Europe/Berlin' })]) });
});
