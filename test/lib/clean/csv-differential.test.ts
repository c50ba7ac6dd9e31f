import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { splitCsvLine } from '../../../src/lib/clean/normalize.js';

/**
 * The clean reader's own CSV splitting against csv-parse, the oracle, over the
 * lines both are meant to read alike: one record per line (no CR or LF in a
 * field), no blanks around a quoted field (the reader allows them, since it
 * trims every field; csv-parse does not), and not the empty line.
 */
function oracle(line: string): string[] | undefined {
  let records: string[][];
  try {
    records = parse(line, { relax_column_count: true, bom: false }) as string[][];
  } catch {
    return undefined;
  }
  assert.equal(records.length, 1, `one record from ${JSON.stringify(line)}`);
  return records[0];
}

/** Field text: any characters but CR and LF, drawn often from the ones quoting is about. */
const fieldText = fc
  .oneof(
    fc.string({ unit: fc.constantFrom('"', ',', ' ', '\t', 'a', '1', '.', 'Я', ';', "'"), maxLength: 10 }),
    fc.string({ unit: 'grapheme', maxLength: 10 }),
  )
  .map((s) => s.replace(/[\r\n]/g, ''));

/** A field as a writer might put it: quoted (quotes doubled), or plain when it can be. */
const written = fc.tuple(fieldText, fc.boolean()).map(([value, quote]) => {
  const plain = !/[",]/.test(value);
  return { value, text: quote || !plain ? `"${value.replace(/"/g, '""')}"` : value };
});

describe('splitCsvLine against csv-parse', () => {
  test('well-formed lines: the same fields', () => {
    fc.assert(
      fc.property(fc.array(written, { minLength: 1, maxLength: 9 }), (fields) => {
        const line = fields.map((f) => f.text).join(',');
        fc.pre(line !== '');
        const mine = splitCsvLine(line);
        assert.deepEqual(mine, oracle(line), JSON.stringify(line));
        assert.deepEqual(
          mine,
          fields.map((f) => f.value),
        );
      }),
      { numRuns: 5000 },
    );
  });

  test('any line of quotes, commas and text without blanks: accepted alike, refused alike', () => {
    const unit = fc.constantFrom('"', '"', ',', 'a', 'Я', '1', ';', "'");
    fc.assert(
      fc.property(fc.string({ unit, minLength: 1, maxLength: 16 }), (line) => {
        assert.deepEqual(splitCsvLine(line), oracle(line), JSON.stringify(line));
      }),
      { numRuns: 20000 },
    );
  });

  test('the oracle refuses what the reader refuses in the unit tests', () => {
    for (const line of ['1,"unterminated', '1,ab"c,2', '1,"a"b,2', '"']) {
      assert.equal(splitCsvLine(line), undefined, line);
      assert.equal(oracle(line), undefined, line);
    }
  });
});
