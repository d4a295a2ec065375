import * as fs from 'node:fs';
import { DiffReport, loadPrices, readServingModels, reviewDiff } from '../../lib/review';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { runCli } from '../support/cli';
import { CANARY, GCP, Json, ONPREM, cfn, synthesizeExamples, tempDir, tf, variant } from './fixtures';

let base: string;
beforeAll(() => {
  base = synthesizeExamples();
}, 240_000);

const review = (after: string): DiffReport => reviewDiff(readServingModels(base), readServingModels(after), loadPrices(), {});
/** Findings as [unit, term, before, after, class]: the exact list a reviewer sees. */
const rows = (r: DiffReport): unknown[][] => r.findings.map((f) => [f.unit, f.term, f.before, f.after, f.cls]);
const EP = 'ServingStack-RealtimeCanary-BreastCancer-Endpoint-10BDF9B0';

describe('servingstack diff: noise', () => {
  test('asset hashes, logical-id order and metadata report nothing', () => {
    // GIVEN every 64-hex asset hash replaced, resources in reverse order, metadata rewritten
    const rehash = (doc: Json): Json => JSON.parse(JSON.stringify(doc).replace(/[0-9a-f]{64}/g, 'f'.repeat(64)));
    const reorder = (doc: Json): void => {
      const next = rehash(doc);
      const ids = Object.keys(next.Resources).reverse();
      doc.Resources = Object.fromEntries(ids.map((id) => [id, { ...next.Resources[id], Metadata: { 'aws:cdk:path': `moved/${id}` } }]));
    };
    const after = variant(base, {
      [CANARY]: reorder,
      [GCP]: (d) => {
        for (const byName of Object.values(d.resource as Json)) for (const r of Object.values(byName as Json)) (r as Json)['//'] = { metadata: { path: 'elsewhere' } };
      },
    });
    // WHEN
    const r = review(after);
    // THEN
    expect(r.findings).toEqual([]);
    expect(r.costDelta).toEqual([]);
    expect(r.gate).toBe(false);
  });
});

