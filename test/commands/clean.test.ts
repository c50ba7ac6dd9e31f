import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { clean } from '../../src/commands/clean.js';
import { parseWeek } from '../../src/lib/core/calendar.js';
import { StageError, UsageError } from '../../src/lib/core/errors.js';
import { HEADER, readManifest, removeDir, tempDataDir, testContext, writeRaw } from '../helpers/clean-helpers.js';

const W = '2024-W20';
const week = parseWeek(W);

/** A small week: each region has valid rows, noise, a duplicate and one invalid row. */
async function writeWeek(dataDir: string, regions = ['north', 'south', 'east', 'west']): Promise<void> {
  for (const [i, region] of regions.entries()) {
    const Name = region[0]?.toUpperCase() + region.slice(1);
    const base = (i + 1) * 100;
    const rows = [HEADER];
    for (let k = 1; k <= 40; k++)
      rows.push(`${base + k},${k},${(k % 7) + 1},${(k % 3) + 1},2024-05-${13 + (k % 7)},${k}.50,${Name}`);
    rows.push(`${base + 41},1,1,2.0,15.05.2024,"1 000,5", ${region.toUpperCase()} `);
    rows.push(`${base + 1},1,2,2,2024-05-14,1.50,${Name}`); // exact duplicate of row 1
    rows.push(`${base + 42},1,1,1,2024-05-25,1.00,${Name}`); // outside the week
    await writeRaw(dataDir, W, region, `${rows.join('\n')}\n`);
  }
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** Every file under clean/ and rejects/, by relative path, with its bytes. */
async function snapshot(dataDir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const top of ['clean', 'rejects']) {
    const dir = path.join(dataDir, top, W);
    let names: string[] = [];
    try {
      names = await readdir(dir);
    } catch {
      continue;
    }
    for (const name of names.sort()) files.set(`${top}/${W}/${name}`, await readFile(path.join(dir, name), 'latin1'));
  }
  return files;
}

