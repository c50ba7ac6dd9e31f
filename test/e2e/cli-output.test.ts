import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { assertCleanFailure, cli } from '../helpers/faults-cli.js';
import { startHttpSink, type HttpSink } from '../helpers/http-sink.js';
import { tempDataDir } from '../helpers/pg.js';

// The output contract through the built bin: results on stdout (on failure too), one ✖ line on stderr,
// and a --json summary a caller can act on.

let dir: string;
let sink: HttpSink;
const PLAN = ['--start-week', '2024-W01', '--weeks', '3', '--total', '3000'];
/** A server nobody listens on: load-pg fails at once, after generate and clean have run. */
const DOWN = ['--pg-url', 'postgres://etl:secret@127.0.0.1:1/sales'];

before(async () => {
  dir = await tempDataDir('sales-etl-cli-output-');
  sink = await startHttpSink();
});
after(async () => {
  await sink.close();
  await rm(dir, { recursive: true, force: true });
});

test('a mistyped command is one line with the suggestion, no literal \\n', async () => {
  const r = await cli(['run-weak']);
  const line = assertCleanFailure(r, 2, 'run-weak');
  assert.equal(line, "✖ unknown command 'run-weak' (did you mean run-week?)");
  assert.doesNotMatch(r.stderr, /\\n/);
});

test('week 53 of a year that has 52 says so', async () => {
  const r = await cli(['--data-dir', dir, 'run-week', '--week', '2021-W53']);
  assert.match(assertCleanFailure(r, 2, '2021-W53'), /2021 has 52 ISO weeks/);
});

test('a failed backfill: the table on stdout, its own label on the error, the plan announced once', async () => {
  const r = await cli(['--data-dir', dir, ...DOWN, 'backfill', ...PLAN]);
  const line = assertCleanFailure(r, 1, 'backfill');
  const down = 'cannot connect to PostgreSQL at postgres://etl:***@127.0.0.1:1/sales';
  assert.ok(line.startsWith(`✖ backfill 2024-W01: load-pg failed: ${down}`), line);
  assert.equal(r.stderr.match(/created the plan/g)?.length, 1, r.stderr);
  const out = r.stdout.split('\n');
  assert.match(out[0]!, /^week\s+generate\s+clean\s+load-pg\s+aggregate\s+click\s+status\s+time$/);
  assert.match(r.stdout, /^2024-W01\s+[\d,]+\s+[\d,]+\s+failed\s+not run\s+not run\s+FAILED\s/m);
  assert.match(r.stdout, /^2024-W02(\s+[\d,]+\s+[\d,]+)?\s+not run\s*$/m);
  assert.match(r.stdout, /^backfill: 1 week in \d+:\d\d, [\d,]+ clean rows, 0 ClickHouse rows, 0 warnings, 1 failed$/m);
  assert.doesNotMatch(r.stdout + r.stderr, /secret/);
});

test('a failed backfill with --json: what finished, what failed, and whether the notification went out', async () => {
  sink.received.length = 0;
  const env = { NOTIFY_WEBHOOK_URL: `${sink.url}/hook` };
  const r = await cli(['--data-dir', dir, ...DOWN, '--json', 'backfill', ...PLAN], { env });
  assertCleanFailure(r, 1, 'backfill --json');
  const summary = JSON.parse(r.stdout) as {
    ok: boolean;
    exitCode: number;
    error: string;
    weeks: { week: string; ok: boolean; failedStage?: string; stages: { stage: string; status: string }[] }[];
    notRun: string[];
    notified: boolean;
    notifications: { channel: string; ok: boolean }[];
  };
  assert.equal(summary.ok, false);
  assert.equal(summary.exitCode, 1);
  assert.match(summary.error, /^backfill 2024-W01: load-pg failed: /);
  assert.deepEqual(
    summary.weeks.map((w) => [w.week, w.ok, w.failedStage]),
    [['2024-W01', false, 'load-pg']],
  );
  assert.deepEqual(
    summary.weeks[0]!.stages.map((s) => `${s.stage} ${s.status}`),
    ['generate ok', 'clean ok', 'load-pg failed', 'aggregate not run', 'migrate-click not run'],
  );
  assert.deepEqual(summary.notRun, ['2024-W02', '2024-W03']);
  assert.equal(summary.notified, true);
  assert.deepEqual(
    summary.notifications.map((n) => [n.channel, n.ok]),
    [['webhook', true]],
  );
  assert.equal(sink.received.length, 1);
  assert.deepEqual((sink.received[0]!.json as { week: unknown }).week, ['2024-W01']);
});

test('a failed run-week with --json names its stages, and says when no notification went out', async () => {
  const r = await cli(['--data-dir', dir, ...DOWN, '--json', 'run-week', '--week', '2024-W02']);
  assertCleanFailure(r, 1, 'run-week --json');
  type Summary = { ok: boolean; week: string; failedStage: string; notified: boolean; stages: unknown[] };
  const summary = JSON.parse(r.stdout) as Summary;
  assert.equal(summary.ok, false);
  assert.equal(summary.week, '2024-W02');
  assert.equal(summary.failedStage, 'load-pg');
  assert.equal(summary.stages.length, 5);
  assert.equal(summary.notified, false);
});
