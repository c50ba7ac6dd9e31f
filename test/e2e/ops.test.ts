import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { startHttpSink } from '../helpers/http-sink.js';
import { databaseChecksums } from '../helpers/checksums.js';
import { tempDataDir } from '../helpers/pg.js';

// run-week, status and the lock through the built bin, on the embedded databases.

const BIN = fileURLToPath(new URL('../../../bin/sales-etl.js', import.meta.url));
const BASE_ENV: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: '', CLICKHOUSE_URL: '', NO_COLOR: '1' };
for (const name of [
  'TELEGRAM_BOT_TOKEN',
  'TELEGRAM_CHAT_ID',
  'TELEGRAM_API_URL',
  'NOTIFY_WEBHOOK_URL',
  'SALES_ETL_DATA_DIR',
]) {
  delete BASE_ENV[name];
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  pid: number;
}

/** Run the CLI; `onStderr` sees stderr as it comes (to start something while it runs). */
function cli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  onStderr?: (text: string, child: ChildProcess) => void,
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, '--data-dir', dir, ...args], { env: { ...BASE_ENV, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      onStderr?.(stderr, child);
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr, pid: child.pid ?? -1 }));
  });
}

let dir: string;
before(async () => {
  dir = await tempDataDir('ops-e2e-');
  // A small plan from 2024-W01 with the outage (week 20 misses north).
  const r = await cli([
    'generate',
    '--start-week',
    '2024-W01',
    '--weeks',
    '24',
    '--total',
    '6000',
    '--simulate-outage',
    '--week',
    '2024-W01',
  ]);
  assert.equal(r.code, 0, r.stderr);
});
after(() => rm(dir, { recursive: true, force: true }));

