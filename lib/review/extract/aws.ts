/**
 * AWS (CloudFormation from the AWS CDK): SageMaker endpoints, configs and models, Application
 * Auto Scaling, CloudWatch alarms, IAM, KMS, logs and buckets, in serving terms.
 *
 * Replacement rules (CloudFormation resource reference, `/work/shared/reference/sagemaker.md`):
 * - `AWS::SageMaker::Endpoint` `EndpointName`: update requires replacement (a new endpoint; clients
 *   of the old name fail).
 * - `UpdateEndpoint` fails when it changes the instance type of, or removes, a variant registered
 *   as a scalable target (deregister first): a failed deployment and rollback.
 * - Every `EndpointConfig` change creates a new config; the endpoint itself is updated in place
 *   (blue/green), so a config change alone is not reported as a replacement.
 */
import { setTerm, ServingUnit } from '../model';
import { asArray, num, renderCfn, seconds, str, stripLogicalHash } from '../render';
import { ExtractContext, Extractor } from './context';

type Props = Record<string, unknown>;

const refId = (v: unknown): string | undefined => {
  if (v && typeof v === 'object') {
    const o = v as Props;
    if (typeof o.Ref === 'string') return o.Ref;
    if (Array.isArray(o['Fn::GetAtt'])) return String(o['Fn::GetAtt'][0]);
  }
  return undefined;
};

/** Logical ids end in an 8-hex-digit hash: drop it for labels. */
export const shortId = stripLogicalHash;

const CAPTURE_BY_MODEL = 'aws:variantOfModel:';

function variantTerms(ctx: ExtractContext, u: ServingUnit, v: Props, prefix: string, weightTotal: number): void {
  const name = str(v.VariantName) ?? 'AllTraffic';
  const p = `${prefix}${name}`;
  const modelId = refId(v.ModelName);
  if (modelId) {
    ctx.owner.set(modelId, u);
    ctx.facts.set(`${CAPTURE_BY_MODEL}${modelId}`, [...((ctx.facts.get(`${CAPTURE_BY_MODEL}${modelId}`) as string[] | undefined) ?? []), p]);
  }
  const serverless = v.ServerlessConfig as Props | undefined;
  if (serverless) {
    setTerm(u, `${p}: serverless memory`, 'capacity', `${num(serverless.MemorySizeInMB)} MB`);
    setTerm(u, `${p}: serverless max concurrency`, 'capacity', num(serverless.MaxConcurrency));
    setTerm(u, `${p}: provisioned concurrency`, 'capacity', num(serverless.ProvisionedConcurrency) ?? 0);
    u.cost = { ...u.cost, mode: 'serverless', serverless: { memoryMb: num(serverless.MemorySizeInMB) ?? 0, maxConcurrency: num(serverless.MaxConcurrency) ?? 0, provisionedConcurrency: num(serverless.ProvisionedConcurrency) ?? 0 } };
  } else {
    const type = str(v.InstanceType) ?? '(unknown)';
    const count = num(v.InitialInstanceCount) ?? 1;
    setTerm(u, `${p}: instance type`, 'capacity', type);
    setTerm(u, `${p}: instance count`, 'capacity', count);
    u.cost.instances.push({ name: p, type, min: count, max: count });
  }
  if (prefix === '') {
    const w = num(v.InitialVariantWeight) ?? 1;
    setTerm(u, `${p}: traffic share`, 'traffic', `${Math.round((w / weightTotal) * 1000) / 10} %`);
  } else setTerm(u, `${p}: shadow traffic`, 'traffic', 'mirrored');
  setTerm(u, `${p}: routing`, 'traffic', str((v.RoutingConfig as Props | undefined)?.RoutingStrategy));
  setTerm(u, `${p}: startup health-check timeout`, 'rollout', seconds(num(v.ContainerStartupHealthCheckTimeoutInSeconds)));
  const mis = v.ManagedInstanceScaling as Props | undefined;
  if (mis) setTerm(u, `${p}: managed instance scaling`, 'capacity', `${str(mis.Status)} ${num(mis.MinInstanceCount) ?? ''}–${num(mis.MaxInstanceCount) ?? ''}`);
}

