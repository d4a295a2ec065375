/**
 * cdk-nag acknowledgements for the wildcards ServingStack needs, computed from the final policy
 * documents so each acknowledgement names the exact finding and carries its reason. Only
 * statements whose actions are known to need the wildcard are acknowledged: anything a user adds
 * stays a finding.
 */
import { AspectPriority, Aspects, IAspect, Stack, Validations } from 'aws-cdk-lib';
import { CfnPolicy } from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

interface Statement {
  readonly Effect?: string;
  readonly Action?: string | string[];
  readonly Resource?: unknown;
}

/** Actions whose wildcard resource is unavoidable, with the reason. */
const RESOURCE_STAR: Array<[RegExp, string]> = [
  [/^cloudwatch:PutMetricData$/, 'cloudwatch:PutMetricData supports no resource-level permissions; the statement is limited by a cloudwatch:namespace condition'],
  [/^ecr:GetAuthorizationToken$/, 'ecr:GetAuthorizationToken supports no resource-level permissions; image pulls are limited to named repositories'],
  [/^sagemaker:ListModelPackages$/, 'sagemaker:ListModelPackages supports no resource-level permissions; the call is read-only (the group is named in the request)'],
  [/^ec2:(CreateNetworkInterface|CreateNetworkInterfacePermission|DeleteNetworkInterface|DeleteNetworkInterfacePermission|DescribeNetworkInterfaces|DescribeVpcs|DescribeDhcpOptions|DescribeSubnets|DescribeSecurityGroups)$/, 'SageMaker creates its VPC network interfaces with the execution role; the ENI actions take no resource-level constraint at creation'],
];

/** Resource patterns (flattened) whose wildcard is scoped by a known prefix, with the reason. */
const SCOPED_RESOURCES: Array<[RegExp, string]> = [
  [/:log-group:\/aws\/sagemaker\/Endpoints\/\*$/, 'SageMaker writes endpoint logs to /aws/sagemaker/Endpoints/<endpoint-name> log groups and streams it names itself'],
  [/:endpoint-config\/\*$|:model\/\*$/, 'the rollout reads the CloudFormation-generated (unknown) names of the current endpoint config and model; it creates only names with its own prefix'],
  [/:model\/[a-z0-9-]+-m-\*$|:endpoint-config\/[a-z0-9-]+-c-\*$/, 'models and endpoint configs the rollout creates carry a timestamped name under its fixed prefix'],
  [/:model-package\/[^/]+\/\*$/, 'versions of one model package group are addressed by number; the statement covers only that group'],
  [/\/model-packages\/[^/]+\/\*$/, 'every registered version of one model package group keeps its archive under the group\'s prefix in the registry bucket; approved versions roll out without a redeploy, so the role reads that prefix and nothing else'],
];

/** Actions CDK grant helpers render with wildcards, scoped to one resource. */
const ACTION_WILDCARDS: Array<[RegExp, string]> = [
  [/^kms:(GenerateDataKey|ReEncrypt|Encrypt|Decrypt|Describe)\*$/, 'CDK Key.grant* action set (GenerateDataKey*, ReEncrypt*) on the single customer-managed key of this endpoint'],
  [/^s3:(GetObject|GetBucket|List|PutObject|DeleteObject|Abort)\*$/, 'CDK Bucket.grant* action set on one bucket and prefix'],
];

export function flatten(node: unknown): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/}/g, '>');
  if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (o['Fn::Join']) {
      const [delimiter, items] = o['Fn::Join'] as [string, unknown[]];
      return items.map(flatten).join(delimiter);
    }
    if (o['Fn::Sub']) return flatten(o['Fn::Sub']);
    if (o['Fn::GetAtt']) {
      const [r, a] = o['Fn::GetAtt'] as [unknown, unknown];
      return `<${flatten(r)}.${flatten(a)}>`;
    }
    if (o['Fn::ImportValue']) return flatten(o['Fn::ImportValue']);
    if (o.Ref) return `<${flatten(o.Ref)}>`;
  }
  return JSON.stringify(node);
}

const list = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

class WildcardAcknowledgements implements IAspect {
  constructor(private readonly objectPrefixes: string[]) {}

  public visit(node: IConstruct): void {
    if (!(node instanceof CfnPolicy)) return;
    const doc = Stack.of(node).resolve(node.policyDocument) as { Statement?: Statement[] };
    const acks = new Map<string, string>();
    for (const st of doc.Statement ?? []) {
      if (st.Effect !== 'Allow') continue;
      const actions = list(st.Action);
      for (const a of actions.filter((x) => x.includes('*'))) {
        const reason = ACTION_WILDCARDS.find(([re]) => re.test(a))?.[1];
        if (reason) acks.set(`Action::${a}`, reason);
      }
      for (const r of list(st.Resource).map(flatten).filter((x) => x.includes('*'))) {
        if (r === '*') {
          const reasons = actions.map((a) => RESOURCE_STAR.find(([re]) => re.test(a))?.[1]);
          if (reasons.every((x) => x !== undefined)) {
            const previous = acks.get('Resource::*');
            const joined = [...new Set([...(previous ? previous.split('; ') : []), ...(reasons as string[])])].join('; ');
            acks.set('Resource::*', joined);
          }
          continue;
        }
        const match = SCOPED_RESOURCES.find(([re]) => re.test(r));
        if (match) acks.set(`Resource::${r}`, match[1]);
        else if (this.objectPrefixes.some((p) => r.endsWith(`/${p}*`))) {
          acks.set(`Resource::${r}`, 'SageMaker writes objects with generated names under the configured output, failure or capture prefix');
        }
      }
    }
    for (const [finding, reason] of acks) {
      Validations.of(node).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
    }
  }
}

/** Acknowledge ServingStack's justified IAM wildcards under `scope` (each finding named, with its reason). */
export function acknowledgeServingStackWildcards(scope: IConstruct, objectPrefixes: string[] = []): void {
  Aspects.of(scope).add(new WildcardAcknowledgements(objectPrefixes), { priority: AspectPriority.MUTATING });
}

/** Acknowledge rule ids on a resource or construct, each with its reason. */
export function acknowledge(scope: IConstruct, reasons: Record<string, string>): void {
  for (const [id, reason] of Object.entries(reasons)) Validations.of(scope).acknowledge({ id, reason });
}


/** Why a role's grant-generated policy is inline (NIST 800-53 R5 and HIPAA IAMNoInlinePolicy). */
export const INLINE_POLICY_REASON =
  'the policy is generated by CDK grants for exactly this one role and lives and dies with it; each statement names its resources, so a reusable managed policy would only widen the blast radius';

export function acknowledgeInlinePolicy(role: IConstruct): void {
  acknowledge(role, {
    'NIST.800.53.R5-IAMNoInlinePolicy': INLINE_POLICY_REASON,
    'HIPAA.Security-IAMNoInlinePolicy': INLINE_POLICY_REASON,
  });
}
