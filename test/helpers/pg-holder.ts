/**
 * A process that opens the embedded PostgreSQL of a data directory and holds
 * it until killed: `node pg-holder.js <data-dir>`. Prints `ready <port>` once
 * the cluster is up. Used by the recovery and signal tests.
 */
import { openPg } from '../../src/lib/pg/database.js';
import { recordingLogger, testContext } from './pg.js';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: pg-holder <data-dir>');
const db = await openPg(testContext(dataDir, undefined, recordingLogger()));
await db.pool.query('SELECT 1');
process.stdout.write(`ready ${db.target}\n`);
setInterval(() => undefined, 60_000);
