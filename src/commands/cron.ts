import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MOSCOW_OFFSET_MS } from '../lib/calendar.js';
import type { Context } from '../lib/config.js';
import { NODE_FLAGS } from '../lib/node-flags.js';

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
  schedule: LocalSchedule;
  text: string;
}

/** The weekly run: Tuesdays 12:45 Moscow time. */
export const RUN_WEEKDAY = 2;
export const RUN_HOUR = 12;
export const RUN_MINUTE = 45;
const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** The next Tuesday 12:45 Moscow time at or after `now`, epoch milliseconds. */
export function nextRunInstant(now: number): number {
  const moscow = new Date(now + MOSCOW_OFFSET_MS);
  const daysAhead = (RUN_WEEKDAY - moscow.getUTCDay() + 7) % 7;
  let wall = Date.UTC(moscow.getUTCFullYear(), moscow.getUTCMonth(), moscow.getUTCDate() + daysAhead, RUN_HOUR, RUN_MINUTE);
  if (wall - MOSCOW_OFFSET_MS < now) wall += 7 * 86_400_000;
  return wall - MOSCOW_OFFSET_MS;
}

/**
 * Tuesday 12:45 Moscow time on the machine's clock, at the zone's offset of the
 * next run: the day can shift (Los Angeles: Tuesday 01:45 in winter, 02:45 in
 * summer; Vladivostok: Tuesday 19:45; Auckland: Tuesday 21:45 or 22:45).
 */
export function localSchedule(timeZone: string, now: number = Date.now()): LocalSchedule {
  const instant = nextRunInstant(now);
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'long',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'longOffset',
  }).formatToParts(new Date(instant));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const weekdayName = part('weekday');
  const offset = part('timeZoneName').replace(/^GMT/, '');
  return {
    timeZone,
    weekday: DAY_NAMES.indexOf(weekdayName),
    weekdayName,
    hour: Number(part('hour')),
    minute: Number(part('minute')),
    utcOffset: offset === '' ? '+00:00' : offset,
  };
}

/** Quote a path for a shell command line (crontab lines are run by /bin/sh). */
function sh(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, "'\\''")}'`;
}

/** The project's bin/sales-etl.js, found from this file's place in dist/src/commands. */
function defaultBin(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/sales-etl.js');
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Whether a zone's UTC offset changes within the year after `now` (daylight saving). */
export function changesOffset(timeZone: string, now: number): boolean {
  const offsets = new Set(
    [0, 91, 182, 273].map((days) => localSchedule(timeZone, now + days * 86_400_000).utcOffset),
  );
  return offsets.size > 1;
}

/** Print a crontab entry (or a systemd service and timer) for the weekly run (SPEC 8). */
export async function cron(opts: CronOptions): Promise<CronResult> {
  const timeZone = opts.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC';
  const schedule = localSchedule(timeZone, opts.now ?? Date.now());
  const node = opts.node ?? process.execPath;
  const bin = opts.bin ?? defaultBin();
  const project = path.dirname(path.dirname(bin));
  const dataDir = opts.ctx.config.layout.root;
  const logDir = path.join(dataDir, 'logs');
  const command = `${sh(node)} ${NODE_FLAGS.join(' ')} ${sh(bin)} --data-dir ${sh(dataDir)} run-week`;

  if (opts.systemd) {
    const text = [
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
      `WorkingDirectory=${project}`,
      '# Environment=DATABASE_URL=postgres://... CLICKHOUSE_URL=http://... NOTIFY_WEBHOOK_URL=...',
      `ExecStart=${command}`,
      '',
      '# /etc/systemd/system/sales-etl.timer',
      '[Unit]',
      'Description=sales-etl weekly run, Tuesdays 12:45 Moscow time',
      '',
      '[Timer]',
      `OnCalendar=Tue *-*-* ${pad(RUN_HOUR)}:${pad(RUN_MINUTE)}:00 Europe/Moscow`,
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
    return { kind: 'systemd', schedule, text };
  }

  const line = (minute: number, hour: number, weekday: number) =>
    `${minute} ${hour} * * ${weekday} cd ${sh(project)} && mkdir -p ${sh(logDir)} && ${command} >> ${sh(path.join(logDir, 'cron.log'))} 2>&1`;
  const text = [
    `# sales-etl run-week, Tuesdays ${pad(RUN_HOUR)}:${pad(RUN_MINUTE)} Europe/Moscow = ${schedule.weekdayName} ` +
      `${pad(schedule.hour)}:${pad(schedule.minute)} ${timeZone} (UTC${schedule.utcOffset} now).`,
    '# Install with `crontab -e`. Database URLs and notifier settings (DATABASE_URL, CLICKHOUSE_URL,',
    '# TELEGRAM_BOT_TOKEN, TELEGRAM_CHAT_ID, NOTIFY_WEBHOOK_URL) go on lines of their own above the entry.',
    ...(!changesOffset(timeZone, opts.now ?? Date.now())
      ? []
      : [`# If ${timeZone} changes its UTC offset (daylight saving), print this again or use the CRON_TZ form below.`]),
    line(schedule.minute, schedule.hour, schedule.weekday),
    '',
    '# Or, where cron supports CRON_TZ (cronie, systemd-cron; it applies to the entries below it):',
    '# CRON_TZ=Europe/Moscow',
    `# ${line(RUN_MINUTE, RUN_HOUR, RUN_WEEKDAY)}`,
    '',
  ].join('\n');
  return { kind: 'crontab', schedule, text };
}