const endpoint: Extractor = {
  phase: 1,
  extract(ctx, r) {
    const name = typeof r.props.EndpointName === 'string' ? r.props.EndpointName : r.id;
    const u = ctx.addUnit(r.id, name, 'SageMaker endpoint', { region: ctx.stack.region });
    ctx.owner.set(name, u);
    setTerm(u, 'endpoint name', 'identity', str(r.props.EndpointName) ?? `(generated for ${r.id})`, {
      replacement: 'CloudFormation replaces AWS::SageMaker::Endpoint when EndpointName changes: a new endpoint, clients of the old name fail',
    });
    const configId = refId(r.props.EndpointConfigName);
    if (configId) ctx.owner.set(configId, u);
    const dc = r.props.DeploymentConfig as Props | undefined;
    const bg = dc?.BlueGreenUpdatePolicy as Props | undefined;
    const rolling = dc?.RollingUpdatePolicy as Props | undefined;
    if (bg) {
      const tr = (bg.TrafficRoutingConfiguration ?? {}) as Props;
      setTerm(u, 'rollout strategy', 'rollout', `blue/green ${str(tr.Type)}`);
      const size = (tr.CanarySize ?? tr.LinearStepSize) as Props | undefined;
      if (size) setTerm(u, tr.Type === 'LINEAR' ? 'linear step size' : 'canary size', 'rollout', `${num(size.Value)} ${size.Type === 'CAPACITY_PERCENT' ? '%' : 'instance(s)'}`);
      setTerm(u, 'bake time', 'rollout', seconds(num(tr.WaitIntervalInSeconds)));
      setTerm(u, 'old fleet kept for', 'rollout', seconds(num(bg.TerminationWaitInSeconds)));
      setTerm(u, 'rollout timeout', 'rollout', seconds(num(bg.MaximumExecutionTimeoutInSeconds)));
    } else if (rolling) {
      const b = (rolling.MaximumBatchSize ?? {}) as Props;
      setTerm(u, 'rollout strategy', 'rollout', 'rolling');
      setTerm(u, 'rolling batch size', 'rollout', `${num(b.Value)} ${b.Type === 'CAPACITY_PERCENT' ? '%' : 'instance(s)'}`);
      setTerm(u, 'bake time', 'rollout', seconds(num(rolling.WaitIntervalInSeconds)));
    } else setTerm(u, 'rollout strategy', 'rollout', 'all at once, no automatic rollback');
    for (const a of asArray((dc?.AutoRollbackConfiguration as Props | undefined)?.Alarms as Props[] | undefined)) {
      setTerm(u, `rollback alarm ${str(a.AlarmName)}`, 'rollout', 'watched', { security: undefined });
    }
    setTerm(u, 'autoscaled counts kept across updates', 'capacity', r.props.RetainAllVariantProperties === true);
  },
};

