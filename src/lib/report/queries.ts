import type { ClickHouseClient } from '@clickhouse/client';
import { addWeeks, weekOfDate, weekRange, type Week } from '../core/calendar.js';
import { clickHouseSql } from '../clickhouse/sql.js';
import { averageCheck, type Money, twoDecimals } from '../core/money.js';

/** An inclusive run of weeks. */
export interface Period {
  readonly from: Week;
  readonly to: Week;
  readonly weeks: readonly Week[];
}

/** The period from `from` to `to`, both included. */
export function periodOf(from: Week, to: Week): Period {
  return { from, to, weeks: weekRange(from, to) };
}

/** The period of the same length just before `period`. */
export function previousPeriod(period: Period): Period {
  const n = period.weeks.length;
  return periodOf(addWeeks(period.from, -n), addWeeks(period.from, -1));
}

/** Headline figures of a period (SPEC 8). */
export interface Headline {
  orders: number;
  units: number;
  revenue: Money;
  /** revenue / orders rounded half up to kopecks; null without orders. */
  averageCheck: Money | null;
  /** Distinct customers who bought in the period (uniqExact over week_buyers). */
  buyers: number;
  /** Weeks of the period with any aggregates. */
  weeksWithData: number;
}

/** One region over the period. */
export interface RegionFigures {
  region: string;
  orders: number;
  units: number;
  revenue: Money;
  buyers: number;
}

/** One week of one region. */
export interface WeeklyFigures {
  /** Monday, `YYYY-MM-DD`. */
  weekStart: string;
  week: string;
  region: string;
  orders: number;
  revenue: Money;
}

/** A week of the period in which a region has no rows. */
export interface MissingRegionWeek {
  weekStart: string;
  week: string;
  region: string;
}

/** A line of a top-products or top-categories table. */
export interface TopLine {
  region: string;
  /** Undefined for categories. */
  productId?: number;
  /** Product name, or the category for category lines ('' when unknown to the catalogue). */
  name: string;
  category: string;
  orders: number;
  units: number;
  revenue: Money;
}

/** One day of the period, every region (from sales_daily). */
export interface DailyFigures {
  /** `YYYY-MM-DD`. */
  day: string;
  orders: number;
  revenue: Money;
}

/** One category in one calendar month of the period (from sales_daily). */
export interface CategoryMonth {
  /** The month's first day, `YYYY-MM-01`. */
  month: string;
  category: string;
  orders: number;
  revenue: Money;
}

/** Everything the report shows, straight from ClickHouse. */
export interface ReportData {
  period: Period;
  headline: Headline;
  /** The period of the same length before, when ClickHouse has data for it. */
  previous: { period: Period; headline: Headline } | undefined;
  regions: RegionFigures[];
  weekly: WeeklyFigures[];
  missing: MissingRegionWeek[];
  topProducts: TopLine[];
  topCategories: TopLine[];
  /** Revenue by day; empty when the weeks were published before sales_daily existed. */
  daily: DailyFigures[];
  categoryMonths: CategoryMonth[];
}

/** How many lines each region's top tables show. */
export const TOP_LINES = 10;

type Row = Record<string, unknown>;

/** Run the named statement `sql/clickhouse/<name>.sql` with bound parameters; a failure names the file. */
async function select(client: ClickHouseClient, name: string, params: Record<string, unknown>): Promise<Row[]> {
  const file = await clickHouseSql(`${name}.sql`);
  try {
    const result = await client.query({ query: file.text, query_params: params, format: 'JSONEachRow' });
    return await result.json<Row>();
  } catch (cause) {
    throw new Error(`${file.name} failed`, { cause });
  }
}

function int(value: unknown): number {
  const n = typeof value === 'number' ? value : Number(String(value));
  if (!Number.isSafeInteger(n))
    throw new Error(`expected a whole number from ClickHouse, got ${JSON.stringify(value)}`);
  return n;
}

