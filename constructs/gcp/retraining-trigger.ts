import { Construct } from 'constructs';
import { Token } from '../cdktf/binding';
import {
  DataGoogleProject, EventarcTrigger, MonitoringNotificationChannel, ProjectIamMember, PubsubTopic, PubsubTopicIamMember, ServiceAccount, ServiceAccountIamMember,
  StorageBucketIamMember, WorkflowsWorkflow,
} from '../cdktf/google';
import { Checker, GCP_ERRORS } from './private/errors';
import { VertexServingStack } from './vertex-serving-stack';

/** What the retraining run is: a Vertex AI pipeline template and where it writes. */
export interface RetrainingTriggerOptions {
  /**
   * The compiled Kubeflow pipeline the run starts: `gs://BUCKET/PATH.json|yaml` or an Artifact
   * Registry template `https://REGION-kfp.pkg.dev/PROJECT/REPO/NAME/TAG` (or `…/sha256:…`).
   */
  readonly pipelineTemplateUri: string;
  /** The run's root output directory, `gs://BUCKET[/PREFIX]`; the pipeline's identity may write below it. */
  readonly pipelineRoot: string;
  /**
   * Pipeline parameters set on every run.
   * @default - none
   */
  readonly parameterValues?: { readonly [name: string]: string };
  /**
   * Also pass the incident as the string parameters `alert_policy` (the policy's display name)
   * and `model` (the alerting model). Vertex AI refuses parameters a pipeline does not declare:
   * turn this on only when yours declares both.
   * @default false
   */
  readonly incidentParameters?: boolean;
  /**
   * Service account ID the pipeline runs as (created; it gets `roles/aiplatform.user` and object
   * access below `pipelineRoot` only; grant it what your pipeline reads).
   * @default 'servingstack-retrain-pipeline'
   */
  readonly pipelineAccountId?: string;
  /**
   * Service account ID of the trigger (Eventarc → Workflows) and the workflow, which starts
   * pipeline runs as the pipeline identity.
   * @default 'servingstack-retrain'
   */
  readonly triggerAccountId?: string;
  /**
   * Name of the Pub/Sub topic, the workflow and the Eventarc trigger.
   * @default 'servingstack-retraining'
   */
  readonly name?: string;
}

export type RetrainingTriggerProps = RetrainingTriggerOptions;

const ACCOUNT_ID = /^[a-z]([-a-z0-9]{4,28}[a-z0-9])$/;
const TEMPLATE_URI = /^(gs:\/\/[a-z0-9][a-z0-9._-]{1,221}[a-z0-9]\/\S+\.(json|ya?ml)|https:\/\/[a-z0-9-]+-kfp\.pkg\.dev\/[a-z][a-z0-9-]{4,28}[a-z0-9]\/[a-z0-9-]+\/[A-Za-z0-9_.-]+\/(sha256:[0-9a-f]{64}|[A-Za-z0-9_.-]+))$/;
const GCS_PREFIX = /^gs:\/\/([a-z0-9][a-z0-9._-]{1,221}[a-z0-9])(\/\S*)?$/;
const NAME = /^[a-z][a-z0-9-]{0,62}$/;
const PARAMETER = /^[A-Za-z_][A-Za-z0-9_-]{0,127}$/;

/**
 * Alert → Pub/Sub → Eventarc → Workflows → a Vertex AI pipeline run. The Pub/Sub notification
 * channel ({@link notificationChannelName}) goes on the model-quality alert policies; Cloud
 * Monitoring publishes one message when an incident opens and one when it closes; the workflow
 * starts one `pipelineJobs.create` per opened incident and ignores the rest.
 *
 * Identities (least privilege): Cloud Monitoring's notification service agent may publish to the
 * topic only; the trigger account invokes workflows and creates pipeline jobs (`roles/workflows.invoker`,
 * `roles/aiplatform.user`: neither has a per-resource grant for these calls) and may act as the
 * pipeline account only; the pipeline account gets `roles/aiplatform.user` and object access to
 * the `pipelineRoot` bucket.
 */
