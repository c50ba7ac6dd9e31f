/**
 * load-pg's speed over a full year of clean files, as a ratio against a
 * baseline measured in the same run on the same server: `psql \copy` of the
 * same files into a table shaped like `sales` (same keys and index). Also
 * times aggregate over the same year.
 *
 *   node dist/bench/load-pg.js [DATA_DIR]   load DATA_DIR's clean weeks (its plan's period) into its
 *                                           PostgreSQL (embedded, or DATABASE_URL); default: a synthetic
 *                                           year (52 weeks, 1,000,000 rows) in a temp dir
 *
 * psql comes from Debian's /usr/lib/postgresql/<v>/bin or PATH.
 */
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { aggregate } from '../src/commands/aggregate.js';
import { DIMENSIONS, loadPg } from '../src/commands/load-pg.js';
import { parseWeek, type Week } from '../src/lib/core/calendar.js';
import { createContext, resolveConfig, type Context } from '../src/lib/core/config.js';
import { silentLogger } from '../src/lib/ui/logger.js';
import { embeddedUrl, readClusterSecret } from '../src/lib/pg/embedded/auth.js';
import { openPg, type PgDatabase } from '../src/lib/pg/database.js';
import { readPlan, planPeriod } from '../src/lib/core/plan.js';
import { makeSales, writeCleanWeek, weeksFrom } from '../test/helpers/pg-fixtures.js';

const run = promisify(execFile);

/** What `benchLoadPg` measured. */
export interface LoadPgBench {
  weeks: number;
  rows: number;
  loadSeconds: number;
  loadRowsPerSecond: number;
  /** psql \copy of the same files into a table like `sales`, on the same server. */
  psqlSeconds: number;
  psqlRowsPerSecond: number;
  /** load-pg's time over psql's: 1 means as fast as a bare \copy. */
  ratio: number;
  /** aggregate over the same weeks. */
  aggregateSeconds: number;
  aggregateRows: number;
  target: string;
}

/** psql from Debian's /usr/lib/postgresql/<v>/bin or PATH; undefined when there is none. */
export async function findPsql(): Promise<string | undefined> {
  const executable = (file: string) =>
    access(file, constants.X_OK).then(
      () => true,
      () => false,
    );
  for (const v of ['18', '17', '16', '15', '14', '13']) {
    const candidate = `/usr/lib/postgresql/${v}/bin/psql`;
    if (await executable(candidate)) return candidate;
  }
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    if (await executable(path.join(dir, 'psql'))) return path.join(dir, 'psql');
  }
  return undefined;
}

/** How psql (or another client) reaches `db`: the URL as configured, or the embedded cluster's port and secret. */
export async function pgConnection(ctx: Context, db: PgDatabase): Promise<{ url: string; env: NodeJS.ProcessEnv }> {
  if (ctx.config.pgUrl) return { url: ctx.config.pgUrl, env: process.env };
  const port = (await db.pool.query<{ port: string }>("SELECT current_setting('port') AS port")).rows[0]?.port ?? '';
  const secret = await readClusterSecret(ctx.config.layout.pg);
  if (!secret) throw new Error(`bench: the embedded cluster in ${ctx.config.layout.pg} has no secret`);
  return { url: embeddedUrl(Number(port), secret), env: { ...process.env, PGPASSWORD: secret } };
}

/** The tables the baseline copies into, each as `bench_psql_<table>`. */
const BASELINE_TABLES = ['sales', ...DIMENSIONS.map((d) => d.name)];

/**
 * The baseline: one psql session \copy-ing the files load-pg loads, in one
 * transaction, into new tables like load-pg's (same keys and indexes): the
 * dimension files (dim/customers.csv, dim/products.csv, when present) and every
 * clean file the weeks' manifests list. The tables are dropped afterwards.
 * Throws when psql copies another number of sales than `expectedRows` (when given).
 */
