/**
 * cdk-nag reports each IAM wildcard as its own finding (`AwsSolutions-IAM5[Resource::<arn>]`, the
 * ARN flattened with `<LogicalId.Attr>` for references): acknowledgements name that exact finding,
 * so a wildcard added later by anyone else stays a finding.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

function flatten(node: unknown): string {
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/}/g, '>');
  if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (o['Fn::Join']) {
      const [delimiter, items] = o['Fn::Join'] as [string, unknown[]];
      return items.map(flatten).join(delimiter);
    }
    if (o['Fn::GetAtt']) {
      const [r, a] = o['Fn::GetAtt'] as [unknown, unknown];
      return `<${flatten(r)}.${flatten(a)}>`;
    }
    if (o.Ref) return `<${flatten(o.Ref)}>`;
  }
  return JSON.stringify(node);
}

/** Acknowledge the IAM5 finding of one wildcard resource (an ARN, tokens allowed) on `scope`. */
export function acknowledgeWildcardResource(scope: IConstruct, resourceArn: string, reason: string): void {
  const flat = resourceArn === '*' ? '*' : flatten(Stack.of(scope).resolve(resourceArn));
  Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[Resource::${flat}]`, reason });
}
