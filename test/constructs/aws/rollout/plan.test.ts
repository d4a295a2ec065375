/**
 * The AWS rollout planner on its own: pure decisions from registry and endpoint state.
 */
import { ServingStackError } from '../../../../lib/core/errors';
import {
  EndpointState, RolloutSettings, VersionInfo, checkTrigger, planRollout, planServedVersion, resourceName,
} from '../../../../constructs/aws/rollout/plan';

const SETTINGS: RolloutSettings = { endpointName: 'fraud', groupName: 'Fraud-Group', variantNames: [], namePrefix: 'ss-fraud' };
const v = (n: number, status = 'Approved'): VersionInfo => ({ modelPackageArn: `arn:aws:sagemaker:us-east-1:123456789012:model-package/fraud-group/${n}`, modelPackageVersion: n, approvalStatus: status, modelDataUrl: `s3://reg/model-packages/Fraud-Group/1.0.${n}/h${n}/model.tar.gz` });
const healthy = (served?: VersionInfo): EndpointState => ({ status: 'InService', servedModelDataUrl: served?.modelDataUrl ?? 's3://cdk-assets/seed.tar.gz', alarmsFiring: [] });
const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (e) {
    return ServingStackError.isServingStackError(e) ? e.code : 'not a ServingStackError';
  }
  return undefined;
};

describe('checkTrigger', () => {
  test('events of the group reconcile (group names compare case-insensitively, as SageMaker ARNs do)', () => {
    expect(checkTrigger(SETTINGS, { ModelPackageGroupName: 'fraud-group', ModelPackageArn: v(1).modelPackageArn, ModelApprovalStatus: 'Approved' })).toEqual({ kind: 'reconcile' });
    expect(checkTrigger(SETTINGS, { ModelPackageGroupName: 'Fraud-Group', ModelPackageArn: v(1).modelPackageArn })).toMatchObject({ kind: 'ignore' });
  });

  test.each([
    ['another group', { ModelPackageGroupName: 'other', ModelPackageArn: 'arn', ModelApprovalStatus: 'Approved' }, 'SS_ERR_AWS_ROLLOUT_FOREIGN_GROUP'],
    ['no group', { ModelPackageArn: 'arn', ModelApprovalStatus: 'Approved' }, 'SS_ERR_AWS_ROLLOUT_FOREIGN_GROUP'],
    ['no version ARN', { ModelPackageGroupName: 'Fraud-Group', ModelApprovalStatus: 'Approved' }, 'SS_ERR_AWS_ROLLOUT_EVENT_INVALID'],
  ])('%s is refused', (_n, detail, code) => {
    expect(codeOf(() => checkTrigger(SETTINGS, detail))).toBe(code);
  });
});

describe('planRollout: serve the newest approved version', () => {
  test.each<[string, Parameters<typeof planRollout>[0], string, string | undefined]>([
    ['approval of v2 while v1 serves', { event: {}, newestApproved: v(2), endpoint: healthy(v(1)), eventVersion: v(2) }, 'deploy', 'promote'],
    ['first approval replaces the seed', { event: {}, newestApproved: v(1), endpoint: healthy(), eventVersion: v(1) }, 'deploy', 'promote'],
    ['rejection of the served v2 rolls back to v1', { event: {}, newestApproved: v(1), endpoint: healthy(v(2)), eventVersion: v(2, 'Rejected') }, 'deploy', 'rollback'],
    ['rejection of a version not served', { event: {}, newestApproved: v(1), endpoint: healthy(v(1)), eventVersion: v(3, 'Rejected') }, 'none', undefined],
    ['re-approval of an older version changes nothing', { event: {}, newestApproved: v(3), endpoint: healthy(v(3)), eventVersion: v(1) }, 'none', undefined],
    ['a pending version changes nothing', { event: {}, newestApproved: v(1), endpoint: healthy(v(1)), eventVersion: v(2, 'PendingManualApproval') }, 'none', undefined],
    ['no approved version: keep serving', { event: {}, newestApproved: undefined, endpoint: healthy(v(1)), eventVersion: v(1, 'Rejected') }, 'none', undefined],
    ['endpoint updating', { event: {}, newestApproved: v(2), endpoint: { ...healthy(v(1)), status: 'Updating' } }, 'wait', undefined],
    ['guardrail alarm firing', { event: {}, newestApproved: v(2), endpoint: { ...healthy(v(1)), alarmsFiring: ['fraud-5xx-rate'] } }, 'wait', undefined],
  ])('%s', (_name, input, kind, reason) => {
    const plan = planRollout(input);
    expect(plan.kind).toBe(kind);
    if (plan.kind === 'deploy') {
      expect(plan.reason).toBe(reason);
      expect(plan.modelDataUrl).toBe(input.newestApproved?.modelDataUrl);
    }
  });
});

describe('planServedVersion: what a stack deploys', () => {
  test('newest approved, else the fallback, else an error naming the group', () => {
    expect(planServedVersion({ groupName: 'g', requireApproved: true, newestApproved: v(4), fallbackModelDataUrl: 's3://seed.tar.gz' })).toMatchObject({ source: 'newest-approved', modelDataUrl: v(4).modelDataUrl });
    expect(planServedVersion({ groupName: 'g', requireApproved: true, fallbackModelDataUrl: 's3://seed.tar.gz' })).toEqual({ source: 'fallback', modelDataUrl: 's3://seed.tar.gz' });
    expect(codeOf(() => planServedVersion({ groupName: 'g', requireApproved: true }))).toBe('SS_ERR_AWS_NO_APPROVED_VERSION');
  });

  test('a pinned version: production needs it approved, staging takes it pending, nobody takes it rejected', () => {
    expect(planServedVersion({ groupName: 'g', requireApproved: true, pinned: v(5) })).toMatchObject({ source: 'pinned' });
    expect(codeOf(() => planServedVersion({ groupName: 'g', requireApproved: true, pinned: v(5, 'PendingManualApproval') }))).toBe('SS_ERR_AWS_VERSION_NOT_APPROVED');
    expect(planServedVersion({ groupName: 'g', requireApproved: false, pinned: v(5, 'PendingManualApproval') })).toMatchObject({ source: 'pinned' });
    expect(codeOf(() => planServedVersion({ groupName: 'g', requireApproved: false, pinned: v(5, 'Rejected') }))).toBe('SS_ERR_AWS_VERSION_REJECTED');
    expect(codeOf(() => planServedVersion({ groupName: 'g', requireApproved: true, pinned: { ...v(5), modelDataUrl: undefined } }))).toBe('SS_ERR_AWS_VERSION_ARTIFACT_MISSING');
  });

  test('the error names the field, the value and what is allowed', () => {
    expect(() => planServedVersion({ groupName: 'g', requireApproved: true, pinned: v(5, 'PendingManualApproval') }))
      .toThrow(/modelPackageArn: names a version that is not approved; received "PendingManualApproval"; allowed: Approved/);
  });
});

test('resource names stay valid SageMaker names', () => {
  const now = new Date('2026-11-25T10:11:12.000Z');
  expect(resourceName('ss-fraud-m', 7, now)).toBe('ss-fraud-m-v7-20261125101112');
  const long = resourceName('x'.repeat(70), 12, now);
  expect(long.length).toBeLessThanOrEqual(63);
  expect(long).toMatch(/^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/);
});
