/**
 * cdk-nag acknowledgements for what CDK Pipelines generates (roles, artifact bucket, CodeBuild
 * projects) under a ModelDeliveryPipeline: each finding named, with its reason. Computed from the
 * final policy documents, so only statements CDK Pipelines is known to write are acknowledged.
 */
import { AspectPriority, Aspects, IAspect, Stack, Validations } from 'aws-cdk-lib';
import { CfnPolicy } from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { INLINE_POLICY_REASON, acknowledge, acknowledgeServingStackWildcards, flatten } from '../private/nag-acknowledgements';

const STAR_ACTIONS: Array<[RegExp, string]> = [
  [/^sagemaker:ListModelPackages$/, 'sagemaker:ListModelPackages supports no resource-level permissions; registration checks whether the archive is registered already'],
  [/^cloudformation:DescribeStacks$/, 'self-mutation reads the pipeline stack\'s status; DescribeStacks is read-only'],
  [/^s3:ListBucket$/, 'self-mutation lists the bootstrap asset bucket, whose name it learns at run time'],
  [/^codebuild:(BatchGetBuilds|StartBuild|StopBuild)$/, 'CDK Pipelines asset publishing starts and watches its own CodeBuild builds'],
];

const SCOPED: Array<[RegExp, string]> = [
  [/:log-group:\/aws\/codebuild\/.*$/, 'CodeBuild writes build logs to /aws/codebuild/<project> log groups and streams it names itself'],
  [/:report-group\/.*$/, 'CodeBuild creates test report groups named after the project'],
  [/Artifacts[0-9A-F]{8}\.Arn>\/\*$/, 'pipeline actions read and write generated artifact names in the pipeline\'s own artifact bucket'],
  [/^arn:\*:iam::.+:role\/\*$/, 'self-mutation and asset publishing assume the CDK bootstrap roles, limited by the aws-cdk:bootstrap-role tag condition'],
  [/\/model-packages\/[^/]+\/\*$/, 'registration uploads each version\'s archive under the group\'s prefix of the registry bucket; the role writes that prefix only'],
  [/:model-package\/[^/]+\/\*$/, 'versions of one model package group are addressed by number; the statement covers only that group'],
];

const ACTIONS: Array<[RegExp, string]> = [
  [/^kms:(GenerateDataKey|ReEncrypt|Encrypt|Decrypt|Describe)\*$/, 'CDK Key.grant* action set (GenerateDataKey*, ReEncrypt*) on the single customer-managed key of the bucket it guards'],
  [/^s3:(GetObject|GetBucket|List|PutObject|DeleteObject|Abort)\*$/, 'CDK Bucket.grant* action set on one bucket (the pipeline artifacts, or one prefix of the registry)'],
];

class PipelineAcknowledgements implements IAspect {
  public visit(node: IConstruct): void {
    if (!(node instanceof CfnPolicy)) return;
    const doc = Stack.of(node).resolve(node.policyDocument) as { Statement?: Array<{ Effect?: string; Action?: string | string[]; Resource?: unknown }> };
    for (const st of doc.Statement ?? []) {
      if (st.Effect !== 'Allow') continue;
      const actions = Array.isArray(st.Action) ? st.Action : st.Action ? [st.Action] : [];
      for (const a of actions.filter((x) => x.includes('*'))) {
        const reason = ACTIONS.find(([re]) => re.test(a))?.[1];
        if (reason) Validations.of(node).acknowledge({ id: `AwsSolutions-IAM5[Action::${a}]`, reason });
      }
      const resources = (Array.isArray(st.Resource) ? st.Resource : [st.Resource]).map(flatten).filter((r) => r.includes('*'));
      for (const r of resources) {
        if (r === '*') {
          const reasons = actions.map((a) => STAR_ACTIONS.find(([re]) => re.test(a))?.[1]);
          if (reasons.every((x) => x !== undefined)) Validations.of(node).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: [...new Set(reasons)].join('; ') });
          continue;
        }
        const match = SCOPED.find(([re]) => re.test(r));
        if (match) Validations.of(node).acknowledge({ id: `AwsSolutions-IAM5[Resource::${r}]`, reason: match[1] });
      }
    }
  }
}

export function acknowledgePipeline(scope: IConstruct): void {
  acknowledgeServingStackWildcards(scope);
  // After CDK Pipelines has built the pipeline (its own aspect, default priority) and its roles.
  Aspects.of(scope).add(new PipelineAcknowledgements(), { priority: AspectPriority.DEFAULT + 100 });
  acknowledge(scope, {
    'NIST.800.53.R5-IAMNoInlinePolicy': INLINE_POLICY_REASON,
    'HIPAA.Security-IAMNoInlinePolicy': INLINE_POLICY_REASON,
    'HIPAA.Security-CodeBuildProjectSourceRepoUrl': 'the projects take their input from CodePipeline artifacts (source type CODEPIPELINE or NO_SOURCE), never a repository URL; the repository is reached through the pipeline source action, with no credentials in any project',
  });
}
