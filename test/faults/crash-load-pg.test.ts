import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { parseWeek } from '../../src/lib/core/calendar.js';
import { embeddedUrl, readClusterSecret } from '../../src/lib/pg/embedded/auth.js';
import { openPg } from '../../src/lib/pg/database.js';
import { assertExit, cli, exists, sleep, startCli } from '../helpers/faults-cli.js';
import {
  freshDatabase,
  pgTargets,
  recordingLogger,
  seedEmbeddedCluster,
  stopTestCluster,
  tempDataDir,
  testContext,
  type TestDatabase,
} from '../helpers/pg.js';

// load-pg killed with SIGKILL at spread-out points of a week's load, then run again (SPEC 6: a failure
// leaves the previous state; a re-run replaces the week exactly). Two versions of one week's clean
// output (A: part of the rows, B: all of them) are swapped in turn, so after every kill the week must
// be exactly the one before (old) or the one being loaded (new): never a mix, never doubled.

const W = parseWeek('2024-W01');
const REGIONS = ['north', 'south', 'east', 'west'];
const MARKER = `load-pg ${W.id} ...`;
const DONE = `load-pg ${W.id} done`;
/** Kill points, as fractions of the measured time from the week's start line to the end of the run. */
const FRACTIONS = [0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.75, 1];

let dir: string;
let side: string;
let database: TestDatabase;
let pool: pg.Pool;
/** The checksums of clean single runs of each version, from the first test. */
const reference = { A: '', B: '' };
const versions: Record<'A' | 'B', { files: string; rows: number }> = {
  A: { files: '', rows: 0 },
  B: { files: '', rows: 0 },
};

/** What PostgreSQL holds for the week: rows, the exact sum, and an md5 of every row in sale_id order. */
async function checksum(q: pg.Pool | pg.Client): Promise<string> {
  const { rows } = await q.query<{ c: string }>(
    `SELECT count(*) || '/' || coalesce(sum(sale_amount), 0) || '/' ||
            coalesce(md5(string_agg(concat_ws(',', sale_id, customer_id, product_id, quantity, sale_date,
                                              sale_amount, region),
                                    ';' ORDER BY sale_id)), '-') AS c
     FROM sales WHERE sale_date BETWEEN $1 AND $2`,
    [W.start, W.end],
  );
  return rows[0]!.c;
}

/** Put a version's clean files in place as clean/<week>/, the manifest last (as clean does). */
async function putVersion(v: 'A' | 'B'): Promise<void> {
  const to = path.join(dir, 'clean', W.id);
  await mkdir(to, { recursive: true });
  for (const name of [...REGIONS.map((r) => `${r}.csv`), 'manifest.json']) {
    await copyFile(path.join(versions[v].files, name), path.join(to, name));
  }
}

/** Clean the week's raw files and keep the clean output aside as version `v`. */
async function makeVersion(v: 'A' | 'B'): Promise<void> {
  const r = await cli(['--data-dir', dir, 'clean', '--week', W.id]);
  assertExit(r, 0, `clean ${v}`);
  const keep = path.join(side, v);
  await mkdir(keep, { recursive: true });
  for (const name of [...REGIONS.map((r) => `${r}.csv`), 'manifest.json']) {
    await copyFile(path.join(dir, 'clean', W.id, name), path.join(keep, name));
  }
  const manifest = JSON.parse(await readFile(path.join(keep, 'manifest.json'), 'utf8')) as {
    totals: { written: number };
  };
  versions[v] = { files: keep, rows: manifest.totals.written };
}

before(async () => {
  dir = await tempDataDir('sales-etl-crash-pg-');
  side = await tempDataDir('sales-etl-crash-pg-side-');
  const gen = await cli(['--data-dir', dir, 'generate', '--start-week', W.id, '--weeks', '1', '--total', '30000']);
  assertExit(gen, 0, 'generate');
  // Version A: the first half of every region's raw rows; version B: all of them.
  const full: Record<string, string> = {};
  for (const r of REGIONS) {
    const file = path.join(dir, 'raw', W.id, `${r}.csv`);
    full[r] = await readFile(file, 'utf8');
    const lines = full[r].split('\n');
    await writeFile(file, `${lines.slice(0, Math.floor(lines.length / 2)).join('\n')}\n`);
  }
  await makeVersion('A');
  for (const r of REGIONS) await writeFile(path.join(dir, 'raw', W.id, `${r}.csv`), full[r]!);
  await makeVersion('B');
  assert.ok(versions.A.rows > 5_000 && versions.B.rows > versions.A.rows, JSON.stringify(versions));
  const targets = pgTargets();
  database = await freshDatabase(targets.at(-1)!);
  pool = new pg.Pool({ connectionString: database.url, max: 2 });
});