export class RetrainingTrigger extends Construct {
  public readonly topic: PubsubTopic;
  public readonly notificationChannel: MonitoringNotificationChannel;
  public readonly workflow: WorkflowsWorkflow;
  public readonly trigger: EventarcTrigger;
  public readonly triggerAccount: ServiceAccount;
  public readonly pipelineAccount: ServiceAccount;

  constructor(scope: Construct, id: string, props: RetrainingTriggerProps) {
    super(scope, id);
    const stack = VertexServingStack.of(this);
    const c = new Checker(GCP_ERRORS.RETRAINING, `RetrainingTrigger at ${this.node.path} is invalid`, (v) => Token.isUnresolved(v));
    const name = props.name ?? 'servingstack-retraining';
    const pipelineId = props.pipelineAccountId ?? 'servingstack-retrain-pipeline';
    const triggerId = props.triggerAccountId ?? 'servingstack-retrain';
    c.pattern('pipelineTemplateUri', props.pipelineTemplateUri, TEMPLATE_URI, 'gs://BUCKET/PATH.json or .yaml, or https://REGION-kfp.pkg.dev/PROJECT/REPO/NAME/TAG');
    c.pattern('pipelineRoot', props.pipelineRoot, GCS_PREFIX, 'gs://BUCKET[/PREFIX]');
    c.pattern('name', name, NAME, 'lower-case letters, digits and -, starting with a letter, at most 63 characters');
    c.pattern('pipelineAccountId', pipelineId, ACCOUNT_ID, '6–30 lower-case letters, digits and -, starting with a letter');
    c.pattern('triggerAccountId', triggerId, ACCOUNT_ID, '6–30 lower-case letters, digits and -, starting with a letter');
    if (!Token.isUnresolved(pipelineId)) c.check(pipelineId !== triggerId, { field: 'triggerAccountId', message: 'equals pipelineAccountId: the two identities must differ', received: triggerId, allowed: `anything but ${pipelineId}` });
    for (const [k, v] of Object.entries(props.parameterValues ?? {})) {
      c.pattern(`parameterValues.${k}`, k, PARAMETER, 'letters, digits, _ and -, starting with a letter or _', 'is not a valid pipeline parameter name');
      if (props.incidentParameters === true) c.check(k !== 'alert_policy' && k !== 'model', { field: `parameterValues.${k}`, message: 'is set by the workflow from the incident (incidentParameters)', received: k, allowed: 'any other parameter name' });
      c.check(typeof v === 'string', { field: `parameterValues.${k}`, message: 'must be a string', received: v, allowed: 'a string value' });
    }
    c.throwIfAny();

    this.topic = new PubsubTopic(this, 'Topic', { name, labels: { 'part-of': 'servingstack' } });
    const projectNumber = stack.projectNumber ?? new DataGoogleProject(this, 'Project', { projectId: stack.project }).number;
    new PubsubTopicIamMember(this, 'MonitoringPublishes', {
      topic: this.topic.name,
      role: 'roles/pubsub.publisher',
      member: `serviceAccount:service-${projectNumber}@gcp-sa-monitoring-notification.iam.gserviceaccount.com`,
    });
    this.notificationChannel = new MonitoringNotificationChannel(this, 'Channel', { type: 'pubsub', displayName: `${name} (retraining)`, labels: { topic: this.topic.id } });

    this.pipelineAccount = new ServiceAccount(this, 'PipelineAccount', { accountId: pipelineId, displayName: 'ServingStack retraining pipeline runs' });
    this.triggerAccount = new ServiceAccount(this, 'TriggerAccount', { accountId: triggerId, displayName: 'ServingStack retraining trigger (Eventarc → Workflows → Vertex AI pipelines)' });
    const pipelineMember = `serviceAccount:${this.pipelineAccount.email}`;
    const triggerMember = `serviceAccount:${this.triggerAccount.email}`;
    new ProjectIamMember(this, 'PipelineRunsVertex', { project: stack.project, role: 'roles/aiplatform.user', member: pipelineMember });
    const bucket = GCS_PREFIX.exec(props.pipelineRoot)?.[1];
    if (bucket !== undefined) new StorageBucketIamMember(this, 'PipelineWritesRoot', { bucket, role: 'roles/storage.objectUser', member: pipelineMember });
    new ProjectIamMember(this, 'TriggerInvokesWorkflows', { project: stack.project, role: 'roles/workflows.invoker', member: triggerMember });
    new ProjectIamMember(this, 'TriggerCreatesPipelineJobs', { project: stack.project, role: 'roles/aiplatform.user', member: triggerMember });
    new ServiceAccountIamMember(this, 'TriggerActsAsPipeline', { serviceAccountId: this.pipelineAccount.name, role: 'roles/iam.serviceAccountUser', member: triggerMember });

    this.workflow = new WorkflowsWorkflow(this, 'Workflow', {
      name,
      region: stack.region,
      description: 'Starts a Vertex AI pipeline run for each opened ServingStack model-quality incident.',
      serviceAccount: this.triggerAccount.id,
      callLogLevel: 'LOG_ERRORS_ONLY',
      sourceContents: JSON.stringify(retrainingWorkflow({
        project: stack.project,
        region: stack.region,
        templateUri: props.pipelineTemplateUri,
        pipelineRoot: props.pipelineRoot,
        serviceAccount: this.pipelineAccount.email,
        parameterValues: props.parameterValues ?? {},
        incidentParameters: props.incidentParameters ?? false,
      })),
      labels: { 'part-of': 'servingstack' },
    });
    this.trigger = new EventarcTrigger(this, 'Trigger', {
      name,
      location: stack.region,
      matchingCriteria: [{ attribute: 'type', value: 'google.cloud.pubsub.topic.v1.messagePublished' }],
      transport: { pubsub: { topic: this.topic.id } },
      destination: { workflow: this.workflow.id },
      serviceAccount: this.triggerAccount.email,
      labels: { 'part-of': 'servingstack' },
    });
  }

