import path from 'node:path';
import type { Week } from '../lib/core/calendar.js';
import { withClickHouse, type ClickHouseDatabase } from '../lib/clickhouse/database.js';
import type { Context } from '../lib/core/config.js';
import { prepareDataDir, writeFileAtomic } from '../lib/files/layout.js';
import { planPeriod, readPlan } from '../lib/core/plan.js';
import { createReportFormat, type ReportLocale } from '../lib/report/format.js';
import { renderReportHtml } from '../lib/report/html.js';
import { periodOf, queryDataPeriod, queryReportData, type Headline, type Period } from '../lib/report/queries.js';
import { reportText } from '../lib/report/text.js';

/** Options of `report`. */
export interface ReportOptions {
  ctx: Context;
  /**
   * Weeks to report on (their first to their last); undefined means the plan's period, or every week
   * ClickHouse holds.
   */
  weeks?: Week[] | undefined;
  /** The HTML file to write; default `<data-dir>/reports/sales-<from>_<to>.html`. */
  out?: string | undefined;
  /** Language and number format; default `ru`. */
  locale?: ReportLocale | undefined;
  /** An open ClickHouse to use (and leave open); otherwise the command opens its own. */
  ch?: ClickHouseDatabase | undefined;
  /** The generation time shown in the report; default now. */
  now?: number | undefined;
}

/** The headline figures as the summary carries them. */
export interface ReportFigures {
  from: string;
  to: string;
  orders: number;
  revenue: string;
  averageCheck: string | null;
  buyers: number;
}

/** What `report` wrote. */
export interface ReportResult {
  /** Absolute path of the HTML file. */
  path: string;
  from: string;
  to: string;
  weeks: number;
  orders: number;
  revenue: string;
  averageCheck: string | null;
  buyers: number;
  /** The previous period of the same length, when ClickHouse has data for it. */
  previous: ReportFigures | null;
  /** Weeks of the period in which a region has no data. */
  missing: { week: string; region: string }[];
}

function figures(period: Period, h: Headline): ReportFigures {
  return {
    from: period.from.id,
    to: period.to.id,
    orders: h.orders,
    revenue: h.revenue,
    averageCheck: h.averageCheck,
    buyers: h.buyers,
  };
}

/** The period of the report: the weeks asked for, else the plan's, else every week in ClickHouse. */
async function choosePeriod(ctx: Context, db: ClickHouseDatabase, weeks: Week[] | undefined): Promise<Period> {
  if (weeks && weeks.length > 0) return periodOf(weeks[0]!, weeks[weeks.length - 1]!);
  const plan = await readPlan(ctx.config.layout);
  if (plan) {
    const planned = planPeriod(plan);
    return periodOf(planned[0]!, planned[planned.length - 1]!);
  }
  const held = await queryDataPeriod(db.client);
  if (!held) throw new Error(`report: ${db.target} holds no aggregates yet; run migrate-click (or run-week) first`);
  return held;
}

/** Build the self-contained HTML sales dashboard from ClickHouse (SPEC 8) and write it atomically. */
export async function report(opts: ReportOptions): Promise<ReportResult> {
  const { ctx } = opts;
  const locale = opts.locale ?? 'ru';
  // Its embedded ClickHouse and reports/ are in the data directory: a path that cannot hold them fails first.
  await prepareDataDir(ctx.config.layout);
  return withClickHouse(ctx, opts.ch, async (db) => {
    const period = await choosePeriod(ctx, db, opts.weeks);
    const span = `${period.from.id}..${period.to.id}`;
    const data = await ctx.log.task(`report: querying ${db.target} for ${span}`, async () => {
      try {
        return await queryReportData(db.client, period);
      } catch (cause) {
        throw new Error(`report: cannot read the figures for ${span} from ${db.target}`, { cause });
      }
    });
    if (data.headline.weeksWithData === 0) {
      throw new Error(`report: ${db.target} has no aggregates for ${span}; run migrate-click for those weeks first`);
    }
    const file = path.resolve(
      opts.out ?? path.join(ctx.config.layout.reports, `sales-${period.from.id}_${period.to.id}.html`),
    );
    const html = renderReportHtml({
      data,
      text: reportText(locale),
      fmt: createReportFormat(locale),
      generatedAt: opts.now ?? Date.now(),
      source: db.target,
    });
    try {
      await writeFileAtomic(file, html);
    } catch (cause) {
      throw new Error(`report: cannot write ${file}`, { cause });
    }
    if (data.missing.length > 0) {
      ctx.log.warn(`report: ${data.missing.length} region-weeks without data in ${span} (listed in the report)`);
    }
    ctx.log.debug(`report: ${Buffer.byteLength(html)} bytes written to ${file}`);
    return {
      path: file,
      from: period.from.id,
      to: period.to.id,
      weeks: period.weeks.length,
      orders: data.headline.orders,
      revenue: data.headline.revenue,
      averageCheck: data.headline.averageCheck,
      buyers: data.headline.buyers,
      previous: data.previous ? figures(data.previous.period, data.previous.headline) : null,
      missing: data.missing.map((m) => ({ week: m.week, region: m.region })),
    };
  });
}
