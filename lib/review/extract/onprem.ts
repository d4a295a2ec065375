/**
 * On-premise Kubernetes (Terraform JSON from CDK for Terraform, kubernetes and helm providers):
 * deployments, autoscalers, services, ingresses, network policies, disruption budgets and Helm
 * releases (with the Prometheus alert rules their values carry).
 *
 * Replacement rules (kubernetes provider): `metadata.name` and `metadata.namespace` are ForceNew;
 * a changed selector cannot be applied in place (immutable in the API). `Recreate` stops every
 * pod before new ones start: downtime on every rollout.
 */
import { ServingUnit, setTerm } from '../model';
import { asArray, num, seconds, sortKeys } from '../render';
import { Extractor } from './context';
import { renderTf, shortAddress } from './terraform';

type Props = Record<string, unknown>;

const first = (v: unknown): Props => (asArray(v as Props | Props[] | undefined)[0] ?? {}) as Props;
const meta = (p: Props): Props => first(p.metadata);
/** metadata, spec and namespace of a Kubernetes resource block. */
const k8s = (props: Props): { m: Props; spec: Props; ns: string } => {
  const m = meta(props);
  return { m, spec: first(props.spec), ns: renderTf(m.namespace) || 'default' };
};
const selectorKey = (ns: unknown, labels: unknown): string => `k8s-selector:${renderTf(ns)}:${JSON.stringify(sortKeys(labels ?? {}))}`;

const FORCE_NEW = 'Terraform replaces the deployment when this changes (ForceNew): its pods are deleted before the new ones are ready';

function containerTerms(u: ServingUnit, c: Props, prefix: string): number {
  const p = `${prefix}${renderTf(c.name)}`;
  setTerm(u, `${p}: image`, 'model', renderTf(c.image));
  const env = new Map(asArray(c.env as Props[] | undefined).map((e) => [renderTf(e.name), e.value === undefined ? renderTf(e.value_from) : renderTf(e.value)]));
  for (const [k, v] of env) setTerm(u, `${p}: env ${k}`, 'model', v);
  if (prefix === '') setTerm(u, 'authentication', 'network', env.has('SERVINGSTACK_AUTH_TOKEN_FILE') ? 'bearer token' : 'none', { security: 'protection' });
  const res = first(c.resources);
  const limits = (res.limits ?? {}) as Props;
  const requests = (res.requests ?? {}) as Props;
  for (const [k, v] of Object.entries(requests)) setTerm(u, `${p}: request ${k}`, 'capacity', renderTf(v));
  for (const [k, v] of Object.entries(limits)) setTerm(u, `${p}: limit ${k}`, 'capacity', renderTf(v));
  const sc = first(c.security_context);
  setTerm(u, `${p}: runs as non-root`, 'iam', sc.run_as_non_root === true, { security: 'protection' });
  setTerm(u, `${p}: unprivileged`, 'iam', sc.privileged !== true, { security: 'protection' });
  setTerm(u, `${p}: no privilege escalation`, 'iam', sc.allow_privilege_escalation === false, { security: 'protection' });
  setTerm(u, `${p}: read-only root filesystem`, 'iam', sc.read_only_root_filesystem === true, { security: 'protection' });
  setTerm(u, `${p}: capabilities dropped`, 'iam', renderTf(first(sc.capabilities).drop) || 'none', { security: 'protection' });
  for (const cap of asArray(first(sc.capabilities).add)) setTerm(u, `${p}: capability added ${renderTf(cap)}`, 'iam', true, { security: 'grant' });
  return Number(limits['nvidia.com/gpu'] ?? 0);
}

