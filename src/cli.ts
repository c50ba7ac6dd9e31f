// First: the stop signals are ours before the rest loads.
import { errorLine, ownSignals } from './cli-signals.js';
import { Command, CommanderError, Option } from 'commander';
// Command modules are imported inside their actions: `--help`, a usage error or `cron`
// must not pay for loading PostgreSQL, ClickHouse (chDB), faker and ECharts.
import {
  addPlanOptions,
  addRejectRateOption,
  addSkipGenerateOption,
  addWeekOptions,
  intArg,
  onlyAtArg,
  planFlagsOf,
  type PlanOptionValues,
  weekArg,
} from './cli-options.js';
import { REPORT_LOCALES, type ReportLocale } from './lib/report/format.js';
import { withLock } from './lib/files/lock.js';
import { parseWeek, parseWeekFlags, WEEK_FORMS, type WeekFlags } from './lib/core/calendar.js';
import { createContext, resolveConfig, SMOKE_DEFAULTS, type Context, type GlobalFlags } from './lib/core/config.js';
import { describeError, EXIT, exitCodeFor, resultOf } from './lib/core/errors.js';
import { interrupted } from './lib/core/interrupt.js';
import { isInteractive } from './lib/ui/terminal.js';
import { formatWeeklyTime, notDueReason, ONLY_AT_WINDOW_MINUTES, type WeeklyTime } from './lib/ops/schedule.js';
import { keepDataPrivate } from './lib/files/private-data.js';

const program = new Command('sales-etl')
  .description("An online store's weekly sales pipeline: generate → clean → load-pg → aggregate → migrate-click")
  .addOption(new Option('-d, --data-dir <dir>', 'data directory (default ./data)').env('SALES_ETL_DATA_DIR'))
  .addOption(new Option('--pg-url <url>', 'PostgreSQL server (default: embedded in <data-dir>/pg)').env('DATABASE_URL'))
  .addOption(
    new Option('--clickhouse-url <url>', 'ClickHouse server (default: embedded in <data-dir>/clickhouse)').env(
      'CLICKHOUSE_URL',
    ),
  )
  .option('--json', 'print one JSON summary on stdout')
  .option('-v, --verbose', 'more log lines, and stack traces on errors')
  .option('--no-color', 'no colour and no spinners (also NO_COLOR)')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride()
  .configureOutput({
    // One line per complaint, even when a hostile argument carries a line break.
    // commander's own suggestion is a second line of its message: kept on the line, in parentheses.
    outputError: (text, write) =>
      write(
        `${text
          .replace(/^error: /, '✖ ')
          .trimEnd()
          .replace(/\n\(Did you mean (.+)\?\)$/, ' (did you mean $1?)')
          .replace(/\r?\n/g, '\\n')}\n`,
      ),
  });

/** What run-week's and backfill's help say about how they end. */
const RUN_HELP =
  'Exit codes: 0 ok (warnings allowed), 1 a stage failed, 2 usage error, 75 another run holds the lock,\n' +
  '  130 SIGINT (Ctrl-C), 143 SIGTERM (kill, systemctl stop), 129 SIGHUP: the stage in flight rolls back,\n' +
  '  the servers stop and the lock goes; run it again to finish. A second Ctrl-C stops at once.\n' +
  'On failure or a stop, notifies TELEGRAM_BOT_TOKEN/TELEGRAM_CHAT_ID (TELEGRAM_API_URL) and NOTIFY_WEBHOOK_URL\n' +
  '  when set.\n';

/** The commands that write to the data directory or the databases: one at a time per data directory. */
const WRITERS = new Set(['generate', 'clean', 'load-pg', 'aggregate', 'migrate-click', 'run-week', 'backfill']);

/** The options a subcommand was called with, its own and the global ones. */
type Flags<T> = T & GlobalFlags & WeekFlags;

/**
 * Run one command: resolve the configuration, call the stage, print the result
 * as one JSON document (`--json`) or as a summary line. With `failedSummary`, a
 * failure that carries the result so far (StageError.result) prints it too, on stdout.
 */
