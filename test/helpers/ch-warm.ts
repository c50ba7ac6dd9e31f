/**
 * A process that starts the embedded ClickHouse of a data directory on a second thread, as run-week
 * does (`warmEmbedded`), then `node ch-warm.js <data-dir> <what>`:
 *   open    opens it, counts a table, closes it: prints `rows N`;
 *   never   never opens it and ends as a failed run does (its connections closed): prints `cooled`;
 *   stop    owns the stop signals as the CLI does (src/cli-signals.ts), prints `warming` and waits
 *           for them: a second SIGINT then forces the exit while the engine may still be starting.
 * In the first two the process must then end by itself: the second thread must neither keep it
 * alive nor take it down.
 */
import '../../src/cli-signals.js';
import { openClickHouse, warmEmbedded } from '../../src/lib/clickhouse/database.js';
import { Connections } from '../../src/lib/pipeline/connections.js';
import { chTestContext } from './clickhouse.js';

const [dataDir, what] = process.argv.slice(2);
if (!dataDir || !['open', 'never', 'stop'].includes(what ?? ''))
  throw new Error('usage: ch-warm <data-dir> open|never|stop');
const ctx = chTestContext({ dataDir });
warmEmbedded(ctx);
if (what === 'stop') {
  process.stdout.write('warming\n');
  setInterval(() => undefined, 60_000);
} else if (what === 'open') {
  const ch = await openClickHouse(ctx);
  try {
    const result = await ch.client.query({ query: 'SELECT count() AS n FROM system.tables', format: 'JSONEachRow' });
    const [row] = await result.json<{ n: number | string }>();
    process.stdout.write(`rows ${Number(row?.n) > 0 ? 'some' : 'none'}\n`);
  } finally {
    await ch.close();
  }
} else {
  await new Connections(ctx).close();
  process.stdout.write('cooled\n');
}
