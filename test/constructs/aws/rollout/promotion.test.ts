/**
 * Promotion on AWS through several versions: a ServingEndpoint is synthesized, and the rollout
 * handler runs with the environment the template gives its function against an in-memory
 * SageMaker, while `servingstack register`'s logic registers versions 1…4. After every step the
 * test checks what the endpoint serves, and that every call the handler and the deploy-time lookup
 * made is allowed by the synthesized policies of their roles; the execution role can read each
 * registered version's archive key and nothing else in the registry bucket.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { mockClient } from 'aws-sdk-client-mock';
import { CapacitySize, DeploymentStrategy, InstanceType, ModelData, ServingEndpoint, TrafficShift } from '../../../../constructs/aws';
import { registerVersion, setApprovalStatus } from '../../../../constructs/aws/registry/register';
import { EndpointBusyError, LookupProperties, lookup, reconcile } from '../../../../constructs/aws/rollout/executor';
import { ROLLOUT_ENV, settingsFromEnv } from '../../../../constructs/aws/rollout/handler';
import { ServingStackError } from '../../../../lib/core/errors';
import { FIXTURE_PACKAGE, ENV, newStack } from '../helpers';
import { allows, logicalId, render, roleStatements } from '../iam-eval';
import { FakeAws } from './fake-aws';

const BUCKET = 'registry-bucket-example';

/** The fixture package with another manifest version (another archive). */
function packageVersion(work: string, version: string): string {
  const dir = path.join(work, version);
  fs.cpSync(FIXTURE_PACKAGE, dir, { recursive: true });
  const file = path.join(dir, 'servingstack.json');
  fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(fs.readFileSync(file, 'utf8')), version }, null, 2));
  return dir;
}

function synthesize(): { t: Template; env: Record<string, string>; lookupProps: LookupProperties; attrs: Record<string, string>; rolloutRole: string; lookupRole: string; modelRole: string; image: string } {
  const { stack } = newStack();
  new ServingEndpoint(stack, 'Fraud', {
    modelData: ModelData.fromAsset(FIXTURE_PACKAGE),
    variant: { instanceType: InstanceType.C6I_LARGE, initialInstanceCount: 2 },
    deployment: DeploymentStrategy.blueGreen({ trafficShift: TrafficShift.canary(CapacitySize.instances(1), Duration.minutes(10)) }),
  });
  const t = Template.fromStack(stack);
  const fn = Object.values(t.findResources('AWS::Lambda::Function')).find((f) => JSON.stringify(f).includes('ENDPOINT_NAME')) as { Properties: { Environment: { Variables: Record<string, unknown> }; Role: { 'Fn::GetAtt': [string, string] } } };
  const raw = fn.Properties.Environment.Variables;
  // Every variable the handler reads is set, as a literal the function receives as is.
  for (const k of ROLLOUT_ENV) expect(typeof raw[k]).toBe('string');
  const lookupId = logicalId(t, 'Custom::ServingStackModelVersion', /^FraudModelRegistryVersion/);
  const props = (t.findResources('Custom::ServingStackModelVersion')[lookupId] as { Properties: Record<string, unknown> }).Properties;
  const lookupFn = (t.findResources('AWS::Lambda::Function')[(props.ServiceToken as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0]] as { Properties: { Role: { 'Fn::GetAtt': [string] } } });
  const bucketId = logicalId(t, 'AWS::S3::Bucket', /^FraudRegistryArtifacts[0-9A-F]{8}$/);
  const modelRole = logicalId(t, 'AWS::IAM::Role', /^FraudModelRole/);
  const model = Object.values(t.findResources('AWS::SageMaker::Model'))[0] as { Properties: { PrimaryContainer: { Image: unknown } } };
  return {
    t,
    env: raw as Record<string, string>,
    lookupProps: { ModelPackageGroupName: String(props.ModelPackageGroupName), PinnedModelPackageArn: String(props.PinnedModelPackageArn), RequireApproved: String(props.RequireApproved), FallbackModelDataUrl: String(props.FallbackModelDataUrl) },
    attrs: { [`${bucketId}.Arn`]: `arn:aws:s3:::${BUCKET}`, [`${modelRole}.Arn`]: `arn:aws:iam::${ENV.account}:role/${modelRole}` },
    rolloutRole: fn.Properties.Role['Fn::GetAtt'][0],
    lookupRole: lookupFn.Properties.Role['Fn::GetAtt'][0],
    modelRole,
    image: render(model.Properties.PrimaryContainer.Image),
  };
}

