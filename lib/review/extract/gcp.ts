/**
 * Google Cloud (Terraform JSON from CDK for Terraform): Vertex AI endpoints, the deployment the
 * rollout output describes (`servingstack gcp deploy` deploys it: Terraform does not manage the
 * deployed model), alert policies, IAM members, buckets and repositories.
 *
 * Replacement rules (google provider: ForceNew arguments): `google_vertex_ai_endpoint` `name`,
 * `location`, `region`, `network`, `encryption_spec` and `private_service_connect_config`.
 */
import { setTerm } from '../model';
import { asArray, num, seconds } from '../render';
import { Extractor } from './context';
import { renderTf, shortAddress } from './terraform';

type Props = Record<string, unknown>;

const FORCE_NEW = 'Terraform replaces google_vertex_ai_endpoint when this changes (ForceNew): a new endpoint id, the deployed model and its traffic are gone until redeployed';

const durationSeconds = (v: unknown): number | undefined => (typeof v === 'string' && /^\d+s$/.test(v) ? Number(v.slice(0, -1)) : num(v));

const vertexEndpoint: Extractor = {
  phase: 1,
  extract(ctx, r) {
    const p = r.props;
    const u = ctx.addUnit(r.id, renderTf(p.display_name) || shortAddress(r.id), 'Vertex AI endpoint', { region: renderTf(p.region ?? p.location) });
    const id = renderTf(p.name);
    if (id) ctx.owner.set(id, u);
    setTerm(u, 'endpoint id', 'identity', id || '(generated)', { replacement: FORCE_NEW });
    setTerm(u, 'region', 'identity', renderTf(p.location ?? p.region), { replacement: FORCE_NEW });
    const psc = p.private_service_connect_config as Props | undefined;
    const exposure = p.network ? `private (VPC peering ${renderTf(p.network)})` : psc ? `private (Private Service Connect, projects ${renderTf((psc as Props).project_allowlist)})` : 'public endpoint';
    setTerm(u, 'network exposure', 'network', exposure, { security: 'protection', replacement: FORCE_NEW });
    const enc = p.encryption_spec as Props | undefined;
    setTerm(u, 'encryption (CMEK)', 'encryption', enc ? renderTf(enc.kms_key_name) : 'none (Google-managed key)', { security: 'protection', replacement: FORCE_NEW });
    setTerm(u, 'dedicated endpoint', 'network', p.dedicated_endpoint_enabled === true);
  },
};

const rolloutOutput: Extractor = {
  phase: 2,
  extract(ctx, r) {
    const p = r.props;
    const u = ctx.unitFor(String(p.endpointId ?? ''), undefined);
    const target = u === ctx.stackUnit ? ctx.addUnit(r.id, String(p.modelId ?? r.id), 'Vertex AI deployment', { region: String(p.region ?? '') }) : u;
    const d = (p.deployment ?? {}) as Props;
    const machine = renderTf(d.machineType);
    const min = num(d.minReplicaCount) ?? 1;
    const max = num(d.maxReplicaCount) ?? min;
    setTerm(target, 'machine type', 'capacity', machine);
    setTerm(target, 'accelerator', 'capacity', d.acceleratorType ? `${num(d.acceleratorCount) ?? 1} × ${renderTf(d.acceleratorType)}` : undefined);
    setTerm(target, 'min replicas', 'capacity', min);
    setTerm(target, 'max replicas', 'capacity', max);
    setTerm(target, 'scale on CPU utilisation', 'autoscaling', num(d.targetCpuUtilizationPercent) === undefined ? undefined : `${num(d.targetCpuUtilizationPercent)} %`);
    setTerm(target, 'scale on accelerator duty cycle', 'autoscaling', num(d.targetAcceleratorDutyCyclePercent) === undefined ? undefined : `${num(d.targetAcceleratorDutyCyclePercent)} %`);
    setTerm(target, 'model', 'model', renderTf(p.modelId));
    setTerm(target, 'image', 'model', renderTf(p.imageUri));
    setTerm(target, 'artifact prefix', 'model', renderTf(p.artifactPrefix));
    for (const [k, v] of Object.entries((p.env ?? {}) as Props)) setTerm(target, `env ${k}`, 'model', renderTf(v));
    const policy = (p.policy ?? {}) as Props;
    setTerm(target, 'rollout strategy', 'rollout', policy.canaryTrafficPercent === undefined ? undefined : 'canary with automatic rollback');
    setTerm(target, 'canary size', 'rollout', num(policy.canaryTrafficPercent) === undefined ? undefined : `${num(policy.canaryTrafficPercent)} % of traffic`);
    setTerm(target, 'bake time', 'rollout', seconds(num(policy.bakeTimeSeconds)));
    setTerm(target, 'rollback when error rate above', 'rollout', num(policy.maxErrorRatePercent) === undefined ? undefined : `${num(policy.maxErrorRatePercent)} %`);
    setTerm(target, 'runs as', 'iam', renderTf(p.runtimeServiceAccount), { security: 'grant' });
    target.cost = { ...target.cost, mode: 'realtime', region: String(p.region ?? target.cost.region ?? ''), instances: [{ name: 'deployment', type: machine, min, max }] };
  },
};

