import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { status, statusTable } from '../../src/commands/status.js';
import { parseWeek } from '../../src/lib/core/calendar.js';
import { Layout } from '../../src/lib/files/layout.js';
import { formatCleanManifest, type CleanManifest } from '../../src/lib/files/manifest.js';
import { tempDataDir, testContext } from '../helpers/pg.js';

const PLAN = { version: 1, seed: 1, total: 100, startWeek: '2024-W10', weeks: 2, simulateOutage: false };

function manifest(week: string): CleanManifest {
  const w = parseWeek(week);
  return {
    week,
    weekStart: w.start,
    weekEnd: w.end,
    files: [],
    missingRegions: ['east'],
    totals: { read: 1300, written: 1234, duplicates: 55, rejected: 11 },
  };
}

describe('status without databases', () => {
  let dir = '';
  let layout: Layout;
  before(async () => {
    dir = await tempDataDir('sales-etl-status-');
    layout = new Layout(dir);
    await writeFile(layout.store, JSON.stringify(PLAN));
    for (const region of ['north', 'south', 'west', 'east']) {
      await mkdir(layout.rawDir('2024-W10'), { recursive: true });
      await writeFile(layout.raw('2024-W10', region), 'x\n');
    }
    await mkdir(layout.rawDir('2024-W13'), { recursive: true });
    await writeFile(layout.raw('2024-W13', 'south'), 'x\n');
    await mkdir(layout.cleanDir('2024-W10'), { recursive: true });
    await writeFile(layout.manifest('2024-W10'), formatCleanManifest(manifest('2024-W10')));
    // A manifest being rewritten (or broken) shows the week as not cleaned, without failing status.
    await mkdir(layout.cleanDir('2024-W11'), { recursive: true });
    await writeFile(layout.manifest('2024-W11'), '{"week": "2024-W11", "fi');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test("the plan's weeks and any found on disk, by stage; databases never created are absent", async () => {
    const result = await status({ ctx: testContext(dir) });
    assert.deepEqual(
      result.weeks.map((w) => [w.week, w.rawRegions, w.clean]),
      [
        [
          '2024-W10',
          ['north', 'south', 'east', 'west'],
          { read: 1300, written: 1234, duplicates: 55, rejected: 11, missingRegions: ['east'] },
        ],
        ['2024-W11', [], null],
        ['2024-W13', ['south'], null],
      ],
    );
    assert.deepEqual([result.postgres, result.clickhouse], [{ state: 'absent' }, { state: 'absent' }]);
    for (const w of result.weeks) {
      assert.deepEqual([w.pgRows, w.aggRows, w.clickhouseRows, w.lastRun], [null, null, null, null]);
    }
    const lines = statusTable(result).split('\n');
    assert.match(lines[0]!, /^week\s+raw\s+clean\s+rejects\s+postgres\s+sales_agg\s+clickhouse\s+last run$/);
    assert.match(lines[1]!, /^-+(\s+-+){7}$/);
    assert.match(lines[2]!, /^2024-W10\s+4\/4\s+1,234\s+11\s+absent\s+absent\s+absent\s+-$/);
    assert.match(lines[4]!, /^2024-W13\s+1\/4 no north,east,west\s+-\s+-\s+absent/);
    assert.deepEqual(lines.slice(-2), [
      'PostgreSQL: no embedded database in the data directory yet',
      'ClickHouse: no embedded database in the data directory yet',
    ]);
  });

  test('--week and --from/--to show only those weeks', async () => {
    const result = await status({ ctx: testContext(dir), weeks: [parseWeek('2024-W13')] });
    assert.deepEqual(
      result.weeks.map((w) => w.week),
      ['2024-W13'],
    );
  });
});
