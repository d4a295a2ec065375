import * as fs from 'node:fs';
import * as path from 'node:path';
import { ENVIRONMENT, PLATFORM_ENVIRONMENT } from '../../lib/runtime/config';

const doc = fs.readFileSync(path.resolve(__dirname, '../../docs/runtime.md'), 'utf8');
const documented = new Set([...doc.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \|/gm)].map((m) => m[1]));

describe('docs/runtime.md environment tables', () => {
  test.each(Object.keys({ ...ENVIRONMENT, ...PLATFORM_ENVIRONMENT }))('%s has a row', (name) => {
    expect(documented.has(name)).toBe(true);
  });

  test('documents no variable the runtime does not read', () => {
    const known = new Set(Object.keys({ ...ENVIRONMENT, ...PLATFORM_ENVIRONMENT }));
    expect([...documented].filter((n) => /^(SERVINGSTACK|SAGEMAKER|AIP|AZUREML)_/.test(n) && !known.has(n))).toEqual([]);
  });
});
