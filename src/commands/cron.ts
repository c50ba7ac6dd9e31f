import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MOSCOW_OFFSET_MS, WEEK_MS } from '../lib/core/calendar.js';
import type { Context } from '../lib/core/config.js';
import { UsageError } from '../lib/core/errors.js';
import { NODE_FLAGS } from '../lib/core/node-flags.js';
import { DAY_NAMES, formatWeeklyTime, wallClock, WEEKLY_RUN } from '../lib/ops/schedule.js';

/** Options of `cron`. */
export interface CronOptions {
  ctx: Context;
  /** Print a systemd service and timer instead of a crontab entry. */
  systemd?: boolean | undefined;
  /** The machine's time zone (default: the process's, which honours TZ). */
  timeZone?: string | undefined;
  /** The instant whose UTC offsets are used (default now). */
  now?: number | undefined;
  /** Absolute path of node (default process.execPath). */
  node?: string | undefined;
  /** Absolute path of the project's bin (default bin/sales-etl.js next to this build). */
  bin?: string | undefined;
}

/** When the weekly run happens in the machine's own time zone. */
export interface LocalSchedule {
  timeZone: string;
  /** Cron day of week, 0 = Sunday ... 6 = Saturday. */
  weekday: number;
  weekdayName: string;
  hour: number;
  minute: number;
  /** The zone's UTC offset at that moment, e.g. `+10:00`. */
  utcOffset: string;
}

/** What `cron` prints. */
export interface CronResult {
  kind: 'crontab' | 'systemd';
  /** The next run, on this machine's clock. */
  schedule: LocalSchedule;
  /** One per crontab line: the local times of the runs in the coming year, one per UTC offset the zone uses. */
  schedules: LocalSchedule[];
  text: string;
}

/** The next Tuesday 12:45 Moscow time at or after `now`, epoch milliseconds (Moscow keeps UTC+3 all year). */
export function nextRunInstant(now: number): number {
  const moscow = new Date(now + MOSCOW_OFFSET_MS);
  const daysAhead = (WEEKLY_RUN.weekday - moscow.getUTCDay() + 7) % 7;
  const day = moscow.getUTCDate() + daysAhead;
  let wall = Date.UTC(moscow.getUTCFullYear(), moscow.getUTCMonth(), day, WEEKLY_RUN.hour, WEEKLY_RUN.minute);
  if (wall - MOSCOW_OFFSET_MS < now) wall += WEEK_MS;
  return wall - MOSCOW_OFFSET_MS;
}

/**
 * Tuesday 12:45 Moscow time on the machine's clock, at the zone's offset of the
 * next run: the day can shift (Los Angeles: Tuesday 01:45 in winter, 02:45 in
 * summer; Vladivostok: Tuesday 19:45; Auckland: Tuesday 21:45 or 22:45).
 */
export function localSchedule(timeZone: string, now: number = Date.now()): LocalSchedule {
  const clock = wallClock(nextRunInstant(now), timeZone);
  const { weekday, hour, minute, utcOffset } = clock;
  return { timeZone, weekday, weekdayName: DAY_NAMES[weekday]!, hour, minute, utcOffset };
}

/**
 * The distinct local times of the runs in the 53 weeks from `now`: one for a zone without
 * daylight saving, two (or more) for one with it, in the order they first occur.
 */
export function yearSchedules(timeZone: string, now: number): LocalSchedule[] {
  const found = new Map<string, LocalSchedule>();
  for (let week = 0; week < 53; week++) {
    const s = localSchedule(timeZone, nextRunInstant(now) + week * WEEK_MS);
    const key = `${s.weekday} ${s.hour} ${s.minute}`;
    if (!found.has(key)) found.set(key, s);
  }
  return [...found.values()];
}

/**
 * A crontab command with each `%` escaped: cron turns an unescaped `%` into a line break and
 * runs only what comes before it. `\%` itself cannot be written (cron reads it as an escape).
 */
export function crontabCommand(command: string): string {
  if (command.includes('\\%')) {
    throw new UsageError(`a crontab line cannot hold a backslash before % (cron reads \\% as an escape): ${command}`);
  }
  return command.replace(/%/g, '\\%');
}

/** A value for a systemd unit file: `%` starts a specifier there, `%%` is a percent sign. */
const systemdValue = (text: string) => text.replace(/%/g, '%%');

/** Quote a path for a shell command line (crontab lines are run by /bin/sh). */
function sh(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, "'\\''")}'`;
}

/** The project's bin/sales-etl.js, found from this file's place in dist/src/commands. */
function defaultBin(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/sales-etl.js');
}

const pad = (n: number) => String(n).padStart(2, '0');

/** What both forms of the entry run, and where. */
interface RunCommand {
  /** The machine's time zone, which the crontab lines are written in. */
  timeZone: string;
  /** The project's directory, the run's working directory. */
  project: string;
  /** Where the crontab entry appends the run's output. */
  logDir: string;
  /** node, its flags, the bin and `--data-dir ... run-week`, quoted for a shell. */
  command: string;
  /** The weekly run's Moscow time of day, HH:MM. */
  runAt: string;
}

