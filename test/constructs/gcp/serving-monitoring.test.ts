/**
 * `ServingMonitoring` on its own: every option lands in the Terraform JSON, every invalid option fails at synth
 * naming prop, value and what is allowed. The runtime's verdicts reach Cloud Monitoring as log-based metrics
 * over the JSON lines the runtime really writes (checked against lib/runtime's own output).
 */
import { ServingMonitoring } from '../../../constructs/gcp';
import { RuntimeMetrics } from '../../../lib/runtime/metrics';
import { TerraformTemplate } from '../../support/terraform-template';
import { errorOf } from '../../support/errors';
import { newGcpStack as newStack } from '../../support/gcp';

const RETRAINING = { pipelineTemplateUri: 'https://us-central1-kfp.pkg.dev/demo-project/pipelines/retrain-fraud/v3', pipelineRoot: 'gs://demo-pipelines/runs' };

describe('ServingMonitoring', () => {
  test('display name prefix and no channels', () => {
    const stack = newStack();
    new ServingMonitoring(stack, 'M', { endpointId: '987654321', displayNamePrefix: 'fraud', modelQualityMonitoring: false });
    const t = TerraformTemplate.synth(stack);
    expect(t.resources('google_monitoring_alert_policy').map((p) => [p.display_name, p.notification_channels])).toEqual([
      ['fraud: error rate above 5%', undefined],
      ['fraud: p99 latency above 1000 ms', undefined],
    ]);
    expect(t.resourceCount('google_logging_metric')).toBe(0);
    expect(JSON.parse(String(t.resources('google_monitoring_dashboard')[0].dashboard_json)).displayName).toBe('fraud serving');
  });
});

