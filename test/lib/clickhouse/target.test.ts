import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openClickHouse } from '../../../src/lib/clickhouse/database.js';
import { resolveClickHouseServer } from '../../../src/lib/clickhouse/target.js';
import { describeError, UsageError } from '../../../src/lib/core/errors.js';
import { migrationNames, oneStatement, SQL_DIR } from '../../../src/lib/core/sql.js';
import { chTestContext } from '../../helpers/clickhouse.js';

describe('resolveClickHouseServer', () => {
  it('takes the credentials from the URL and hides the password in the target', () => {
    const s = resolveClickHouseServer('https://etl:p%40ss%3Aword@ch.example.com:8443', {
      user: 'other',
      password: 'other',
    });
    assert.equal(s.url, 'https://ch.example.com:8443');
    assert.equal(s.username, 'etl');
    assert.equal(s.password, 'p@ss:word');
    assert.equal(s.target, 'ClickHouse at https://etl:***@ch.example.com:8443');
  });

  it('falls back to CLICKHOUSE_USER / CLICKHOUSE_PASSWORD, then to the default user', () => {
    const s = resolveClickHouseServer('http://localhost:8123/', { user: 'etl', password: 'env-secret' });
    assert.deepEqual(
      [s.url, s.username, s.password, s.target],
      ['http://localhost:8123', 'etl', 'env-secret', 'ClickHouse at http://etl:***@localhost:8123'],
    );
    const d = resolveClickHouseServer('http://localhost:8123');
    assert.deepEqual(
      [d.username, d.password, d.target],
      ['default', '', 'ClickHouse at http://default@localhost:8123'],
    );
    // A user in the URL with the password in the environment, to keep it out of `ps`.
    const mixed = resolveClickHouseServer('http://etl@localhost:8123', { password: 'env-secret' });
    assert.deepEqual([mixed.username, mixed.password], ['etl', 'env-secret']);
  });

  it('keeps a database path and settings for the client to read', () => {
    const s = resolveClickHouseServer('http://u:p@localhost:8123/analytics?clickhouse_setting_max_threads=2');
    assert.equal(s.url, 'http://localhost:8123/analytics?clickhouse_setting_max_threads=2');
  });

  it('refuses other schemes and garbage as usage errors that never show the password', () => {
    for (const bad of [
      'clickhouse://etl:topsecret@host:9000',
      'tcp://etl:topsecret@host',
      'http//etl:topsecret@host',
      'not a url',
    ]) {
      assert.throws(
        () => resolveClickHouseServer(bad),
        (error: Error) =>
          error instanceof UsageError &&
          /ClickHouse URL/.test(error.message) &&
          !describeError(error).includes('topsecret'),
        bad,
      );
    }
  });
});

/** What the fake server was sent. */
interface Seen {
  auth: string | undefined;
  user: string | undefined;
  key: string | undefined;
  query: string;
}

/**
 * A stand-in for a ClickHouse server's HTTP interface: it checks the user and
 * password the way ClickHouse does (basic auth or X-ClickHouse-User/Key) and
 * answers every statement with an empty success.
 */
function fakeClickHouse(password: string) {
  const seen: Seen[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const auth = req.headers.authorization;
      const basic = auth?.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString() : undefined;
      const user = basic?.split(':')[0] ?? (req.headers['x-clickhouse-user'] as string | undefined);
      const key = basic?.slice(basic.indexOf(':') + 1) ?? (req.headers['x-clickhouse-key'] as string | undefined);
      seen.push({ auth, user, key, query: url.searchParams.get('query') ?? body });
      if (key !== password) {
        res.writeHead(516, { 'X-ClickHouse-Exception-Code': '516', 'Content-Type': 'text/plain' });
        res.end(
          `Code: 516. DB::Exception: ${user}: Authentication failed: password is incorrect, ` +
            'or there is no user with such name. (AUTHENTICATION_FAILED) (version 24.8.1.1)\n',
        );
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/plain', 'X-ClickHouse-Summary': '{"read_rows":"0"}' });
      res.end('');
    });
  });
  return { server, seen };
}

describe('a ClickHouse server over HTTP', () => {
  const fake = fakeClickHouse('right-pw');
  let base: string;

  before(async () => {
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(fake.server.address() as { port: number }).port}`;
  });
  after(() => new Promise((resolve) => fake.server.close(resolve)));

  it(
    'sends the credentials of the URL and creates the tables from the same SQL files, ' + 'one statement a request',
    async () => {
      fake.seen.length = 0;
      const db = await openClickHouse(
        chTestContext({ dataDir: '/nonexistent', clickhouseUrl: `${base.replace('//', '//etl:right-pw@')}` }),
      );
      await db.close();
      assert.equal(db.embedded, false);
      assert.equal(db.target, `ClickHouse at ${base.replace('//', '//etl:***@')}`);
      assert.ok(fake.seen.every((s) => s.user === 'etl' && s.key === 'right-pw'));
      const expected: string[] = [];
      for (const name of await migrationNames('clickhouse')) {
        expected.push(oneStatement(name, await readFile(path.join(SQL_DIR, 'clickhouse', name), 'utf8')));
      }
      assert.ok(expected.length >= 4);
      const sent = fake.seen.map((s) => s.query.trim());
      assert.deepEqual(sent.slice(1), expected);
    },
  );

  it('takes the credentials from CLICKHOUSE_USER / CLICKHOUSE_PASSWORD', async () => {
    fake.seen.length = 0;
    const db = await openClickHouse(
      chTestContext(
        { dataDir: '/nonexistent', clickhouseUrl: base },
        { CLICKHOUSE_USER: 'etl', CLICKHOUSE_PASSWORD: 'right-pw' },
      ),
    );
    await db.close();
    assert.ok(fake.seen.length > 0 && fake.seen.every((s) => s.user === 'etl' && s.key === 'right-pw'));
  });

  it('turns a wrong password into one line naming the server, without the password', async () => {
    const ctx = chTestContext({ dataDir: '/nonexistent', clickhouseUrl: base.replace('//', '//etl:wrong-pw@') });
    await assert.rejects(openClickHouse(ctx), (error: Error) => {
      const line = describeError(error);
      assert.match(
        line,
        /^cannot connect to ClickHouse at http:\/\/etl:\*\*\*@127\.0\.0\.1:\d+: .*Authentication failed/,
      );
      assert.ok(!line.includes('wrong-pw') && !line.includes('\n'), line);
      return true;
    });
  });
});
