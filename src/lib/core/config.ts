import { Layout } from '../files/layout.js';
import { createLogger, type Logger } from '../ui/logger.js';
import { isInteractive } from '../ui/terminal.js';

/** The share of a file's rows that may be rejected before clean fails the week (`--max-reject-rate`). */
export const DEFAULT_MAX_REJECT_RATE = 0.05;

/** The small plan of `smoke`: valid sales and weeks. */
export const SMOKE_DEFAULTS = { total: 6000, weeks: 3 } as const;

/** The global flags, as commander hands them over. */
export interface GlobalFlags {
  dataDir?: string | undefined;
  pgUrl?: string | undefined;
  clickhouseUrl?: string | undefined;
  json?: boolean | undefined;
  verbose?: boolean | undefined;
  color?: boolean | undefined;
}

/** Configuration resolved once: flags, then environment, then defaults. */
export interface Config {
  readonly dataDir: string;
  readonly layout: Layout;
  /** A PostgreSQL server; undefined means the embedded cluster in `<data-dir>/pg`. */
  readonly pgUrl: string | undefined;
  /** A ClickHouse server; undefined means the embedded engine in `<data-dir>/clickhouse`. */
  readonly clickhouseUrl: string | undefined;
  readonly clickhouseUser: string | undefined;
  readonly clickhousePassword: string | undefined;
  readonly json: boolean;
  readonly verbose: boolean;
  readonly interactive: boolean;
}

/** What every stage is handed: the configuration and the log. */
export interface Context {
  readonly config: Config;
  readonly log: Logger;
}

const nonEmpty = (value: string | undefined): string | undefined =>
  value === undefined || value.trim() === '' ? undefined : value.trim();

/** Resolve the global flags against the environment. */
export function resolveConfig(flags: GlobalFlags, env: NodeJS.ProcessEnv = process.env): Config {
  const dataDir = nonEmpty(flags.dataDir) ?? nonEmpty(env.SALES_ETL_DATA_DIR) ?? './data';
  const json = flags.json ?? false;
  return {
    dataDir,
    layout: new Layout(dataDir),
    pgUrl: nonEmpty(flags.pgUrl) ?? nonEmpty(env.DATABASE_URL),
    clickhouseUrl: nonEmpty(flags.clickhouseUrl) ?? nonEmpty(env.CLICKHOUSE_URL),
    clickhouseUser: nonEmpty(env.CLICKHOUSE_USER),
    clickhousePassword: env.CLICKHOUSE_PASSWORD,
    json,
    verbose: flags.verbose ?? false,
    interactive: isInteractive(flags.color ?? true),
  };
}

/** A context for a resolved configuration. */
export function createContext(config: Config): Context {
  return { config, log: createLogger({ interactive: config.interactive, verbose: config.verbose }) };
}