/** The IAM action and resource ARN of one recorded SDK call. */
function requirements(call: { args: [{ constructor: { name: string }; input: Record<string, unknown> }] }): Array<[string, string]> {
  const name = call.args[0].constructor.name.replace(/Command$/, '');
  const i = call.args[0].input;
  const arn = (type: string, n: unknown): string => `arn:aws:sagemaker:${ENV.region}:${ENV.account}:${type}/${String(n).toLowerCase()}`;
  switch (name) {
    case 'ListModelPackages': return [['sagemaker:ListModelPackages', '*']];
    case 'DescribeModelPackage': return [['sagemaker:DescribeModelPackage', String(i.ModelPackageName)]];
    case 'DescribeEndpoint': return [['sagemaker:DescribeEndpoint', arn('endpoint', i.EndpointName)]];
    case 'DescribeEndpointConfig': return [['sagemaker:DescribeEndpointConfig', arn('endpoint-config', i.EndpointConfigName)]];
    case 'DescribeModel': return [['sagemaker:DescribeModel', arn('model', i.ModelName)]];
    case 'CreateModel': return [
      ['sagemaker:CreateModel', arn('model', i.ModelName)], ['sagemaker:AddTags', arn('model', i.ModelName)], ['iam:PassRole', String(i.ExecutionRoleArn)],
    ];
    case 'CreateEndpointConfig': return [['sagemaker:CreateEndpointConfig', arn('endpoint-config', i.EndpointConfigName)]];
    case 'UpdateEndpoint': return [['sagemaker:UpdateEndpoint', arn('endpoint', i.EndpointName)], ['sagemaker:UpdateEndpoint', arn('endpoint-config', i.EndpointConfigName)]];
    case 'DescribeAlarms': return (i.AlarmNames as string[]).map((n) => ['cloudwatch:DescribeAlarms', `arn:aws:cloudwatch:${ENV.region}:${ENV.account}:alarm:${n}`]);
    default: throw new Error(`unmapped call ${name}`);
  }
}

