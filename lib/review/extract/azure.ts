/**
 * Azure Machine Learning (Terraform JSON from CDK for Terraform through our azapi binding): one
 * Terraform type, `azapi_resource`, dispatched on its ARM `type` (`Namespace/type@apiVersion`):
 * online endpoints, deployments, autoscale settings, role assignments, metric alerts; traffic
 * from the endpoint's `azapi_update_resource`.
 *
 * Replacement rules: azapi replaces a resource when `name`, `type` or `parent_id` changes; Azure
 * ML cannot change the instance type of an existing managed online deployment (a new deployment
 * is needed: update fails).
 */
import { ServingUnit, setTerm } from '../model';
import { asArray, num } from '../render';
import { Extractor, Resource } from './context';
import { renderTf, shortAddress } from './terraform';

type Props = Record<string, unknown>;

const ML = 'Microsoft.MachineLearningServices/workspaces';
const armType = (r: Resource): string => String(r.props.type ?? '').split('@')[0];
const parentAddress = (v: unknown): string | undefined => /\$\{(azapi_resource\.[A-Za-z0-9_-]+)\.id\}/.exec(String(v ?? ''))?.[1];
const REPLACED = 'azapi replaces the resource when its name, type or parent changes: the endpoint and its deployments are recreated, clients of the old scoring URI fail';

function endpoint(ctx: Parameters<Extractor['extract']>[0], r: Resource): void {
  const body = (r.props.body ?? {}) as Props;
  const p = (body.properties ?? {}) as Props;
  const u = ctx.addUnit(r.id, renderTf(r.props.name), 'Azure ML online endpoint', { region: renderTf(r.props.location) || undefined });
  setTerm(u, 'endpoint name', 'identity', renderTf(r.props.name), { replacement: REPLACED });
  setTerm(u, 'workspace', 'identity', renderTf(r.props.parent_id), { replacement: REPLACED });
  setTerm(u, 'authentication', 'network', renderTf(p.authMode), { security: 'protection' });
  setTerm(u, 'network exposure', 'network', p.publicNetworkAccess === 'Disabled' ? 'private (private endpoint only)' : 'public network access', { security: 'protection' });
  for (const [d, pct] of Object.entries((p.traffic ?? {}) as Props)) setTerm(u, `deployment ${d}: traffic share`, 'traffic', `${num(pct)} %`);
  for (const [d, pct] of Object.entries((p.mirrorTraffic ?? {}) as Props)) setTerm(u, `deployment ${d}: mirrored traffic`, 'traffic', `${num(pct)} %`);
}

function deployment(ctx: Parameters<Extractor['extract']>[0], r: Resource): void {
  const parent = parentAddress(r.props.parent_id);
  const u = ctx.unitFor(parent);
  const body = (r.props.body ?? {}) as Props;
  const p = (body.properties ?? {}) as Props;
  const d = `deployment ${renderTf(r.props.name)}`;
  ctx.owner.set(`azapi_resource.${r.id.split('.')[1]}`, u);
  ctx.facts.set(`azure:deployment:${r.id}`, d);
  const type = renderTf(p.instanceType);
  const count = num((body.sku as Props | undefined)?.capacity) ?? 1;
  setTerm(u, `${d}: instance type`, 'capacity', type, { replacement: 'Azure ML cannot change the instance type of an existing online deployment: create a new deployment and move traffic' });
  setTerm(u, `${d}: instance count`, 'capacity', count);
  setTerm(u, `${d}: model`, 'model', renderTf(p.model));
  setTerm(u, `${d}: environment (image)`, 'model', renderTf(p.environmentId));
  setTerm(u, `${d}: description`, 'model', renderTf(p.description));
  for (const [k, v] of Object.entries((p.environmentVariables ?? {}) as Props)) setTerm(u, `${d}: env ${k}`, 'model', renderTf(v));
  const rs = (p.requestSettings ?? {}) as Props;
  setTerm(u, `${d}: max concurrent requests per instance`, 'capacity', num(rs.maxConcurrentRequestsPerInstance));
  setTerm(u, `${d}: request timeout`, 'rollout', renderTf(rs.requestTimeout) || undefined);
  setTerm(u, `${d}: egress`, 'network', p.egressPublicNetworkAccess === 'Disabled' ? 'private (managed network)' : 'public network access', { security: 'protection' });
  setTerm(u, `${d}: readiness probe`, 'rollout', p.readinessProbe === undefined ? undefined : renderTf(p.readinessProbe));
  setTerm(u, `${d}: Application Insights`, 'alarm', p.appInsightsEnabled === true);
  u.cost.instances.push({ name: d, type, min: count, max: count });
}

