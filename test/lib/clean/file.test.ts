import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { dateOfDay, dayNumber, parseWeek } from '../../../src/lib/core/calendar.js';
import { cleanFile, type FileCounts } from '../../../src/lib/clean/file.js';
import { StageError } from '../../../src/lib/core/errors.js';
import { MAX_LINE_CHARS, REJECT_REASONS, RowNormalizer } from '../../../src/lib/clean/normalize.js';
import { SaleIdTable } from '../../../src/lib/clean/sale-id-table.js';
import { assertCanonicalRow, HEADER, memorySink } from '../../helpers/clean-helpers.js';

const week = parseWeek('2024-W20');

interface Cleaned extends FileCounts {
  rows: string[];
  rejectLines: string[];
}

/** Clean a file held in memory, fed in the given chunks (byte offsets may split a character). */
async function cleanText(data: string | Buffer, cuts: number[] = [], seen = new SaleIdTable()): Promise<Cleaned> {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const chunks: Buffer[] = [];
  let from = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    const at = Math.min(cut, bytes.length);
    chunks.push(bytes.subarray(from, at));
    from = at;
  }
  chunks.push(bytes.subarray(from));
  const clean = memorySink();
  const rejects = memorySink();
  const counts = await cleanFile({
    source: chunks,
    name: 'raw/2024-W20/north.csv',
    normalizer: new RowNormalizer(week, 'north'),
    seen,
    clean: clean.sink,
    rejects: rejects.sink,
  });
  await clean.sink.flush();
  await rejects.sink.flush();
  const lines = (text: string) => (text === '' ? [] : text.replace(/\n$/, '').split('\n'));
  return { ...counts, rows: lines(clean.text()), rejectLines: lines(rejects.text()) };
}

