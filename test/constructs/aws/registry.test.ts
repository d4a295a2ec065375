import { Match } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  ApprovalRollout, ApprovalStatus, CapacitySize, DeploymentStrategy, Endpoint, LatestApprovedModelPackage, Model, ModelData, ModelPackage, ModelPackageGroup, TrafficShift,
} from '../../../constructs/aws';
import { toApiShape } from '../../../constructs/aws/private/api-shape';
import { FIXTURE_PACKAGE, newStack, onlyResource, statements, template } from './helpers';

describe('ModelPackageGroup', () => {
  test('GIVEN defaults THEN a group retained on deletion', () => {
    const { stack } = newStack();
    const group = new ModelPackageGroup(stack, 'Group', { description: 'fraud models' });
    const t = template(stack);
    t.hasResource('AWS::SageMaker::ModelPackageGroup', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain', Properties: { ModelPackageGroupName: group.modelPackageGroupName, ModelPackageGroupDescription: 'fraud models' } });
    expect(group.modelPackageGroupArn).toContain(':model-package-group/');
  });

  test('cross-account read: a resource policy for the accounts on the group and its versions', () => {
    const { stack } = newStack();
    new ModelPackageGroup(stack, 'Group', { modelPackageGroupName: 'fraud', crossAccountReadAccounts: ['210987654321'] });
    const group = onlyResource(template(stack), 'AWS::SageMaker::ModelPackageGroup');
    const policy = JSON.stringify(group.Properties.ModelPackageGroupPolicy);
    expect(policy).toContain('210987654321');
    expect(policy).toContain('sagemaker:DescribeModelPackage');
    expect(policy).toContain('model-package/fraud/*');
    expect(() => new ModelPackageGroup(stack, 'Bad', { crossAccountReadAccounts: ['12345'] })).toThrow(/crossAccountReadAccounts\[0\]: is not an AWS account ID; received "12345"; allowed: 12 digits/);
    expect(() => new ModelPackageGroup(stack, 'Bad2', { modelPackageGroupName: 'no_underscores' })).toThrow(/modelPackageGroupName: is not a valid SageMaker name/);
  });

  test('grantRead to a principal', () => {
    const { stack } = newStack();
    const group = ModelPackageGroup.fromModelPackageGroupName(stack, 'G', 'Fraud');
    const role = new iam.Role(stack, 'R', { assumedBy: new iam.AccountRootPrincipal() });
    group.grantRead(role);
    const st = statements(template(stack))[0];
    expect(st.Action).toEqual(['sagemaker:DescribeModelPackageGroup', 'sagemaker:DescribeModelPackage', 'sagemaker:ListModelPackages']);
    expect(JSON.stringify(st.Resource)).toContain('model-package/fraud/*');
  });
});

describe('ModelPackage', () => {
  test('GIVEN a package dir THEN a version with approval status, lineage metadata and retained on deletion', () => {
    const { stack } = newStack();
    const group = new ModelPackageGroup(stack, 'Group');
    new ModelPackage(stack, 'V', { group, modelData: ModelData.fromAsset(FIXTURE_PACKAGE), approvalStatus: ApprovalStatus.APPROVED });
    const t = template(stack);
    t.hasResource('AWS::SageMaker::ModelPackage', { DeletionPolicy: 'Retain', DependsOn: [Match.stringLikeRegexp('^Group')] });
    t.hasResourceProperties('AWS::SageMaker::ModelPackage', {
      ModelApprovalStatus: 'Approved',
      ModelPackageGroupName: group.modelPackageGroupName,
      ModelPackageDescription: 'Test fixture: a tiny ONNX classifier (MatMul + Softmax) matching its manifest.',
      MetadataProperties: { CommitId: '0123456789abcdef0123456789abcdef01234567', Repository: 'https://example.com/servingstack/fixture' },
      CustomerMetadataProperties: Match.objectLike({ 'servingstack:name': 'fixture-classifier', 'servingstack:version': '1.2.3', 'lineage:trainingData': 's3://example-bucket/data/train.csv', 'metric:accuracy': '0.97' }),
      InferenceSpecification: Match.objectLike({ Containers: [Match.objectLike({ ModelDataUrl: Match.stringLikeRegexp('\\.tar\\.gz$') })], SupportedContentTypes: ['application/json'] }),
    });
  });

  test('default status is PendingManualApproval; a prefix is rejected', () => {
    const { stack } = newStack();
    const group = new ModelPackageGroup(stack, 'Group');
    new ModelPackage(stack, 'V', { group, modelData: ModelData.fromAsset(FIXTURE_PACKAGE) });
    template(stack).hasResourceProperties('AWS::SageMaker::ModelPackage', { ModelApprovalStatus: 'PendingManualApproval' });
  });
});

describe('ApprovalRollout', () => {
  test('GIVEN an endpoint and a group THEN an EventBridge rule on approval status changes invokes a least-privilege bundled function', () => {
    const { stack } = newStack();
    const model = new Model(stack, 'Model', { modelData: ModelData.fromAsset(FIXTURE_PACKAGE) });
    const endpoint = new Endpoint(stack, 'Endpoint', {
      variants: [{ model, initialInstanceCount: 4 }],
      deployment: DeploymentStrategy.blueGreen({ trafficShift: TrafficShift.linear(CapacitySize.percent(25)) }),
    });
    const group = new ModelPackageGroup(stack, 'Group', { modelPackageGroupName: 'fixture' });
    const rollout = new ApprovalRollout(stack, 'Rollout', { endpoint, group });
    const t = template(stack);
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.sagemaker'], 'detail-type': ['SageMaker Model Package State Change'], detail: { ModelPackageGroupName: ['fixture'], ModelApprovalStatus: ['Approved', 'Rejected', 'PendingManualApproval'] } },
    });
    const fn = onlyResource(t, 'AWS::Lambda::Function');
    const env = (fn.Properties.Environment as { Variables: Record<string, string> }).Variables;
    expect(env.ENDPOINT_NAME).toBe(endpoint.endpointName);
    expect(env.MODEL_PACKAGE_GROUP_NAME).toBe('fixture');
    expect(env.ALARM_NAMES.split(',')).toEqual(JSON.parse(env.DEPLOYMENT_CONFIG).AutoRollbackConfiguration.Alarms.map((a: { AlarmName: string }) => a.AlarmName));
    expect(env.ALARM_NAMES).toMatch(/-5xx-rate,.*-p99-model-latency$/);
    const deployment = JSON.parse(env.DEPLOYMENT_CONFIG);
    expect(deployment.BlueGreenUpdatePolicy.TrafficRoutingConfiguration).toEqual({ Type: 'LINEAR', WaitIntervalInSeconds: 300, LinearStepSize: { Type: 'CAPACITY_PERCENT', Value: 25 } });
    expect(deployment.AutoRollbackConfiguration.Alarms).toHaveLength(2);
    expect(fn.Properties.Runtime).toBe('nodejs24.x');
    expect(fn.Properties.DeadLetterConfig).toBeDefined();
    const all = statements(t);
    const pass = all.find((s) => s.Action === 'iam:PassRole');
    expect(pass?.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } });
    expect(JSON.stringify(all)).not.toContain('"sagemaker:*"');
    t.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: Match.anyValue(), RetentionInDays: 365 });
    t.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: Match.anyValue() });
    expect(rollout.function.node.metadata.some((m) => JSON.stringify(m.data).includes('LambdaInsideVPC'))).toBe(true);
  });

  test('toApiShape turns the L1 shape into the SageMaker API shape', () => {
    expect(toApiShape({ blueGreenUpdatePolicy: { trafficRoutingConfiguration: { type: 'ALL_AT_ONCE' } }, autoRollbackConfiguration: { alarms: [{ alarmName: 'a' }] } }))
      .toEqual({ BlueGreenUpdatePolicy: { TrafficRoutingConfiguration: { Type: 'ALL_AT_ONCE' } }, AutoRollbackConfiguration: { Alarms: [{ AlarmName: 'a' }] } });
  });
});

