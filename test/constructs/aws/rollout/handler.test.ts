/**
 * The Lambda entry (CloudFormation custom resource answers, environment parsing) and the
 * `servingstack register` / `approve` commands end to end in-process, against the in-memory AWS.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { CustomResourceRequest, CustomResourceResponse, onCustomResource, settingsFromEnv } from '../../../../constructs/aws/rollout/handler';
import { runCli } from '../../../support/cli';
import { ENV, FIXTURE_PACKAGE } from '../helpers';
import { FakeAws } from './fake-aws';

const request = (props: Partial<CustomResourceRequest['ResourceProperties']>, type: CustomResourceRequest['RequestType'] = 'Create'): CustomResourceRequest => ({
  RequestType: type, ResponseURL: 'https://cfn-response.example/put', StackId: 'stack', RequestId: 'r1', LogicalResourceId: 'Lookup',
  ResourceProperties: { ModelPackageGroupName: 'fraud', RequireApproved: 'true', ...props },
});

describe('custom resource answers', () => {
  const client = new SageMakerClient({ region: ENV.region });
  const fake = new FakeAws(ENV.account, ENV.region, 'fraud', 'e', { model: 'm', config: 'c', variant: 'AllTraffic', image: 'img', url: 's3://seed.tar.gz', role: 'r' });
  fake.install(mockClient(client) as never);

  test('SUCCESS with the resolved version; FAILED with the reason CloudFormation shows; Delete answers without calls', async () => {
    const sent: CustomResourceResponse[] = [];
    const send = async (_url: string, body: CustomResourceResponse): Promise<void> => {
      sent.push(body);
    };
    await onCustomResource(request({ FallbackModelDataUrl: 's3://seed.tar.gz' }), client, send);
    expect(sent[0]).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'servingstack-lookup-Lookup', Data: { ModelDataUrl: 's3://seed.tar.gz', Source: 'fallback', ModelPackageArn: '' } });
    await onCustomResource(request({}), client, send);
    expect(sent[1]).toMatchObject({ Status: 'FAILED' });
    expect(sent[1].Reason).toMatch(/model package group fraud has no approved version to deploy\n.*ModelPackageGroupName: has no version with status Approved; received "fraud"/);
    await onCustomResource({ ...request({}, 'Delete'), PhysicalResourceId: 'servingstack-lookup-Lookup' }, client, send);
    expect(sent[2]).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'servingstack-lookup-Lookup' });
  });

  test('settingsFromEnv parses the construct environment', () => {
    expect(settingsFromEnv({ ENDPOINT_NAME: 'e', MODEL_PACKAGE_GROUP_NAME: 'g', VARIANT_NAMES: 'A,B', DEPLOYMENT_CONFIG: '{"RollingUpdatePolicy":{"MaximumBatchSize":{"Type":"INSTANCE_COUNT","Value":1},"WaitIntervalInSeconds":60}}', NAME_PREFIX: 'p', ALARM_NAMES: 'a-5xx,a-p99' }))
      .toEqual({ endpointName: 'e', groupName: 'g', variantNames: ['A', 'B'], namePrefix: 'p', alarmNames: ['a-5xx', 'a-p99'], deploymentConfig: { RollingUpdatePolicy: { MaximumBatchSize: { Type: 'INSTANCE_COUNT', Value: 1 }, WaitIntervalInSeconds: 60 } } });
    expect(() => settingsFromEnv({})).toThrow(/ENDPOINT_NAME is not set/);
  });
});

describe('servingstack register / approve', () => {
  const sm = mockClient(SageMakerClient);
  const s3 = mockClient(S3Client);
  let fake: FakeAws;
  beforeEach(() => {
    sm.reset();
    s3.reset();
    fake = new FakeAws(ENV.account, ENV.region, 'fraud', 'e', { model: 'm', config: 'c', variant: 'AllTraffic', image: 'img', url: 's3://seed.tar.gz', role: 'r' });
    fake.install(sm as never, s3 as never);
  });
  afterAll(() => {
    sm.restore();
    s3.restore();
  });

  test('registers with the lineage, writes the result for a pipeline, approves', async () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ss-register-')), 'version.json');
    const run = await runCli('register', FIXTURE_PACKAGE, '--group', 'fraud', '--bucket', 'reg', '--image', '123456789012.dkr.ecr.us-east-1.amazonaws.com/rt:1', '--region', ENV.region, '-o', out);
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^registered fixture-classifier 1\.2\.3 as version 1 \(PendingManualApproval\)/);
    const written = JSON.parse(fs.readFileSync(out, 'utf8'));
    expect(written).toMatchObject({ modelPackageVersion: 1, created: true, modelDataUrl: expect.stringMatching(/^s3:\/\/reg\/model-packages\/fraud\/1\.2\.3\/[0-9a-f]{64}\/model\.tar\.gz$/) });
    const create = sm.commandCalls((await import('@aws-sdk/client-sagemaker')).CreateModelPackageCommand)[0].args[0].input;
    expect(create.CustomerMetadataProperties).toMatchObject({ 'servingstack:name': 'fixture-classifier', 'servingstack:version': '1.2.3', 'metric:accuracy': '0.97', 'servingstack:sha256': written.sha256 });
    expect(create.MetadataProperties).toEqual({ CommitId: '0123456789abcdef0123456789abcdef01234567', Repository: 'https://example.com/servingstack/fixture' });
    const approve = await runCli('approve', written.modelPackageArn, '--region', ENV.region);
    expect(approve.stdout).toBe(`${written.modelPackageArn}: Approved\n`);
    expect(fake.version(1).status).toBe('Approved');
  });

  test('bad input: missing flags, a bad status, a manifest that disagrees with its model — each names field, value and what is allowed', async () => {
    const missing = await runCli('register', FIXTURE_PACKAGE, '--group', 'fraud', '--status', 'Maybe');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('SS_ERR_AWS_REGISTER_INVALID');
    expect(missing.stderr).toMatch(/--bucket: is required; received ""; allowed: the registry bucket name .*, or SERVINGSTACK_REGISTRY_BUCKET/);
    expect(missing.stderr).toMatch(/--status: is not an approval status; received "Maybe"; allowed: PendingManualApproval \| Approved \| Rejected/);

    const broken = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-broken-'));
    fs.cpSync(FIXTURE_PACKAGE, broken, { recursive: true });
    const manifest = JSON.parse(fs.readFileSync(path.join(broken, 'servingstack.json'), 'utf8'));
    manifest.signature.inputs[0].shape = [-1, 5];
    fs.writeFileSync(path.join(broken, 'servingstack.json'), JSON.stringify(manifest));
    const mismatch = await runCli('register', broken, '--group', 'fraud', '--bucket', 'reg', '--image', 'img', '--region', ENV.region);
    expect(mismatch.code).not.toBe(0);
    expect(mismatch.stderr).toContain('SS_ERR_SIGNATURE_MISMATCH');
    expect(mismatch.stderr).toMatch(/signature\.inputs\[0\]\.shape\[1\]/);
    expect(fake.versions).toHaveLength(0);
    expect(fake.objects.size).toBe(0);

    const other = await runCli('register', FIXTURE_PACKAGE, '--group', 'fraud', '--bucket', 'reg', '--image', 'img', '--model-name', 'fraud-model', '--region', ENV.region);
    expect(other.stderr).toMatch(/servingstack\.json name: is not the model this registry holds; received "fixture-classifier"; allowed: fraud-model/);
  });
});
