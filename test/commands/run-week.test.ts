import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { backfill, backfillTable, type BackfillResult } from '../../src/commands/backfill.js';
import { runWeek, type RunWeekResult, type StageFunctions } from '../../src/commands/run-week.js';
import { parseWeek, previousWeek, weekRange, type Week } from '../../src/lib/core/calendar.js';
import type { Context } from '../../src/lib/core/config.js';
import { StageError, UsageError } from '../../src/lib/core/errors.js';
import { Layout } from '../../src/lib/files/layout.js';
import { silentLogger } from '../../src/lib/ui/logger.js';
import { startHttpSink, type HttpSink } from '../helpers/http-sink.js';

// The chain's control flow with stand-in stages; the real stages run in test/e2e/ops.test.ts.

let sink: HttpSink;
const saved = process.env.NOTIFY_WEBHOOK_URL;
before(async () => {
  sink = await startHttpSink();
  process.env.NOTIFY_WEBHOOK_URL = `${sink.url}/hook`;
});
after(async () => {
  if (saved === undefined) delete process.env.NOTIFY_WEBHOOK_URL;
  else process.env.NOTIFY_WEBHOOK_URL = saved;
  await sink.close();
});

const ctx: Context = {
  config: { layout: new Layout('/nonexistent/ops-run-week'), json: false } as never,
  log: silentLogger(),
};

/** Calls of the stand-in PostgreSQL's writeOut (backfill's, once every week is loaded). */
let writtenOut = 0;

/** A stand-in PostgreSQL whose only use here is run-week's own etl_runs row. */
function fakePg(recorded: unknown[][]) {
  const client = {
    query: async (_sql: string, values: unknown[]) => void recorded.push(values),
    release: () => undefined,
  };
  return {
    pool: { connect: async () => client },
    target: 'fake',
    close: async () => assert.fail('given databases stay open'),
    writeOut: async () => void writtenOut++,
  };
}
const fakeCh = {
  client: {},
  target: 'fake ch',
  embedded: true,
  close: async () => assert.fail('given databases stay open'),
};

/** Stages that record their calls; `fail` makes one throw. */
function stages(calls: string[], fail?: { stage: string; error: Error }, missing: string[] = []): StageFunctions {
  const step =
    (name: string, result: (weeks: Week[]) => unknown) =>
    async (opts: { weeks?: Week[] | undefined; pg?: unknown; ch?: unknown }) => {
      calls.push(`${name} ${opts.weeks?.map((w) => w.id).join(',')}${opts.pg ? ' pg' : ''}${opts.ch ? ' ch' : ''}`);
      if (fail?.stage === name) throw fail.error;
      return result(opts.weeks ?? []) as never;
    };
  return {
    generate: step('generate', (weeks) => ({
      weeks: weeks.map((w) => ({
        week: w.id,
        validSales: 90,
        files: [{ rows: 60 }, { rows: 40 }],
        missingRegions: missing,
      })),
    })),
    clean: step('clean', (weeks) => ({
      weeks: weeks.map((w) => ({ week: w.id, written: 90, missingRegions: missing })),
    })),
    loadPg: step('load-pg', (weeks) => ({ weeks: weeks.map((w) => ({ week: w.id, rows: 90 })) })),
    aggregate: step('aggregate', (weeks) => ({ weeks: weeks.map((w) => ({ week: w.id, rows: 12 })) })),
    migrateClick: step('migrate-click', (weeks) => ({ weeks: weeks.map((w) => ({ week: w.id, rows: 12 })) })),
  } as never;
}

/** The weeks a stage was called for, in call order (backfill publishes ready weeks in one call). */
function weeksCalled(calls: string[], stage: string): string[] {
  return calls.filter((c) => c.startsWith(`${stage} `)).flatMap((c) => c.split(' ')[1]!.split(','));
}

