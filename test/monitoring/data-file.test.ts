/** Data files: CSV (csv-parse), scikit-learn CSV and JSON Lines. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadRows, splitCsvLine } from '../../lib/monitoring/data-file';
import { errorOf } from '../support/errors';

/** The shared error capture, with the issue fields listed. */
function failureOf(fn: () => unknown): { code: string; fields: string[] } {
  const error = errorOf(fn);
  return { code: error.code, fields: error.issues.map((i) => i.field) };
}

describe('loadRows', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-rows-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true }));

  it('reads a header CSV with quotes, missing values and a label column', () => {
    const f = path.join(dir, 'a.csv');
    fs.writeFileSync(f, 'age,city,label,score\n31,"Paris, FR",1,0.5\n,NA,0,"x"\n40,Lyon,1,\n');
    const r = loadRows(f);
    expect(r.format).toBe('csv');
    expect(r.featureNames).toEqual(['age', 'city', 'score']);
    expect(r.rows).toEqual([
      [31, 'Paris, FR', 0.5],
      [null, null, 'x'],
      [40, 'Lyon', null],
    ]);
    expect(r.labels).toEqual([1, 0, 1]);
    expect(r.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(loadRows(f, { labelColumn: 'age' }).labels).toEqual([31, null, 40]);
    expect(failureOf(() => loadRows(f, { labelColumn: 'nope' })).fields).toEqual(['labelColumn']);
  });

  it('reads the scikit-learn format: f0… and the last column as the label', () => {
    const f = path.join(dir, 'sk.csv');
    fs.writeFileSync(f, '2,3,no,yes\n1,2,3,0\n4,5,6,1\n');
    const r = loadRows(f);
    expect(r).toMatchObject({ format: 'sklearn-csv', featureNames: ['f0', 'f1', 'f2'], namedColumns: false, rows: [[1, 2, 3], [4, 5, 6]], labels: [0, 1], classNames: ['no', 'yes'] });
    const real = loadRows(path.join(__dirname, '../../examples/data/breast_cancer.csv'));
    expect(real.rows).toHaveLength(569);
    expect(real.featureNames).toHaveLength(30);
  });

  it('reads JSON Lines keyed by feature name with an optional label', () => {
    const f = path.join(dir, 'a.jsonl');
    fs.writeFileSync(f, '{"a":1,"b":"x","label":1}\n\n{"b":"y","a":null}\n{"a":2,"c":true}\n');
    const r = loadRows(f);
    expect(r).toMatchObject({ format: 'jsonl', featureNames: ['a', 'b', 'c'], rows: [[1, 'x', null], [null, 'y', null], [2, null, 1]], labels: [1, null, null] });
  });

  it('reports malformed lines', () => {
    const f = path.join(dir, 'bad.jsonl');
    fs.writeFileSync(f, '{"a":1}\n[1,2]\n{"a":{"b":1}}\nnope\n');
    const { code, fields } = failureOf(() => loadRows(f));
    expect(code).toBe('SS_ERR_DATA_INVALID');
    expect(fields).toEqual([`${f}:2`, `${f}:4`]);
    const c = path.join(dir, 'ragged.csv');
    fs.writeFileSync(c, 'a,b\n1,2\n3\n');
    expect(failureOf(() => loadRows(c)).fields).toEqual([`${c}:3`]);
  });

  it('splits CSV lines with quotes and trailing empty fields', () => {
    expect(splitCsvLine('a,"b ""q"", c",')).toEqual([
      { value: 'a', quoted: false },
      { value: 'b "q", c', quoted: true },
      { value: '', quoted: false },
    ]);
  });

  it('reads quoted fields spanning lines and names real line numbers past blank lines (RFC 4180, csv-parse)', () => {
    const f = path.join(dir, 'multi.csv');
    fs.writeFileSync(f, 'note,x\r\n"two\nlines",1\r\n\r\n"ok",2\r\n');
    expect(loadRows(f).rows).toEqual([['two\nlines', 1], ['ok', 2]]);
    const ragged = path.join(dir, 'ragged-blank.csv');
    fs.writeFileSync(ragged, 'a,b\n\n1,2\n\n3\n');
    expect(failureOf(() => loadRows(ragged)).fields).toEqual([`${ragged}:5`]);
    const broken = path.join(dir, 'broken.csv');
    fs.writeFileSync(broken, 'a,b\n1,2\n"x,1\n');
    expect(failureOf(() => loadRows(broken))).toEqual({ code: 'SS_ERR_DATA_INVALID', fields: [`${broken}:3`] });
  });
});
