/**
 * A process that owns the stop signals as the CLI does (src/cli-signals.ts), opens the embedded
 * ClickHouse of a data directory and keeps it busy with one long statement: `node ch-busy.js
 * <data-dir>`. Prints `busy` once the statement is running. Used by the signal tests: a second
 * SIGINT then forces the exit while the engine works.
 */
import '../../src/cli-signals.js';
import { openClickHouse } from '../../src/lib/clickhouse/database.js';
import { chTestContext } from './clickhouse.js';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: ch-busy <data-dir>');
const ch = await openClickHouse(chTestContext({ dataDir }));
await ch.client.command({ query: 'CREATE TABLE IF NOT EXISTS busy (x UInt64) ENGINE = MergeTree ORDER BY x' });
ch.client.command({ query: 'INSERT INTO busy SELECT number FROM numbers(40000000)' }).catch(() => undefined);
setTimeout(() => process.stdout.write('busy\n'), 50);
setInterval(() => undefined, 60_000);