describe('cleanFile', () => {
  test('accepts a BOM, CRLF, quoted fields and blank lines, and counts every row', async () => {
    const text =
      `\uFEFF${HEADER}\r\n` +
      '1,10,100,2,2024-05-13,99.90,North\r\n' +
      '\r\n' +
      '2,11,101,"1.0","14.05.2024","1 234,50"," NORTH "\r\n' +
      '   \r\n' +
      '1,10,100,2.0,2024-05-13T12:00:00+03:00,"99,9",north\r\n' +
      '1,10,100,3,2024-05-13,99.90,North\r\n' +
      '3,12,102,1,2024-05-20,5.00,North\r\n';
    const r = await cleanText(text);
    assert.deepEqual(r.rows, ['1,10,100,2,2024-05-13,99.90,North', '2,11,101,1,2024-05-14,1234.50,North']);
    assert.equal(r.read, 5);
    assert.equal(r.blankLines, 2);
    assert.equal(r.duplicates, 1);
    assert.deepEqual(r.rejectReasons, { conflicting_duplicate: 1, date_outside_week: 1 });
    assert.deepEqual(r.rejectLines, [
      '7,conflicting_duplicate,"1,10,100,3,2024-05-13,99.90,North"',
      '8,date_outside_week,"3,12,102,1,2024-05-20,5.00,North"',
    ]);
  });

  test('a broken quote spoils only its own line', async () => {
    const opened = '1,1,1,1,2024-05-13,"5.00,North';
    const text = `${HEADER}\n${opened}\n2,1,1,1,2024-05-13,5.00,North\n3,1,1,1,2024-05-13,5.00,No"rth\n`;
    const r = await cleanText(text);
    assert.deepEqual(r.rows, ['2,1,1,1,2024-05-13,5.00,North']);
    assert.deepEqual(r.rejectReasons, { malformed_csv: 2 });
    assert.deepEqual(
      r.rejectLines.map((l) => l.split(',').slice(0, 2).join(',')),
      ['2,malformed_csv', '4,malformed_csv'],
    );
  });

  test('a last line without a line end is read', async () => {
    const r = await cleanText(`${HEADER}\n1,1,1,1,2024-05-13,5.00,North`);
    assert.deepEqual(r.rows, ['1,1,1,1,2024-05-13,5.00,North']);
  });

  test('a line longer than the limit is rejected with a bounded excerpt, whatever the chunking', async () => {
    const huge = 'x'.repeat(3 * MAX_LINE_CHARS);
    const text =
      `${HEADER}\n1,1,1,1,2024-05-13,5.00,North\n2,1,1,1,2024-05-13,${huge},North\n` +
      '3,1,1,1,2024-05-13,5.00,North\n';
    for (const cuts of [[], [100], [150, 151, 5000, 9000], Array.from({ length: 40 }, (_, i) => i * 331)]) {
      const r = await cleanText(text, cuts);
      assert.equal(r.read, 3);
      assert.deepEqual(
        r.rows.map((row) => row.split(',')[0]),
        ['1', '3'],
      );
      assert.deepEqual(r.rejectReasons, { line_too_long: 1 });
      const line = r.rejectLines[0] ?? '';
      assert.match(line, /^3,line_too_long,"2,1,1,1,2024-05-13,x+… \[\d+ more characters\]"$/);
      assert.ok(line.length < 1100, `excerpt of ${line.length} characters`);
    }
  });

  test('a header line that is neither the header nor a sale fails the file, naming the line', async () => {
    await assert.rejects(
      cleanText('\n\nid,customer,product,qty,date,amount,region\n1,1,1,1,2024-05-13,5.00,North\n'),
      (error) => {
        assert.ok(error instanceof StageError);
        assert.equal(
          error.message,
          'clean: raw/2024-W20/north.csv line 3: expected the header ' +
            'sale_id,customer_id,product_id,quantity,sale_date,sale_amount,region ' +
            '(or a sale, for a file without header), found "id,customer,product,qty,date,amount,region"',
        );
        return true;
      },
    );
  });

  test('a header repeated inside the file is a rejected row with its own reason', async () => {
    const r = await cleanText(
      `${HEADER}\n1,1,1,1,2024-05-13,5.00,North\n\uFEFF${HEADER}\r\n2,1,1,1,2024-05-13,5.00,North\n` +
        'sale_id,1,1,1,2024-05-13,5.00,North\n',
    );
    assert.equal(r.written, 2);
    assert.deepEqual(r.rejectReasons, { bad_id: 1, repeated_header: 1 });
    assert.match(r.rejectLines[0] ?? '', /^3,repeated_header,/);
  });

  test('a file without header has its first line read as a sale', async () => {
    const r = await cleanText('1,1,1,1,2024-05-13,5.00,North\n2,1,1,1,2024-05-13,5.00,North\n');
    assert.equal(r.headerless, true);
    assert.equal(r.read, 2);
    assert.equal(r.written, 2);
  });

  test('columns in another order are mapped by their names', async () => {
    const r = await cleanText(
      'region,sale_amount,sale_date,quantity,product_id,customer_id,sale_id\nnorth,"1,5",13.05.2024,2,3,4,5\n',
    );
    assert.deepEqual(r.rows, ['5,4,3,2,2024-05-13,1.50,North']);
  });

  test('dedup spans the files of a week', async () => {
    const seen = new SaleIdTable();
    await cleanText(`${HEADER}\n1,1,1,1,2024-05-13,5.00,North\n`, [], seen);
    const r = await cleanText(`${HEADER}\n1,1,1,1,13.05.2024,"5,0",NORTH\n1,1,1,1,2024-05-13,5.01,North\n`, [], seen);
    assert.equal(r.written, 0);
    assert.equal(r.duplicates, 1);
    assert.deepEqual(r.rejectReasons, { conflicting_duplicate: 1 });
  });

  test('NUL bytes and invalid UTF-8 become rejects with printable text', async () => {
    const data = Buffer.concat([
      Buffer.from(`${HEADER}\n1,1,1,1,2024-05-13,5.00,North\n`),
      Buffer.from([0x32, 0x2c, 0x00, 0x00, 0xff, 0xfe, 0x2c, 0x0a]),
      Buffer.from('3,1,1,1,2024-05-13,5.00,Nor\0th\n'),
    ]);
    const r = await cleanText(data);
    assert.equal(r.read, 3);
    assert.equal(r.written, 1);
    assert.deepEqual(r.rejectReasons, { column_count: 1, unknown_region: 1 });
    assert.ok(r.rejectLines.every((line) => !line.includes('\0')));
  });
});