describe("model quality: the runtime's verdicts as log-based metrics", () => {
  const synth = (props: Record<string, unknown> = {}, stackProps: Record<string, unknown> = {}): TerraformTemplate => {
    const stack = newStack(stackProps);
    new ServingMonitoring(stack, 'M', { endpointId: '987654321', displayNamePrefix: 'fraud', ...props });
    return TerraformTemplate.synth(stack);
  };

  test('one log-based metric per verdict, filtered to this endpoint, by model', () => {
    const metrics = synth().resources('google_logging_metric');
    expect(metrics.map((m) => [m.name, m.metric_descriptor.value_type, m.value_extractor]).sort()).toEqual([
      ['servingstack/987654321/servingstack_drifted_features', 'DISTRIBUTION', 'EXTRACT(jsonPayload.servingstack_drifted_features)'],
      ['servingstack/987654321/servingstack_model_accuracy', 'DISTRIBUTION', 'EXTRACT(jsonPayload.servingstack_model_accuracy)'],
      ['servingstack/987654321/servingstack_concept_drift_detections_total', 'INT64', undefined],
      ['servingstack/987654321/servingstack_fairness_disparate_impact_ratio', 'DISTRIBUTION', 'EXTRACT(jsonPayload.servingstack_fairness_disparate_impact_ratio)'],
      ['servingstack/987654321/servingstack_fairness_demographic_parity_difference', 'DISTRIBUTION', 'EXTRACT(jsonPayload.servingstack_fairness_demographic_parity_difference)'],
    ].sort());
    for (const m of metrics) {
      const field = String(m.name).split('/')[2];
      expect(m.filter).toBe(`resource.type="aiplatform.googleapis.com/Endpoint" AND resource.labels.endpoint_id="987654321" AND jsonPayload.${field}:*`);
      expect(m.metric_descriptor).toMatchObject({ metric_kind: 'DELTA', labels: [{ key: 'model', value_type: 'STRING' }] });
      expect(m.label_extractors).toEqual({ model: 'EXTRACT(jsonPayload.model)' });
    }
    expect(metrics.find((m) => /model_accuracy/.test(m.name))!.bucket_options).toEqual({ linear_buckets: { num_finite_buckets: 100, width: 0.01, offset: 0 } });
  });

  test("every field the metrics read is a numeric field of a line the runtime writes (SERVINGSTACK_EMF=true), next to model", () => {
    const runtime = new RuntimeMetrics(true);
    const events = runtime.monitorEvents(() => undefined);
    events.onWindow!({ model: 'fraud', window: 3, rows: 500, published: true, features: [], driftedFeatures: ['amount', 'age'], fairness: { selectionRates: { a: 0.5, b: 0.3 }, groupCounts: { a: 100, b: 100 }, demographicParityDifference: 0.2, disparateImpactRatio: 0.6 } });
    events.onPerformance!('fraud', { labelled: 200, accuracy: 0.84 });
    events.onConceptDrift!('fraud', 'page_hinkley');
    const lines = runtime.takeEmf().map((l) => JSON.parse(l) as Record<string, unknown>);
    const expected: Record<string, number> = {
      servingstack_drifted_features: 2, servingstack_model_accuracy: 0.84, servingstack_concept_drift_detections_total: 1,
      servingstack_fairness_disparate_impact_ratio: 0.6, servingstack_fairness_demographic_parity_difference: 0.2,
    };
    for (const m of synth().resources('google_logging_metric')) {
      const field = String(m.name).split('/')[2];
      const line = lines.find((l) => field in l);
      expect({ field, model: line?.model, value: line?.[field] }).toEqual({ field, model: 'fraud', value: expected[field] });
    }
  });

  test('alert policies from the shared thresholds and severities, on the log-based metrics', () => {
    const t = synth({ modelQuality: { maxDriftedFeatures: 3, minAccuracy: 0.75, maxConceptDriftDetectionsPer15Minutes: 2, minDisparateImpactRatio: 0.7, maxDemographicParityDifference: 0.15 } });
    const policy = (title: string) => t.hasResourceWithProperties('google_monitoring_alert_policy', { display_name: `fraud: ${title}` });
    const cond = (p: Record<string, any>) => p.conditions[0].condition_threshold; // eslint-disable-line @typescript-eslint/no-explicit-any
    const drift = policy('3 or more drifted features');
    expect([drift.severity, cond(drift).comparison, cond(drift).threshold_value, cond(drift).aggregations[0].per_series_aligner]).toEqual(['WARNING', 'COMPARISON_GT', 2.5, 'ALIGN_PERCENTILE_99']);
    expect(cond(drift).filter).toMatch(/^metric\.type="logging\.googleapis\.com\/user\/\$\{google_logging_metric\.M_RuntimeLogMetrics_driftedFeatures_\w+\.name\}" AND resource\.type="aiplatform\.googleapis\.com\/Endpoint" AND resource\.labels\.endpoint_id="987654321"$/);
    const accuracy = policy('accuracy below 0.75');
    expect([accuracy.severity, cond(accuracy).comparison, cond(accuracy).threshold_value]).toEqual(['CRITICAL', 'COMPARISON_LT', 0.75]);
    const concept = policy('2 or more concept-drift detections in 15 minutes');
    expect([concept.severity, cond(concept).threshold_value, cond(concept).aggregations[0]]).toEqual(['WARNING', 1.5, { alignment_period: '900s', per_series_aligner: 'ALIGN_SUM', cross_series_reducer: 'REDUCE_SUM', group_by_fields: ['metric.label.model'] }]);
    expect(cond(policy('disparate impact ratio below 0.7'))).toMatchObject({ comparison: 'COMPARISON_LT', threshold_value: 0.7 });
    expect(cond(policy('demographic parity difference 0.15 or more'))).toMatchObject({ comparison: 'COMPARISON_GT', threshold_value: 0.15 });
  });

  test('bad thresholds, and thresholds without the metrics, fail at synth naming field, value and what is allowed', () => {
    const e = errorOf(() => synth({ modelQuality: { minAccuracy: 1.5, maxDriftedFeatures: 0 } }), 'SS_ERR_GCP_MONITORING_INVALID');
    expect(e.issues.map((i) => [i.field, i.received, i.allowed])).toEqual([
      ['modelQuality.maxDriftedFeatures', 0, 'a whole number from 1 to 100000 features'],
      ['modelQuality.minAccuracy', 1.5, 'a number from 0 to 1'],
    ]);
    const off = errorOf(() => synth({ modelQualityMonitoring: false, retraining: RETRAINING }), 'SS_ERR_GCP_MONITORING_INVALID');
    expect(off.issues.map((i) => i.field)).toEqual(['modelQualityMonitoring']);
  });
});

