/** Physical names derived from construct paths. */
import { createHash } from 'crypto';
import { Construct } from 'constructs';

/**
 * A stable name from the construct path, valid for SageMaker (`[a-zA-Z0-9-]`, ≤ maxLength):
 * the most specific path components, then a hash of the full path.
 */
export function deterministicName(scope: Construct, id: string, maxLength = 63): string {
  const parts = [...scope.node.scopes.filter((c) => c.node.id !== '').map((c) => c.node.id), id];
  const fullPath = parts.join('/');
  const hash = createHash('sha256').update(fullPath).digest('hex').slice(0, 8).toUpperCase();
  const human = parts.join('-').replace(/[^A-Za-z0-9-]/g, '-').replace(/-+/g, '-').replace(/^-+|-+$/g, '');
  const room = maxLength - hash.length - 1;
  const head = human.length > room ? human.slice(human.length - room).replace(/^-+/, '') : human;
  return `${head}-${hash}`;
}

/**
 * The construct path as CloudFormation sees it: without `Default` components, which CDK leaves
 * out of logical IDs and addresses (an Endpoint holds its EndpointConfig as `Default`).
 */
export function visiblePath(scope: Construct): string {
  return scope.node.path.split('/').filter((part) => part !== 'Default').join('/');
}
