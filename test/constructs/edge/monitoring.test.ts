/**
 * Fleet monitoring on the template: the telemetry component (recipe, IPC access control, soft
 * dependency, artifacts), the deployments (telemetry per device group, capture switched on), the
 * IoT rules and their role (CloudWatch namespaces of the groups only), device permissions
 * (publish on its own topic, PutObject under the model's capture prefix), alarms from the shared
 * thresholds, the dashboard, validation and cdk-nag.
 */
import { App, Duration, Size, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks } from 'cdk-nag';
import { EdgeErrorCodes, EdgeModel, EdgeModelComponent, EdgePlatform, FleetDeployment, FleetDeploymentProps, FleetMonitoringOptions } from '../../../constructs/edge';
import { ServingStackError } from '../../../lib/core/errors';
import { fleetMetrics, TELEMETRY_SCHEMA } from '../../../lib/edge/message';
import { BREAST_CANCER, edgeStack, resolveIntrinsics } from './helpers';

interface Built {
  app: App;
  stack: Stack;
  template: Template;
  fleet: FleetDeployment;
}

function build(monitoring: FleetMonitoringOptions, props: Partial<FleetDeploymentProps> = {}, app0?: (app: App) => void): Built {
  const { app, stack, lockFile } = edgeStack();
  app0?.(app);
  const component = new EdgeModelComponent(stack, 'Model', { model: EdgeModel.fromPackage(BREAST_CANCER), device: { memory: Size.mebibytes(512) }, platforms: [EdgePlatform.LINUX_X86_64, EdgePlatform.LINUX_AARCH64], versionLockFile: lockFile });
  const fleet = new FleetDeployment(stack, 'Fleet', { component, thingGroupName: 'clinic-devices', canary: {}, monitoring, ...props });
  return { app, stack, template: Template.fromStack(stack), fleet };
}

type Recipe = { ComponentName: string; ComponentDependencies: Record<string, unknown>; ComponentConfiguration: { DefaultConfiguration: Record<string, unknown> }; Manifests: Array<{ Platform: { architecture: string }; Lifecycle: { Run: { Script: string } }; Artifacts: Array<{ URI: string }> }> };

function telemetryRecipe(t: Template): Recipe {
  const recipes = Object.values(t.findResources('AWS::GreengrassV2::ComponentVersion')).map((r) => JSON.parse(resolveIntrinsics((r as { Properties: { InlineRecipe: unknown } }).Properties.InlineRecipe) as string) as Recipe);
  return recipes.find((r) => r.ComponentName.endsWith('.telemetry'))!;
}

describe('telemetry component and deployments', () => {
  const { template, fleet } = build({ captureSamplePercent: 10 });
  const recipe = telemetryRecipe(template);

  test('a component of its own beside the model, soft dependency, one agent bundle per platform', () => {
    expect(recipe.ComponentName).toBe('servingstack.breast-cancer.telemetry');
    expect(recipe.ComponentDependencies).toEqual({ 'servingstack.breast-cancer': { VersionRequirement: '>=0.0.0', DependencyType: 'SOFT' } });
    expect(recipe.Manifests.map((m) => m.Platform.architecture)).toEqual(['amd64', 'aarch64']);
    expect(recipe.Manifests[0]!.Artifacts[0]!.URI).not.toBe(recipe.Manifests[1]!.Artifacts[0]!.URI);
    const run = recipe.Manifests[0]!.Lifecycle.Run.Script;
    expect(run).toContain("SERVINGSTACK_EDGE_RUNTIME_URL='http://127.0.0.1:{servingstack.breast-cancer:configuration:/Port}'");
    expect(run).toContain("SERVINGSTACK_EDGE_CAPTURE_DIR='{servingstack.breast-cancer:work:path}/capture'");
    // Capture files go where the token exchange role may put them (see the device permissions below).
    expect(recipe.ComponentConfiguration.DefaultConfiguration).toMatchObject({ CapturePrefix: 'captures/breast-cancer' });
    expect(run).toMatch(/AWS_CRT_NODEJS_BINARY_ABSOLUTE_PATH='\{artifacts:decompressedPath\}\/[a-f0-9]{64}\/aws-crt-nodejs\.node'/);
  });

  test('IPC access: PublishToIoTCore on the telemetry topic, nothing else', () => {
    expect(recipe.ComponentConfiguration.DefaultConfiguration.accessControl).toEqual({
      'aws.greengrass.ipc.mqttproxy': {
        'servingstack.breast-cancer.telemetry:mqttproxy:1': {
          policyDescription: expect.any(String),
          operations: ['aws.greengrass#PublishToIoTCore'],
          resources: ['servingstack/edge/breast-cancer/telemetry/*'],
        },
      },
    });
  });

  test('each deployment runs the telemetry component with its device group, and switches capture on', () => {
    const deployments = Object.values(template.findResources('AWS::GreengrassV2::Deployment')).map((d) => (d as { Properties: { Components: Record<string, { ConfigurationUpdate?: { Merge: unknown } }> } }).Properties.Components);
    const groups = deployments.map((c) => JSON.parse(resolveIntrinsics(c['servingstack.breast-cancer.telemetry']!.ConfigurationUpdate!.Merge) as string) as { DeviceGroup: string });
    expect(groups.map((g) => g.DeviceGroup).sort()).toEqual(['clinic-devices', 'clinic-devices-canary']);
    for (const c of deployments) expect(JSON.parse(c['servingstack.breast-cancer']!.ConfigurationUpdate!.Merge as string)).toEqual({ CapturePercent: '10' });
    expect(fleet.captureBucket).toBeDefined();
  });

  test('devices: publish on their own telemetry topic; the token exchange role puts capture files under the model prefix only', () => {
    const policy = JSON.stringify(resolveIntrinsics(Object.values(template.findResources('AWS::IoT::Policy'))[0]));
    expect(policy).toContain('"Action":"iot:Publish","Resource":"arn:aws:iot:eu-west-1:123456789012:topic/servingstack/edge/breast-cancer/telemetry/${iot:Connection.Thing.ThingName}"');
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => (p as { Properties: { PolicyDocument: { Statement: Array<{ Action: unknown; Resource: unknown }> } } }).Properties.PolicyDocument.Statement);
    const puts = statements.filter((s) => JSON.stringify(s.Action).includes('s3:Put'));
    expect(puts).toHaveLength(1);
    expect(puts[0]!.Action).toBe('s3:PutObject');
    expect(JSON.stringify(puts[0]!.Resource)).toContain('/captures/breast-cancer/*');
    template.hasResourceProperties('AWS::S3::Bucket', { VersioningConfiguration: { Status: 'Enabled' }, LoggingConfiguration: { LogFilePrefix: 'captures/' } });
  });
});

