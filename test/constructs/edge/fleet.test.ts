/**
 * FleetDeployment: the Greengrass deployment (rollout, abort, timeouts, update policy, rollback),
 * the thing groups and canary, the device credentials (token exchange role with exactly
 * s3:GetObject on the artifacts, role alias, IoT policy), validation, and cdk-nag.
 */
import { App, Duration, Size, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks } from 'cdk-nag';
import { DeploymentFailureType, EdgeModel, EdgeModelComponent, EdgePlatform, FleetDeployment, FleetDeploymentProps } from '../../../constructs/edge';
import { ServingStackError } from '../../../lib/core/errors';
import { BREAST_CANCER, edgeStack, ENV, resolveIntrinsics, TINY } from './helpers';

function fleet(props: Partial<FleetDeploymentProps> = {}, platforms = [EdgePlatform.LINUX_X86_64, EdgePlatform.LINUX_AARCH64]): { stack: Stack; app: App; template: Template; component: EdgeModelComponent; fleet: FleetDeployment } {
  const { app, stack, lockFile } = edgeStack();
  const component = new EdgeModelComponent(stack, 'Model', { model: EdgeModel.fromPackage(BREAST_CANCER), componentName: 'com.example.BreastCancer', device: { memory: Size.mebibytes(1024), cpus: 2 }, platforms, versionLockFile: lockFile });
  const f = new FleetDeployment(stack, 'Fleet', { component, thingGroupName: 'clinic-devices', ...props });
  return { app, stack, template: Template.fromStack(stack), component, fleet: f };
}

describe('deployment', () => {
  const { template } = fleet();

  test('thing group target, component version and the device limits', () => {
    template.hasResourceProperties('AWS::IoT::ThingGroup', { ThingGroupName: 'clinic-devices' });
    template.hasResource('AWS::IoT::ThingGroup', { DeletionPolicy: 'Retain' });
    template.hasResourceProperties('AWS::GreengrassV2::Deployment', {
      TargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FleetThingGroup'), 'Arn'] },
      DeploymentName: 'com.example.BreastCancer-fleet',
      Components: { 'com.example.BreastCancer': { ComponentVersion: '1.0.0', RunWith: { SystemResourceLimits: { Memory: 1024 * 1024, Cpus: 2 } } } },
    });
  });

  test('exponential rollout, abort after a minimum of devices, device timeout', () => {
    template.hasResourceProperties('AWS::GreengrassV2::Deployment', {
      IotJobConfiguration: {
        JobExecutionsRolloutConfig: { ExponentialRate: { BaseRatePerMinute: 5, IncrementFactor: 2, RateIncreaseCriteria: { NumberOfSucceededThings: 10 } }, MaximumPerMinute: 100 },
        AbortConfig: { CriteriaList: [{ FailureType: 'ALL', Action: 'CANCEL', ThresholdPercentage: 10, MinNumberOfExecutedThings: 10 }] },
        TimeoutConfig: { InProgressTimeoutInMinutes: 30 },
      },
    });
  });

  test('roll back on failure; notify components and wait for them before updating', () => {
    template.hasResourceProperties('AWS::GreengrassV2::Deployment', {
      DeploymentPolicies: { FailureHandlingPolicy: 'ROLLBACK', ComponentUpdatePolicy: { Action: 'NOTIFY_COMPONENTS', TimeoutInSeconds: 60 }, ConfigurationValidationPolicy: { TimeoutInSeconds: 30 } },
    });
  });

  test('the deployment waits for the component version', () => {
    const deployment = Object.values(template.findResources('AWS::GreengrassV2::Deployment'))[0] as { DependsOn: string[] };
    const componentId = Object.keys(template.findResources('AWS::GreengrassV2::ComponentVersion'))[0]!;
    expect(deployment.DependsOn).toContain(componentId);
  });
});

