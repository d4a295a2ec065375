/**
 * AwsErrorCodes: one code per rule, listed in docs/aws.md, each raised somewhere.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AwsErrorCodes } from '../../../constructs/aws';

const ROOT = path.resolve(__dirname, '../../..');
const doc = fs.readFileSync(path.join(ROOT, 'docs/aws.md'), 'utf8');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

test('docs/aws.md lists every AWS error code, and no other', () => {
  const documented = [...doc.matchAll(/^\| `(SS_ERR_AWS_[A-Z0-9_]+)` \|/gm)].map((m) => m[1]).sort();
  expect(documented).toEqual([...AwsErrorCodes.all()].sort());
});

test('codes are unique, prefixed, and the former catch-alls are gone', () => {
  const all = AwsErrorCodes.all();
  expect(new Set(all).size).toBe(all.length);
  for (const code of all) expect(code).toMatch(/^SS_ERR_AWS_[A-Z0-9_]+$/);
  for (const old of ['SS_ERR_AWS_ENDPOINT_INVALID', 'SS_ERR_AWS_MODEL_INVALID', 'SS_ERR_AWS_SCALING_INVALID']) expect(all).not.toContain(old);
});

test('every code is raised by the AWS constructs or the CLI (no code without a rule)', () => {
  const text = [...sources(path.join(ROOT, 'constructs/aws')), ...sources(path.join(ROOT, 'bin'))]
    .filter((f) => !f.endsWith(path.join('constructs', 'aws', 'errors.ts')))
    .map((f) => fs.readFileSync(f, 'utf8'))
    .join('\n');
  const names = Object.keys(AwsErrorCodes).filter((k) => typeof (AwsErrorCodes as unknown as Record<string, unknown>)[k] === 'string');
  const unused = names.filter((n) => !new RegExp(`AwsErrorCodes\\.${n}\\b`).test(text));
  expect(unused).toEqual([]);
});
