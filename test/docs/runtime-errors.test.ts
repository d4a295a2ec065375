/**
 * docs/runtime-errors.md and the RUNTIME_ERRORS catalogue must list the same codes with the same
 * HTTP statuses (fastify's Errors.md drifted from its catalogue; this keeps ours from doing so).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RUNTIME_ERRORS } from '../../lib/runtime/errors';

const DOC = path.resolve(__dirname, '..', '..', 'docs', 'runtime-errors.md');

interface Row {
  readonly code: string;
  readonly status: number;
  readonly description: string;
  readonly fix: string;
}

/** Rows of the `| Code | HTTP status | Description | How to fix |` table. */
function tableRows(text: string): Row[] {
  const rows: Row[] = [];
  for (const line of text.split('\n')) {
    const m = /^\|\s*`(RT_ERR_[A-Z0-9_]+)`\s*\|\s*(\d{3})\s*\|(.*)\|(.*)\|\s*$/.exec(line);
    if (m) rows.push({ code: m[1], status: Number(m[2]), description: m[3].trim(), fix: m[4].trim() });
  }
  return rows;
}

describe('docs/runtime-errors.md', () => {
  const text = fs.readFileSync(DOC, 'utf8');
  const rows = tableRows(text);
  const catalogue = Object.entries(RUNTIME_ERRORS);

  test('has the table header', () => {
    expect(text).toMatch(/^\| Code \| HTTP status \| Description \| How to fix \|$/m);
  });

  test.each(catalogue)('documents %s with its HTTP status and description', (code, def) => {
    const row = rows.find((r) => r.code === code);
    expect(row).toBeDefined();
    expect(row!.status).toBe(def.status);
    expect(row!.description).toBe(def.description);
    expect(row!.fix.length).toBeGreaterThan(10);
  });

  test('lists each code once, in catalogue order', () => {
    expect(rows.map((r) => r.code)).toEqual(catalogue.map(([code]) => code));
  });

  test('names no code that is not in the catalogue', () => {
    const named = new Set(text.match(/\bRT_ERR_[A-Z0-9_]+\b/g) ?? []);
    const unknown = [...named].filter((c) => !(c in RUNTIME_ERRORS));
    expect(unknown).toEqual([]);
  });
});