test('run-week runs the five stages in order on one shared database pair, default the previous week', async () => {
  const calls: string[] = [];
  const recorded: unknown[][] = [];
  const r = await runWeek({ ctx, stages: stages(calls), pg: fakePg(recorded) as never, ch: fakeCh as never });
  const week = previousWeek().id;
  assert.deepEqual(calls, [
    `generate ${week}`,
    `clean ${week}`,
    `load-pg ${week} pg`,
    `aggregate ${week} pg`,
    `migrate-click ${week} pg ch`,
  ]);
  assert.equal(r.ok, true);
  assert.deepEqual(
    r.stages.map((s) => [s.stage, s.status, s.rows]),
    [
      ['generate', 'ok', 100],
      ['clean', 'ok', 90],
      ['load-pg', 'ok', 90],
      ['aggregate', 'ok', 12],
      ['migrate-click', 'ok', 12],
    ],
  );
  assert.deepEqual(r.warnings, []);
  // run-week records itself in etl_runs: stage, week, status, rows in, rows out.
  assert.deepEqual(recorded[0]?.slice(0, 5), ['run-week', week, 'ok', 90, 12]);
});

test('a missing region is a warning, and the week succeeds', async () => {
  const r = await runWeek({
    ctx,
    week: parseWeek('2024-W20'),
    stages: stages([], undefined, ['north']),
    pg: fakePg([]) as never,
    ch: fakeCh as never,
  });
  assert.equal(r.ok, true);
  assert.equal(r.warnings.length, 1);
  assert.match(r.warnings[0]!, /2024-W20: no raw file for north/);
});

test('--skip-generate leaves generate out', async () => {
  const calls: string[] = [];
  const r = await runWeek({
    ctx,
    week: parseWeek('2024-W20'),
    skipGenerate: true,
    stages: stages(calls),
    pg: fakePg([]) as never,
    ch: fakeCh as never,
  });
  assert.equal(calls[0], 'clean 2024-W20');
  assert.equal(r.stages[0]?.status, 'skipped');
});

test('the first failing stage stops the chain, is named, notified, and recorded', async () => {
  const calls: string[] = [];
  const recorded: unknown[][] = [];
  sink.received.length = 0;
  const cause = new Error('cannot connect to PostgreSQL at postgres://u:secret@127.0.0.1:1/x');
  await assert.rejects(
    runWeek({
      ctx,
      week: parseWeek('2024-W20'),
      stages: stages(calls, { stage: 'aggregate', error: cause }),
      pg: fakePg(recorded) as never,
      ch: fakeCh as never,
    }),
    (error: unknown) => {
      assert.ok(error instanceof StageError);
      assert.equal(error.stage, 'aggregate');
      assert.equal(error.message, 'run-week 2024-W20: aggregate failed');
      assert.equal(error.cause, cause);
      const partial = error.result as RunWeekResult;
      assert.deepEqual(
        partial.stages.map((s) => s.status),
        ['ok', 'ok', 'ok', 'failed', 'not run'],
      );
      assert.equal(partial.failedStage, 'aggregate');
      assert.equal(partial.notified, true);
      return true;
    },
  );
  assert.deepEqual(
    calls.map((c) => c.split(' ')[0]),
    ['generate', 'clean', 'load-pg', 'aggregate'],
  );
  assert.equal(sink.received.length, 1);
  const body = sink.received[0]!.json as Record<string, string>;
  assert.deepEqual(body.week, ['2024-W20']);
  assert.equal(body.stage, 'aggregate');
  assert.match(body.error!, /cannot connect to PostgreSQL at postgres:\/\/u:\*\*\*@127.0.0.1:1\/x/);
  assert.doesNotMatch(sink.received[0]!.body, /secret/);
  assert.equal(recorded[0]?.[2], 'failed');
  assert.match(String(recorded[0]?.[7]), /^aggregate: /);
});

test('a usage mistake found by a stage stays a usage error (exit 2)', async () => {
  await assert.rejects(
    runWeek({
      ctx,
      week: parseWeek('2024-W20'),
      notify: false,
      stages: stages([], { stage: 'generate', error: new UsageError('bad plan flag') }),
    }),
    (error: unknown) => error instanceof UsageError && /generate failed/.test(error.message),
  );
});