after(async () => {
  await pool?.end();
  await database?.drop();
  await stopTestCluster();
  await stopLeftover();
  await rm(dir, { recursive: true, force: true });
  await rm(side, { recursive: true, force: true });
});

/** The embedded cluster a killed run left running in <dir>/pg, as {pid, port}, or undefined. */
async function leftover(): Promise<{ pid: number; port: number } | undefined> {
  const text = await readFile(path.join(dir, 'pg', 'postmaster.pid'), 'utf8').catch(() => undefined);
  if (!text) return undefined;
  const lines = text.split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  try {
    process.kill(pid, 0);
  } catch {
    return undefined;
  }
  return { pid, port };
}

async function stopLeftover(): Promise<void> {
  const left = dir ? await leftover() : undefined;
  if (!left) return;
  process.kill(left.pid, 'SIGINT');
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(left.pid, 0);
    } catch {
      return;
    }
    await sleep(100);
  }
}

/** Where a series of kills stands: the version the week holds, and whether a dead run's lock is left. */
interface Standing {
  week: 'A' | 'B';
  lockLeft: boolean;
}

/**
 * One trial: load the other version over `now.week`, kill the run `delay` ms
 * after the week's start line, and check with `inspect` that the week is whole
 * (the old version or the new one). With `rerun`, run load-pg again and check
 * it gives exactly the new version; without, the next trial's run is the one
 * that has to recover. Returns the new standing and what happened.
 */
async function trial(
  env: Record<string, string>,
  expected: Record<'A' | 'B', string>,
  now: Standing,
  delay: number,
  inspect: () => Promise<string>,
  rerun: boolean,
  inspectAfterRerun: (() => Promise<string>) | null = inspect,
): Promise<{ standing: Standing; note: string; killed: boolean; rerun: string }> {
  const target: 'A' | 'B' = now.week === 'A' ? 'B' : 'A';
  await putVersion(target);
  const run = startCli(['--data-dir', dir, '--verbose', 'load-pg', '--week', W.id], { env });
  const at = await run.waitFor(MARKER);
  if (at === undefined) assert.fail(`the run did not reach the week's load: ${(await run.done).stderr}`);
  await sleep(delay);
  run.child.kill('SIGKILL');
  const killed = await run.done;
  if (now.lockLeft)
    assert.match(killed.stderr, /took over the lock of a run that is gone/, "the dead run's lock is taken over");
  const state = await inspect();
  const outcome = state === expected[now.week] ? 'old' : state === expected[target] ? 'new' : undefined;
  assert.ok(outcome, `after a kill ${delay} ms into the load of ${target} over ${now.week}, PostgreSQL holds ${state}`);
  const standing: Standing = {
    week: outcome === 'new' ? target : now.week,
    lockLeft: await exists(path.join(dir, '.lock')),
  };
  const note = `${killed.signal === 'SIGKILL' ? 'killed' : 'finished'}:${outcome}`;
  if (!rerun) return { standing, note, killed: killed.signal === 'SIGKILL', rerun: '' };
  const again = await cli(['--data-dir', dir, 'load-pg', '--week', W.id], { env });
  assertExit(again, 0, `load-pg after a kill at ${delay} ms`);
  if (standing.lockLeft)
    assert.match(again.stderr, /took over the lock of a run that is gone/, "the dead run's lock is taken over");
  assert.equal(await exists(path.join(dir, '.lock')), false, 'the lock is released');
  if (inspectAfterRerun)
    assert.equal(
      await inspectAfterRerun(),
      expected[target],
      `the re-run after a kill ${delay} ms in gives the clean run's rows`,
    );
  return {
    standing: { week: target, lockLeft: false },
    note,
    killed: killed.signal === 'SIGKILL',
    rerun: again.stderr,
  };
}