test('run-week: every stage leaves its mark, and a second run leaves the databases the same', async () => {
  const first = await cli(['run-week', '--week', '2024-W02']);
  assert.equal(first.code, 0, first.stderr);
  assert.match(
    first.stdout,
    new RegExp(
      String.raw`^run-week 2024-W02 ok in [\d.]+s: generate [\d,]+ · clean [\d,]+ · load-pg [\d,]+ · ` +
        String.raw`aggregate [\d,]+ · migrate-click [\d,]+\n$`,
    ),
  );
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the escape that starts a terminal colour code
  assert.doesNotMatch(first.stderr, /\u001b\[/, 'no escape codes off a terminal');
  assert.match(first.stderr.split('\n')[0]!, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ info /, 'timestamped lines');
  assert.deepEqual((await readdir(`${dir}/raw/2024-W02`)).sort(), ['east.csv', 'north.csv', 'south.csv', 'west.csv']);
  const manifest = JSON.parse(await readFile(`${dir}/clean/2024-W02/manifest.json`, 'utf8'));
  const cleanRows = Number(/clean ([\d,]+)/.exec(first.stdout)![1]!.replace(/,/g, ''));
  assert.equal(manifest.totals.written, cleanRows);
  assert.equal(existsSync(`${dir}/.lock`), false, 'the lock is released');

  const before = await databaseChecksums(dir, ['2024-W02']);
  const [pgSales, pgAgg, chAgg] = ['pg sales', 'pg sales_agg', 'ch sales_agg'].map((k) =>
    before[`${k} 2024-W02`]!.split('/'),
  );
  assert.equal(pgSales![0], String(cleanRows), 'PostgreSQL holds the clean rows');
  assert.equal(chAgg![0], pgAgg![0], 'ClickHouse holds the aggregates');
  assert.equal(Number(chAgg![1]), Number(pgAgg![1]));

  const second = await cli(['run-week', '--week', '2024-W02', '--json']);
  assert.equal(second.code, 0, second.stderr);
  const summary = JSON.parse(second.stdout);
  assert.equal(summary.ok, true);
  assert.equal(summary.week, '2024-W02');
  assert.deepEqual(
    summary.stages.map((s: { stage: string }) => s.stage),
    ['generate', 'clean', 'load-pg', 'aggregate', 'migrate-click'],
  );
  assert.deepEqual(await databaseChecksums(dir, ['2024-W02']), before);

  // status sees the week in every stage, and its last run.
  const status = await cli(['status', '--week', '2024-W02', '--json']);
  assert.equal(status.code, 0, status.stderr);
  const s = JSON.parse(status.stdout);
  assert.equal(s.postgres.state, 'ok');
  assert.equal(s.clickhouse.state, 'ok');
  const w = s.weeks[0];
  assert.deepEqual(w.rawRegions, ['north', 'south', 'east', 'west']);
  assert.equal(w.clean.written, cleanRows);
  assert.equal(w.pgRows, cleanRows);
  assert.equal(w.aggRows, Number(pgAgg![0]));
  assert.equal(w.clickhouseRows, w.aggRows);
  assert.equal(w.lastRun.stage, 'run-week');
  assert.equal(w.lastRun.status, 'ok');
});

test('run-week: the outage week succeeds with a warning', async () => {
  const r = await cli(['run-week', '--week', '2024-W20']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /warn .*2024-W20: no raw file for north/);
  assert.match(r.stdout, /run-week 2024-W20 ok .*\(1 warning\)/);
  assert.equal(existsSync(`${dir}/raw/2024-W20/north.csv`), false);
});

test('a failing stage: exit 1, the stage named, Telegram and webhook notified, no secret printed', async () => {
  const sink = await startHttpSink();
  try {
    const env = {
      TELEGRAM_BOT_TOKEN: '777:TOKEN-secret',
      TELEGRAM_CHAT_ID: '-42',
      TELEGRAM_API_URL: `${sink.url}/tg`,
      NOTIFY_WEBHOOK_URL: `${sink.url}/hook`,
    };
    const r = await cli(
      ['--pg-url', 'postgres://u:secret@127.0.0.1:1/x', 'run-week', '--week', '2024-W02', '--skip-generate'],
      env,
    );
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      /✖ run-week 2024-W02: load-pg failed: cannot connect to PostgreSQL at postgres:\/\/u:\*\*\*@127.0.0.1:1\/x/,
    );
    assert.doesNotMatch(r.stdout + r.stderr, /secret/i);
    assert.equal(sink.received.length, 2);
    const tg = sink.received.find((x) => x.url === '/tg/bot777:TOKEN-secret/sendMessage');
    assert.ok(tg, `Telegram request: ${sink.received.map((x) => x.url).join(', ')}`);
    const tgBody = tg.json as { chat_id: string; text: string };
    assert.equal(tgBody.chat_id, '-42');
    assert.match(tgBody.text, /week: 2024-W02\nstage: load-pg\nerror: .*cannot connect to PostgreSQL/);
    const hook = sink.received.find((x) => x.url === '/hook')!.json as Record<string, string>;
    assert.deepEqual(hook.week, ['2024-W02']);
    assert.equal(hook.stage, 'load-pg');
    assert.equal(hook.host, os.hostname());
    for (const x of sink.received) assert.doesNotMatch(x.body, /u:secret/);

    // A raw file that is mostly garbage fails clean's quality gate: stage clean, exit 1, one notification per channel.
    sink.received.length = 0;
    const raw = `${dir}/raw/2024-W03/north.csv`;
    const gen = await cli(['generate', '--week', '2024-W03']);
    assert.equal(gen.code, 0, gen.stderr);
    await writeFile(
      raw,
      `sale_id,customer_id,product_id,quantity,sale_date,sale_amount,region\n${'garbage,,\n'.repeat(50)}`,
    );
    const bad = await cli(['run-week', '--week', '2024-W03', '--skip-generate', '--json'], env);
    assert.equal(bad.code, 1, bad.stderr);
    assert.match(bad.stderr, /✖ run-week 2024-W03: clean failed: /);
    assert.deepEqual(JSON.parse(bad.stdout).ok, false);
    assert.deepEqual(sink.received.map((x) => (x.url.startsWith('/tg') ? 'telegram' : 'webhook')).sort(), [
      'telegram',
      'webhook',
    ]);
    assert.equal((sink.received.find((x) => x.url === '/hook')!.json as Record<string, string>).stage, 'clean');
  } finally {
    await sink.close();
  }
});

test("two runs at once: the second exits 75 naming the first; a dead run's lock is taken over", async () => {
  // The first is paused (SIGSTOP) once it holds the lock, so the two surely overlap however loaded the machine is;
  // it is resumed when the second has given up.
  let second: Promise<Run> | undefined;
  const first = cli(['run-week', '--week', '2024-W04'], {}, (text, child) => {
    if (second || !text.includes('run-week 2024-W04 (')) return;
    child.kill('SIGSTOP');
    second = cli(['run-week', '--week', '2024-W04']).finally(() => child.kill('SIGCONT'));
  });
  const a = await first;
  const firstPid = a.pid;
  assert.ok(second, 'the first run started');
  const b = await second;
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 75, b.stderr);
  assert.match(
    b.stderr,
    new RegExp(`another run holds .*: pid ${firstPid} on ${os.hostname()} \\(run-week, started \\d{4}-\\d\\d-\\d\\dT`),
  );
  assert.equal(b.stdout, '');

  // A lock left by a process that no longer exists (the first run's PID, now gone).
  await writeFile(
    `${dir}/.lock`,
    JSON.stringify({
      pid: firstPid,
      hostname: os.hostname(),
      startedAt: '2024-05-21T09:45:00.000Z',
      command: 'backfill',
    }),
  );
  const c = await cli(['run-week', '--week', '2024-W04', '--skip-generate']);
  assert.equal(c.code, 0, c.stderr);
  assert.match(c.stderr, new RegExp(`warn  took over the lock of a run that is gone: pid ${firstPid} `));
  assert.equal(existsSync(`${dir}/.lock`), false);
});
