import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import fc from 'fast-check';
import { parseWeek } from '../../../src/lib/core/calendar.js';
import {
  checkHeader,
  normalizeAmount,
  normalizeDate,
  normalizeId,
  normalizeQuantity,
  normalizeRegion,
  RowNormalizer,
  splitCsvLine,
} from '../../../src/lib/clean/normalize.js';

const week = parseWeek('2024-W20'); // 2024-05-13 .. 2024-05-19

describe('splitCsvLine', () => {
  test('splits plain and quoted fields', () => {
    assert.deepEqual(splitCsvLine('1,2,3'), ['1', '2', '3']);
    assert.deepEqual(splitCsvLine('1,"1 234,50",x'), ['1', '1 234,50', 'x']);
    assert.deepEqual(splitCsvLine('"a ""b""",,""'), ['a "b"', '', '']);
    assert.deepEqual(splitCsvLine(' "a" , b'), ['a', ' b']);
    assert.deepEqual(splitCsvLine(',,,,,,'), ['', '', '', '', '', '', '']);
  });

  test('refuses broken quoting', () => {
    assert.equal(splitCsvLine('1,"unterminated'), undefined);
    assert.equal(splitCsvLine('1,ab"c,2'), undefined);
    assert.equal(splitCsvLine('1,"a"b,2'), undefined);
    assert.equal(splitCsvLine('"'), undefined);
  });

  test('reads back any fields csv-stringify writes, as csv-parse does', () => {
    const field = fc.string({ unit: fc.constantFrom('a', '1', ',', '"', ' ', '.', '\u00a0', 'я', '\0', '\t') });
    fc.assert(
      fc.property(fc.array(field, { minLength: 1, maxLength: 9 }), (fields) => {
        const line = stringify([fields], { eof: false });
        assert.deepEqual(splitCsvLine(line), fields);
        if (line !== '') assert.deepEqual(parse(line, { relax_column_count: true }), [fields]);
      }),
      { numRuns: 500 },
    );
  });
});

describe('field normalisation', () => {
  test('ids: positive whole numbers, leading zeros dropped, in range', () => {
    assert.equal(normalizeId('42'), '42');
    assert.equal(normalizeId('007'), '7');
    assert.equal(normalizeId('2147483647'), '2147483647');
    for (const bad of ['0', '000', '-1', '+1', '1.0', '1e3', 'x', '', '2147483648', ' 1']) {
      assert.equal(normalizeId(bad), undefined, bad);
    }
    assert.equal(normalizeId('9007199254740991', Number.MAX_SAFE_INTEGER), '9007199254740991');
    assert.equal(normalizeId('9007199254740992', Number.MAX_SAFE_INTEGER), undefined);
  });

  test('quantity: a whole number from 1, written 3 or 3.0', () => {
    assert.equal(normalizeQuantity('3'), '3');
    assert.equal(normalizeQuantity('3.0'), '3');
    assert.equal(normalizeQuantity('3,00'), '3');
    assert.equal(normalizeQuantity('15'), '15');
    for (const bad of ['0', '0.0', '-1', '3.5', '3.', '.0', '3.01', 'three', '1e1', '']) {
      assert.equal(normalizeQuantity(bad), undefined, bad);
    }
  });

  test('amounts: every noise form of the generator and of real exports, to two decimals', () => {
    const cases: Array<[string, string]> = [
      ['1234.50', '1234.50'],
      ['1234,50', '1234.50'],
      ['1 234.50', '1234.50'],
      ['1 234,50', '1234.50'],
      ['1\u00a0234,50', '1234.50'],
      ['1\u202f234.50', '1234.50'],
      ['12 345 678,9', '12345678.90'],
      ['1234.5', '1234.50'],
      ['1234', '1234.00'],
      ['0.01', '0.01'],
      ['0,5', '0.50'],
      ['00012.30', '12.30'],
      ['1,234.50', '1234.50'],
      ['1.234,50', '1234.50'],
      ['9999999999.99', '9999999999.99'],
    ];
    for (const [raw, canonical] of cases) assert.equal(normalizeAmount(raw), canonical, raw);
    for (const bad of [
      '0',
      '0.00',
      '0,0',
      '-5.00',
      '+5',
      '1.234',
      '1,234',
      '12.345',
      '12 34.50',
      '1..5',
      '.5',
      '5.',
      '1e3',
      '₽5',
      '10000000000.00',
      'NaN',
    ]) {
      assert.equal(normalizeAmount(bad), undefined, bad);
    }
  });

  test('dates: ISO, dotted, date-times converted to their Moscow date', () => {
    const cases: Array<[string, string]> = [
      ['2024-05-15', '2024-05-15'],
      ['15.05.2024', '2024-05-15'],
      ['5.5.2024', '2024-05-05'],
      ['2024-05-15T21:30:00+03:00', '2024-05-15'],
      ['2024-05-15T18:30:00Z', '2024-05-15'],
      ['2024-05-15T21:30:00Z', '2024-05-16'], // 00:30 in Moscow
      ['2024-05-15T23:30:00-02:00', '2024-05-16'], // 01:30Z, 04:30 Moscow
      ['2024-05-16T01:00:00+05:00', '2024-05-15'], // 20:00Z the day before, 23:00 Moscow
      ['2024-05-15T10:00:00.123+0300', '2024-05-15'],
      ['2024-05-15 10:00', '2024-05-15'], // no offset: Moscow wall-clock time
    ];
    for (const [raw, canonical] of cases) assert.equal(normalizeDate(raw), canonical, raw);
    for (const bad of [
      '2024-02-30',
      '2023-02-29',
      '31.04.2024',
      '2024-13-01',
      '2024/05/15',
      '05/15/2024',
      '2024-05-15T24:00:00Z',
      '2024-05-15T10:61:00Z',
      'yesterday',
      '20240515',
      '2024-05-15T10:00:00+25:00',
    ]) {
      assert.equal(normalizeDate(bad), undefined, bad);
    }
    assert.equal(normalizeDate('2024-02-29'), '2024-02-29');
  });

  test('regions in any case', () => {
    assert.equal(normalizeRegion('North'), 'north');
    assert.equal(normalizeRegion('NORTH'), 'north');
    assert.equal(normalizeRegion('wEsT'), 'west');
    for (const bad of ['Nord', 'No rth', '', 'northeast', '__proto__', 'constructor']) {
      assert.equal(normalizeRegion(bad), undefined, bad);
    }
  });
});

