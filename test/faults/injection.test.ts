import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { assertCleanFailure, assertExit, BIN, cli, exists } from '../helpers/faults-cli.js';
import { startHttpSink } from '../helpers/http-sink.js';
import { tempDataDir } from '../helpers/pg.js';
import { freePort } from '../../src/lib/pg/embedded/port.js';

// Arguments that look like SQL, shell or paths are usage errors (exit 2) or plain data, never executed and
// never paths outside the data directory; secrets never appear in output, even with --json and --verbose.

let dir: string;
let outside: string;
const PWNED = '/tmp/sales-etl-faults-pwned';

before(async () => {
  dir = await tempDataDir('sales-etl-injection-');
  outside = await tempDataDir('sales-etl-injection-outside-');
  await rm(PWNED, { force: true });
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(outside, { recursive: true, force: true });
  await rm(PWNED, { force: true });
});

const HOSTILE_WEEKS = [
  "2024-W20'; DROP TABLE sales; --",
  '../../etc/passwd',
  "2024-05-15' OR '1'='1",
  '$(touch /tmp/sales-etl-faults-pwned)',
];

test('hostile --week, --from and --to values are usage errors that show the accepted forms', async () => {
  const runs: (() => Promise<void>)[] = [];
  const check = async (args: string[]) => {
    const run = await cli(['--data-dir', dir, ...args], { timeoutMs: 60_000 });
    const line = assertCleanFailure(run, 2, args.join(' '));
    assert.match(line + run.stderr, /YYYY-Www|2024-W20/, `${args.join(' ')}: the accepted forms are shown`);
  };
  for (const [i, week] of HOSTILE_WEEKS.entries()) {
    // Spread the values over the commands that take weeks; each is refused before anything is opened.
    const command = ['clean', 'migrate-click', 'report', 'run-week'][i]!;
    runs.push(() => check([command, '--week', week]));
  }
  runs.push(() => check(['load-pg', '--from', "2024-W01'; DELETE FROM sales; --", '--to', '2024-W02']));
  runs.push(() => check(['backfill', '--from', '2024-W01', '--to', '../../2024-W02']));
  for (let i = 0; i < runs.length; i += 3) await Promise.all(runs.slice(i, i + 3).map((run) => run()));
  assert.deepEqual(await readdir(dir), [], 'nothing was written to the data directory');
  assert.equal(await exists(PWNED), false, 'nothing was executed');
});

test(
  'a NUL byte cannot reach the CLI through its arguments, ' + 'and a manifest naming a path outside is refused',
  async () => {
    // The kernel's argv is NUL-terminated: node refuses to spawn with one, so the only way in is a file.
    assert.throws(
      () => spawn(process.execPath, [BIN, 'clean', '--week', '2024-W20\0; DROP TABLE sales']),
      /null bytes/,
    );

    // A manifest whose region is a path (or holds a NUL byte): load-pg refuses it before opening any database.
    const week = '2024-W20';
    await writeFile(
      path.join(outside, 'sales.csv'),
      'sale_id,customer_id,product_id,quantity,sale_date,sale_amount,region\n',
    );
    for (const region of [
      `../../../../${path.join(outside, 'sales')}`,
      'north\u0000',
      "north'; DROP TABLE sales; --",
    ]) {
      await mkdir(path.join(dir, 'clean', week), { recursive: true });
      await writeFile(
        path.join(dir, 'clean', week, 'manifest.json'),
        JSON.stringify({
          week,
          files: [{ region, output: `clean/${week}/${region}.csv`, written: 0 }],
          missingRegions: [],
        }),
      );
      const port = await freePort();
      const run = await cli(
        ['--data-dir', dir, '--pg-url', `postgres://x@127.0.0.1:${port}/x`, 'load-pg', '--week', week],
        {
          timeoutMs: 60_000,
        },
      );
      const line = assertCleanFailure(run, 1, JSON.stringify(region));
      assert.match(line, /load-pg: clean\/2024-W20\/manifest\.json is not a valid manifest/, line);
      assert.doesNotMatch(line, /cannot connect/, 'refused before the database');
    }
    await rm(path.join(dir, 'clean'), { recursive: true, force: true });
  },
);

