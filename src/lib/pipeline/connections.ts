import { coolEmbedded, openClickHouse, warmEmbedded, type ClickHouseDatabase } from '../clickhouse/database.js';
import type { Context } from '../core/config.js';
import { describeError } from '../core/errors.js';
import { openPg, type PgDatabase } from '../pg/database.js';

/**
 * The databases of a chain of stages, opened when a stage first needs them (so
 * an unreachable server fails the stage that needed it) and shared by every
 * stage and week after that. Databases handed in are used and left open.
 */
export class Connections {
  private pgOpen: Promise<PgDatabase> | undefined;
  private chOpen: Promise<ClickHouseDatabase> | undefined;

  constructor(
    private readonly ctx: Context,
    private readonly given: { pg?: PgDatabase | undefined; ch?: ClickHouseDatabase | undefined } = {},
  ) {}

  /**
   * The PostgreSQL database, opened on first use (or by `warmPg`); a failed open goes to one caller and is
   * retried by the next.
   */
  pg(): Promise<PgDatabase> {
    if (this.given.pg) return Promise.resolve(this.given.pg);
    this.pgOpen ??= settled(openPg(this.ctx));
    const open = this.pgOpen;
    open.catch(() => {
      if (this.pgOpen === open) this.pgOpen = undefined;
    });
    return open;
  }

  /** The ClickHouse database, opened on first use; a failed open is retried on the next call. */
  ch(): Promise<ClickHouseDatabase> {
    if (this.given.ch) return Promise.resolve(this.given.ch);
    this.chOpen ??= openClickHouse(this.ctx).catch((error: unknown) => {
      this.chOpen = undefined;
      throw error;
    });
    return this.chOpen;
  }

  /**
   * Start opening PostgreSQL now, while the file stages run: the embedded
   * server's initdb and start take a while, in processes of their own.
   * A failure waits for the first stage that needs the database and is its
   * failure, as if that stage had opened it. (ClickHouse is not warmed: the
   * embedded engine loads on this process's own thread, so it would gain
   * nothing.)
   */
  warmPg(): void {
    if (!this.given.pg) this.pgOpen ??= settled(openPg(this.ctx));
  }

  /**
   * Start opening ClickHouse now, while this process waits for PostgreSQL to
   * start: loading the embedded engine takes this process's thread for a
   * moment, which it has nothing else to do with then. Only while
   * an embedded PostgreSQL starts (a server answers at once, and one that does
   * not must leave ClickHouse untouched). A failure is left for the stage that
   * needs the database, which opens it again.
   */
  warmCh(): void {
    if (this.given.ch || this.given.pg || this.ctx.config.pgUrl) return;
    this.ch().catch(() => undefined);
  }

  /**
   * Start the embedded ClickHouse engine on a second thread now (src/lib/clickhouse/engine-warmer.ts),
   * while this one runs the file stages: `ch()` then opens it at once. Under the same conditions as
   * `warmCh`; a failure is left for the stage that opens it.
   */
  warmChEngine(): void {
    if (this.given.ch || this.given.pg || this.ctx.config.pgUrl) return;
    warmEmbedded(this.ctx);
  }

  /** The PostgreSQL database if it is open already, without opening it. */
  async openedPg(): Promise<PgDatabase | undefined> {
    if (this.given.pg) return this.given.pg;
    return this.pgOpen?.catch(() => undefined);
  }

  /** Close what this object opened; a failure to close is logged, not thrown. */
  async close(): Promise<void> {
    const opened = [this.pgOpen, this.chOpen];
    this.pgOpen = undefined;
    this.chOpen = undefined;
    for (const open of opened) {
      const db = await open?.catch(() => undefined);
      await db?.close().catch((error: unknown) => this.ctx.log.warn(`closing ${db.target}: ${describeError(error)}`));
    }
    // An engine warmed and never opened (a stage before migrate-click failed).
    await coolEmbedded(this.ctx);
  }
}

/** The promise itself, marked as handled: it may reject before anyone awaits it. */
function settled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}
