import * as path from 'node:path';
import { errorOf } from '../../support/errors';
import { Match } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { AwsErrorCodes, ModelData, ModelQualityMonitoring, RetrainingTarget, ServingEndpoint } from '../../../constructs/aws';
import { EMF_NAMESPACE } from '../../../lib/core/metrics-catalog';
import { FIXTURE_PACKAGE, newStack, onlyResource, statements, template } from './helpers';

/** The example breast-cancer package ships a baseline (servingstack baseline). */
const WITH_BASELINE = path.resolve(__dirname, '../../../examples/models/breast-cancer');

const alarmsOn = (t: ReturnType<typeof template>, metric: string): Record<string, { Properties: Record<string, unknown> }> =>
  t.findResources('AWS::CloudWatch::Alarm', { Properties: { Namespace: EMF_NAMESPACE, MetricName: metric } }) as Record<string, { Properties: Record<string, unknown> }>;

describe('model quality on the SageMaker blueprint', () => {
  test('GIVEN a package with a baseline THEN drift, accuracy, concept-drift and fairness alarms with the stated defaults, on the dashboard', () => {
    const { stack } = newStack();
    const serving = new ServingEndpoint(stack, 'Serving', { modelData: ModelData.fromAsset(WITH_BASELINE) });
    const t = template(stack);
    expect(serving.modelQuality).toBeDefined();
    const expectAlarm = (metric: string, comparison: string, threshold: number): void => {
      const found = Object.values(alarmsOn(t, metric));
      expect(found).toHaveLength(1);
      expect(found[0].Properties).toMatchObject({ ComparisonOperator: comparison, Threshold: threshold, Dimensions: [{ Name: 'model', Value: 'breast-cancer' }], TreatMissingData: 'notBreaching' });
    };
    expectAlarm('servingstack_drifted_features', 'GreaterThanOrEqualToThreshold', 1);
    expectAlarm('servingstack_model_accuracy', 'LessThanThreshold', 0.9);
    expectAlarm('servingstack_concept_drift_detections_total', 'GreaterThanOrEqualToThreshold', 1);
    expectAlarm('servingstack_fairness_disparate_impact_ratio', 'LessThanThreshold', 0.8);
    expectAlarm('servingstack_fairness_demographic_parity_difference', 'GreaterThanOrEqualToThreshold', 0.1);
    const dashboard = JSON.stringify(t.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboard).toContain('Model quality: breast-cancer');
    expect(dashboard).toContain('servingstack_drift_psi');
    expect(dashboard).toContain('\\"feature\\",\\"f0\\"'); // per-feature PSI from the package baseline
    // No retraining target: no rule on the quality alarms (the registry's approval rule is the only one).
    t.resourceCountIs('AWS::Events::Rule', 1);
  });

  test('GIVEN a SageMaker Pipeline retraining target THEN an EventBridge rule on the drift, accuracy and concept-drift alarms starts it with a least-privilege role', () => {
    const { stack } = newStack();
    new ServingEndpoint(stack, 'Serving', {
      modelData: ModelData.fromAsset(WITH_BASELINE),
      registry: { enabled: false },
      modelQuality: { retraining: RetrainingTarget.sageMakerPipeline('retrain-breast-cancer') },
    });
    const t = template(stack);
    const rules = Object.values(t.findResources('AWS::Events::Rule')) as { Properties: { EventPattern: { detail: { alarmName: string[]; state: unknown } }; Targets: { Arn: unknown; RoleArn: unknown }[] } }[];
    expect(rules).toHaveLength(1);
    const pattern = rules[0].Properties.EventPattern;
    expect(pattern.detail.state).toEqual({ value: ['ALARM'] });
    expect(pattern.detail.alarmName).toHaveLength(3);
    expect(pattern.detail.alarmName.join(' ')).toMatch(/DataDrift.*Accuracy.*ConceptDrift/);
    expect(JSON.stringify(rules[0].Properties.Targets[0].Arn)).toContain('AWS::Partition');
    expect(JSON.stringify(rules[0].Properties.Targets[0].Arn)).toContain(':pipeline/retrain-breast-cancer');
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [Match.objectLike({ Action: 'sagemaker:StartPipelineExecution', Resource: rules[0].Properties.Targets[0].Arn })] },
    });
    expect(JSON.stringify(t.toJSON())).not.toMatch(/arn:aws:/);
  });

  test('Step Functions and Lambda targets', () => {
    const { stack } = newStack();
    const machine = new sfn.StateMachine(stack, 'Retrain', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Start')) });
    new ModelQualityMonitoring(stack, 'Q1', { modelName: 'm', endpointName: 'e', retraining: RetrainingTarget.stepFunctions(machine) });
    const fn = new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {}') });
    new ModelQualityMonitoring(stack, 'Q2', { modelName: 'm', endpointName: 'e', retraining: RetrainingTarget.lambda(fn) });
    const t = template(stack);
    const targets = Object.values(t.findResources('AWS::Events::Rule')).map((r) => JSON.stringify((r as { Properties: { Targets: unknown } }).Properties.Targets));
    expect(targets.some((x) => x.includes('RetrainE'))).toBe(true); // the state machine
    expect(targets.some((x) => x.includes('Fn9270CBC0'))).toBe(true); // the function
    t.hasResourceProperties('AWS::Lambda::Permission', { Principal: 'events.amazonaws.com' });
  });

  test('thresholds are overridable and validated at synth, naming the field', () => {
    const { stack } = newStack();
    new ModelQualityMonitoring(stack, 'Q', { modelName: 'm', endpointName: 'e', thresholds: { minAccuracy: 0.97, maxDriftedFeatures: 3 } });
    const t = template(stack);
    expect(Object.values(alarmsOn(t, 'servingstack_model_accuracy'))[0].Properties.Threshold).toBe(0.97);
    expect(Object.values(alarmsOn(t, 'servingstack_drifted_features'))[0].Properties.Threshold).toBe(3);
    expect(errorOf(() => new ModelQualityMonitoring(stack, 'Bad2', { modelName: 'm', endpointName: 'e', thresholds: { minAccuracy: 1.5 } })).code).toBe('SS_ERR_AWS_MODEL_QUALITY_INVALID');
    expect(() => new ModelQualityMonitoring(stack, 'Bad', { modelName: 'm', endpointName: 'e', thresholds: { minAccuracy: 1.5, maxDriftedFeatures: 0 } })).toThrow(
      /thresholds.maxDriftedFeatures: is out of range; received 0[\s\S]*thresholds.minAccuracy: is out of range; received 1.5; allowed: a number from 0 to 1/,
    );
  });

  test('a package without a baseline gets no model-quality alarms; forcing them without a known manifest fails naming the field', () => {
    const { stack } = newStack();
    const plain = new ServingEndpoint(stack, 'Plain', { modelData: ModelData.fromAsset(FIXTURE_PACKAGE), registry: { enabled: false } });
    expect(plain.modelQuality).toBeUndefined();
    expect(Object.keys(alarmsOn(template(stack), 'servingstack_drifted_features'))).toHaveLength(0);
    const { stack: s2 } = newStack('S2');
    expect(() => new ServingEndpoint(s2, 'S3', { modelData: ModelData.fromS3(s3.Bucket.fromBucketName(s2, 'Models', 'models-bucket'), 'models/m.tar.gz'), registry: { enabled: false }, modelQuality: { enabled: true } })).toThrow(/modelQuality.enabled: needs a model package whose manifest is known at synth/);
  });

  test('labels through /invocations: the model reads a generated, KMS-encrypted, retained key from Secrets Manager, and only that secret', () => {
    const { stack } = newStack();
    const serving = new ServingEndpoint(stack, 'Serving', { modelData: ModelData.fromAsset(WITH_BASELINE), registry: { enabled: false } });
    const t = template(stack);
    const secrets = t.findResources('AWS::SecretsManager::Secret');
    expect(Object.keys(secrets)).toHaveLength(1);
    const [secretId, secret] = Object.entries(secrets)[0] as [string, { DeletionPolicy: string; Properties: { KmsKeyId: unknown; GenerateSecretString: { PasswordLength: number; ExcludePunctuation: boolean } } }];
    expect(secret.DeletionPolicy).toBe('Retain');
    expect(secret.Properties.GenerateSecretString).toMatchObject({ PasswordLength: 64, ExcludePunctuation: true });
    const keyId = (secret.Properties.KmsKeyId as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    t.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', Properties: Match.objectLike({ EnableKeyRotation: true }) });
    // The runtime gets the secret's ARN (the Ref of a secret), never its value.
    const env = (onlyResource(t, 'AWS::SageMaker::Model').Properties.PrimaryContainer as { Environment: Record<string, unknown> }).Environment;
    expect(env.SERVINGSTACK_FEEDBACK_KEY_SECRET_ARN).toEqual({ Ref: secretId });
    // The execution role may read that secret, and decrypt with its key only through Secrets Manager.
    const all = statements(t);
    const read = all.filter((st) => JSON.stringify(st.Action).includes('secretsmanager:GetSecretValue'));
    expect(read).toHaveLength(1);
    expect(read[0].Resource).toEqual({ Ref: secretId });
    // The key policy lets the model role decrypt, only through Secrets Manager.
    const keyPolicy = (t.toJSON().Resources[keyId].Properties.KeyPolicy as { Statement: Array<{ Action: unknown; Principal: unknown; Condition?: unknown }> }).Statement;
    const roleId = (onlyResource(t, 'AWS::SageMaker::Model').Properties.ExecutionRoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const decrypt = keyPolicy.filter((st) => JSON.stringify(st.Principal).includes(roleId));
    expect(decrypt).toEqual([expect.objectContaining({ Action: 'kms:Decrypt', Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } } })]);
    expect(serving.feedbackKey).toBeDefined();
  });

  test('a key of your own is used as given; no monitoring, no key', () => {
    const { stack } = newStack();
    const own = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Own', 'arn:aws:secretsmanager:us-east-1:123456789012:secret:shared/feedback-AbCdEf');
    new ServingEndpoint(stack, 'Serving', { modelData: ModelData.fromAsset(WITH_BASELINE), registry: { enabled: false }, modelQuality: { feedbackKey: own } });
    const t = template(stack);
    t.resourceCountIs('AWS::SecretsManager::Secret', 0);
    const env = (onlyResource(t, 'AWS::SageMaker::Model').Properties.PrimaryContainer as { Environment: Record<string, unknown> }).Environment;
    expect(env.SERVINGSTACK_FEEDBACK_KEY_SECRET_ARN).toBe(own.secretArn);
    expect(statements(t).find((st) => JSON.stringify(st.Action).includes('secretsmanager:GetSecretValue'))?.Resource).toBe(own.secretArn);

    const { stack: s2 } = newStack('S2');
    new ServingEndpoint(s2, 'Plain', { modelData: ModelData.fromAsset(FIXTURE_PACKAGE), registry: { enabled: false } });
    const t2 = template(s2);
    t2.resourceCountIs('AWS::SecretsManager::Secret', 0);
    expect(JSON.stringify(t2.toJSON())).not.toMatch(/SERVINGSTACK_FEEDBACK_KEY/);
  });

  test('an isolated container gets no key (it cannot call Secrets Manager), and binding one by hand fails naming networkIsolation', () => {
    const { stack } = newStack();
    const serving = new ServingEndpoint(stack, 'Serving', { modelData: ModelData.fromAsset(WITH_BASELINE), registry: { enabled: false }, model: { networkIsolation: true } });
    expect(serving.modelQuality).toBeDefined();
    expect(serving.feedbackKey).toBeUndefined();
    template(stack).resourceCountIs('AWS::SecretsManager::Secret', 0);
    const own = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Own', 'arn:aws:secretsmanager:us-east-1:123456789012:secret:shared/feedback-AbCdEf');
    const e = errorOf(() => serving.models[0].useFeedbackKey(own));
    expect(e.code).toBe(AwsErrorCodes.MODEL_NETWORK);
    expect(e.issues[0]).toMatchObject({ field: 'networkIsolation', received: true });
  });
});