describe('servingstack diff: AWS, one known change each', () => {
  test('canary size and bake time are behaviour changes', () => {
    const after = variant(base, {
      [CANARY]: (d) => {
        const tr = cfn(d, 'AWS::SageMaker::Endpoint').DeploymentConfig.BlueGreenUpdatePolicy.TrafficRoutingConfiguration;
        tr.CanarySize = { Type: 'CAPACITY_PERCENT', Value: 50 };
        tr.WaitIntervalInSeconds = 60;
      },
    });
    const r = review(after);
    expect(rows(r)).toEqual([
      [EP, 'bake time', '10 min', '1 min', 'behaviour'],
      [EP, 'canary size', '1 instance(s)', '50 %', 'behaviour'],
    ]);
    expect(r.gate).toBe(false);
  });

  test('removing the endpoint KMS key is a security regression', () => {
    const after = variant(base, { [CANARY]: (d) => void delete cfn(d, 'AWS::SageMaker::EndpointConfig').KmsKeyId });
    expect(rows(review(after))).toEqual([[EP, 'storage encryption (KMS key)', 'BreastCancerEndpointKey.Arn', 'none (AWS-owned key)', 'security-regression']]);
  });

  test('a new IAM permission on the execution role is a security regression', () => {
    const after = variant(base, {
      [CANARY]: (d) => void cfn(d, 'AWS::IAM::Policy', (id) => id.startsWith('BreastCancerModelRole')).PolicyDocument.Statement.push({ Action: 's3:*', Effect: 'Allow', Resource: '*' }),
    });
    const r = review(after);
    expect(rows(r)).toEqual([[EP, 'IAM role BreastCancerModelRole: Allow s3:* on *', undefined, 'granted', 'security-regression']]);
    expect(r.gate).toBe(true);
  });

  test('an instance type change of an autoscaled variant is a deploy-fail risk, with its cost delta', () => {
    const after = variant(base, { [CANARY]: (d) => void (cfn(d, 'AWS::SageMaker::EndpointConfig').ProductionVariants[0].InstanceType = 'ml.c6i.xlarge') });
    const r = review(after);
    expect(rows(r)).toEqual([[EP, 'AllTraffic: instance type', 'ml.c6i.large', 'ml.c6i.xlarge', 'replacement']]);
    expect(r.findings[0].reason).toMatch(/UpdateEndpoint fails/);
    // before: 2–6 × 730 h × $0.102 = $148.92–$446.76, + 15 alarms × $0.10 = $150.42–$448.26
    // after:  2–6 × 730 h × $0.204 = $297.84–$893.52, + $1.50       = $299.34–$895.02
    expect(r.costDelta).toEqual([{ stack: 'ServingStack-RealtimeCanary', unit: EP, beforeMin: 150.42, beforeMax: 448.26, afterMin: 299.34, afterMax: 895.02 }]);
  });

  test('a new endpoint name replaces the endpoint', () => {
    const after = variant(base, { [CANARY]: (d) => void (cfn(d, 'AWS::SageMaker::Endpoint').EndpointName = 'renamed') });
    const [f] = review(after).findings.filter((x) => x.term === 'endpoint name');
    expect([f.before, f.after, f.cls]).toEqual([EP, 'renamed', 'replacement']);
  });

  test('an alarm threshold and the autoscaling maximum', () => {
    const after = variant(base, {
      [CANARY]: (d) => {
        cfn(d, 'AWS::CloudWatch::Alarm', (id) => id.startsWith('BreastCancerEndpointGuardrail5xxRate')).Threshold = 10;
        cfn(d, 'AWS::ApplicationAutoScaling::ScalableTarget').MaxCapacity = 10;
      },
    });
    const r = review(after);
    expect(rows(r)).toEqual([
      [EP, 'AllTraffic: autoscaling max instances', 6, 10, 'capacity'],
      [EP, 'alarm BreastCancerEndpointGuardrail5xxRate', '5XX > 1 (2 of 3 × 1 min, missing data notBreaching)', '5XX > 10 (2 of 3 × 1 min, missing data notBreaching)', 'behaviour'],
    ]);
    // 4 more instances at most: 4 × 730 h × $0.102 = $297.84
    expect(r.costDelta[0].afterMax - r.costDelta[0].beforeMax).toBeCloseTo(297.84, 2);
    expect(r.costDelta[0].afterMin).toBe(r.costDelta[0].beforeMin);
  });

  test('several at once: sampling, a rollback alarm removed, network isolation turned off', () => {
    const after = variant(base, {
      [CANARY]: (d) => {
        cfn(d, 'AWS::SageMaker::EndpointConfig').DataCaptureConfig.InitialSamplingPercentage = 50;
        cfn(d, 'AWS::SageMaker::Endpoint').DeploymentConfig.AutoRollbackConfiguration.Alarms.pop();
        cfn(d, 'AWS::SageMaker::Model').EnableNetworkIsolation = true;
      },
    });
    expect(rows(review(after))).toEqual([
      [EP, 'data capture sampling', '10 %', '50 %', 'capacity'],
      [EP, 'AllTraffic: network isolation', false, true, 'behaviour'],
      [EP, 'rollback alarm ServingStack-RealtimeCanary-BreastCancer-Endpoint-Guardrail-48D1E003-p99-model-latency', 'watched', undefined, 'behaviour'],
    ]);
    // and back: turning network isolation off is a regression
    const r = reviewDiff(readServingModels(after), readServingModels(base), loadPrices(), {});
    expect(r.findings.find((f) => f.term === 'AllTraffic: network isolation')?.cls).toBe('security-regression');
  });
});

describe('servingstack diff: Google Vertex AI', () => {
  test('machine type, replicas and canary size from the rollout output; a public endpoint; a new IAM member', () => {
    const after = variant(base, {
      [GCP]: (d) => {
        const out = d.output.Tiny_rollout.value;
        out.deployment.machineType = 'g2-standard-24';
        out.deployment.maxReplicaCount = 5;
        out.policy.canaryTrafficPercent = 25;
        d.resource.google_project_iam_member.Extra = { member: 'allUsers', project: 'my-ml-project', role: 'roles/aiplatform.user' };
      },
    });
    const r = review(after);
    expect(rows(r)).toEqual([
      ['(stack-wide)', 'IAM allUsers: roles/aiplatform.user on project my-ml-project', undefined, 'granted', 'security-regression'],
      ['tiny', 'machine type', 'g2-standard-8', 'g2-standard-24', 'capacity'],
      ['tiny', 'max replicas', 3, 5, 'capacity'],
      ['tiny', 'canary size', '10 % of traffic', '25 % of traffic', 'behaviour'],
    ]);
    // 1–5 × 730 h × $2.3207 (was 1–3 × $0.9818), 8 alert policies $0.80 (3 serving, 5 model quality)
    expect(r.costDelta).toEqual([{ stack: 'vertex-serving', unit: 'tiny', beforeMin: 717.51, beforeMax: 2150.94, afterMin: 1694.91, afterMax: 8471.36 }]);
  });

  test('a new endpoint id is a Terraform replacement', () => {
    const after = variant(base, { [GCP]: (d) => void (tf(d, 'google_vertex_ai_endpoint').name = '999') });
    const f = review(after).findings.find((x) => x.term === 'endpoint id')!;
    expect([f.before, f.after, f.cls]).toEqual(['1683813429', '999', 'replacement']);
  });
});

