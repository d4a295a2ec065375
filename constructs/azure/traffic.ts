/**
 * Traffic-split rules Azure enforces on an online endpoint (no cdktf imports: the rollout
 * planner uses them too). Sources: how-to-safely-rollout-managed-endpoints ("The total traffic
 * percentage must be either 0 percent … or 100 percent"; mirroring: "You can mirror traffic to
 * only one deployment", "The maximum percentage of traffic you can mirror is 50 percent", "You can configure a deployment to receive only live traffic or mirrored traffic, not both").
 */
import type { Checker } from '../../lib/core/validation';

export const MAX_MIRROR_PERCENT = 50;

/** Record every rule `traffic`/`mirror` break against the endpoint's `deployments`. */
export function validateTraffic(c: Checker, traffic: Readonly<Record<string, number>>, mirror: Readonly<Record<string, number>>, deployments: readonly string[]): void {
  const known = deployments.join(', ') || '(no deployments yet)';
  let sum = 0;
  for (const [name, pct] of Object.entries(traffic)) {
    c.check(deployments.includes(name), { field: `traffic.${name}`, message: 'names no deployment of this endpoint', received: name, allowed: known });
    if (c.intRange(`traffic.${name}`, pct, 0, 100, '%')) sum += pct;
  }
  if (deployments.length > 0) {
    c.check(sum === 100 || sum === 0, { field: 'traffic', message: `sums to ${sum} %`, received: traffic, allowed: 'whole percentages summing to 100 (or all 0 to stop traffic)' });
  }
  const mirrored = Object.entries(mirror).filter(([, p]) => p !== 0);
  c.check(mirrored.length <= 1, { field: 'mirrorTraffic', message: 'mirrors to more than one deployment', received: mirror, allowed: 'one deployment' });
  for (const [name, pct] of Object.entries(mirror)) {
    c.check(deployments.includes(name), { field: `mirrorTraffic.${name}`, message: 'names no deployment of this endpoint', received: name, allowed: known });
    c.intRange(`mirrorTraffic.${name}`, pct, 0, MAX_MIRROR_PERCENT, '%');
    if (pct > 0) c.check((traffic[name] ?? 0) === 0, { field: `mirrorTraffic.${name}`, message: 'mirrors to a deployment that also takes live traffic', received: { live: traffic[name], mirror: pct }, allowed: 'mirror only to a deployment with 0 % live traffic' });
  }
}
