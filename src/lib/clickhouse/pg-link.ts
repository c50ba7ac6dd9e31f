import type { ClickHouseDatabase } from './database.js';
import { clickHouseStatement } from './sql.js';
import type { PgDatabase } from '../pg/database.js';

/**
 * The PostgreSQL tables the embedded ClickHouse engine reads from directly
 * (`ENGINE = PostgreSQL`), so that migrate-click's rows go from PostgreSQL to
 * ClickHouse without passing through this process as CSV: `sales_etl_pg.sales_agg`,
 * `sales_etl_pg.week_buyers` and `sales_etl_pg.sales_daily`.
 *
 * Only for the embedded engine, and only when PostgreSQL is reached over TCP
 * with a user and password: the link lives in a `Memory` database, so its
 * credentials are never written to disk, and the engine runs in this process,
 * which holds them already. A ClickHouse server is not linked: it may not
 * reach the PostgreSQL this process reaches (an embedded one listens on this
 * host's loopback), and the credentials would sit in its tables' definitions
 * and its query log. Values are bound, as everywhere.
 */
export const LINK_DATABASE = 'sales_etl_pg';

/** PostgreSQL's tables the engine reads: the aggregates migrate-click publishes (sql/clickhouse/pull-*.sql). */
const LINKED_TABLES = ['sales_agg', 'week_buyers', 'sales_daily'] as const;

/** Where PostgreSQL is, for the engine, taken from the pool's own connection settings. */
interface LinkTarget {
  hostPort: string;
  database: string;
  user: string;
  password: string;
}

/** The links made on each open engine, by the PostgreSQL they reach: made once per engine and database. */
const links = new WeakMap<ClickHouseDatabase, Map<PgDatabase, Promise<boolean>>>();

/**
 * Link `ch` to `pgDb` when both allow it (see above): true when the link
 * tables exist, false when migrate-click must stream the rows itself. A link
 * that fails to be made (an engine without the PostgreSQL engine, a refused
 * connection) is logged by the caller and also means false.
 */
export function linkPostgres(
  ch: ClickHouseDatabase,
  pgDb: PgDatabase,
  onError: (error: unknown) => void,
): Promise<boolean> {
  const target = linkTarget(ch, pgDb);
  if (!target) return Promise.resolve(false);
  let made = links.get(ch);
  if (!made) {
    made = new Map();
    links.set(ch, made);
  }
  let link = made.get(pgDb);
  if (!link) {
    link = createLink(ch, target).then(
      () => true,
      (error: unknown) => {
        onError(error);
        return false;
      },
    );
    made.set(pgDb, link);
  }
  return link;
}

function linkTarget(ch: ClickHouseDatabase, pgDb: PgDatabase): LinkTarget | undefined {
  if (!ch.embedded || process.env.SALES_ETL_NO_PG_LINK === '1') return undefined;
  const text = pgDb.pool.options.connectionString;
  if (typeof text !== 'string') return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  // TLS and other connection options stay with the client that understands them.
  if (!/^postgres(ql)?:$/.test(url.protocol) || url.search !== '') return undefined;
  if (url.hostname === '' || url.password === '') return undefined;
  return {
    hostPort: `${url.hostname}:${url.port || '5432'}`,
    database: decodeURIComponent(url.pathname.replace(/^\//, '')) || decodeURIComponent(url.username),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
  };
}

async function createLink(ch: ClickHouseDatabase, target: LinkTarget): Promise<void> {
  await ch.client.command({ query: await clickHouseStatement('link-database.sql') });
  for (const table of LINKED_TABLES) {
    const names = { table: `${LINK_DATABASE}.${table}` };
    await ch.client.command({ query: await clickHouseStatement('link-drop-table.sql', names) });
    await ch.client.command({
      query: await clickHouseStatement('link-postgres-table.sql', names),
      query_params: {
        host_port: target.hostPort,
        database: target.database,
        table,
        user: target.user,
        password: target.password,
      },
    });
  }
}