const deployment: Extractor = {
  phase: 1,
  extract(ctx, r) {
    const { m, spec, ns } = k8s(r.props);
    const name = renderTf(m.name);
    const u = ctx.addUnit(r.id, `${ns}/${name}`, 'Kubernetes deployment', { mode: 'kubernetes' });
    ctx.owner.set(`k8s-deployment:${ns}/${name}`, u);
    const selector = first(spec.selector).match_labels;
    ctx.owner.set(selectorKey(ns, selector), u);
    setTerm(u, 'deployment name', 'identity', name, { replacement: FORCE_NEW });
    setTerm(u, 'namespace', 'identity', ns, { replacement: FORCE_NEW });
    setTerm(u, 'selector', 'identity', renderTf(selector), { replacement: 'the selector of a deployment is immutable: the deployment is replaced, its pods deleted first' });
    const replicas = num(spec.replicas);
    setTerm(u, 'replicas', 'capacity', replicas);
    const strategy = first(spec.strategy);
    const type = renderTf(strategy.type) || 'RollingUpdate';
    const ru = first(strategy.rolling_update);
    setTerm(u, 'rollout strategy', 'rollout', type === 'Recreate' ? 'Recreate (all pods stop first)' : `rolling, max surge ${renderTf(ru.max_surge) || '25%'}, max unavailable ${renderTf(ru.max_unavailable) || '25%'}`, type === 'Recreate' ? { replacement: 'Recreate stops every pod before the new ones start: downtime on every rollout' } : {});
    setTerm(u, 'min ready', 'rollout', seconds(num(spec.min_ready_seconds)));
    setTerm(u, 'progress deadline', 'rollout', seconds(num(spec.progress_deadline_seconds)));
    const tpl = first(spec.template);
    const labels = (meta(tpl).labels ?? {}) as Props;
    setTerm(u, 'model version', 'model', labels['servingstack.io/model-version'] === undefined ? undefined : renderTf(labels['servingstack.io/model-version']));
    const pod = first(tpl.spec);
    let gpus = 0;
    for (const c of asArray(pod.container as Props[] | undefined)) gpus += containerTerms(u, c, '');
    for (const c of asArray(pod.init_container as Props[] | undefined)) containerTerms(u, c, 'init ');
    setTerm(u, 'service account token mounted', 'iam', pod.automount_service_account_token !== false, { security: 'grant' });
    setTerm(u, 'service account', 'iam', renderTf(pod.service_account_name) || 'default', { security: 'grant' });
    setTerm(u, 'host network', 'network', pod.host_network === true, { security: 'grant' });
    setTerm(u, 'node selector', 'capacity', renderTf(pod.node_selector) || 'any node');
    for (const v of asArray(pod.volume as Props[] | undefined)) if (v.host_path) setTerm(u, `host path volume ${renderTf(v.name)}`, 'iam', renderTf(v.host_path), { security: 'grant' });
    const n = replicas ?? 1;
    u.cost = { ...u.cost, instances: [{ name: 'pods', type: gpus > 0 ? `${gpus} GPU` : 'CPU pod', min: n, max: n, gpus }] };
  },
};

const autoscaler: Extractor = {
  phase: 2,
  extract(ctx, r) {
    const { spec, ns } = k8s(r.props);
    const ref = first(spec.scale_target_ref);
    const u = ctx.unitFor(`k8s-deployment:${ns}/${renderTf(ref.name)}`);
    const min = num(spec.min_replicas) ?? 1;
    const max = num(spec.max_replicas);
    setTerm(u, 'autoscaling min replicas', 'capacity', min);
    setTerm(u, 'autoscaling max replicas', 'capacity', max);
    for (const mt of asArray(spec.metric as Props[] | undefined)) {
      const body = first(mt[String(mt.type).toLowerCase().replace('containerresource', 'container_resource')] ?? mt.resource ?? mt.pods ?? mt.external ?? mt.object);
      const metricName = renderTf(body.name) || renderTf(first(body.metric).name);
      const t = first(body.target);
      const target = t.average_utilization !== undefined ? `${renderTf(t.average_utilization)} % utilisation` : renderTf(t.average_value ?? t.value);
      setTerm(u, `scale on ${metricName}`, 'autoscaling', `target ${target}`);
    }
    const behavior = first(spec.behavior);
    setTerm(u, 'scale-down stabilisation', 'autoscaling', seconds(num(first(behavior.scale_down).stabilization_window_seconds)));
    const inst = u.cost.instances[0];
    if (inst && max !== undefined) u.cost = { ...u.cost, instances: [{ ...inst, min, max }] };
  },
};

const service: Extractor = {
  phase: 2,
  extract(ctx, r) {
    const { m, spec, ns } = k8s(r.props);
    const u = ctx.unitFor(selectorKey(ns, spec.selector));
    ctx.owner.set(`k8s-service:${ns}/${renderTf(m.name)}`, u);
    const type = renderTf(spec.type) || 'ClusterIP';
    const exposure = type === 'ClusterIP' ? 'cluster-internal (ClusterIP)' : `public (${type}${type === 'LoadBalancer' && /internal/i.test(renderTf(m.annotations)) ? ', internal annotation' : ''})`;
    setTerm(u, `service ${renderTf(m.name)}: exposure`, 'network', exposure, { security: 'protection' });
  },
};