describe('servingstack diff: on-premise Kubernetes', () => {
  test('image, autoscaling, Recreate, a LoadBalancer service and root containers', () => {
    const after = variant(base, {
      [ONPREM]: (d) => {
        const spec = tf(d, 'kubernetes_deployment_v1').spec;
        spec.template.spec.container[0].image = 'registry.example.internal/servingstack/runtime:0.2.0';
        spec.template.spec.container[0].security_context.run_as_non_root = false;
        spec.strategy = { type: 'Recreate' };
        tf(d, 'kubernetes_horizontal_pod_autoscaler_v2').spec.max_replicas = 12;
        tf(d, 'kubernetes_service_v1').spec.type = 'LoadBalancer';
      },
    });
    const r = review(after);
    expect(rows(r)).toEqual([
      ['serving/breast-cancer', 'server: runs as non-root', true, false, 'security-regression'],
      ['serving/breast-cancer', 'service breast-cancer: exposure', 'cluster-internal (ClusterIP)', 'public (LoadBalancer)', 'security-regression'],
      ['serving/breast-cancer', 'rollout strategy', 'rolling, max surge 1, max unavailable 0', 'Recreate (all pods stop first)', 'replacement'],
      ['serving/breast-cancer', 'autoscaling max replicas', 8, 12, 'capacity'],
      ['serving/breast-cancer', 'server: image', 'registry.example.internal/servingstack/runtime:0.1.0', 'registry.example.internal/servingstack/runtime:0.2.0', 'behaviour'],
    ]);
    expect(r.gate).toBe(true);
  });
});

describe('servingstack cost', () => {
  test('each example checked by hand, no traffic profile', async () => {
    const r = await runCli('cost', base, '--json');
    expect(r.code).toBe(0);
    const costs = JSON.parse(r.stdout) as Array<{ stack: string; min: number; max: number }>;
    expect(costs.map((c) => [c.stack, c.min, c.max])).toEqual([
      // 2–6 × ml.c6i.large × 730 h × $0.102 = $148.92–$446.76; 15 alarms × $0.10 = $1.50; 1 dashboard $3
      ['ServingStack-RealtimeCanary', 153.42, 451.26],
      // provisioned concurrency 2 × 2 GB × 2,628,000 s × $0.0000048 = $50.46; 13 alarms $1.30; dashboard $3
      ['ServingStack-Serverless', 54.76, 54.76],
      // 1–3 × g2-standard-8 × 730 h × $0.9818 (us-central1 row: no europe-west4 row) = $716.71–$2,150.14; 8 alert policies $0.80 (3 serving, 5 model quality)
      ['vertex-serving', 717.51, 2150.94],
      // own hardware: unpriced without a gpu-hour rate
      ['servingstack-onprem-gpu', 0, 0],
    ]);
  });

  test('a traffic profile and a user price table', async () => {
    const dir = tempDir('review-prices-');
    const traffic = path.join(dir, 'traffic.json');
    fs.writeFileSync(traffic, JSON.stringify({ default: { requestsPerMonth: 1_000_000, avgDurationMs: 100, payloadKB: 10, logBytesPerRequest: 500 } }));
    const prices = path.join(dir, 'prices.json');
    const shipped = loadPrices();
    fs.writeFileSync(prices, JSON.stringify({ ...shipped, rates: [...shipped.rates, { target: 'onprem', item: 'gpu-hour', region: 'dc1', usd: 2, date: '2026-12-01', source: 'internal chargeback', verified: true }] }));
    const r = await runCli('cost', base, '--json', '--traffic', traffic, '--prices', prices);
    expect(r.code).toBe(0);
    const costs = JSON.parse(r.stdout) as Array<{ stack: string; min: number; max: number }>;
    expect(Object.fromEntries(costs.map((c) => [c.stack, [c.min, c.max]]))).toEqual({
      // + data capture 1e6 × 10 % × 10 KB = 1 GB × $0.023 = $0.02; logs 1e6 × 500 B = 0.5 GB × $0.50 = $0.25
      'ServingStack-RealtimeCanary': [153.69, 451.53],
      // + compute 1e6 × 0.1 s × 2 GB = 200,000 GB-s × $0.00002 = $4.00; data 10 GB × $0.016 = $0.16; logs $0.25
      'ServingStack-Serverless': [59.17, 59.17],
      // + logs $0.25
      'vertex-serving': [717.76, 2151.19],
      // 2–8 replicas × 1 GPU × 730 h × $2
      'servingstack-onprem-gpu': [2920, 11680],
    });
  });

  test('an invalid price table names the field and exits 2', async () => {
    const file = path.join(tempDir('review-bad-'), 'prices.json');
    fs.writeFileSync(file, JSON.stringify({ ...loadPrices(), instances: [{ target: 'aws', type: 'ml.c6i.large', region: 'us-east-1', usdPerHour: -1, date: 'today', source: 'x', verified: true }] }));
    const r = await runCli('cost', base, '--prices', file);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/SS_ERR_REVIEW_INPUT: price table .* is invalid: \/instances\/0\/date must match pattern .*; \/instances\/0\/usdPerHour must be >= 0/);
  });
});

