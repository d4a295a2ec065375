import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setManifestBaseline } from '../../lib/core/manifest-update';
import { errorOf } from '../support/errors';

const EXAMPLE = path.join(__dirname, '../../examples/models/tiny');

describe('setManifestBaseline', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-manifest-'));
    fs.cpSync(EXAMPLE, dir, { recursive: true });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const read = (): Record<string, unknown> => JSON.parse(fs.readFileSync(path.join(dir, 'servingstack.json'), 'utf8')) as Record<string, unknown>;

  test('GIVEN a manifest without baseline THEN the key goes before lineage (or last), other keys keep their order', () => {
    const before = read();
    delete before.baseline;
    fs.writeFileSync(path.join(dir, 'servingstack.json'), JSON.stringify(before));
    setManifestBaseline(dir, 'monitoring/baseline.json');
    const keys = Object.keys(read());
    expect(keys.filter((k) => k !== 'baseline')).toEqual(Object.keys(before));
    expect(read().baseline).toBe('monitoring/baseline.json');
    if (keys.includes('lineage')) expect(keys.indexOf('baseline')).toBe(keys.indexOf('lineage') - 1);
    else expect(keys[keys.length - 1]).toBe('baseline');
    expect(fs.readFileSync(path.join(dir, 'servingstack.json'), 'utf8').endsWith('}\n')).toBe(true);
  });

  test('GIVEN a value the manifest schema refuses THEN nothing is written', () => {
    const text = fs.readFileSync(path.join(dir, 'servingstack.json'), 'utf8');
    expect(errorOf(() => setManifestBaseline(dir, '')).code).toBe('SS_ERR_MANIFEST_INVALID');
    expect(fs.readFileSync(path.join(dir, 'servingstack.json'), 'utf8')).toBe(text);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