  /** The Pub/Sub notification channel to add to alert policies (`projects/P/notificationChannels/ID`). */
  public get notificationChannelName(): string {
    return this.notificationChannel.name;
  }
}

interface WorkflowInput {
  readonly project: string;
  readonly region: string;
  readonly templateUri: string;
  readonly pipelineRoot: string;
  readonly serviceAccount: string;
  readonly parameterValues: Readonly<Record<string, string>>;
  readonly incidentParameters: boolean;
}

/**
 * The workflow (Workflows syntax as JSON; `$${…}` is a Workflows expression escaped for
 * Terraform). Input: the Eventarc Pub/Sub event; `data.message.data` is Cloud Monitoring's
 * notification (`{"incident": {"state": "open"|"closed", "policy_name", "metric": {"labels"}…}}`).
 */
export function retrainingWorkflow(w: WorkflowInput): Record<string, unknown> {
  return {
    main: {
      params: ['event'],
      steps: [
        { decode: { assign: [
          { notification: '$${json.decode(base64.decode(event.data.message.data))}' },
          { incident: '$${default(map.get(notification, "incident"), {})}' },
          { labels: '$${default(map.get(incident, ["metric", "labels"]), {})}' },
        ] } },
        { onlyOpened: { switch: [{ condition: '$${default(map.get(incident, "state"), "") != "open"}', return: 'ignored: not an opened incident' }] } },
        { parameters: { assign: [
          { params: w.parameterValues },
          ...(w.incidentParameters
            ? [{ 'params.alert_policy': '$${default(map.get(incident, "policy_name"), "")}' }, { 'params.model': '$${default(map.get(labels, "model"), "")}' }]
            : []),
        ] } },
        { startPipeline: {
          call: 'http.post',
          args: {
            url: `https://${w.region}-aiplatform.googleapis.com/v1/projects/${w.project}/locations/${w.region}/pipelineJobs`,
            auth: { type: 'OAuth2' },
            body: {
              displayName: '$${"servingstack-retrain-" + string(int(sys.now()))}',
              templateUri: w.templateUri,
              serviceAccount: w.serviceAccount,
              runtimeConfig: { gcsOutputDirectory: w.pipelineRoot, parameterValues: '$${params}' },
              labels: { 'part-of': 'servingstack', trigger: 'model-quality-alert' },
            },
          },
          result: 'job',
        } },
        { done: { return: '$${job.body.name}' } },
      ],
    },
  };
}