describe('retraining: alert → Pub/Sub → Workflows → Vertex AI pipeline run', () => {
  const synth = (retraining: Record<string, unknown> = {}, stackProps: Record<string, unknown> = { projectNumber: '123456789012' }): TerraformTemplate => {
    const stack = newStack(stackProps);
    new ServingMonitoring(stack, 'M', { endpointId: '987654321', displayNamePrefix: 'fraud', notificationEmails: ['oncall@example.com'], retraining: { ...RETRAINING, ...retraining } });
    return TerraformTemplate.synth(stack);
  };

  test('only model-quality alerts notify the Pub/Sub channel; Cloud Monitoring may publish to the topic only', () => {
    const t = synth();
    t.hasResourceWithProperties('google_pubsub_topic', { name: 'servingstack-retraining' });
    const channel = t.hasResourceWithProperties('google_monitoring_notification_channel', { type: 'pubsub', labels: { topic: expect.stringMatching(/^\$\{google_pubsub_topic\.\w+\.id\}$/) } });
    expect(channel).toBeDefined();
    expect(t.resources('google_pubsub_topic_iam_member')).toEqual([expect.objectContaining({ role: 'roles/pubsub.publisher', member: 'serviceAccount:service-123456789012@gcp-sa-monitoring-notification.iam.gserviceaccount.com' })]);
    const retrain = (channels: string[]) => channels.some((c) => /google_monitoring_notification_channel\.M_Retraining_Channel/.test(c));
    const byTitle = Object.fromEntries(t.resources('google_monitoring_alert_policy').map((p) => [String(p.display_name).replace('fraud: ', ''), retrain(p.notification_channels)]));
    expect(byTitle).toEqual({
      'error rate above 5%': false, 'p99 latency above 1000 ms': false,
      '1 or more drifted features': true, 'accuracy below 0.9': true, '1 or more concept-drift detections in 15 minutes': true,
      'disparate impact ratio below 0.8': true, 'demographic parity difference 0.1 or more': true,
    });
  });

  test('without the stack projectNumber the service agent is named from the project data source', () => {
    const t = synth({}, {});
    expect(t.resources('google_pubsub_topic_iam_member')[0].member).toMatch(/^serviceAccount:service-\$\{data\.google_project\.\w+\.number\}@gcp-sa-monitoring-notification\.iam\.gserviceaccount\.com$/);
  });

  test('Eventarc delivers the topic to the workflow as the trigger account; the workflow creates the pipeline job from the named template', () => {
    const t = synth({ parameterValues: { dataset: 'bq://demo-project.fraud.labelled' } });
    const trigger = t.resources('google_eventarc_trigger')[0];
    expect(trigger).toMatchObject({
      location: 'us-central1',
      matching_criteria: [{ attribute: 'type', value: 'google.cloud.pubsub.topic.v1.messagePublished' }],
      transport: { pubsub: { topic: expect.stringMatching(/^\$\{google_pubsub_topic\.\w+\.id\}$/) } },
      destination: { workflow: expect.stringMatching(/^\$\{google_workflows_workflow\.\w+\.id\}$/) },
      service_account: expect.stringMatching(/^\$\{google_service_account\.M_Retraining_TriggerAccount_\w+\.email\}$/),
    });
    const wf = t.resources('google_workflows_workflow')[0];
    expect(wf.service_account).toMatch(/^\$\{google_service_account\.M_Retraining_TriggerAccount_\w+\.id\}$/);
    const source = JSON.parse(String(wf.source_contents));
    const steps = Object.assign({}, ...source.main.steps);
    expect(steps.onlyOpened.switch[0]).toEqual({ condition: '$${default(map.get(incident, "state"), "") != "open"}', return: 'ignored: not an opened incident' });
    expect(steps.parameters.assign).toEqual([{ params: { dataset: 'bq://demo-project.fraud.labelled' } }]);
    expect(steps.startPipeline).toMatchObject({
      call: 'http.post',
      args: {
        url: 'https://us-central1-aiplatform.googleapis.com/v1/projects/demo-project/locations/us-central1/pipelineJobs',
        auth: { type: 'OAuth2' },
        body: {
          templateUri: RETRAINING.pipelineTemplateUri,
          serviceAccount: expect.stringMatching(/^\$\{google_service_account\.M_Retraining_PipelineAccount_\w+\.email\}$/),
          runtimeConfig: { gcsOutputDirectory: 'gs://demo-pipelines/runs', parameterValues: '$${params}' },
        },
      },
    });
    // Workflows expressions are escaped; the only Terraform interpolations are resource attributes.
    expect(String(wf.source_contents).replace(/\$\$\{/g, '').replace(/\$\{google_service_account\.\w+\.email\}/g, '')).not.toContain('${');
  });

  test('incidentParameters passes the policy and the model to the pipeline', () => {
    const source = JSON.parse(String(synth({ incidentParameters: true }).resources('google_workflows_workflow')[0].source_contents));
    const steps = Object.assign({}, ...source.main.steps);
    expect(steps.parameters.assign.slice(1)).toEqual([
      { 'params.alert_policy': '$${default(map.get(incident, "policy_name"), "")}' },
      { 'params.model': '$${default(map.get(labels, "model"), "")}' },
    ]);
  });

  test('least privilege: what each identity is granted, and nothing else', () => {
    const t = synth();
    const who = (member: string) => (/TriggerAccount/.test(member) ? 'trigger' : /PipelineAccount/.test(member) ? 'pipeline' : member);
    expect(t.resources('google_project_iam_member').map((m) => `${who(m.member)} ${m.role}`).sort()).toEqual([
      'pipeline roles/aiplatform.user', 'trigger roles/aiplatform.user', 'trigger roles/workflows.invoker',
    ]);
    expect(t.resources('google_service_account_iam_member').map((m) => [who(m.member), m.role, /PipelineAccount/.test(m.service_account_id)])).toEqual([['trigger', 'roles/iam.serviceAccountUser', true]]);
    expect(t.resources('google_storage_bucket_iam_member').map((m) => [who(m.member), m.role, m.bucket])).toEqual([['pipeline', 'roles/storage.objectUser', 'demo-pipelines']]);
  });

  test('bad input fails at synth with every problem named', () => {
    const e = errorOf(() => synth({ pipelineTemplateUri: 'retrain.json', pipelineRoot: 's3://x/y', name: 'Retrain', pipelineAccountId: 'same-account', triggerAccountId: 'same-account', parameterValues: { '1bad': 'x' } }), 'SS_ERR_GCP_RETRAINING_INVALID');
    expect(e.issues.map((i) => [i.field, i.received])).toEqual([
      ['pipelineTemplateUri', 'retrain.json'], ['pipelineRoot', 's3://x/y'], ['name', 'Retrain'], ['triggerAccountId', 'same-account'], ['parameterValues.1bad', '1bad'],
    ]);
    expect(e.issues[0].allowed).toContain('https://REGION-kfp.pkg.dev/PROJECT/REPO/NAME/TAG');
    const reserved = errorOf(() => synth({ incidentParameters: true, parameterValues: { model: 'x' } }), 'SS_ERR_GCP_RETRAINING_INVALID');
    expect(reserved.issues.map((i) => [i.field, i.message])).toEqual([['parameterValues.model', 'is set by the workflow from the incident (incidentParameters)']]);
  });
});
