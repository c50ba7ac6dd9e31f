import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseWeek } from '../../../src/lib/core/calendar.js';
import { StageError } from '../../../src/lib/core/errors.js';
import { RowNormalizer } from '../../../src/lib/clean/normalize.js';
import { RowClassifier, type Verdict } from '../../../src/lib/clean/row-classifier.js';
import { SaleIdTable } from '../../../src/lib/clean/sale-id-table.js';
import { HEADER } from '../../helpers/clean-helpers.js';

const week = parseWeek('2024-W20');
const classifier = () => new RowClassifier(new RowNormalizer(week, 'north'), new SaleIdTable(), 'raw/x/north.csv');

/** Each line's verdict, and the clean lines of the kept ones. */
function judge(rows: RowClassifier, lines: string[]): { verdicts: Verdict[]; kept: string[] } {
  const kept: string[] = [];
  const verdicts = lines.map((line, i) => {
    const verdict = rows.classify(line, i + 1);
    if (verdict === 'kept') kept.push(rows.cleanLine());
    return verdict;
  });
  return { verdicts, kept };
}

describe('RowClassifier', () => {
  test('the header, then rows: kept, duplicate, conflicting, rejected, the header again, blank', () => {
    const rows = classifier();
    const { verdicts, kept } = judge(rows, [
      ' \t',
      HEADER,
      '1,2,3,4,2024-05-13,10.00,North',
      ' 01 ,2,3,4.0,13.05.2024,"10,00",NORTH',
      '1,2,3,4,2024-05-13,11.00,North',
      '2,2,3,4,2024-05-13,10.00,South',
      '2,"2,3',
      HEADER,
      '',
    ]);
    assert.deepEqual(verdicts, [
      'blank',
      'header',
      'kept',
      'duplicate',
      'conflicting_duplicate',
      'region_mismatch',
      'malformed_csv',
      'repeated_header',
      'blank',
    ]);
    assert.deepEqual(kept, ['1,2,3,4,2024-05-13,10.00,North\n']);
    assert.equal(rows.headerless, false);
  });

  test('a header in another order reorders every row', () => {
    const rows = classifier();
    const header = 'region,sale_amount,sale_date,quantity,product_id,customer_id,sale_id';
    const { verdicts, kept } = judge(rows, [header, 'North,10.00,2024-05-13,4,3,2,1']);
    assert.deepEqual(verdicts, ['header', 'kept']);
    assert.deepEqual(kept, ['1,2,3,4,2024-05-13,10.00,North\n']);
  });

  test('a file without header: its first line is a sale', () => {
    const rows = classifier();
    assert.deepEqual(judge(rows, ['7,2,3,4,2024-05-13,10.00,North']).verdicts, ['kept']);
    assert.equal(rows.headerless, true);
  });

  test('a first line that is neither header nor sale is a StageError naming the file and line', () => {
    assert.throws(
      () => judge(classifier(), ['', 'name,amount']),
      (error: unknown) =>
        error instanceof StageError &&
        error.message.startsWith('clean: raw/x/north.csv line 2: expected the header sale_id,') &&
        error.message.endsWith('found "name,amount"'),
    );
    assert.throws(() => classifier().classify('a\u0000b', 1), /binary data, not UTF-8 CSV text \(UTF-16\?\)/);
    assert.throws(() => classifier().classify('a,b\rc,d', 1), /\(lines ending in a bare CR\?\)/);
  });

  test('an overlong line is a reject after the header, a bad header before it', () => {
    const rows = classifier();
    assert.throws(() => rows.overlong('xxx… [5000 more characters]', 1), StageError);
    const after = classifier();
    after.classify(HEADER, 1);
    assert.equal(after.overlong('xxx… [5000 more characters]', 2), 'line_too_long');
  });
});
