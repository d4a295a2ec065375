/**
 * Edge fleets (CloudFormation from the AWS CDK): AWS IoT Greengrass v2 deployments and component
 * versions. Devices are the user's hardware: no instance cost.
 *
 * Replacement rules (`/work/shared/reference/edge-and-delivery.md`, CloudFormation reference):
 * a deployment's `TargetArn` and every `IotJobConfiguration` change replace the deployment (the
 * fleet receives a new deployment job); a component version is immutable.
 */
import { setTerm } from '../model';
import { asArray, num, renderCfn, seconds, stripLogicalHash } from '../render';
import { Extractor } from './context';

type Props = Record<string, unknown>;

const REPLACED = 'CloudFormation replaces AWS::GreengrassV2::Deployment when this changes: a new deployment job goes out to the whole fleet';

const deployment: Extractor = {
  phase: 1,
  extract(ctx, r) {
    const p = r.props;
    const u = ctx.addUnit(r.id, stripLogicalHash(r.id), 'Greengrass fleet deployment', { mode: 'edge', region: ctx.stack.region });
    setTerm(u, 'target fleet', 'identity', renderCfn(p.TargetArn), { replacement: REPLACED });
    for (const [name, spec] of Object.entries((p.Components ?? {}) as Record<string, Props>)) {
      setTerm(u, `component ${name}: version`, 'model', renderCfn(spec.ComponentVersion));
      const cu = (spec.ConfigurationUpdate ?? {}) as Props;
      if (cu.Merge !== undefined) setTerm(u, `component ${name}: configuration`, 'model', renderCfn(cu.Merge));
      const run = (spec.RunWith ?? {}) as Props;
      if (run.PosixUser !== undefined) setTerm(u, `component ${name}: runs as`, 'iam', renderCfn(run.PosixUser), { security: 'grant' });
    }
    const pol = (p.DeploymentPolicies ?? {}) as Props;
    setTerm(u, 'on failure', 'rollout', renderCfn(pol.FailureHandlingPolicy) || 'ROLLBACK', { security: undefined });
    const cup = (pol.ComponentUpdatePolicy ?? {}) as Props;
    setTerm(u, 'component update policy', 'rollout', cup.Action === undefined ? undefined : `${renderCfn(cup.Action)}, timeout ${seconds(num(cup.TimeoutInSeconds)) ?? '-'}`);
    const job = (p.IotJobConfiguration ?? {}) as Props;
    const rollout = (job.JobExecutionsRolloutConfig ?? {}) as Props;
    const exp = rollout.ExponentialRate as Props | undefined;
    setTerm(u, 'rollout rate', 'rollout', exp ? `from ${num(exp.BaseRatePerMinute)}/min ×${num(exp.IncrementFactor)}, max ${num(rollout.MaximumPerMinute) ?? '-'}/min` : num(rollout.MaximumPerMinute) === undefined ? undefined : `max ${num(rollout.MaximumPerMinute)}/min`, { replacement: REPLACED });
    for (const c of asArray(((job.AbortConfig ?? {}) as Props).CriteriaList as Props[] | undefined)) {
      setTerm(u, `abort on ${renderCfn(c.FailureType)}`, 'rollout', `${num(c.ThresholdPercentage)} % after ${num(c.MinNumberOfExecutedThings)} device(s): ${renderCfn(c.Action)}`, { replacement: REPLACED });
    }
    setTerm(u, 'device timeout', 'rollout', num(((job.TimeoutConfig ?? {}) as Props).InProgressTimeoutInMinutes) === undefined ? undefined : `${num(((job.TimeoutConfig ?? {}) as Props).InProgressTimeoutInMinutes)} min`, { replacement: REPLACED });
  },
};

const componentVersion: Extractor = {
  phase: 2,
  extract(ctx, r) {
    const text = renderCfn(r.props.InlineRecipe);
    let recipe: Props = {};
    try {
      recipe = JSON.parse(text) as Props;
    } catch {
      setTerm(ctx.stackUnit, `component ${stripLogicalHash(r.id)}: recipe`, 'model', text);
      return;
    }
    const name = String(recipe.ComponentName ?? stripLogicalHash(r.id));
    setTerm(ctx.stackUnit, `component ${name}: published version`, 'model', String(recipe.ComponentVersion ?? ''));
    for (const m of asArray(recipe.Manifests as Props[] | undefined)) {
      const plat = (m.Platform ?? {}) as Props;
      const key = `component ${name} on ${String(plat.os ?? '*')}/${String(plat.architecture ?? '*')}`;
      setTerm(ctx.stackUnit, `${key}: artifacts`, 'model', asArray(m.Artifacts as Props[] | undefined).map((a) => String(a.URI)).join(', '));
    }
    const access = JSON.stringify(((recipe.ComponentConfiguration ?? {}) as Props).DefaultConfiguration ?? {});
    const ipc = /"accessControl":(\{.*\})/.exec(access)?.[1];
    if (ipc) setTerm(ctx.stackUnit, `component ${name}: IPC access`, 'iam', ipc, { security: 'grant' });
  },
};

export const EDGE_EXTRACTORS: Readonly<Record<string, Extractor>> = {
  'AWS::GreengrassV2::Deployment': deployment,
  'AWS::GreengrassV2::ComponentVersion': componentVersion,
};
