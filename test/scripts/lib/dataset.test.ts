/** scikit-learn's bundled CSV format, read with csv-parse. */
import { parseDatasetCsv } from '../../../scripts/lib/dataset';

describe('parseDatasetCsv', () => {
  test('GIVEN the header n_rows,n_features,classes… THEN features, integer labels and class names', () => {
    expect(parseDatasetCsv('2,2,no,yes\r\n0.5,1,0\r\n\r\n2,3.25,1\r\n')).toEqual({ features: [[0.5, 1], [2, 3.25]], labels: [0, 1], classNames: ['no', 'yes'], nFeatures: 2 });
  });

  test('GIVEN malformed files THEN the error names the source and the real line', () => {
    expect(() => parseDatasetCsv('2,2,no,yes\n0.5,1,0\n\n2,3\n', 'd.csv')).toThrow('d.csv:4: expected 3 fields, got 2');
    expect(() => parseDatasetCsv('1,2,no,yes\n0.5,x,0\n', 'd.csv')).toThrow('d.csv:2: non-numeric field');
    expect(() => parseDatasetCsv('1,2,no,yes\n0.5,1,7\n', 'd.csv')).toThrow('d.csv:2: label 7 is not a class id 0..1');
    expect(() => parseDatasetCsv('3,2,no,yes\n0.5,1,0\n', 'd.csv')).toThrow('d.csv: header says 3 rows, file has 1');
    expect(() => parseDatasetCsv('', 'd.csv')).toThrow('d.csv: empty file');
  });
});
