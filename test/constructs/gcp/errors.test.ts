import * as fs from 'node:fs';
import * as path from 'node:path';
import { GcpErrorCodes } from '../../../constructs/gcp';

const doc = fs.readFileSync(path.resolve(__dirname, '../../../docs/gcp.md'), 'utf8');

test('docs/gcp.md lists every GCP error code, and no other', () => {
  const documented = [...doc.matchAll(/^\| `(SS_ERR_GCP_[A-Z_]+)` \|/gm)].map((m) => m[1]).sort();
  expect(documented).toEqual([...GcpErrorCodes.all()].sort());
});

test('codes are unique', () => {
  expect(new Set(GcpErrorCodes.all()).size).toBe(GcpErrorCodes.all().length);
});
