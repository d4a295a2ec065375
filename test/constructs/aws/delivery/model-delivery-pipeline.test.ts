/**
 * ModelDeliveryPipeline: the stages and their order, what the build and the integration test run,
 * the stages pinned to the registered version (staging may serve it pending, production only
 * approved), no model archive in the cloud assembly, and the bad inputs.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ApprovalGate, ModelDeliveryPipeline, ModelRegistry, PipelineSource, ServingStage } from '../../../../constructs/aws';
import { ServingStackError } from '../../../../lib/core/errors';
import { ENV } from '../helpers';

const MODEL_VERSION_CONTEXT = ModelDeliveryPipeline.MODEL_VERSION_CONTEXT;

const VERSION = 'arn:aws:sagemaker:us-east-1:123456789012:model-package/fraud/7';
const SOURCE = (): PipelineSource => PipelineSource.connection('org/fraud', 'main', { connectionArn: 'arn:aws:codeconnections:us-east-1:123456789012:connection/abc' });

function build(options: { approval?: ApprovalGate; context?: boolean; holdout?: boolean } = {}): { app: App; stack: Stack; delivery: ModelDeliveryPipeline } {
  const app = new App({ context: options.context === false ? {} : { [MODEL_VERSION_CONTEXT]: VERSION } });
  const stack = new Stack(app, 'Delivery', { env: ENV });
  const registry = new ModelRegistry(stack, 'Registry', { modelPackageGroupName: 'fraud', artifactBucketName: 'fraud-registry-123456789012' });
  const delivery = new ModelDeliveryPipeline(stack, 'Delivery', {
    source: SOURCE(),
    modelPackageDirectory: 'models/fraud',
    registry,
    approval: 'approval' in options ? (options.approval as ApprovalGate) : ApprovalGate.manual(),
    production: [{ stageName: 'ProdA', env: { account: '210987654321', region: 'us-east-1' } }, { stageName: 'ProdB', env: { account: '310987654321', region: 'us-east-1' } }],
    integrationTest: options.holdout === false ? undefined : { maxP99Latency: Duration.millis(250), holdoutFile: 'data/holdout.csv' },
  });
  return { app, stack, delivery };
}

/** The build commands of a CodeBuild project (its inline buildspec, parsed). */
function buildspec(t: Template, idPrefix: RegExp): string {
  const project = Object.entries(t.findResources('AWS::CodeBuild::Project')).find(([id]) => idPrefix.test(id));
  if (!project) throw new Error(`no CodeBuild project ${idPrefix}`);
  const spec = (project[1] as { Properties: { Source: { BuildSpec: unknown } } }).Properties.Source.BuildSpec;
  const text = typeof spec === 'string' ? spec : (spec as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1].map((p) => (typeof p === 'string' ? p : '<token>')).join('');
  const phases = (JSON.parse(text) as { phases: Record<string, { commands: string[] }> }).phases;
  return Object.values(phases).flatMap((p) => p.commands).join('\n');
}

