import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { lstat, mkdtemp, readdir, readFile, realpath, rm, chmod } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { startEmbeddedPg } from '../../src/lib/pg/embedded/server.js';
import { CLI } from '../helpers/clean-helpers.js';
import { recordingLogger } from '../helpers/pg.js';

// The whole pipeline through the built bin, under the most permissive umask, into a data directory
// the tool makes itself: nothing it leaves is open to other accounts, and the cluster's secret is in
// none of its output, files or records.

let parent: string;
let cache: string;
let dir: string;
const outputs: string[] = [];

/** The CLI as a shell with `umask 000` starts it. */
function cli(...args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', DATABASE_URL: '', CLICKHOUSE_URL: '' };
  env.SALES_ETL_PG_CACHE = cache;
  delete env.SALES_ETL_DATA_DIR;
  const r = spawnSync('sh', ['-c', 'umask 000 && exec "$@"', 'sh', process.execPath, CLI, '--data-dir', dir, ...args], {
    encoding: 'utf8',
    env,
  });
  outputs.push(r.stdout, r.stderr);
  assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
  return r;
}

/** Every entry under `root` (links not followed), with its mode. */
async function walk(root: string): Promise<Array<{ file: string; mode: number; link: boolean }>> {
  const found: Array<{ file: string; mode: number; link: boolean }> = [];
  for (const name of await readdir(root)) {
    const file = path.join(root, name);
    const info = await lstat(file);
    found.push({ file, mode: info.mode & 0o7777, link: info.isSymbolicLink() });
    if (info.isDirectory()) found.push(...(await walk(file)));
  }
  return found;
}

before(async () => {
  // The parents may be passed through (root's server runs as postgres); the data directory is the tool's to make.
  parent = await mkdtemp(path.join(os.tmpdir(), 'sales-etl-private-'));
  cache = await mkdtemp(path.join(os.tmpdir(), 'sales-etl-private-cache-'));
  await Promise.all([chmod(parent, 0o755), chmod(cache, 0o755)]);
  process.env.SALES_ETL_PG_CACHE = cache; // this process starts the cluster too, at the end
  dir = path.join(parent, 'data');
});
after(async () => {
  await rm(parent, { recursive: true, force: true });
  await rm(cache, { recursive: true, force: true });
});

test('after generate, clean, backfill, report and status nothing in the data directory is open to others', async () => {
  cli('generate', '--total', '1200', '--weeks', '2');
  cli('clean');
  cli('backfill');
  const report = cli('report').stdout.trim();
  cli('--json', 'status');

  const entries = await walk(dir);
  // The cluster lives where the server's account reaches it: in the data directory, or linked from it (root).
  const pgDir = await realpath(path.join(dir, 'pg'));
  if (pgDir !== path.join(dir, 'pg')) entries.push(...(await walk(pgDir)));
  const names = entries.map((e) => path.relative(dir, e.file));
  const written = ['store.json', 'dim/customers.csv', 'raw', 'clean', 'rejects', 'reports', 'clickhouse', 'pg.log'];
  for (const expected of written) {
    assert.ok(
      names.some((n) => n === expected || n.startsWith(`${expected}/`)),
      `${expected} was written`,
    );
  }
  assert.ok(
    entries.some((e) => e.file === report),
    'the report is under reports/',
  );
  assert.equal((await lstat(dir)).mode & 0o777, 0o700, 'the data directory the tool made');
  const open = entries.filter((e) => !e.link && (e.mode & 0o007) !== 0).map((e) => `${e.file} ${e.mode.toString(8)}`);
  assert.deepEqual(open, [], 'no entry with any permission for other accounts');
  const readable = entries.filter((e) => !e.link && (e.mode & 0o044) !== 0 && !e.file.startsWith(pgDir));
  const shared = readable.map((e) => `${e.file} ${e.mode.toString(8)}`);
  assert.deepEqual(shared, [], 'the tool writes for its own account alone');

  // The cluster's secret: in its file, and nowhere the tool writes for people to read.
  const secret = (await readFile(path.join(pgDir, 'sales-etl.secret'), 'utf8')).trim();
  assert.match(secret, /^[0-9a-f]{64}$/);
  for (const text of outputs) assert.ok(!text.includes(secret), 'the secret is in no output (stdout, stderr, --json)');
  for (const file of [path.join(dir, 'pg.log'), report]) {
    assert.ok(!(await readFile(file, 'utf8')).includes(secret), file);
  }
  const logFile = path.join(dir, 'pg.log');
  const server = await startEmbeddedPg({ dir: path.join(dir, 'pg'), logFile, log: recordingLogger() });
  try {
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      const runs = await client.query<{ n: string; leaks: string }>(
        'SELECT count(*) AS n, count(*) FILTER (WHERE message LIKE $1) AS leaks FROM etl_runs',
        [`%${secret}%`],
      );
      assert.ok(Number(runs.rows[0]?.n) >= 6, 'the runs were recorded');
      assert.equal(runs.rows[0]?.leaks, '0', 'no etl_runs.message holds the secret');
    } finally {
      await client.end();
    }
  } finally {
    await server.stop();
  }
});
