import assert from 'node:assert/strict';
import { copyFile, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { clean } from '../../src/commands/clean.js';
import { parseWeek } from '../../src/lib/core/calendar.js';
import { describeError, StageError } from '../../src/lib/core/errors.js';
import {
  assertCanonicalRow,
  dataLines,
  HEADER,
  HOSTILE_DIR,
  readManifest,
  removeDir,
  tempDataDir,
  testContext,
} from '../helpers/clean-helpers.js';

const W = '2024-W20';

type Expected =
  | {
      exit: 0;
      counts: [read: number, written: number, duplicates: number, rejected: number];
      reasons: Record<string, number>;
    }
  | { exit: 1; error: RegExp };

const headerError = (found: string) =>
  new RegExp(
    `^clean: raw/${W}/north\\.csv line 1: expected the header ${HEADER} ` +
      `\\(or a sale, for a file without header\\), found ${found}`,
  );

/** What each file of test/fixtures/hostile gives as raw/2024-W20/north.csv, with --max-reject-rate 1. */
const HOSTILE: Record<string, Expected> = {
  'all-binary.csv': { exit: 1, error: headerError('binary data, not UTF-8 CSV text') },
  'binary-garbage.csv': { exit: 0, counts: [11, 10, 0, 1], reasons: { malformed_csv: 1 } },
  'blank-lines.csv': { exit: 0, counts: [6, 6, 0, 0], reasons: {} },
  'bom-crlf-quoted.csv': { exit: 0, counts: [8, 8, 0, 0], reasons: {} },
  'cr-only.csv': { exit: 1, error: headerError('".*" \\(lines ending in a bare CR\\?\\)') },
  'duplicates.csv': { exit: 0, counts: [5, 2, 2, 1], reasons: { conflicting_duplicate: 1 } },
  'empty.csv': { exit: 0, counts: [0, 0, 0, 0], reasons: {} },
  'extra-columns.csv': { exit: 0, counts: [10, 8, 0, 2], reasons: { column_count: 2 } },
  'header-only.csv': { exit: 0, counts: [0, 0, 0, 0], reasons: {} },
  'invalid-values.csv': {
    exit: 0,
    counts: [13, 2, 0, 11],
    reasons: {
      bad_amount: 2,
      bad_date: 1,
      bad_id: 1,
      bad_quantity: 3,
      date_outside_week: 1,
      missing_field: 1,
      region_mismatch: 1,
      unknown_region: 1,
    },
  },
  'missing-columns.csv': { exit: 0, counts: [10, 8, 0, 2], reasons: { column_count: 2 } },
  'injection-values.csv': {
    exit: 0,
    counts: [14, 3, 0, 11],
    reasons: { bad_amount: 5, bad_id: 3, bad_quantity: 1, unknown_region: 2 },
  },
  'missing-header.csv': { exit: 0, counts: [6, 6, 0, 0], reasons: {} },
  'mixed-encodings.csv': { exit: 0, counts: [8, 3, 0, 5], reasons: { bad_amount: 1, unknown_region: 4 } },
  'noise-forms.csv': { exit: 0, counts: [7, 6, 0, 1], reasons: { date_outside_week: 1 } },
  'nul-bytes.csv': { exit: 0, counts: [9, 6, 0, 3], reasons: { bad_id: 1, column_count: 1, unknown_region: 1 } },
  'only-commas.csv': { exit: 0, counts: [11, 8, 0, 3], reasons: { column_count: 2, missing_field: 1 } },
  'quoted-newline.csv': { exit: 0, counts: [7, 3, 0, 4], reasons: { malformed_csv: 4 } },
  'quoted-newline-valid-piece.csv': { exit: 0, counts: [3, 1, 0, 2], reasons: { malformed_csv: 2 } },
  'quote-inside-field.csv': { exit: 0, counts: [10, 8, 0, 2], reasons: { malformed_csv: 2 } },
  'reordered-header.csv': { exit: 0, counts: [4, 4, 0, 0], reasons: {} },
  'unterminated-quote.csv': { exit: 0, counts: [7, 6, 0, 1], reasons: { malformed_csv: 1 } },
  'utf16.csv': { exit: 1, error: headerError('binary data, not UTF-8 CSV text \\(UTF-16\\?\\)') },
  'wrong-header.csv': { exit: 1, error: headerError('"id,customer,product,qty,date,amount,region"') },
};

/** Clean a week whose north.csv is given (the other regions are missing) and check the outcome. */
async function checkHostile(
  label: string,
  place: (rawNorth: string) => Promise<void>,
  expected: Expected,
): Promise<void> {
  const dir = await tempDataDir('hostile');
  try {
    await mkdir(path.join(dir, 'raw', W), { recursive: true });
    await place(path.join(dir, 'raw', W, 'north.csv'));
    let failure: unknown;
    try {
      await clean({ ctx: testContext(dir).ctx, weeks: [parseWeek(W)], maxRejectRate: 1 });
    } catch (error) {
      failure = error;
    }
    if (expected.exit === 1) {
      assert.ok(failure instanceof StageError, `${label}: ${String(failure)}`);
      const line = describeError(failure);
      assert.doesNotMatch(line, /\n/, label);
      assert.match(line, expected.error, label);
      assert.deepEqual(await readdir(path.join(dir, 'clean', W)).catch(() => []), [], `${label}: nothing left behind`);
      return;
    }
    assert.equal(failure, undefined, `${label}: ${String(failure)}`);
    const file = (await readManifest(dir, W)).files[0];
    assert.ok(file, label);
    assert.deepEqual([file.read, file.written, file.duplicates, file.rejected], expected.counts, label);
    assert.deepEqual(file.rejectReasons, expected.reasons, label);
    const rows = dataLines(await readFile(path.join(dir, 'clean', W, 'north.csv'), 'utf8'));
    assert.equal(rows.length, file.written, label);
    for (const row of rows) assertCanonicalRow(row, '2024-05-13', '2024-05-19');
    const rejects = await readFile(path.join(dir, 'rejects', W, 'north.csv'), 'utf8');
    assert.equal(dataLines(rejects).length, file.rejected, label);
    assert.ok(rejects.length < 4096 + 200 * file.rejected, `${label}: rejects file of ${rejects.length} characters`);
  } finally {
    await removeDir(dir);
  }
}

test('every file of the hostile corpus gives rejects or one clear error naming the file', async () => {
  const names = (await readdir(HOSTILE_DIR)).filter((name) => name.endsWith('.csv') && !name.endsWith('.expected.csv'));
  assert.deepEqual(names.sort(), Object.keys(HOSTILE).sort(), 'every fixture has an expectation');
  for (const name of names) {
    await checkHostile(name, (target) => copyFile(path.join(HOSTILE_DIR, name), target), HOSTILE[name] as Expected);
  }
});

// docs/clean.md: a quoted line break splits the record; each piece is a line judged by itself.
test('a quoted line break: the opening and closing lines are rejected, a valid middle piece is kept', async () => {
  const dir = await tempDataDir('quoted-newline');
  try {
    await mkdir(path.join(dir, 'raw', W), { recursive: true });
    await copyFile(path.join(HOSTILE_DIR, 'quoted-newline-valid-piece.csv'), path.join(dir, 'raw', W, 'north.csv'));
    await clean({ ctx: testContext(dir).ctx, weeks: [parseWeek(W)], maxRejectRate: 1 });
    const written = dataLines(await readFile(path.join(dir, 'clean', W, 'north.csv'), 'utf8'));
    assert.deepEqual(written, ['9002,2,3,1,2024-05-13,20.00,North']);
    assert.deepEqual(dataLines(await readFile(path.join(dir, 'rejects', W, 'north.csv'), 'utf8')), [
      '2,malformed_csv,"9001,2,3,1,2024-05-13,""10.00"',
      '4,malformed_csv,""",North"',
    ]);
  } finally {
    await removeDir(dir);
  }
});

test('a 10 MB field is one rejected row with a bounded excerpt', async () => {
  const huge = 'y'.repeat(10 * 2 ** 20);
  const valid = ['1,1,1,1,2024-05-14,1.00,North', '2,1,1,1,2024-05-14,1.00,North'];
  await checkHostile(
    '10 MB field',
    (target) => writeFile(target, `${HEADER}\n${valid[0]}\n3,1,1,1,2024-05-14,"${huge}",North\n${valid[1]}\n`),
    { exit: 0, counts: [3, 2, 0, 1], reasons: { line_too_long: 1 } },
  );
  await checkHostile(
    '10 MB last line without line end',
    (target) => writeFile(target, `${HEADER}\n${valid[0]}\n${huge}`),
    {
      exit: 0,
      counts: [2, 1, 0, 1],
      reasons: { line_too_long: 1 },
    },
  );
  await checkHostile('10 MB header line', (target) => writeFile(target, huge), {
    exit: 1,
    error: /^clean: raw\/2024-W20\/north\.csv line 1: expected the header .* found "y+…"$/,
  });
});

test('a directory or a dangling link in place of a file is one error naming it', async () => {
  await checkHostile('directory', (target) => mkdir(target), {
    exit: 1,
    error: new RegExp(`^clean: cannot read raw/${W}/north\\.csv: it is a directory$`),
  });
  // Tests run as root, for whom chmod 000 changes nothing; a dangling link exists but cannot be opened.
  await checkHostile('dangling link', (target) => symlink('/nonexistent/north.csv', target), {
    exit: 1,
    error: new RegExp(`^clean: cannot read raw/${W}/north\\.csv: ENOENT`),
  });
});