describe('ModelDeliveryPipeline', () => {
  const { app, stack, delivery } = build();
  const t = Template.fromStack(stack);
  const asm = app.synth();

  test('stages in order: source, build, self-mutation, assets, staging (+ integration test), production behind the gate', () => {
    const pipeline = Object.values(t.findResources('AWS::CodePipeline::Pipeline'))[0] as { Properties: { Stages: Array<{ Name: string; Actions: Array<{ Name: string; RunOrder: number; ActionTypeId: { Category: string; Provider: string } }> }> } };
    const stages = pipeline.Properties.Stages;
    expect(stages.map((s) => s.Name)).toEqual(['Source', 'Build', 'UpdatePipeline', 'Assets', 'Staging', 'Production']);
    const staging = stages[4].Actions;
    const test = staging.find((a) => a.Name === 'IntegrationTest')!;
    expect(Math.max(...staging.filter((a) => a.Name !== 'IntegrationTest').map((a) => a.RunOrder))).toBeLessThan(test.RunOrder);
    const prod = stages[5].Actions;
    const approve = prod.find((a) => a.ActionTypeId.Category === 'Approval')!;
    const mark = prod.find((a) => a.Name === 'ProductionGateMarkApproved')!;
    const deploys = prod.filter((a) => a.ActionTypeId.Provider === 'CloudFormation');
    expect(deploys.length).toBe(4); // prepare + deploy for ProdA and ProdB
    expect(approve.RunOrder).toBeLessThan(mark.RunOrder);
    for (const d of deploys) expect(mark.RunOrder).toBeLessThan(d.RunOrder);
  });

  test('the build tests, packages (servingstack package) and registers the version, and pins the synth to it', () => {
    const spec = buildspec(t, /Build/);
    expect(spec).toContain('npm ci');
    expect(spec).toContain('npm test');
    expect(spec).toContain('npx servingstack package models/fraud -o model.tar.gz');
    expect(spec).toContain('npx servingstack register models/fraud -o model-version.json');
    expect(spec).toContain(`npx cdk synth -c ${MODEL_VERSION_CONTEXT}=`);
    t.hasResourceProperties('AWS::CodeBuild::Project', { Environment: Match.objectLike({ EnvironmentVariables: Match.arrayWith([
      { Name: 'SERVINGSTACK_REGISTRY_GROUP', Type: 'PLAINTEXT', Value: 'fraud' },
      { Name: 'SERVINGSTACK_REGISTRY_BUCKET', Type: 'PLAINTEXT', Value: 'fraud-registry-123456789012' },
      Match.objectLike({ Name: 'SERVINGSTACK_REGISTRY_IMAGE' }),
    ]) }) });
  });

  test('the post-deploy integration test invokes the staging endpoint with the package, p99 and holdout checks', () => {
    const spec = buildspec(t, /IntegrationTest/);
    expect(spec).toContain('npx servingstack endpoint-test models/fraud --endpoint "$ENDPOINT_NAME" --requests 50 --max-p99-ms 250 --holdout data/holdout.csv --label-column label --accuracy-tolerance 0.02');
    const invoke = Object.values(t.findResources('AWS::IAM::Policy')).flatMap((p) => (p as { Properties: { PolicyDocument: { Statement: Array<{ Action: unknown; Resource: unknown }> } } }).Properties.PolicyDocument.Statement).find((s) => s.Action === 'sagemaker:InvokeEndpoint');
    expect(JSON.stringify(invoke?.Resource)).toContain(`:endpoint/${delivery.staging.endpointName.toLowerCase()}`);
  });

  test('stages are pinned to the registered version: staging takes it pending, production only approved; no approval events in stages', () => {
    const staging = Template.fromStack(delivery.staging.stack);
    staging.hasResourceProperties('Custom::ServingStackModelVersion', { PinnedModelPackageArn: VERSION, RequireApproved: 'false' });
    for (const prod of delivery.production) Template.fromStack(prod.stack).hasResourceProperties('Custom::ServingStackModelVersion', { PinnedModelPackageArn: VERSION, RequireApproved: 'true' });
    staging.resourceCountIs('AWS::Events::Rule', 0);
    expect(delivery.production.map((s) => s.stack.account)).toEqual(['210987654321', '310987654321']);
  });

  test('model artifacts travel as S3 references: no archive or model file in the cloud assembly', () => {
    const files: string[] = [];
    const walk = (d: string): void => fs.readdirSync(d, { withFileTypes: true }).forEach((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : files.push(e.name)));
    walk(asm.directory);
    expect(files.filter((f) => /\.(tar\.gz|onnx)$/.test(f))).toEqual([]);
    expect(delivery.modelPackageArn).toBe(VERSION);
  });

  test('a registry gate waits for the version to be approved in SageMaker; each added wave has its own gate', () => {
    const { stack: s2, delivery: d2 } = build({ approval: ApprovalGate.registry({ timeout: Duration.hours(2) }) });
    d2.addProductionWave('ProductionEu', [{ stageName: 'ProdC', env: { account: '410987654321', region: 'us-east-1' } }]);
    const t2 = Template.fromStack(s2);
    const spec = buildspec(t2, /AwaitRegistryApproval/);
    expect(spec).toContain('describe-model-package');
    expect(spec).toMatch(/Approved\) exit 0;; Rejected\) exit 1;;/);
    t2.hasResourceProperties('AWS::CodeBuild::Project', { TimeoutInMinutes: 120 });
    const pipeline = Object.values(t2.findResources('AWS::CodePipeline::Pipeline'))[0] as { Properties: { Stages: Array<{ Name: string; Actions: Array<{ Name: string }> }> } };
    // a one-stage wave is rendered as that stage
    expect(pipeline.Properties.Stages.map((x) => x.Name)).toEqual(expect.arrayContaining(['Production', 'ProdC']));
    expect(pipeline.Properties.Stages.find((x) => x.Name === 'ProdC')!.Actions.some((a) => /AwaitRegistryApproval/.test(a.Name))).toBe(true);
  });

  test('without the context (a local synth) the stages serve the newest approved version', () => {
    const { delivery: d3 } = build({ context: false });
    Template.fromStack(d3.staging.stack).hasResourceProperties('Custom::ServingStackModelVersion', { PinnedModelPackageArn: '' });
  });
});

