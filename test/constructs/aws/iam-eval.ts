/**
 * A small evaluator for synthesized IAM policies: does a role's policy allow an action on a
 * concrete resource ARN? Template values (Fn::Join, Ref, Fn::GetAtt) are rendered with the
 * partition `aws`, the test account/region and the attribute values a test supplies, so a test can
 * ask the question the cloud would ask of the calls a handler makes.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { ENV } from './helpers';

export type Attributes = Record<string, string>;

export function render(node: unknown, attrs: Attributes = {}): string {
  if (typeof node === 'string') return node;
  if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (o['Fn::Join']) {
      const [sep, items] = o['Fn::Join'] as [string, unknown[]];
      return items.map((i) => render(i, attrs)).join(sep);
    }
    if (o.Ref !== undefined) {
      const ref = String(o.Ref);
      if (ref === 'AWS::Partition') return 'aws';
      if (ref === 'AWS::URLSuffix') return 'amazonaws.com';
      if (ref === 'AWS::Region') return ENV.region;
      if (ref === 'AWS::AccountId') return ENV.account;
      return attrs[ref] ?? `<${ref}>`;
    }
    if (o['Fn::GetAtt']) {
      const [id, attr] = o['Fn::GetAtt'] as [string, string];
      return attrs[`${id}.${attr}`] ?? `<${id}.${attr}>`;
    }
    if (o['Fn::Sub']) return render(o['Fn::Sub'], attrs).replace(/\$\{AWS::URLSuffix\}/g, 'amazonaws.com').replace(/\$\{AWS::Partition\}/g, 'aws');
  }
  return JSON.stringify(node);
}

const glob = (pattern: string, value: string): boolean =>
  new RegExp(`^${pattern.split('*').map((p) => p.split('?').map((q) => q.replace(/[.+^${}()|[\]\\]/g, '\\$&')).join('.')).join('.*')}$`, 'i').test(value);

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

/** Statements of every IAM policy attached to the role with this logical id. */
export function roleStatements(t: Template, roleLogicalId: string): Statement[] {
  return Object.values(t.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify((p as { Properties: { Roles: unknown } }).Properties.Roles).includes(`"${roleLogicalId}"`))
    .flatMap((p) => (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement);
}

/** Whether the statements allow `action` on `resource` (wildcards as IAM matches them). */
export function allows(statements: Statement[], action: string, resource: string, attrs: Attributes = {}): boolean {
  return statements.some((st) => {
    if (st.Effect !== 'Allow') return false;
    const actions = Array.isArray(st.Action) ? st.Action : [st.Action];
    if (!actions.some((a) => glob(a, action))) return false;
    const resources = Array.isArray(st.Resource) ? st.Resource : [st.Resource];
    return resources.some((r) => glob(render(r, attrs), resource));
  });
}

/** The logical id of the only resource of a type whose id starts with `prefix`. */
export function logicalId(t: Template, type: string, prefix: string | RegExp): string {
  const ids = Object.keys(t.findResources(type)).filter((id) => (typeof prefix === 'string' ? id.startsWith(prefix) : prefix.test(id)));
  if (ids.length !== 1) throw new Error(`expected one ${type} matching ${prefix}, found ${ids.join(', ') || 'none'}`);
  return ids[0];
}
