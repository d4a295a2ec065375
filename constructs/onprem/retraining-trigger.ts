import { Construct } from 'constructs';
import { DeploymentV1, NetworkPolicyV1, RoleBindingV1, RoleV1, ServiceAccountV1, ServiceV1 } from './private/binding';
import { Checker, ONPREM_ERRORS } from './private/checker';
import { OnPremServingStack } from './onprem-serving-stack';
import { Duration } from './quantities';
import type { ServingNamespace } from './serving-namespace';

export interface RetrainingJobTriggerProps {
  /** Where the webhook runs and the retraining Jobs are created. */
  readonly namespace: ServingNamespace;
  /**
   * The retraining template: a CronJob of that namespace (usually `suspend: true`) whose
   * `jobTemplate` each retraining Job copies, as `kubectl create job --from=cronjob/NAME` does.
   */
  readonly cronJobName: string;
  /** The ServingStack runtime image (it carries the webhook: `dist/lib/retraining/alert-webhook-main.js`). */
  readonly image: string;
  /**
   * Name of the Deployment, Service, ServiceAccount and Role.
   * @default 'servingstack-retraining'
   */
  readonly name?: string;
  /**
   * No new Job within this time of the last one (Alertmanager repeats firing notifications).
   * @default Duration.minutes(60)
   */
  readonly cooldown?: Duration;
  /**
   * Namespace of Alertmanager: the only one the NetworkPolicy admits.
   * @default 'monitoring'
   */
  readonly monitoringNamespace?: string;
}

const PORT = 8080;
const UID = 10001;

/**
 * Alertmanager webhook → a Kubernetes Job from the CronJob template you name. Pass
 * {@link webhookUrl} as `ServingMonitoring({ retrainingWebhookUrl })`: firing model-quality
 * alerts (drift, accuracy, concept drift, fairness) reach it. Least privilege: its ServiceAccount's
 * Role may `get` that one CronJob and `create` Jobs in this namespace, nothing else; only
 * Alertmanager's namespace may connect.
 */
export class RetrainingJobTrigger extends Construct {
  /** `http://NAME.NAMESPACE.svc/alerts`. */
  public readonly webhookUrl: string;
  public readonly deployment: DeploymentV1;
  public readonly role: RoleV1;

  constructor(scope: Construct, id: string, props: RetrainingJobTriggerProps) {
    super(scope, id);
    const stack = OnPremServingStack.of(this);
    const name = props.name ?? 'servingstack-retraining';
    const monitoringNamespace = props.monitoringNamespace ?? 'monitoring';
    const cooldown = props.cooldown ?? Duration.minutes(60);
    const c = new Checker(this, ONPREM_ERRORS.RETRAINING, 'RetrainingJobTrigger');
    c.dnsLabel('name', name);
    c.check(typeof props.cronJobName === 'string' && /^[a-z0-9]([-a-z0-9]{0,50}[a-z0-9])?$/.test(props.cronJobName), { field: 'cronJobName', message: 'is not a CronJob name', received: props.cronJobName, allowed: 'a DNS label of at most 52 characters (the CronJob limit)' });
    c.check(typeof props.image === 'string' && /^[^\s]+(:[A-Za-z0-9_.-]+|@sha256:[0-9a-f]{64})$/.test(props.image), { field: 'image', message: 'is not an image reference with a tag or digest', received: props.image, allowed: 'e.g. registry.lab/servingstack/runtime:0.1.0' });
    c.dnsLabel('monitoringNamespace', monitoringNamespace);
    c.intRange('cooldown', cooldown.toSeconds(), 0, 7 * 86_400, 's');
    c.throwIfAny();

    const provider = stack.kubernetesProvider;
    const namespace = props.namespace.name;
    const labels = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/component': 'retraining-trigger', 'app.kubernetes.io/part-of': 'servingstack' };
    const metadata = { name, namespace, labels };
    const dependsOn = [props.namespace.resource];
    const account = new ServiceAccountV1(this, 'ServiceAccount', { provider, dependsOn, metadata, automountServiceAccountToken: true });
    this.role = new RoleV1(this, 'Role', {
      provider,
      dependsOn,
      metadata,
      rule: [
        { apiGroups: ['batch'], resources: ['cronjobs'], resourceNames: [props.cronJobName], verbs: ['get'] },
        { apiGroups: ['batch'], resources: ['jobs'], verbs: ['create'] },
      ],
    });
    const binding = new RoleBindingV1(this, 'RoleBinding', {
      provider,
      dependsOn,
      metadata,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subject: [{ kind: 'ServiceAccount', name, namespace }],
    });
    this.deployment = new DeploymentV1(this, 'Deployment', {
      provider,
      dependsOn: [...dependsOn, account, this.role, binding],
      metadata,
      waitForRollout: true,
      spec: {
        replicas: '1', // the cool-down is per process: one replica
        selector: { matchLabels: { 'app.kubernetes.io/name': name } },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: name,
            securityContext: { runAsNonRoot: true, runAsUser: String(UID), runAsGroup: String(UID), seccompProfile: { type: 'RuntimeDefault' } },
            container: [{
              name: 'webhook',
              image: props.image,
              command: ['node', '/opt/servingstack/dist/lib/retraining/alert-webhook-main.js'],
              port: [{ name: 'http', containerPort: PORT, protocol: 'TCP' }],
              env: [
                { name: 'SERVINGSTACK_RETRAIN_CRONJOB', value: props.cronJobName },
                { name: 'SERVINGSTACK_RETRAIN_COOLDOWN_SECONDS', value: String(cooldown.toSeconds()) },
                { name: 'SERVINGSTACK_PORT', value: String(PORT) },
              ],
              resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '250m', memory: '128Mi' } },
              readinessProbe: { httpGet: { path: '/healthz', port: String(PORT) }, periodSeconds: 10 },
              livenessProbe: { httpGet: { path: '/healthz', port: String(PORT) }, periodSeconds: 20 },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, runAsUser: String(UID) },
            }],
          },
        },
      },
    });
    new ServiceV1(this, 'Service', {
      provider,
      dependsOn,
      metadata,
      spec: { selector: { 'app.kubernetes.io/name': name }, port: [{ name: 'http', port: 80, targetPort: String(PORT), protocol: 'TCP' }] },
    });
    new NetworkPolicyV1(this, 'NetworkPolicy', {
      provider,
      dependsOn,
      metadata,
      spec: {
        podSelector: { matchLabels: { 'app.kubernetes.io/name': name } },
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': monitoringNamespace } } }], ports: [{ port: String(PORT), protocol: 'TCP' }] }],
      },
    });
    this.webhookUrl = `http://${name}.${namespace}.svc/alerts`;
  }
}