test('quotes, semicolons and $( ) in --data-dir and --out are plain names; nothing runs', async () => {
  const odd = path.join(outside, `it's; DROP TABLE sales; -- $(touch ${PWNED}) "x"`);
  const gen = await cli(['--data-dir', odd, 'generate', '--start-week', '2024-W01', '--weeks', '1', '--total', '300'], {
    timeoutMs: 120_000,
  });
  assertExit(gen, 0, 'generate in an odd directory');
  assert.deepEqual((await readdir(path.join(odd, 'raw', '2024-W01'))).sort(), [
    'east.csv',
    'north.csv',
    'south.csv',
    'west.csv',
  ]);
  assert.equal(await exists(PWNED), false, 'nothing was executed');

  // report --out with the same kind of name: the file is written under exactly that name (or one line says why not).
  const out = path.join(outside, `report'; rm -rf ~; ".html`);
  const report = await cli(['--data-dir', odd, 'report', '--out', out], { timeoutMs: 120_000 });
  if (report.code === 0) {
    assert.equal(report.stdout.trim(), out);
    assert.match(await readFile(out, 'utf8'), /^<!doctype html>/i);
  } else {
    assertCleanFailure(report, 1, 'report');
  }
  assert.equal(await exists(PWNED), false, 'nothing was executed');
});

test('hostile --pg-url and --clickhouse-url values: one line, exit 1 or 2, never a stack trace', async () => {
  const port = await freePort();
  const cases: [string[], RegExp][] = [
    [
      [
        '--pg-url',
        `postgres://u:p@127.0.0.1:${port}/x'; DROP DATABASE postgres; --`,
        'aggregate',
        '--week',
        '2024-W20',
      ],
      /PostgreSQL/,
    ],
    [['--pg-url', 'not a url; rm -rf /', 'aggregate', '--week', '2024-W20'], /PostgreSQL|url/i],
    [
      ['--clickhouse-url', `http://127.0.0.1:${port}/?query=DROP+DATABASE+sales_etl`, 'status', '--week', '2024-W20'],
      /./,
    ],
    [['--clickhouse-url', "ftp://x'; DROP DATABASE sales_etl", 'migrate-click', '--week', '2024-W20'], /ClickHouse/],
  ];
  for (const [args, pattern] of cases) {
    const run = await cli(['--data-dir', dir, ...args], { timeoutMs: 60_000 });
    if (args[2] === 'status') {
      // status reports an unreachable server in its table rather than failing.
      assert.doesNotMatch(run.stdout + run.stderr, /^\s+at |node:internal/m);
      continue;
    }
    assert.ok(run.code === 1 || run.code === 2, `${args.join(' ')}: exit ${run.code}\n${run.stderr}`);
    assert.match(assertCleanFailure(run, run.code!, args.join(' ')), pattern);
  }
});

test(
  'secrets never appear in output: passwords in URLs, CLICKHOUSE_PASSWORD, TELEGRAM_BOT_TOKEN, ' +
    'with --json and --verbose',
  async () => {
    const sink = await startHttpSink(() => ({ status: 500, body: '{"ok":false,"description":"boom"}' }));
    try {
      const pgPort = await freePort();
      const chPort = await freePort();
      const secrets = ['PgPass-31337', 'ChUrlPass-31337', 'ChEnvPass-31337', '4242:TgToken-31337'];
      const env = {
        CLICKHOUSE_PASSWORD: 'ChEnvPass-31337',
        CLICKHOUSE_USER: 'etl',
        TELEGRAM_BOT_TOKEN: '4242:TgToken-31337',
        TELEGRAM_CHAT_ID: '1',
        TELEGRAM_API_URL: sink.url,
        NOTIFY_WEBHOOK_URL: `http://hook:PgPass-31337@127.0.0.1:${pgPort}/hook`,
      };
      const runs = [
        [
          '--json',
          '--verbose',
          '--pg-url',
          `postgres://etl:PgPass-31337@127.0.0.1:${pgPort}/x`,
          'run-week',
          '--week',
          '2024-W20',
          '--skip-generate',
        ],
        [
          '--json',
          '--verbose',
          '--clickhouse-url',
          `http://etl:ChUrlPass-31337@127.0.0.1:${chPort}`,
          'migrate-click',
          '--week',
          '2024-W20',
        ],
        ['--json', '--verbose', '--clickhouse-url', `http://127.0.0.1:${chPort}`, 'status', '--week', '2024-W20'],
        ['--json', '--pg-url', `postgres://etl:PgPass-31337@127.0.0.1:${pgPort}/x`, 'load-pg', '--week', "2024-W20'"],
      ];
      for (const args of runs) {
        const run = await cli(['--data-dir', dir, ...args], { env, timeoutMs: 60_000 });
        // status reports an unreachable server in its output (exit 0); the others fail.
        if (!args.includes('status')) assert.notEqual(run.code, 0, `${args.join(' ')} fails`);
        for (const secret of secrets) {
          assert.ok(
            !(run.stdout + run.stderr).includes(secret),
            `${args.join(' ')} shows ${secret}:\n${run.stdout}\n${run.stderr}`,
          );
        }
        if (args.includes('run-week')) {
          assert.ok(sink.received.length > 0, 'the failing Telegram notifier was called');
          assert.match(run.stderr, /telegram/i, 'its failure is logged');
        }
      }
    } finally {
      await sink.close();
    }
  },
);