const endpointConfig: Extractor = {
  phase: 2,
  extract(ctx, r) {
    const u = ctx.unitFor(r.id);
    if (u === ctx.stackUnit) return; // a config no endpoint uses serves nothing
    const variants = asArray(r.props.ProductionVariants as Props[] | undefined);
    const total = variants.reduce((s, v) => s + (num(v.InitialVariantWeight) ?? 1), 0) || 1;
    for (const v of variants) variantTerms(ctx, u, v, '', total);
    for (const v of asArray(r.props.ShadowProductionVariants as Props[] | undefined)) variantTerms(ctx, u, v, 'shadow ', 1);
    const key = r.props.KmsKeyId;
    setTerm(u, 'storage encryption (KMS key)', 'encryption', key === undefined ? 'none (AWS-owned key)' : renderCfn(key), { security: 'protection' });
    const capture = r.props.DataCaptureConfig as Props | undefined;
    const enabled = capture !== undefined && capture.EnableCapture !== false;
    setTerm(u, 'data capture', 'data-capture', enabled ? 'on' : 'off');
    if (capture && enabled) {
      const pct = num(capture.InitialSamplingPercentage) ?? 0;
      setTerm(u, 'data capture sampling', 'data-capture', `${pct} %`, { cls: 'capacity' });
      setTerm(u, 'data capture modes', 'data-capture', asArray(capture.CaptureOptions as Props[]).map((o) => str(o.CaptureMode)).join(', '));
      setTerm(u, 'data capture destination', 'data-capture', renderCfn(capture.DestinationS3Uri));
      setTerm(u, 'data capture encryption (KMS key)', 'encryption', capture.KmsKeyId === undefined ? 'none' : renderCfn(capture.KmsKeyId), { security: 'protection' });
      u.cost = { ...u.cost, dataCapturePercent: pct };
    }
    const async = r.props.AsyncInferenceConfig as Props | undefined;
    if (async) {
      u.cost = { ...u.cost, mode: 'async' };
      setTerm(u, 'async max concurrent invocations per instance', 'capacity', num((async.ClientConfig as Props | undefined)?.MaxConcurrentInvocationsPerInstance));
      const out = (async.OutputConfig ?? {}) as Props;
      setTerm(u, 'async output', 'data-capture', renderCfn(out.S3OutputPath));
      setTerm(u, 'async output encryption (KMS key)', 'encryption', out.KmsKeyId === undefined ? 'none' : renderCfn(out.KmsKeyId), { security: 'protection' });
      const n = (out.NotificationConfig ?? {}) as Props;
      setTerm(u, 'async notifications', 'alarm', [n.SuccessTopic ? 'success' : '', n.ErrorTopic ? 'error' : ''].filter(Boolean).join(', ') || 'none');
    }
  },
};

const model: Extractor = {
  phase: 3,
  extract(ctx, r) {
    const u = ctx.unitFor(r.id);
    if (u === ctx.stackUnit) return;
    const variants = (ctx.facts.get(`${CAPTURE_BY_MODEL}${r.id}`) as string[] | undefined) ?? [shortId(r.id)];
    const containers = r.props.PrimaryContainer ? [r.props.PrimaryContainer as Props] : asArray(r.props.Containers as Props[] | undefined);
    for (const p of variants) {
      containers.forEach((c, i) => {
        const cp = containers.length > 1 ? `${p} container ${i + 1}` : p;
        setTerm(u, `${cp}: image`, 'model', renderCfn(c.Image));
        setTerm(u, `${cp}: model data`, 'model', c.ModelDataUrl === undefined ? undefined : renderCfn(c.ModelDataUrl));
        setTerm(u, `${cp}: model package`, 'model', c.ModelPackageName === undefined ? undefined : renderCfn(c.ModelPackageName));
        for (const [k, v] of Object.entries((c.Environment ?? {}) as Props)) setTerm(u, `${cp}: env ${k}`, 'model', renderCfn(v));
        const versionId = refId(c.ModelDataUrl);
        if (versionId) ctx.owner.set(versionId, u);
      });
      const vpc = r.props.VpcConfig as Props | undefined;
      setTerm(u, `${p}: VPC`, 'network', vpc ? `subnets ${renderCfn(vpc.Subnets)}; security groups ${renderCfn(vpc.SecurityGroupIds)}` : 'none (SageMaker-managed network)', { security: 'protection' });
      setTerm(u, `${p}: network isolation`, 'network', r.props.EnableNetworkIsolation === true, { security: 'protection' });
    }
    const role = refId(r.props.ExecutionRoleArn);
    if (role) ctx.owner.set(role, u);
  },
};

const modelVersion: Extractor = {
  phase: 4,
  extract(ctx, r) {
    const u = ctx.unitFor(r.id);
    setTerm(u, 'model version: registry group', 'model', str(r.props.ModelPackageGroupName));
    setTerm(u, 'model version: pinned package', 'model', str(r.props.PinnedModelPackageArn) || 'latest approved');
    setTerm(u, 'model version: approved only', 'model', str(r.props.RequireApproved));
    setTerm(u, 'model version: refresh token', 'model', str(r.props.RefreshToken));
  },
};