test('backfill runs every week in order and stops at the first failure unless --keep-going', async () => {
  const weeks = weekRange(parseWeek('2024-W01'), parseWeek('2024-W04'));
  const failW02 = (calls: string[]): StageFunctions => {
    const s = stages(calls);
    return {
      ...s,
      clean: (async (opts: { weeks?: Week[] }) => {
        if (opts.weeks?.[0]?.id === '2024-W02') throw new Error('clean: bad file raw/2024-W02/north.csv');
        return s.clean(opts as never);
      }) as never,
    };
  };
  writtenOut = 0;
  const ok = await backfill({ ctx, weeks, stages: stages([]), pg: fakePg([]) as never, ch: fakeCh as never });
  assert.equal(writtenOut, 1, 'the buffers are written out once every week is loaded');
  assert.deepEqual(
    ok.weeks.map((w) => w.week),
    ['2024-W01', '2024-W02', '2024-W03', '2024-W04'],
  );
  assert.equal(ok.totals.clean, 360);
  assert.equal(ok.totals['migrate-click'], 48);
  const table = backfillTable(ok).split('\n');
  assert.equal(table.length, 2 + 4 + 1);
  assert.match(table.at(-1)!, /^total\s+400\s+360\s+360\s+48\s+48\s+ok/);

  sink.received.length = 0;
  const stopped = await backfill({
    ctx: { ...ctx, config: { ...ctx.config, json: true } },
    weeks,
    stages: failW02([]),
    pg: fakePg([]) as never,
    ch: fakeCh as never,
  }).catch((e: unknown) => e);
  assert.ok(stopped instanceof StageError);
  assert.equal(stopped.message, 'backfill 2024-W02: clean failed');
  assert.equal(writtenOut, 1, 'nor when a week was not loaded');
  assert.equal(sink.received.length, 1);
  // What --json and the table on stdout are made of: the weeks that finished, the one that failed, the notification.
  const partial = stopped.result as BackfillResult;
  assert.deepEqual(
    partial.weeks.map((w) => [w.week, w.ok, w.failedStage]),
    [
      ['2024-W01', true, undefined],
      ['2024-W02', false, 'clean'],
    ],
  );
  assert.deepEqual(
    partial.weeks[1]!.stages.map((s) => s.status),
    ['ok', 'failed', 'not run', 'not run', 'not run'],
  );
  assert.deepEqual(partial.notRun, ['2024-W03', '2024-W04']);
  assert.equal(partial.notified, true);
  assert.deepEqual(
    partial.notifications?.map((n) => [n.channel, n.ok]),
    [['webhook', true]],
  );

  const calls: string[] = [];
  const going = await backfill({
    ctx: { ...ctx, config: { ...ctx.config, json: true } },
    weeks,
    keepGoing: true,
    stages: failW02(calls),
    pg: fakePg([]) as never,
    ch: fakeCh as never,
  }).catch((e: unknown) => e);
  assert.ok(going instanceof StageError);
  assert.ok(weeksCalled(calls, 'migrate-click').includes('2024-W04'), 'the weeks after the failure still ran');
  assert.ok(!calls.includes('load-pg 2024-W02 pg'));
});