describe('RowNormalizer', () => {
  const rowOf = (line: string, region: 'north' | 'south' = 'north') => {
    const normalizer = new RowNormalizer(week, region);
    const reason = normalizer.normalize(splitCsvLine(line) ?? []);
    return reason ?? `${normalizer.saleIdText},${normalizer.content}`;
  };

  test('writes the canonical row of a noisy one', () => {
    assert.equal(rowOf(' 0042 , 7,13 , 3.0 ,15.05.2024," 1 234,5 ", north '), '42,7,13,3,2024-05-15,1234.50,North');
    assert.equal(rowOf('1,2,3,1,2024-05-19T20:59:59Z,10,NORTH'), '1,2,3,1,2024-05-19,10.00,North');
  });

  test('gives each invalid row its reason', () => {
    const cases: Array<[string, string]> = [
      ['1,2,3,1,2024-05-15,10.00', 'column_count'],
      ['1,2,3,1,2024-05-15,10.00,North,x', 'column_count'],
      [',,,,,,', 'missing_field'],
      ['1,2,3,1,2024-05-15,  ,North', 'missing_field'],
      ['0,2,3,1,2024-05-15,10.00,North', 'bad_id'],
      ['1,-2,3,1,2024-05-15,10.00,North', 'bad_id'],
      ['1,2,x,1,2024-05-15,10.00,North', 'bad_id'],
      ['1,2,3,0,2024-05-15,10.00,North', 'bad_quantity'],
      ['1,2,3,-2,2024-05-15,10.00,North', 'bad_quantity'],
      ['1,2,3,2.5,2024-05-15,10.00,North', 'bad_quantity'],
      ['1,2,3,1,2024-02-30,10.00,North', 'bad_date'],
      ['1,2,3,1,not a date,10.00,North', 'bad_date'],
      ['1,2,3,1,2024-05-12,10.00,North', 'date_outside_week'],
      ['1,2,3,1,2024-05-19T21:00:00Z,10.00,North', 'date_outside_week'],
      ['1,2,3,1,2024-05-15,0.00,North', 'bad_amount'],
      ['1,2,3,1,2024-05-15,10.005,North', 'bad_amount'],
      ['1,2,3,1,2024-05-15,-1,North', 'bad_amount'],
      ['1,2,3,1,2024-05-15,10.00,Atlantis', 'unknown_region'],
      ['1,2,3,1,2024-05-15,10.00,South', 'region_mismatch'],
    ];
    for (const [line, reason] of cases) assert.equal(rowOf(line), reason, line);
  });

  test('canonical: takes a canonical row as it is, and nothing that needs normalising or is invalid', () => {
    const accepts = (line: string) => new RowNormalizer(week, 'north').canonical(line);
    for (const line of [
      '1,2,3,1,2024-05-13,0.50,North',
      '123456789012345,999999999,7,15,2024-05-19,9999999999.99,North',
    ]) {
      assert.ok(accepts(line), line);
    }
    for (const line of [
      '01,2,3,1,2024-05-13,1.00,North',
      '1,2,3,1,2024-05-13,1.00,north',
      '1,2,3,1,2024-05-13,1.0,North',
      '1,2,3,1,2024-05-13,01.00,North',
      '1,2,3,1,2024-05-13,0.00,North',
      '1,2,3,1,2024-05-12,1.00,North',
      '1,2,3,1.0,2024-05-13,1.00,North',
      '1,2,3,1,2024-05-13,1.00,North,',
      '1,2,3,1,2024-05-13,1.00,North ',
      '1,2,3,1,2024-05-13,1.00,South',
      '1,2,3,1,2024-05-13,"1.00",North',
      '1234567890123456,2,3,1,2024-05-13,1.00,North',
      '1,2,3,1,2024-05-13,12345678901.00,North',
    ]) {
      assert.ok(!accepts(line), line);
    }
  });

  test(
    'property: a row canonical() takes is one normalize() accepts, ' + 'with the same fields, written back unchanged',
    () => {
      const odd = fc.constantFrom(
        '',
        '0',
        '00',
        '007',
        ' 1',
        '1 ',
        '-1',
        '1.0',
        '"1"',
        '1e3',
        'x',
        '\u00a01',
        '12345678901234567',
      );
      const id = (max: number) =>
        fc.oneof(
          { arbitrary: fc.integer({ min: 1, max: 99_999 }).map(String), weight: 6 },
          fc.integer({ min: 1, max }).map(String),
          odd,
        );
      const date = fc.oneof(
        { arbitrary: fc.constantFrom('2024-05-13', '2024-05-16', '2024-05-19'), weight: 4 },
        fc.constantFrom('2024-05-12', '2024-05-20', '2024-5-13', '13.05.2024', '2024-05-15T12:00:00Z', '2024-05-13 '),
      );
      const money = (max: number) =>
        fc.integer({ min: 0, max }).map((c) => `${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`);
      const amount = fc.oneof(
        { arbitrary: money(10_000_000), weight: 6 },
        money(2_000_000_000_000),
        fc.constantFrom('0.00', '00.50', '1.5', '1,50', '"1 234.50"', '1.005', '.50', '1.', '12345678901.00'),
      );
      const region = fc.oneof(
        { arbitrary: fc.constant('North'), weight: 4 },
        fc.constantFrom('north', 'NORTH', 'South', ' North', 'North ', '"North"', 'Nort', ''),
      );
      const extra = fc.oneof({ arbitrary: fc.constant([]), weight: 6 }, fc.constantFrom([''], ['x']));
      const row = fc.tuple(id(2 ** 53), id(2 ** 31), id(2 ** 31), id(100), date, amount, region, extra);
      let taken = 0;
      fc.assert(
        fc.property(row, ([saleId, customer, product, quantity, day, cash, place, more]) => {
          const line = [saleId, customer, product, quantity, day, cash, place, ...more].join(',');
          const fast = new RowNormalizer(week, 'north');
          if (!fast.canonical(line)) return;
          taken++;
          const slow = new RowNormalizer(week, 'north');
          assert.equal(slow.normalize(splitCsvLine(line) ?? []), undefined, line);
          assert.deepEqual([fast.saleId, fast.saleIdText, fast.content], [slow.saleId, slow.saleIdText, slow.content]);
          assert.equal(`${fast.saleIdText},${fast.content}`, line);
        }),
        { numRuns: 5_000 },
      );
      assert.ok(taken > 200, `only ${taken} rows took the fast path`);
    },
  );
});

describe('checkHeader', () => {
  test('recognises the header in any case, spacing, quoting and column order', () => {
    assert.deepEqual(checkHeader('sale_id,customer_id,product_id,quantity,sale_date,sale_amount,region'), {
      kind: 'header',
      order: undefined,
    });
    assert.deepEqual(checkHeader(' SALE_ID ,"customer_id",Product_Id,quantity,sale_date,sale_amount,region'), {
      kind: 'header',
      order: undefined,
    });
    assert.deepEqual(checkHeader('region,sale_id,customer_id,product_id,quantity,sale_date,sale_amount'), {
      kind: 'header',
      order: [1, 2, 3, 4, 5, 6, 0],
    });
  });

  test('a sale is data; anything else is a bad header', () => {
    assert.deepEqual(checkHeader('1,2,3,1,2024-05-15,10.00,North'), { kind: 'data' });
    assert.deepEqual(checkHeader('id,customer,product,qty,date,amount,region'), { kind: 'bad' });
    assert.deepEqual(checkHeader('sale_id,customer_id,product_id,quantity,sale_date,sale_amount'), { kind: 'bad' });
    assert.deepEqual(checkHeader('"sale_id'), { kind: 'bad' });
  });
});