const variantOf = (resourceId: unknown): string => /\/variant\/([^/"]+)/.exec(renderCfn(resourceId))?.[1] ?? '?';

const scalableTarget: Extractor = {
  phase: 3,
  extract(ctx, r) {
    if (r.props.ServiceNamespace !== 'sagemaker') return;
    const u = ctx.unitFor(undefined, r.props.ResourceId);
    const v = variantOf(r.props.ResourceId);
    ctx.owner.set(r.id, u);
    ctx.facts.set(`aws:variantOfTarget:${r.id}`, v);
    const min = num(r.props.MinCapacity);
    const max = num(r.props.MaxCapacity);
    const provisioned = String(r.props.ScalableDimension).includes('ProvisionedConcurrency');
    const what = provisioned ? 'provisioned concurrency' : 'instances';
    setTerm(u, `${v}: autoscaling min ${what}`, 'capacity', min);
    setTerm(u, `${v}: autoscaling max ${what}`, 'capacity', max);
    for (const a of asArray(r.props.ScheduledActions as Props[] | undefined)) {
      const t = (a.ScalableTargetAction ?? {}) as Props;
      setTerm(u, `${v}: scheduled ${str(a.Schedule)} ${str(a.Timezone) ?? 'UTC'}`, 'autoscaling', `min ${num(t.MinCapacity) ?? '-'} max ${num(t.MaxCapacity) ?? '-'}`, { cls: 'capacity' });
    }
    if (!provisioned) {
      const inst = u.cost.instances.find((i) => i.name === v);
      if (inst && min !== undefined && max !== undefined) Object.assign(inst, { min, max });
      const it = u.terms.get(`${v}: instance type`);
      if (it) u.terms.set(`${v}: instance type`, { ...it, replacement: 'UpdateEndpoint fails when it changes the instance type of a variant registered as a scalable target: deregister the target first, or the deployment rolls back' });
      const ic = u.terms.get(`${v}: instance count`);
      if (ic) u.terms.set(`${v}: instance count`, { ...ic, replacement: 'removing a variant registered as a scalable target fails UpdateEndpoint: deregister the target first' });
    }
  },
};

const scalingPolicy: Extractor = {
  phase: 4,
  extract(ctx, r) {
    const targetId = refId(r.props.ScalingTargetId);
    if (!targetId || !ctx.owner.has(targetId)) return;
    const u = ctx.owner.get(targetId)!;
    const v = (ctx.facts.get(`aws:variantOfTarget:${targetId}`) as string | undefined) ?? '?';
    const tt = r.props.TargetTrackingScalingPolicyConfiguration as Props | undefined;
    if (tt) {
      const metric = str((tt.PredefinedMetricSpecification as Props | undefined)?.PredefinedMetricType) ?? str((tt.CustomizedMetricSpecification as Props | undefined)?.MetricName) ?? 'custom metric';
      setTerm(u, `${v}: scale on ${metric}`, 'autoscaling', `target ${num(tt.TargetValue)}, scale-in cooldown ${seconds(num(tt.ScaleInCooldown)) ?? '-'}, scale-out cooldown ${seconds(num(tt.ScaleOutCooldown)) ?? '-'}${tt.DisableScaleIn ? ', no scale-in' : ''}`);
    }
    const step = r.props.StepScalingPolicyConfiguration as Props | undefined;
    if (step) setTerm(u, `${v}: step scaling ${shortId(r.id)}`, 'autoscaling', renderCfn(step));
  },
};

const COMPARISON: Record<string, string> = {
  GreaterThanThreshold: '>', GreaterThanOrEqualToThreshold: '>=', LessThanThreshold: '<', LessThanOrEqualToThreshold: '<=',
};

function alarmMetric(p: Props): string {
  if (typeof p.MetricName === 'string') return `${str(p.ExtendedStatistic) ?? str(p.Statistic) ?? ''} ${p.MetricName}`.trim();
  const ret = asArray(p.Metrics as Props[] | undefined).find((m) => m.ReturnData !== false);
  return ret ? (str(ret.Label) ?? str(ret.Expression) ?? 'metric math') : 'metric';
}

const alarm: Extractor = {
  phase: 4,
  extract(ctx, r) {
    const u = ctx.unitFor(undefined, r.props);
    u.cost = { ...u.cost, alarms: u.cost.alarms + 1 };
    const p = r.props;
    const period = num(p.Period) ?? num(((asArray(p.Metrics as Props[] | undefined).find((m) => m.MetricStat) ?? {}).MetricStat as Props | undefined)?.Period);
    const metric = alarmMetric(p);
    const threshold = num(p.Threshold);
    // SageMaker reports ModelLatency and OverheadLatency in microseconds
    const human = threshold !== undefined && /(Model|Overhead)Latency/.test(metric) ? ` µs (${threshold >= 1e6 ? `${threshold / 1e6} s` : `${threshold / 1e3} ms`})` : '';
    const value = `${metric} ${COMPARISON[String(p.ComparisonOperator)] ?? str(p.ComparisonOperator)} ${threshold ?? str(p.Threshold)}${human} (${num(p.DatapointsToAlarm) ?? num(p.EvaluationPeriods)} of ${num(p.EvaluationPeriods)} × ${seconds(period) ?? '?'}, missing data ${str(p.TreatMissingData) ?? 'missing'})`;
    setTerm(u, `alarm ${shortId(r.id)}`, 'alarm', value);
    setTerm(u, `alarm ${shortId(r.id)}: actions`, 'alarm', p.ActionsEnabled === false ? 'disabled' : `${asArray(p.AlarmActions).length} action(s)`);
  },
};

const compositeAlarm: Extractor = {
  phase: 4,
  extract(ctx, r) {
    const u = ctx.unitFor(undefined, r.props);
    u.cost = { ...u.cost, alarms: u.cost.alarms + 1 };
    setTerm(u, `alarm ${shortId(r.id)}`, 'alarm', renderCfn(r.props.AlarmRule));
  },
};

/** One term per allowed (or denied) action on a resource: an added one is a security regression. */
function statementTerms(u: ServingUnit, who: string, statements: unknown): void {
  for (const s of asArray(statements as Props[] | undefined)) {
    const effect = str(s.Effect) ?? 'Allow';
    const resources = asArray(s.Resource ?? s.NotResource).map(renderCfn);
    const cond = s.Condition ? ` when ${renderCfn(s.Condition)}` : '';
    const principal = s.Principal ? ` for ${renderCfn(s.Principal)}` : '';
    for (const a of asArray(s.Action ?? s.NotAction).map(renderCfn)) {
      for (const res of resources.length ? resources : ['']) {
        const label = `IAM ${who}: ${effect} ${s.NotAction ? 'all but ' : ''}${a}${res ? ` on ${s.NotResource ? 'all but ' : ''}${res}` : ''}${principal}`;
        setTerm(u, label, 'iam', `granted${cond}`, { security: effect === 'Deny' ? 'protection' : 'grant' });
      }
    }
  }
}

const iamPolicy: Extractor = {
  phase: 5,
  extract(ctx, r) {
    for (const role of asArray(r.props.Roles)) {
      const id = refId(role) ?? renderCfn(role);
      statementTerms(ctx.unitFor(id), `role ${shortId(id)}`, (r.props.PolicyDocument as Props | undefined)?.Statement);
    }
  },
};

const iamRole: Extractor = {
  phase: 5,
  extract(ctx, r) {
    const u = ctx.unitFor(r.id);
    const who = `role ${shortId(r.id)}`;
    for (const m of asArray(r.props.ManagedPolicyArns)) setTerm(u, `IAM ${who}: managed policy ${renderCfn(m)}`, 'iam', 'attached', { security: 'grant' });
    for (const s of asArray((r.props.AssumeRolePolicyDocument as Props | undefined)?.Statement as Props[] | undefined)) {
      setTerm(u, `IAM ${who}: trusts ${renderCfn(s.Principal)}`, 'iam', `${renderCfn(s.Action)}${s.Condition ? ` when ${renderCfn(s.Condition)}` : ''}`, { security: 'grant' });
    }
    for (const p of asArray(r.props.Policies as Props[] | undefined)) statementTerms(u, who, (p.PolicyDocument as Props | undefined)?.Statement);
    setTerm(u, `IAM ${who}: permissions boundary`, 'iam', r.props.PermissionsBoundary === undefined ? undefined : renderCfn(r.props.PermissionsBoundary), { security: 'protection' });
  },
};

const kmsKey: Extractor = {
  phase: 5,
  extract(ctx, r) {
    const u = ctx.stackUnit; // stack-wide: a key stays put when a config stops using it (that change is its own finding)
    setTerm(u, `KMS key ${shortId(r.id)}: rotation`, 'encryption', r.props.EnableKeyRotation === true, { security: 'protection' });
    statementTerms(u, `key policy ${shortId(r.id)}`, (r.props.KeyPolicy as Props | undefined)?.Statement);
  },
};

const bucket: Extractor = {
  phase: 5,
  extract(ctx, r) {
    const u = ctx.stackUnit;
    const enc = asArray(((r.props.BucketEncryption as Props | undefined)?.ServerSideEncryptionConfiguration as Props[] | undefined))[0];
    const sse = (enc?.ServerSideEncryptionByDefault ?? {}) as Props;
    setTerm(u, `bucket ${shortId(r.id)}: encryption`, 'encryption', enc ? `${str(sse.SSEAlgorithm)}${sse.KMSMasterKeyID ? ` ${renderCfn(sse.KMSMasterKeyID)}` : ''}` : 'S3 default (SSE-S3)', { security: 'protection' });
    const pab = (r.props.PublicAccessBlockConfiguration ?? {}) as Props;
    const blocked = ['BlockPublicAcls', 'BlockPublicPolicy', 'IgnorePublicAcls', 'RestrictPublicBuckets'].every((k) => pab[k] === true);
    setTerm(u, `bucket ${shortId(r.id)}: public access blocked`, 'network', blocked, { security: 'protection' });
  },
};

const bucketPolicy: Extractor = {
  phase: 5,
  extract(ctx, r) {
    const id = refId(r.props.Bucket) ?? r.id;
    statementTerms(ctx.stackUnit, `bucket policy ${shortId(id)}`, (r.props.PolicyDocument as Props | undefined)?.Statement);
  },
};

const logGroup: Extractor = {
  phase: 5,
  extract(ctx, r) {
    ctx.logGroups++;
    const u = ctx.stackUnit;
    setTerm(u, `log group ${shortId(r.id)}: retention`, 'data-capture', num(r.props.RetentionInDays) === undefined ? 'never expires' : `${num(r.props.RetentionInDays)} days`);
    setTerm(u, `log group ${shortId(r.id)}: encryption (KMS key)`, 'encryption', r.props.KmsKeyId === undefined ? 'none' : renderCfn(r.props.KmsKeyId), { security: 'protection' });
  },
};

const dashboard: Extractor = {
  phase: 5,
  extract(ctx) {
    ctx.dashboards++;
  },
};

export const AWS_EXTRACTORS: Readonly<Record<string, Extractor>> = {
  'AWS::SageMaker::Endpoint': endpoint,
  'AWS::SageMaker::EndpointConfig': endpointConfig,
  'AWS::SageMaker::Model': model,
  'Custom::ServingStackModelVersion': modelVersion,
  'AWS::ApplicationAutoScaling::ScalableTarget': scalableTarget,
  'AWS::ApplicationAutoScaling::ScalingPolicy': scalingPolicy,
  'AWS::CloudWatch::Alarm': alarm,
  'AWS::CloudWatch::CompositeAlarm': compositeAlarm,
  'AWS::IAM::Policy': iamPolicy,
  'AWS::IAM::Role': iamRole,
  'AWS::KMS::Key': kmsKey,
  'AWS::S3::Bucket': bucket,
  'AWS::S3::BucketPolicy': bucketPolicy,
  'AWS::Logs::LogGroup': logGroup,
  'AWS::CloudWatch::Dashboard': dashboard,
};