test(
  'load-pg killed at 10 points of a load on a server: the week is old or new, ' +
    "and the re-run gives the clean run's rows",
  async () => {
    const env = { DATABASE_URL: database.url };
    // Clean single runs give the reference states, and the time the week's load takes.
    await putVersion('A');
    assertExit(await cli(['--data-dir', dir, 'load-pg', '--week', W.id], { env }), 0, 'load A');
    const a = await checksum(pool);
    await putVersion('B');
    const timed = startCli(['--data-dir', dir, '--verbose', 'load-pg', '--week', W.id], { env });
    const start = await timed.waitFor(MARKER);
    const end = await timed.waitFor(DONE);
    const ref = await timed.done;
    assertExit(ref, 0, 'load B');
    const b = await checksum(pool);
    assert.equal(a.split('/')[0], String(versions.A.rows));
    assert.equal(b.split('/')[0], String(versions.B.rows));
    Object.assign(reference, { A: a, B: b });
    const window = Math.max(50, (end ?? 0) - (start ?? 0));

    const outcomes: string[] = [];
    let killedRuns = 0;
    let standing: Standing = { week: 'B', lockLeft: false };
    for (const [i, fraction] of FRACTIONS.entries()) {
      // Every other kill is followed by a plain re-run; the others by the next trial's run, which must recover too.
      const r = await trial(
        env,
        { A: a, B: b },
        standing,
        Math.round(fraction * window),
        () => checksum(pool),
        i % 2 === 1,
      );
      outcomes.push(`${fraction}:${r.note}`);
      if (r.killed) killedRuns++;
      standing = r.standing;
    }
    if (process.env.TEST_VERBOSE) console.log(`load window ${window} ms;`, outcomes.join(' '));
    // Kills that all missed the load would prove nothing.
    assert.ok(killedRuns >= 5, `most runs were killed before they finished: ${outcomes.join(' ')}`);
    assert.ok(
      outcomes.some((o) => o.endsWith(':old')),
      `some kill left the old week: ${outcomes.join(' ')}`,
    );
  },
);

test(
  'load-pg killed on the embedded cluster: the next run stops the server left running, ' +
    'takes over the lock, and loads the week',
  async () => {
    await seedEmbeddedCluster(dir);
    await putVersion('B');
    const timed = startCli(['--data-dir', dir, '--verbose', 'load-pg', '--week', W.id]);
    const start = await timed.waitFor(MARKER);
    const end = await timed.waitFor(DONE);
    assertExit(await timed.done, 0, 'first embedded load');
    const window = Math.max(50, (end ?? 0) - (start ?? 0));
    // The reference checksums are those of the server's clean runs: the same files give the same rows.
    const expected = reference;
    assert.ok(expected.A && expected.B, 'the server test ran first');

    /** Read the week from the server the killed run left running (no restart, so the next run has to recover it). */
    const inspect = async () => {
      const left = await leftover();
      assert.ok(left, 'SIGKILL leaves the embedded server running');
      const secret = await readClusterSecret(path.join(dir, 'pg'));
      assert.ok(secret, 'the cluster has its secret');
      const client = new pg.Client({ connectionString: embeddedUrl(left.port, secret) });
      await client.connect();
      try {
        return await checksum(client);
      } finally {
        await client.end();
      }
    };
    let standing: Standing = { week: 'B', lockLeft: false };
    for (const fraction of [0.1, 0.6]) {
      const r = await trial({}, expected, standing, Math.round(fraction * window), inspect, true, null);
      if (r.killed) assert.match(r.rerun, /a server left running by an earlier run \(pid \d+\) holds .*; stopping it/);
      assert.equal(await leftover(), undefined, 'the re-run stops the server it started');
      standing = r.standing;
    }
    const db = await openPg(testContext(dir, undefined, recordingLogger()));
    try {
      assert.equal(await checksum(db.pool), expected[standing.week]);
    } finally {
      await db.close();
    }
  },
);
