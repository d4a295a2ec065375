import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { Severity } from '../../lib/core/contract/severity';
import { ModelQualityThresholds, ThresholdGroup, Thresholds } from '../../lib/core/contract/thresholds';
import { EMF_NAMESPACE, RUNTIME_METRICS } from '../../lib/core/metrics-catalog';
import { AlarmDefinition, alarmNameOf, createAlarm } from './private/alarm-table';
import { AwsErrorCodes } from './errors';
import { Checker } from './private/errors';

/**
 * What a model-quality alarm starts when it fires: a SageMaker Pipeline, a Step Functions state
 * machine or a Lambda function of your choosing. The event it receives is EventBridge's
 * `CloudWatch Alarm State Change` (alarm name, reason, the metric).
 */
export class RetrainingTarget {
  /** Start an execution of a SageMaker Pipeline (by name, in this stack's account and region). */
  public static sageMakerPipeline(pipelineName: string): RetrainingTarget {
    return new RetrainingTarget('SageMaker Pipeline', (scope) => {
      const arn = Stack.of(scope).formatArn({ service: 'sagemaker', resource: 'pipeline', resourceName: pipelineName.toLowerCase(), arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
      const role = new iam.Role(scope, 'RetrainingRole', {
        assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
        description: `Starts the retraining pipeline ${pipelineName} when a model-quality alarm fires`,
      });
      role.addToPolicy(new iam.PolicyStatement({ actions: ['sagemaker:StartPipelineExecution'], resources: [arn] }));
      return { bind: () => ({ arn, role }) };
    });
  }

  /** Start an execution of a Step Functions state machine. */
  public static stepFunctions(stateMachine: sfn.IStateMachine): RetrainingTarget {
    return new RetrainingTarget('Step Functions state machine', () => new targets.SfnStateMachine(stateMachine));
  }

  /** Invoke a Lambda function. */
  public static lambda(fn: lambda.IFunction): RetrainingTarget {
    return new RetrainingTarget('Lambda function', () => new targets.LambdaFunction(fn));
  }

  private constructor(
    /** What kind of target this is (for descriptions). */
    public readonly kind: string,
    private readonly make: (scope: Construct) => events.IRuleTarget,
  ) {}

  /** @internal */
  public _bind(scope: Construct): events.IRuleTarget {
    return this.make(scope);
  }
}

/** The model-quality thresholds are the shared vocabulary (lib/core), the same on every target. */
export type { ModelQualityThresholds };

/** Properties of {@link ModelQualityMonitoring}. */
export interface ModelQualityMonitoringProps {
  /** Model name in the runtime's EMF metrics (dimension `model`): the manifest's name. */
  readonly modelName: string;
  /** Endpoint name, for alarm descriptions. */
  readonly endpointName: string;
  /**
   * Topic notified on ALARM and OK.
   * @default - no notification (alarms still show on the dashboard and trigger retraining)
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * Alarm thresholds (the shared vocabulary, docs/monitoring.md).
   * @default - the vocabulary's defaults: 1 drifted feature, accuracy 0.9, 1 concept-drift detection per 15 minutes, disparate impact 0.8, demographic parity difference 0.1
   */
  readonly thresholds?: ModelQualityThresholds;
  /**
   * Started when the drift, accuracy or concept-drift alarm fires.
   * @default - no retraining trigger
   */
  readonly retraining?: RetrainingTarget;
  /**
   * Features drawn on the dashboard (per-feature PSI).
   * @default - none (the drifted-feature count is always drawn)
   */
  readonly features?: readonly string[];
  /**
   * Dashboard the widgets are added to.
   * @default - no widgets
   */
  readonly dashboard?: cw.Dashboard;
}

interface QualityAlarm extends Omit<AlarmDefinition, 'treatMissingData'> {
  readonly retrains: boolean;
}

/**
 * Alarms and dashboard widgets on the runtime's model monitoring (drift, accuracy, concept drift,
 * fairness, read from its EMF output), and the retraining trigger: an EventBridge rule on the
 * alarms' state changes that starts the target of your choosing.
 */
export class ModelQualityMonitoring extends Construct {
  /** Alarms by id (`DataDrift`, `Accuracy`, `ConceptDrift`, `DisparateImpact`, `DemographicParity`). */
  public readonly alarms: { readonly [id: string]: cw.Alarm };
  private readonly alarmsById: Record<string, cw.Alarm> = {};
  /** The retraining rule, when a target is given. */
  public readonly retrainingRule?: events.Rule;

  constructor(scope: Construct, id: string, props: ModelQualityMonitoringProps) {
    super(scope, id);
    this.alarms = this.alarmsById;
    const checker = new Checker(this, 'ModelQualityMonitoring', AwsErrorCodes.MODEL_QUALITY);
    checker.addAll(Thresholds.validate(ThresholdGroup.MODEL_QUALITY, props.thresholds, 'thresholds', (v) => checker.isUnresolved(v)));
    checker.check(props.modelName.length > 0, { field: 'modelName', message: 'is empty', received: props.modelName, allowed: "the model's manifest name" });
    checker.throwIfAny();
    const t = Thresholds.resolveModelQuality(props.thresholds);
    const severity = (name: string): Severity => Thresholds.severityOf(ThresholdGroup.MODEL_QUALITY, name);

    const metric = (key: keyof typeof RUNTIME_METRICS, statistic: string, period: Duration, extra: Record<string, string> = {}): cw.Metric =>
      new cw.Metric({ namespace: EMF_NAMESPACE, metricName: RUNTIME_METRICS[key].name, dimensionsMap: { model: props.modelName, ...extra }, statistic, period });
    const fiveMinutes = Duration.minutes(5);
    const table: QualityAlarm[] = [
      {
        id: 'DataDrift', severity: severity('maxDriftedFeatures'), retrains: true,
        description: `${t.maxDriftedFeatures} or more input features drifted from the baseline in 2 of 3 five-minute periods`,
        metric: () => metric('driftedFeatures', 'Maximum', fiveMinutes), threshold: t.maxDriftedFeatures,
        comparison: cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD, evaluationPeriods: 3, datapointsToAlarm: 2,
      },
      {
        id: 'Accuracy', severity: severity('minAccuracy'), retrains: true,
        description: `rolling accuracy over labelled rows below ${t.minAccuracy}`,
        metric: () => metric('modelAccuracy', 'Minimum', fiveMinutes), threshold: t.minAccuracy,
        comparison: cw.ComparisonOperator.LESS_THAN_THRESHOLD, evaluationPeriods: 2, datapointsToAlarm: 2,
      },
      {
        id: 'ConceptDrift', severity: severity('maxConceptDriftDetectionsPer15Minutes'), retrains: true,
        description: 'a change detector on the error stream (Page–Hinkley, DDM) fired',
        metric: () => metric('conceptDrift', 'Sum', Duration.minutes(15)), threshold: t.maxConceptDriftDetectionsPer15Minutes,
        comparison: cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD, evaluationPeriods: 1, datapointsToAlarm: 1,
      },
      {
        id: 'DisparateImpact', severity: severity('minDisparateImpactRatio'), retrains: false,
        description: `disparate impact ratio below ${t.minDisparateImpactRatio} (four-fifths rule)`,
        metric: () => metric('fairnessDisparateImpactRatio', 'Minimum', fiveMinutes), threshold: t.minDisparateImpactRatio,
        comparison: cw.ComparisonOperator.LESS_THAN_THRESHOLD, evaluationPeriods: 3, datapointsToAlarm: 2,
      },
      {
        id: 'DemographicParity', severity: severity('maxDemographicParityDifference'), retrains: false,
        description: `demographic parity difference at or above ${t.maxDemographicParityDifference}`,
        metric: () => metric('fairnessDemographicParityDifference', 'Maximum', fiveMinutes), threshold: t.maxDemographicParityDifference,
        comparison: cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD, evaluationPeriods: 3, datapointsToAlarm: 2,
      },
    ];
    const action = props.alarmTopic ? new cwActions.SnsAction(props.alarmTopic) : undefined;
    for (const def of table) {
      const retrains = def.retrains && props.retraining ? `; starts the retraining ${props.retraining.kind}` : '';
      // No traffic or no labels is not a quality problem.
      const row: AlarmDefinition = { ...def, description: `${def.description}${retrains}`, treatMissingData: cw.TreatMissingData.NOT_BREACHING };
      this.alarmsById[def.id] = createAlarm(this, row, `${props.endpointName} model ${props.modelName}`, action);
    }

    if (props.retraining) {
      const retraining = table.filter((d) => d.retrains).map((d) => alarmNameOf(this, d));
      this.retrainingRule = new events.Rule(this, 'RetrainOnAlarm', {
        description: `Retrain ${props.modelName} when a drift, accuracy or concept-drift alarm fires`,
        eventPattern: {
          source: ['aws.cloudwatch'],
          detailType: ['CloudWatch Alarm State Change'],
          detail: { alarmName: retraining, state: { value: ['ALARM'] } },
        },
      });
      this.retrainingRule.addTarget(props.retraining._bind(this));
    }

    if (props.dashboard) {
      const features = props.features ?? [];
      props.dashboard.addWidgets(
        new cw.TextWidget({
          markdown: `## Model quality: ${props.modelName}\nDrift against the package baseline (PSI, JS divergence log2), accuracy from late labels, fairness. Thresholds: the baseline's calibrated values in the runtime; alarms at ${t.maxDriftedFeatures}+ drifted features, accuracy < ${t.minAccuracy}, disparate impact < ${t.minDisparateImpactRatio}.${props.retraining ? ` Retraining: ${props.retraining.kind}.` : ''}`,
          width: 24,
          height: 2,
        }),
        new cw.GraphWidget({
          title: 'Drifted features / PSI per feature',
          left: [metric('driftedFeatures', 'Maximum', fiveMinutes).with({ label: 'drifted features' })],
          right: features.slice(0, 10).map((f) => metric('driftPsi', 'Maximum', fiveMinutes, { feature: f }).with({ label: `PSI ${f}` })),
          width: 8,
        }),
        new cw.GraphWidget({
          title: 'Accuracy / F1 (labelled rows)',
          left: [metric('modelAccuracy', 'Average', fiveMinutes).with({ label: 'accuracy' }), metric('modelF1', 'Average', fiveMinutes).with({ label: 'F1' })],
          right: [metric('conceptDrift', 'Sum', fiveMinutes).with({ label: 'concept drift detections' })],
          leftYAxis: { min: 0, max: 1 },
          width: 8,
        }),
        new cw.GraphWidget({
          title: 'Fairness',
          left: [
            metric('fairnessDisparateImpactRatio', 'Minimum', fiveMinutes).with({ label: 'disparate impact ratio' }),
            metric('fairnessDemographicParityDifference', 'Maximum', fiveMinutes).with({ label: 'demographic parity difference' }),
          ],
          leftAnnotations: [{ value: t.minDisparateImpactRatio, label: 'four-fifths' }],
          width: 8,
        }),
      );
    }
  }
}