describe('ModelDeliveryPipeline bad input', () => {
  const codeOf = (fn: () => unknown): string | undefined => {
    try {
      fn();
    } catch (e) {
      return ServingStackError.isServingStackError(e) ? e.code : String(e);
    }
    return undefined;
  };

  test('no approval gate in front of production fails synth', () => {
    expect(codeOf(() => build({ approval: undefined }))).toBe('SS_ERR_AWS_PIPELINE_APPROVAL_MISSING');
    expect(() => build({ approval: null as unknown as ApprovalGate })).toThrow(/approval: is required: only approved model versions reach production; received null; allowed: ApprovalGate\.manual\(\) \| ApprovalGate\.registry\(\)/);
  });

  test('a stage added behind staging without the gate fails synth', () => {
    const { app, delivery } = build();
    delivery.pipeline.addStage(new ServingStage(delivery, 'Sneaky', { modelPackageGroupName: 'fraud', artifactBucketName: 'fraud-registry-123456789012', requireApproved: false }));
    expect(() => app.synth()).toThrow(/SS_ERR|stage Sneaky deploys after staging without an approval gate/);
    expect(() => app.synth()).toThrow(/waves\.Sneaky\.pre: has no approval gate in front of this stage/);
  });

  test('a registry bucket without a literal name, a production region without the registry, duplicate stage names', () => {
    const app = new App();
    const stack = new Stack(app, 'S', { env: ENV });
    const registry = new ModelRegistry(stack, 'Registry', { modelPackageGroupName: 'fraud' });
    expect(() => new ModelDeliveryPipeline(stack, 'D', {
      source: SOURCE(), modelPackageDirectory: '../outside', registry, approval: ApprovalGate.manual(),
      production: [{ stageName: 'Prod', env: { account: '210987654321', region: 'eu-west-1' } }, { stageName: 'Prod' }],
    })).toThrow(/SS_ERR_AWS_PIPELINE_INVALID|ModelDeliveryPipeline at S\/D is invalid/);
    try {
      new ModelDeliveryPipeline(stack, 'D2', { source: SOURCE(), modelPackageDirectory: '../outside', registry, approval: ApprovalGate.manual(), production: [{ stageName: 'Prod', env: { account: '210987654321', region: 'eu-west-1' } }, { stageName: 'Prod' }] });
    } catch (e) {
      const msg = String((e as Error).message);
      expect(ServingStackError.isServingStackError(e) && e.code).toBe('SS_ERR_AWS_PIPELINE_INVALID');
      expect(msg).toMatch(/registry\.artifactBucket: has a name known only at deploy time/);
      expect(msg).toMatch(/modelPackageDirectory: must be a path inside the repository; received "\.\.\/outside"/);
      expect(msg).toMatch(/production\[0\]\.env\.region: is not the region of the registry bucket .*; received "eu-west-1"; allowed: us-east-1/);
      expect(msg).toMatch(/production\[\]\.stageName: must be unique and not Staging; received \["Prod","Prod"\]/);
    }
  });
});