function text(value: unknown): string {
  return value === null || value === undefined ? '' : String(value);
}

const MONEY = /^-?\d+(\.\d+)?$/;

/** A decimal from ClickHouse in one spelling, two decimals (servers drop trailing zeros from toString). */
function money(value: unknown): Money {
  const s = text(value);
  if (!MONEY.test(s)) throw new Error(`expected a decimal from ClickHouse, got ${JSON.stringify(value)}`);
  return twoDecimals(s);
}

function bounds(period: Period): { from: string; to: string } {
  return { from: period.from.start, to: period.to.end };
}

/** The headline figures of a period. */
export async function queryHeadline(client: ClickHouseClient, period: Period): Promise<Headline> {
  const [row] = await select(client, 'report-headline', bounds(period));
  if (!row) throw new Error('sql/clickhouse/report-headline.sql returned no row');
  const orders = int(row.orders);
  const revenue = money(row.revenue);
  return {
    orders,
    units: int(row.units),
    revenue,
    averageCheck: averageCheck(revenue, orders),
    buyers: int(row.buyers),
    weeksWithData: int(row.weeks_with_data),
  };
}

/** The first and last week ClickHouse has aggregates for, or undefined when it has none. */
export async function queryDataPeriod(client: ClickHouseClient): Promise<Period | undefined> {
  const [row] = await select(client, 'report-bounds', {});
  if (!row || int(row.rows) === 0) return undefined;
  return periodOf(weekOfDate(text(row.first_week_start)), weekOfDate(text(row.last_week_start)));
}

function topLine(row: Row, withProduct: boolean): TopLine {
  const line: TopLine = {
    region: text(row.region),
    name: text(withProduct ? row.name : row.category),
    category: text(row.category),
    orders: int(row.orders),
    units: int(row.units),
    revenue: money(row.revenue),
  };
  if (withProduct) line.productId = int(row.product_id);
  return line;
}

/** Every figure of the report for a period, each from its own named query. */
export async function queryReportData(client: ClickHouseClient, period: Period, top = TOP_LINES): Promise<ReportData> {
  const params = bounds(period);
  const headline = await queryHeadline(client, period);
  const before = previousPeriod(period);
  const previousHeadline = await queryHeadline(client, before);
  const regions = (await select(client, 'report-regions', params)).map((row) => ({
    region: text(row.region),
    orders: int(row.orders),
    units: int(row.units),
    revenue: money(row.revenue),
    buyers: row.buyers === null ? 0 : int(row.buyers),
  }));
  const weekly = (await select(client, 'report-weekly', params)).map((row) => ({
    weekStart: text(row.monday),
    week: weekOfDate(text(row.monday)).id,
    region: text(row.region),
    orders: int(row.orders),
    revenue: money(row.revenue),
  }));
  const missing = (await select(client, 'report-missing', params)).map((row) => ({
    weekStart: text(row.monday),
    week: weekOfDate(text(row.monday)).id,
    region: text(row.region),
  }));
  const topProducts = (await select(client, 'report-top-products', { ...params, limit: top })).map((r) =>
    topLine(r, true),
  );
  const topCategories = (await select(client, 'report-top-categories', { ...params, limit: top })).map((r) =>
    topLine(r, false),
  );
  const daily = (await select(client, 'report-daily', params)).map((row) => ({
    day: text(row.day),
    orders: int(row.orders),
    revenue: money(row.revenue),
  }));
  const categoryMonths = (await select(client, 'report-category-months', params)).map((row) => ({
    month: text(row.month),
    category: text(row.category),
    orders: int(row.orders),
    revenue: money(row.revenue),
  }));
  return {
    period,
    headline,
    daily,
    categoryMonths,
    previous: previousHeadline.weeksWithData > 0 ? { period: before, headline: previousHeadline } : undefined,
    regions,
    weekly,
    missing,
    topProducts,
    topCategories,
  };
}