test('backfill --keep-going, two weeks failed: the webhook lists both; no notifier: not notified', async () => {
  const weeks = weekRange(parseWeek('2024-W01'), parseWeek('2024-W04'));
  const s = stages([]);
  const failing: StageFunctions = {
    ...s,
    aggregate: (async (opts: { weeks?: Week[] }) => {
      if (['2024-W02', '2024-W04'].includes(opts.weeks?.[0]?.id ?? '')) throw new Error('aggregate: no sales');
      return s.aggregate(opts as never);
    }) as never,
  };
  sink.received.length = 0;
  const run = (keepGoing: boolean) =>
    backfill({ ctx, weeks, keepGoing, stages: failing, pg: fakePg([]) as never, ch: fakeCh as never }).catch(
      (e: unknown) => e,
    );
  const error = await run(true);
  assert.ok(error instanceof StageError);
  assert.equal(error.message, 'backfill 2024-W02: aggregate failed (2 weeks failed: 2024-W02, 2024-W04)');
  const body = sink.received[0]!.json as Record<string, unknown>;
  assert.deepEqual(body.week, ['2024-W02', '2024-W04']);
  assert.equal(body.stage, 'aggregate');

  const saved = process.env.NOTIFY_WEBHOOK_URL;
  delete process.env.NOTIFY_WEBHOOK_URL;
  try {
    const quiet = await run(false);
    assert.ok(quiet instanceof StageError);
    assert.equal((quiet.result as BackfillResult).notified, false, 'no notifier configured: not notified');
  } finally {
    process.env.NOTIFY_WEBHOOK_URL = saved;
  }
});

test("backfill's table of a whole year fits 80 columns, failed and stopped weeks too", () => {
  const week = (id: string, rows: number, extra: Partial<RunWeekResult> = {}): RunWeekResult => ({
    week: id,
    ok: true,
    stages: (['generate', 'clean', 'load-pg', 'aggregate', 'migrate-click'] as const).map((stage) => ({
      stage,
      status: 'ok',
      rows: stage === 'aggregate' || stage === 'migrate-click' ? 4_123 : rows,
      seconds: 0.3,
    })),
    warnings: [],
    seconds: 12.34,
    ...extra,
  });
  const weeks = weekRange(parseWeek('2024-W01'), parseWeek('2024-W52')).map((w) => week(w.id, 21_034));
  weeks[19] = week('2024-W20', 15_012, { warnings: ['2024-W20: no raw file for north'] });
  const failed = week('2024-W51', 19_178, { ok: false, failedStage: 'migrate-click' });
  failed.stages[4]!.status = 'failed';
  const stopped = week('2024-W52', 19_178, { ok: false, failedStage: 'load-pg', signal: 'SIGTERM' });
  stopped.stages[2]!.status = 'failed';
  for (const s of stopped.stages.slice(3)) s.status = 'not run';
  weeks.splice(50, 2, failed, stopped);
  const result: BackfillResult = {
    ok: false,
    weeks,
    notRun: ['2025-W01'],
    totals: {
      generate: 1_018_456,
      clean: 1_000_000,
      'load-pg': 1_000_000,
      aggregate: 214_396,
      'migrate-click': 214_396,
    },
    warnings: 1,
    failed: 2,
    seconds: 1234.5,
  };
  const lines = backfillTable(result).split('\n');
  assert.equal(lines.length, 2 + 53 + 1);
  const widest = Math.max(...lines.map((l) => l.length));
  assert.ok(widest <= 80, `${widest} columns:\n${lines.join('\n')}`);
  assert.match(lines.find((l) => l.startsWith('2024-W20'))!, /\b1 warn\b/);
  assert.match(lines.find((l) => l.startsWith('2024-W51'))!, /\bfailed\s+FAILED\b/);
  assert.match(lines.find((l) => l.startsWith('2024-W52'))!, /\bstopped\s+not run\s+not run\s+stopped\b/);
  assert.match(lines.at(-1)!, /^total\s+1,018,456\s+1,000,000\s+1,000,000\s+214,396\s+214,396\s+stopped\s+20:35$/);
});