function autoscale(ctx: Parameters<Extractor['extract']>[0], r: Resource): void {
  const p = ((r.props.body ?? {}) as Props).properties as Props | undefined;
  const target = parentAddress(p?.targetResourceUri);
  const u: ServingUnit = ctx.unitFor(target);
  const d = (target && [...ctx.facts.entries()].find(([k]) => k === `azure:deployment:${target}`)?.[1]) ?? 'deployment';
  for (const profile of asArray(p?.profiles as Props[] | undefined)) {
    const cap = (profile.capacity ?? {}) as Props;
    const min = num(cap.minimum);
    const max = num(cap.maximum);
    setTerm(u, `${d}: autoscaling min instances`, 'capacity', min);
    setTerm(u, `${d}: autoscaling max instances`, 'capacity', max);
    for (const rule of asArray(profile.rules as Props[] | undefined)) {
      const t = (rule.metricTrigger ?? {}) as Props;
      const a = (rule.scaleAction ?? {}) as Props;
      setTerm(u, `${d}: scale ${renderTf(a.direction)} on ${renderTf(t.metricName)}`, 'autoscaling', `${renderTf(t.operator)} ${num(t.threshold)} over ${renderTf(t.timeWindow)}, by ${renderTf(a.value)}, cooldown ${renderTf(a.cooldown)}`);
    }
    const inst = u.cost.instances.find((i) => i.name === d);
    if (inst && min !== undefined && max !== undefined) Object.assign(inst, { min, max });
  }
  setTerm(u, `${d}: autoscale enabled`, 'autoscaling', p?.enabled !== false);
}

function roleAssignment(ctx: Parameters<Extractor['extract']>[0], r: Resource): void {
  const p = (((r.props.body ?? {}) as Props).properties ?? {}) as Props;
  const role = renderTf(p.description) || renderTf(p.roleDefinitionId).split('/').pop();
  setTerm(ctx.stackUnit, `IAM ${renderTf(p.principalId)}: ${role} on ${renderTf(r.props.parent_id)}`, 'iam', 'granted', { security: 'grant' });
}

function metricAlert(ctx: Parameters<Extractor['extract']>[0], r: Resource): void {
  const p = (((r.props.body ?? {}) as Props).properties ?? {}) as Props;
  const u = ctx.unitFor(undefined, p.scopes);
  u.cost = { ...u.cost, alarms: u.cost.alarms + 1 };
  const crit = asArray(((p.criteria ?? {}) as Props).allOf as Props[] | undefined).map((c) => `${renderTf(c.timeAggregation)} ${renderTf(c.metricName)} ${renderTf(c.operator)} ${num(c.threshold)}`).join(' and ');
  setTerm(u, `alert ${shortAddress(r.id).split('.').pop()}`, 'alarm', `${crit} over ${renderTf(p.windowSize)}${p.enabled === false ? ' (disabled)' : ''}`);
}

function storage(ctx: Parameters<Extractor['extract']>[0], r: Resource): void {
  const p = (((r.props.body ?? {}) as Props).properties ?? {}) as Props;
  const n = shortAddress(r.id).split('.').pop();
  setTerm(ctx.stackUnit, `storage ${n}: public blob access`, 'network', p.allowBlobPublicAccess === true, { security: 'grant' });
  setTerm(ctx.stackUnit, `storage ${n}: HTTPS only`, 'encryption', p.supportsHttpsTrafficOnly !== false, { security: 'protection' });
  setTerm(ctx.stackUnit, `storage ${n}: encryption`, 'encryption', renderTf(((p.encryption ?? {}) as Props).keySource) || 'Microsoft.Storage', { security: 'protection' });
}

const BY_ARM_TYPE: Readonly<Record<string, { phase: number; extract: Extractor['extract'] }>> = {
  [`${ML}/onlineEndpoints`]: { phase: 1, extract: endpoint },
  [`${ML}/onlineEndpoints/deployments`]: { phase: 2, extract: deployment },
  'Microsoft.Insights/autoscalesettings': { phase: 3, extract: autoscale },
  'Microsoft.Authorization/roleAssignments': { phase: 3, extract: roleAssignment },
  'Microsoft.Insights/metricAlerts': { phase: 3, extract: metricAlert },
  'Microsoft.Storage/storageAccounts': { phase: 3, extract: storage },
};

/** One Terraform type for every ARM type: the phase and the extraction follow the ARM type. */
const azapiResource: Extractor = {
  phase: (r) => BY_ARM_TYPE[armType(r)]?.phase ?? 9,
  extract(ctx, r) {
    BY_ARM_TYPE[armType(r)]?.extract(ctx, r);
  },
};

/** Traffic set after the deployments exist (`azapi_update_resource` on the endpoint). */
const updateResource: Extractor = {
  phase: 4,
  extract(ctx, r) {
    if (!String(r.props.type).startsWith(`${ML}/onlineEndpoints@`)) return;
    const u = ctx.unitFor(parentAddress(r.props.resource_id));
    const p = (((r.props.body ?? {}) as Props).properties ?? {}) as Props;
    for (const [d, pct] of Object.entries((p.traffic ?? {}) as Props)) setTerm(u, `deployment ${d}: traffic share`, 'traffic', `${num(pct)} %`);
    for (const [d, pct] of Object.entries((p.mirrorTraffic ?? {}) as Props)) setTerm(u, `deployment ${d}: mirrored traffic`, 'traffic', `${num(pct)} %`);
  },
};

export const AZURE_EXTRACTORS: Readonly<Record<string, Extractor>> = {
  azapi_resource: azapiResource,
  azapi_update_resource: updateResource,
};
