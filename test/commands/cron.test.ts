import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { Cron } from 'croner';
import { cron, localSchedule, nextRunInstant } from '../../src/commands/cron.js';
import { UsageError } from '../../src/lib/core/errors.js';
import { previousWeek } from '../../src/lib/core/calendar.js';
import { Layout } from '../../src/lib/files/layout.js';
import { silentLogger } from '../../src/lib/ui/logger.js';
import { NODE_FLAGS } from '../../src/lib/core/node-flags.js';
import { formatWeeklyTime, notDueReason, parseWeeklyTime, wallClock } from '../../src/lib/ops/schedule.js';

const BIN = fileURLToPath(new URL('../../../bin/sales-etl.js', import.meta.url));
const WINTER = Date.UTC(2024, 0, 10, 12); // a Wednesday in January
const SUMMER = Date.UTC(2024, 6, 10, 12); // a Wednesday in July

test('Tuesday 12:45 Moscow on machines in other time zones, day shifts included', () => {
  const at = (tz: string, now: number) => {
    const s = localSchedule(tz, now);
    return `${s.weekdayName} ${s.hour}:${String(s.minute).padStart(2, '0')} ${s.utcOffset}`;
  };
  assert.equal(at('Europe/Moscow', WINTER), 'Tuesday 12:45 +03:00');
  assert.equal(at('UTC', WINTER), 'Tuesday 9:45 +00:00');
  assert.equal(at('Asia/Vladivostok', WINTER), 'Tuesday 19:45 +10:00');
  assert.equal(at('America/Los_Angeles', WINTER), 'Tuesday 1:45 -08:00');
  assert.equal(at('America/Los_Angeles', SUMMER), 'Tuesday 2:45 -07:00');
  assert.equal(at('Asia/Kolkata', WINTER), 'Tuesday 15:15 +05:30');
  // UTC-11: Moscow's Tuesday noon is still Monday evening there.
  assert.equal(at('Pacific/Pago_Pago', WINTER), 'Monday 22:45 -11:00');
  // UTC+14: and Wednesday early morning here.
  assert.equal(at('Pacific/Kiritimati', SUMMER), 'Tuesday 23:45 +14:00');
  assert.equal(localSchedule('Pacific/Pago_Pago', WINTER).weekday, 1);
});

test('the next run is the coming Tuesday 09:45 UTC, or next week once it has passed', () => {
  assert.equal(new Date(nextRunInstant(Date.UTC(2024, 4, 20, 12))).toISOString(), '2024-05-21T09:45:00.000Z'); // Monday
  assert.equal(new Date(nextRunInstant(Date.UTC(2024, 4, 21, 9, 44))).toISOString(), '2024-05-21T09:45:00.000Z');
  assert.equal(new Date(nextRunInstant(Date.UTC(2024, 4, 21, 9, 46))).toISOString(), '2024-05-28T09:45:00.000Z');
});

const ctxFor = (dataDir: string) => ({ config: { layout: new Layout(dataDir) } as never, log: silentLogger() });
const entriesOf = (text: string) => text.split('\n').filter((l) => /^\d/.test(l));

