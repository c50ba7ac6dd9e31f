import { canonicalDecimal } from './money.js';

/** The figures of one week that ClickHouse and PostgreSQL must agree on. Numbers as decimal strings, exact. */
export interface WeekFigures {
  /** Rows of sales_agg. */
  rows: string;
  /** sum(amount_sum). */
  amountSum: string;
  /** sum(sales_count). */
  salesCount: string;
  /** Rows of the week's distinct buyers (region, customer). */
  buyers: string;
  /** The week's sales, as sales_daily adds them up (sum(sales_count)). */
  dailySales: string;
  /** The week's revenue, as sales_daily adds it up (sum(amount_sum)). */
  dailyAmount: string;
}

const LABELS: Record<keyof WeekFigures, string> = {
  rows: 'rows',
  amountSum: 'sum(amount_sum)',
  salesCount: 'sum(sales_count)',
  buyers: 'distinct buyers',
  dailySales: 'sales in sales_daily',
  dailyAmount: 'revenue in sales_daily',
};

/**
 * What differs between ClickHouse's and PostgreSQL's figures for a week, as
 * one clause naming every figure that differs with both values, or undefined
 * when they all agree.
 */
export function describeMismatch(clickhouse: WeekFigures, postgres: WeekFigures): string | undefined {
  const differences: string[] = [];
  for (const key of Object.keys(LABELS) as (keyof WeekFigures)[]) {
    const [ch, pg] = [clickhouse[key], postgres[key]];
    if (canonicalDecimal(ch) !== canonicalDecimal(pg)) {
      differences.push(`${LABELS[key]} ${ch} in ClickHouse vs ${pg} in PostgreSQL`);
    }
  }
  return differences.length === 0 ? undefined : differences.join(', ');
}