test('cleanFile: a read error part-way is one error naming the file and the line reached', async () => {
  async function* failing() {
    yield Buffer.from(`${HEADER}\n1,1,1,1,2024-05-13,5.00,North\n2,1,1,1,2024-05-13,5.00,North\n3,1,1`);
    throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
  }
  const clean = memorySink();
  const rejects = memorySink();
  await assert.rejects(
    cleanFile({
      source: failing(),
      name: 'raw/2024-W20/north.csv',
      normalizer: new RowNormalizer(week, 'north'),
      seen: new SaleIdTable(),
      clean: clean.sink,
      rejects: rejects.sink,
    }),
    (error) => {
      assert.ok(error instanceof StageError);
      assert.equal(error.message, 'clean: cannot read raw/2024-W20/north.csv (at line 4)');
      assert.equal((error.cause as NodeJS.ErrnoException).code, 'EIO');
      return true;
    },
  );
});

// ---- property: random mutations of valid files ----

const amountForms = (cents: number): string[] => {
  const whole = Math.floor(cents / 100);
  const frac = String(cents % 100).padStart(2, '0');
  const grouped = (sep: string) => String(whole).replace(/\B(?=(\d{3})+(?!\d))/g, sep);
  const forms = [
    `${whole}.${frac}`,
    `"${whole},${frac}"`,
    `"${grouped(' ')}.${frac}"`,
    `"${grouped('\u00a0')},${frac}"`,
  ];
  if (frac.endsWith('0')) forms.push(`${whole}.${frac[0]}`);
  return forms;
};

const sale = fc.record({
  saleId: fc.integer({ min: 1, max: 60 }),
  customer: fc.integer({ min: 1, max: 5 }),
  product: fc.integer({ min: 1, max: 3 }),
  quantity: fc.integer({ min: 1, max: 15 }),
  day: fc.integer({ min: 0, max: 6 }),
  cents: fc.integer({ min: 1, max: 300_000 }),
  dateForm: fc.integer({ min: 0, max: 3 }),
  amountForm: fc.nat(),
  regionForm: fc.constantFrom('North', 'north', 'NORTH', ' North ', 'nOrTh'),
  quantityForm: fc.boolean(),
  pad: fc.boolean(),
});
type Sale = typeof sale extends fc.Arbitrary<infer T> ? T : never;

const canonical = (s: Sale) =>
  `${s.saleId},${s.customer},${s.product},${s.quantity},${dateOfDay(dayNumber(week.start) + s.day)},` +
  `${Math.floor(s.cents / 100)}.${String(s.cents % 100).padStart(2, '0')},North`;

function render(s: Sale): string {
  const date = dateOfDay(dayNumber(week.start) + s.day);
  const [y, m, d] = date.split('-');
  const dates = [date, `${d}.${m}.${y}`, `${date}T12:00:00+03:00`, `${date}T05:30:00Z`];
  const amounts = amountForms(s.cents);
  const sp = s.pad ? ' ' : '';
  return [
    `${sp}${s.saleId}`,
    s.customer,
    `${s.product}${sp}`,
    s.quantityForm ? `${s.quantity}.0` : s.quantity,
    dates[s.dateForm],
    amounts[s.amountForm % amounts.length],
    s.regionForm,
  ].join(',');
}

const mutation = fc.oneof(
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    char: fc.constantFrom(',', '"', '\n', '\r', '\0', ' ', 'x', '9', '.', '-', '\uFEFF', 'é', '\u00a0'),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('garbage' as const), bytes: fc.string({ maxLength: 30 }) }),
);