test(
  'backfill overlaps weeks: the next week is generated while the databases take this one, ' +
    'each stage in week order',
  async () => {
    const weeks = weekRange(parseWeek('2024-W01'), parseWeek('2024-W03'));
    const calls: string[] = [];
    const s = stages(calls);
    let generatedW02!: () => void;
    const w02 = new Promise<void>((resolve) => (generatedW02 = resolve));
    const overlapping: StageFunctions = {
      ...s,
      generate: (async (opts: { weeks?: Week[] }) => {
        if (opts.weeks?.[0]?.id === '2024-W02') generatedW02();
        return s.generate(opts as never);
      }) as never,
      // W01's publication waits until W02 has been generated: run one week after another, this never ends
      // (backfill publishes W01 once W02 and W03 are loaded too, so it waits for them anyway).
      migrateClick: (async (opts: { weeks?: Week[] }) => {
        if (opts.weeks?.[0]?.id === '2024-W01') {
          const late = setTimeout(
            () => assert.fail('2024-W02 was not generated while 2024-W01 was being published'),
            10_000,
          );
          await w02;
          clearTimeout(late);
        }
        return s.migrateClick(opts as never);
      }) as never,
    };
    const r = await backfill({ ctx, weeks, stages: overlapping, pg: fakePg([]) as never, ch: fakeCh as never });
    assert.equal(r.ok, true);
    for (const stage of ['generate', 'clean', 'load-pg', 'aggregate', 'migrate-click']) {
      const order = weeksCalled(calls, stage);
      assert.deepEqual(order, ['2024-W01', '2024-W02', '2024-W03'], `${stage} runs the weeks in order`);
    }
    // The weeks loaded by the time ClickHouse is free are published in one call.
    assert.ok(calls.includes('migrate-click 2024-W01,2024-W02,2024-W03 pg ch'), calls.join('\n'));
    for (const week of ['2024-W01', '2024-W02', '2024-W03']) {
      const mine = calls.filter((c) => c.split(' ')[1]!.split(',').includes(week)).map((c) => c.split(' ')[0]);
      assert.deepEqual(
        mine,
        ['generate', 'clean', 'load-pg', 'aggregate', 'migrate-click'],
        `${week}'s stages run in order`,
      );
    }
  },
);

test(
  'a week that fails stops the weeks after it where they are: ' + 'none of them reaches ClickHouse or is reported done',
  async () => {
    const weeks = weekRange(parseWeek('2024-W01'), parseWeek('2024-W04'));
    const calls: string[] = [];
    const s = stages(calls);
    const failing: StageFunctions = {
      ...s,
      // As migrate-click does: the weeks before the failing one are published, each said as it goes in.
      migrateClick: (async (opts: { weeks?: Week[]; onWeek?: (w: { week: string; rows: number }) => void }) => {
        await s.migrateClick(opts as never);
        for (const week of opts.weeks ?? []) {
          if (week.id === '2024-W02') throw new Error('cannot connect to ClickHouse');
          published.push(week.id);
          opts.onWeek?.({ week: week.id, rows: 12 });
        }
        return { weeks: (opts.weeks ?? []).map((w) => ({ week: w.id, rows: 12 })) };
      }) as never,
    };
    const published: string[] = [];
    const recorded: unknown[][] = [];
    const error = await backfill({
      ctx: { ...ctx, config: { ...ctx.config, json: true } },
      weeks,
      notify: false,
      stages: failing,
      pg: fakePg(recorded) as never,
      ch: fakeCh as never,
    }).catch((e: unknown) => e);
    assert.ok(error instanceof StageError);
    assert.equal(error.message, 'backfill 2024-W02: migrate-click failed');
    // The four weeks were loaded by the time ClickHouse was free, and went in one call that failed at W02.
    assert.ok(calls.includes('migrate-click 2024-W01,2024-W02,2024-W03,2024-W04 pg ch'), calls.join('\n'));
    assert.deepEqual(published, ['2024-W01']);
    const result = error.result as BackfillResult;
    assert.deepEqual(
      result.weeks.map((w) => [w.week, w.stages.find((x) => x.stage === 'migrate-click')?.status]),
      [
        ['2024-W01', 'ok'],
        ['2024-W02', 'failed'],
      ],
    );
    assert.deepEqual(result.notRun, ['2024-W03', '2024-W04']);
    // run-week rows in etl_runs: W01 ok, W02 failed; nothing for the weeks that did not finish.
    assert.deepEqual(
      recorded.filter((v) => v[0] === 'run-week').map((v) => [v[1], v[2]]),
      [
        ['2024-W01', 'ok'],
        ['2024-W02', 'failed'],
      ],
    );
  },
);