describe('servingstack diff (CLI)', () => {
  test('exit 0 with behaviour changes only, 3 on a gate, 0 with --fail-on never; text, markdown, JSON', async () => {
    const behaviour = variant(base, { [CANARY]: (d) => void (cfn(d, 'AWS::SageMaker::Endpoint').DeploymentConfig.BlueGreenUpdatePolicy.TrafficRoutingConfiguration.WaitIntervalInSeconds = 60) });
    const text = await runCli('diff', base, behaviour);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('[behaviour change] bake time: 10 min → 1 min');
    const insecure = variant(base, { [CANARY]: (d) => void delete cfn(d, 'AWS::SageMaker::EndpointConfig').KmsKeyId });
    const md = await runCli('diff', base, insecure, '--format', 'markdown');
    expect(md.code).toBe(3);
    expect(md.stdout).toContain('**Gate: a security regression or replacement is present.**');
    expect(md.stdout).toContain('| security regression | storage encryption (KMS key) | BreastCancerEndpointKey.Arn | none (AWS-owned key) | protection weakened to none (AWS-owned key) |');
    const json = await runCli('diff', base, insecure, '--json', '--fail-on', 'never');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ gate: true, summary: { 'security-regression': 1, replacement: 0, capacity: 0, behaviour: 0 } });
    expect((await runCli('diff', base, base)).stdout).toBe('No change in serving terms.\n');
    const missing = await runCli('diff', base, path.join(base, 'nope'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/SS_ERR_REVIEW_INPUT: .*nope is not a folder/);
  });

  test('--git synthesizes the ref in a temporary worktree and the working tree', async () => {
    // GIVEN a repository whose "synthesis" copies a committed cdk.out; the working tree changes the canary size
    const repo = tempDir('review-git-');
    const git = (...args: string[]): string => execFileSync('git', args, { cwd: repo, encoding: 'utf8' });
    git('init', '-q');
    git('config', 'user.email', 't@example.com');
    git('config', 'user.name', 't');
    fs.cpSync(path.join(base, 'cdk.out'), path.join(repo, 'synth'), { recursive: true, filter: (src) => !path.basename(src).startsWith('asset.') });
    git('add', '.');
    git('commit', '-qm', 'base');
    const file = path.join(repo, 'synth', 'ServingStack-RealtimeCanary.template.json');
    const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as Json;
    cfn(doc, 'AWS::SageMaker::Endpoint').DeploymentConfig.BlueGreenUpdatePolicy.TrafficRoutingConfiguration.CanarySize.Value = 2;
    fs.writeFileSync(file, JSON.stringify(doc));
    // WHEN
    const r = await runCli('diff', repo, '--git', 'HEAD', '--synth', 'cp -r synth/. {out}', '--json');
    // THEN
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).findings.map((f: Json) => [f.term, f.before, f.after, f.cls])).toEqual([['canary size', '1 instance(s)', '2 instance(s)', 'behaviour']]);
    expect(git('worktree', 'list').trim().split('\n')).toHaveLength(1); // the temporary worktree is gone
  });
});