describe('IoT rules into CloudWatch', () => {
  const { template } = build({ modelQualityThresholds: { maxDriftedFeatures: 3 } });
  const rules = Object.values(template.findResources('AWS::IoT::TopicRule')).map((r) => (r as { Properties: { TopicRulePayload: { Sql: string; Actions: Array<{ CloudwatchMetric: { MetricNamespace: string; MetricName: string; MetricValue: string; MetricTimestamp: string; MetricUnit: string } }> } } }).Properties.TopicRulePayload);

  test('every fleet metric is put by one rule, from the telemetry topic, with the message timestamp', () => {
    const names = rules.flatMap((r) => r.Actions.map((a) => a.CloudwatchMetric.MetricName)).sort();
    expect(names).toEqual(fleetMetrics(3).map((m) => m.name).sort());
    for (const r of rules) {
      expect(r.Sql).toMatch(new RegExp(`^SELECT deviceGroup, timestamp, .* FROM 'servingstack/edge/breast-cancer/telemetry/\\+' WHERE schema = '${TELEMETRY_SCHEMA.replace(/[./]/g, '\\$&')}' AND model = 'breast-cancer' AND \\(`));
      expect(r.Actions.length).toBeLessThanOrEqual(10); // IoT's limit per rule
      for (const a of r.Actions) {
        expect(a.CloudwatchMetric.MetricNamespace).toBe('ServingStack/Edge/breast-cancer/${deviceGroup}');
        expect(a.CloudwatchMetric.MetricTimestamp).toBe('${timestamp}');
        expect(r.Sql).toContain(`AS ${a.CloudwatchMetric.MetricValue.slice(2, -1)}`);
      }
    }
    // The drift verdict uses the model-quality threshold.
    expect(rules.map((r) => r.Sql).join('\n')).toContain('CASE maxDriftedFeatures >= 3 WHEN true THEN 1 ELSE 0 END AS v0');
  });

  test('the rule role may put metrics into the two device groups\' namespaces and write rule errors, nothing else', () => {
    const role = Object.entries(template.findResources('AWS::IAM::Role')).find(([, r]) => JSON.stringify(r).includes('"Service":"iot.amazonaws.com"'))!;
    const policy = Object.values(template.findResources('AWS::IAM::Policy')).find((p) => JSON.stringify((p as { Properties: { Roles: unknown } }).Properties.Roles).includes(role[0]))! as { Properties: { PolicyDocument: { Statement: Array<{ Action: unknown; Condition?: unknown }> } } };
    const st = policy.Properties.PolicyDocument.Statement;
    expect(st.map((s) => s.Action)).toEqual(['cloudwatch:PutMetricData', ['logs:CreateLogStream', 'logs:PutLogEvents']]);
    expect(st[0]!.Condition).toEqual({ StringEquals: { 'cloudwatch:namespace': ['ServingStack/Edge/breast-cancer/clinic-devices', 'ServingStack/Edge/breast-cancer/clinic-devices-canary'] } });
  });
});

