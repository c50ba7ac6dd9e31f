import type { Week } from '../lib/core/calendar.js';
import type { Context } from '../lib/core/config.js';
import { during } from '../lib/core/interrupt.js';
import { StageError } from '../lib/core/errors.js';
import { pgSql, runSql } from '../lib/pg/sql.js';
import { inTransaction, recordRun, withPg, type PgDatabase } from '../lib/pg/database.js';
import { defaultWeeks } from '../lib/core/plan.js';

/** Options of `aggregate`. */
export interface AggregateOptions {
  ctx: Context;
  /** Weeks to aggregate; undefined means the plan's whole period. */
  weeks?: Week[] | undefined;
  /** An open database (from `run-week`); left open. Absent: one is opened and closed here. */
  pg?: PgDatabase | undefined;
}

/** One aggregated week. */
export interface AggregatedWeek {
  week: string;
  rows: number;
  /** Sum of amount_sum over the week's rows, exact, as a decimal string. */
  amount: string;
}

/** What `aggregate` did. */
export interface AggregateResult {
  weeks: AggregatedWeek[];
}

const STAGE = 'aggregate';

/**
 * Rebuild the weeks' aggregates in PostgreSQL (SPEC 6), one transaction a week: its rows of `sales_agg`,
 * and of `sales_daily` and `week_buyers`, which migrate-click publishes with them.
 */
export async function aggregate(opts: AggregateOptions): Promise<AggregateResult> {
  const { ctx } = opts;
  const weeks = opts.weeks ?? (await defaultWeeks(ctx.config.layout, STAGE));
  const sql = {
    sales: await pgSql('aggregate-week-sales.sql'),
    remove: await pgSql('aggregate-week-delete.sql'),
    insert: await pgSql('aggregate-week.sql'),
    daily: await pgSql('aggregate-week-daily.sql'),
    buyers: await pgSql('aggregate-week-buyers.sql'),
    amount: await pgSql('aggregate-week-amount.sql'),
  };
  return withPg(ctx, opts.pg, async (db) => {
    const done: AggregatedWeek[] = [];
    for (const week of weeks) {
      done.push(
        await during(`aggregate of ${week.id}`, () =>
          ctx.log.task(`aggregate ${week.id}`, async () => {
            const startedAt = new Date();
            return inTransaction(db, async (client) => {
              type Sales = { n: string; totals: string | null };
              const sales = await client.query<Sales>(sql.sales.text, [week.start, week.end]);
              const rowsIn = Number(sales.rows[0]?.n ?? 0);
              if (rowsIn === 0) {
                throw new StageError(
                  `aggregate: no sales loaded for ${week.id} in ${db.target}; ` +
                    `run \`sales-etl load-pg --week ${week.id}\` first`,
                  STAGE,
                );
              }
              // The year to date comes from sales_region_weeks, which only load-pg writes: rows put into
              // sales some other way would leave it behind, and the figure would be wrong without a word.
              if (Number(sales.rows[0]?.totals ?? 0) !== rowsIn) {
                throw new StageError(
                  `aggregate: sales_region_weeks counts ${sales.rows[0]?.totals ?? 0} sales for ${week.id} ` +
                    `but sales has ${rowsIn} in ${db.target}; ` +
                    `run \`sales-etl load-pg --week ${week.id}\` again`,
                  STAGE,
                );
              }
              await client.query(sql.remove.text, [week.start]);
              const inserted = await runSql(client, sql.insert, [week.start, week.end]);
              const rows = inserted.rowCount ?? 0;
              await runSql(client, sql.daily, [week.start, week.end]);
              await runSql(client, sql.buyers, [week.start, week.end]);
              const total = await client.query<{ amount: string }>(sql.amount.text, [week.start]);
              await recordRun(client, { stage: STAGE, week: week.id, status: 'ok', rowsIn, rowsOut: rows, startedAt });
              ctx.log.debug(`aggregate: ${week.id}: ${rows} rows from ${rowsIn} sales`);
              return { week: week.id, rows, amount: total.rows[0]?.amount ?? '0' };
            });
          }),
        ),
      );
    }
    return { weeks: done };
  });
}