test('the crontab entry has absolute paths, the data dir, the --only-at guard and a log redirect', async () => {
  const r = await cron({
    ctx: ctxFor('/srv/sales data'),
    timeZone: 'Asia/Vladivostok',
    now: WINTER,
    node: '/opt/node/bin/node',
    bin: '/opt/sales-etl/bin/sales-etl.js',
  });
  assert.deepEqual(entriesOf(r.text), [
    "45 19 * * 2 cd /opt/sales-etl && umask 077 && mkdir -p '/srv/sales data/logs' && " +
      '/opt/node/bin/node --max-old-space-size=512 --max-semi-space-size=4 /opt/sales-etl/bin/sales-etl.js' +
      " --data-dir '/srv/sales data' run-week --only-at 'Tue 12:45 Europe/Moscow' " +
      ">> '/srv/sales data/logs/cron.log' 2>&1",
  ]);
  assert.doesNotMatch(r.text, /CRON_TZ=/); // Debian's cron ignores it
  assert.match(r.text, /^# Install: \(crontab -l; sales-etl cron\) \| crontab -/m);
});

/** What cron (Vixie/Debian do_command) makes of a command: `\%` is a `%`, a bare `%` ends the command. */
function cronCommand(line: string): string {
  const command = line.split(' ').slice(5).join(' ');
  let out = '';
  for (let i = 0; i < command.length; i++) {
    const ch = command[i]!;
    if (ch === '\\' && i + 1 < command.length) {
      out += command[i + 1] === '%' ? '%' : ch + command[i + 1]!;
      i++;
    } else if (ch === '%') {
      break;
    } else {
      out += ch;
    }
  }
  return out;
}

test('a % in the data directory is escaped, and the line runs with the whole path', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ops-cron-%d 50%-'));
  try {
    // /bin/echo stands in for node: the log then shows the arguments the shell handed over.
    const bin = '/opt/sales-etl/bin/sales-etl.js';
    const r = await cron({ ctx: ctxFor(dir), timeZone: 'UTC', node: '/bin/echo', bin });
    const [line] = entriesOf(r.text);
    assert.ok(line);
    assert.doesNotMatch(line.replace(/\\%/g, ''), /%/, 'every % is escaped');
    const command = cronCommand(line).replace('cd /opt/sales-etl', 'cd /');
    const run = spawnSync('/bin/sh', ['-c', command], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const logged = await readFile(path.join(dir, 'logs', 'cron.log'), 'utf8');
    assert.equal(
      logged,
      `${NODE_FLAGS.join(' ')} ${bin} --data-dir ${dir} run-week --only-at Tue 12:45 Europe/Moscow\n`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  // cron reads \% as an escape whatever precedes it: such a path cannot be written, and says so.
  await assert.rejects(cron({ ctx: ctxFor('/srv/a\\%b'), timeZone: 'UTC' }), UsageError);
});

/**
 * A year of cron's fire times for the printed lines (croner, in the machine's zone), each
 * fire passed through run-week's --only-at guard a few seconds later, as cron starts it.
 */
async function runsOverAYear(timeZone: string, start: number) {
  const end = start + 365 * 86_400_000;
  const r = await cron({ ctx: ctxFor('/srv/sales'), timeZone, now: start, node: '/usr/bin/node', bin: '/s/bin/s.js' });
  const runs: number[] = [];
  let fires = 0;
  const entries = entriesOf(r.text);
  for (const line of entries) {
    const guard = parseWeeklyTime(/--only-at '([^']+)'/.exec(line)?.[1] ?? '');
    const job = new Cron(line.split(' ').slice(0, 5).join(' '), { timezone: timeZone, paused: true });
    for (let at = job.nextRun(new Date(start - 1)); at && at.getTime() < end; at = job.nextRun(at)) {
      fires++;
      if (notDueReason(guard, at.getTime() + 3000) === undefined) runs.push(at.getTime());
    }
  }
  return { runs: runs.sort((a, b) => a - b), fires, lines: entries.length };
}

test('a whole year, zones with and without daylight saving: one run each Tuesday 12:45 Moscow, none else', async () => {
  const zones: Record<string, number> = {
    'America/New_York': 2,
    'Europe/London': 2,
    'Australia/Sydney': 2,
    'Asia/Kathmandu': 1,
    'Pacific/Honolulu': 1, // Monday 23:45 there
    'Europe/Moscow': 1,
  };
  for (const start of [Date.UTC(2026, 11, 1), Date.UTC(2027, 5, 15, 10)]) {
    const expected: number[] = [];
    for (let t = nextRunInstant(start); t < start + 365 * 86_400_000; t += 7 * 86_400_000) expected.push(t);
    assert.ok(expected.length >= 52);
    for (const [zone, lines] of Object.entries(zones)) {
      const year = await runsOverAYear(zone, start);
      const label = `${zone} from ${new Date(start).toISOString()}`;
      assert.equal(year.lines, lines, label);
      assert.ok(year.fires >= 52 * lines, `${label}: every line fires weekly: ${year.fires}`);
      const iso = (times: number[]) => times.map((t) => new Date(t).toISOString());
      assert.deepEqual(iso(year.runs), iso(expected), label);
    }
  }
});

test('--systemd prints a service and a timer on Moscow time', async () => {
  const ctx = { config: { layout: new Layout('/srv/sales') } as never, log: silentLogger() };
  const r = await cron({ ctx, systemd: true, node: '/usr/bin/node', bin: '/opt/sales-etl/bin/sales-etl.js' });
  assert.match(r.text, /^UMask=0077$/m);
  assert.match(
    r.text,
    new RegExp(
      String.raw`^ExecStart=\/usr\/bin\/node --max-old-space-size=512 --max-semi-space-size=4 ` +
        String.raw`\/opt\/sales-etl\/bin\/sales-etl.js --data-dir \/srv\/sales run-week$`,
      'm',
    ),
  );
  assert.match(r.text, /^OnCalendar=Tue \*-\*-\* 12:45:00 Europe\/Moscow$/m);
  assert.match(r.text, /^Type=oneshot$/m);
  assert.match(r.text, /^KillMode=mixed$/m, 'systemctl stop signals sales-etl, which stops its own server');
  assert.match(r.text, /^WantedBy=timers.target$/m);
});

test('--systemd: % doubled in the unit, and systemd itself reads the timer as Tuesdays 09:45 UTC', async (t) => {
  const r = await cron({ ctx: ctxFor('/srv/50%'), systemd: true, node: '/usr/bin/node', bin: '/opt/s%/bin/s.js' });
  assert.match(r.text, /^WorkingDirectory=\/opt\/s%%$/m);
  assert.match(r.text, /^ExecStart=\/usr\/bin\/node .* \/opt\/s%%\/bin\/s.js --data-dir \/srv\/50%% run-week$/m);
  const calendar = /^OnCalendar=(.*)$/m.exec(r.text)?.[1] ?? '';
  assert.equal(calendar, 'Tue *-*-* 12:45:00 Europe/Moscow');
  const analyze = spawnSync('systemd-analyze', ['calendar', '--iterations=2', calendar], {
    encoding: 'utf8',
    env: { ...process.env, TZ: 'UTC', LC_ALL: 'C' },
  });
  if (analyze.error) return t.skip('no systemd-analyze here');
  assert.equal(analyze.status, 0, analyze.stderr);
  const elapses = [...analyze.stdout.matchAll(/(?:Next elapse|Iter\. #\d+): (\w+) \S+ (\d\d:\d\d:\d\d) UTC/g)];
  assert.deepEqual(
    elapses.map((m) => `${m[1]} ${m[2]}`),
    ['Tue 09:45:00', 'Tue 09:45:00'],
  );
});

/** `Tue 09:45` for an instant, in UTC. */
const utcWeeklyTime = (instant: number) => {
  const c = wallClock(instant, 'UTC');
  return formatWeeklyTime({ weekday: c.weekday, hour: c.hour, minute: c.minute, timeZone: 'UTC' }).replace(/ UTC$/, '');
};

test('sales-etl run-week --only-at at another time: one line, exit 0, nothing touched', async () => {
  const parent = await mkdtemp(path.join(os.tmpdir(), 'ops-only-at-'));
  const dir = path.join(parent, 'data');
  try {
    // Three hours from now is not within 15 minutes after now, whatever the clock says.
    const when = utcWeeklyTime(Date.now() + 3 * 3600_000);
    const r = spawnSync(process.execPath, [BIN, '--data-dir', dir, 'run-week', '--only-at', `${when} UTC`], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '');
    const skipped =
      `run-week skipped \\(--only-at '${when} UTC'\\): ` + `it is .* in UTC, not within 15 minutes after ${when}`;
    assert.match(r.stderr, new RegExp(`^\\S+ \\S+ info  ${skipped}\\n$`));
    assert.deepEqual(await readdir(parent), [], 'no data directory, no lock');
    // Due now: the guard lets it through (to the data directory check, here a file: exit 2).
    await writeFile(dir, 'a file');
    const now = utcWeeklyTime(Date.now());
    const args = [BIN, '--data-dir', dir, 'run-week', '--only-at', `${now} UTC`];
    const due = spawnSync(process.execPath, args, { encoding: 'utf8' });
    assert.equal(due.status, 2, due.stderr);
    assert.match(due.stderr, /is a file, not a directory/);
  } finally {
    await rm(parent, { recursive: true, force: true });
  }
});

test('sales-etl cron under TZ=Europe/Moscow, UTC and Asia/Vladivostok', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ops-cron-'));
  try {
    const expected: Record<string, string> = {
      'Europe/Moscow': '45 12 * * 2',
      UTC: '45 9 * * 2',
      'Asia/Vladivostok': '45 19 * * 2',
    };
    for (const [tz, when] of Object.entries(expected)) {
      const r = spawnSync(process.execPath, [BIN, '--data-dir', dir, 'cron'], {
        encoding: 'utf8',
        env: { ...process.env, TZ: tz },
      });
      assert.equal(r.status, 0, r.stderr);
      const entry = r.stdout.split('\n').find((l) => /^\d/.test(l)) ?? '';
      assert.ok(entry.startsWith(`${when} `), `${tz}: ${entry}`);
      assert.ok(entry.includes(`${process.execPath} ${NODE_FLAGS.join(' ')} ${BIN} --data-dir ${dir} run-week`), entry);
      assert.ok(entry.endsWith(`>> ${path.join(dir, 'logs', 'cron.log')} 2>&1`), entry);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the escape that starts a terminal colour code
      assert.doesNotMatch(r.stdout, /\u001b\[/);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the previous week at the Sunday/Monday boundary in Moscow, whatever the machine zone', () => {
  // Sunday 2024-05-19 23:59:59 Moscow = 20:59:59 UTC: the current week is W20, so the previous is W19.
  assert.equal(previousWeek(Date.UTC(2024, 4, 19, 20, 59, 59)).id, '2024-W19');
  // Monday 2024-05-20 00:00 Moscow = Sunday 21:00 UTC (still Sunday in UTC): W20 is complete.
  assert.equal(previousWeek(Date.UTC(2024, 4, 19, 21, 0, 0)).id, '2024-W20');
  // Tuesday 12:45 Moscow, the cron run: the week that ended on Sunday.
  assert.equal(previousWeek(Date.UTC(2024, 4, 21, 9, 45)).id, '2024-W20');
  // Across the ISO year boundary: Monday 2024-12-30 is in 2025-W01.
  assert.equal(previousWeek(Date.UTC(2025, 0, 6, 9, 45)).id, '2025-W01');
  assert.equal(previousWeek(Date.UTC(2024, 11, 30, 9, 45)).id, '2024-W52');
});
