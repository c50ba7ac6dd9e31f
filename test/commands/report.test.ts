import assert from 'node:assert/strict';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { report } from '../../src/commands/report.js';
import { parseWeek, weekRange } from '../../src/lib/core/calendar.js';
import { openClickHouse, type ClickHouseDatabase } from '../../src/lib/clickhouse/database.js';
import type { Context } from '../../src/lib/core/config.js';
import { THIN_SPACE } from '../../src/lib/report/format.js';
import { chRows, chTestContext, tempDataDir } from '../helpers/clickhouse.js';
import { HOSTILE_CATEGORY, HOSTILE_NAME, seedReportData, SEED_GAPS, type ReportSeed } from '../helpers/report-data.js';
import { attr, byId, parseReport, textOf, within, type ReportDom } from '../helpers/report-dom.js';

const weeks = (from: string, to: string) => weekRange(parseWeek(from), parseWeek(to));

/** Independent figures for a range of Mondays, in SQL written apart from the report's. */
async function independent(db: ClickHouseDatabase, firstMonday: string, lastMonday: string) {
  const params = { a: firstMonday, b: lastMonday };
  const [agg] = await chRows<Record<string, string>>(
    db.client,
    `SELECT toString(sum(sales_count)) AS orders,
            toDecimalString(sum(amount_sum), 2) AS revenue,
            toDecimalString(round(toDecimal128(sum(amount_sum), 10) / sum(sales_count), 2), 2) AS avg_check
     FROM sales_etl.sales_agg WHERE week_start >= toDate({a:String}) AND week_start <= toDate({b:String})`,
    params,
  );
  const [buyers] = await chRows<Record<string, string>>(
    db.client,
    `SELECT toString(count()) AS n FROM (SELECT DISTINCT customer_id FROM sales_etl.week_buyers
      WHERE week_start >= toDate({a:String}) AND week_start <= toDate({b:String}))`,
    params,
  );
  return {
    orders: Number(agg!.orders),
    revenue: agg!.revenue!,
    averageCheck: agg!.avg_check!,
    buyers: Number(buyers!.n),
  };
}

/** The same figures computed in JavaScript from what the seed inserted. */
function fromSeed(seed: ReportSeed, firstMonday: string, lastMonday: string) {
  const rows = seed.agg.filter((r) => r.week_start >= firstMonday && r.week_start <= lastMonday);
  const kopecks = rows.reduce((s, r) => s + BigInt(r.amount_sum.replace('.', '')), 0n);
  const buyers = new Set(
    seed.buyers.filter((b) => b.week_start >= firstMonday && b.week_start <= lastMonday).map((b) => b.customer_id),
  );
  return {
    orders: rows.reduce((s, r) => s + r.sales_count, 0),
    revenue: `${kopecks / 100n}.${String(kopecks % 100n).padStart(2, '0')}`,
    buyers: buyers.size,
  };
}

function figure(dom: ReportDom, key: string): { value: string; text: string } {
  const el = dom.elements.find((e) => attr(e, 'data-figure') === key);
  assert.ok(el, `headline figure ${key} is in the report`);
  return { value: attr(el, 'data-value') ?? '', text: textOf(el) };
}

