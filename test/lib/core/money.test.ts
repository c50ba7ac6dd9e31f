import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { formatKopecks, fromKopecks, toKopecks, twoDecimals } from '../../../src/lib/core/money.js';

describe('money', () => {
  test('formatKopecks (numbers) and fromKopecks (bigints) write the same text', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e13, max: 1e13 }), (k) => {
        assert.equal(formatKopecks(k), fromKopecks(BigInt(k)));
        assert.equal(toKopecks(formatKopecks(k)), BigInt(k));
      }),
    );
    assert.deepEqual([0, 5, 90, 123450, -7].map(formatKopecks), ['0.00', '0.05', '0.90', '1234.50', '-0.07']);
  });

  test('twoDecimals spells any scale of the same amount one way, exactly', () => {
    assert.deepEqual(['1234.5', '1234.50', '1234.500', '1234', '0.1'].map(twoDecimals), [
      '1234.50',
      '1234.50',
      '1234.50',
      '1234.00',
      '0.10',
    ]);
    // Beyond a float's 2^53: a float would round these.
    assert.equal(twoDecimals('90071992547409931.3'), '90071992547409931.30');
    assert.throws(() => twoDecimals('1.005'), /more than two decimals/);
    assert.throws(() => twoDecimals('1e3'), /not a decimal amount/);
  });
});