export async function psqlCopyBaseline(
  ctx: Context,
  db: PgDatabase,
  weeks: Week[],
  psql: string,
  expectedRows?: number,
): Promise<{ rows: number; seconds: number }> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'sales-etl-bench-psql-'));
  try {
    await dropBaselineTables(db);
    for (const table of BASELINE_TABLES) {
      await db.pool.query(`CREATE TABLE bench_psql_${table} (LIKE ${table} INCLUDING ALL)`);
    }
    const lines = ['\\set ON_ERROR_STOP on', 'BEGIN;'];
    for (const dim of DIMENSIONS) {
      const file = ctx.config.layout.dim(dim.name);
      if (
        !(await access(file).then(
          () => true,
          () => false,
        ))
      )
        continue;
      lines.push(
        `\\copy bench_psql_${dim.name} (${dim.columns}) FROM '${file.replace(/'/g, "''")}' ` +
          'WITH (FORMAT csv, HEADER true)',
      );
    }
    for (const week of weeks) {
      const manifest = JSON.parse(await readFile(ctx.config.layout.manifest(week), 'utf8')) as {
        files: { region: string }[];
      };
      for (const f of manifest.files) {
        const file = ctx.config.layout.clean(week, f.region).replace(/'/g, "''");
        lines.push(
          '\\copy bench_psql_sales (sale_id,customer_id,product_id,quantity,sale_date,sale_amount,region) ' +
            `FROM '${file}' WITH (FORMAT csv, HEADER true)`,
        );
      }
    }
    lines.push('COMMIT;');
    const script = path.join(scratch, 'copy.psql');
    await writeFile(script, `${lines.join('\n')}\n`);
    const { url, env } = await pgConnection(ctx, db);
    const started = process.hrtime.bigint();
    await run(psql, [url, '-q', '-X', '-f', script], { env, maxBuffer: 1 << 24 });
    const secs = seconds(started);
    const rows = Number((await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM bench_psql_sales')).rows[0]?.n);
    await dropBaselineTables(db);
    if (expectedRows !== undefined && rows !== expectedRows) {
      throw new Error(`bench: psql copied ${rows} rows, load-pg ${expectedRows}`);
    }
    return { rows, seconds: secs };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function dropBaselineTables(db: PgDatabase): Promise<void> {
  for (const table of BASELINE_TABLES) await db.pool.query(`DROP TABLE IF EXISTS bench_psql_${table}`);
}

/** A synthetic year of clean files: 52 weeks, 1,000,000 rows. */
async function syntheticYear(dataDir: string): Promise<Week[]> {
  const weeks = weeksFrom(parseWeek('2024-W01'), 52);
  const layout = resolveConfig({ dataDir }, {}).layout;
  let next = 1;
  for (const [i, week] of weeks.entries()) {
    const count = i < 51 ? 19_231 : 1_000_000 - 51 * 19_231;
    await writeCleanWeek(layout, week, makeSales(week, count, next, 100 + i, 1000));
    next += count;
  }
  return weeks;
}

const seconds = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e9;

/** Time load-pg and aggregate over a year, and psql \copy of the same files. */
export async function benchLoadPg(dataDir?: string): Promise<LoadPgBench> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'sales-etl-bench-pg-'));
  await chmod(scratch, 0o755); // as root the embedded cluster runs as postgres, which must enter it
  try {
    const dir = dataDir ?? scratch;
    const ctx = { ...createContext(resolveConfig({ dataDir: dir })), log: silentLogger() };
    const plan = dataDir ? await readPlan(ctx.config.layout) : undefined;
    const weeks = plan ? planPeriod(plan) : await syntheticYear(dir);
    const db = await openPg(ctx);
    try {
      let started = process.hrtime.bigint();
      const loaded = await loadPg({ ctx, weeks, pg: db });
      const loadSeconds = seconds(started);
      const rows = loaded.weeks.reduce((n, w) => n + w.rows, 0);

      started = process.hrtime.bigint();
      const aggregated = await aggregate({ ctx, weeks, pg: db });
      const aggregateSeconds = seconds(started);

      const psql = await findPsql();
      if (!psql) throw new Error('bench: psql not found (Debian: apt-get install postgresql-client)');
      const { seconds: psqlSeconds } = await psqlCopyBaseline(ctx, db, weeks, psql, rows);

      return {
        weeks: weeks.length,
        rows,
        loadSeconds,
        loadRowsPerSecond: Math.round(rows / loadSeconds),
        psqlSeconds,
        psqlRowsPerSecond: Math.round(rows / psqlSeconds),
        ratio: loadSeconds / psqlSeconds,
        aggregateSeconds,
        aggregateRows: aggregated.weeks.reduce((n, w) => n + w.rows, 0),
        target: db.target,
      };
    } finally {
      await db.close();
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = await benchLoadPg(process.argv[2]);
  const f = (n: number) => n.toLocaleString('en-US');
  process.stdout.write(
    `load-pg: ${f(r.rows)} rows in ${r.weeks} weeks on ${r.target}\n` +
      `  load-pg      ${r.loadSeconds.toFixed(2)}s  ${f(r.loadRowsPerSecond)} rows/s\n` +
      `  psql \\copy   ${r.psqlSeconds.toFixed(2)}s  ${f(r.psqlRowsPerSecond)} rows/s (baseline)\n` +
      `  ratio        ${r.ratio.toFixed(2)}× the baseline's time\n` +
      `aggregate: ${f(r.aggregateRows)} rows for ${r.weeks} weeks in ${r.aggregateSeconds.toFixed(2)}s\n`,
  );
}
