import assert from 'node:assert/strict';
import { spawn, spawnSync, type SpawnOptionsWithStdioTuple, type StdioNull, type StdioPipe } from 'node:child_process';
import { chmod, chown, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { EMBEDDED_ROLE } from '../../../../src/lib/pg/embedded/auth.js';
import { freePort } from '../../../../src/lib/pg/embedded/port.js';
import { startEmbeddedPg, type EmbeddedPg } from '../../../../src/lib/pg/embedded/server.js';
import { migratePg } from '../../../../src/lib/pg/migrations.js';
import { serverBinaries } from '../../../../src/lib/pg/embedded/binaries.js';
import { serverUser, type ServerUser } from '../../../../src/lib/pg/embedded/server-user.js';
import { recordingLogger, seedEmbeddedCluster, tempDataDir } from '../../../helpers/pg.js';

const isRoot = process.getuid?.() === 0;
const OLD_PASSWORD = 'sales-etl';
const RUN = "INSERT INTO etl_runs (stage, week, status, started_at) VALUES ($1, '2024-W20', 'ok', now())";
const NOBODY = { uid: 65534, gid: 65534 };
const AS_NOBODY = { ...NOBODY, cwd: '/', encoding: 'utf8' } as const;

/** psql on the PATH, or undefined. */
function findPsql(): string | undefined {
  const r = spawnSync('sh', ['-c', 'command -v psql'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** Connect, run one query, and hand back its first row or the error's SQLSTATE code and message. */
type Attempt = { row?: Record<string, unknown>; code?: string; message?: string };
async function attempt(config: pg.ClientConfig): Promise<Attempt> {
  const client = new pg.Client({ connectionTimeoutMillis: 10_000, ...config });
  try {
    await client.connect();
    const result = await client.query(
      'SELECT current_user AS who, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS super',
    );
    return { row: result.rows[0] as Record<string, unknown> };
  } catch (error) {
    const e = error as { code?: string; message?: string };
    return { code: e.code, message: e.message };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The server's own account on its socket: the superuser (peer). */
const onSocket = (server: EmbeddedPg): pg.ClientConfig => ({
  host: server.socketDir,
  port: server.port,
  user: 'postgres',
  database: 'postgres',
});

/** Start the embedded cluster of a data directory, its log next to it. */
const start = (dataDir: string) =>
  startEmbeddedPg({ dir: path.join(dataDir, 'pg'), logFile: path.join(dataDir, 'pg.log'), log: recordingLogger() });

const tcp = (port: number, user: string, password?: string): pg.ClientConfig => ({
  host: '127.0.0.1',
  port,
  user,
  database: 'postgres',
  ...(password === undefined ? {} : { password }),
});

describe('embedded PostgreSQL admits only the account that runs the tool', () => {
  let dir: string;
  let server: EmbeddedPg;
  let secret: string;
  before(async () => {
    dir = await tempDataDir('sales-etl-pg-auth-');
    await seedEmbeddedCluster(dir);
    server = await start(dir);
    secret = new URL(server.url).password;
  });
  after(async () => {
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('the pipeline gets in with the secret as a role that is not superuser; nothing else over TCP', async () => {
    assert.match(secret, /^[0-9a-f]{64}$/);
    assert.equal(new URL(server.url).username, EMBEDDED_ROLE);
    assert.deepEqual((await attempt({ connectionString: server.url })).row, { who: EMBEDDED_ROLE, super: false });
    // The old public password, no password, the superuser with the secret: refused by the server.
    for (const user of ['postgres', EMBEDDED_ROLE]) {
      const old = await attempt(tcp(server.port, user, OLD_PASSWORD));
      assert.ok(['28P01', '28000'].includes(old.code ?? ''), `${user}, old password: ${old.code} ${old.message}`);
    }
    assert.equal((await attempt(tcp(server.port, 'postgres', secret))).code, '28000', 'the superuser never over TCP');
    assert.equal((await attempt(tcp(server.port, EMBEDDED_ROLE, 'wrong'))).code, '28P01');
  });

  test("the secret file is the tool account's alone; the socket where only the server's account enters", async () => {
    const file = await stat(path.join(dir, 'pg', 'sales-etl.secret'));
    assert.equal(file.mode & 0o777, 0o600);
    assert.equal(file.uid, process.getuid?.());
    assert.equal(server.socketDir, path.join(dir, 'pg'));
    const socketDir = await stat(server.socketDir);
    assert.equal(socketDir.mode & 0o077, 0, `socket directory mode ${(socketDir.mode & 0o777).toString(8)}`);
    // This account is mapped to the superuser on the socket (how an older cluster is brought up to date).
    assert.deepEqual((await attempt(onSocket(server))).row, { who: 'postgres', super: true });
    const log = await readFile(path.join(dir, 'pg.log'), 'utf8');
    assert.ok(!log.includes(secret), 'the secret is not in the server log');
  });

  const psql = findPsql();
  const skip = !isRoot ? 'needs root to act as another account' : !psql ? 'needs psql on the PATH' : false;
  test('user nobody gets in neither with the old password, nor without one, nor on the socket', { skip }, () => {
    const asNobody = (args: string[], password?: string) =>
      spawnSync(psql!, ['-X', '-w', '-At', '-d', 'postgres', '-c', 'SELECT current_user', ...args], {
        ...NOBODY,
        cwd: '/',
        encoding: 'utf8',
        env: { PATH: process.env.PATH, ...(password === undefined ? {} : { PGPASSWORD: password }) },
      });
    const port = ['-p', String(server.port)];
    const [local, socket] = [
      ['-h', '127.0.0.1', ...port],
      ['-h', server.socketDir, ...port],
    ];
    // The control: with the secret, nobody does reach the server, so the refusals below are the server's.
    const control = asNobody([...local, '-U', EMBEDDED_ROLE], secret);
    assert.equal(control.status, 0, control.stderr);
    assert.equal(control.stdout.trim(), EMBEDDED_ROLE);
    const tries: Array<[string, string[], string | undefined, RegExp]> = [
      ['postgres, old password', [...local, '-U', 'postgres'], OLD_PASSWORD, /no pg_hba\.conf entry/],
      ['sales_etl, old password', [...local, '-U', EMBEDDED_ROLE], OLD_PASSWORD, /password authentication failed/],
      ['postgres, no password', [...local, '-U', 'postgres'], undefined, /no pg_hba\.conf entry/],
      ['sales_etl, no password', [...local, '-U', EMBEDDED_ROLE], undefined, /no password supplied/],
      ['the socket', [...socket, '-U', 'postgres'], undefined, /Permission denied/],
      ['the socket, old password', [...socket, '-U', EMBEDDED_ROLE], OLD_PASSWORD, /Permission denied/],
    ];
    for (const [what, args, password, why] of tries) {
      const r = asNobody(args, password);
      assert.notEqual(r.status, 0, `${what}: ${r.stdout}`);
      assert.match(r.stderr, why, what);
    }
    const read = spawnSync('cat', [path.join(dir, 'pg', 'sales-etl.secret')], AS_NOBODY);
    assert.notEqual(read.status, 0, 'nobody cannot read the secret');
    assert.equal(read.stdout, '');
  });
});

/** Spawn options for a PostgreSQL program: as the server's account when root, its stderr piped. */
const asServer = (user: ServerUser | undefined): SpawnOptionsWithStdioTuple<StdioNull, StdioNull, StdioPipe> => ({
  ...(user ? { uid: user.uid, gid: user.gid } : {}),
  stdio: ['ignore', 'ignore', 'pipe'],
});

/** Run a PostgreSQL program (as the server's account when root) to its end; rejects on a non-zero exit. */
function runAs(program: string, args: string[], user: ServerUser | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, asServer(user));
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${program}: exit ${code}: ${err}`))));
  });
}

/**
 * A cluster as the code before the secret made and used it (`git show 3ad4c75:src/lib/embedded-pg.ts`):
 * initdb with scram-sha-256 everywhere and the superuser's password 'sales-etl', then a pipeline run
 * as that superuser over TCP that applied the migrations and loaded a customer.
 */
async function oldCluster(pgDir: string): Promise<void> {
  const log = recordingLogger();
  const user = isRoot ? await serverUser(log) : undefined;
  const bin = await serverBinaries(user, log);
  await mkdir(pgDir, { recursive: true, mode: 0o700 });
  const pwfile = path.join(path.dirname(pgDir), '.old-password');
  await writeFile(pwfile, `${OLD_PASSWORD}\n`, { mode: 0o600 });
  if (user) await Promise.all([chown(pgDir, user.uid, user.gid), chown(pwfile, user.uid, user.gid)]);
  const initArgs = ['--auth=scram-sha-256', '--username=postgres', `--pwfile=${pwfile}`];
  await runAs(bin.initdb, [`--pgdata=${pgDir}`, ...initArgs, '--encoding=UTF8', '--locale=C', '--lc-messages=C'], user);
  await rm(pwfile);
  const port = await freePort();
  const args = ['-D', pgDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='];
  const server = spawn(bin.postgres, args, asServer(user));
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  try {
    let seen = '';
    await new Promise<void>((resolve, reject) => {
      server.stderr.on('data', (c: Buffer) => {
        seen += c.toString();
        if (seen.includes('ready to accept connections')) resolve();
      });
      void exited.then(() => reject(new Error(`the old-style server exited: ${seen}`)));
    });
    const url = `postgres://postgres:${OLD_PASSWORD}@127.0.0.1:${port}/postgres`;
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    try {
      await migratePg(pool, log);
      await pool.query("INSERT INTO customers (customer_id, full_name) VALUES (7, 'Ирина Старая')");
      await pool.query(RUN, ['load-pg']);
    } finally {
      await pool.end();
    }
  } finally {
    server.kill('SIGINT');
    await exited;
  }
}

test('a cluster made before the secret is closed on its next start, and its pipeline keeps its tables', async () => {
  const dir = await tempDataDir('sales-etl-pg-old-');
  const pgDir = path.join(dir, 'pg');
  try {
    await oldCluster(pgDir);
    const server = await start(dir);
    let secret: string;
    try {
      secret = new URL(server.url).password;
      const old = await attempt(tcp(server.port, 'postgres', OLD_PASSWORD));
      assert.equal(old.code, '28000', `the old password is refused: ${old.message}`);
      const pool = new pg.Pool({ connectionString: server.url, max: 1 });
      try {
        assert.deepEqual(await migratePg(pool, recordingLogger()), [], 'the schema was there already');
        const owners = await pool.query<{ owner: string; n: string }>(
          "SELECT tableowner AS owner, count(*) AS n FROM pg_tables WHERE schemaname = 'public' GROUP BY 1",
        );
        assert.deepEqual(
          owners.rows.map((r) => r.owner),
          [EMBEDDED_ROLE],
          'the role owns every table there is',
        );
        // The role writes the old tables, their serial sequence included, and reads the old rows.
        await pool.query(RUN, ['aggregate']);
        await pool.query("UPDATE customers SET city = 'Тверь' WHERE customer_id = 7");
        const customer = await pool.query('SELECT full_name, city FROM customers');
        assert.deepEqual(customer.rows, [{ full_name: 'Ирина Старая', city: 'Тверь' }]);
        assert.equal((await pool.query('SELECT max(run_id) AS n FROM etl_runs')).rows[0].n, '2');
      } finally {
        await pool.end();
      }
      const superuser = new pg.Client(onSocket(server));
      await superuser.connect();
      try {
        const pw = await superuser.query("SELECT rolpassword FROM pg_authid WHERE rolname = 'postgres'");
        assert.equal(pw.rows[0].rolpassword, null, 'the superuser has no password left');
      } finally {
        await superuser.end();
      }
    } finally {
      await server.stop();
    }
    // The next start keeps the secret and lets the role in at once.
    const again = await start(dir);
    try {
      assert.equal(new URL(again.url).password, secret);
      assert.equal((await attempt({ connectionString: again.url })).row?.who, EMBEDDED_ROLE);
    } finally {
      await again.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a cluster path too long for a socket puts it in a private directory under the temporary one', async () => {
  const dir = await tempDataDir('sales-etl-pg-long-');
  const deep = path.join(dir, 'd'.repeat(60), 'e'.repeat(40));
  await mkdir(deep, { recursive: true });
  for (let d = deep; d !== dir; d = path.dirname(d)) await chmod(d, 0o755); // root's server passes through
  try {
    await seedEmbeddedCluster(deep);
    const server = await start(deep);
    try {
      const owner = isRoot ? (await serverUser(recordingLogger())).uid : process.getuid?.();
      assert.equal(server.socketDir, path.join(os.tmpdir(), `sales-etl-pg-${owner}`));
      const info = await stat(server.socketDir);
      assert.deepEqual([info.uid, info.mode & 0o777], [owner, 0o700]);
      assert.equal((await attempt({ connectionString: server.url })).row?.who, EMBEDDED_ROLE);
      assert.equal((await attempt(onSocket(server))).row?.who, 'postgres');
    } finally {
      await server.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
