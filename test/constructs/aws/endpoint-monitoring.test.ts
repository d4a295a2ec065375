import * as fs from 'node:fs';
import * as path from 'node:path';
import { ThresholdGroup, Thresholds } from '../../../lib/core/contract/thresholds';
import { AwsErrorCodes } from '../../../constructs/aws';
import { errorOf } from '../../support/errors';
import { Duration } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { RUNTIME_METRICS } from '../../../lib/core/metrics-catalog';
import { Endpoint, EndpointMonitoring, InstanceType, Model, ModelData } from '../../../constructs/aws';
import { FIXTURE_PACKAGE, newStack, template } from './helpers';

describe('EndpointMonitoring', () => {
  test('GIVEN a real-time endpoint THEN the table of alarms with stated defaults notifies an encrypted topic', () => {
    const { stack } = newStack();
    const model = new Model(stack, 'Model', { modelData: ModelData.fromAsset(FIXTURE_PACKAGE) });
    const endpoint = new Endpoint(stack, 'Endpoint', { variants: [{ model }] });
    const monitoring = new EndpointMonitoring(stack, 'Monitoring', { endpoint });
    const t = template(stack);
    expect(Object.keys(monitoring.alarms).sort()).toEqual(['DiskUtilization', 'ErrorBudgetBurn', 'ErrorRate4xx', 'ErrorRate5xx', 'MemoryUtilization', 'P99ModelLatency']);
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: Match.stringLikeRegexp('P99ModelLatency.*-Warning$'), Threshold: 1_000_000, EvaluationPeriods: 3, AlarmActions: [{ Ref: Match.stringLikeRegexp('AlarmTopic') }], OKActions: Match.anyValue() });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: Match.stringLikeRegexp('ErrorRate5xx.*-Critical$'), Threshold: 5, AlarmDescription: Match.stringLikeRegexp('^\\[Critical\\]') });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: Match.stringLikeRegexp('DiskUtilization'), Threshold: 75 });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: Match.stringLikeRegexp('MemoryUtilization'), Threshold: 90 });
    t.hasResourceProperties('AWS::CloudWatch::CompositeAlarm', { AlarmActions: Match.anyValue(), OKActions: Match.anyValue() });
    expect(JSON.stringify(t.findResources('AWS::CloudWatch::CompositeAlarm'))).toMatch(/ALARM\(.*\) AND ALARM\(/);
    // burn rate: 5XX fraction / (1 - 0.999) > 14.4
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { Threshold: 14.4, Metrics: Match.arrayWith([Match.objectLike({ Expression: Match.stringLikeRegexp('\\* 1000(\\.0+\\d*)?$') })]) });
    t.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    // guardrail alarms notify too
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: Match.stringLikeRegexp('-5xx-rate$'), AlarmActions: Match.anyValue() });
  });

  test('thresholds are overridable; no-invocation alarm is opt-in and treats missing data as breaching', () => {
    const { stack } = newStack();
    const model = new Model(stack, 'Model', { modelData: ModelData.fromAsset(FIXTURE_PACKAGE) });
    const endpoint = new Endpoint(stack, 'Endpoint', { variants: [{ model }] });
    const topic = new sns.Topic(stack, 'Pager');
    new EndpointMonitoring(stack, 'Monitoring', { endpoint, alarmTopic: topic, thresholds: { maxP99LatencyMillis: 80, maxErrorRatePercent: 1, minInvocationsPer15Minutes: 10, maxDiskUtilizationPercent: 60 } });
    const t = template(stack);
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: Match.stringLikeRegexp('P99ModelLatency'), Threshold: 80_000 });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: Match.stringLikeRegexp('ErrorRate5xx'), Threshold: 1 });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: Match.stringLikeRegexp('NoInvocations'), Threshold: 10, ComparisonOperator: 'LessThanThreshold', TreatMissingData: 'breaching' });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: Match.stringLikeRegexp('DiskUtilization'), Threshold: 60 });
    expect(() => new EndpointMonitoring(stack, 'Bad', { endpoint, thresholds: { maxErrorRatePercent: 120, availabilitySloPercent: 100 } })).toThrow(/thresholds.maxErrorRatePercent: is out of range; received 120[\s\S]*thresholds.availabilitySloPercent: is out of range; received 100/);
  });

  test('the shared vocabulary: defaults 1000 ms and 5 %, severities as alarm-name suffixes, the same messages as every target', () => {
    const { stack } = newStack();
    const model = new Model(stack, 'Model', { modelData: ModelData.fromAsset(FIXTURE_PACKAGE) });
    const endpoint = new Endpoint(stack, 'Endpoint', { variants: [{ model }] });
    new EndpointMonitoring(stack, 'Monitoring', { endpoint });
    const t = template(stack);
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: Match.stringLikeRegexp('P99ModelLatency-[0-9A-F]+-Warning$'), Threshold: 1_000_000, AlarmDescription: Match.stringLikeRegexp('^\\[Warning\\]') });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: Match.stringLikeRegexp('ErrorRate5xx-[0-9A-F]+-Critical$'), Threshold: 5, AlarmDescription: Match.stringLikeRegexp('^\\[Critical\\]') });
    const e = errorOf(() => new EndpointMonitoring(stack, 'Bad', { endpoint, thresholds: { maxP99LatencyMillis: 1.5 } }), 'SS_ERR_AWS_MONITORING_INVALID');
    expect(e.issues).toEqual(Thresholds.validate(ThresholdGroup.SERVING, { maxP99LatencyMillis: 1.5 }, 'thresholds'));
  });

  test('async: backlog-without-capacity alarm; no Invocations-based alarms', () => {
    const { stack } = newStack();
    const model = new Model(stack, 'Model', { modelData: ModelData.fromAsset(FIXTURE_PACKAGE) });
    const endpoint = new Endpoint(stack, 'Endpoint', { variants: [{ model }], asyncInference: {} });
    const m = new EndpointMonitoring(stack, 'Monitoring', { endpoint, thresholds: { maxBacklogWithoutCapacity: Duration.minutes(7) } });
    expect(Object.keys(m.alarms)).toContain('BacklogWithoutCapacity');
    expect(Object.keys(m.alarms)).not.toContain('ErrorBudgetBurn');
    template(stack).hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'HasBacklogWithoutCapacity', EvaluationPeriods: 7, DatapointsToAlarm: 7, ComparisonOperator: 'GreaterThanOrEqualToThreshold', Threshold: 1 });
    expect(() => new EndpointMonitoring(stack, 'Bad', { endpoint, thresholds: { minInvocationsPer15Minutes: 1 } })).toThrow(/asynchronous endpoints publish no Invocations metric/);
  });

  test('dashboard: latency converted from µs, per-core/per-GPU note, runtime EMF metrics by catalogue name', () => {
    const { stack } = newStack();
    const model = new Model(stack, 'Model', { modelData: ModelData.fromAsset(FIXTURE_PACKAGE) });
    const endpoint = new Endpoint(stack, 'Endpoint', { variants: [{ model, instanceType: InstanceType.G5_XLARGE }] });
    new EndpointMonitoring(stack, 'Monitoring', { endpoint });
    const t = template(stack);
    const body = JSON.stringify(t.findResources('AWS::CloudWatch::Dashboard'));
    for (const metric of ['Invocations', 'Invocation5XXErrors', 'Invocation4XXErrors', 'ModelLatency', 'OverheadLatency', 'CPUUtilization', 'GPUUtilization', 'GPUMemoryUtilization', 'MemoryUtilization', 'DiskUtilization']) {
      expect(body).toContain(metric);
    }
    expect(body).toContain('/ 1000');
    expect(body).toContain('100 % per vCPU');
    expect(body).toContain('100 per GPU');
    expect(body).toContain('ServingStack/Runtime');
    for (const key of ['queueDuration', 'computeDuration', 'batchSize', 'queueDepth', 'rejected'] as const) expect(body).toContain(RUNTIME_METRICS[key].name);
    expect(body).toContain('\\"model\\",\\"fixture-classifier\\"');
  });
});

test('docs/monitoring.md lists the codes of the AWS monitoring constructs', () => {
  const doc = fs.readFileSync(path.join(__dirname, '../../../docs/monitoring.md'), 'utf8');
  for (const code of [AwsErrorCodes.MONITORING, AwsErrorCodes.MODEL_QUALITY]) expect(doc).toMatch(new RegExp(`^\\| \`${code}\` \\|`, 'm'));
});