const ingress: Extractor = {
  phase: 3,
  extract(ctx, r) {
    const { m, spec, ns } = k8s(r.props);
    let u = ctx.stackUnit;
    const rules = asArray(spec.rule as Props[] | undefined);
    for (const rule of rules) {
      for (const p of asArray(first(rule.http).path as Props[] | undefined)) {
        const svc = renderTf(first(first(p.backend).service).name);
        u = ctx.unitFor(`k8s-service:${ns}/${svc}`);
        setTerm(u, `ingress ${renderTf(rule.host) || '*'}${renderTf(p.path)}`, 'network', `exposed (${renderTf(spec.ingress_class_name) || 'default class'})`, { security: 'grant' });
      }
    }
    setTerm(u, `ingress ${renderTf(m.name)}: TLS`, 'encryption', asArray(spec.tls as Props[] | undefined).map((t) => renderTf(t.hosts)).join(', ') || 'none (plain HTTP at the ingress)', { security: 'protection' });
  },
};

const networkPolicy: Extractor = {
  phase: 3,
  extract(ctx, r) {
    const { m, spec, ns } = k8s(r.props);
    const u = ctx.unitFor(selectorKey(ns, first(spec.pod_selector).match_labels));
    setTerm(u, `network policy ${renderTf(m.name)}`, 'network', `applies to ${renderTf(spec.policy_types) || 'Ingress'}`, { security: 'protection' });
    for (const rule of asArray(spec.ingress as Props[] | undefined)) {
      const ports = asArray(rule.ports as Props[] | undefined).map((p) => `${renderTf(p.protocol) || 'TCP'}/${renderTf(p.port)}`).join(', ') || 'all ports';
      const froms = asArray(rule.from as Props[] | undefined);
      for (const f of froms.length ? froms : [{ everywhere: true } as Props]) {
        const src = f.everywhere ? 'anywhere' : renderTf(sortKeys(f));
        setTerm(u, `network policy allows from ${src} to ${ports}`, 'network', 'allowed', { security: 'grant' });
      }
    }
  },
};

const disruptionBudget: Extractor = {
  phase: 3,
  extract(ctx, r) {
    const { spec, ns } = k8s(r.props);
    const u = ctx.unitFor(selectorKey(ns, first(spec.selector).match_labels));
    setTerm(u, 'disruption budget', 'rollout', spec.max_unavailable !== undefined ? `max unavailable ${renderTf(spec.max_unavailable)}` : `min available ${renderTf(spec.min_available)}`);
  },
};

/** Prometheus alert rules anywhere in a release's values (JSON or YAML flow): `{ alert, expr, for }`. */
function alertRules(v: unknown, out: Props[]): void {
  if (Array.isArray(v)) v.forEach((x) => alertRules(x, out));
  else if (v && typeof v === 'object') {
    const o = v as Props;
    if (typeof o.alert === 'string' && o.expr !== undefined) out.push(o);
    else Object.values(o).forEach((x) => alertRules(x, out));
  }
}

const helmRelease: Extractor = {
  phase: 3,
  extract(ctx, r) {
    const p = r.props;
    const n = shortAddress(r.id).split('.').pop();
    setTerm(ctx.stackUnit, `helm ${n}: chart`, 'model', `${renderTf(p.chart)} ${renderTf(p.version)} from ${renderTf(p.repository)}`);
    const rules: Props[] = [];
    for (const text of asArray(p.values)) {
      try {
        alertRules(JSON.parse(String(text)), rules);
      } catch {
        setTerm(ctx.stackUnit, `helm ${n}: values`, 'model', renderTf(text));
      }
    }
    for (const a of rules) {
      ctx.stackUnit.cost = { ...ctx.stackUnit.cost, alarms: ctx.stackUnit.cost.alarms + 1 };
      const expr = renderTf(a.expr).replace(/\s+/g, ' ');
      const threshold = /(>=|<=|==|!=|>|<)\s*(-?[0-9.]+(?:e[+-]?\d+)?)\s*$/.exec(expr);
      setTerm(ctx.stackUnit, `alert ${renderTf(a.alert)}`, 'alarm', `${threshold ? `${threshold[1]} ${threshold[2]}` : 'fires when the expression returns'}${a.for ? ` for ${renderTf(a.for)}` : ''}`);
      setTerm(ctx.stackUnit, `alert ${renderTf(a.alert)}: expression`, 'alarm', threshold ? expr.slice(0, threshold.index).trim() : expr);
    }
  },
};

export const ONPREM_EXTRACTORS: Readonly<Record<string, Extractor>> = {
  kubernetes_deployment_v1: deployment,
  kubernetes_deployment: deployment,
  kubernetes_horizontal_pod_autoscaler_v2: autoscaler,
  kubernetes_service_v1: service,
  kubernetes_ingress_v1: ingress,
  kubernetes_network_policy_v1: networkPolicy,
  kubernetes_pod_disruption_budget_v1: disruptionBudget,
  helm_release: helmRelease,
};