describe('promotion: version 1 → 2 → rollback → 3 (and 4) through the handler and the synthesized policies', () => {
  const s = synthesize();
  const settings = settingsFromEnv(s.env);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-promotion-'));
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  const fake = new FakeAws(ENV.account, ENV.region, settings.groupName, settings.endpointName, {
    model: 'FraudModel-cfn1', config: 'FraudEndpointConfig-cfn1', variant: 'AllTraffic', image: s.image, url: s.lookupProps.FallbackModelDataUrl as string, role: s.attrs[`${s.modelRole}.Arn`],
  });
  // Three callers, three clients: the user's CLI, the rollout function, the lookup function.
  const user = { s3: new S3Client({ region: ENV.region }), sagemaker: new SageMakerClient({ region: ENV.region }) };
  const handler = { sagemaker: new SageMakerClient({ region: ENV.region }), cloudwatch: new CloudWatchClient({ region: ENV.region }) };
  const lookupClient = new SageMakerClient({ region: ENV.region });
  const userSm = mockClient(user.sagemaker);
  const handlerSm = mockClient(handler.sagemaker);
  const handlerCw = mockClient(handler.cloudwatch);
  const lookupSm = mockClient(lookupClient);
  fake.install(userSm as never, mockClient(user.s3) as never);
  fake.install(handlerSm as never, undefined, handlerCw as never);
  fake.install(lookupSm as never);

  const register = (version: string): ReturnType<typeof registerVersion> =>
    registerVersion(user, { packageDir: version === '1.2.3' ? FIXTURE_PACKAGE : packageVersion(work, version), groupName: settings.groupName, bucket: BUCKET, imageUri: s.image });
  const onEvent = (n: number): ReturnType<typeof reconcile> => reconcile(handler, settings, fake.event(n), new Date(Date.UTC(2026, 11, 1, 10, 0, n)));

  test('before any approval, the deploy-time lookup serves the app\'s own archive', async () => {
    expect(await lookup(lookupClient, s.lookupProps)).toMatchObject({ Source: 'fallback', ModelDataUrl: s.lookupProps.FallbackModelDataUrl });
  });

  test('v1: registration uploads the archive into the registry bucket and waits for approval; approval rolls it out with the guardrails', async () => {
    const v1 = await register('1.2.3');
    expect(v1).toMatchObject({ created: true, modelPackageVersion: 1, approvalStatus: 'PendingManualApproval' });
    expect(v1.modelDataUrl).toBe(`s3://${BUCKET}/model-packages/${settings.groupName}/1.2.3/${v1.sha256}/model.tar.gz`);
    expect(fake.objects.get(`${BUCKET}/model-packages/${settings.groupName}/1.2.3/${v1.sha256}/model.tar.gz`)).toBe(v1.bytes);
    // registering the same archive again creates nothing
    expect(await register('1.2.3')).toMatchObject({ created: false, modelPackageArn: v1.modelPackageArn });
    expect(fake.versions).toHaveLength(1);
    // the registration event (pending) changes nothing
    expect(await onEvent(1)).toMatchObject({ status: 'skipped' });
    expect(fake.served).toBe(s.lookupProps.FallbackModelDataUrl);

    await setApprovalStatus(user.sagemaker, v1.modelPackageArn, 'Approved');
    expect(await onEvent(1)).toMatchObject({ status: 'updating', reason: 'promote', modelPackageArn: v1.modelPackageArn });
    expect(fake.served).toBe(v1.modelDataUrl);
    const update = fake.updates.at(-1)!;
    expect(update.retain).toBe(true);
    expect(update.deployment).toEqual(JSON.parse(s.env.DEPLOYMENT_CONFIG));
    // same image, role and environment as the model CloudFormation created: only the artifact changed
    const served = [...fake.models.values()].find((m) => m.url === v1.modelDataUrl)!;
    expect(served).toMatchObject({ image: s.image, role: s.attrs[`${s.modelRole}.Arn`], env: { SERVINGSTACK_EMF: 'true' } });
  });

  test('v2 pending does not deploy; approved, it rolls out; the lookup a later cdk deploy runs resolves it', async () => {
    const v2 = await register('1.2.4');
    expect(await onEvent(2)).toMatchObject({ status: 'skipped' });
    expect(await lookup(lookupClient, s.lookupProps)).toMatchObject({ ModelPackageVersion: '1' });
    await setApprovalStatus(user.sagemaker, v2.modelPackageArn, 'Approved');
    expect(await onEvent(2)).toMatchObject({ status: 'updating', reason: 'promote' });
    expect(fake.served).toBe(v2.modelDataUrl);
    expect(await lookup(lookupClient, s.lookupProps)).toMatchObject({ Source: 'newest-approved', ModelPackageVersion: '2', ModelDataUrl: v2.modelDataUrl });
  });

  test('rollback: rejecting the served v2 rolls back to v1; the lookup agrees', async () => {
    await setApprovalStatus(user.sagemaker, fake.version(2).arn, 'Rejected');
    expect(await onEvent(2)).toMatchObject({ status: 'updating', reason: 'rollback', modelPackageArn: fake.version(1).arn });
    expect(fake.served).toBe(fake.version(1).url);
    expect(await lookup(lookupClient, s.lookupProps)).toMatchObject({ ModelPackageVersion: '1' });
  });

  test('v3 rolls out; a later cdk deploy keeps v3; pending v4 never deploys; a firing guardrail holds v4 back until it clears', async () => {
    const v3 = await register('1.2.5');
    await setApprovalStatus(user.sagemaker, v3.modelPackageArn, 'Approved');
    expect(await onEvent(3)).toMatchObject({ status: 'updating', modelPackageArn: v3.modelPackageArn });
    expect(fake.served).toBe(v3.modelDataUrl);
    expect(await lookup(lookupClient, s.lookupProps)).toMatchObject({ ModelDataUrl: v3.modelDataUrl });

    const v4 = await register('1.2.6');
    expect(await onEvent(4)).toMatchObject({ status: 'skipped' });
    expect(await lookup(lookupClient, s.lookupProps)).toMatchObject({ ModelDataUrl: v3.modelDataUrl });
    await setApprovalStatus(user.sagemaker, v4.modelPackageArn, 'Approved');
    fake.alarmsFiring = [settings.alarmNames[0]];
    await expect(onEvent(4)).rejects.toBeInstanceOf(EndpointBusyError);
    expect(fake.served).toBe(v3.modelDataUrl);
    fake.alarmsFiring = [];
    fake.endpoint.status = 'Updating';
    await expect(onEvent(4)).rejects.toThrow(/Updating/);
    fake.endpoint.status = 'InService';
    expect(await onEvent(4)).toMatchObject({ status: 'updating' });
    expect(fake.served).toBe(v4.modelDataUrl);
  });

  test('an event of another group is refused with its own error code, before any call', async () => {
    const before = handlerSm.calls().length;
    const err = await reconcile(handler, settings, { ...fake.event(1), ModelPackageGroupName: 'someone-elses-model' }).catch((e: unknown) => e);
    expect(ServingStackError.isServingStackError(err) && err.code).toBe('SS_ERR_AWS_ROLLOUT_FOREIGN_GROUP');
    expect(String(err)).toContain(`detail.ModelPackageGroupName: is not the group this endpoint follows; received "someone-elses-model"; allowed: ${settings.groupName}`);
    expect(handlerSm.calls().length).toBe(before);
  });

  test('every call the handler made is allowed by the rollout role; every lookup call by the lookup role', () => {
    const rolloutStatements = roleStatements(s.t, s.rolloutRole);
    const calls = [...handlerSm.calls(), ...handlerCw.calls()] as unknown as Array<Parameters<typeof requirements>[0]>;
    expect(calls.length).toBeGreaterThan(20);
    const denied = calls.flatMap(requirements).filter(([action, resource]) => !allows(rolloutStatements, action, resource, s.attrs));
    expect(denied).toEqual([]);
    const lookupStatements = roleStatements(s.t, s.lookupRole);
    const lookupDenied = (lookupSm.calls() as unknown as Array<Parameters<typeof requirements>[0]>).flatMap(requirements).filter(([a, r]) => !allows(lookupStatements, a, r, s.attrs));
    expect(lookupDenied).toEqual([]);
    // and nothing that would let it change the registry
    expect(allows(rolloutStatements, 'sagemaker:UpdateModelPackage', fake.version(1).arn, s.attrs)).toBe(false);
  });

  test('the execution role reads every registered version\'s archive in the registry bucket, and nothing else there', () => {
    const exec = roleStatements(s.t, s.modelRole);
    for (const v of fake.versions) expect(allows(exec, 's3:GetObject', v.url.replace(/^s3:\/\//, 'arn:aws:s3:::'), s.attrs)).toBe(true);
    expect(fake.versions.map((v) => v.version)).toEqual([1, 2, 3, 4]);
    expect(allows(exec, 's3:GetObject', `arn:aws:s3:::${BUCKET}/model-packages/another-group/1.0.0/x/model.tar.gz`, s.attrs)).toBe(false);
    expect(allows(exec, 's3:GetObject', `arn:aws:s3:::${BUCKET}/capture/data.jsonl`, s.attrs)).toBe(false);
    expect(allows(exec, 's3:PutObject', fake.versions[0].url.replace(/^s3:\/\//, 'arn:aws:s3:::'), s.attrs)).toBe(false);
  });
});
