import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { parseWeek } from '../../../src/lib/core/calendar.js';
import { REGIONS } from '../../../src/lib/core/regions.js';
import { canonicalLine, DirtyRegion } from '../../../src/lib/generator/dirt.js';
import { rngFor } from '../../../src/lib/generator/random.js';
import type { Sale } from '../../../src/lib/generator/sales.js';
import type { DirtRates } from '../../../src/lib/generator/store-plan.js';

const WEEK = parseWeek('2024-W20');
const CLEAN: DirtRates = { exactDuplicate: 0, reExport: 0, formatNoise: 0, invalid: 0 };

/** Sales with the values at the edges of their digits: 1 kopeck, whole roubles, ids of any length. */
const sale = fc
  .record({
    saleId: fc.oneof(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 2 ** 40 }), fc.constant(10 ** 12)),
    customerId: fc.integer({ min: 1, max: 10_000_000 }),
    productId: fc.integer({ min: 1, max: 100_000 }),
    quantity: fc.integer({ min: 1, max: 99 }),
    day: fc.integer({ min: 0, max: 60_000 }),
    amount: fc.oneof(
      fc.constantFrom(1, 5, 9, 10, 99, 100, 101, 1000, 99_999_999_99),
      fc.integer({ min: 1, max: 10 ** 12 }),
    ),
    region: fc.constantFrom(...REGIONS),
  })
  .map((r): Sale => ({ ...r, time: r.day * 86_400_000, unitPrice: r.amount, discount: 0 }));

/** What `DirtyRegion` wrote for `sales`, as text. */
function written(rates: DirtRates, sales: Sale[], seed = 1): string {
  const dirt = new DirtyRegion(rates, rngFor(seed, 99), WEEK, 1_000_000_000_000);
  const chunks: Buffer[] = [];
  for (const s of sales) {
    dirt.add(s);
    if (dirt.buffered > 1 << 12) chunks.push(Buffer.from(dirt.take()));
  }
  dirt.finish();
  chunks.push(dirt.take());
  return Buffer.concat(chunks).toString('utf8');
}

describe('a region file without dirt', () => {
  test('is the canonical lines, byte for byte, whatever the digits', () => {
    fc.assert(
      fc.property(fc.array(sale, { maxLength: 200 }), (sales) => {
        assert.equal(written(CLEAN, sales), sales.map((s) => `${canonicalLine(s)}\n`).join(''));
      }),
      { numRuns: 300 },
    );
  });

  test('past a buffer of lines held back, it grows and keeps every byte', () => {
    const sales = Array.from({ length: 5_000 }, (_, i) => ({
      saleId: i + 1,
      customerId: 7,
      productId: 3,
      quantity: 2,
      time: 0,
      day: 19_800 + (i % 7),
      unitPrice: 12_345,
      discount: 0,
      amount: 24_690,
      region: REGIONS[i % 4]!,
    }));
    const text = new DirtyRegion(CLEAN, rngFor(1, 99), WEEK, 1);
    for (const s of sales) text.add(s);
    assert.equal(text.take().toString('utf8'), sales.map((s) => `${canonicalLine(s)}\n`).join(''));
  });
});

describe('a region file with dirt', () => {
  const counts = (text: string) => {
    const seen = new Map<string, number>();
    for (const line of text.split('\n').slice(0, -1)) seen.set(line, (seen.get(line) ?? 0) + 1);
    return seen;
  };

  test('exact duplicates repeat the canonical line: each sale once or twice, nothing else', () => {
    const rates: DirtRates = { ...CLEAN, exactDuplicate: 0.3 };
    fc.assert(
      fc.property(fc.uniqueArray(sale, { selector: (s) => s.saleId, maxLength: 100 }), fc.integer(), (sales, seed) => {
        const seen = counts(written(rates, sales, seed));
        assert.deepEqual(new Set(seen.keys()), new Set(sales.map(canonicalLine)));
        for (const n of seen.values()) assert.ok(n === 1 || n === 2, `written ${n} times`);
      }),
      { numRuns: 200 },
    );
  });

  test('a re-export is another form: every canonical line once, the other lines none of them', () => {
    const rates: DirtRates = { ...CLEAN, reExport: 0.5 };
    fc.assert(
      fc.property(fc.uniqueArray(sale, { selector: (s) => s.saleId, maxLength: 100 }), fc.integer(), (sales, seed) => {
        const canonical = new Set(sales.map(canonicalLine));
        const seen = counts(written(rates, sales, seed));
        for (const line of canonical) assert.equal(seen.get(line), 1, line);
        const others = [...seen.keys()].filter((line) => !canonical.has(line));
        assert.ok(others.length <= sales.length);
      }),
      { numRuns: 200 },
    );
  });
});