describe('device credentials', () => {
  const { template, component } = fleet();

  test('token exchange role: trusted by the IoT credentials provider, exactly s3:GetObject on each artifact object', () => {
    template.hasResourceProperties('AWS::IAM::Role', { AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'credentials.iot.amazonaws.com' } }] } });
    template.resourceCountIs('AWS::IAM::Role', 1);
    template.resourcePropertiesCountIs('AWS::IAM::Role', { ManagedPolicyArns: Match.anyValue() }, 0);
    const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Array<{ Properties: { PolicyDocument: { Statement: Array<{ Action: unknown; Effect: string; Resource: unknown[] }> } } }>;
    expect(policies).toHaveLength(1);
    const statements = policies[0]!.Properties.PolicyDocument.Statement;
    expect(statements).toHaveLength(1);
    expect(statements[0]!.Action).toBe('s3:GetObject');
    expect(statements[0]!.Effect).toBe('Allow');
    // runtime amd64, runtime aarch64 and the model: three objects, each named by its key.
    const resources = (statements[0]!.Resource as unknown[]).map((r) => resolveIntrinsics(r) as string).sort();
    expect(resources).toHaveLength(3);
    for (const r of resources) expect(r).toMatch(new RegExp(`^arn:aws:s3:::cdk-hnb659fds-assets-${ENV.account}-${ENV.region}/[a-f0-9]{64}\\.zip$`));
    expect(component.artifactObjectArns).toHaveLength(3);
  });

  test('role alias for the role, and the core device IoT policy scoped to the connecting thing', () => {
    template.hasResourceProperties('AWS::IoT::RoleAlias', { RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FleetTokenExchangeRole'), 'Arn'] }, CredentialDurationSeconds: 3600 });
    const policy = Object.values(template.findResources('AWS::IoT::Policy'))[0] as { Properties: { PolicyDocument: { Statement: Array<{ Action: string | string[]; Resource: unknown }> } } };
    const st = policy.Properties.PolicyDocument.Statement.map((s) => ({ ...s, Resource: resolveIntrinsics(s.Resource) }));
    expect(st[0]).toMatchObject({ Action: 'iot:Connect', Resource: `arn:aws:iot:${ENV.region}:${ENV.account}:client/\${iot:Connection.Thing.ThingName}` });
    expect(st.find((s) => s.Action === 'iot:AssumeRoleWithCertificate')!.Resource).toEqual(expect.objectContaining({}));
    const wildcard = st.filter((s) => s.Resource === '*');
    expect(wildcard).toEqual([expect.objectContaining({ Action: ['greengrass:ListThingGroupsForCoreDevice', 'greengrass:GetDeploymentConfiguration', 'greengrass:ResolveComponentCandidates', 'greengrass:GetComponentVersionArtifact'] })]);
    for (const s of st.filter((x) => x.Resource !== '*')) expect(JSON.stringify(s.Resource)).not.toMatch(/:\*"|"\*"/);
  });

  test('an existing token exchange role gets only the artifact read added', () => {
    const { stack, lockFile } = edgeStack();
    const role = new iam.Role(stack, 'Existing', { assumedBy: new iam.ServicePrincipal('credentials.iot.amazonaws.com') });
    const component = new EdgeModelComponent(stack, 'Model', { model: EdgeModel.fromPackage(TINY), platforms: [EdgePlatform.LINUX_X86_64], versionLockFile: lockFile });
    new FleetDeployment(stack, 'Fleet', { component, tokenExchangeRole: role, thingGroupArn: `arn:aws:iot:${ENV.region}:${ENV.account}:thinggroup/existing` });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::IAM::Role', 1);
    t.resourceCountIs('AWS::IoT::ThingGroup', 0);
    t.hasResourceProperties('AWS::GreengrassV2::Deployment', { TargetArn: `arn:aws:iot:${ENV.region}:${ENV.account}:thinggroup/existing` });
    t.hasResourceProperties('AWS::IAM::Policy', { Roles: [{ Ref: Match.stringLikeRegexp('^Existing') }], PolicyDocument: { Statement: [Match.objectLike({ Action: 's3:GetObject' })] } });
  });
});

describe('canary', () => {
  test('a canary thing group gets the new version first, all at once, cancelled on any failure; the fleet follows', () => {
    const { template } = fleet({ canary: {} });
    template.hasResourceProperties('AWS::IoT::ThingGroup', { ThingGroupName: 'clinic-devices-canary' });
    const deployments = template.findResources('AWS::GreengrassV2::Deployment');
    const [canaryId, canary] = Object.entries(deployments).find(([, d]) => (d as { Properties: { DeploymentName: string } }).Properties.DeploymentName.endsWith('-canary'))! as [string, { Properties: Record<string, unknown> }];
    expect(canary.Properties).toMatchObject({
      TargetArn: { 'Fn::GetAtt': [expect.stringMatching(/^FleetCanaryThingGroup/), 'Arn'] },
      Components: { 'com.example.BreastCancer': { ComponentVersion: '1.0.0' } },
      IotJobConfiguration: { AbortConfig: { CriteriaList: [{ FailureType: 'ALL', Action: 'CANCEL', ThresholdPercentage: 1, MinNumberOfExecutedThings: 1 }] } },
      DeploymentPolicies: { FailureHandlingPolicy: 'ROLLBACK' },
    });
    expect((canary.Properties.IotJobConfiguration as Record<string, unknown>).JobExecutionsRolloutConfig).toBeUndefined();
    const [, main] = Object.entries(deployments).find(([id]) => id !== canaryId)! as [string, { DependsOn: string[] }];
    expect(main.DependsOn).toContain(canaryId);
  });

  test('holding the fleet at the previous version while the canary runs the new one', () => {
    const { template } = fleet({ canary: { holdFleetAtVersion: '0.9.0' } });
    template.hasResourceProperties('AWS::GreengrassV2::Deployment', { DeploymentName: 'com.example.BreastCancer-fleet', Components: { 'com.example.BreastCancer': { ComponentVersion: '0.9.0' } } });
    template.hasResourceProperties('AWS::GreengrassV2::Deployment', { DeploymentName: 'com.example.BreastCancer-fleet-canary', Components: { 'com.example.BreastCancer': { ComponentVersion: '1.0.0' } } });
  });
});

describe('validation (SS_ERR_EDGE_DEPLOYMENT_INVALID)', () => {
  test('rollout, abort, timeouts and names out of range are listed in one error', () => {
    let error: ServingStackError | undefined;
    try {
      fleet(
        {
          thingGroupName: 'bad name',
          rollout: { baseRatePerMinute: 0, incrementFactor: 1.25, maximumPerMinute: 2000 },
          abort: { failurePercentage: 120, minExecutedDevices: 0, failureType: DeploymentFailureType.FAILED },
          deviceTimeout: Duration.days(8),
          componentUpdateTimeout: Duration.millis(1500),
          canary: { holdFleetAtVersion: '1.0.0' },
        },
        [EdgePlatform.LINUX_X86_64],
      );
    } catch (e) {
      error = e as ServingStackError;
    }
    expect(error?.code).toBe('SS_ERR_EDGE_DEPLOYMENT_INVALID');
    expect(error!.issues.map((i) => i.field)).toEqual([
      'rollout.baseRatePerMinute',
      'rollout.incrementFactor',
      'rollout.maximumPerMinute',
      'abort.failurePercentage',
      'abort.minExecutedDevices',
      'deviceTimeout',
      'componentUpdateTimeout',
      'thingGroupName',
      'canary.thingGroupName',
      'canary.holdFleetAtVersion',
    ]);
    expect(error!.message).toContain('rollout.incrementFactor: is not an exponential factor Greengrass accepts; received 1.25; allowed: a number from 1.1 to 5 with at most one decimal');
    expect(error!.message).toContain('abort.failurePercentage: is out of range; received 120; allowed: a percentage from 0 to 100 with at most two decimals');
    expect(error!.message).toContain('deviceTimeout: is out of range; received "11520 min"; allowed: whole minutes from 1 to 10080 (7 days)');
    expect(error!.message).toContain('canary.holdFleetAtVersion: is the version the canary gets: nothing is held back; received "1.0.0"');
  });
});

describe('cdk-nag', () => {
  test('AwsSolutions, NIST 800-53 R5 and HIPAA Security: no unacknowledged errors; acknowledgements carry reasons', () => {
    const { app, stack, lockFile } = edgeStack();
    const options = { writeSuppressionsToCloudFormation: true };
    const packs = [new AwsSolutionsChecks(app, options), new NIST80053R5Checks(app, options), new HIPAASecurityChecks(app, options)];
    const component = new EdgeModelComponent(stack, 'Model', { model: EdgeModel.fromPackage(BREAST_CANCER), platforms: [EdgePlatform.LINUX_X86_64], versionLockFile: lockFile });
    new FleetDeployment(stack, 'Fleet', { component, canary: {} });
    const errors = packs.flatMap((p) => p.validateScope(app).violations.filter((v) => v.severity === 'error').map((v) => `${v.ruleName} @ ${v.violatingResources.map((r) => r.resourceLogicalId).join(', ')}`));
    expect(errors).toEqual([]);
    const json = Template.fromStack(stack).toJSON() as { Resources: Record<string, { Metadata?: { cdk_nag?: { rules_to_suppress: Array<{ id: string; reason: string }> } } }> };
    const acks = Object.values(json.Resources).flatMap((r) => r.Metadata?.cdk_nag?.rules_to_suppress ?? []);
    expect([...new Set(acks.map((a) => a.id))].sort()).toEqual(['HIPAA.Security-IAMNoInlinePolicy', 'NIST.800.53.R5-IAMNoInlinePolicy']);
    for (const a of acks) expect(a.reason.length).toBeGreaterThan(40);
  });
});