test('property: any mutation of a valid file keeps the accounting and writes only canonical rows', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(sale, { minLength: 0, maxLength: 40 }),
      fc.array(fc.tuple(fc.nat(), mutation), { maxLength: 8 }),
      fc.boolean(),
      fc.boolean(),
      fc.array(fc.nat({ max: 4000 }), { maxLength: 6 }),
      async (sales, mutations, crlf, bom, cuts) => {
        const lines = [HEADER, ...sales.map(render)];
        for (const [target, m] of mutations) {
          // Mostly data lines; the header too, now and then.
          const i = target % 10 === 0 ? 0 : 1 + (target % Math.max(1, lines.length - 1));
          const line = lines[i] ?? '';
          if (m.kind === 'insert')
            lines[i] = line.slice(0, m.at % (line.length + 1)) + m.char + line.slice(m.at % (line.length + 1));
          else if (m.kind === 'delete')
            lines[i] = line.slice(0, m.at % (line.length + 1)) + line.slice((m.at % (line.length + 1)) + 1);
          else if (m.kind === 'truncate') lines[i] = line.slice(0, m.at % (line.length + 1));
          else if (m.kind === 'duplicate') lines.splice(i, 0, line);
          else lines.splice(i, 0, m.bytes);
        }
        const text = `${(bom ? '\uFEFF' : '') + lines.join(crlf ? '\r\n' : '\n')}\n`;
        let r: Cleaned;
        try {
          r = await cleanText(text, cuts);
        } catch (error) {
          // Only a spoilt header may fail the file, with one line naming the file and line.
          assert.ok(error instanceof StageError, String(error));
          assert.match(error.message, /^clean: raw\/2024-W20\/north\.csv line \d+: expected the header /);
          return;
        }

        assert.equal(r.read, r.written + r.duplicates + r.rejected);
        const nonBlank = text
          .split('\n')
          .map((l, i) => (i === 0 ? l.replace(/^\uFEFF/, '') : l).replace(/\r$/, ''))
          .filter((l) => l.trim() !== '').length;
        // A file of blank lines only has no header either: nothing is read.
        assert.equal(r.read, nonBlank === 0 ? 0 : nonBlank - (r.headerless ? 0 : 1));
        assert.equal(r.rows.length, r.written);
        assert.equal(r.rejectLines.length, r.rejected);
        assert.equal(
          Object.values(r.rejectReasons).reduce((a, b) => a + b, 0),
          r.rejected,
        );
        const ids = r.rows.map((row) => assertCanonicalRow(row, week.start, week.end));
        assert.equal(new Set(ids).size, ids.length);
        for (const line of r.rejectLines) {
          const [lineNo, reason] = line.split(',');
          assert.ok(Number(lineNo) >= 1, line);
          assert.ok(reason !== undefined && reason in REJECT_REASONS, line);
        }

        if (mutations.length === 0) {
          // No mutation: exactly the model's rows survive.
          const kept = new Map<number, string>();
          let duplicates = 0;
          let conflicts = 0;
          for (const s of sales) {
            const row = canonical(s);
            const first = kept.get(s.saleId);
            if (first === undefined) kept.set(s.saleId, row);
            else if (first === row) duplicates++;
            else conflicts++;
          }
          assert.deepEqual(r.rows, [...kept.values()]);
          assert.equal(r.duplicates, duplicates);
          assert.equal(r.rejected, conflicts);
        }
      },
    ),
    { numRuns: 400 },
  );
});

test('property: how the bytes are cut into chunks changes nothing', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(sale, { maxLength: 20 }),
      fc.array(fc.nat({ max: 3000 }), { maxLength: 10 }),
      async (sales, cuts) => {
        const text = [HEADER, ...sales.map(render), 'é,"ü', '\0\0'].join('\r\n');
        const whole = await cleanText(text);
        const cut = await cleanText(text, cuts);
        assert.deepEqual({ ...cut }, { ...whole });
      },
    ),
    { numRuns: 200 },
  );
});

test('property: non-ASCII text cut anywhere, even inside a character, is read as the whole file is', async () => {
  const lines = fc.constantFrom(
    '1,1,1,1,2024-05-13,"1\u00a0234,50",North',
    '2,1,1,1,2024-05-13,1\u202f234.50,north',
    '3,1,1,1,2024-05-13,5.00,North',
    '4,1,1,1,2024-05-13,5.00,Север',
    'продажа,№5,Москва,—,2024-05-13,5.00,North',
    '5,1,1,1,2024-05-13,5.00,North 😀',
    '6,1,1,1,2024-05-14,7.00,North',
    '',
  );
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.oneof(lines, fc.string({ unit: 'grapheme', maxLength: 12 })), { maxLength: 30 }),
      fc.array(fc.nat({ max: 1500 }), { maxLength: 8 }),
      async (rows, cuts) => {
        const text = `${HEADER}\n${rows.join('\n')}\n`;
        const whole = await cleanText(text);
        const cut = await cleanText(text, cuts);
        assert.deepEqual(cut, whole);
        // A rejected line keeps its characters.
        const cyrillic = rows.findIndex((r) => r.startsWith('продажа'));
        if (cyrillic >= 0)
          assert.ok(whole.rejectLines.some((l) => l.startsWith(`${cyrillic + 2},bad_id,"продажа,№5,Москва,—,`)));
      },
    ),
    { numRuns: 300 },
  );
});
