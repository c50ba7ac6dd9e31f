import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openClickHouse } from '../../src/lib/clickhouse/database.js';
import { REGION_COLORS } from '../../src/lib/report/charts.js';
import { browserRequired, CHROMIUM_INSTALL, findChromium, screenshot, screenshotStats } from '../helpers/browser.js';
import { CLI, REPO_ROOT } from '../helpers/clean-helpers.js';
import { chTestContext, tempDataDir } from '../helpers/clickhouse.js';
import { seedReportData } from '../helpers/report-data.js';

/** Screenshots are kept here for people to look at. */
const OUTPUT = path.join(REPO_ROOT, 'test-output');
/** The missing-week band (rgba(220, 53, 69, 0.16)) over the white chart. */
const MISSING_BAND = '#f9dfe1';

describe('report in a real browser', () => {
  const chromium = findChromium();
  let dir: { dir: string; remove(): Promise<void> };

  before(async () => {
    dir = await tempDataDir('report-browser');
    const db = await openClickHouse(chTestContext({ dataDir: dir.dir }));
    try {
      await seedReportData(db.client);
    } finally {
      await db.close();
    }
    await mkdir(OUTPUT, { recursive: true });
  });
  after(() => dir?.remove());

  it('opens from disk with the network off and shows the page and its charts', async (t) => {
    if (!chromium) {
      if (browserRequired())
        assert.fail(`chromium is not installed (SALES_ETL_REQUIRE_BROWSER=1): ${CHROMIUM_INSTALL}`);
      t.skip(`chromium is not installed; ${CHROMIUM_INSTALL} (SALES_ETL_REQUIRE_BROWSER=1 makes this a failure)`);
      return;
    }
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
    for (const name of ['SALES_ETL_DATA_DIR', 'CLICKHOUSE_URL']) delete env[name];
    const html = path.join(dir.dir, 'report.html');
    const r = spawnSync(process.execPath, [CLI, '--data-dir', dir.dir, 'report', '--out', html], {
      encoding: 'utf8',
      env,
    });
    assert.equal(r.status, 0, r.stderr);

    const png = path.join(OUTPUT, 'report-browser.png');
    await screenshot(chromium, html, png, { width: 1280, height: 2000 });
    assert.ok((await stat(png)).size > 20_000);
    const { image, stats } = await screenshotStats(png, [...Object.values(REGION_COLORS), MISSING_BAND]);
    assert.deepEqual([image.width, image.height], [1280, 2000]);
    assert.ok(stats.inked > 0.1, `a tenth of the page or more is not background (${stats.inked.toFixed(3)})`);
    assert.ok(stats.colors > 100, `text, cards and charts give many colours (${stats.colors})`);
    for (const [region, color] of Object.entries(REGION_COLORS)) {
      assert.ok(stats.near[color]! > 1000, `${region}'s colour is drawn by the SVG charts (${stats.near[color]} px)`);
    }
    assert.ok(stats.near[MISSING_BAND]! > 2000, `the missing weeks are shaded (${stats.near[MISSING_BAND]} px)`);

    // The same measures call an empty page blank, so the checks above can fail.
    const blank = path.join(dir.dir, 'blank.html');
    await writeFile(blank, '<!DOCTYPE html><html><body style="background:#f4f6f9"></body></html>');
    const blankPng = path.join(dir.dir, 'blank.png');
    await screenshot(chromium, blank, blankPng, { width: 1280, height: 2000 });
    const control = await screenshotStats(blankPng, Object.values(REGION_COLORS));
    assert.ok(control.stats.inked < 0.01 && control.stats.colors < 5, 'an empty page reads as blank');
  });
});