describe('alarms and dashboard', () => {
  test('per device group, thresholds and severities from the shared vocabulary', () => {
    const { template, fleet } = build({ fleetThresholds: { maxDriftedDevicesPercent: 25, minReportingDevices: 40 }, thresholds: { maxP99LatencyMillis: 80 } });
    expect(Object.keys(fleet.monitoring!.alarms).sort()).toEqual(['canary/Accuracy', 'canary/DevicesSilent', 'canary/ErrorRate', 'canary/FleetDrift', 'canary/P99Latency', 'fleet/Accuracy', 'fleet/DevicesSilent', 'fleet/ErrorRate', 'fleet/FleetDrift', 'fleet/P99Latency']);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: Match.stringLikeRegexp('-FleetDrift-Warning$'), Threshold: 25, ComparisonOperator: 'GreaterThanThreshold', AlarmDescription: Match.stringLikeRegexp('^\\[Warning\\] .*more than 25 % of the reporting devices of clinic-devices ') });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: Match.stringLikeRegexp('-DevicesSilent-Warning$'), Threshold: 40, ComparisonOperator: 'LessThanThreshold', TreatMissingData: 'breaching' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: Match.stringLikeRegexp('-ErrorRate-Critical$'), Threshold: 5 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: Match.stringLikeRegexp('-Accuracy-Critical$'), Threshold: 0.9, Namespace: 'ServingStack/Edge/breast-cancer/clinic-devices-canary' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: Match.stringLikeRegexp('-P99Latency-Warning$'), Threshold: 80, ExtendedStatistic: 'p90', MetricName: 'servingstack_edge_latency_p99' });
    // Devices reporting: one live message per device per minute, counted over 5 minutes.
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Metrics: Match.arrayWith([Match.objectLike({ Expression: 'm / 5' })]) });
    template.resourceCountIs('AWS::CloudWatch::Alarm', 10);
    const body = JSON.stringify(template.findResources('AWS::CloudWatch::Dashboard'));
    for (const title of ['Devices reporting', 'Inference rate and errors', 'Latency (ms)', 'Drift verdicts and accuracy', "Canary group `clinic-devices-canary`"]) expect(body).toContain(title);
  });
});

describe('validation (SS_ERR_EDGE_MONITORING_INVALID)', () => {
  test('thresholds with the vocabulary\'s messages, intervals, capture settings: all at once', () => {
    let error: ServingStackError | undefined;
    try {
      build({ fleetThresholds: { maxDriftedDevicesPercent: 0 }, modelQualityThresholds: { minAccuracy: 2 }, publishInterval: Duration.seconds(45), scrapeInterval: Duration.minutes(5), bufferIntervals: 1, captureSamplePercent: 120 });
    } catch (e) {
      error = e as ServingStackError;
    }
    expect(error?.code).toBe(EdgeErrorCodes.MONITORING);
    expect(error!.issues.map((i) => i.field)).toEqual([
      'monitoring.modelQualityThresholds.minAccuracy', 'monitoring.fleetThresholds.maxDriftedDevicesPercent', 'monitoring.publishInterval', 'monitoring.scrapeInterval', 'monitoring.bufferIntervals', 'monitoring.captureSamplePercent',
    ]);
    expect(error!.message).toContain('monitoring.fleetThresholds.maxDriftedDevicesPercent: is out of range; received 0; allowed: a number above 0 and at most 100 %');
  });
});

describe('cdk-nag', () => {
  test('with monitoring and capture: no unacknowledged errors; every acknowledgement has a reason', () => {
    const options = { writeSuppressionsToCloudFormation: true };
    let packs: Array<AwsSolutionsChecks | NIST80053R5Checks | HIPAASecurityChecks> = [];
    const { app, stack } = build({ captureSamplePercent: 5 }, {}, (a) => {
      packs = [new AwsSolutionsChecks(a, options), new NIST80053R5Checks(a, options), new HIPAASecurityChecks(a, options)];
    });
    const errors = packs.flatMap((p) => p.validateScope(app).violations.filter((v) => v.severity === 'error').map((v) => `${v.ruleName} @ ${v.violatingResources.map((r) => r.resourceLogicalId).join(', ')}`));
    expect(errors).toEqual([]);
    const json = Template.fromStack(stack).toJSON() as { Resources: Record<string, { Metadata?: { cdk_nag?: { rules_to_suppress: Array<{ id: string; reason: string }> } } }> };
    for (const a of Object.values(json.Resources).flatMap((r) => r.Metadata?.cdk_nag?.rules_to_suppress ?? [])) expect(a.reason.length).toBeGreaterThan(40);
  });
});