describe('report', () => {
  let dir: { dir: string; remove(): Promise<void> };
  let ctx: Context;
  let db: ClickHouseDatabase;
  let seed: ReportSeed;

  before(async () => {
    dir = await tempDataDir('report');
    ctx = chTestContext({ dataDir: dir.dir });
    db = await openClickHouse(ctx);
    seed = await seedReportData(db.client);
  });
  after(async () => {
    await db?.close();
    await dir?.remove();
  });

  it('writes a parseable page whose headline figures equal independent ClickHouse queries', async () => {
    const out = path.join(dir.dir, 'out', 'w20-w23.html');
    const result = await report({ ctx, ch: db, weeks: weeks('2024-W20', '2024-W23'), out });
    assert.equal(result.path, out);
    const html = await readFile(out, 'utf8');
    const dom = parseReport(html);
    assert.deepEqual(
      dom.errors.map((e) => e.code),
      [],
      'parse5 reports no HTML errors',
    );

    const truth = await independent(db, '2024-05-13', '2024-06-03');
    const js = fromSeed(seed, '2024-05-13', '2024-06-03');
    assert.deepEqual(
      { orders: truth.orders, revenue: truth.revenue, buyers: truth.buyers },
      js,
      'the seed is what ClickHouse holds',
    );
    assert.ok(truth.orders > 100 && truth.buyers > 40, 'the data set is not trivial');

    assert.equal(figure(dom, 'orders').value, String(truth.orders));
    assert.equal(figure(dom, 'revenue').value, truth.revenue);
    assert.equal(figure(dom, 'average-check').value, truth.averageCheck);
    assert.equal(figure(dom, 'buyers').value, String(truth.buyers));
    assert.deepEqual(
      { orders: result.orders, revenue: result.revenue, averageCheck: result.averageCheck, buyers: result.buyers },
      truth,
    );

    // What the analyst reads: Russian formatting, exact to the kopeck.
    const [rub, kop] = truth.revenue.split('.');
    const grouped = rub!.replace(/\B(?=(\d{3})+(?!\d))/g, THIN_SPACE);
    assert.match(figure(dom, 'revenue').text, new RegExp(`${grouped},${kop}\\s₽`));
    assert.match(
      figure(dom, 'orders').text,
      new RegExp(String(truth.orders).replace(/\B(?=(\d{3})+(?!\d))/g, THIN_SPACE)),
    );
  });

  it('compares with the previous period of the same length where it has data', async () => {
    const result = await report({
      ctx,
      ch: db,
      weeks: weeks('2024-W20', '2024-W23'),
      out: path.join(dir.dir, 'cmp.html'),
    });
    // W16..W19: only W18 and W19 hold data.
    const truth = await independent(db, '2024-04-15', '2024-05-06');
    assert.deepEqual(result.previous, { from: '2024-W16', to: '2024-W19', ...truth });
    const dom = parseReport(await readFile(result.path, 'utf8'));
    const now = await independent(db, '2024-05-13', '2024-06-03');
    const change = now.orders / truth.orders - 1;
    const delta = figure(dom, 'orders').text;
    assert.match(delta, change > 0 ? /▲/ : /▼/);
    assert.match(
      delta,
      new RegExp(
        `${Math.abs(change * 100)
          .toFixed(1)
          .replace('.', ',')}\\s?%`,
      ),
    );
    assert.match(
      textOf(dom.elements.find((e) => attr(e, 'class') === 'compare muted')!),
      /2024-W16 — 2024-W19; данные есть за 2 из 4 недель/,
    );

    const first = await report({
      ctx,
      ch: db,
      weeks: weeks('2024-W18', '2024-W19'),
      out: path.join(dir.dir, 'first.html'),
    });
    assert.equal(first.previous, null, 'W16..W17 hold nothing, so there is nothing to compare with');
    assert.match(await readFile(first.path, 'utf8'), /нет данных за предыдущий период/);
  });

  it('draws the charts as inline SVG with no script and nothing fetched from elsewhere', async () => {
    const result = await report({
      ctx,
      ch: db,
      weeks: weeks('2024-W18', '2024-W23'),
      out: path.join(dir.dir, 'svg.html'),
    });
    const html = await readFile(result.path, 'utf8');
    const dom = parseReport(html);
    for (const id of ['chart-regions', 'chart-weekly']) {
      const svgs = within(byId(dom, id), (e) => e.tagName === 'svg');
      assert.equal(svgs.length, 1, `#${id} holds one inline SVG`);
      assert.ok(within(svgs[0]!, (e) => e.tagName === 'path').length > 10, `#${id} has drawn shapes`);
    }
    assert.equal(dom.elements.filter((e) => e.tagName === 'script').length, 0);
    for (const el of dom.elements) {
      for (const name of ['src', 'href', 'xlink:href']) {
        const value = attr(el, name);
        assert.ok(value === undefined || !/^(https?:)?\/\//i.test(value), `no external ${name}: ${value}`);
      }
    }
    assert.doesNotMatch(html, /@import|url\(\s*['"]?(https?:)?\/\//i);
    const weekly = textOf(byId(dom, 'chart-weekly'));
    for (const region of ['Север', 'Юг', 'Восток', 'Запад'])
      assert.ok(weekly.includes(region), `legend names ${region}`);
  });

  it('marks and lists the weeks in which a region has no data', async () => {
    const result = await report({
      ctx,
      ch: db,
      weeks: weeks('2024-W18', '2024-W23'),
      out: path.join(dir.dir, 'gaps.html'),
    });
    const expected = Object.entries(SEED_GAPS).flatMap(([week, regions]) =>
      regions.map((region) => ({ week, region })),
    );
    assert.deepEqual(result.missing, expected);
    const dom = parseReport(await readFile(result.path, 'utf8'));
    const table = byId(dom, 'missing-weeks');
    const rows = within(table, (e) => e.tagName === 'tr' && attr(e, 'data-week') !== undefined);
    assert.deepEqual(
      rows.map((r) => [attr(r, 'data-week'), attr(r, 'data-regions')]),
      Object.entries(SEED_GAPS).map(([w, r]) => [w, r.join(',')]),
    );
    assert.match(textOf(rows[1]!), /2024-W23.*3 июня 2024 г\. — 9 июня 2024 г\..*Восток, Запад/);
    // On the chart: one shaded band per week with gaps, carrying the regions' initials.
    const svg = within(byId(dom, 'chart-weekly'), (e) => e.tagName === 'svg')[0]!;
    const bands = within(
      svg,
      (e) => /rgb\(220,\s*53,\s*69\)/.test(attr(e, 'fill') ?? '') && attr(e, 'fill-opacity') !== undefined,
    );
    assert.equal(bands.length, 2);
    const labels = within(svg, (e) => e.tagName === 'text').map(textOf);
    assert.ok(labels.includes('Ю'), 'South is marked in W21');
  });

  it('lists a run of weeks with no data at all as one line', async () => {
    const result = await report({
      ctx,
      ch: db,
      weeks: weeks('2024-W15', '2024-W21'),
      out: path.join(dir.dir, 'run.html'),
    });
    assert.equal(result.missing.length, 3 * 4 + 1, 'W15..W17 have no rows, W21 lacks South');
    const dom = parseReport(await readFile(result.path, 'utf8'));
    const rows = within(byId(dom, 'missing-weeks'), (e) => e.tagName === 'tr' && attr(e, 'data-week') !== undefined);
    assert.deepEqual(
      rows.map((r) => [attr(r, 'data-week'), attr(r, 'data-regions')]),
      [
        ['2024-W15..2024-W17', 'North,South,East,West'],
        ['2024-W21', 'South'],
      ],
    );
    assert.match(textOf(rows[0]!), /2024-W15 — 2024-W17.*все регионы/);
  });

  it('says when every region has every week', async () => {
    const result = await report({
      ctx,
      ch: db,
      weeks: weeks('2024-W18', '2024-W20'),
      out: path.join(dir.dir, 'full.html'),
    });
    assert.deepEqual(result.missing, []);
    const dom = parseReport(await readFile(result.path, 'utf8'));
    assert.equal(attr(byId(dom, 'missing-weeks'), 'data-count'), '0');
  });

  it('lists the top products and categories of each region by revenue, names escaped', async () => {
    const result = await report({
      ctx,
      ch: db,
      weeks: weeks('2024-W18', '2024-W23'),
      out: path.join(dir.dir, 'top.html'),
    });
    const dom = parseReport(await readFile(result.path, 'utf8'));
    const truth = await chRows<{ name: string; units: string; revenue: string }>(
      db.client,
      `SELECT if(p.name = '', concat('товар № ', toString(a.product_id)), p.name) AS name,
              toString(a.units) AS units, toDecimalString(a.revenue, 2) AS revenue
       FROM (SELECT product_id, sum(quantity_sum) AS units, sum(amount_sum) AS revenue FROM sales_etl.sales_agg
             WHERE region = 'North' GROUP BY product_id) AS a
       LEFT JOIN sales_etl.products AS p ON p.product_id = a.product_id
       ORDER BY a.revenue DESC LIMIT 10`,
    );
    const card = dom.elements.find(
      (e) => attr(e, 'class') === 'card top-products' && attr(e, 'data-region') === 'North',
    );
    assert.ok(card);
    const rows = within(card, (e) => e.tagName === 'tr').slice(1);
    assert.equal(rows.length, truth.length);
    rows.forEach((row, i) => {
      const cells = within(row, (e) => e.tagName === 'td').map(textOf);
      assert.equal(cells[1], truth[i]!.name);
      assert.equal(cells[3]!.replaceAll(THIN_SPACE, ''), truth[i]!.units);
      assert.equal(cells[4]!.replaceAll(THIN_SPACE, '').replace(',', '.').replace(/\s₽$/, ''), truth[i]!.revenue);
    });
    assert.ok(
      rows.some((r) => textOf(r).includes(HOSTILE_NAME)),
      'a name with markup reads as it is',
    );
    const categories = dom.elements.find(
      (e) => attr(e, 'class') === 'card top-categories' && attr(e, 'data-region') === 'East',
    );
    assert.ok(categories);
    const names = within(categories, (e) => e.tagName === 'td' && attr(e, 'class') === 'name').map(textOf);
    assert.deepEqual([...names].sort(), [HOSTILE_CATEGORY, 'Кухня', 'Электроника', 'вне каталога'].sort());
    // The markup in the data made no element and no attribute: no script, no img, no event handler.
    const made = dom.elements.filter((e) => e.tagName === 'script' || e.tagName === 'img').map((e) => e.tagName);
    assert.deepEqual(made, []);
    const handlers = dom.elements.flatMap((e) => e.attrs.filter((a) => a.name.startsWith('on')).map((a) => a.name));
    assert.deepEqual(handlers, []);
  });

  it('formats for an English reader with --locale en', async () => {
    const result = await report({
      ctx,
      ch: db,
      weeks: weeks('2024-W20', '2024-W23'),
      out: path.join(dir.dir, 'en.html'),
      locale: 'en',
    });
    const html = await readFile(result.path, 'utf8');
    const dom = parseReport(html);
    const [rub, kop] = result.revenue.split('.');
    const grouped = rub!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    assert.ok(figure(dom, 'revenue').text.includes(`₽${grouped}.${kop}`));
    assert.match(html, /<html lang="en">/);
    assert.match(html, /Weeks with missing data/);
    // Categories are the store's Russian names, translated for the English reader; one the
    // translation does not know (the seed's hostile one) is shown as it is, escaped.
    const east = dom.elements.find(
      (e) => attr(e, 'class') === 'card top-categories' && attr(e, 'data-region') === 'East',
    );
    const names = within(east!, (e) => e.tagName === 'td' && attr(e, 'class') === 'name').map(textOf);
    assert.deepEqual([...names].sort(), ['Electronics', 'Kitchen', HOSTILE_CATEGORY, 'not in catalogue'].sort());
    // The seed publishes no sales_daily: the calendar says so instead of drawing nothing.
    assert.match(textOf(byId(dom, 'calendar')), /No daily data/);
  });

  it('defaults to every week ClickHouse holds without a plan, and to the plan period with one', async () => {
    const held = await report({ ctx, ch: db });
    assert.deepEqual([held.from, held.to, held.weeks], ['2024-W18', '2024-W23', 6]);
    assert.equal(held.path, path.join(dir.dir, 'reports', 'sales-2024-W18_2024-W23.html'));
    assert.ok((await stat(held.path)).size > 10_000);

    const store = path.join(dir.dir, 'store.json');
    await writeFile(
      store,
      JSON.stringify({ version: 1, seed: 1, total: 1000, startWeek: '2024-W19', weeks: 3, simulateOutage: false }),
    );
    try {
      const planned = await report({ ctx, ch: db });
      assert.deepEqual([planned.from, planned.to], ['2024-W19', '2024-W21']);
      assert.equal(planned.path, path.join(dir.dir, 'reports', 'sales-2024-W19_2024-W21.html'));
      assert.equal(planned.orders, (await independent(db, '2024-05-06', '2024-05-20')).orders);
    } finally {
      await rm(store);
    }
  });

  it('fails with one line naming ClickHouse when the period has no data', async () => {
    await assert.rejects(
      report({ ctx, ch: db, weeks: weeks('2023-W01', '2023-W02'), out: path.join(dir.dir, 'none.html') }),
      (error: Error) => {
        assert.match(
          error.message,
          /^report: embedded ClickHouse \(.*clickhouse\) has no aggregates for 2023-W01\.\.2023-W02/,
        );
        return true;
      },
    );
    await assert.rejects(stat(path.join(dir.dir, 'none.html')), { code: 'ENOENT' });
  });
});
