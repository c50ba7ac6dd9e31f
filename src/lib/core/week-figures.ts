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
}

const LABELS: Record<keyof WeekFigures, string> = {
  rows: 'rows',
  amountSum: 'sum(amount_sum)',
  salesCount: 'sum(sales_count)',
  buyers: 'distinct buyers',
};

/**
 * A decimal string in one spelling: no leading zeros, no trailing fractional
 * zeros, no lone dot (`0012.50` → `12.5`, `-0.00` → `0`). ClickHouse prints
 * `1234.5` where PostgreSQL prints `1234.50`; compared as strings, not floats.
 */
export function canonicalDecimal(text: string): string {
  const m = /^\s*([+-]?)(\d*)(?:\.(\d*))?\s*$/.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new Error(`not a decimal number: ${JSON.stringify(text)}`);
  const whole = m[2]!.replace(/^0+(?=\d)/, '') || '0';
  const fraction = (m[3] ?? '').replace(/0+$/, '');
  const body = fraction ? `${whole}.${fraction}` : whole;
  return body === '0' ? '0' : `${m[1] === '-' ? '-' : ''}${body}`;
}

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
