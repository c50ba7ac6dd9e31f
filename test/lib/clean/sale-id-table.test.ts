import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { SaleIdTable, SEEN } from '../../../src/lib/clean/sale-id-table.js';

test('SaleIdTable agrees with a Map through growth, for small and huge ids', () => {
  const id = fc.oneof(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }));
  fc.assert(
    fc.property(fc.array(fc.tuple(id, fc.integer({ min: 0, max: 3 })), { maxLength: 400 }), (adds) => {
      const table = new SaleIdTable(16);
      const oracle = new Map<number, number>();
      for (const [key, hash] of adds) {
        const known = oracle.get(key);
        const expected = known === undefined ? SEEN.new : known === hash ? SEEN.same : SEEN.different;
        if (known === undefined) oracle.set(key, hash);
        assert.equal(table.add(key, hash), expected);
      }
      assert.equal(table.size, oracle.size);
    }),
    { numRuns: 300 },
  );
});

test('SaleIdTable keeps its load under 70% as it grows', () => {
  const table = new SaleIdTable(16);
  for (let i = 1; i <= 100_000; i++) assert.equal(table.add(i * 7919, i & 0xffff), SEEN.new);
  assert.equal(table.size, 100_000);
  assert.ok(table.bytes / 12 > 100_000 / 0.7, `${table.bytes} bytes`);
  assert.equal(table.add(7919 * 500, 500), SEEN.same);
  assert.equal(table.add(7919 * 500, 501), SEEN.different);
});