describe('clean', () => {
  let dataDir: string;
  before(async () => {
    dataDir = await tempDataDir();
  });
  after(() => removeDir(dataDir));

  test('cleans a week into clean files, rejects files and the manifest of the contract', async () => {
    await writeWeek(dataDir);
    const { ctx, warnings, infos } = testContext(dataDir);
    const result = await clean({ ctx, weeks: [week] });
    assert.deepEqual(result.weeks, [
      {
        week: W,
        read: 172,
        written: 164,
        duplicates: 4,
        rejected: 4,
        missingRegions: [],
        manifest: `clean/${W}/manifest.json`,
      },
    ]);
    assert.deepEqual(warnings, []);
    assert.deepEqual(infos, [`${W}: 164 written, 4 duplicates, 4 rejected`]);

    const manifest = await readManifest(dataDir, W);
    assert.deepEqual(Object.keys(manifest), ['week', 'weekStart', 'weekEnd', 'files', 'missingRegions', 'totals']);
    assert.equal(manifest.weekStart, '2024-05-13');
    assert.equal(manifest.weekEnd, '2024-05-19');
    assert.deepEqual(manifest.missingRegions, []);
    assert.deepEqual(manifest.totals, { read: 172, written: 164, duplicates: 4, rejected: 4 });
    assert.deepEqual(
      manifest.files.map((f) => f.region),
      ['north', 'south', 'east', 'west'],
    );
    for (const file of manifest.files) {
      assert.equal(file.input, `raw/${W}/${file.region}.csv`);
      assert.equal(file.output, `clean/${W}/${file.region}.csv`);
      assert.equal(file.rejects, `rejects/${W}/${file.region}.csv`);
      assert.equal(file.inputSha256, sha256(await readFile(path.join(dataDir, file.input))));
      assert.equal(file.outputSha256, sha256(await readFile(path.join(dataDir, file.output))));
      assert.deepEqual([file.read, file.written, file.duplicates, file.rejected], [43, 41, 1, 1]);
      assert.deepEqual(file.rejectReasons, { date_outside_week: 1 });
    }
    const north = await readFile(path.join(dataDir, 'clean', W, 'north.csv'), 'utf8');
    const lines = north.split('\n');
    assert.equal(lines[0], HEADER);
    assert.equal(lines[1], '101,1,2,2,2024-05-14,1.50,North');
    assert.equal(lines[41], '141,1,1,2,2024-05-15,1000.50,North');
    assert.equal(lines.length, 43); // header, 41 rows, final newline
    const rejects = await readFile(path.join(dataDir, 'rejects', W, 'north.csv'), 'utf8');
    assert.equal(rejects, 'line,reason,raw\n44,date_outside_week,"142,1,1,1,2024-05-25,1.00,North"\n');
  });

  test('a re-run gives byte-identical output, manifest included, and leaves no temporary files', async () => {
    const first = await snapshot(dataDir);
    await clean({ ctx: testContext(dataDir).ctx, weeks: [week] });
    const second = await snapshot(dataDir);
    assert.deepEqual([...second.keys()], [...first.keys()]);
    assert.deepEqual(second, first);
    assert.ok([...second.keys()].every((name) => !name.includes('.tmp')));
  });

  test('temporary files left by a killed clean are removed; those of a live process are kept', async () => {
    let dead = 4_000_000;
    while (dead > 1) {
      try {
        process.kill(dead, 0);
        dead--;
      } catch {
        break;
      }
    }
    const stale = path.join(dataDir, 'clean', W, `.north.csv.${dead}.0badf00d.tmp`);
    const live = path.join(dataDir, 'rejects', W, `.north.csv.${process.ppid}.0badf00d.tmp`);
    await writeFile(stale, 'half');
    await writeFile(live, 'busy');
    await clean({ ctx: testContext(dataDir).ctx, weeks: [week] });
    assert.ok(!(await readdir(path.join(dataDir, 'clean', W))).some((name) => name.endsWith('.tmp')));
    assert.equal(await readFile(live, 'utf8'), 'busy');
    await removeDir(live);
  });

  test('above the reject rate the week fails, naming the file and rate, and the previous output stays', async () => {
    const before = await snapshot(dataDir);
    const rows = [
      HEADER,
      '900,1,1,1,2024-05-14,1.00,East',
      '901,1,1,1,2024-05-14,abc,East',
      '902,1,1,0,2024-05-14,1.00,East',
    ];
    await writeRaw(dataDir, W, 'east', `${rows.join('\n')}\n`);
    await assert.rejects(clean({ ctx: testContext(dataDir).ctx, weeks: [week] }), (error) => {
      assert.ok(error instanceof StageError);
      assert.equal(
        error.message,
        `clean: raw/${W}/east.csv rejected 66.67% of its rows (2 of 3: bad_amount 1, bad_quantity 1), ` +
          `above --max-reject-rate 5%; clean/${W} left as it was`,
      );
      return true;
    });
    assert.deepEqual(await snapshot(dataDir), before);
    // The same week passes with a looser gate.
    const result = await clean({ ctx: testContext(dataDir).ctx, weeks: [week], maxRejectRate: 0.7 });
    assert.equal(result.weeks[0]?.rejected, 5);
    await writeWeek(dataDir, ['east']);
  });

  test('a missing region file is a warning, recorded in the manifest; its stale clean file goes', async () => {
    const dir = await tempDataDir();
    try {
      await writeWeek(dir);
      await clean({ ctx: testContext(dir).ctx, weeks: [week] });
      await removeDir(path.join(dir, 'raw', W, 'south.csv'));
      const { ctx, warnings, infos } = testContext(dir);
      const result = await clean({ ctx, weeks: [week] });
      assert.deepEqual(result.weeks[0]?.missingRegions, ['south']);
      assert.deepEqual(warnings, [
        `${W}: no raw file for region south (raw/${W}/south.csv); cleaning the week without it`,
      ]);
      assert.deepEqual(infos, [`${W}: 123 written, 3 duplicates, 3 rejected, missing south`]);
      const manifest = await readManifest(dir, W);
      assert.deepEqual(manifest.missingRegions, ['south']);
      assert.deepEqual(
        manifest.files.map((f) => f.region),
        ['north', 'east', 'west'],
      );
      assert.deepEqual((await readdir(path.join(dir, 'clean', W))).sort(), [
        'east.csv',
        'manifest.json',
        'north.csv',
        'west.csv',
      ]);
      assert.deepEqual((await readdir(path.join(dir, 'rejects', W))).sort(), ['east.csv', 'north.csv', 'west.csv']);
    } finally {
      await removeDir(dir);
    }
  });

  test('no raw files for the week names the command to run first', async () => {
    const dir = await tempDataDir();
    try {
      await assert.rejects(clean({ ctx: testContext(dir).ctx, weeks: [week] }), {
        name: 'StageError',
        message: `clean: no raw files for ${W} (raw/${W} does not exist); run \`sales-etl generate --week ${W}\` first`,
      });
      await mkdir(path.join(dir, 'raw', W), { recursive: true });
      await assert.rejects(
        clean({ ctx: testContext(dir).ctx, weeks: [week] }),
        /run `sales-etl generate --week 2024-W20` first/,
      );
    } finally {
      await removeDir(dir);
    }
  });

  test('without weeks and without a plan it is a usage error; with a plan it cleans the period', async () => {
    const dir = await tempDataDir();
    try {
      await assert.rejects(clean({ ctx: testContext(dir).ctx }), UsageError);
      await writeFile(
        path.join(dir, 'store.json'),
        JSON.stringify({ version: 1, seed: 1, total: 100, startWeek: '2024-W19', weeks: 2, simulateOutage: false }),
      );
      await writeRaw(dir, '2024-W19', 'north', `${HEADER}\n1,1,1,1,2024-05-06,1.00,North\n`);
      await writeRaw(dir, W, 'west', `${HEADER}\n2,1,1,1,2024-05-19,1.00,West\n`);
      const result = await clean({ ctx: testContext(dir).ctx });
      assert.deepEqual(
        result.weeks.map((w) => [w.week, w.written, w.missingRegions.length]),
        [
          ['2024-W19', 1, 3],
          [W, 1, 3],
        ],
      );
    } finally {
      await removeDir(dir);
    }
  });

  test('a raw file that cannot be read is one error naming it, and the previous output stays', async () => {
    const dir = await tempDataDir();
    try {
      await writeWeek(dir);
      await clean({ ctx: testContext(dir).ctx, weeks: [week] });
      const before = await snapshot(dir);
      const south = path.join(dir, 'raw', W, 'south.csv');

      await removeDir(south);
      await mkdir(south);
      await assert.rejects(clean({ ctx: testContext(dir).ctx, weeks: [week] }), {
        message: `clean: cannot read raw/${W}/south.csv: it is a directory`,
      });
      assert.deepEqual(await snapshot(dir), before);

      // Tests run as root, for whom chmod 000 changes nothing: a dangling link is a file that exists and cannot
      // be opened.
      await removeDir(south);
      await symlink(path.join(dir, 'nowhere.csv'), south);
      await assert.rejects(clean({ ctx: testContext(dir).ctx, weeks: [week] }), (error) => {
        assert.ok(error instanceof StageError);
        assert.equal(error.message, `clean: cannot read raw/${W}/south.csv`);
        assert.equal((error.cause as NodeJS.ErrnoException).code, 'ENOENT');
        return true;
      });
      assert.deepEqual(await snapshot(dir), before);
    } finally {
      await removeDir(dir);
    }
  });

  test('an empty file and a header-only file are files without rows, with a warning', async () => {
    const dir = await tempDataDir();
    try {
      await writeRaw(dir, W, 'north', '');
      await writeRaw(dir, W, 'south', `${HEADER}\r\n`);
      const { ctx, warnings } = testContext(dir);
      const result = await clean({ ctx, weeks: [week] });
      assert.deepEqual(result.weeks[0], {
        week: W,
        read: 0,
        written: 0,
        duplicates: 0,
        rejected: 0,
        missingRegions: ['east', 'west'],
        manifest: `clean/${W}/manifest.json`,
      });
      assert.ok(warnings.includes(`raw/${W}/north.csv has no rows`));
      assert.ok(warnings.includes(`raw/${W}/south.csv has no rows`));
      assert.equal(await readFile(path.join(dir, 'clean', W, 'north.csv'), 'utf8'), `${HEADER}\n`);
    } finally {
      await removeDir(dir);
    }
  });
});