/** The command line of the weekly run and the places it uses, from the options. */
function runCommand(opts: CronOptions, timeZone: string): RunCommand {
  const node = opts.node ?? process.execPath;
  const bin = opts.bin ?? defaultBin();
  const project = path.dirname(path.dirname(bin));
  const dataDir = opts.ctx.config.layout.root;
  const logDir = path.join(dataDir, 'logs');
  const command = `${sh(node)} ${NODE_FLAGS.join(' ')} ${sh(bin)} --data-dir ${sh(dataDir)} run-week`;
  const runAt = `${pad(WEEKLY_RUN.hour)}:${pad(WEEKLY_RUN.minute)}`;
  return { timeZone, project, logDir, command, runAt };
}

/** Print crontab entries (or a systemd service and timer) for the weekly run (SPEC 8). */
export async function cron(opts: CronOptions): Promise<CronResult> {
  const timeZone = opts.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC';
  const now = opts.now ?? Date.now();
  const schedule = localSchedule(timeZone, now);
  const schedules = yearSchedules(timeZone, now);
  const run = runCommand(opts, timeZone);
  if (opts.systemd) return { kind: 'systemd', schedule, schedules, text: systemdUnits(run) };
  return { kind: 'crontab', schedule, schedules, text: crontabEntry(run, schedules) };
}

/**
 * The service and timer units. systemd keeps the zone itself (OnCalendar ... Europe/Moscow), daylight
 * saving included, and Persistent= runs a missed week late: so no --only-at, which would skip that late run.
 */
function systemdUnits({ project, command, runAt }: RunCommand): string {
  return [
    '# /etc/systemd/system/sales-etl.service',
    '[Unit]',
    'Description=sales-etl weekly run (run-week: generate, clean, load-pg, aggregate, migrate-click)',
    'Wants=network-online.target',
    'After=network-online.target',
    '',
    '[Service]',
    'Type=oneshot',
    '# systemctl stop: SIGTERM to sales-etl alone, which rolls back, stops its embedded PostgreSQL and exits 143',
    'KillMode=mixed',
    `WorkingDirectory=${systemdValue(project)}`,
    '# What the run writes is for this account alone (the tool adds 077 to the umask anyway).',
    'UMask=0077',
    '# Environment=DATABASE_URL=postgres://... CLICKHOUSE_URL=http://... NOTIFY_WEBHOOK_URL=...',
    `ExecStart=${systemdValue(command)}`,
    '',
    '# /etc/systemd/system/sales-etl.timer',
    '[Unit]',
    `Description=sales-etl weekly run, Tuesdays ${runAt} Moscow time`,
    '',
    '[Timer]',
    `OnCalendar=Tue *-*-* ${runAt}:00 ${WEEKLY_RUN.timeZone}`,
    'Persistent=true',
    '',
    '[Install]',
    'WantedBy=timers.target',
    '',
    '# install: save the two units above, then',
    '#   sudo systemctl daemon-reload && sudo systemctl enable --now sales-etl.timer',
    '#   systemctl list-timers sales-etl.timer; journalctl -u sales-etl.service',
    '',
  ].join('\n');
}

/**
 * The crontab entry. Cron runs entries on the machine's clock (Debian's ignores CRON_TZ): one line per UTC
 * offset the zone has at the runs of the coming year, each guarded so that only the one at 12:45 Moscow runs.
 */
function crontabEntry({ timeZone, project, logDir, command, runAt }: RunCommand, schedules: LocalSchedule[]): string {
  const guarded = `${command} --only-at ${sh(formatWeeklyTime(WEEKLY_RUN))}`;
  const tail = crontabCommand(
    `cd ${sh(project)} && umask 077 && mkdir -p ${sh(logDir)} && ` +
      `${guarded} >> ${sh(path.join(logDir, 'cron.log'))} 2>&1`,
  );
  const many = schedules.length > 1;
  return [
    `# sales-etl run-week, Tuesdays ${runAt} ${WEEKLY_RUN.timeZone}, on this machine's clock (${timeZone}).`,
    ...(many
      ? [
          `# ${timeZone} changes its UTC offset in the year, so there is a line for each offset; at each run`,
          '# only one of them fires at the right moment: `--only-at` makes the other log "skipped" and exit 0.',
        ]
      : []),
    '# Install: (crontab -l; sales-etl cron) | crontab -   (the lines of an older entry: remove with crontab -e)',
    '# Database URLs and notifier settings (DATABASE_URL, CLICKHOUSE_URL, TELEGRAM_BOT_TOKEN,',
    '# TELEGRAM_CHAT_ID, NOTIFY_WEBHOOK_URL) go on lines of their own above the entry.',
    ...schedules.flatMap((s) => [
      `# at UTC${s.utcOffset}: ${s.weekdayName} ${pad(s.hour)}:${pad(s.minute)} ${timeZone}`,
      `${s.minute} ${s.hour} * * ${s.weekday} ${tail}`,
    ]),
    '',
  ].join('\n');
}