const COMPARISON: Record<string, string> = { COMPARISON_GT: '>', COMPARISON_GE: '>=', COMPARISON_LT: '<', COMPARISON_LE: '<=' };

const alertPolicy: Extractor = {
  phase: 3,
  extract(ctx, r) {
    const u = ctx.unitFor(undefined, r.props);
    u.cost = { ...u.cost, alarms: u.cost.alarms + 1 };
    const name = shortAddress(r.id).split('.').pop()!;
    setTerm(u, `alert ${name}: enabled`, 'alarm', r.props.enabled !== false);
    for (const c of asArray(r.props.conditions as Props[] | undefined)) {
      const t = (c.condition_threshold ?? c.condition_absent ?? c.condition_prometheus_query_language) as Props | undefined;
      if (!t) continue;
      const metric = /metric\.type="([^"]+)"/.exec(String(t.filter ?? ''))?.[1]?.split('/').slice(-2).join('/') ?? renderTf(t.query ?? t.filter);
      const reducer = asArray(t.aggregations as Props[] | undefined).map((a) => renderTf(a.cross_series_reducer ?? a.per_series_aligner)).join(' ');
      const dur = durationSeconds(t.duration);
      setTerm(u, `alert ${name}: ${renderTf(c.display_name)}`, 'alarm', `${reducer} ${metric} ${COMPARISON[String(t.comparison)] ?? renderTf(t.comparison)} ${num(t.threshold_value) ?? ''} for ${seconds(dur) ?? '0 s'}`.trim());
    }
  },
};

const iamMember: Extractor = {
  phase: 3,
  extract(ctx, r) {
    const p = r.props;
    const scope = p.bucket ? `bucket ${renderTf(p.bucket)}` : p.service_account_id ? `service account ${renderTf(p.service_account_id)}` : p.repository ? `repository ${renderTf(p.repository)}` : `project ${renderTf(p.project)}`;
    const members = p.members ? asArray(p.members) : [p.member];
    for (const m of members) {
      setTerm(ctx.stackUnit, `IAM ${renderTf(m)}: ${renderTf(p.role)} on ${scope}`, 'iam', p.condition ? `granted when ${renderTf((p.condition as Props).expression)}` : 'granted', { security: 'grant' });
    }
  },
};

const bucket: Extractor = {
  phase: 3,
  extract(ctx, r) {
    const p = r.props;
    const n = shortAddress(r.id).split('.').pop();
    setTerm(ctx.stackUnit, `bucket ${n}: public access prevention`, 'network', renderTf(p.public_access_prevention) || 'inherited', { security: 'protection' });
    setTerm(ctx.stackUnit, `bucket ${n}: uniform access`, 'iam', p.uniform_bucket_level_access === true, { security: 'protection' });
    setTerm(ctx.stackUnit, `bucket ${n}: encryption (CMEK)`, 'encryption', p.encryption ? renderTf((p.encryption as Props).default_kms_key_name) : 'none (Google-managed key)', { security: 'protection' });
    setTerm(ctx.stackUnit, `bucket ${n}: versioning`, 'data-capture', (p.versioning as Props | undefined)?.enabled === true);
  },
};

const repository: Extractor = {
  phase: 3,
  extract(ctx, r) {
    const n = shortAddress(r.id).split('.').pop();
    setTerm(ctx.stackUnit, `repository ${n}: encryption (CMEK)`, 'encryption', r.props.kms_key_name ? renderTf(r.props.kms_key_name) : 'none (Google-managed key)', { security: 'protection' });
    setTerm(ctx.stackUnit, `repository ${n}: immutable tags`, 'model', (r.props.docker_config as Props | undefined)?.immutable_tags === true);
  },
};

const dashboard: Extractor = {
  phase: 3,
  extract(ctx) {
    ctx.dashboards++;
  },
};

export const GCP_EXTRACTORS: Readonly<Record<string, Extractor>> = {
  google_vertex_ai_endpoint: vertexEndpoint,
  'output:servingstack.gcp.rollout': rolloutOutput,
  google_monitoring_alert_policy: alertPolicy,
  google_project_iam_member: iamMember,
  google_project_iam_binding: iamMember,
  google_storage_bucket_iam_member: iamMember,
  google_service_account_iam_member: iamMember,
  google_artifact_registry_repository_iam_member: iamMember,
  google_storage_bucket: bucket,
  google_artifact_registry_repository: repository,
  google_monitoring_dashboard: dashboard,
};
