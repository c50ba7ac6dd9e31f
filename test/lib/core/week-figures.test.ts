import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalDecimal } from '../../../src/lib/core/money.js';
import { describeMismatch } from '../../../src/lib/core/week-figures.js';

describe('reconciliation figures', () => {
  it('compares decimals digit for digit whatever the spelling', () => {
    assert.equal(canonicalDecimal('1234.50'), '1234.5');
    assert.equal(canonicalDecimal('001234.5'), '1234.5');
    assert.equal(canonicalDecimal('0.00'), '0');
    assert.equal(canonicalDecimal('-0'), '0');
    assert.equal(canonicalDecimal('12'), '12');
    assert.equal(canonicalDecimal('99999999999999999999.99'), '99999999999999999999.99');
    assert.throws(() => canonicalDecimal('1e3'), /not a decimal/);
    assert.throws(() => canonicalDecimal(''), /not a decimal/);
  });

  it('names every figure that differs, with both values', () => {
    const daily = { dailySales: '19000', dailyAmount: '1234567.80' };
    const pg = { rows: '4000', amountSum: '1234567.80', salesCount: '19000', buyers: '3500', ...daily };
    assert.equal(describeMismatch({ ...pg, amountSum: '1234567.8' }, pg), undefined);
    assert.equal(
      describeMismatch({ ...pg, rows: '3999', amountSum: '1234567.79', dailySales: '18999' }, pg),
      'rows 3999 in ClickHouse vs 4000 in PostgreSQL, ' +
        'sum(amount_sum) 1234567.79 in ClickHouse vs 1234567.80 in PostgreSQL, ' +
        'sales in sales_daily 18999 in ClickHouse vs 19000 in PostgreSQL',
    );
    // A kopeck off on a sum beyond a float's precision still counts.
    assert.notEqual(
      describeMismatch({ ...pg, amountSum: '90071992547409.93' }, { ...pg, amountSum: '90071992547409.92' }),
      undefined,
    );
  });
});