describe('LatestApprovedModelPackage', () => {
  test('GIVEN a group THEN a deploy-time lookup (the rollout handler) feeds ModelPackageName and re-runs when the endpoint changes', () => {
    const build = (instanceCount: number): { props: Record<string, unknown>; lookupId: string; t: ReturnType<typeof template> } => {
      const { stack } = newStack();
      const group = ModelPackageGroup.fromModelPackageGroupName(stack, 'G', 'fraud');
      const latest = new LatestApprovedModelPackage(stack, 'Latest', { group, refreshToken: '2026-11-25' });
      const model = new Model(stack, 'M', { modelData: ModelData.fromModelPackage(latest) });
      new Endpoint(stack, 'E', { variants: [{ model, initialInstanceCount: instanceCount }] });
      const t = template(stack);
      const [lookupId, lookup] = Object.entries(t.findResources('Custom::ServingStackModelVersion'))[0] as [string, { Properties: Record<string, unknown> }];
      return { props: lookup.Properties, lookupId, t };
    };
    const one = build(1);
    expect(one.props).toMatchObject({ ModelPackageGroupName: 'fraud', RequireApproved: 'true', PinnedModelPackageArn: '', RefreshToken: '2026-11-25' });
    one.t.hasResourceProperties('AWS::SageMaker::Model', { PrimaryContainer: { ModelPackageName: { 'Fn::GetAtt': [one.lookupId, 'ModelPackageArn'] } } });
    // the model's role can read the group (DescribeModelPackage on its versions)
    expect(statements(one.t).some((s) => JSON.stringify(s.Resource).includes('model-package/fraud/*'))).toBe(true);
    // Same app, same fingerprint (deterministic synth); a change to the endpoint changes it, so
    // CloudFormation runs the lookup again before it touches the endpoint.
    expect(build(1).props.ServingFingerprint).toBe(one.props.ServingFingerprint);
    expect(build(2).props.ServingFingerprint).not.toBe(one.props.ServingFingerprint);
  });
});