async function run<T>(
  cmd: Command,
  work: (ctx: Context) => Promise<T>,
  summary: (result: T) => string,
  failedSummary?: (result: T) => string,
): Promise<void> {
  const config = resolveConfig(cmd.optsWithGlobals<GlobalFlags>());
  const ctx = createContext(config);
  await keepDataPrivate(config.layout);
  ownSignals(cmd.name());
  let result: T;
  try {
    // Commands that write take the data directory's lock here, once: a stage run by run-week does not lock again.
    result = WRITERS.has(cmd.name()) ? await withLock(ctx, cmd.name(), () => work(ctx)) : await work(ctx);
  } catch (error) {
    const partial = resultOf(error) as T | undefined;
    if (partial !== undefined && failedSummary && !config.json) process.stdout.write(`${failedSummary(partial)}\n`);
    throw error;
  }
  if (config.json) {
    process.stdout.write(`${JSON.stringify({ ok: true, command: cmd.name(), ...result })}\n`);
  } else {
    const line = summary(result);
    if (line) process.stdout.write(`${line}\n`);
  }
}

/** A run that is not due (`--only-at`): one log line, the JSON summary when asked for, exit 0; no lock taken. */
function skipRun(cmd: Command, reason: string): void {
  const config = resolveConfig(cmd.optsWithGlobals<GlobalFlags>());
  createContext(config).log.info(reason);
  const summary = { ok: true, command: cmd.name(), skipped: true, reason };
  if (config.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
}

const weeksOf = (flags: WeekFlags) => parseWeekFlags(flags);
const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

addWeekOptions(
  addPlanOptions(
    program
      .command('generate')
      .description(
        "Generate the store's plan, customers, products and weekly raw sales files (default: the plan's period)",
      ),
  )
    .option('--new-plan', 'replace an existing store.json (of any generator model) with a new plan from these flags')
    .addHelpText(
      'after',
      '\nExamples:\n  $ sales-etl generate\n  $ sales-etl generate --week 2024-W20\n' +
        '  $ sales-etl --data-dir /tmp/small generate --total 20000 --seed 7\n',
    ),
).action(async (_o, cmd: Command) => {
  const { generate } = await import('./commands/generate.js');
  const flags = cmd.opts<Flags<PlanOptionValues & { newPlan?: boolean }>>();
  await run(
    cmd,
    (ctx) => generate({ ctx, weeks: weeksOf(flags), ...planFlagsOf(flags), newPlan: flags.newPlan }),
    (r) =>
      `generated ${plural(r.weeks.length, 'week')}, ${plural(
        r.weeks.reduce((n, w) => n + w.validSales, 0),
        'valid sale',
      )}`,
  );
});

addWeekOptions(
  addRejectRateOption(
    program
      .command('clean')
      .description("Normalise, validate and deduplicate raw files into clean/<week>/ (default: the plan's period)"),
  ).addHelpText(
    'after',
    '\nExamples:\n  $ sales-etl clean --week 2024-W20\n' +
      '  $ sales-etl clean --from 2024-W01 --to 2024-W10 --max-reject-rate 0.1\n',
  ),
).action(async (_o, cmd: Command) => {
  const { clean } = await import('./commands/clean.js');
  const flags = cmd.opts<Flags<{ maxRejectRate: number }>>();
  await run(
    cmd,
    (ctx) => clean({ ctx, weeks: weeksOf(flags), maxRejectRate: flags.maxRejectRate }),
    (r) =>
      `cleaned ${plural(r.weeks.length, 'week')}: ${plural(
        r.weeks.reduce((n, w) => n + w.written, 0),
        'row',
      )} written, ` +
      `${r.weeks.reduce((n, w) => n + w.duplicates, 0)} duplicates, ` +
      `${r.weeks.reduce((n, w) => n + w.rejected, 0)} rejected`,
  );
});

addWeekOptions(
  program
    .command('load-pg')
    .description("Load clean files and dimensions into PostgreSQL, replacing each week (default: the plan's period)")
    .addHelpText(
      'after',
      '\nExamples:\n  $ sales-etl load-pg --week 2024-W20\n' +
        '  $ DATABASE_URL=postgres://etl@db/sales sales-etl load-pg --from 2024-W01 --to 2024-W52\n',
    ),
).action(async (_o, cmd: Command) => {
  const { loadPg } = await import('./commands/load-pg.js');
  const flags = cmd.opts<Flags<object>>();
  await run(
    cmd,
    (ctx) => loadPg({ ctx, weeks: weeksOf(flags) }),
    (r) =>
      `loaded ${plural(r.weeks.length, 'week')}, ${plural(
        r.weeks.reduce((n, w) => n + w.rows, 0),
        'row',
      )}`,
  );
});

addWeekOptions(
  program
    .command('aggregate')
    .description(
      "Rebuild each week's sales_agg, sales_daily and week_buyers in PostgreSQL (default: the plan's period)",
    )
    .addHelpText('after', '\nExamples:\n  $ sales-etl aggregate --week 2024-W20\n'),
).action(async (_o, cmd: Command) => {
  const { aggregate } = await import('./commands/aggregate.js');
  const flags = cmd.opts<Flags<object>>();
  await run(
    cmd,
    (ctx) => aggregate({ ctx, weeks: weeksOf(flags) }),
    (r) =>
      `aggregated ${plural(r.weeks.length, 'week')}, ${plural(
        r.weeks.reduce((n, w) => n + w.rows, 0),
        'row',
      )}`,
  );
});

addWeekOptions(
  program
    .command('migrate-click')
    .description("Publish each week's aggregates to ClickHouse with the import date (default: the plan's period)")
    .option('--verify-only', 'copy nothing; compare ClickHouse with PostgreSQL and fail on a difference')
    .addHelpText(
      'after',
      '\nExamples:\n  $ sales-etl migrate-click --week 2024-W20\n' +
        '  $ sales-etl migrate-click --week 2024-W20 --verify-only\n',
    ),
).action(async (_o, cmd: Command) => {
  const { migrateClick } = await import('./commands/migrate-click.js');
  const flags = cmd.opts<Flags<{ verifyOnly?: boolean }>>();
  await run(
    cmd,
    (ctx) => migrateClick({ ctx, weeks: weeksOf(flags), verifyOnly: flags.verifyOnly }),
    (r) =>
      `${r.verifyOnly ? 'verified' : 'published'} ${plural(r.weeks.length, 'week')}, ${plural(
        r.weeks.reduce((n, w) => n + w.rows, 0),
        'row',
      )}`,
  );
});

addRejectRateOption(
  addSkipGenerateOption(
    program
      .command('run-week')
      .description(
        'generate → clean → load-pg → aggregate → migrate-click for one week (default: the previous week, Moscow time)',
      )
      .addOption(
        new Option('-w, --week <week>', `the week to run: ${WEEK_FORMS} (default: the previous week)`).argParser(
          weekArg,
        ),
      ),
  ),
)
  .addOption(
    new Option(
      '--only-at <when>',
      `start only within ${ONLY_AT_WINDOW_MINUTES} minutes after this weekly time, e.g. 'Tue 12:45 Europe/Moscow'; ` +
        'at any other time log one line and exit 0 (the crontab lines of `cron` use it)',
    ).argParser(onlyAtArg),
  )
  .addHelpText(
    'after',
    `\n${RUN_HELP}` +
      '\nExamples:\n  $ sales-etl run-week\n  $ sales-etl run-week --week 2024-W20 --skip-generate\n' +
      "  $ sales-etl run-week --only-at 'Tue 12:45 Europe/Moscow'\n",
  )
  .action(async (_o, cmd: Command) => {
    const flags = cmd.opts<{ week?: string; skipGenerate?: boolean; maxRejectRate: number; onlyAt?: WeeklyTime }>();
    const notDue = flags.onlyAt && notDueReason(flags.onlyAt, Date.now());
    if (flags.onlyAt && notDue) {
      return skipRun(cmd, `run-week skipped (--only-at '${formatWeeklyTime(flags.onlyAt)}'): ${notDue}`);
    }
    const { runWeek, stageRowsLine } = await import('./commands/run-week.js');
    await run(
      cmd,
      (ctx) =>
        runWeek({
          ctx,
          week: flags.week === undefined ? undefined : parseWeek(flags.week),
          skipGenerate: flags.skipGenerate,
          maxRejectRate: flags.maxRejectRate,
        }),
      (r) =>
        `run-week ${r.week} ok in ${r.seconds.toFixed(1)}s: ${stageRowsLine(r)}` +
        (r.warnings.length > 0 ? ` (${plural(r.warnings.length, 'warning')})` : ''),
    );
  });

addWeekOptions(
  addPlanOptions(
    addRejectRateOption(
      addSkipGenerateOption(
        program
          .command('backfill')
          .description(
            "run-week for every week in order (default: the plan's whole period, creating the plan if there is none)",
          )
          .option('--keep-going', 'run the remaining weeks after a failure'),
      ),
    ),
  ).addHelpText(
    'after',
    `\n${RUN_HELP}` +
      '\nExamples:\n  $ sales-etl backfill\n  $ sales-etl backfill --from 2024-W01 --to 2024-W10 --keep-going\n' +
      '  $ sales-etl --data-dir /tmp/small backfill --total 20000 --weeks 8\n',
  ),
  'a single week to run',
).action(async (_o, cmd: Command) => {
  const { backfill, backfillLine, backfillTable } = await import('./commands/backfill.js');
  type BackfillResult = Awaited<ReturnType<typeof backfill>>;
  type BackfillFlags = PlanOptionValues & { keepGoing?: boolean; skipGenerate?: boolean; maxRejectRate: number };
  const flags = cmd.opts<Flags<BackfillFlags>>();
  // The table and its summary line, on stdout after a failure too: results belong there.
  const report = (r: BackfillResult) => `${backfillTable(r)}\n${backfillLine(r)}`;
  await run(
    cmd,
    (ctx) =>
      backfill({
        ctx,
        weeks: weeksOf(flags),
        keepGoing: flags.keepGoing,
        skipGenerate: flags.skipGenerate,
        maxRejectRate: flags.maxRejectRate,
        ...planFlagsOf(flags),
      }),
    report,
    report,
  );
});

addWeekOptions(
  program
    .command('status')
    .description(
      'A table of weeks by stage: raw files, clean rows and rejects, database rows, last run ' +
        "(default: the plan's period)",
    )
    .addHelpText(
      'after',
      '\nExamples:\n  $ sales-etl status\n  $ sales-etl status --from 2024-W01 --to 2024-W10 --json\n',
    ),
).action(async (_o, cmd: Command) => {
  const { status, statusTable } = await import('./commands/status.js');
  const flags = cmd.opts<Flags<object>>();
  await run(
    cmd,
    (ctx) => status({ ctx, weeks: weeksOf(flags) }),
    (r) =>
      `${statusTable(r)}\nstatus: ${plural(r.weeks.length, 'week')}, ` +
      `PostgreSQL ${r.postgres.state}, ClickHouse ${r.clickhouse.state}`,
  );
});

program
  .command('cron')
  .description(
    'Print crontab lines (or a systemd timer) running run-week on Tuesdays 12:45 Moscow time, ' +
      "on this machine's clock all year: one line per UTC offset of its zone, each guarded by run-week --only-at",
  )
  .option('--systemd', 'print a systemd service and timer instead (OnCalendar in Europe/Moscow)')
  .addHelpText(
    'after',
    '\nExamples:\n  $ (crontab -l; sales-etl --data-dir /srv/sales cron) | crontab -\n  $ sales-etl cron --systemd\n',
  )
  .action(async (_o, cmd: Command) => {
    const { cron } = await import('./commands/cron.js');
    const flags = cmd.opts<{ systemd?: boolean }>();
    await run(
      cmd,
      (ctx) => cron({ ctx, systemd: flags.systemd }),
      (r) => r.text.trimEnd(),
    );
  });

program
  .command('smoke')
  .description(
    'Every stage on a small plan in a temporary data directory (embedded databases); fails if any count disagrees',
  )
  .addOption(
    new Option('--total <n>', 'valid sales in the small plan').default(SMOKE_DEFAULTS.total).argParser(intArg(1)),
  )
  .addOption(
    new Option('--weeks <n>', 'weeks in the small plan').default(SMOKE_DEFAULTS.weeks).argParser(intArg(1, 52)),
  )
  .option('--keep', 'keep the temporary data directory')
  .addHelpText('after', '\nExamples:\n  $ sales-etl smoke\n  $ npm run smoke\n')
  .action(async (_o, cmd: Command) => {
    const { smoke } = await import('./commands/smoke.js');
    const flags = cmd.opts<{ total: number; weeks: number; keep?: boolean }>();
    await run(
      cmd,
      (ctx) => smoke({ ctx, total: flags.total, weeks: flags.weeks, keep: flags.keep }),
      (r) =>
        `smoke ok in ${r.seconds.toFixed(1)}s: ${plural(r.weeks.length, 'week')}, ${r.checks.length} checks passed`,
    );
  });

addWeekOptions(
  program
    .command('report')
    .description(
      "Write a self-contained HTML sales dashboard from ClickHouse (default: the plan's period) and print its path",
    )
    .option('-o, --out <file>', 'the HTML file (default <data-dir>/reports/sales-<from>_<to>.html)')
    .addOption(new Option('--locale <locale>', 'language and number format').choices(REPORT_LOCALES).default('ru'))
    .addHelpText(
      'after',
      '\nExamples:\n  $ sales-etl report\n' +
        '  $ sales-etl report --from 2024-W01 --to 2024-W26 --locale en --out h1.html\n',
    ),
  'the week to report on',
).action(async (_o, cmd: Command) => {
  const { report } = await import('./commands/report.js');
  const flags = cmd.opts<Flags<{ out?: string; locale: ReportLocale }>>();
  await run(
    cmd,
    (ctx) => report({ ctx, weeks: weeksOf(flags), out: flags.out, locale: flags.locale }),
    (r) => r.path,
  );
});

/** The single exit point: one red line on stderr, and the exit code of SPEC 8. */
async function main(argv: string[]): Promise<number> {
  const globals = () => program.opts<GlobalFlags>();
  const color = () => isInteractive(globals().color ?? true);
  try {
    await program.parseAsync(argv);
    const stop = interrupted();
    if (stop) {
      // The work ended before it saw the signal: its result stands, the exit code still says what happened.
      process.stderr.write(errorLine(`${stop.signal} came as ${stop.during} was ending; its work was done`, color()));
      return stop.exitCode;
    }
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; every other complaint of commander's is a usage error.
      return error.exitCode === 0 || error.code === 'commander.helpDisplayed' || error.code === 'commander.version'
        ? EXIT.ok
        : EXIT.usage;
    }
    // After a stop signal, whatever the work threw is the interruption: no stack, one line, 128 + n.
    const stop = interrupted();
    const verbose = globals().verbose ?? false;
    const code = stop ? stop.exitCode : exitCodeFor(error);
    const message = stop ? stop.message : describeError(error, verbose);
    process.stderr.write(errorLine(message, color()));
    if (globals().json) {
      const partial = resultOf(error);
      const plain = stop ? stop.message : describeError(error, false);
      const summary = { ...partial, ok: false, exitCode: code, error: plain };
      process.stdout.write(`${JSON.stringify(summary)}\n`);
    }
    return code;
  }
}

process.exitCode = await main(process.argv);
